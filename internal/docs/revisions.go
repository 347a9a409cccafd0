package docs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
)

const revisionColumns = `r.revision, r.title, r.summary, r.body, r.tags, r.section, r.audience, r.status, r.error_code,
	r.author_id, coalesce(u.name, ''), r.note, r.created_at`

const revisionJoins = ` FROM article_revisions r LEFT JOIN users u ON u.id = r.author_id`

func scanRevision(row interface{ Scan(...any) error }) (Revision, error) {
	var r Revision
	var tags string
	var code sql.NullString
	var author sql.NullInt64
	err := row.Scan(&r.Revision, &r.Title, &r.Summary, &r.Body, &tags, &r.Section, &r.Audience, &r.Status, &code,
		&author, &r.AuthorName, &r.Note, &r.CreatedAt)
	r.Tags, r.ErrorCode, r.AuthorID, r.CreatedAt = splitTags(tags), code.String, author.Int64, r.CreatedAt.UTC()
	return r, err
}

// FindRevisions lists an article's revisions, newest first (staff).
func (s *Service) FindRevisions(ctx context.Context, actor *helpline.Actor, slug string) ([]Revision, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	a, err := s.articleBySlugInTx(ctx, s.db, slug)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+revisionColumns+revisionJoins+` WHERE r.article_id = $1 ORDER BY r.revision DESC`, a.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Revision{}
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FindRevision returns one revision (staff).
func (s *Service) FindRevision(ctx context.Context, actor *helpline.Actor, slug string, n int) (Revision, error) {
	if err := actor.RequireStaff(); err != nil {
		return Revision{}, err
	}
	a, err := s.articleBySlugInTx(ctx, s.db, slug)
	if err != nil {
		return Revision{}, err
	}
	return s.revision(ctx, s.db, a.ID, n)
}

func (s *Service) revision(ctx context.Context, q db.Querier, articleID int64, n int) (Revision, error) {
	r, err := scanRevision(q.QueryRowContext(ctx, `SELECT `+revisionColumns+revisionJoins+` WHERE r.article_id = $1 AND r.revision = $2`, articleID, n))
	if errors.Is(err, sql.ErrNoRows) {
		return r, helpline.NotFound(fmt.Sprintf("revision %d", n))
	}
	return r, err
}

// RestoreRevision saves revision n's content as a new revision (staff).
// The slug, position and review date stay as they are.
func (s *Service) RestoreRevision(ctx context.Context, actor *helpline.Actor, slug string, n int) (Article, error) {
	if err := actor.RequireStaff(); err != nil {
		return Article{}, err
	}
	var a Article
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.articleBySlugInTx(ctx, tx, slug)
		if err != nil {
			return err
		}
		r, err := s.revision(ctx, tx, cur.ID, n)
		if err != nil {
			return err
		}
		a, _, err = s.updateArticle(ctx, tx, actor, cur, ArticleInput{
			Slug: cur.Slug, Title: r.Title, Summary: r.Summary, Body: r.Body, Tags: r.Tags, Section: r.Section,
			Audience: r.Audience, Status: r.Status, ErrorCode: r.ErrorCode, Position: cur.Position,
			LastReviewedAt: cur.LastReviewedAt, Note: fmt.Sprintf("Restored revision %d", n), BaseRevision: cur.Revision,
		})
		return err
	})
	return a, err
}
