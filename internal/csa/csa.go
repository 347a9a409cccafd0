// Package csa is the enterprise portal of the Customer Solutions Architects:
// collections of articles they curate for enterprise customers, and
// engagements (high-traffic event preparation, performance analysis,
// architecture review) with their own lifecycle, owner, meetings,
// deliverables and reminders. CSAs do not take break/fix work: requests that
// describe an outage are pointed at an urgent ticket, and an engagement can
// become a ticket (and a ticket an engagement) with its history kept.
package csa

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/status"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// Kind is what an engagement is for.
type Kind string

const (
	KindEvent        Kind = "event"        // high-traffic event preparation
	KindPerformance  Kind = "performance"  // application performance analysis
	KindArchitecture Kind = "architecture" // architecture review
)

// Kinds lists the kinds in the order the portal offers them.
var Kinds = []Kind{KindEvent, KindPerformance, KindArchitecture}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindEvent || k == KindPerformance || k == KindArchitecture }

// Label names the kind for people.
func (k Kind) Label() string {
	switch k {
	case KindEvent:
		return "High-traffic event preparation"
	case KindPerformance:
		return "Application performance analysis"
	case KindArchitecture:
		return "Architecture review"
	}
	return string(k)
}

// Blurb says what the kind is for, next to the button that requests it.
func (k Kind) Blurb() string {
	switch k {
	case KindEvent:
		return "A launch, a sale or a broadcast ahead? We review your formation, database and limits with you, and are on the calendar for the day."
	case KindPerformance:
		return "Slow responses, memory growth or timeouts that are not an outage: we analyse your metrics and logs and recommend changes."
	case KindArchitecture:
		return "Designing something new or outgrowing the current design: we review it against your goals and constraints."
	}
	return ""
}

// State is where an engagement is in its life.
type State string

const (
	StateRequested  State = "requested"
	StateScheduled  State = "scheduled"
	StateInProgress State = "in_progress"
	StateDelivered  State = "delivered"
	StateClosed     State = "closed"
)

// States lists the states in lifecycle order.
var States = []State{StateRequested, StateScheduled, StateInProgress, StateDelivered, StateClosed}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	for _, x := range States {
		if s == x {
			return true
		}
	}
	return false
}

// rank orders states in the queue: what needs attention first.
func (s State) rank() int {
	switch s {
	case StateRequested:
		return 0
	case StateScheduled, StateInProgress:
		return 1
	case StateDelivered:
		return 2
	}
	return 3
}

// Open reports whether the engagement still needs work.
func (s State) Open() bool { return s != StateClosed }

// Next lists the states staff may move an engagement in s to: one step
// forward, one step back (a meeting moved, a deliverable reopened), and
// closed from anywhere (declined, withdrawn, done).
func (s State) Next() []State {
	switch s {
	case StateRequested:
		return []State{StateScheduled, StateClosed}
	case StateScheduled:
		return []State{StateInProgress, StateRequested, StateClosed}
	case StateInProgress:
		return []State{StateDelivered, StateScheduled, StateClosed}
	case StateDelivered:
		return []State{StateClosed, StateInProgress}
	}
	return nil
}

// CanMoveTo reports whether staff may move an engagement from s to to.
func (s State) CanMoveTo(to State) bool {
	for _, n := range s.Next() {
		if n == to {
			return true
		}
	}
	return false
}

// EventDetails is the high-traffic event preparation form.
type EventDetails struct {
	Name     string    `json:"name"`
	StartsAt time.Time `json:"starts_at"` // UTC
	// TimeZone is the IANA zone the customer gave, to show the time in;
	// empty when they gave an offset only.
	TimeZone            string   `json:"time_zone,omitempty"`
	PeakRPS             int      `json:"peak_rps"`
	PeakConcurrentUsers int      `json:"peak_concurrent_users"`
	Apps                []string `json:"apps"`
	DynoFormation       string   `json:"dyno_formation"`
	DatabasePlan        string   `json:"database_plan"`
	Concerns            string   `json:"concerns"`
	// loc is TimeZone, loaded once by the service that read the event.
	loc *time.Location
}

