package client

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// OncallMember is a user as schedules and policies show them.
type OncallMember struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Layer is a rotation layer of a schedule.
type Layer struct {
	ID             int64          `json:"id"`
	ScheduleID     int64          `json:"schedule_id"`
	Position       int            `json:"position"`
	Name           string         `json:"name"`
	Rotation       string         `json:"rotation"`
	HandoffTime    string         `json:"handoff_time"`
	HandoffWeekday string         `json:"handoff_weekday"`
	StartsAt       time.Time      `json:"starts_at"`
	EndsAt         *time.Time     `json:"ends_at"`
	Users          []OncallMember `json:"users"`
	CreatedAt      time.Time      `json:"created_at"`
}

// Override puts a user on call instead of someone between two times.
type Override struct {
	ID           int64         `json:"id"`
	ScheduleID   int64         `json:"schedule_id"`
	User         OncallMember  `json:"user"`
	ReplacesUser *OncallMember `json:"replaces_user"`
	StartsAt     time.Time     `json:"starts_at"`
	EndsAt       time.Time     `json:"ends_at"`
	CreatedBy    *int64        `json:"created_by"`
	CreatedAt    time.Time     `json:"created_at"`
}

// Schedule is an on-call schedule.
type Schedule struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	TimeZone    string     `json:"time_zone"`
	Layers      []Layer    `json:"layers"`
	Overrides   []Override `json:"overrides"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// ScheduleInput creates a schedule.
type ScheduleInput struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	TimeZone    string `json:"time_zone"`
}

// ScheduleUpdate changes the fields that are set.
type ScheduleUpdate struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	TimeZone    *string `json:"time_zone,omitempty"`
}

// LayerInput adds or replaces a layer.
type LayerInput struct {
	Name           string     `json:"name"`
	Rotation       string     `json:"rotation"`
	HandoffTime    string     `json:"handoff_time"`
	HandoffWeekday string     `json:"handoff_weekday,omitempty"`
	StartsAt       time.Time  `json:"starts_at"`
	EndsAt         *time.Time `json:"ends_at,omitempty"`
	UserIDs        []int64    `json:"user_ids"`
}

// OverrideInput adds an override.
type OverrideInput struct {
	UserID         int64     `json:"user_id"`
	ReplacesUserID *int64    `json:"replaces_user_id,omitempty"`
	StartsAt       time.Time `json:"starts_at"`
	EndsAt         time.Time `json:"ends_at"`
}

// Shift is a stretch of the final schedule.
type Shift struct {
	User       OncallMember `json:"user"`
	LayerID    *int64       `json:"layer_id,omitempty"`
	LayerName  string       `json:"layer_name,omitempty"`
	OverrideID *int64       `json:"override_id,omitempty"`
	Start      time.Time    `json:"start"`
	End        time.Time    `json:"end"`
}

// OnCall is who is on call in a schedule at a time; Shift is nil when
// nobody is.
type OnCall struct {
	ScheduleID   int64     `json:"schedule_id"`
	ScheduleName string    `json:"schedule_name"`
	TimeZone     string    `json:"time_zone"`
	At           time.Time `json:"at"`
	Shift        *Shift    `json:"shift"`
}

// PolicyTarget is who a level pages: a schedule or a user.
type PolicyTarget struct {
	ScheduleID *int64 `json:"schedule_id,omitempty"`
	UserID     *int64 `json:"user_id,omitempty"`
	Name       string `json:"name,omitempty"`
}

// PolicyLevel is one level of an escalation policy.
type PolicyLevel struct {
	ID           int64          `json:"id,omitempty"`
	Position     int            `json:"position,omitempty"`
	DelayMinutes int            `json:"delay_minutes"`
	Targets      []PolicyTarget `json:"targets"`
}

// Policy is an escalation policy.
type Policy struct {
	ID          int64         `json:"id"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Repeats     int           `json:"repeats"`
	PagesUrgent bool          `json:"pages_urgent"`
	Levels      []PolicyLevel `json:"levels"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

// PolicyInput creates or replaces a policy.
type PolicyInput struct {
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Repeats     int          `json:"repeats"`
	PagesUrgent bool         `json:"pages_urgent"`
	Levels      []LevelInput `json:"levels"`
}

// LevelInput is a level of a PolicyInput.
type LevelInput struct {
	DelayMinutes int            `json:"delay_minutes"`
	Targets      []PolicyTarget `json:"targets"`
}

// ContactMethod is a way to reach the token's user; Secret is set only in
// the answer to creating a webhook.
type ContactMethod struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	Kind      string    `json:"kind"`
	Label     string    `json:"label"`
	Address   string    `json:"address"`
	Secret    string    `json:"secret,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// ContactMethodInput adds a contact method.
type ContactMethodInput struct {
	Kind    string `json:"kind"`
	Label   string `json:"label,omitempty"`
	Address string `json:"address"`
}

func schedulePath(id int64) string { return "/api/v1/oncall/schedules/" + strconv.FormatInt(id, 10) }

// ListSchedules returns every schedule with its layers.
func (c *Client) ListSchedules(ctx context.Context) ([]Schedule, error) {
	var out struct {
		Schedules []Schedule `json:"schedules"`
	}
	err := c.Do(ctx, "GET", "/api/v1/oncall/schedules", nil, &out)
	return out.Schedules, err
}

// CreateSchedule adds a schedule.
func (c *Client) CreateSchedule(ctx context.Context, in ScheduleInput) (Schedule, error) {
	var out Schedule
	err := c.Do(ctx, "POST", "/api/v1/oncall/schedules", in, &out)
	return out, err
}

