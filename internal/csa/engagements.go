package csa

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/ticket"
)

const engagementColumns = `e.id, e.org_id, o.name, o.plan, e.requester_id, r.name, e.kind, e.title, e.state, e.owner_id, coalesce(w.name, ''),
	e.details, e.summary, e.event_at, e.break_fix, t.number, ft.number, e.created_at, e.updated_at, e.closed_at`

const engagementJoins = ` FROM engagements e
	JOIN organizations o ON o.id = e.org_id
	JOIN users r ON r.id = e.requester_id
	LEFT JOIN users w ON w.id = e.owner_id
	LEFT JOIN tickets t ON t.id = e.ticket_id
	LEFT JOIN tickets ft ON ft.id = e.from_ticket_id`

func scanEngagement(row interface{ Scan(...any) error }) (Engagement, error) {
	var e Engagement
	var owner, number, fromNumber sql.NullInt64
	var details, breakFix string
	var eventAt, closedAt sql.NullTime
	err := row.Scan(&e.ID, &e.OrgID, &e.OrgName, &e.Plan, &e.RequesterID, &e.RequesterName, &e.Kind, &e.Title, &e.State, &owner, &e.OwnerName,
		&details, &e.Summary, &eventAt, &breakFix, &number, &fromNumber, &e.CreatedAt, &e.UpdatedAt, &closedAt)
	if err != nil {
		return e, err
	}
	if owner.Valid {
		e.OwnerID = &owner.Int64
	}
	if number.Valid {
		e.TicketNumber = &number.Int64
	}
	if fromNumber.Valid {
		e.FromTicketNumber = &fromNumber.Int64
	}
	e.EventAt, e.ClosedAt = db.NullTime(eventAt), db.NullTime(closedAt)
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	if details != "" && details != "{}" {
		var target any
		switch e.Kind {
		case KindEvent:
			e.Event = &EventDetails{}
			target = e.Event
		case KindPerformance:
			e.Performance = &PerformanceDetails{}
			target = e.Performance
		case KindArchitecture:
			e.Architecture = &ArchitectureDetails{}
			target = e.Architecture
		}
		if err := json.Unmarshal([]byte(details), target); err != nil {
			return e, fmt.Errorf("engagement %d details: %w", e.ID, err)
		}
	}
	if breakFix != "" {
		if err := json.Unmarshal([]byte(breakFix), &e.BreakFixSignals); err != nil {
			return e, fmt.Errorf("engagement %d signals: %w", e.ID, err)
		}
	}
	return e, nil
}

// findEngagement reads an engagement without access checks.
func (s *Service) findEngagement(ctx context.Context, q db.Querier, id int64) (Engagement, error) {
	e, err := scanEngagement(q.QueryRowContext(ctx, `SELECT `+engagementColumns+engagementJoins+` WHERE e.id = $1`, id))
	if isNoRows(err) {
		return e, notFound()
	}
	s.localize(&e)
	return e, err
}

