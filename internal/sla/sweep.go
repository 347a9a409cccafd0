package sla

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// sweepBatch is how many clocks one transaction of a sweep marks: big
// enough to be quick, small enough not to hold the lock long.
const sweepBatch = 200

// Swept counts what one Sweep recorded.
type Swept struct {
	Warned   int `json:"warned"`
	Breached int `json:"breached"`
}

// Sweep records the warnings and breaches that are due: each running clock
// whose warning time or due time has passed gets its warned_at or
// breached_at, a staff-only event on the ticket and an email to the
// assignee (or, unassigned, to every agent and admin), all in one
// transaction. The marks are conditional updates of rows still unmarked, so
// two processes sweeping at once record each exactly once.
func (s *Service) Sweep(ctx context.Context) (Swept, error) {
	var out Swept
	now := db.Time(s.now())
	// Breaches first: a clock that is past both is reported as breached
	// only, and leaves the warning index with it.
	for {
		n, err := s.sweepBatch(ctx, now, "sla_breached",
			`UPDATE ticket_sla_targets SET breached_at = due_at, warned_at = coalesce(warned_at, $1)
			WHERE id IN (SELECT id FROM ticket_sla_targets WHERE state = 'running' AND breached_at IS NULL AND due_at <= $1 ORDER BY due_at LIMIT $2)
			AND state = 'running' AND breached_at IS NULL AND due_at <= $1
			RETURNING id, ticket_id, metric, due_at`)
		out.Breached += n
		if err != nil || n < sweepBatch {
			if err != nil {
				return out, err
			}
			break
		}
	}
	for {
		n, err := s.sweepBatch(ctx, now, "sla_warning",
			`UPDATE ticket_sla_targets SET warned_at = $1
			WHERE id IN (SELECT id FROM ticket_sla_targets WHERE state = 'running' AND warned_at IS NULL AND warn_at <= $1 ORDER BY warn_at LIMIT $2)
			AND state = 'running' AND warned_at IS NULL AND warn_at <= $1
			RETURNING id, ticket_id, metric, due_at`)
		out.Warned += n
		if err != nil || n < sweepBatch {
			return out, err
		}
	}
}

type marked struct {
	id, ticketID int64
	metric       Metric
	due          time.Time
}

