package docs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/search"
)

// Valid reports whether k is changelog or blog.
func (k PostKind) Valid() bool { return k == PostChangelog || k == PostBlog }

func postURL(kind PostKind, slug string) string { return "/" + string(kind) + "/" + slug }

const postColumns = `p.id, p.kind, p.slug, p.title, p.summary, p.body, p.category, p.audience, p.status, p.author_id,
	coalesce(u.name, ''), p.published_at, p.created_at, p.updated_at`

const postJoins = ` FROM posts p LEFT JOIN users u ON u.id = p.author_id`

func scanPost(row interface{ Scan(...any) error }) (Post, error) {
	var p Post
	var author sql.NullInt64
	err := row.Scan(&p.ID, &p.Kind, &p.Slug, &p.Title, &p.Summary, &p.Body, &p.Category, &p.Audience, &p.Status, &author,
		&p.AuthorName, &p.PublishedAt, &p.CreatedAt, &p.UpdatedAt)
	p.AuthorID = author.Int64
	p.PublishedAt, p.CreatedAt, p.UpdatedAt = p.PublishedAt.UTC(), p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	p.URL = postURL(p.Kind, p.Slug)
	return p, err
}

// postReadable is the condition under which a reader sees post p: staff
// see every post, others published posts of their audiences that are due.
func postReadable(aud []Audience, now time.Time, qa *args) string {
	if slices.Contains(aud, search.AudienceStaff) {
		return "TRUE"
	}
	return "p.status = 'published' AND p.published_at <= " + qa.add(now) + " AND p.audience IN " + qa.in(aud)
}

