package sla

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// Target states.
const (
	StateRunning   = "running"
	StateMet       = "met"
	StateCancelled = "cancelled"
)

// Target is one clock of a ticket: the policy it started with and how it
// ended.
type Target struct {
	ID            int64           `json:"id"`
	TicketID      int64           `json:"ticket_id"`
	Metric        Metric          `json:"metric"`
	Plan          account.Plan    `json:"plan"`
	Priority      ticket.Priority `json:"priority"`
	TargetMinutes int             `json:"target_minutes"`
	CalendarID    *int64          `json:"calendar_id"`
	CalendarName  string          `json:"calendar_name"` // empty: 24x7
	WarnMinutes   int             `json:"warn_minutes"`
	StartedAt     time.Time       `json:"started_at"`
	// DueAt is nil while the clock is paused.
	DueAt  *time.Time `json:"due_at"`
	WarnAt *time.Time `json:"warn_at"`
	State  string     `json:"state"` // running, met, cancelled
	// Reason says why the clock started: created, customer_replied,
	// priority_changed, appeal_overturned, reopened.
	Reason     string     `json:"reason"`
	EndReason  string     `json:"end_reason"`
	WarnedAt   *time.Time `json:"warned_at"`
	BreachedAt *time.Time `json:"breached_at"`
	MetAt      *time.Time `json:"met_at"`
	// Paused is true for a running clock stopped while the ticket waits on
	// the customer or is on hold.
	Paused bool `json:"paused"`
	// RemainingSeconds is the working time left now on a running clock
	// (negative once breached), computed when the target is read.
	RemainingSeconds *int64    `json:"remaining_seconds,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
}

const targetColumns = `id, ticket_id, metric, plan, priority, target_minutes, calendar_id, warn_minutes, started_at, due_at, warn_at, state, reason, end_reason, warned_at, breached_at, met_at, created_at`

func scanTarget(row interface{ Scan(...any) error }) (Target, error) {
	var t Target
	var cal sql.NullInt64
	var due, warn, warned, breached, met sql.NullTime
	err := row.Scan(&t.ID, &t.TicketID, &t.Metric, &t.Plan, &t.Priority, &t.TargetMinutes, &cal, &t.WarnMinutes, &t.StartedAt, &due, &warn,
		&t.State, &t.Reason, &t.EndReason, &warned, &breached, &met, &t.CreatedAt)
	if cal.Valid {
		t.CalendarID = &cal.Int64
	}
	t.StartedAt, t.CreatedAt = t.StartedAt.UTC(), t.CreatedAt.UTC()
	t.DueAt, t.WarnAt, t.WarnedAt, t.BreachedAt, t.MetAt = db.NullTime(due), db.NullTime(warn), db.NullTime(warned), db.NullTime(breached), db.NullTime(met)
	t.Paused = t.State == StateRunning && t.DueAt == nil
	return t, err
}

func (t Target) target() time.Duration { return time.Duration(t.TargetMinutes) * time.Minute }

// calendars loads calendars once per step; nil ID is 24x7.
type calendars struct {
	q     db.Querier
	cache map[int64]Calendar
}

func (c *calendars) get(ctx context.Context, id *int64) (Calendar, error) {
	if id == nil {
		return TwentyFourSeven(), nil
	}
	if cal, ok := c.cache[*id]; ok {
		return cal, nil
	}
	var b BusinessHours
	var hours, holidays string
	err := c.q.QueryRowContext(ctx, `SELECT id, name, time_zone, hours, holidays FROM sla_calendars WHERE id = $1`, *id).Scan(&b.ID, &b.Name, &b.TimeZone, &hours, &holidays)
	if errors.Is(err, sql.ErrNoRows) {
		return TwentyFourSeven(), nil // deleted: counts around the clock
	}
	if err != nil {
		return Calendar{}, err
	}
	if b.Hours, err = decodeHours(hours); err != nil {
		return Calendar{}, err
	}
	if err := json.Unmarshal([]byte(holidays), &b.Holidays); err != nil {
		return Calendar{}, err
	}
	cal, err := b.Calendar()
	if err != nil {
		return Calendar{}, err
	}
	if c.cache == nil {
		c.cache = map[int64]Calendar{}
	}
	c.cache[*id] = cal
	return cal, nil
}

// clock is one ticket step's view of the ticket's clocks, inside its
// transaction.
type ticketClock struct {
	s        *Service
	tx       *sql.Tx
	ticketID int64
	at       time.Time
	pauses   []Pause
	cals     *calendars
}

func (s *Service) newClock(ctx context.Context, tx *sql.Tx, ticketID int64, at time.Time) (*ticketClock, error) {
	c := &ticketClock{s: s, tx: tx, ticketID: ticketID, at: db.Time(at), cals: &calendars{q: tx}}
	var err error
	c.pauses, err = loadPauses(ctx, tx, ticketID)
	return c, err
}

func loadPauses(ctx context.Context, q db.Querier, ticketID int64) ([]Pause, error) {
	rows, err := q.QueryContext(ctx, `SELECT started_at, ended_at FROM ticket_sla_pauses WHERE ticket_id = $1 ORDER BY started_at, id`, ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Pause
	for rows.Next() {
		var p Pause
		var end sql.NullTime
		if err := rows.Scan(&p.From, &end); err != nil {
			return nil, err
		}
		p.From = p.From.UTC()
		if end.Valid {
			p.To = end.Time.UTC()
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (c *ticketClock) running(ctx context.Context) ([]Target, error) {
	rows, err := c.tx.QueryContext(ctx, `SELECT `+targetColumns+` FROM ticket_sla_targets WHERE ticket_id = $1 AND state = 'running' ORDER BY id`, c.ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Target
	for rows.Next() {
		t, err := scanTarget(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// schedule computes a clock's due and warning times from its start and the
// ticket's pauses; both are nil while it is paused.
func schedule(cal Calendar, started time.Time, minutes, warnMinutes int, pauses []Pause) (due, warn *time.Time) {
	d, paused := cal.Due(started, time.Duration(minutes)*time.Minute, pauses)
	if paused || d.IsZero() {
		return nil, nil
	}
	d = db.Time(d)
	due = &d
	if warnMinutes > 0 {
		w := d.Add(-time.Duration(warnMinutes) * time.Minute)
		warn = &w
	}
	return due, warn
}

// start begins a clock of metric m from the policy, unless the policy has
// no target for it; it returns the new target's due time (nil when none or
// paused) and whether one started.
func (c *ticketClock) start(ctx context.Context, p Policy, m Metric, reason string) (*time.Time, bool, error) {
	minutes := p.Minutes(m)
	if minutes == nil {
		return nil, false, nil
	}
	cal, err := c.cals.get(ctx, p.CalendarID)
	if err != nil {
		return nil, false, err
	}
	due, warn := schedule(cal, c.at, *minutes, p.WarnMinutes, c.pauses)
	_, err = c.tx.ExecContext(ctx, `INSERT INTO ticket_sla_targets (ticket_id, metric, plan, priority, target_minutes, calendar_id, warn_minutes, started_at, due_at, warn_at, state, reason, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'running', $11, $8)`,
		c.ticketID, m, p.Plan, p.Priority, *minutes, p.CalendarID, p.WarnMinutes, c.at, due, warn, reason)
	return due, err == nil, err
}

// breach returns when t was breached if it was by c.at and is not yet
// recorded: its due time, or while paused the instant its working time ran
// out before the pause.
func (c *ticketClock) breach(ctx context.Context, t Target) (*time.Time, error) {
	if t.BreachedAt != nil {
		return nil, nil
	}
	if t.DueAt != nil {
		if t.DueAt.Before(c.at) {
			return t.DueAt, nil
		}
		return nil, nil
	}
	cal, err := c.cals.get(ctx, t.CalendarID)
	if err != nil {
		return nil, err
	}
	if cal.Remaining(t.StartedAt, t.target(), c.pauses, c.at) >= 0 {
		return nil, nil
	}
	due, _ := cal.Due(t.StartedAt, t.target(), c.pauses)
	due = db.Time(due)
	return &due, nil
}

// end stops a clock: met (the target was reached, perhaps late) or
// cancelled. A clock that ran past its due time records the breach.
func (c *ticketClock) end(ctx context.Context, t Target, state, endReason string) error {
	breached, err := c.breach(ctx, t)
	if err != nil {
		return err
	}
	var met *time.Time
	if state == StateMet {
		met = &c.at
	}
	_, err = c.tx.ExecContext(ctx, `UPDATE ticket_sla_targets SET state = $1, end_reason = $2, met_at = $3, breached_at = coalesce(breached_at, $4) WHERE id = $5 AND state = 'running'`,
		state, endReason, met, breached, t.ID)
	return err
}

// pause opens a pause and stops the running clocks.
func (c *ticketClock) pause(ctx context.Context) error {
	if len(c.pauses) > 0 && c.pauses[len(c.pauses)-1].To.IsZero() {
		return nil // already paused (pending → on hold)
	}
	running, err := c.running(ctx)
	if err != nil {
		return err
	}
	for _, t := range running {
		// A clock that ran out before the pause keeps its breach.
		breached, err := c.breach(ctx, t)
		if err != nil {
			return err
		}
		if _, err := c.tx.ExecContext(ctx, `UPDATE ticket_sla_targets SET due_at = NULL, warn_at = NULL, breached_at = coalesce(breached_at, $1) WHERE id = $2`, breached, t.ID); err != nil {
			return err
		}
	}
	if _, err := c.tx.ExecContext(ctx, `INSERT INTO ticket_sla_pauses (ticket_id, started_at) VALUES ($1, $2)`, c.ticketID, c.at); err != nil {
		return err
	}
	c.pauses = append(c.pauses, Pause{From: c.at})
	return nil
}

// resume closes the open pause; the caller recomputes.
func (c *ticketClock) resume(ctx context.Context) error {
	if len(c.pauses) == 0 || !c.pauses[len(c.pauses)-1].To.IsZero() {
		return nil
	}
	if _, err := c.tx.ExecContext(ctx, `UPDATE ticket_sla_pauses SET ended_at = $1 WHERE ticket_id = $2 AND ended_at IS NULL`, c.at, c.ticketID); err != nil {
		return err
	}
	c.pauses[len(c.pauses)-1].To = c.at
	return nil
}

// recompute sets the due times of the running clocks from their start,
// calendar and the pauses.
func (c *ticketClock) recompute(ctx context.Context) error {
	running, err := c.running(ctx)
	if err != nil {
		return err
	}
	for _, t := range running {
		cal, err := c.cals.get(ctx, t.CalendarID)
		if err != nil {
			return err
		}
		due, warn := schedule(cal, t.StartedAt, t.TargetMinutes, t.WarnMinutes, c.pauses)
		if _, err := c.tx.ExecContext(ctx, `UPDATE ticket_sla_targets SET due_at = $1, warn_at = $2 WHERE id = $3`, due, warn, t.ID); err != nil {
			return err
		}
	}
	return nil
}

// refresh keeps the ticket's due time, which orders the queue, equal to its
// earliest running clock's.
func refresh(ctx context.Context, q db.Querier, ticketID int64) error {
	_, err := q.ExecContext(ctx, `UPDATE tickets SET sla_due_at = (SELECT min(due_at) FROM ticket_sla_targets WHERE ticket_id = $1 AND state = 'running') WHERE id = $1`, ticketID)
	return err
}

func pausing(s ticket.Status) bool { return s == ticket.StatusPending || s == ticket.StatusOnHold }

func ending(s ticket.Status) bool { return s == ticket.StatusSolved || s == ticket.StatusClosed }

// TicketChanged runs the clocks of a ticket as it changes, in the step's
// transaction.
func (s *Service) TicketChanged(ctx context.Context, tx *sql.Tx, ch ticket.Change) error {
	t := ch.Ticket
	c, err := s.newClock(ctx, tx, t.ID, ch.At)
	if err != nil {
		return err
	}
	switch ch.Kind {
	case ticket.ChangeCreated:
		p, err := s.policy(ctx, tx, t.Plan, t.Priority)
		if err != nil {
			return err
		}
		for _, m := range []Metric{FirstResponse, Resolution} {
			if _, _, err := c.start(ctx, p, m, "created"); err != nil {
				return err
			}
		}
	case ticket.ChangeStaffReplied:
		running, err := c.running(ctx)
		if err != nil {
			return err
		}
		for _, r := range running {
			if r.Metric == FirstResponse || r.Metric == NextResponse {
				if err := c.end(ctx, r, StateMet, "staff_replied"); err != nil {
					return err
				}
			}
		}
	case ticket.ChangeCustomerReplied:
		// A follow-up after support answered starts the next-response clock;
		// before the first answer, the first-response clock still runs.
		if t.FirstResponseAt == nil || !t.Status.Active() && t.Status != ticket.StatusSolved {
			break
		}
		running, err := c.running(ctx)
		if err != nil {
			return err
		}
		for _, r := range running {
			if r.Metric == NextResponse || r.Metric == FirstResponse {
				return refresh(ctx, tx, t.ID)
			}
		}
		p, err := s.policy(ctx, tx, t.Plan, t.Priority)
		if err != nil {
			return err
		}
		if _, _, err := c.start(ctx, p, NextResponse, "customer_replied"); err != nil {
			return err
		}
	case ticket.ChangeStatusChanged:
		from, to := ticket.Status(ch.From), ticket.Status(ch.To)
		switch {
		case ending(to):
			running, err := c.running(ctx)
			if err != nil {
				return err
			}
			for _, r := range running {
				state := StateCancelled
				if r.Metric == Resolution {
					state = StateMet
				}
				if err := c.end(ctx, r, state, string(to)); err != nil {
					return err
				}
			}
			if err := c.resume(ctx); err != nil {
				return err
			}
		case pausing(to):
			if err := c.pause(ctx); err != nil {
				return err
			}
			if ending(from) {
				if err := s.reopen(ctx, c, t); err != nil {
					return err
				}
			}
		default:
			if err := c.resume(ctx); err != nil {
				return err
			}
			if ending(from) {
				if err := s.reopen(ctx, c, t); err != nil {
					return err
				}
			}
			if err := c.recompute(ctx); err != nil {
				return err
			}
		}
	case ticket.ChangePriorityChanged:
		if err := s.priorityChanged(ctx, c, ch); err != nil {
			return err
		}
	}
	return refresh(ctx, tx, t.ID)
}

// reopen starts a new resolution clock on a solved ticket the customer
// brought back.
func (s *Service) reopen(ctx context.Context, c *ticketClock, t ticket.Ticket) error {
	p, err := s.policy(ctx, c.tx, t.Plan, t.Priority)
	if err != nil {
		return err
	}
	_, _, err = c.start(ctx, p, Resolution, "reopened")
	return err
}

// priorityChanged replaces the running clocks with the new priority's,
// started now, and records why on the ticket for staff.
func (s *Service) priorityChanged(ctx context.Context, c *ticketClock, ch ticket.Change) error {
	t := ch.Ticket
	reason := ch.Reason
	if reason == "" {
		reason = "priority_changed"
	}
	running, err := c.running(ctx)
	if err != nil {
		return err
	}
	restart := map[Metric]bool{}
	for _, r := range running {
		restart[r.Metric] = true
		if err := c.end(ctx, r, StateCancelled, reason); err != nil {
			return err
		}
	}
	if t.FirstResponseAt == nil {
		restart[FirstResponse] = true
	}
	if t.Status.Active() {
		restart[Resolution] = true
	}
	p, err := s.policy(ctx, c.tx, t.Plan, t.Priority)
	if err != nil {
		return err
	}
	due := map[string]string{}
	for _, m := range Metrics {
		if !restart[m] {
			continue
		}
		d, ok, err := c.start(ctx, p, m, reason)
		if err != nil {
			return err
		}
		switch {
		case !ok:
		case d == nil:
			due[string(m)] = "paused"
		default:
			due[string(m)] = ticket.FormatUTC(*d)
		}
	}
	data, _ := json.Marshal(map[string]any{"reason": reason, "from": ch.From, "to": ch.To, "due": due})
	var actorID *int64
	if ch.Actor != nil && ch.Actor.UserID != 0 {
		actorID = &ch.Actor.UserID
	}
	_, err = c.tx.ExecContext(ctx, `INSERT INTO ticket_events (ticket_id, actor_id, kind, public, data, created_at) VALUES ($1, $2, 'sla_recomputed', FALSE, $3, $4)`,
		t.ID, actorID, string(data), c.at)
	return err
}

// FindTargets returns every clock a ticket ran, oldest first, with the time
// left on the running ones. Staff only; an unknown ticket is not found.
func (s *Service) FindTargets(ctx context.Context, actor *helpline.Actor, ticketID int64) ([]Target, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	var out []Target
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE id = $1`, ticketID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return helpline.NotFound("ticket")
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+targetColumns+` FROM ticket_sla_targets WHERE ticket_id = $1 ORDER BY id`, ticketID)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = []Target{}
		for rows.Next() {
			t, err := scanTarget(rows)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		pauses, err := loadPauses(ctx, tx, ticketID)
		if err != nil {
			return err
		}
		cals := &calendars{q: tx}
		names := map[int64]string{}
		now := db.Time(s.now())
		for i := range out {
			t := &out[i]
			if t.CalendarID != nil {
				name, ok := names[*t.CalendarID]
				if !ok {
					err := tx.QueryRowContext(ctx, `SELECT name FROM sla_calendars WHERE id = $1`, *t.CalendarID).Scan(&name)
					if err != nil && !errors.Is(err, sql.ErrNoRows) {
						return err
					}
					names[*t.CalendarID] = name
				}
				t.CalendarName = name
			}
			if t.State != StateRunning {
				continue
			}
			cal, err := cals.get(ctx, t.CalendarID)
			if err != nil {
				return err
			}
			left := int64(cal.Remaining(t.StartedAt, t.target(), pauses, now) / time.Second)
			t.RemainingSeconds = &left
		}
		return nil
	})
	return out, err
}

// FormatLeft says how much time is left, or how long ago the target was
// breached, the way the queue and ticket pages show it.
func FormatLeft(d time.Duration) string {
	if d < 0 {
		return "breached " + roughly(-d) + " ago"
	}
	return roughly(d) + " left"
}

func roughly(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under 1 min"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 || h >= 10 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	}
	return fmt.Sprintf("%d d", int(d/(24*time.Hour)))
}