// GetSchedule returns a schedule with its layers and current overrides.
func (c *Client) GetSchedule(ctx context.Context, id int64) (Schedule, error) {
	var out Schedule
	err := c.Do(ctx, "GET", schedulePath(id), nil, &out)
	return out, err
}

// UpdateSchedule changes a schedule's name, description or zone.
func (c *Client) UpdateSchedule(ctx context.Context, id int64, in ScheduleUpdate) (Schedule, error) {
	var out Schedule
	err := c.Do(ctx, "PATCH", schedulePath(id), in, &out)
	return out, err
}

// DeleteSchedule removes a schedule.
func (c *Client) DeleteSchedule(ctx context.Context, id int64) error {
	return c.Do(ctx, "DELETE", schedulePath(id), nil, nil)
}

// AddLayer adds a layer on top of a schedule's others.
func (c *Client) AddLayer(ctx context.Context, scheduleID int64, in LayerInput) (Layer, error) {
	var out Layer
	err := c.Do(ctx, "POST", schedulePath(scheduleID)+"/layers", in, &out)
	return out, err
}

// UpdateLayer replaces a layer.
func (c *Client) UpdateLayer(ctx context.Context, scheduleID, layerID int64, in LayerInput) (Layer, error) {
	var out Layer
	err := c.Do(ctx, "PUT", fmt.Sprintf("%s/layers/%d", schedulePath(scheduleID), layerID), in, &out)
	return out, err
}

// DeleteLayer removes a layer.
func (c *Client) DeleteLayer(ctx context.Context, scheduleID, layerID int64) error {
	return c.Do(ctx, "DELETE", fmt.Sprintf("%s/layers/%d", schedulePath(scheduleID), layerID), nil, nil)
}

// AddOverride adds an override.
func (c *Client) AddOverride(ctx context.Context, scheduleID int64, in OverrideInput) (Override, error) {
	var out Override
	err := c.Do(ctx, "POST", schedulePath(scheduleID)+"/overrides", in, &out)
	return out, err
}

// DeleteOverride removes an override.
func (c *Client) DeleteOverride(ctx context.Context, scheduleID, overrideID int64) error {
	return c.Do(ctx, "DELETE", fmt.Sprintf("%s/overrides/%d", schedulePath(scheduleID), overrideID), nil, nil)
}

// Shifts returns the final schedule between from and to.
func (c *Client) Shifts(ctx context.Context, scheduleID int64, from, to time.Time) ([]Shift, error) {
	q := url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}}
	var out struct {
		Shifts []Shift `json:"shifts"`
	}
	err := c.Do(ctx, "GET", schedulePath(scheduleID)+"/shifts?"+q.Encode(), nil, &out)
	return out.Shifts, err
}

// WhoIsOnCall returns who is on call at a time (now when zero) in one
// schedule, or in every schedule when scheduleID is 0.
func (c *Client) WhoIsOnCall(ctx context.Context, scheduleID int64, at time.Time) ([]OnCall, error) {
	q := url.Values{}
	if scheduleID != 0 {
		q.Set("schedule", strconv.FormatInt(scheduleID, 10))
	}
	if !at.IsZero() {
		q.Set("at", at.Format(time.RFC3339))
	}
	path := "/api/v1/oncall/who"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out struct {
		OnCall []OnCall `json:"on_call"`
	}
	err := c.Do(ctx, "GET", path, nil, &out)
	return out.OnCall, err
}

// ListPolicies returns every escalation policy.
func (c *Client) ListPolicies(ctx context.Context) ([]Policy, error) {
	var out struct {
		Policies []Policy `json:"policies"`
	}
	err := c.Do(ctx, "GET", "/api/v1/oncall/policies", nil, &out)
	return out.Policies, err
}

// CreatePolicy adds an escalation policy.
func (c *Client) CreatePolicy(ctx context.Context, in PolicyInput) (Policy, error) {
	var out Policy
	err := c.Do(ctx, "POST", "/api/v1/oncall/policies", in, &out)
	return out, err
}

// GetPolicy returns an escalation policy.
func (c *Client) GetPolicy(ctx context.Context, id int64) (Policy, error) {
	var out Policy
	err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/oncall/policies/%d", id), nil, &out)
	return out, err
}

// UpdatePolicy replaces an escalation policy.
func (c *Client) UpdatePolicy(ctx context.Context, id int64, in PolicyInput) (Policy, error) {
	var out Policy
	err := c.Do(ctx, "PUT", fmt.Sprintf("/api/v1/oncall/policies/%d", id), in, &out)
	return out, err
}

// DeletePolicy removes an escalation policy.
func (c *Client) DeletePolicy(ctx context.Context, id int64) error {
	return c.Do(ctx, "DELETE", fmt.Sprintf("/api/v1/oncall/policies/%d", id), nil, nil)
}

// ListContactMethods returns the token's user's contact methods.
func (c *Client) ListContactMethods(ctx context.Context) ([]ContactMethod, error) {
	var out struct {
		ContactMethods []ContactMethod `json:"contact_methods"`
	}
	err := c.Do(ctx, "GET", "/api/v1/me/contact-methods", nil, &out)
	return out.ContactMethods, err
}

// CreateContactMethod adds a contact method; a webhook's Secret is returned
// this once.
func (c *Client) CreateContactMethod(ctx context.Context, in ContactMethodInput) (ContactMethod, error) {
	var out ContactMethod
	err := c.Do(ctx, "POST", "/api/v1/me/contact-methods", in, &out)
	return out, err
}

// DeleteContactMethod removes one of the token's user's contact methods.
func (c *Client) DeleteContactMethod(ctx context.Context, id int64) error {
	return c.Do(ctx, "DELETE", fmt.Sprintf("/api/v1/me/contact-methods/%d", id), nil, nil)
}
