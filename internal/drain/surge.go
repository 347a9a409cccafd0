package drain

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/status"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// CodeCount is how often one code was seen.
type CodeCount struct {
	Code  string `json:"code"`
	Count int    `json:"count"`
}

// MinuteCounts is one minute of an app's window.
type MinuteCounts struct {
	Minute   time.Time   `json:"minute"`
	Requests int         `json:"requests"`
	Errors   int         `json:"errors"`
	Codes    []CodeCount `json:"codes"`
}

// Ticket states of a surge: none wanted, waiting to be opened, being
// opened by one process, opened, or failed (with the reason).
const (
	TicketPending = "pending"
	TicketOpening = "opening"
	TicketOpened  = "opened"
	TicketFailed  = "failed"
)

// Surge is an error surge on an app: open until QuietAfter without a
// minute over the threshold.
type Surge struct {
	ID           int64       `json:"id"`
	AppID        int64       `json:"app_id"`
	AppName      string      `json:"app"`
	OrgID        int64       `json:"organization_id"`
	StartedAt    time.Time   `json:"started_at"`
	LastHotAt    time.Time   `json:"last_hot_at"` // the end of the last minute over the threshold
	EndedAt      *time.Time  `json:"ended_at,omitempty"`
	Reason       string      `json:"reason"`   // in words, e.g. "240 H12 in the last 5 minutes"
	Codes        []CodeCount `json:"codes"`    // over the window that opened it, most first
	Peak         int         `json:"peak"`     // most errors in one minute
	Notified     int         `json:"notified"` // members who got a notice
	TicketState  string      `json:"ticket_state,omitempty"`
	TicketID     int64       `json:"ticket_id,omitempty"`
	TicketNumber int64       `json:"ticket_number,omitempty"`
	TicketError  string      `json:"ticket_error,omitempty"`
	URL          string      `json:"url"` // /drains/surges/{id}
	// Recent is the app's latest minutes (newest last), on a surge's own
	// page only.
	Recent []MinuteCounts `json:"recent,omitempty"`
}

// Open reports whether the surge is still going on.
func (s Surge) Open() bool { return s.EndedAt == nil }

// Title is the notice's title: "Error surge on acme-api: 240 H12 in the
// last 5 minutes".
func (s Surge) Title() string { return "Error surge on " + s.AppName + ": " + s.Reason }

// window is an app's counts from the baseline's start to now.
type window struct {
	minutes map[time.Time]*MinuteCounts
}

func (s *Service) loadWindow(ctx context.Context, q db.Querier, appID int64, from time.Time) (window, error) {
	w := window{minutes: map[time.Time]*MinuteCounts{}}
	rows, err := q.QueryContext(ctx, `SELECT minute, code, count FROM drain_counts WHERE app_id = $1 AND minute >= $2`, appID, from)
	if err != nil {
		return w, err
	}
	defer rows.Close()
	for rows.Next() {
		var m time.Time
		var code string
		var n int
		if err := rows.Scan(&m, &code, &n); err != nil {
			return w, err
		}
		m = m.UTC()
		mc := w.minutes[m]
		if mc == nil {
			mc = &MinuteCounts{Minute: m}
			w.minutes[m] = mc
		}
		if code == requestsCode {
			mc.Requests += n
			continue
		}
		mc.Errors += n
		mc.Codes = append(mc.Codes, CodeCount{Code: code, Count: n})
	}
	return w, rows.Err()
}

func (w window) at(m time.Time) MinuteCounts {
	if mc := w.minutes[m]; mc != nil {
		return *mc
	}
	return MinuteCounts{Minute: m}
}

func (mc MinuteCounts) unavailable() int {
	n := 0
	for _, c := range mc.Codes {
		if slices.Contains(Unavailable, c.Code) {
			n += c.Count
		}
	}
	return n
}

// verdict is what the window says about a surge.
type verdict struct {
	hot      bool
	firstHot time.Time // the first minute over the threshold in the window
	lastHot  time.Time // the end of the last one
	peak     int
	codes    []CodeCount // over the window
	requests int
	reason   string
}

