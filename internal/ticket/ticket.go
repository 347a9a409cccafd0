// Package ticket holds support tickets: opening them (with the information
// an urgent request must carry), the conversation, the staff queue, priority
// review and the customer's one appeal, and sharing by link.
package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
)

// Priority is how much a ticket hurts, as the seed defines it.
type Priority string

const (
	Urgent Priority = "urgent"
	High   Priority = "high"
	Normal Priority = "normal"
	Low    Priority = "low"
)

// Priorities lists the priorities, most pressing first.
var Priorities = []Priority{Urgent, High, Normal, Low}

// Rank orders priorities in the queue: 0 is most pressing.
func (p Priority) Rank() int {
	for i, q := range Priorities {
		if p == q {
			return i
		}
	}
	return -1
}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return p.Rank() >= 0 }

// Meaning explains when to pick the priority, next to the picker.
func (p Priority) Meaning() string {
	switch p {
	case Urgent:
		return "A production app is down or unusable for most of its users, with no workaround and serious impact on the business or its data. Production apps only."
	case High:
		return "A production app is significantly impaired, but a workaround exists."
	case Normal:
		return "A feature is impaired; the production app still works."
	case Low:
		return "General questions, with little or no impact."
	}
	return ""
}

// Status is where a ticket is in its life.
type Status string

const (
	StatusNew     Status = "new"
	StatusOpen    Status = "open"
	StatusPending Status = "pending" // waiting on the customer
	StatusOnHold  Status = "on_hold"
	StatusSolved  Status = "solved"
	StatusClosed  Status = "closed"
)

// Statuses lists every status in workflow order.
var Statuses = []Status{StatusNew, StatusOpen, StatusPending, StatusOnHold, StatusSolved, StatusClosed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if s == x {
			return true
		}
	}
	return false
}

// Active reports whether the ticket still needs work (it is in the queue).
func (s Status) Active() bool { return s != StatusSolved && s != StatusClosed }

// Environment is where the problem happens.
type Environment string

// Environments a ticket can be about.
var Environments = []Environment{"production", "staging", "development"}

// Production is the only environment urgent tickets may be about.
const Production Environment = "production"

// Category is what a ticket is about.
type Category struct{ Slug, Label string }

// Categories lists the ticket categories.
var Categories = []Category{
	{"deploys", "Deploys and builds"},
	{"runtime", "Runtime, dynos and errors"},
	{"data", "Databases and data"},
	{"addons", "Add-ons"},
	{"networking", "Domains, SSL and networking"},
	{"account", "Account and billing"},
	{"security", "Security"},
	{"other", "Something else"},
}

// AppealState tracks the customer's single appeal of a priority change.
type AppealState string

const (
	AppealNone       AppealState = ""
	AppealPending    AppealState = "pending"
	AppealUpheld     AppealState = "upheld"     // the staff change stands
	AppealOverturned AppealState = "overturned" // the original priority is restored
)

