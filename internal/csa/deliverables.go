package csa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/ticket"
)

var errClosedDeliverable = helpline.Errorf(helpline.KindConflict, "This engagement is closed; deliverables cannot be added.")

// DeliverableInput hands over an article: a report written in the Dev
// Center (usually with the enterprise audience).
type DeliverableInput struct {
	Title       string `json:"title"`
	ArticleSlug string `json:"article_slug"`
}

// AddArticleDeliverable hands an article over as a deliverable.
func (s *Service) AddArticleDeliverable(ctx context.Context, actor *helpline.Actor, id int64, in DeliverableInput) (Deliverable, error) {
	if err := requireArchitect(actor); err != nil {
		return Deliverable{}, err
	}
	trimAll(&in.Title, &in.ArticleSlug)
	v := helpline.Validation{}
	v.Check(in.ArticleSlug != "", "article_slug", "is required: the slug of a Dev Center article, as in /docs/<slug>")
	v.Check(utf8Len(in.Title) <= MaxTitle, "title", "must be at most 200 characters")
	if err := v.Err(); err != nil {
		return Deliverable{}, err
	}
	art, err := s.docs.FindArticleBySlug(ctx, actor, in.ArticleSlug)
	if helpline.KindOf(err) == helpline.KindNotFound {
		return Deliverable{}, helpline.Validation{"article_slug": "is not an article: check the slug in its address, /docs/<slug>"}.Err()
	}
	if err != nil {
		return Deliverable{}, err
	}
	if art.Status != "published" {
		return Deliverable{}, helpline.Validation{"article_slug": "is a draft: publish it first, or the customer cannot read it"}.Err()
	}
	if in.Title == "" {
		in.Title = art.Title
	}
	return s.addDeliverable(ctx, actor, id, in.Title, func(tx *sql.Tx) (int64, error) {
		var did int64
		err := tx.QueryRowContext(ctx, `INSERT INTO engagement_deliverables (engagement_id, title, article_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			id, in.Title, art.ID, actor.UserID, s.nowUTC()).Scan(&did)
		return did, err
	})
}

// AddFileDeliverable stores a file (a report, a load-test plan) as a
// deliverable. contentType is what the HTTP layer sniffed.
func (s *Service) AddFileDeliverable(ctx context.Context, actor *helpline.Actor, id int64, title, filename, contentType string, r io.Reader) (Deliverable, error) {
	if err := requireArchitect(actor); err != nil {
		return Deliverable{}, err
	}
	if s.files == nil {
		return Deliverable{}, errors.New("file storage is not configured")
	}
	title = strings.TrimSpace(title)
	if utf8Len(title) > MaxTitle {
		return Deliverable{}, helpline.Validation{"title": "must be at most 200 characters"}.Err()
	}
	// Check the engagement before storing anything.
	e, err := s.FindEngagementByID(ctx, actor, id)
	if err != nil {
		return Deliverable{}, err
	}
	if e.State == StateClosed {
		return Deliverable{}, errClosedDeliverable
	}
	sum, size, err := s.files.Save(r)
	if err != nil {
		return Deliverable{}, err
	}
	filename = ticket.CleanFilename(filename)
	if title == "" {
		title = filename
	}
	return s.addDeliverable(ctx, actor, id, title, func(tx *sql.Tx) (int64, error) {
		var did int64
		err := tx.QueryRowContext(ctx, `INSERT INTO engagement_deliverables (engagement_id, title, filename, content_type, size, sha256, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, id, title, filename, contentType, size, sum, actor.UserID, s.nowUTC()).Scan(&did)
		return did, err
	})
}

func (s *Service) addDeliverable(ctx context.Context, actor *helpline.Actor, id int64, title string, insert func(tx *sql.Tx) (int64, error)) (Deliverable, error) {
	var did int64
	_, err := s.change(ctx, actor, id, func(tx *sql.Tx, e Engagement) error {
		if e.State == StateClosed {
			return errClosedDeliverable
		}
		var err error
		if did, err = insert(tx); err != nil {
			return err
		}
		if _, err := s.event(ctx, tx, actor, id, "deliverable_added", false, "", map[string]any{"deliverable_id": did, "title": title}); err != nil {
			return err
		}
		text := fmt.Sprintf("%s added %q to %q. Find it on the engagement's page.", actor.Name, title, e.Title)
		return s.mail(ctx, tx, e, fmt.Sprintf("deliverable.%d", did), "Deliverable: "+title, text, s.except(actor, e.RequesterID))
	})
	if err != nil {
		return Deliverable{}, err
	}
	return s.findDeliverable(ctx, did)
}

func (s *Service) findDeliverable(ctx context.Context, did int64) (Deliverable, error) {
	d, err := scanDeliverable(s.db.QueryRowContext(ctx, deliverableSelect+` WHERE d.id = $1`, did))
	if isNoRows(err) {
		return d, helpline.NotFound("deliverable")
	}
	return d, err
}

// OpenDeliverable returns a file deliverable of an engagement the actor may
// see; the caller closes the file.
func (s *Service) OpenDeliverable(ctx context.Context, actor *helpline.Actor, did int64) (Deliverable, *os.File, error) {
	d, err := s.findDeliverable(ctx, did)
	if err != nil {
		return d, nil, err
	}
	if _, err := s.FindEngagementByID(ctx, actor, d.EngagementID); err != nil {
		return d, nil, helpline.NotFound("deliverable")
	}
	if d.Kind != "file" || s.files == nil {
		return d, nil, helpline.NotFound("deliverable file")
	}
	f, err := s.files.Open(d.SHA256)
	return d, f, err
}
