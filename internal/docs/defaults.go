package docs

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
)

// content is the shipped content: content/<section>/<slug>.md.
//
//go:embed content
var content embed.FS

// defaultsKey is the settings row that marks the shipped content as
// installed, and the claim that keeps two starting processes from both
// installing it.
const defaultsKey = "docs.defaults_installed"

// installNote is the note of a shipped article's first revision.
const installNote = "Installed with Helpline"

// shippedArticle is a shipped file, parsed, with the plain text the index
// gets (search.PlainText costs more than the rest of an install).
type shippedArticle struct {
	in    ArticleInput
	plain string
}

// shipped parses the embedded files once per process: they never change,
// and every application a test suite starts installs them.
var shipped = sync.OnceValues(func() ([]shippedArticle, error) {
	var out []shippedArticle
	err := fs.WalkDir(content, "content", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".md") || path.Base(name) == "README.md" {
			return err
		}
		data, err := content.ReadFile(name)
		if err != nil {
			return err
		}
		in, err := ParseMarkdownFile(name, data)
		if err != nil {
			return err
		}
		in.Note = installNote
		in.normalize()
		out = append(out, shippedArticle{in, plainText(in.Summary, in.Body)})
		return nil
	})
	return out, err
})

// DefaultArticles returns the shipped content, in file-name order.
func DefaultArticles() ([]ArticleInput, error) {
	list, err := shipped()
	out := make([]ArticleInput, len(list))
	for i, sa := range list {
		out[i] = sa.in
		out[i].Tags = slices.Clone(sa.in.Tags)
	}
	return out, err
}

// InstallDefaults imports the shipped content (error codes and starter
// guides) once, on a new instance; later edits and deletions stick. The
// settings row is inserted in the import's transaction: on PostgreSQL a
// second process starting at the same moment waits on it and then finds
// the content installed.
func (s *Service) InstallDefaults(ctx context.Context) error {
	var done int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE key = $1`, defaultsKey).Scan(&done); err != nil {
		return err
	}
	if done > 0 {
		return nil
	}
	articles, err := shipped()
	if err != nil {
		return err
	}
	for _, sa := range articles {
		if err := sa.in.validate(false).Err(); err != nil {
			return fmt.Errorf("shipped article %s/%s: %w", sa.in.Section, sa.in.Slug, err)
		}
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
			defaultsKey, fmt.Sprint(len(articles)), s.nowUTC())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // another process installed them
		}
		return s.insertShipped(ctx, tx, articles)
	})
}

// insertShipped saves validated articles as revision 1 without an author,
// a few statements for all of them rather than several per article: this
// runs whenever an instance (or a test's application) starts empty. An
// article whose slug or error code is taken already is left out.
func (s *Service) insertShipped(ctx context.Context, tx *sql.Tx, articles []shippedArticle) error {
	now := s.nowUTC()
	var saved []Article
	plain := map[string]string{}
	// Small chunks: SQLite binds $N parameters by name, in time that grows
	// with the square of their number (10 rows measured fastest).
	for chunk := range slices.Chunk(articles, 10) {
		var qa args
		rows := make([]string, len(chunk))
		bySlug := map[string]Article{}
		for i, sa := range chunk {
			in := sa.in
			plain[in.Slug] = sa.plain
			a := Article{Slug: in.Slug, Title: in.Title, Summary: in.Summary, Body: in.Body, Tags: in.Tags, Section: in.Section,
				Audience: in.Audience, Status: in.Status, ErrorCode: in.ErrorCode, Position: in.Position, Revision: 1,
				LastReviewedAt: in.LastReviewedAt, CreatedAt: now, UpdatedAt: now, URL: articleURL(in.Slug, in.ErrorCode)}
			if in.Status == StatusPublished {
				a.PublishedAt = &now
			}
			bySlug[a.Slug] = a
			rows[i] = "(" + strings.Join([]string{qa.add(a.Slug), qa.add(a.Title), qa.add(a.Summary), qa.add(a.Body),
				qa.add(strings.Join(a.Tags, ",")), qa.add(a.Section), qa.add(a.Audience), qa.add(a.Status),
				qa.add(nullString(a.ErrorCode)), qa.add(a.Position), "1", qa.add(a.LastReviewedAt), qa.add(a.PublishedAt),
				qa.add(now), qa.add(now)}, ", ") + ")"
		}
		res, err := tx.QueryContext(ctx, `INSERT INTO articles (slug, title, summary, body, tags, section, audience, status,
			error_code, position, revision, last_reviewed_at, published_at, created_at, updated_at)
			VALUES `+strings.Join(rows, ", ")+` ON CONFLICT DO NOTHING RETURNING id, slug`, qa...)
		if err != nil {
			return fmt.Errorf("install shipped articles: %w", err)
		}
		for res.Next() {
			var id int64
			var slug string
			if err := res.Scan(&id, &slug); err != nil {
				res.Close()
				return err
			}
			a := bySlug[slug]
			a.ID = id
			saved = append(saved, a)
		}
		res.Close()
		if err := res.Err(); err != nil {
			return fmt.Errorf("install shipped articles: %w", err)
		}
	}
	// The articles without a revision are the ones just inserted.
	if _, err := tx.ExecContext(ctx, `INSERT INTO article_revisions (article_id, revision, title, summary, body, tags, section,
		audience, status, error_code, note, created_at)
		SELECT a.id, 1, a.title, a.summary, a.body, a.tags, a.section, a.audience, a.status, a.error_code, $1, a.created_at
		FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_revisions r WHERE r.article_id = a.id)`, installNote); err != nil {
		return fmt.Errorf("install shipped revisions: %w", err)
	}
	for _, a := range saved {
		if err := s.index.Put(ctx, tx, articleDocText(a, plain[a.Slug])); err != nil {
			return fmt.Errorf("index shipped article %s: %w", a.Slug, err)
		}
	}
	return nil
}