// Ticket is a support request of an organization.
type Ticket struct {
	ID               int64          `json:"id"`
	Number           int64          `json:"number"`
	OrgID            int64          `json:"organization_id"`
	OrgName          string         `json:"organization_name"`
	Plan             account.Plan   `json:"plan"`
	RequesterID      int64          `json:"requester_id"`
	RequesterName    string         `json:"requester_name"`
	AppID            *int64         `json:"app_id"`
	AppName          string         `json:"app_name,omitempty"`
	Subject          string         `json:"subject"`
	Description      string         `json:"description"`
	Environment      Environment    `json:"environment"`
	Category         string         `json:"category"`
	Status           Status         `json:"status"`
	Priority         Priority       `json:"priority"`
	OriginalPriority Priority       `json:"original_priority"`
	PriorityReason   string         `json:"priority_reason,omitempty"`
	AppealState      AppealState    `json:"appeal_state"`
	AssigneeID       *int64         `json:"assignee_id"`
	AssigneeName     string         `json:"assignee_name,omitempty"`
	Urgent           *UrgentDetails `json:"urgent,omitempty"`
	Redactions       int            `json:"redactions"`
	// SLADueAt is the earliest due time of the ticket's running SLA clocks;
	// nil when none runs (met, paused, or no target).
	SLADueAt *time.Time `json:"sla_due_at"`
	// FirstResponseAt is when support first replied publicly.
	FirstResponseAt *time.Time `json:"first_response_at"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

// PriorityChanged reports whether staff changed the customer's priority.
func (t Ticket) PriorityChanged() bool { return t.Priority != t.OriginalPriority }

// CanAppeal reports whether the customer may still appeal the priority.
func (t Ticket) CanAppeal() bool {
	return t.PriorityChanged() && t.AppealState == AppealNone && t.Status != StatusClosed
}

// UrgentDetails is what an urgent ticket carries, as the seed asks.
type UrgentDetails struct {
	AccessGranted          bool      `json:"access_granted"`
	AccessExpiresAt        time.Time `json:"access_expires_at"`
	UsersAffected          string    `json:"users_affected"`
	BusinessImpact         string    `json:"business_impact"`
	StepsToReproduce       string    `json:"steps_to_reproduce"`
	SeenInStaging          bool      `json:"seen_in_staging"`
	EnvironmentDifferences string    `json:"environment_differences,omitempty"`
	StartedAt              time.Time `json:"started_at"`
	Logs                   string    `json:"logs"`
	Config                 string    `json:"config"`
	ThirdPartyServices     string    `json:"third_party_services"`
}

// Redactor removes secrets from pasted text and says how many it removed.
type Redactor func(text string) (string, int)

// Notification is a public step of a ticket that people may be emailed
// about. It is handed to the Notifier inside the step's transaction, so the
// emails are queued exactly when the step commits.
type Notification struct {
	TicketID  int64
	Kind      string // "comment", "status_changed", "priority_changed", "appeal_decided"
	ID        int64  // the comment's or event's ID: one email per step and recipient
	Actor     *helpline.Actor
	CommentID int64 // for "comment"
	Data      map[string]any
}

// Notifier queues the emails of a step.
type Notifier interface {
	Notify(ctx context.Context, tx *sql.Tx, n Notification) error
}

// Change is a step of a ticket that other parts of Helpline follow (the SLA
// clock, on-call paging). Observers see it inside the step's transaction, so
// what they record commits or rolls back with the step.
type Change struct {
	Kind   ChangeKind
	Ticket Ticket // as it is after the step
	From   string // status_changed, priority_changed: the old value
	To     string // status_changed, priority_changed: the new value
	// Reason says why, for priority_changed: "priority_changed" for a staff
	// review, "appeal_overturned" when an appeal restored the priority.
	Reason string
	Actor  *helpline.Actor
	At     time.Time
}

// ChangeKind names a step observers follow.
type ChangeKind string

const (
	ChangeCreated         ChangeKind = "created"
	ChangeStatusChanged   ChangeKind = "status_changed"
	ChangePriorityChanged ChangeKind = "priority_changed"
	ChangeStaffReplied    ChangeKind = "staff_replied"    // a public reply from staff
	ChangeCustomerReplied ChangeKind = "customer_replied" // a reply from the customer's side
)

// Observer follows ticket steps in their transaction.
type Observer interface {
	TicketChanged(ctx context.Context, tx *sql.Tx, c Change) error
}

// notifiedEvents are the public steps customers are emailed about.
var notifiedEvents = map[string]bool{"status_changed": true, "priority_changed": true, "appeal_decided": true}

// Service is the ticket store and its rules.
type Service struct {
	db        *db.DB
	accounts  *account.Service
	redact    Redactor
	now       func() time.Time
	files     *FileStore
	notifier  Notifier
	observers []Observer
}

// Options configure a Service.
type Options struct {
	Now      func() time.Time
	Files    *FileStore
	Notifier Notifier // nil: no emails
}

// Observe adds an observer of every ticket step. Call it while wiring, before
// the service is used.
func (s *Service) Observe(o Observer) { s.observers = append(s.observers, o) }

// changed tells the observers about a step.
func (s *Service) changed(ctx context.Context, tx *sql.Tx, c Change) error {
	if c.At.IsZero() {
		c.At = s.nowUTC()
	}
	for _, o := range s.observers {
		if err := o.TicketChanged(ctx, tx, c); err != nil {
			return err
		}
	}
	return nil
}

// NewService returns a ticket service.
func NewService(d *db.DB, accounts *account.Service, redact Redactor, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{db: d, accounts: accounts, redact: redact, now: opts.Now, files: opts.Files, notifier: opts.Notifier}
}

func (s *Service) nowUTC() time.Time { return db.Time(s.now()) }

// event records a step in a ticket's history; public events are shown to
// the customer, the others only to staff.
func (s *Service) event(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, ticketID int64, kind string, public bool, data map[string]any) error {
	if data == nil {
		data = map[string]any{}
	}
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	var actorID *int64
	if actor != nil && actor.UserID != 0 {
		actorID = &actor.UserID
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO ticket_events (ticket_id, actor_id, kind, public, data, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		ticketID, actorID, kind, public, string(b), s.nowUTC()).Scan(&id)
	if err != nil {
		return err
	}
	if _, err = tx.ExecContext(ctx, `UPDATE tickets SET updated_at = $1 WHERE id = $2`, s.nowUTC(), ticketID); err != nil {
		return err
	}
	if public && notifiedEvents[kind] {
		return s.notify(ctx, tx, Notification{TicketID: ticketID, Kind: kind, ID: id, Actor: actor, Data: data})
	}
	return nil
}

func (s *Service) notify(ctx context.Context, tx *sql.Tx, n Notification) error {
	if s.notifier == nil {
		return nil
	}
	return s.notifier.Notify(ctx, tx, n)
}
