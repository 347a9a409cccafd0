package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// StatusComponent is a part of the platform on the status page; groups
// (Apps, Data, Tools) hold components.
type StatusComponent struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Group       bool      `json:"group"`
	GroupID     int64     `json:"group_id,omitempty"` // 0: top level
	Position    int       `json:"position"`
	Status      string    `json:"status"` // operational, degraded_performance, partial_outage, major_outage, under_maintenance
	Region      string    `json:"region,omitempty"`
	Keywords    []string  `json:"keywords,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// StatusComponentInput creates or replaces a component (admins).
type StatusComponentInput struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Group       bool     `json:"group,omitempty"`
	GroupID     int64    `json:"group_id,omitempty"`
	Position    int      `json:"position,omitempty"`
	Status      string   `json:"status,omitempty"`
	Region      string   `json:"region,omitempty"`
	Keywords    []string `json:"keywords,omitempty"`
}

// ComponentChange is the status an incident gives one component.
type ComponentChange struct {
	ComponentID int64  `json:"component_id"`
	Name        string `json:"name,omitempty"`
	Status      string `json:"status"`
}

// IncidentUpdate is one entry of an incident's timeline.
type IncidentUpdate struct {
	ID         int64             `json:"id"`
	IncidentID int64             `json:"incident_id"`
	Status     string            `json:"status"`
	Body       string            `json:"body"`
	Notify     bool              `json:"notify"`
	Components []ComponentChange `json:"affected_components"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// Incident is an incident or a scheduled maintenance.
type Incident struct {
	ID             int64             `json:"id"`
	Kind           string            `json:"kind"` // incident or maintenance
	Name           string            `json:"name"`
	Status         string            `json:"status"`
	Impact         string            `json:"impact"`
	Components     []ComponentChange `json:"components"`
	Updates        []IncidentUpdate  `json:"incident_updates"` // newest first
	ScheduledFor   *time.Time        `json:"scheduled_for,omitempty"`
	ScheduledUntil *time.Time        `json:"scheduled_until,omitempty"`
	AutoTransition bool              `json:"auto_transition"`
	StartedAt      time.Time         `json:"started_at"`
	MonitoringAt   *time.Time        `json:"monitoring_at,omitempty"`
	ResolvedAt     *time.Time        `json:"resolved_at,omitempty"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	URL            string            `json:"url"` // a path: /incidents/{id}
}

// IncidentInput opens an incident or schedules maintenance (staff); Body is
// the first update.
type IncidentInput struct {
	Kind           string            `json:"kind,omitempty"` // incident (default) or maintenance
	Name           string            `json:"name"`
	Status         string            `json:"status,omitempty"`
	Impact         string            `json:"impact,omitempty"`
	Body           string            `json:"body"`
	Components     []ComponentChange `json:"components,omitempty"`
	Notify         bool              `json:"notify,omitempty"`
	ScheduledFor   *time.Time        `json:"scheduled_for,omitempty"`
	ScheduledUntil *time.Time        `json:"scheduled_until,omitempty"`
	// AutoTransition lets jobs start and complete maintenance on time.
	AutoTransition bool `json:"auto_transition,omitempty"`
}

// IncidentUpdateInput posts an update: the new status, what happened and
// the components' statuses from now on (empty keeps them).
type IncidentUpdateInput struct {
	Status     string            `json:"status"`
	Body       string            `json:"body"`
	Components []ComponentChange `json:"components,omitempty"`
	Impact     string            `json:"impact,omitempty"` // empty keeps it
	Notify     bool              `json:"notify,omitempty"`
}

// IncidentFilter narrows ListIncidents.
type IncidentFilter struct {
	Kind  string // incident or maintenance
	State string // active, unresolved, upcoming or resolved
	Page
}

// LinkedTicket is a ticket linked to an incident.
type LinkedTicket struct {
	TicketID int64     `json:"ticket_id"`
	Number   int64     `json:"number"`
	Subject  string    `json:"subject"`
	Status   string    `json:"status"`
	Reason   string    `json:"reason"`
	LinkedAt time.Time `json:"linked_at"`
}

// StatusTemplate is a reusable update text for operators.
type StatusTemplate struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	Title  string `json:"title"`
	Body   string `json:"body"`
}

// StatusTemplateInput creates or replaces a template (admins).
type StatusTemplateInput struct {
	Name   string `json:"name"`
	Kind   string `json:"kind,omitempty"`
	Status string `json:"status,omitempty"`
	Title  string `json:"title,omitempty"`
	Body   string `json:"body"`
}

// StatusSubscription is an email or webhook subscription to the status page.
type StatusSubscription struct {
	ID           int64      `json:"id"`
	Kind         string     `json:"kind"` // email or webhook
	Email        string     `json:"email,omitempty"`
	URL          string     `json:"url,omitempty"`
	UserID       int64      `json:"user_id,omitempty"`
	ComponentIDs []int64    `json:"component_ids"` // empty: every component
	ConfirmedAt  *time.Time `json:"confirmed_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	// Secret signs a webhook's deliveries; Subscribe returns it once.
	Secret string `json:"secret,omitempty"`
}