// LocalStart is the event's start in its own time zone, for display.
func (e EventDetails) LocalStart() string {
	loc := e.loc
	if loc == nil && e.TimeZone != "" {
		loc, _ = time.LoadLocation(e.TimeZone)
	}
	if loc == nil {
		return ticket.FormatUTC(e.StartsAt)
	}
	return e.StartsAt.In(loc).Format("Mon Jan 2, 2006 15:04 MST") + " (" + e.TimeZone + ")"
}

// PerformanceDetails is the application performance analysis form.
type PerformanceDetails struct {
	Apps     []string  `json:"apps"`
	Symptoms string    `json:"symptoms"`
	Metrics  string    `json:"metrics"` // metrics or log excerpts, redacted
	Since    time.Time `json:"since"`   // UTC
}

// ArchitectureDetails is the architecture review form.
type ArchitectureDetails struct {
	Goal          string `json:"goal"`
	CurrentDesign string `json:"current_design"`
	Constraints   string `json:"constraints"`
	Deadline      string `json:"deadline"` // a date, 2006-01-02
}

// Signal is one sign that a request describes a current outage.
type Signal struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Engagement is an enterprise customer's request for the CSA team's help.
type Engagement struct {
	ID            int64        `json:"id"`
	OrgID         int64        `json:"organization_id"`
	OrgName       string       `json:"organization_name"`
	Plan          account.Plan `json:"plan"`
	RequesterID   int64        `json:"requester_id"`
	RequesterName string       `json:"requester_name"`
	Kind          Kind         `json:"kind"`
	Title         string       `json:"title"`
	State         State        `json:"state"`
	OwnerID       *int64       `json:"owner_id"`
	OwnerName     string       `json:"owner_name,omitempty"`
	// One of the three is set, for the engagement's kind; none when it was
	// converted from a ticket, whose text is the Summary.
	Event        *EventDetails        `json:"event,omitempty"`
	Performance  *PerformanceDetails  `json:"performance,omitempty"`
	Architecture *ArchitectureDetails `json:"architecture,omitempty"`
	Summary      string               `json:"summary,omitempty"`
	// EventAt is when a high-traffic event starts.
	EventAt *time.Time `json:"event_at,omitempty"`
	// BreakFixSignals are outage signs the customer confirmed were not an
	// outage when requesting.
	BreakFixSignals []Signal `json:"break_fix_signals,omitempty"`
	// TicketNumber is the support ticket the engagement became;
	// FromTicketNumber the ticket it came from.
	TicketNumber     *int64     `json:"ticket_number,omitempty"`
	FromTicketNumber *int64     `json:"from_ticket_number,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	ClosedAt         *time.Time `json:"closed_at,omitempty"`
}

// Apps are the app names the engagement is about.
func (e Engagement) Apps() []string {
	switch {
	case e.Event != nil:
		return e.Event.Apps
	case e.Performance != nil:
		return e.Performance.Apps
	}
	return nil
}

// JobInserter inserts background jobs in the caller's transaction.
type JobInserter = notify.JobInserter

// Service is the enterprise portal's store and rules.
type Service struct {
	db       *db.DB
	accounts *account.Service
	tickets  *ticket.Service
	docs     *docs.Service
	status   *status.Service
	files    *ticket.FileStore
	outbox   *notify.Outbox
	redact   ticket.Redactor
	now      func() time.Time
	// zones caches loaded time zones by name: lists show many events, and
	// loading a zone reads the zone database.
	zones *sync.Map
}

// Options are a Service's collaborators.
type Options struct {
	Now     func() time.Time
	Tickets *ticket.Service
	Docs    *docs.Service
	// Status puts reminders in customers' notification centers and
	// scheduled maintenance on the staff calendar.
	Status *status.Service
	// Files keeps deliverable files (the attachments' store).
	Files *ticket.FileStore
	// Outbox emails engagement news; nil sends none.
	Outbox *notify.Outbox
	// Redact removes secrets from what customers paste.
	Redact ticket.Redactor
}

// NewService returns the enterprise portal service.
func NewService(d *db.DB, accounts *account.Service, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Redact == nil {
		opts.Redact = func(s string) (string, int) { return s, 0 }
	}
	return &Service{db: d, accounts: accounts, tickets: opts.Tickets, docs: opts.Docs, status: opts.Status,
		files: opts.Files, outbox: opts.Outbox, redact: opts.Redact, now: opts.Now, zones: &sync.Map{}}
}

// localize loads the time zone an engagement's event is shown in.
func (s *Service) localize(e *Engagement) {
	if e.Event == nil || e.Event.TimeZone == "" {
		return
	}
	if loc, ok := s.zones.Load(e.Event.TimeZone); ok {
		e.Event.loc = loc.(*time.Location)
		return
	}
	if loc, err := time.LoadLocation(e.Event.TimeZone); err == nil {
		s.zones.Store(e.Event.TimeZone, loc)
		e.Event.loc = loc
	}
}

func (s *Service) nowUTC() time.Time { return db.Time(s.now()) }

// errPortal is what customers of other plans are told.
func errPortal(plan account.Plan) error {
	msg := "The enterprise portal is for organizations on the Enterprise, Premier and Legacy Enterprise plans."
	if plan != "" {
		msg += fmt.Sprintf(" Your organization is on the %s plan: the Dev Center, the knowledge base and support tickets are yours, and the sales team can tell you about enterprise plans.", plan.Label())
	}
	return helpline.Errorf(helpline.KindForbidden, "%s", msg)
}

// PortalOrgs returns the enterprise organizations the actor belongs to. A
// customer with none is refused the portal; staff get every enterprise
// organization's view, so the list is empty for them.
func (s *Service) PortalOrgs(ctx context.Context, actor *helpline.Actor) ([]account.Organization, error) {
	if actor == nil {
		return nil, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	if actor.IsStaff() {
		return []account.Organization{}, nil
	}
	ms, err := s.accounts.FindMemberships(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	var out []account.Organization
	var other account.Plan
	for _, m := range ms {
		if m.Org.Plan.IsEnterprise() {
			out = append(out, m.Org)
		} else if other == "" {
			other = m.Org.Plan
		}
	}
	if len(out) == 0 {
		return nil, errPortal(other)
	}
	return out, nil
}

// requireArchitect allows the CSA team (and admins) to change engagements
// and collections; support agents read them.
func requireArchitect(actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	if actor.StaffRole != helpline.RoleCSA && actor.StaffRole != helpline.RoleAdmin {
		return helpline.Errorf(helpline.KindForbidden, "this needs the solutions architect (csa) or admin role")
	}
	return nil
}

// Architect is a member of the CSA team who can own engagements.
type Architect struct {
	ID    int64              `json:"id"`
	Name  string             `json:"name"`
	Email string             `json:"email"`
	Role  helpline.StaffRole `json:"staff_role"`
}

// FindArchitects lists who may own engagements: solutions architects, then
// admins. Any staff member may ask.
func (s *Service) FindArchitects(ctx context.Context, actor *helpline.Actor) ([]Architect, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, email, staff_role FROM users WHERE staff_role IN ('csa', 'admin')
		ORDER BY CASE staff_role WHEN 'csa' THEN 0 ELSE 1 END, lower(name), id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Architect{}
	for rows.Next() {
		var a Architect
		if err := rows.Scan(&a.ID, &a.Name, &a.Email, &a.Role); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func notFound() error { return helpline.NotFound("engagement") }

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// trimAll trims every string the pointers point at.
func trimAll(ps ...*string) {
	for _, p := range ps {
		*p = strings.TrimSpace(*p)
	}
}

// WithClock returns a copy of the service on another clock: the demo
// replays engagements requested days ago.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}
