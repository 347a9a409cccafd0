package client

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// DrainThresholds say when errors are a surge.
type DrainThresholds struct {
	MinErrorsPerMinute int `json:"min_errors_per_minute"`
	BaselineFactor     int `json:"baseline_factor"`
	UnavailablePercent int `json:"unavailable_percent"`
	UnavailableMinutes int `json:"unavailable_minutes"`
}

// Drain is an app's log drain.
type Drain struct {
	ID          int64  `json:"id"`
	AppID       int64  `json:"app_id"`
	App         string `json:"app"`
	OrgID       int64  `json:"organization_id"`
	TokenPrefix string `json:"token_prefix"`
	Notify      bool   `json:"notify"`
	OpenTicket  bool   `json:"open_ticket"`
	DrainThresholds
	CreatedBy      int64      `json:"created_by,omitempty"`
	LastReceivedAt *time.Time `json:"last_received_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// DrainSettings change a drain; nil fields keep their value.
type DrainSettings struct {
	Notify             *bool `json:"notify,omitempty"`
	OpenTicket         *bool `json:"open_ticket,omitempty"`
	MinErrorsPerMinute *int  `json:"min_errors_per_minute,omitempty"`
	BaselineFactor     *int  `json:"baseline_factor,omitempty"`
	UnavailablePercent *int  `json:"unavailable_percent,omitempty"`
	UnavailableMinutes *int  `json:"unavailable_minutes,omitempty"`
}

// DrainAnswer is a drain, with its token and URL right after creating or
// rotating it (the only time they are shown).
type DrainAnswer struct {
	Drain Drain  `json:"drain"`
	Token string `json:"token,omitempty"`
	URL   string `json:"url,omitempty"`
}

// SurgeCodeCount is how often one code was seen.
type SurgeCodeCount struct {
	Code  string `json:"code"`
	Count int    `json:"count"`
}

// SurgeMinute is one minute of an app's counts.
type SurgeMinute struct {
	Minute   time.Time        `json:"minute"`
	Requests int              `json:"requests"`
	Errors   int              `json:"errors"`
	Codes    []SurgeCodeCount `json:"codes"`
}

// Surge is an error surge a drain detected.
type Surge struct {
	ID           int64            `json:"id"`
	AppID        int64            `json:"app_id"`
	App          string           `json:"app"`
	OrgID        int64            `json:"organization_id"`
	StartedAt    time.Time        `json:"started_at"`
	LastHotAt    time.Time        `json:"last_hot_at"`
	EndedAt      *time.Time       `json:"ended_at,omitempty"`
	Reason       string           `json:"reason"`
	Codes        []SurgeCodeCount `json:"codes"`
	Peak         int              `json:"peak"`
	Notified     int              `json:"notified"`
	TicketState  string           `json:"ticket_state,omitempty"`
	TicketID     int64            `json:"ticket_id,omitempty"`
	TicketNumber int64            `json:"ticket_number,omitempty"`
	TicketError  string           `json:"ticket_error,omitempty"`
	URL          string           `json:"url"`
	Recent       []SurgeMinute    `json:"recent,omitempty"`
}

// SurgeFilter narrows Surges.
type SurgeFilter struct {
	AppID int64
	Page
}

func drainPath(appID int64) string { return "/api/v1/apps/" + strconv.FormatInt(appID, 10) + "/drain" }

// GetDrain returns an app's drain (without its token).
func (c *Client) GetDrain(ctx context.Context, appID int64) (Drain, error) {
	var out DrainAnswer
	err := c.Do(ctx, "GET", drainPath(appID), nil, &out)
	return out.Drain, err
}

// CreateOrRotateDrain creates the app's drain, or gives it a new token when
// it has one (org owners and staff). The answer carries the token and URL.
func (c *Client) CreateOrRotateDrain(ctx context.Context, appID int64, in DrainSettings) (DrainAnswer, error) {
	var out DrainAnswer
	err := c.Do(ctx, "POST", drainPath(appID), in, &out)
	return out, err
}

// UpdateDrain changes a drain's settings.
func (c *Client) UpdateDrain(ctx context.Context, appID int64, in DrainSettings) (Drain, error) {
	var out DrainAnswer
	err := c.Do(ctx, "PATCH", drainPath(appID), in, &out)
	return out.Drain, err
}

// DeleteDrain removes an app's drain.
func (c *Client) DeleteDrain(ctx context.Context, appID int64) error {
	return c.Do(ctx, "DELETE", drainPath(appID), nil, nil)
}

// Surges lists the surges on the caller's organizations' apps, newest first.
func (c *Client) Surges(ctx context.Context, f SurgeFilter) ([]Surge, error) {
	v := url.Values{}
	if f.AppID != 0 {
		v.Set("app_id", strconv.FormatInt(f.AppID, 10))
	}
	var out struct {
		Surges []Surge `json:"surges"`
	}
	err := c.Do(ctx, "GET", "/api/v1/drains/surges"+f.Page.query(v), nil, &out)
	return out.Surges, err
}

// GetSurge returns a surge with the app's latest counts.
func (c *Client) GetSurge(ctx context.Context, id int64) (Surge, error) {
	var out Surge
	err := c.Do(ctx, "GET", "/api/v1/drains/surges/"+strconv.FormatInt(id, 10), nil, &out)
	return out, err
}