// SubscribeInput subscribes an email address or a webhook URL.
type SubscribeInput struct {
	Email        string  `json:"email,omitempty"`
	URL          string  `json:"url,omitempty"`
	ComponentIDs []int64 `json:"component_ids,omitempty"`
}

// TargetedNotification reaches the organizations with an app matching every
// filter given (staff).
type TargetedNotification struct {
	Title  string   `json:"title"`
	Body   string   `json:"body"`
	Apps   []string `json:"apps,omitempty"`
	Addon  string   `json:"addon,omitempty"`
	Region string   `json:"region,omitempty"`
	Email  bool     `json:"email,omitempty"` // also email the members
	URL    string   `json:"url,omitempty"`   // a link shown with the notice
}

// Notice is an entry of the user's notification center.
type Notice struct {
	ID        int64      `json:"id"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	URL       string     `json:"url,omitempty"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// NoticeFilter narrows Notices.
type NoticeFilter struct {
	Unread bool
	Page
}

func statusPath(kind string, id int64) string {
	return "/api/v1/status/" + kind + "/" + strconv.FormatInt(id, 10)
}

// StatusComponents lists the components in page order (staff).
func (c *Client) StatusComponents(ctx context.Context) ([]StatusComponent, error) {
	var out struct {
		Components []StatusComponent `json:"components"`
	}
	err := c.Do(ctx, "GET", "/api/v1/status/components", nil, &out)
	return out.Components, err
}

// CreateStatusComponent adds a component (admins).
func (c *Client) CreateStatusComponent(ctx context.Context, in StatusComponentInput) (StatusComponent, error) {
	var out StatusComponent
	err := c.Do(ctx, "POST", "/api/v1/status/components", in, &out)
	return out, err
}

// UpdateStatusComponent replaces a component (admins).
func (c *Client) UpdateStatusComponent(ctx context.Context, id int64, in StatusComponentInput) (StatusComponent, error) {
	var out StatusComponent
	err := c.Do(ctx, "PUT", statusPath("components", id), in, &out)
	return out, err
}

// DeleteStatusComponent removes a component (admins).
func (c *Client) DeleteStatusComponent(ctx context.Context, id int64) error {
	return c.Do(ctx, "DELETE", statusPath("components", id), nil, nil)
}

// IncidentsPath is the API path of an incident list, for callers that want
// its raw JSON.
func IncidentsPath(f IncidentFilter) string {
	v := url.Values{}
	if f.Kind != "" {
		v.Set("kind", f.Kind)
	}
	if f.State != "" {
		v.Set("state", f.State)
	}
	return "/api/v1/status/incidents" + f.Page.query(v)
}

// ListIncidents lists incidents and maintenance, newest first, and how many
// match (staff).
func (c *Client) ListIncidents(ctx context.Context, f IncidentFilter) ([]Incident, int, error) {
	var out struct {
		Incidents []Incident `json:"incidents"`
		Total     int        `json:"total"`
	}
	err := c.Do(ctx, "GET", IncidentsPath(f), nil, &out)
	return out.Incidents, out.Total, err
}

// CreateIncident opens an incident or schedules maintenance (staff).
func (c *Client) CreateIncident(ctx context.Context, in IncidentInput) (Incident, error) {
	var out Incident
	err := c.Do(ctx, "POST", "/api/v1/status/incidents", in, &out)
	return out, err
}

// GetIncident returns an incident with its timeline (staff).
func (c *Client) GetIncident(ctx context.Context, id int64) (Incident, error) {
	var out Incident
	err := c.Do(ctx, "GET", statusPath("incidents", id), nil, &out)
	return out, err
}

// PostIncidentUpdate adds an update to an incident and returns the incident
// (staff).
func (c *Client) PostIncidentUpdate(ctx context.Context, id int64, in IncidentUpdateInput) (Incident, error) {
	var out Incident
	err := c.Do(ctx, "POST", statusPath("incidents", id)+"/updates", in, &out)
	return out, err
}

// IncidentTickets lists the tickets linked to an incident (staff).
func (c *Client) IncidentTickets(ctx context.Context, id int64) ([]LinkedTicket, error) {
	var out struct {
		Tickets []LinkedTicket `json:"tickets"`
	}
	err := c.Do(ctx, "GET", statusPath("incidents", id)+"/tickets", nil, &out)
	return out.Tickets, err
}

// LinkIncidentTicket links a ticket to an incident and returns the linked
// tickets (staff).
func (c *Client) LinkIncidentTicket(ctx context.Context, id, ticketID int64) ([]LinkedTicket, error) {
	var out struct {
		Tickets []LinkedTicket `json:"tickets"`
	}
	err := c.Do(ctx, "POST", statusPath("incidents", id)+"/tickets", map[string]int64{"ticket_id": ticketID}, &out)
	return out.Tickets, err
}

// ReplyToIncidentTickets posts one public reply on every open linked ticket
// and returns how many got it (staff).
func (c *Client) ReplyToIncidentTickets(ctx context.Context, id int64, body string) (int, error) {
	var out struct {
		Replied int `json:"replied"`
	}
	err := c.Do(ctx, "POST", statusPath("incidents", id)+"/reply", map[string]string{"body": body}, &out)
	return out.Replied, err
}

// StatusTemplates lists the update templates (staff).
func (c *Client) StatusTemplates(ctx context.Context) ([]StatusTemplate, error) {
	var out struct {
		Templates []StatusTemplate `json:"templates"`
	}
	err := c.Do(ctx, "GET", "/api/v1/status/templates", nil, &out)
	return out.Templates, err
}

// CreateStatusTemplate adds a template (admins).
func (c *Client) CreateStatusTemplate(ctx context.Context, in StatusTemplateInput) (StatusTemplate, error) {
	var out StatusTemplate
	err := c.Do(ctx, "POST", "/api/v1/status/templates", in, &out)
	return out, err
}

// UpdateStatusTemplate replaces a template (admins).
func (c *Client) UpdateStatusTemplate(ctx context.Context, id int64, in StatusTemplateInput) (StatusTemplate, error) {
	var out StatusTemplate
	err := c.Do(ctx, "PUT", statusPath("templates", id), in, &out)
	return out, err
}

// DeleteStatusTemplate removes a template (admins).
func (c *Client) DeleteStatusTemplate(ctx context.Context, id int64) error {
	return c.Do(ctx, "DELETE", statusPath("templates", id), nil, nil)
}

// Subscribe subscribes an email address (which must confirm) or a webhook;
// with a token the subscription is the token user's.
func (c *Client) Subscribe(ctx context.Context, in SubscribeInput) (StatusSubscription, error) {
	var out StatusSubscription
	err := c.Do(ctx, "POST", "/api/v1/status/subscriptions", in, &out)
	return out, err
}

// StatusSubscriptions lists the user's subscriptions (staff: everyone's).
func (c *Client) StatusSubscriptions(ctx context.Context) ([]StatusSubscription, error) {
	var out struct {
		Subscriptions []StatusSubscription `json:"subscriptions"`
	}
	err := c.Do(ctx, "GET", "/api/v1/status/subscriptions", nil, &out)
	return out.Subscriptions, err
}

// SetSubscriptionComponents changes the components a subscription covers
// (none: every component).
func (c *Client) SetSubscriptionComponents(ctx context.Context, id int64, componentIDs []int64) (StatusSubscription, error) {
	if componentIDs == nil {
		componentIDs = []int64{}
	}
	var out StatusSubscription
	err := c.Do(ctx, "PUT", statusPath("subscriptions", id), map[string][]int64{"component_ids": componentIDs}, &out)
	return out, err
}

// DeleteSubscription removes one of the user's subscriptions.
func (c *Client) DeleteSubscription(ctx context.Context, id int64) error {
	return c.Do(ctx, "DELETE", statusPath("subscriptions", id), nil, nil)
}

// NotifyOrganizations sends a targeted notification and returns how many
// organizations it reached (staff).
func (c *Client) NotifyOrganizations(ctx context.Context, in TargetedNotification) (int, error) {
	var out struct {
		Organizations int `json:"organizations"`
	}
	err := c.Do(ctx, "POST", "/api/v1/status/notifications", in, &out)
	return out.Organizations, err
}

// Notices lists the user's notices, newest first, and how many are unread.
func (c *Client) Notices(ctx context.Context, f NoticeFilter) ([]Notice, int, error) {
	v := url.Values{}
	if f.Unread {
		v.Set("unread", "true")
	}
	var out struct {
		Notices []Notice `json:"notices"`
		Unread  int      `json:"unread"`
	}
	err := c.Do(ctx, "GET", "/api/v1/me/notices"+f.Page.query(v), nil, &out)
	return out.Notices, out.Unread, err
}

// ReadNotice marks one of the user's notices read.
func (c *Client) ReadNotice(ctx context.Context, id int64) error {
	return c.Do(ctx, "POST", fmt.Sprintf("/api/v1/me/notices/%d/read", id), nil, nil)
}

// ReadAllNotices marks all the user's notices read.
func (c *Client) ReadAllNotices(ctx context.Context) error {
	return c.Do(ctx, "POST", "/api/v1/me/notices/read-all", nil, nil)
}

// ---- the public status summary (Atlassian Statuspage's v2 JSON) ----

// SummaryPath is the public status summary, readable without a token.
const SummaryPath = "/api/v2/summary.json"

// SummaryID is a Statuspage ID: a string there, a number on some servers;
// both decode.
type SummaryID string

// UnmarshalJSON accepts a string or a number.
func (id *SummaryID) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*id = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*id = SummaryID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("an ID must be a string or a number, not %s", b)
	}
	*id = SummaryID(n.String())
	return nil
}

