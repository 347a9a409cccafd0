package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
)

const ticketColumns = `t.id, t.number, t.org_id, o.name, o.plan, t.requester_id, r.name, t.app_id, coalesce(ap.name, ''),
	t.subject, t.description, t.environment, t.category, t.status, t.priority, t.original_priority, t.priority_reason,
	t.appeal_state, t.assignee_id, coalesce(asg.name, ''), t.urgent, t.redactions, t.sla_due_at, t.first_response_at, t.created_at, t.updated_at`

const ticketJoins = ` FROM tickets t
	JOIN organizations o ON o.id = t.org_id
	JOIN users r ON r.id = t.requester_id
	LEFT JOIN apps ap ON ap.id = t.app_id
	LEFT JOIN users asg ON asg.id = t.assignee_id`

func scanTicket(row interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	var urgent sql.NullString
	var due, responded sql.NullTime
	err := row.Scan(&t.ID, &t.Number, &t.OrgID, &t.OrgName, &t.Plan, &t.RequesterID, &t.RequesterName, &t.AppID, &t.AppName,
		&t.Subject, &t.Description, &t.Environment, &t.Category, &t.Status, &t.Priority, &t.OriginalPriority, &t.PriorityReason,
		&t.AppealState, &t.AssigneeID, &t.AssigneeName, &urgent, &t.Redactions, &due, &responded, &t.CreatedAt, &t.UpdatedAt)
	if err != nil {
		return t, err
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	t.SLADueAt, t.FirstResponseAt = db.NullTime(due), db.NullTime(responded)
	if urgent.Valid {
		t.Urgent = &UrgentDetails{}
		if err := json.Unmarshal([]byte(urgent.String), t.Urgent); err != nil {
			return t, err
		}
	}
	return t, nil
}

// visibleTo is the condition under which a customer may see ticket t: a
// member of its organization, or a participant it was shared with.
const visibleTo = `(t.org_id IN (SELECT m.org_id FROM memberships m WHERE m.user_id = $%[1]d)
	OR t.id IN (SELECT p.ticket_id FROM ticket_participants p WHERE p.user_id = $%[1]d))`

// FindTicketByID returns a ticket the actor may see; any other answers
// NotFound, so IDs do not reveal other organizations' tickets.
func (s *Service) FindTicketByID(ctx context.Context, actor *helpline.Actor, id int64) (Ticket, error) {
	return s.findTicket(ctx, s.db, actor, id)
}

func (s *Service) findTicket(ctx context.Context, q db.Querier, actor *helpline.Actor, id int64) (Ticket, error) {
	if actor == nil {
		return Ticket{}, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	query := `SELECT ` + ticketColumns + ticketJoins + ` WHERE t.id = $1`
	args := []any{id}
	if !actor.IsStaff() {
		query += ` AND ` + fmt.Sprintf(visibleTo, 2)
		args = append(args, actor.UserID)
	}
	t, err := scanTicket(q.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return t, helpline.NotFound("ticket")
	}
	return t, err
}

// FindTicketByNumber returns a ticket by its number, as FindTicketByID.
func (s *Service) FindTicketByNumber(ctx context.Context, actor *helpline.Actor, number int64) (Ticket, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM tickets WHERE number = $1`, number).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, helpline.NotFound("ticket")
	}
	if err != nil {
		return Ticket{}, err
	}
	return s.FindTicketByID(ctx, actor, id)
}

// Filter narrows a list of tickets.
type Filter struct {
	Status   []Status
	Priority Priority
	Plan     account.Plan
	Assignee string // "me", "unassigned", "" (anyone) or a user ID
	AppID    int64
	OrgID    int64
	Text     string // in the subject or number
	// AppealPending keeps the tickets whose appeal waits for a decision.
	AppealPending bool
	helpline.Page
}

// where builds the filter's conditions; n is the next placeholder number.
func (f Filter) where(actor *helpline.Actor, args []any) (string, []any, error) {
	var conds []string
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	v := helpline.Validation{}
	if len(f.Status) > 0 {
		var ph []string
		for _, st := range f.Status {
			if !st.Valid() {
				v.Add("status", "must be new, open, pending, on_hold, solved or closed")
				continue
			}
			args = append(args, st)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
		if len(ph) > 0 {
			conds = append(conds, "t.status IN ("+strings.Join(ph, ", ")+")")
		}
	}
	if f.Priority != "" {
		v.Check(f.Priority.Valid(), "priority", "must be urgent, high, normal or low")
		add("t.priority_rank = $%d", f.Priority.Rank())
	}
	if f.Plan != "" {
		v.Check(f.Plan.Valid(), "plan", "must be free, standard, enterprise, premier or legacy_enterprise")
		add("o.plan = $%d", f.Plan)
	}
	switch f.Assignee {
	case "", "any":
	case "me":
		add("t.assignee_id = $%d", actor.UserID)
	case "unassigned":
		conds = append(conds, "t.assignee_id IS NULL")
	default:
		id, err := strconv.ParseInt(f.Assignee, 10, 64)
		v.Check(err == nil && id > 0, "assignee", "must be me, unassigned, any or a user ID")
		add("t.assignee_id = $%d", id)
	}
	if f.AppID != 0 {
		add("t.app_id = $%d", f.AppID)
	}
	if f.AppealPending {
		add("t.appeal_state = $%d", AppealPending)
	}
	if f.OrgID != 0 {
		add("t.org_id = $%d", f.OrgID)
	}
	if text := strings.TrimSpace(f.Text); text != "" {
		esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(text))
		like := "%" + esc + "%"
		switch n, err := strconv.ParseInt(strings.TrimPrefix(text, "#"), 10, 64); {
		case err == nil && strings.HasPrefix(text, "#"):
			add("t.number = $%d", n)
		case err == nil:
			// "503" may be a ticket number or words in a subject.
			args = append(args, n, like)
			conds = append(conds, fmt.Sprintf(`(t.number = $%d OR lower(t.subject) LIKE $%d ESCAPE '\')`, len(args)-1, len(args)))
		default:
			add(`lower(t.subject) LIKE $%d ESCAPE '\'`, like)
		}
	}
	if err := v.Err(); err != nil {
		return "", nil, err
	}
	if len(conds) == 0 {
		return "", args, nil
	}
	return " AND " + strings.Join(conds, " AND "), args, nil
}

func (s *Service) list(ctx context.Context, query string, args []any) ([]Ticket, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Ticket{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// FindTickets lists the tickets a customer may see (their organizations'
// and those shared with them), newest first. Staff see every ticket.
func (s *Service) FindTickets(ctx context.Context, actor *helpline.Actor, f Filter) ([]Ticket, error) {
	if actor == nil {
		return nil, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	var args []any
	where := " WHERE 1=1"
	if !actor.IsStaff() {
		args = append(args, actor.UserID)
		where = " WHERE " + fmt.Sprintf(visibleTo, 1)
	}
	cond, args, err := f.where(actor, args)
	if err != nil {
		return nil, err
	}
	p := f.Page.Normalize()
	args = append(args, p.Limit, p.Offset)
	return s.list(ctx, `SELECT `+ticketColumns+ticketJoins+where+cond+
		fmt.Sprintf(` ORDER BY t.created_at DESC, t.id DESC LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args)
}

// ActiveStatuses are the statuses the queue shows by default.
var ActiveStatuses = []Status{StatusNew, StatusOpen, StatusPending, StatusOnHold}

// FindQueue returns the staff queue: enterprise plans first, then priority,
// then the SLA due time (tickets without a running clock last), then age. Without a status filter it shows the tickets still being worked
// on, in the order the queue index holds them.
func (s *Service) FindQueue(ctx context.Context, actor *helpline.Actor, f Filter) ([]Ticket, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	where := ""
	if len(f.Status) == 0 {
		// Spelled out as in the partial index, so the planner uses it.
		where = " AND t.status IN ('new', 'open', 'pending', 'on_hold')"
	}
	cond, args, err := f.where(actor, nil)
	if err != nil {
		return nil, err
	}
	p := f.Page.Normalize()
	args = append(args, p.Limit, p.Offset)
	return s.list(ctx, `SELECT `+ticketColumns+ticketJoins+` WHERE 1=1`+where+cond+
		fmt.Sprintf(` ORDER BY t.plan_rank, t.priority_rank, (t.sla_due_at IS NULL), t.sla_due_at, t.created_at, t.id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args)
}

// CountAppealsPending returns how many appeals wait for a decision.
func (s *Service) CountAppealsPending(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE appeal_state = 'pending'`).Scan(&n)
	return n, err
}

// Comment is a reply on a ticket; internal notes are for staff only.
type Comment struct {
	ID         int64              `json:"id"`
	TicketID   int64              `json:"ticket_id"`
	AuthorID   int64              `json:"author_id"`
	AuthorName string             `json:"author_name"`
	AuthorRole helpline.StaffRole `json:"author_staff_role"`
	Body       string             `json:"body"`
	Internal   bool               `json:"internal"`
	Redactions int                `json:"redactions"`
	CreatedAt  time.Time          `json:"created_at"`
}

// FindComments returns a ticket's conversation, oldest first; customers do
// not get internal notes.
func (s *Service) FindComments(ctx context.Context, actor *helpline.Actor, ticketID int64) ([]Comment, error) {
	if _, err := s.FindTicketByID(ctx, actor, ticketID); err != nil {
		return nil, err
	}
	q := `SELECT c.id, c.ticket_id, c.author_id, u.name, u.staff_role, c.body, c.internal, c.redactions, c.created_at
		FROM ticket_comments c JOIN users u ON u.id = c.author_id WHERE c.ticket_id = $1`
	if !actor.IsStaff() {
		q += ` AND c.internal = FALSE`
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY c.created_at, c.id`, ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Comment{}
	for rows.Next() {
		var c Comment
		if err := rows.Scan(&c.ID, &c.TicketID, &c.AuthorID, &c.AuthorName, &c.AuthorRole, &c.Body, &c.Internal, &c.Redactions, &c.CreatedAt); err != nil {
			return nil, err
		}
		c.CreatedAt = c.CreatedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// Event is a step in a ticket's history.
type Event struct {
	ID        int64          `json:"id"`
	Kind      string         `json:"kind"`
	ActorID   *int64         `json:"actor_id"`
	ActorName string         `json:"actor_name"`
	Public    bool           `json:"public"`
	Data      map[string]any `json:"data"`
	CreatedAt time.Time      `json:"created_at"`
}

// FindEvents returns a ticket's history, oldest first; customers see the
// public steps.
func (s *Service) FindEvents(ctx context.Context, actor *helpline.Actor, ticketID int64) ([]Event, error) {
	if _, err := s.FindTicketByID(ctx, actor, ticketID); err != nil {
		return nil, err
	}
	q := `SELECT e.id, e.kind, e.actor_id, coalesce(u.name, ''), e.public, e.data, e.created_at
		FROM ticket_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.ticket_id = $1`
	if !actor.IsStaff() {
		q += ` AND e.public = TRUE`
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY e.created_at, e.id`, ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var data string
		if err := rows.Scan(&e.ID, &e.Kind, &e.ActorID, &e.ActorName, &e.Public, &data, &e.CreatedAt); err != nil {
			return nil, err
		}
		e.CreatedAt = e.CreatedAt.UTC()
		if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Participant is someone a ticket was shared with.
type Participant struct {
	UserID   int64     `json:"user_id"`
	Name     string    `json:"name"`
	Email    string    `json:"email"`
	JoinedAt time.Time `json:"joined_at"`
}

// FindParticipants lists who joined a ticket through its share link.
func (s *Service) FindParticipants(ctx context.Context, actor *helpline.Actor, ticketID int64) ([]Participant, error) {
	if _, err := s.FindTicketByID(ctx, actor, ticketID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT u.id, u.name, u.email, p.created_at FROM ticket_participants p
		JOIN users u ON u.id = p.user_id WHERE p.ticket_id = $1 ORDER BY p.created_at, u.id`, ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Participant{}
	for rows.Next() {
		var p Participant
		if err := rows.Scan(&p.UserID, &p.Name, &p.Email, &p.JoinedAt); err != nil {
			return nil, err
		}
		p.JoinedAt = p.JoinedAt.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}