func (s *Service) sweepBatch(ctx context.Context, now time.Time, kind, mark string) (int, error) {
	var n int
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, mark, now, sweepBatch)
		if err != nil {
			return err
		}
		var ms []marked
		for rows.Next() {
			var m marked
			if err := rows.Scan(&m.id, &m.ticketID, &m.metric, &m.due); err != nil {
				rows.Close()
				return err
			}
			m.due = m.due.UTC()
			ms = append(ms, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		n = len(ms)
		var team []int64
		for _, m := range ms {
			if err := s.alert(ctx, tx, now, kind, m, &team); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// alert records the event on the ticket and emails the people who must act.
func (s *Service) alert(ctx context.Context, tx *sql.Tx, now time.Time, kind string, m marked, team *[]int64) error {
	data, _ := json.Marshal(map[string]any{"metric": m.metric, "due_at": ticket.FormatUTC(m.due)})
	if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_events (ticket_id, actor_id, kind, public, data, created_at) VALUES ($1, NULL, $2, FALSE, $3, $4)`,
		m.ticketID, kind, string(data), now); err != nil {
		return err
	}
	if s.jobs == nil {
		return nil
	}
	var number int64
	var subject string
	var assignee sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT number, subject, assignee_id FROM tickets WHERE id = $1`, m.ticketID).Scan(&number, &subject, &assignee); err != nil {
		return err
	}
	to := []int64{}
	if assignee.Valid {
		to = append(to, assignee.Int64)
	} else {
		if *team == nil {
			rows, err := tx.QueryContext(ctx, `SELECT id FROM users WHERE staff_role IN ('agent', 'admin') ORDER BY id`)
			if err != nil {
				return err
			}
			*team = []int64{}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				*team = append(*team, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		to = *team
	}
	a := notify.Alert{Key: fmt.Sprintf("%s:%d", kind, m.id), TicketID: m.ticketID, Number: number, Subject: subject, UserIDs: to}
	if kind == "sla_breached" {
		a.Title = m.metric.Label() + " SLA breached"
		a.Text = fmt.Sprintf("The %s target of ticket #%d, “%s”, was due at %s and has been breached.",
			lower(m.metric.Label()), number, subject, ticket.FormatUTC(m.due))
	} else {
		a.Title = m.metric.Label() + " SLA due soon"
		a.Text = fmt.Sprintf("The %s target of ticket #%d, “%s”, is due at %s (%s).",
			lower(m.metric.Label()), number, subject, ticket.FormatUTC(m.due), FormatLeft(m.due.Sub(now)))
	}
	if !assignee.Valid {
		a.Text += "\n\nNobody is assigned: you get this as one of the support team."
	}
	return s.alerts.QueueAlert(ctx, tx, a)
}

func lower(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}

// Recompute moves the due times of the running clocks that count on a
// calendar (0: the 24x7 ones) after it changed, in batches, and the queue
// order of their tickets with them. It returns how many clocks it visited.
func (s *Service) Recompute(ctx context.Context, calendarID int64) (int, error) {
	var calID *int64
	if calendarID != 0 {
		calID = &calendarID
	}
	total, after := 0, int64(0)
	for {
		n, last, err := s.recomputeBatch(ctx, calID, after)
		total += n
		if err != nil || n < recomputeBatch {
			return total, err
		}
		after = last
	}
}

const recomputeBatch = 500

func (s *Service) recomputeBatch(ctx context.Context, calID *int64, after int64) (int, int64, error) {
	var n int
	var last int64
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		q := `SELECT ` + targetColumns + ` FROM ticket_sla_targets WHERE state = 'running' AND calendar_id = $1 AND id > $2 ORDER BY id LIMIT $3`
		args := []any{calID, after, recomputeBatch}
		if calID == nil {
			q = `SELECT ` + targetColumns + ` FROM ticket_sla_targets WHERE state = 'running' AND calendar_id IS NULL AND id > $1 ORDER BY id LIMIT $2`
			args = args[1:]
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		var ts []Target
		for rows.Next() {
			t, err := scanTarget(rows)
			if err != nil {
				rows.Close()
				return err
			}
			ts = append(ts, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		n = len(ts)
		if n == 0 {
			return nil
		}
		last = ts[n-1].ID
		cal, err := (&calendars{q: tx}).get(ctx, calID)
		if err != nil {
			return err
		}
		// The batch's pauses in one query rather than one per clock.
		pq := `SELECT ticket_id, started_at, ended_at FROM ticket_sla_pauses WHERE ticket_id IN (SELECT ticket_id FROM ticket_sla_targets WHERE state = 'running' AND calendar_id = $1 AND id > $2 AND id <= $3) ORDER BY started_at, id`
		pargs := []any{calID, after, last}
		if calID == nil {
			pq = `SELECT ticket_id, started_at, ended_at FROM ticket_sla_pauses WHERE ticket_id IN (SELECT ticket_id FROM ticket_sla_targets WHERE state = 'running' AND calendar_id IS NULL AND id > $1 AND id <= $2) ORDER BY started_at, id`
			pargs = pargs[1:]
		}
		prows, err := tx.QueryContext(ctx, pq, pargs...)
		if err != nil {
			return err
		}
		pauses := map[int64][]Pause{}
		for prows.Next() {
			var id int64
			var p Pause
			var end sql.NullTime
			if err := prows.Scan(&id, &p.From, &end); err != nil {
				prows.Close()
				return err
			}
			p.From = p.From.UTC()
			if end.Valid {
				p.To = end.Time.UTC()
			}
			pauses[id] = append(pauses[id], p)
		}
		prows.Close()
		if err := prows.Err(); err != nil {
			return err
		}
		tickets := map[int64]bool{}
		for _, t := range ts {
			due, warn := schedule(cal, t.StartedAt, t.TargetMinutes, t.WarnMinutes, pauses[t.TicketID])
			if sameTime(due, t.DueAt) {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE ticket_sla_targets SET due_at = $1, warn_at = $2 WHERE id = $3`, due, warn, t.ID); err != nil {
				return err
			}
			tickets[t.TicketID] = true
		}
		for id := range tickets {
			if err := refresh(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	return n, last, err
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