// StatusSummary is /api/v2/summary.json: the page's overall status, its
// components, unresolved incidents and upcoming or active maintenance.
type StatusSummary struct {
	Page struct {
		ID        SummaryID `json:"id"`
		Name      string    `json:"name"`
		URL       string    `json:"url"`
		TimeZone  string    `json:"time_zone"`
		UpdatedAt time.Time `json:"updated_at"`
	} `json:"page"`
	Status struct {
		Indicator   string `json:"indicator"` // none, minor, major or critical
		Description string `json:"description"`
	} `json:"status"`
	Components            []SummaryComponent `json:"components"` // flat: members name their group_id
	Incidents             []SummaryIncident  `json:"incidents"`
	ScheduledMaintenances []SummaryIncident  `json:"scheduled_maintenances"`
}

// SummaryComponent is a component of the summary.
type SummaryComponent struct {
	ID          SummaryID   `json:"id"`
	Name        string      `json:"name"`
	Status      string      `json:"status"`
	Description string      `json:"description"`
	Position    int         `json:"position"`
	Group       bool        `json:"group"`
	GroupID     SummaryID   `json:"group_id"` // empty: top level
	Components  []SummaryID `json:"components,omitempty"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

// SummaryIncident is an incident or a scheduled maintenance of the summary.
type SummaryIncident struct {
	ID              SummaryID          `json:"id"`
	Name            string             `json:"name"`
	Status          string             `json:"status"`
	Impact          string             `json:"impact"`
	Shortlink       string             `json:"shortlink"`
	CreatedAt       time.Time          `json:"created_at"`
	UpdatedAt       time.Time          `json:"updated_at"`
	StartedAt       *time.Time         `json:"started_at"`
	MonitoringAt    *time.Time         `json:"monitoring_at"`
	ResolvedAt      *time.Time         `json:"resolved_at"`
	ScheduledFor    *time.Time         `json:"scheduled_for,omitempty"`
	ScheduledUntil  *time.Time         `json:"scheduled_until,omitempty"`
	IncidentUpdates []SummaryUpdate    `json:"incident_updates"` // newest first
	Components      []SummaryComponent `json:"components"`
}

// SummaryUpdate is one update of a SummaryIncident.
type SummaryUpdate struct {
	ID         SummaryID `json:"id"`
	IncidentID SummaryID `json:"incident_id"`
	Status     string    `json:"status"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	DisplayAt  time.Time `json:"display_at"`
}

// StatusSummary reads the public status summary; it needs no token.
func (c *Client) StatusSummary(ctx context.Context) (StatusSummary, error) {
	var out StatusSummary
	err := c.Do(ctx, "GET", SummaryPath, nil, &out)
	return out, err
}
