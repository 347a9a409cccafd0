package client

import (
	"context"
	"fmt"
	"net/url"
	"time"
)

// SLAPolicy is the targets of one plan and priority, in minutes of working
// time; nil means no target.
type SLAPolicy struct {
	Plan                 string    `json:"plan"`
	Priority             string    `json:"priority"`
	FirstResponseMinutes *int      `json:"first_response_minutes"`
	NextResponseMinutes  *int      `json:"next_response_minutes"`
	ResolutionMinutes    *int      `json:"resolution_minutes"`
	CalendarID           *int64    `json:"calendar_id"`   // nil: 24x7
	CalendarName         string    `json:"calendar_name"` // empty: 24x7
	WarnMinutes          int       `json:"warn_minutes"`
	UpdatedAt            time.Time `json:"updated_at"`
}

// SLAPolicyInput replaces a policy.
type SLAPolicyInput struct {
	FirstResponseMinutes *int   `json:"first_response_minutes"`
	NextResponseMinutes  *int   `json:"next_response_minutes"`
	ResolutionMinutes    *int   `json:"resolution_minutes"`
	CalendarID           *int64 `json:"calendar_id"`
	WarnMinutes          int    `json:"warn_minutes"`
}

// WeekHours are working hours per weekday as spans "09:00-18:00".
type WeekHours struct {
	Monday    []string `json:"monday"`
	Tuesday   []string `json:"tuesday"`
	Wednesday []string `json:"wednesday"`
	Thursday  []string `json:"thursday"`
	Friday    []string `json:"friday"`
	Saturday  []string `json:"saturday"`
	Sunday    []string `json:"sunday"`
}

// SLACalendar is a business-hours calendar.
type SLACalendar struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	TimeZone  string    `json:"time_zone"`
	Hours     WeekHours `json:"hours"`
	Holidays  []string  `json:"holidays"`
	UsedBy    []string  `json:"used_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SLACalendarInput creates or replaces a calendar.
type SLACalendarInput struct {
	Name     string    `json:"name"`
	TimeZone string    `json:"time_zone"`
	Hours    WeekHours `json:"hours"`
	Holidays []string  `json:"holidays"`
}

// SLATarget is one SLA clock of a ticket.
type SLATarget struct {
	ID               int64      `json:"id"`
	TicketID         int64      `json:"ticket_id"`
	Metric           string     `json:"metric"`
	Plan             string     `json:"plan"`
	Priority         string     `json:"priority"`
	TargetMinutes    int        `json:"target_minutes"`
	CalendarID       *int64     `json:"calendar_id"`
	CalendarName     string     `json:"calendar_name"`
	WarnMinutes      int        `json:"warn_minutes"`
	StartedAt        time.Time  `json:"started_at"`
	DueAt            *time.Time `json:"due_at"`
	WarnAt           *time.Time `json:"warn_at"`
	State            string     `json:"state"`
	Reason           string     `json:"reason"`
	EndReason        string     `json:"end_reason"`
	WarnedAt         *time.Time `json:"warned_at"`
	BreachedAt       *time.Time `json:"breached_at"`
	MetAt            *time.Time `json:"met_at"`
	Paused           bool       `json:"paused"`
	RemainingSeconds *int64     `json:"remaining_seconds"`
	CreatedAt        time.Time  `json:"created_at"`
}

// SLAReport is how support kept its targets over a period [From, To).
type SLAReport struct {
	From time.Time      `json:"from"`
	To   time.Time      `json:"to"`
	Rows []SLAReportRow `json:"rows"`
}

// SLAReportRow is one plan and priority of a report.
type SLAReportRow struct {
	Plan     string `json:"plan"`
	Priority string `json:"priority"`
	Metrics  []struct {
		Metric   string   `json:"metric"`
		Targets  int      `json:"targets"`
		Met      int      `json:"met"`
		Breached int      `json:"breached"`
		ShareMet *float64 `json:"share_met"`
	} `json:"metrics"`
	FirstResponse struct {
		Tickets       int    `json:"tickets"`
		Responded     int    `json:"responded"`
		MedianSeconds *int64 `json:"median_seconds"`
		P90Seconds    *int64 `json:"p90_seconds"`
	} `json:"first_response"`
	Acknowledge struct {
		Pages         int    `json:"pages"`
		Acknowledged  int    `json:"acknowledged"`
		MedianSeconds *int64 `json:"median_seconds"`
	} `json:"acknowledge"`
}

// SLAPolicies lists every plan's policies.
func (c *Client) SLAPolicies(ctx context.Context) ([]SLAPolicy, error) {
	var out struct {
		Policies []SLAPolicy `json:"policies"`
	}
	err := c.Do(ctx, "GET", "/api/v1/sla/policies", nil, &out)
	return out.Policies, err
}

// UpdateSLAPolicy replaces the policy of a plan and priority (admins).
func (c *Client) UpdateSLAPolicy(ctx context.Context, plan, priority string, in SLAPolicyInput) (SLAPolicy, error) {
	var out SLAPolicy
	err := c.Do(ctx, "PUT", "/api/v1/sla/policies/"+url.PathEscape(plan)+"/"+url.PathEscape(priority), in, &out)
	return out, err
}

// SLACalendars lists the business-hours calendars.
func (c *Client) SLACalendars(ctx context.Context) ([]SLACalendar, error) {
	var out struct {
		Calendars []SLACalendar `json:"calendars"`
	}
	err := c.Do(ctx, "GET", "/api/v1/sla/calendars", nil, &out)
	return out.Calendars, err
}

// SLACalendar returns one calendar.
func (c *Client) SLACalendar(ctx context.Context, id int64) (SLACalendar, error) {
	var out SLACalendar
	err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/sla/calendars/%d", id), nil, &out)
	return out, err
}

// CreateSLACalendar adds a calendar (admins).
func (c *Client) CreateSLACalendar(ctx context.Context, in SLACalendarInput) (SLACalendar, error) {
	var out SLACalendar
	err := c.Do(ctx, "POST", "/api/v1/sla/calendars", in, &out)
	return out, err
}

// UpdateSLACalendar replaces a calendar (admins); running clocks on it move.
func (c *Client) UpdateSLACalendar(ctx context.Context, id int64, in SLACalendarInput) (SLACalendar, error) {
	var out SLACalendar
	err := c.Do(ctx, "PUT", fmt.Sprintf("/api/v1/sla/calendars/%d", id), in, &out)
	return out, err
}

// DeleteSLACalendar removes a calendar no policy uses (admins).
func (c *Client) DeleteSLACalendar(ctx context.Context, id int64) error {
	return c.Do(ctx, "DELETE", fmt.Sprintf("/api/v1/sla/calendars/%d", id), nil, nil)
}

// SLAReport returns the report for the days from..to (YYYY-MM-DD, both
// included); empty strings mean the last 30 days.
func (c *Client) SLAReport(ctx context.Context, from, to string) (SLAReport, error) {
	q := url.Values{}
	if from != "" {
		q.Set("from", from)
	}
	if to != "" {
		q.Set("to", to)
	}
	path := "/api/v1/reports/sla"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out SLAReport
	err := c.Do(ctx, "GET", path, nil, &out)
	return out, err
}

// TicketSLA returns every SLA clock of a ticket (staff).
func (c *Client) TicketSLA(ctx context.Context, ticketID int64) ([]SLATarget, error) {
	var out struct {
		Targets []SLATarget `json:"targets"`
	}
	err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/tickets/%d/sla", ticketID), nil, &out)
	return out.Targets, err
}