// judge applies the thresholds to the Window ending with the minute of now.
func judge(w window, t Thresholds, now time.Time) verdict {
	var v verdict
	cur := now.Truncate(time.Minute)
	start := cur.Add(-Window + time.Minute)
	base := 0
	for m := start.Add(-BaselineWindow); m.Before(start); m = m.Add(time.Minute) {
		base += w.at(m).Errors
	}
	baseline := float64(base) / BaselineWindow.Minutes()
	totals := map[string]int{}
	run := 0 // minutes in a row with unavailable codes on most requests
	for m := start; !m.After(cur); m = m.Add(time.Minute) {
		mc := w.at(m)
		v.requests += mc.Requests
		for _, c := range mc.Codes {
			totals[c.Code] += c.Count
		}
		v.peak = max(v.peak, mc.Errors)
		if mc.Requests > 0 && mc.unavailable()*100 >= t.UnavailablePercent*mc.Requests {
			run++
		} else {
			run = 0
		}
		first := m
		hot := mc.Errors >= t.MinErrorsPerMinute && float64(mc.Errors) >= float64(t.BaselineFactor)*baseline
		if run >= t.UnavailableMinutes {
			hot = true
			first = m.Add(-time.Duration(run-1) * time.Minute)
		}
		if hot {
			if !v.hot || first.Before(v.firstHot) {
				v.firstHot = first
			}
			v.hot = true
			v.lastHot = m.Add(time.Minute)
		}
	}
	for c, n := range totals {
		v.codes = append(v.codes, CodeCount{Code: c, Count: n})
	}
	sortCodes(v.codes)
	if len(v.codes) > 0 {
		top := v.codes[0]
		mins := int(Window / time.Minute)
		if run >= t.UnavailableMinutes && v.requests > 0 && slices.Contains(Unavailable, top.Code) {
			v.reason = fmt.Sprintf("%d %s in the last %d minutes (%d%% of requests)", top.Count, top.Code, mins, top.Count*100/max(v.requests, 1))
		} else {
			v.reason = fmt.Sprintf("%d %s in the last %d minutes", top.Count, top.Code, mins)
		}
	}
	return v
}

func sortCodes(cs []CodeCount) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Count != cs[j].Count {
			return cs[i].Count > cs[j].Count
		}
		return cs[i].Code < cs[j].Code
	})
}