// visible returns the engagement if the actor may see it: staff, and
// members of its organization. Anyone else is told it does not exist.
func (s *Service) visible(ctx context.Context, q db.Querier, actor *helpline.Actor, id int64) (Engagement, error) {
	if actor == nil {
		return Engagement{}, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	e, err := s.findEngagement(ctx, q, id)
	if err != nil || actor.IsStaff() {
		return e, err
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE org_id = $1 AND user_id = $2`, e.OrgID, actor.UserID).Scan(&n); err != nil {
		return Engagement{}, err
	}
	if n == 0 {
		return Engagement{}, notFound()
	}
	return e, nil
}

// FindEngagementByID returns an engagement the actor may see.
func (s *Service) FindEngagementByID(ctx context.Context, actor *helpline.Actor, id int64) (Engagement, error) {
	return s.visible(ctx, s.db, actor, id)
}

// Filter selects engagements for a list.
type Filter struct {
	// State is a State, "open" (every state but closed) or "" (all).
	State string
	Kind  Kind
	// Owner is "" (anyone), "me", "none" or an owner's user ID.
	Owner string
	OrgID int64
	helpline.Page
}

// where builds the filter's conditions for the actor: customers see their
// organizations' engagements only.
func (f Filter) where(actor *helpline.Actor) (string, []any, error) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	v := helpline.Validation{}
	switch {
	case f.State == "":
	case f.State == "open":
		conds = append(conds, "e.queue_rank < 3")
	case State(f.State).Valid():
		conds = append(conds, "e.state = "+arg(f.State))
	default:
		v.Add("state", "must be open, requested, scheduled, in_progress, delivered, closed or empty")
	}
	if f.Kind != "" {
		if f.Kind.Valid() {
			conds = append(conds, "e.kind = "+arg(f.Kind))
		} else {
			v.Add("kind", "must be event, performance or architecture")
		}
	}
	switch f.Owner {
	case "":
	case "me":
		conds = append(conds, "e.owner_id = "+arg(actor.UserID))
	case "none":
		conds = append(conds, "e.owner_id IS NULL")
	default:
		id, err := strconv.ParseInt(f.Owner, 10, 64)
		if err != nil || id <= 0 {
			v.Add("owner", "must be me, none or a user ID")
		} else {
			conds = append(conds, "e.owner_id = "+arg(id))
		}
	}
	if f.OrgID != 0 {
		conds = append(conds, "e.org_id = "+arg(f.OrgID))
	}
	if !actor.IsStaff() {
		conds = append(conds, "e.org_id IN (SELECT org_id FROM memberships WHERE user_id = "+arg(actor.UserID)+")")
	}
	if err := v.Err(); err != nil {
		return "", nil, err
	}
	if len(conds) == 0 {
		return "", args, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// order sorts engagements the ones needing attention first: requests
// nobody has taken, then by the date that matters (an event's start), then
// the oldest. The indexes on queue_rank follow it.
func (f Filter) order() string {
	return ` ORDER BY e.queue_rank, e.event_at IS NULL, e.event_at, e.created_at, e.id`
}

// FindEngagements lists the engagements the actor may see: staff all of
// them (the CSA queue), customers their organizations'.
func (s *Service) FindEngagements(ctx context.Context, actor *helpline.Actor, f Filter) ([]Engagement, error) {
	if actor == nil {
		return nil, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	where, args, err := f.where(actor)
	if err != nil {
		return nil, err
	}
	p := f.Page.Normalize()
	args = append(args, p.Limit, p.Offset)
	rows, err := s.db.QueryContext(ctx, `SELECT `+engagementColumns+engagementJoins+where+f.order()+
		fmt.Sprintf(` LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Engagement{}
	for rows.Next() {
		e, err := scanEngagement(rows)
		if err != nil {
			return nil, err
		}
		s.localize(&e)
		out = append(out, e)
	}
	return out, rows.Err()
}

// QueueCounts counts open engagements by state, for the queue's tabs.
func (s *Service) QueueCounts(ctx context.Context, actor *helpline.Actor) (map[State]int, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT state, count(*) FROM engagements WHERE state <> 'closed' GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[State]int{}
	for rows.Next() {
		var st State
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// Activity is one step in an engagement's history: a message, or a change.
type Activity struct {
	ID        int64              `json:"id"`
	Kind      string             `json:"kind"`
	ActorID   *int64             `json:"actor_id"`
	ActorName string             `json:"actor_name"`
	ActorRole helpline.StaffRole `json:"actor_role,omitempty"`
	Body      string             `json:"body,omitempty"` // Markdown, for comments
	Internal  bool               `json:"internal"`
	Data      map[string]any     `json:"data,omitempty"`
	CreatedAt time.Time          `json:"created_at"`
}

// Meeting is a call or workshop of an engagement.
type Meeting struct {
	ID              int64     `json:"id"`
	EngagementID    int64     `json:"engagement_id"`
	Title           string    `json:"title"`
	StartsAt        time.Time `json:"starts_at"`
	TimeZone        string    `json:"time_zone"`
	DurationMinutes int       `json:"duration_minutes"`
	Notes           string    `json:"notes"` // Markdown
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// LocalStart is the meeting's start in its time zone.
func (m Meeting) LocalStart() string {
	loc, err := time.LoadLocation(m.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return m.StartsAt.In(loc).Format("Mon Jan 2, 2006 15:04 MST")
}

// Deliverable is what the CSA team hands over: a file, or an article.
type Deliverable struct {
	ID           int64     `json:"id"`
	EngagementID int64     `json:"engagement_id"`
	Title        string    `json:"title"`
	Kind         string    `json:"kind"` // "file" or "article"
	ArticleSlug  string    `json:"article_slug,omitempty"`
	ArticleURL   string    `json:"article_url,omitempty"`
	Filename     string    `json:"filename,omitempty"`
	ContentType  string    `json:"content_type,omitempty"`
	Size         int64     `json:"size,omitempty"`
	SHA256       string    `json:"sha256,omitempty"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// Reminder is one of an event's reminders.
type Reminder struct {
	Kind   string     `json:"kind"` // "week" or "day"
	DueAt  time.Time  `json:"due_at"`
	SentAt *time.Time `json:"sent_at"`
}

// Detail is an engagement with everything its page shows.
type Detail struct {
	Engagement
	Activity     []Activity    `json:"activity"`
	Meetings     []Meeting     `json:"meetings"`
	Deliverables []Deliverable `json:"deliverables"`
	Reminders    []Reminder    `json:"reminders"`
	// Staff see the organization's apps and recent tickets for context.
	Apps          []account.App   `json:"apps,omitempty"`
	RecentTickets []ticket.Ticket `json:"recent_tickets,omitempty"`
}

// RecentTicketCount is how many of the organization's tickets staff see
// beside an engagement.
const RecentTicketCount = 10

// FindEngagement returns an engagement the actor may see with its history,
// meetings, deliverables and reminders; staff also get the organization's
// apps and recent tickets. Customers do not see internal notes.
func (s *Service) FindEngagement(ctx context.Context, actor *helpline.Actor, id int64) (Detail, error) {
	e, err := s.visible(ctx, s.db, actor, id)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Engagement: e}
	if d.Activity, err = s.findActivity(ctx, actor, id); err != nil {
		return d, err
	}
	if d.Meetings, err = s.findMeetings(ctx, id); err != nil {
		return d, err
	}
	if d.Deliverables, err = s.findDeliverables(ctx, id); err != nil {
		return d, err
	}
	if d.Reminders, err = s.findReminders(ctx, id); err != nil {
		return d, err
	}
	if actor.IsStaff() {
		if d.Apps, err = s.accounts.FindApps(ctx, actor, e.OrgID); err != nil {
			return d, err
		}
		if s.tickets != nil {
			d.RecentTickets, err = s.tickets.FindTickets(ctx, actor, ticket.Filter{OrgID: e.OrgID, Page: helpline.Page{Limit: RecentTicketCount}})
			if err != nil {
				return d, err
			}
		}
	}
	return d, nil
}

func (s *Service) findActivity(ctx context.Context, actor *helpline.Actor, id int64) ([]Activity, error) {
	query := `SELECT ev.id, ev.kind, ev.actor_id, coalesce(u.name, ''), coalesce(u.staff_role, ''), ev.body, ev.internal, ev.data, ev.created_at
		FROM engagement_events ev LEFT JOIN users u ON u.id = ev.actor_id WHERE ev.engagement_id = $1`
	if !actor.IsStaff() {
		query += ` AND NOT ev.internal`
	}
	rows, err := s.db.QueryContext(ctx, query+` ORDER BY ev.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Activity{}
	for rows.Next() {
		var a Activity
		var actorID sql.NullInt64
		var data string
		if err := rows.Scan(&a.ID, &a.Kind, &actorID, &a.ActorName, &a.ActorRole, &a.Body, &a.Internal, &data, &a.CreatedAt); err != nil {
			return nil, err
		}
		if actorID.Valid {
			a.ActorID = &actorID.Int64
		}
		if err := json.Unmarshal([]byte(data), &a.Data); err != nil {
			return nil, err
		}
		a.CreatedAt = a.CreatedAt.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *Service) findMeetings(ctx context.Context, id int64) ([]Meeting, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, engagement_id, title, starts_at, time_zone, duration_minutes, notes, created_at, updated_at
		FROM engagement_meetings WHERE engagement_id = $1 ORDER BY starts_at, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Meeting{}
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func scanMeeting(row interface{ Scan(...any) error }) (Meeting, error) {
	var m Meeting
	err := row.Scan(&m.ID, &m.EngagementID, &m.Title, &m.StartsAt, &m.TimeZone, &m.DurationMinutes, &m.Notes, &m.CreatedAt, &m.UpdatedAt)
	m.StartsAt, m.CreatedAt, m.UpdatedAt = m.StartsAt.UTC(), m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, err
}

func (s *Service) findDeliverables(ctx context.Context, id int64) ([]Deliverable, error) {
	rows, err := s.db.QueryContext(ctx, deliverableSelect+` WHERE d.engagement_id = $1 ORDER BY d.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Deliverable{}
	for rows.Next() {
		d, err := scanDeliverable(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// deliverableSelect reads deliverables with their article and author.
const deliverableSelect = `SELECT d.id, d.engagement_id, d.title, coalesce(a.slug, ''), coalesce(a.error_code, ''), d.filename, d.content_type, d.size, d.sha256,
	coalesce(u.name, ''), d.created_at
	FROM engagement_deliverables d LEFT JOIN articles a ON a.id = d.article_id LEFT JOIN users u ON u.id = d.created_by`

func scanDeliverable(row interface{ Scan(...any) error }) (Deliverable, error) {
	var d Deliverable
	var code string
	err := row.Scan(&d.ID, &d.EngagementID, &d.Title, &d.ArticleSlug, &code, &d.Filename, &d.ContentType, &d.Size, &d.SHA256, &d.CreatedBy, &d.CreatedAt)
	d.CreatedAt = d.CreatedAt.UTC()
	d.Kind = "file"
	if d.SHA256 == "" {
		d.Kind = "article"
		if d.ArticleSlug != "" {
			d.ArticleURL = articlePath(d.ArticleSlug, code)
		}
	}
	return d, err
}

// articlePath is where an article is read: error codes are anchors of the
// reference page.
func articlePath(slug, errorCode string) string {
	if errorCode != "" {
		return "/docs/error-codes#" + slug
	}
	return "/docs/" + slug
}

func (s *Service) findReminders(ctx context.Context, id int64) ([]Reminder, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, due_at, sent_at FROM engagement_reminders WHERE engagement_id = $1 ORDER BY due_at`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Reminder{}
	for rows.Next() {
		var r Reminder
		var sent sql.NullTime
		if err := rows.Scan(&r.Kind, &r.DueAt, &sent); err != nil {
			return nil, err
		}
		r.DueAt, r.SentAt = r.DueAt.UTC(), db.NullTime(sent)
		out = append(out, r)
	}
	return out, rows.Err()
}

// event records a step in an engagement's history, touches the
// engagement and returns the step's ID.
func (s *Service) event(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, id int64, kind string, internal bool, body string, data map[string]any) (int64, error) {
	if data == nil {
		data = map[string]any{}
	}
	b, err := json.Marshal(data)
	if err != nil {
		return 0, err
	}
	var actorID *int64
	if actor != nil && actor.UserID != 0 {
		actorID = &actor.UserID
	}
	now := s.nowUTC()
	var eid int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO engagement_events (engagement_id, actor_id, kind, internal, body, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		id, actorID, kind, internal, body, string(b), now).Scan(&eid); err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE engagements SET updated_at = $1 WHERE id = $2`, now, id)
	return eid, err
}

// change runs one staff change of an engagement in a transaction and
// returns the engagement afterwards.
func (s *Service) change(ctx context.Context, actor *helpline.Actor, id int64, fn func(tx *sql.Tx, e Engagement) error) (Engagement, error) {
	if err := requireArchitect(actor); err != nil {
		return Engagement{}, err
	}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		e, err := s.findEngagement(ctx, tx, id)
		if err != nil {
			return err
		}
		return fn(tx, e)
	})
	if err != nil {
		return Engagement{}, err
	}
	return s.FindEngagementByID(ctx, actor, id)
}

// MinNote is the shortest note accepted where one is required (closing an
// engagement): the customer deserves a reason.
const MinNote = 10

// Transition moves an engagement to another state. Closing needs a note,
// which the customer reads; other moves may carry one.
func (s *Service) Transition(ctx context.Context, actor *helpline.Actor, id int64, to State, note string) (Engagement, error) {
	v := helpline.Validation{}
	if !to.Valid() {
		v.Add("state", "must be requested, scheduled, in_progress, delivered or closed")
	}
	note = strings.TrimSpace(note)
	if to == StateClosed && utf8Len(note) < MinNote {
		v.Add("note", fmt.Sprintf("is required when closing (at least %d characters): the customer reads why", MinNote))
	}
	if utf8Len(note) > MaxMarkdown {
		v.Add("note", "is too long (at most 20,000 characters)")
	}
	if err := v.Err(); err != nil {
		return Engagement{}, err
	}
	note, _ = s.redact(note)
	return s.change(ctx, actor, id, func(tx *sql.Tx, e Engagement) error {
		if e.State == to {
			return helpline.Errorf(helpline.KindConflict, "The engagement is already %s.", words(to))
		}
		if !e.State.CanMoveTo(to) {
			return &helpline.Error{Kind: helpline.KindConflict, Message: fmt.Sprintf("A %s engagement cannot move to %s.", words(e.State), words(to)),
				Fields: map[string]string{"state": "must be one of " + statesList(e.State.Next())}}
		}
		return s.setState(ctx, tx, actor, e, to, note)
	})
}

func (s *Service) setState(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, e Engagement, to State, note string) error {
	now := s.nowUTC()
	var closed *time.Time
	if to == StateClosed {
		closed = &now
	}
	if _, err := tx.ExecContext(ctx, `UPDATE engagements SET state = $1, queue_rank = $2, closed_at = $3 WHERE id = $4`, to, to.rank(), closed, e.ID); err != nil {
		return err
	}
	eid, err := s.event(ctx, tx, actor, e.ID, "state_changed", false, note, map[string]any{"from": e.State, "to": to})
	if err != nil {
		return err
	}
	text := fmt.Sprintf("%s moved %q from %s to %s.", actor.Name, e.Title, words(e.State), words(to))
	if note != "" {
		text += "\n\n" + note
	}
	return s.mail(ctx, tx, e, fmt.Sprintf("event.%d", eid), "Now "+words(to), text,
		s.except(actor, e.RequesterID, ptrValue(e.OwnerID)))
}

func words(s State) string { return strings.ReplaceAll(string(s), "_", " ") }

func statesList(ss []State) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}

func utf8Len(s string) int { return len([]rune(s)) }

func ptrValue(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// Withdraw is the customer taking back a request nobody has started on.
func (s *Service) Withdraw(ctx context.Context, actor *helpline.Actor, id int64, reason string) (Engagement, error) {
	if actor == nil {
		return Engagement{}, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	if actor.IsStaff() {
		return s.Transition(ctx, actor, id, StateClosed, reason)
	}
	reason = strings.TrimSpace(reason)
	if utf8Len(reason) > MaxMarkdown {
		return Engagement{}, helpline.Validation{"reason": "is too long (at most 20,000 characters)"}.Err()
	}
	reason, _ = s.redact(reason)
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		e, err := s.visible(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if e.State != StateRequested && e.State != StateScheduled {
			return helpline.Errorf(helpline.KindConflict, "Only a requested or scheduled engagement can be withdrawn; this one is %s. Write to your solutions architect instead.", words(e.State))
		}
		if reason == "" {
			reason = "Withdrawn by the customer."
		}
		return s.setState(ctx, tx, actor, e, StateClosed, reason)
	})
	if err != nil {
		return Engagement{}, err
	}
	return s.FindEngagementByID(ctx, actor, id)
}

// Assign makes a solutions architect (or an admin) the engagement's owner;
// 0 clears it. Support agents do not own engagements.
func (s *Service) Assign(ctx context.Context, actor *helpline.Actor, id, ownerID int64) (Engagement, error) {
	return s.change(ctx, actor, id, func(tx *sql.Tx, e Engagement) error {
		if e.State == StateClosed {
			return helpline.Errorf(helpline.KindConflict, "This engagement is closed.")
		}
		var owner *int64
		name := ""
		if ownerID != 0 {
			var role helpline.StaffRole
			err := tx.QueryRowContext(ctx, `SELECT name, staff_role FROM users WHERE id = $1`, ownerID).Scan(&name, &role)
			if isNoRows(err) || (err == nil && role != helpline.RoleCSA && role != helpline.RoleAdmin) {
				return &helpline.Error{Kind: helpline.KindInvalid, Message: "Engagements are owned by the CSA team.",
					Fields: map[string]string{"owner_id": "must be a solutions architect (csa) or an admin"}}
			}
			if err != nil {
				return err
			}
			owner = &ownerID
		}
		if ptrValue(owner) == ptrValue(e.OwnerID) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE engagements SET owner_id = $1 WHERE id = $2`, owner, e.ID); err != nil {
			return err
		}
		if _, err := s.event(ctx, tx, actor, e.ID, "owner_changed", false, "", map[string]any{"owner_id": ownerID, "owner": name}); err != nil {
			return err
		}
		if owner == nil {
			return nil
		}
		text := fmt.Sprintf("%s is the solutions architect for %q.", name, e.Title)
		return s.mail(ctx, tx, e, fmt.Sprintf("owner.%d.%d", e.ID, ownerID), "Your solutions architect", text, s.except(actor, e.RequesterID, ownerID))
	})
}

// CommentInput is a message on an engagement; staff may write internal
// notes.
type CommentInput struct {
	Body     string `json:"body"`
	Internal bool   `json:"internal"`
}

// Comment adds a message to an engagement the actor may see. Customers'
// messages go to the owner (or the whole team while nobody owns it);
// staff replies go to the requester.
func (s *Service) Comment(ctx context.Context, actor *helpline.Actor, id int64, in CommentInput) (Activity, error) {
	v := helpline.Validation{}
	body := strings.TrimSpace(in.Body)
	textCheck(v, "body", body, 1, MaxMarkdown)
	if in.Internal && !actor.IsStaff() {
		v.Add("internal", "only staff can write internal notes")
	}
	if err := v.Err(); err != nil {
		return Activity{}, err
	}
	body, _ = s.redact(body)
	var a Activity
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		e, err := s.visible(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if e.State == StateClosed && !actor.IsStaff() {
			return helpline.Errorf(helpline.KindConflict, "This engagement is closed. Request a new one from the enterprise portal.")
		}
		eid, err := s.event(ctx, tx, actor, id, "comment", in.Internal, body, nil)
		if err != nil {
			return err
		}
		a = Activity{ID: eid, Kind: "comment", ActorID: &actor.UserID, ActorName: actor.Name, ActorRole: actor.StaffRole, Body: body, Internal: in.Internal, CreatedAt: s.nowUTC()}
		if in.Internal {
			return nil
		}
		var to []int64
		if actor.IsStaff() {
			to = s.except(actor, e.RequesterID)
		} else if e.OwnerID != nil {
			to = s.except(actor, *e.OwnerID)
		} else if to, err = s.architectIDs(ctx, tx); err != nil {
			return err
		}
		return s.mail(ctx, tx, e, fmt.Sprintf("event.%d", a.ID), "New message from "+actor.Name, body, to)
	})
	return a, err
}

// MeetingInput schedules a meeting or records its notes.
type MeetingInput struct {
	Title string `json:"title"`
	// StartsAt is ISO 8601 with an offset, or a local time in TimeZone.
	StartsAt        string `json:"starts_at"`
	TimeZone        string `json:"time_zone"`
	DurationMinutes int    `json:"duration_minutes"`
	Notes           string `json:"notes"`
}

func (in *MeetingInput) validate() (time.Time, error) {
	trimAll(&in.Title, &in.StartsAt, &in.TimeZone, &in.Notes)
	v := helpline.Validation{}
	textCheck(v, "title", in.Title, 3, MaxName)
	if in.TimeZone == "" {
		in.TimeZone = "UTC"
	}
	checkZone(v, "time_zone", in.TimeZone)
	at, msg := parseZoned(in.StartsAt, in.TimeZone)
	if msg != "" {
		v.Add("starts_at", msg)
	}
	if in.DurationMinutes == 0 {
		in.DurationMinutes = 60
	}
	v.Check(in.DurationMinutes >= 5 && in.DurationMinutes <= 8*60, "duration_minutes", "must be from 5 to 480 minutes")
	v.Check(utf8Len(in.Notes) <= MaxMarkdown, "notes", "is too long (at most 20,000 characters)")
	return at, v.Err()
}

// AddMeeting schedules a meeting of an engagement; the requester and the
// owner are told. Scheduling the first meeting of a requested engagement
// moves it to scheduled.
func (s *Service) AddMeeting(ctx context.Context, actor *helpline.Actor, id int64, in MeetingInput) (Meeting, error) {
	at, err := in.validate()
	if err != nil {
		return Meeting{}, err
	}
	in.Notes, _ = s.redact(in.Notes)
	var m Meeting
	_, err = s.change(ctx, actor, id, func(tx *sql.Tx, e Engagement) error {
		if e.State == StateClosed {
			return helpline.Errorf(helpline.KindConflict, "This engagement is closed; meetings cannot be added.")
		}
		now := s.nowUTC()
		m = Meeting{EngagementID: id, Title: in.Title, StartsAt: at, TimeZone: in.TimeZone, DurationMinutes: in.DurationMinutes, Notes: in.Notes, CreatedAt: now, UpdatedAt: now}
		if err := tx.QueryRowContext(ctx, `INSERT INTO engagement_meetings (engagement_id, title, starts_at, time_zone, duration_minutes, notes, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`, id, m.Title, m.StartsAt, m.TimeZone, m.DurationMinutes, m.Notes, actor.UserID, now).Scan(&m.ID); err != nil {
			return err
		}
		if _, err := s.event(ctx, tx, actor, id, "meeting_scheduled", false, "", map[string]any{"meeting_id": m.ID, "title": m.Title, "starts_at": m.StartsAt}); err != nil {
			return err
		}
		if e.State == StateRequested {
			if err := s.setState(ctx, tx, actor, e, StateScheduled, ""); err != nil {
				return err
			}
		}
		text := fmt.Sprintf("%s scheduled %q for %s (%d minutes).", actor.Name, m.Title, m.LocalStart(), m.DurationMinutes)
		return s.mail(ctx, tx, e, fmt.Sprintf("meeting.%d", m.ID), "Meeting scheduled: "+m.Title, text, s.except(actor, e.RequesterID, ptrValue(e.OwnerID)))
	})
	return m, err
}

// UpdateMeeting moves a meeting or records its notes.
func (s *Service) UpdateMeeting(ctx context.Context, actor *helpline.Actor, id, meetingID int64, in MeetingInput) (Meeting, error) {
	at, err := in.validate()
	if err != nil {
		return Meeting{}, err
	}
	in.Notes, _ = s.redact(in.Notes)
	var m Meeting
	_, err = s.change(ctx, actor, id, func(tx *sql.Tx, e Engagement) error {
		old, err := scanMeeting(tx.QueryRowContext(ctx, `SELECT id, engagement_id, title, starts_at, time_zone, duration_minutes, notes, created_at, updated_at
			FROM engagement_meetings WHERE id = $1 AND engagement_id = $2`, meetingID, id))
		if isNoRows(err) {
			return helpline.NotFound("meeting")
		}
		if err != nil {
			return err
		}
		now := s.nowUTC()
		m = Meeting{ID: meetingID, EngagementID: id, Title: in.Title, StartsAt: at, TimeZone: in.TimeZone, DurationMinutes: in.DurationMinutes, Notes: in.Notes, CreatedAt: old.CreatedAt, UpdatedAt: now}
		if _, err := tx.ExecContext(ctx, `UPDATE engagement_meetings SET title = $1, starts_at = $2, time_zone = $3, duration_minutes = $4, notes = $5, updated_at = $6 WHERE id = $7`,
			m.Title, m.StartsAt, m.TimeZone, m.DurationMinutes, m.Notes, now, meetingID); err != nil {
			return err
		}
		data := map[string]any{"meeting_id": m.ID, "title": m.Title}
		moved := !old.StartsAt.Equal(m.StartsAt)
		if moved {
			data["from"], data["starts_at"] = old.StartsAt, m.StartsAt
		}
		if old.Notes != m.Notes {
			data["notes"] = true
		}
		if _, err := s.event(ctx, tx, actor, id, "meeting_updated", false, "", data); err != nil {
			return err
		}
		if !moved {
			return nil
		}
		text := fmt.Sprintf("%s moved %q to %s (%d minutes).", actor.Name, m.Title, m.LocalStart(), m.DurationMinutes)
		return s.mail(ctx, tx, e, fmt.Sprintf("meeting.%d.%d", m.ID, now.UnixMicro()), "Meeting moved: "+m.Title, text, s.except(actor, e.RequesterID, ptrValue(e.OwnerID)))
	})
	return m, err
}
