package csa

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/helpline-dev/helpline/internal/status"
)

// ReminderLeads are how long before a high-traffic event its reminders go
// out.
var ReminderLeads = []struct {
	Kind string
	Lead time.Duration
}{
	{"week", 7 * 24 * time.Hour},
	{"day", 24 * time.Hour},
}

// scheduleReminders plans an event's reminders; one whose time has passed
// already (an event requested five days ahead has no week reminder) is
// skipped.
func (s *Service) scheduleReminders(ctx context.Context, tx *sql.Tx, id int64, eventAt time.Time) error {
	now := s.nowUTC()
	if _, err := tx.ExecContext(ctx, `DELETE FROM engagement_reminders WHERE engagement_id = $1 AND sent_at IS NULL`, id); err != nil {
		return err
	}
	for _, r := range ReminderLeads {
		due := eventAt.Add(-r.Lead)
		if !due.After(now) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO engagement_reminders (engagement_id, kind, due_at) VALUES ($1, $2, $3)
			ON CONFLICT (engagement_id, kind) DO UPDATE SET due_at = excluded.due_at, sent_at = NULL`, id, r.Kind, due); err != nil {
			return err
		}
	}
	return nil
}

// SendDueReminders sends the event reminders that are due, and returns how
// many went out. Each goes to the organization's members' notification
// centers, by email to the requester and the organization's owners, and to
// the owner (or the CSA team while nobody owns the engagement). It runs
// every minute; two processes at once send each reminder once (the claim
// is a conditional update).
func (s *Service) SendDueReminders(ctx context.Context) (int, error) {
	now := s.nowUTC()
	rows, err := s.db.QueryContext(ctx, `SELECT engagement_id, kind FROM engagement_reminders WHERE sent_at IS NULL AND due_at <= $1 ORDER BY due_at LIMIT 100`, now)
	if err != nil {
		return 0, err
	}
	type due struct {
		id   int64
		kind string
	}
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.kind); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sent := 0
	for _, d := range list {
		err := s.db.InTx(ctx, func(tx *sql.Tx) error {
			r, err := tx.ExecContext(ctx, `UPDATE engagement_reminders SET sent_at = $1 WHERE engagement_id = $2 AND kind = $3 AND sent_at IS NULL`, now, d.id, d.kind)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n == 0 {
				return nil
			}
			e, err := s.findEngagement(ctx, tx, d.id)
			if err != nil {
				return err
			}
			// A closed engagement or a past event needs no reminder; the
			// claim above keeps it from being looked at again.
			if e.State == StateClosed || e.Event == nil || !e.Event.StartsAt.After(now) {
				return nil
			}
			if err := s.remind(ctx, tx, e, d.kind); err != nil {
				return err
			}
			sent++
			return nil
		})
		if err != nil {
			return sent, fmt.Errorf("reminder %s of engagement %d: %w", d.kind, d.id, err)
		}
	}
	return sent, nil
}

func (s *Service) remind(ctx context.Context, tx *sql.Tx, e Engagement, kind string) error {
	when := "in a week"
	if kind == "day" {
		when = "tomorrow"
	}
	title := fmt.Sprintf("%s is %s", e.Event.Name, when)
	body := fmt.Sprintf("%s starts %s. Your solutions architect has it on the calendar; check the engagement for open items, and scale up before the peak, not during it.", e.Event.Name, e.Event.LocalStart())
	if s.status != nil {
		if _, err := s.status.NotifyOrganizationMembers(ctx, tx, e.OrgID, status.SystemNotice{Title: title, Body: body, URL: Path(e.ID)}); err != nil {
			return err
		}
	}
	to := []int64{e.RequesterID}
	owners, err := tx.QueryContext(ctx, `SELECT user_id FROM memberships WHERE org_id = $1 AND role = 'owner' ORDER BY user_id`, e.OrgID)
	if err != nil {
		return err
	}
	for owners.Next() {
		var id int64
		if err := owners.Scan(&id); err != nil {
			owners.Close()
			return err
		}
		to = append(to, id)
	}
	owners.Close()
	if e.OwnerID != nil {
		to = append(to, *e.OwnerID)
	} else {
		team, err := s.architectIDs(ctx, tx)
		if err != nil {
			return err
		}
		to = append(to, team...)
	}
	if _, err := s.event(ctx, tx, nil, e.ID, "reminder_sent", false, "", map[string]any{"reminder": kind}); err != nil {
		return err
	}
	return s.mail(ctx, tx, e, fmt.Sprintf("reminder.%d.%s.%d", e.ID, kind, e.Event.StartsAt.Unix()), "Reminder", body, s.except(nil, to...))
}
