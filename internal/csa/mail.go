package csa

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/notify"
)

// Path is an engagement's page.
func Path(id int64) string { return fmt.Sprintf("/enterprise/engagements/%d", id) }

// mail emails news of an engagement to users, in the engagement's own
// conversation; people who turned engagement emails off get none.
func (s *Service) mail(ctx context.Context, tx *sql.Tx, e Engagement, key, title, text string, to []int64) error {
	return s.send(ctx, tx, e, key, notify.EngagementCategory, title, text, to)
}

func (s *Service) send(ctx context.Context, tx *sql.Tx, e Engagement, key, category, title, text string, to []int64) error {
	if s.outbox == nil || len(to) == 0 {
		return nil
	}
	return s.outbox.QueueUserEmail(ctx, tx, notify.UserEmail{
		Key: "engagement." + key, Category: category, UserIDs: to,
		Subject: fmt.Sprintf("[Engagement %d] %s: %s", e.ID, title, e.Title), Text: text,
		Link: Path(e.ID), LinkLabel: "Open the engagement", Thread: fmt.Sprintf("engagement-%d@%s", e.ID, s.outbox.Domain()),
		Headers: map[string]string{"X-Helpline-Engagement": fmt.Sprint(e.ID)},
	})
}

// except lists the users, without the actor, duplicates and zeros.
func (s *Service) except(actor *helpline.Actor, ids ...int64) []int64 {
	var out []int64
	for _, id := range ids {
		if id != 0 && (actor == nil || id != actor.UserID) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// architectIDs are the CSA team: who hears of requests nobody owns yet.
func (s *Service) architectIDs(ctx context.Context, tx *sql.Tx) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM users WHERE staff_role = 'csa' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// announceRequest tells the CSA team of a new request (they cannot turn
// that off: it is the job) and confirms it to the requester.
func (s *Service) announceRequest(ctx context.Context, tx *sql.Tx, e Engagement) error {
	team, err := s.architectIDs(ctx, tx)
	if err != nil {
		return err
	}
	text := fmt.Sprintf("%s of %s (%s) requested %s: %q.", e.RequesterName, e.OrgName, e.Plan.Label(), e.Kind.Label(), e.Title)
	if e.Event != nil {
		text += fmt.Sprintf("\n\nThe event starts %s, expecting %d requests per second at peak.", e.Event.LocalStart(), e.Event.PeakRPS)
	}
	if err := s.send(ctx, tx, e, fmt.Sprintf("requested.%d.team", e.ID), notify.AlertCategory, "New request", text, team); err != nil {
		return err
	}
	confirm := fmt.Sprintf("We received your request for %s, %q. A solutions architect will reply here within two business days to plan the work with you.", e.Kind.Label(), e.Title) +
		"\n\nIf something is broken now, do not wait for us: open an urgent ticket, which reaches the on-call support engineer."
	return s.mail(ctx, tx, e, fmt.Sprintf("requested.%d", e.ID), "Request received", confirm, []int64{e.RequesterID})
}