// FindPosts lists posts the actor may read, newest first, and how many
// match in all (for pagination).
func (s *Service) FindPosts(ctx context.Context, actor *helpline.Actor, f PostFilter) ([]Post, int, error) {
	if f.Kind != "" && !f.Kind.Valid() {
		return nil, 0, helpline.Validation{"kind": "must be changelog or blog"}.Err()
	}
	aud, err := s.audiences(ctx, actor)
	if err != nil {
		return nil, 0, err
	}
	var qa args
	conds := []string{postReadable(aud, s.nowUTC(), &qa)}
	if f.Kind != "" {
		conds = append(conds, "p.kind = "+qa.add(f.Kind))
	}
	if f.Category != "" {
		conds = append(conds, "p.category = "+qa.add(f.Category))
	}
	if f.Status != "" && actor.IsStaff() {
		conds = append(conds, "p.status = "+qa.add(f.Status))
	}
	where := ` WHERE ` + strings.Join(conds, " AND ")
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM posts p`+where, qa...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Normalize()
	query := `SELECT ` + postColumns + postJoins + where + ` ORDER BY p.published_at DESC, p.id DESC LIMIT ` +
		qa.add(p.Limit) + ` OFFSET ` + qa.add(p.Offset)
	rows, err := s.db.QueryContext(ctx, query, qa...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Post{}
	for rows.Next() {
		post, err := scanPost(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, post)
	}
	return out, total, rows.Err()
}

// FindPost returns one post the actor may read.
func (s *Service) FindPost(ctx context.Context, actor *helpline.Actor, kind PostKind, slug string) (Post, error) {
	aud, err := s.audiences(ctx, actor)
	if err != nil {
		return Post{}, err
	}
	qa := args{kind, strings.TrimSpace(slug)}
	p, err := scanPost(s.db.QueryRowContext(ctx, `SELECT `+postColumns+postJoins+` WHERE p.kind = $1 AND p.slug = $2 AND `+
		postReadable(aud, s.nowUTC(), &qa), qa...))
	if errors.Is(err, sql.ErrNoRows) {
		return p, helpline.NotFound("post")
	}
	return p, err
}

func (in *PostInput) normalize() {
	in.Slug = strings.TrimSpace(in.Slug)
	in.Title = strings.TrimSpace(in.Title)
	in.Summary = strings.TrimSpace(in.Summary)
	in.Category = strings.ToLower(strings.TrimSpace(in.Category))
	in.Audience = Audience(strings.TrimSpace(string(in.Audience)))
	in.Status = Status(strings.TrimSpace(string(in.Status)))
	if in.Audience == "" {
		in.Audience = search.AudiencePublic
	}
	if in.Status == "" {
		in.Status = StatusDraft
	}
	if in.PublishedAt != nil {
		t := db.Time(*in.PublishedAt)
		in.PublishedAt = &t
	}
}

func (in *PostInput) validate(kind PostKind, derived bool) helpline.Validation {
	v := helpline.Validation{}
	checkTitle(v, in.Title)
	checkSlug(v, in.Slug, derived)
	v.Check(utf8.RuneCountInString(in.Summary) <= MaxSummary, "summary", fmt.Sprintf("must be at most %d characters", MaxSummary))
	checkBody(v, in.Body)
	if kind == PostChangelog {
		v.Check(slices.Contains(ChangelogCategories, in.Category), "category", "must be one of "+strings.Join(ChangelogCategories, ", "))
	} else {
		v.Check(in.Category == "", "category", "is for changelog entries only: leave it empty for a blog post")
	}
	checkAudience(v, in.Audience)
	checkStatus(v, in.Status)
	return v
}

func checkKind(kind PostKind) error {
	if !kind.Valid() {
		return helpline.NotFound("post kind " + string(kind))
	}
	return nil
}

// CreatePost publishes or drafts a post (admin). A post dated in the
// future stays hidden from readers until its date.
func (s *Service) CreatePost(ctx context.Context, actor *helpline.Actor, kind PostKind, in PostInput) (Post, error) {
	if err := actor.RequireAdmin(); err != nil {
		return Post{}, err
	}
	if err := checkKind(kind); err != nil {
		return Post{}, err
	}
	in.normalize()
	derived := in.Slug == ""
	if derived {
		in.Slug = Slugify(in.Title)
	}
	v := in.validate(kind, derived)
	now := s.nowUTC()
	published := now
	if in.PublishedAt != nil {
		published = *in.PublishedAt
	}
	var p Post
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkPostSlug(ctx, tx, v, kind, 0, in.Slug); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO posts (kind, slug, title, summary, body, category, audience, status, author_id,
			published_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
			kind, in.Slug, in.Title, in.Summary, in.Body, in.Category, in.Audience, in.Status, actorID(actor), published, now).Scan(&id)
		if db.IsUniqueViolation(err) {
			return postConflict()
		}
		if err != nil {
			return err
		}
		p, err = s.postSaved(ctx, tx, actor, id, "post.created")
		return err
	})
	return p, err
}

func postConflict() error {
	return &helpline.Error{Kind: helpline.KindConflict, Message: "Another post took this slug a moment ago.",
		Fields: map[string]string{"slug": "is already taken: choose another"}}
}

func (s *Service) checkPostSlug(ctx context.Context, q db.Querier, v helpline.Validation, kind PostKind, id int64, slug string) error {
	if _, bad := v["slug"]; bad {
		return nil
	}
	var other string
	err := q.QueryRowContext(ctx, `SELECT title FROM posts WHERE kind = $1 AND slug = $2 AND id <> $3`, kind, slug, id).Scan(&other)
	switch {
	case err == nil:
		v.Add("slug", fmt.Sprintf("%q is already the slug of %q: choose another", slug, other))
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	return nil
}

// postSaved indexes post id in tx and records the change.
func (s *Service) postSaved(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, id int64, action string) (Post, error) {
	p, err := scanPost(tx.QueryRowContext(ctx, `SELECT `+postColumns+postJoins+` WHERE p.id = $1`, id))
	if err != nil {
		return p, err
	}
	if err := s.indexPost(ctx, tx, p); err != nil {
		return p, err
	}
	if s.accounts == nil {
		return p, nil
	}
	return p, s.accounts.Audit(ctx, tx, actor, action, "post", p.ID, map[string]any{"kind": p.Kind, "slug": p.Slug})
}

// indexPost puts p in the index: for readers once it is published and due,
// for staff only before. searchable remembers which, so IndexDuePosts
// knows what to open up when a post's date arrives.
func (s *Service) indexPost(ctx context.Context, tx *sql.Tx, p Post) error {
	due := p.Status == StatusPublished && !p.PublishedAt.After(s.nowUTC())
	aud := search.AudienceStaff
	if due {
		aud = p.Audience
	}
	var tags []string
	if p.Category != "" {
		tags = []string{p.Category}
	}
	err := s.index.Put(ctx, tx, search.Doc{
		Kind: search.Kind(p.Kind), ID: p.ID, Title: p.Title, Tags: tags, Body: plainText(p.Summary, p.Body),
		URL: p.URL, Audience: aud, UpdatedAt: p.UpdatedAt,
	})
	if err != nil {
		return fmt.Errorf("index post: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE posts SET searchable = $1 WHERE id = $2`, due, p.ID)
	return err
}