// evaluate checks the app's window after new counts, in tx: it extends the
// open surge or opens one (at most one open per app: the partial unique
// index makes a second process's insert a no-op), notifying the
// organization's members with it.
func (s *Service) evaluate(ctx context.Context, tx *sql.Tx, d *Drain, now time.Time) (int64, bool, error) {
	// A surge quiet for long enough is over, whether or not Tick ran.
	if _, err := tx.ExecContext(ctx, `UPDATE drain_surges SET ended_at = $1 WHERE app_id = $2 AND ended_at IS NULL AND last_hot_at <= $3`,
		now, d.AppID, now.Add(-QuietAfter)); err != nil {
		return 0, false, err
	}
	w, err := s.loadWindow(ctx, tx, d.AppID, now.Truncate(time.Minute).Add(-Window-BaselineWindow+time.Minute))
	if err != nil {
		return 0, false, err
	}
	v := judge(w, d.Thresholds, now)
	if !v.hot {
		return 0, false, nil
	}
	var id int64
	err = tx.QueryRowContext(ctx, `UPDATE drain_surges SET last_hot_at = CASE WHEN last_hot_at < $1 THEN $1 ELSE last_hot_at END,
		peak = CASE WHEN peak < $2 THEN $2 ELSE peak END WHERE app_id = $3 AND ended_at IS NULL RETURNING id`, v.lastHot, v.peak, d.AppID).Scan(&id)
	if err == nil {
		return id, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	codes, _ := json.Marshal(v.codes)
	ticketState := ""
	if d.OpenTicket {
		ticketState = TicketPending
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO drain_surges (app_id, started_at, last_hot_at, reason, codes, peak, ticket_state)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
		d.AppID, v.firstHot, v.lastHot, v.reason, string(codes), v.peak, ticketState).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil // another process opened it first
	}
	if err != nil {
		return 0, false, err
	}
	if d.Notify && s.status != nil {
		sg := Surge{ID: id, AppName: d.AppName, StartedAt: v.firstHot, Reason: v.reason, Codes: v.codes, Peak: v.peak}
		n, err := s.status.NotifyOrganizationMembers(ctx, tx, d.OrgID, status.SystemNotice{
			Title: sg.Title(), Body: noticeBody(sg, v.requests), URL: surgePath(id),
		})
		if err != nil {
			return 0, false, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE drain_surges SET notified = $1 WHERE id = $2`, n, id); err != nil {
			return 0, false, err
		}
	}
	return id, true, nil
}

func surgePath(id int64) string { return fmt.Sprintf("/drains/surges/%d", id) }

func codeList(cs []CodeCount) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s × %d", c.Code, c.Count))
	}
	return strings.Join(parts, ", ")
}

func noticeBody(sg Surge, requests int) string {
	return fmt.Sprintf("Errors on %s since %s: %s (%d router requests in the last %d minutes, at most %d errors in one minute). "+
		"See the latest counts, diagnose the logs or open a ticket from the surge page.",
		sg.AppName, ticket.FormatUTC(sg.StartedAt), codeList(sg.Codes), requests, int(Window/time.Minute), sg.Peak)
}

// openSurgeTicket opens the surge's ticket once: the process that moves it
// from pending to opening opens it. A failure is recorded on the surge
// (staff and the org see why), not retried: at most one ticket.
func (s *Service) openSurgeTicket(ctx context.Context, surgeID int64) error {
	if s.tickets == nil {
		return nil
	}
	r, err := s.db.ExecContext(ctx, `UPDATE drain_surges SET ticket_state = $1 WHERE id = $2 AND ticket_state = $3`, TicketOpening, surgeID, TicketPending)
	if err != nil {
		return err
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		return err
	}
	sg, err := s.findSurge(ctx, s.db, surgeID)
	if err != nil {
		return err
	}
	t, terr := s.createSurgeTicket(ctx, sg)
	if terr != nil {
		_, err = s.db.ExecContext(ctx, `UPDATE drain_surges SET ticket_state = $1, ticket_error = $2 WHERE id = $3`, TicketFailed, terr.Error(), surgeID)
		return err
	}
	_, err = s.db.ExecContext(ctx, `UPDATE drain_surges SET ticket_state = $1, ticket_id = $2 WHERE id = $3`, TicketOpened, t.ID, surgeID)
	return err
}

// createSurgeTicket opens a normal-priority ticket on behalf of the drain's
// creator, or of an owner of the organization when the creator is staff or
// no longer a member (staff do not open tickets for customers).
func (s *Service) createSurgeTicket(ctx context.Context, sg Surge) (ticket.Ticket, error) {
	var u account.User
	err := s.db.QueryRowContext(ctx, `SELECT u.id, u.email, u.name, u.staff_role FROM users u
		JOIN memberships m ON m.user_id = u.id AND m.org_id = $1
		LEFT JOIN drains d ON d.app_id = $2 AND d.created_by = u.id
		WHERE u.staff_role = ''
		ORDER BY CASE WHEN d.id IS NULL THEN 1 ELSE 0 END, CASE WHEN m.role = 'owner' THEN 0 ELSE 1 END, u.id LIMIT 1`, sg.OrgID, sg.AppID).
		Scan(&u.ID, &u.Email, &u.Name, &u.StaffRole)
	if errors.Is(err, sql.ErrNoRows) {
		return ticket.Ticket{}, errors.New("the organization has no member to open the ticket for")
	}
	if err != nil {
		return ticket.Ticket{}, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Helpline's log drain saw an error surge on **%s** starting %s (ISO 8601: %s).\n\n",
		sg.AppName, ticket.FormatUTC(sg.StartedAt), sg.StartedAt.UTC().Format(time.RFC3339))
	b.WriteString("| Code | Count |\n|---|---|\n")
	for _, c := range sg.Codes {
		fmt.Fprintf(&b, "| %s | %d |\n", c.Code, c.Count)
	}
	fmt.Fprintf(&b, "\nAt most %d errors in one minute. Latest counts: %s. Paste the app's logs at /diagnose for a diagnosis.\n\n",
		sg.Peak, surgePath(sg.ID))
	b.WriteString("_Opened automatically because the drain's settings ask for a ticket on a surge._")
	return s.tickets.CreateTicket(ctx, u.Actor(""), ticket.NewTicket{
		OrgID: sg.OrgID, AppID: sg.AppID, Subject: sg.Title(), Description: b.String(),
		Priority: ticket.Normal, Environment: ticket.Production, Category: "runtime",
	})
}

// TickResult says what a periodic pass did.
type TickResult struct {
	Closed  int `json:"closed"`
	Tickets int `json:"tickets"`
	Pruned  int `json:"pruned"`
}

// Tick is the periodic pass (every minute): it closes surges quiet for
// QuietAfter, opens tickets a crashed process left pending, and prunes
// counts and frame ids older than Retention. Running it from two
// processes at once is harmless: every step is a conditional update.
func (s *Service) Tick(ctx context.Context) (TickResult, error) {
	var res TickResult
	now := s.nowUTC()
	r, err := s.db.ExecContext(ctx, `UPDATE drain_surges SET ended_at = $1 WHERE ended_at IS NULL AND last_hot_at <= $2`, now, now.Add(-QuietAfter))
	if err != nil {
		return res, err
	}
	n, _ := r.RowsAffected()
	res.Closed = int(n)
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM drain_surges WHERE ticket_state = $1 ORDER BY id`, TicketPending)
	if err != nil {
		return res, err
	}
	var pending []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return res, err
		}
		pending = append(pending, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	for _, id := range pending {
		if err := s.openSurgeTicket(ctx, id); err != nil {
			return res, err
		}
		res.Tickets++
	}
	for _, q := range []string{`DELETE FROM drain_counts WHERE minute < $1`, `DELETE FROM drain_frames WHERE received_at < $1`} {
		r, err := s.db.ExecContext(ctx, q, now.Add(-Retention))
		if err != nil {
			return res, err
		}
		n, _ := r.RowsAffected()
		res.Pruned += int(n)
	}
	return res, nil
}

const surgeColumns = `s.id, s.app_id, a.name, a.org_id, s.started_at, s.last_hot_at, s.ended_at, s.reason, s.codes, s.peak, s.notified,
	s.ticket_state, s.ticket_id, t.number, s.ticket_error`

const surgeFrom = ` FROM drain_surges s JOIN apps a ON a.id = s.app_id LEFT JOIN tickets t ON t.id = s.ticket_id`

func scanSurge(row interface{ Scan(...any) error }) (Surge, error) {
	var sg Surge
	var ended sql.NullTime
	var codes string
	var ticketID, number sql.NullInt64
	if err := row.Scan(&sg.ID, &sg.AppID, &sg.AppName, &sg.OrgID, &sg.StartedAt, &sg.LastHotAt, &ended, &sg.Reason, &codes, &sg.Peak, &sg.Notified,
		&sg.TicketState, &ticketID, &number, &sg.TicketError); err != nil {
		return sg, err
	}
	sg.StartedAt, sg.LastHotAt = sg.StartedAt.UTC(), sg.LastHotAt.UTC()
	sg.EndedAt = db.NullTime(ended)
	sg.TicketID, sg.TicketNumber = ticketID.Int64, number.Int64
	sg.URL = surgePath(sg.ID)
	if err := json.Unmarshal([]byte(codes), &sg.Codes); err != nil {
		return sg, fmt.Errorf("surge %d codes: %w", sg.ID, err)
	}
	return sg, nil
}

func (s *Service) findSurge(ctx context.Context, q db.Querier, id int64) (Surge, error) {
	sg, err := scanSurge(q.QueryRowContext(ctx, `SELECT `+surgeColumns+surgeFrom+` WHERE s.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sg, helpline.NotFound("surge")
	}
	return sg, err
}

// SurgeFilter selects surges, newest first.
type SurgeFilter struct {
	AppID int64 // 0: every app the actor may see
	helpline.Page
}

// FindSurges lists the surges of the actor's organizations' apps (staff:
// every app), newest first.
func (s *Service) FindSurges(ctx context.Context, actor *helpline.Actor, f SurgeFilter) ([]Surge, error) {
	if actor == nil {
		return nil, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	p := f.Page.Normalize()
	where := ` WHERE 1 = 1`
	args := []any{}
	if f.AppID != 0 {
		args = append(args, f.AppID)
		where += fmt.Sprintf(` AND s.app_id = $%d`, len(args))
	}
	if !actor.IsStaff() {
		args = append(args, actor.UserID)
		where += fmt.Sprintf(` AND a.org_id IN (SELECT org_id FROM memberships WHERE user_id = $%d)`, len(args))
	}
	args = append(args, p.Limit, p.Offset)
	rows, err := s.db.QueryContext(ctx, `SELECT `+surgeColumns+surgeFrom+where+
		fmt.Sprintf(` ORDER BY s.started_at DESC, s.id DESC LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Surge{}
	for rows.Next() {
		sg, err := scanSurge(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sg)
	}
	return out, rows.Err()
}

// FindSurgeByID returns a surge the actor may see, with the app's latest
// minutes (up to 30, from the surge's start).
func (s *Service) FindSurgeByID(ctx context.Context, actor *helpline.Actor, id int64) (Surge, error) {
	sg, err := s.findSurge(ctx, s.db, id)
	if err != nil {
		return Surge{}, err
	}
	if _, _, err := s.findApp(ctx, s.db, actor, sg.AppID); err != nil {
		if helpline.KindOf(err) == helpline.KindNotFound {
			return Surge{}, helpline.NotFound("surge")
		}
		return Surge{}, err
	}
	now := s.nowUTC().Truncate(time.Minute)
	from := now.Add(-30 * time.Minute)
	if start := sg.StartedAt.Add(-Window); start.After(from) {
		from = start
	}
	w, err := s.loadWindow(ctx, s.db, sg.AppID, from)
	if err != nil {
		return Surge{}, err
	}
	sg.Recent = []MinuteCounts{}
	for m := from; !m.After(now); m = m.Add(time.Minute) {
		mc := w.at(m)
		sortCodes(mc.Codes)
		if mc.Codes == nil {
			mc.Codes = []CodeCount{}
		}
		sg.Recent = append(sg.Recent, mc)
	}
	return sg, nil
}
