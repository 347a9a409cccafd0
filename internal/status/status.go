// Package status is the platform status page: components and their status,
// incidents and scheduled maintenance with their updates, uptime, the
// snapshot the public page and JSON are served from, subscriptions and
// notifications, and the links between incidents and tickets.
package status

import (
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// ComponentStatus is a component's state, with Statuspage's value set.
type ComponentStatus string

const (
	Operational         ComponentStatus = "operational"
	DegradedPerformance ComponentStatus = "degraded_performance"
	PartialOutage       ComponentStatus = "partial_outage"
	MajorOutage         ComponentStatus = "major_outage"
	UnderMaintenance    ComponentStatus = "under_maintenance"
)

// ComponentStatuses lists the valid component statuses, best first.
var ComponentStatuses = []ComponentStatus{Operational, UnderMaintenance, DegradedPerformance, PartialOutage, MajorOutage}

// Component is a part of the platform on the status page. Groups (Apps,
// Data, Tools) hold components; the platform's CLI calls groups "systems".
type Component struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Group       bool            `json:"group"`
	GroupID     int64           `json:"group_id,omitempty"` // 0: top level
	Position    int             `json:"position"`
	Status      ComponentStatus `json:"status"`
	// Region and Keywords let incidents find related tickets and apps:
	// an app in Region, or a ticket mentioning a keyword.
	Region    string    `json:"region,omitempty"`
	Keywords  []string  `json:"keywords,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ComponentInput is what creating or editing a component takes.
type ComponentInput struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Group       bool            `json:"group"`
	GroupID     int64           `json:"group_id"`
	Position    int             `json:"position"`
	Status      ComponentStatus `json:"status"`
	Region      string          `json:"region"`
	Keywords    []string        `json:"keywords"`
}

// Kind tells incidents from scheduled maintenance.
type Kind string

const (
	KindIncident    Kind = "incident"
	KindMaintenance Kind = "maintenance"
)

// Impact is an incident's severity, with Statuspage's value set.
type Impact string

const (
	ImpactNone     Impact = "none"
	ImpactMinor    Impact = "minor"
	ImpactMajor    Impact = "major"
	ImpactCritical Impact = "critical"
	// ImpactMaintenance is the impact of every scheduled maintenance, as
	// on Statuspage.
	ImpactMaintenance Impact = "maintenance"
)

// Impacts lists an incident's impacts, least first.
var Impacts = []Impact{ImpactNone, ImpactMinor, ImpactMajor, ImpactCritical}

// IncidentStatus is where an incident or maintenance is in its lifecycle.
type IncidentStatus string

const (
	Investigating IncidentStatus = "investigating"
	Identified    IncidentStatus = "identified"
	Monitoring    IncidentStatus = "monitoring"
	Resolved      IncidentStatus = "resolved"
	Postmortem    IncidentStatus = "postmortem"

	Scheduled  IncidentStatus = "scheduled"
	InProgress IncidentStatus = "in_progress"
	Verifying  IncidentStatus = "verifying"
	Completed  IncidentStatus = "completed"
)

// ComponentChange is the status an incident gives one component.
type ComponentChange struct {
	ComponentID int64           `json:"component_id"`
	Name        string          `json:"name,omitempty"`
	Status      ComponentStatus `json:"status"`
}

// Update is one entry of an incident's timeline.
type Update struct {
	ID         int64             `json:"id"`
	IncidentID int64             `json:"incident_id"`
	Status     IncidentStatus    `json:"status"`
	Body       string            `json:"body"`
	Notify     bool              `json:"notify"`
	Components []ComponentChange `json:"affected_components"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// Incident is an incident or a scheduled maintenance.
type Incident struct {
	ID         int64             `json:"id"`
	Kind       Kind              `json:"kind"`
	Name       string            `json:"name"`
	Status     IncidentStatus    `json:"status"`
	Impact     Impact            `json:"impact"`
	Components []ComponentChange `json:"components"`
	Updates    []Update          `json:"incident_updates"` // newest first
	// Maintenance window; jobs start and complete it on time when
	// AutoTransition is set.
	ScheduledFor   *time.Time `json:"scheduled_for,omitempty"`
	ScheduledUntil *time.Time `json:"scheduled_until,omitempty"`
	AutoTransition bool       `json:"auto_transition"`
	StartedAt      time.Time  `json:"started_at"`
	MonitoringAt   *time.Time `json:"monitoring_at,omitempty"`
	ResolvedAt     *time.Time `json:"resolved_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	URL            string     `json:"url"` // /incidents/{id}
}

// Active reports whether the incident is unresolved, or the maintenance is
// in progress or verifying.
func (i Incident) Active() bool {
	switch i.Status {
	case Resolved, Postmortem, Completed, Scheduled:
		return false
	}
	return true
}

// IncidentInput opens an incident or schedules maintenance; Body is the
// first update.
type IncidentInput struct {
	Kind           Kind              `json:"kind"`
	Name           string            `json:"name"`
	Status         IncidentStatus    `json:"status"`
	Impact         Impact            `json:"impact"`
	Body           string            `json:"body"`
	Components     []ComponentChange `json:"components"`
	Notify         bool              `json:"notify"`
	ScheduledFor   *time.Time        `json:"scheduled_for"`
	ScheduledUntil *time.Time        `json:"scheduled_until"`
	AutoTransition bool              `json:"auto_transition"`
}

// UpdateInput posts an update: a new status, what happened, and the
// components' statuses from now on (empty keeps them).
type UpdateInput struct {
	Status     IncidentStatus    `json:"status"`
	Body       string            `json:"body"`
	Components []ComponentChange `json:"components"`
	Impact     Impact            `json:"impact"` // empty keeps it
	Notify     bool              `json:"notify"`
}

// IncidentFilter selects incidents, newest first.
type IncidentFilter struct {
	Kind Kind
	// State is "active", "unresolved" (incidents), "upcoming" (maintenance
	// not started), "resolved" or "" for all.
	State string
	helpline.Page
}

// Template is a reusable update text for operators.
type Template struct {
	ID     int64          `json:"id"`
	Name   string         `json:"name"`
	Kind   Kind           `json:"kind"`
	Status IncidentStatus `json:"status"`
	Title  string         `json:"title"`
	Body   string         `json:"body"`
}

// DayUptime is one bar of a component's 90-day uptime.
type DayUptime struct {
	Date   time.Time       `json:"date"`   // midnight UTC
	Uptime float64         `json:"uptime"` // 0..1 of the day operational or under maintenance
	Worst  ComponentStatus `json:"worst"`
	// Outage minutes by status, for the bar's tooltip.
	Minutes map[ComponentStatus]int `json:"minutes,omitempty"`
}

// ComponentView is a component on the public page.
type ComponentView struct {
	Component
	Uptime90  []DayUptime `json:"uptime"`
	UptimePct float64     `json:"uptime_pct"` // over the 90 days
}

// Snapshot is everything the public page, the v2/v4 JSON and the feeds
// show, built in one go and served from memory until something changes.
type Snapshot struct {
	Version int64     `json:"version"`
	BuiltAt time.Time `json:"built_at"`
	// UpdatedAt is when anything on the page last changed (Last-Modified).
	UpdatedAt time.Time `json:"updated_at"`
	// Indicator is none, minor, major or critical; Description says it in
	// words ("All Systems Operational").
	Indicator   string          `json:"indicator"`
	Description string          `json:"description"`
	Components  []ComponentView `json:"components"` // in page order, groups before their members
	Active      []Incident      `json:"active"`     // unresolved incidents and maintenance in progress
	Upcoming    []Incident      `json:"upcoming"`   // scheduled maintenance not started
	Recent      []Incident      `json:"recent"`     // resolved in the last 15 days, and the 50 newest for feeds
}

// Event is a step subscribers are told about.
type Event struct {
	Kind       string // incident_created, incident_updated, incident_resolved, maintenance_scheduled, maintenance_started, maintenance_completed
	IncidentID int64
	UpdateID   int64
}

// Service is the status page's store and rules.
type Service struct {
	db       *db.DB
	accounts *account.Service
	tickets  *ticket.Service
	jobs     JobInserter
	now      func() time.Time
	baseURL  string
	// changed is called after a committed change, so the snapshot cache
	// rebuilds (set by the cache).
	changed func()
}

// JobInserter inserts River jobs in the caller's transaction.
type JobInserter = account.JobInserter

// Options configure a Service.
type Options struct {
	Now     func() time.Time
	Jobs    JobInserter
	Tickets *ticket.Service
	BaseURL string
}

// NewService returns the status service.
func NewService(d *db.DB, accounts *account.Service, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{db: d, accounts: accounts, tickets: opts.Tickets, jobs: opts.Jobs, now: opts.Now, baseURL: opts.BaseURL, changed: func() {}}
}

func (s *Service) nowUTC() time.Time { return db.Time(s.now()) }

// OnChange sets the function called after every committed change.
func (s *Service) OnChange(fn func()) { s.changed = fn }

// Backdated returns a copy of the service whose clock is now: the demo
// records its history through the same rules, at the times it happened.
func (s *Service) Backdated(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// ---- incidents and tickets ----

// LinkedTicket is a ticket linked to an incident.
type LinkedTicket struct {
	TicketID int64     `json:"ticket_id"`
	Number   int64     `json:"number"`
	Subject  string    `json:"subject"`
	Status   string    `json:"status"`
	Reason   string    `json:"reason"` // "mentions Data: Postgres (EU)" or "app acme-api runs in eu"
	LinkedAt time.Time `json:"linked_at"`
}