// IndexDuePosts lets readers find the published posts whose date has come
// since they were saved; a periodic job calls it. It returns how many it
// opened up.
func (s *Service) IndexDuePosts(ctx context.Context) (int, error) {
	n := 0
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+postColumns+postJoins+` WHERE p.status = 'published' AND NOT p.searchable
			AND p.published_at <= $1`, s.nowUTC())
		if err != nil {
			return err
		}
		var due []Post
		for rows.Next() {
			p, err := scanPost(rows)
			if err != nil {
				rows.Close()
				return err
			}
			due = append(due, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, p := range due {
			if err := s.indexPost(ctx, tx, p); err != nil {
				return err
			}
		}
		n = len(due)
		return nil
	})
	return n, err
}

// UpdatePost saves a post (admin). An empty slug keeps the post's slug and
// a nil PublishedAt its date.
func (s *Service) UpdatePost(ctx context.Context, actor *helpline.Actor, kind PostKind, slug string, in PostInput) (Post, error) {
	if err := actor.RequireAdmin(); err != nil {
		return Post{}, err
	}
	if err := checkKind(kind); err != nil {
		return Post{}, err
	}
	in.normalize()
	var p Post
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		cur, err := scanPost(tx.QueryRowContext(ctx, `SELECT `+postColumns+postJoins+` WHERE p.kind = $1 AND p.slug = $2`, kind, strings.TrimSpace(slug)))
		if errors.Is(err, sql.ErrNoRows) {
			return helpline.NotFound("post")
		}
		if err != nil {
			return err
		}
		if in.Slug == "" {
			in.Slug = cur.Slug
		}
		published := cur.PublishedAt
		if in.PublishedAt != nil {
			published = *in.PublishedAt
		}
		v := in.validate(kind, false)
		if err := s.checkPostSlug(ctx, tx, v, kind, cur.ID, in.Slug); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE posts SET slug = $1, title = $2, summary = $3, body = $4, category = $5, audience = $6,
			status = $7, published_at = $8, updated_at = $9 WHERE id = $10`,
			in.Slug, in.Title, in.Summary, in.Body, in.Category, in.Audience, in.Status, published, s.nowUTC(), cur.ID)
		if db.IsUniqueViolation(err) {
			return postConflict()
		}
		if err != nil {
			return err
		}
		p, err = s.postSaved(ctx, tx, actor, cur.ID, "post.updated")
		return err
	})
	return p, err
}

// DeletePost removes a post and its index entry (admin).
func (s *Service) DeletePost(ctx context.Context, actor *helpline.Actor, kind PostKind, slug string) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	if err := checkKind(kind); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `DELETE FROM posts WHERE kind = $1 AND slug = $2 RETURNING id`, kind, strings.TrimSpace(slug)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return helpline.NotFound("post")
		}
		if err != nil {
			return err
		}
		if err := s.index.Delete(ctx, tx, search.Kind(kind), id); err != nil {
			return fmt.Errorf("unindex post: %w", err)
		}
		if s.accounts == nil {
			return nil
		}
		return s.accounts.Audit(ctx, tx, actor, "post.deleted", "post", id, map[string]any{"kind": kind, "slug": slug})
	})
}
