package client

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// OncallPage is a page to the people on call (named so as not to clash
// with Page, a page of a list).
type OncallPage struct {
	ID                 int64      `json:"id"`
	DedupKey           string     `json:"dedup_key"`
	TicketID           *int64     `json:"ticket_id"`
	TicketNumber       int64      `json:"ticket_number"`
	PolicyID           *int64     `json:"policy_id"`
	PolicyName         string     `json:"policy_name"`
	Summary            string     `json:"summary"`
	Severity           string     `json:"severity"`
	Status             string     `json:"status"`
	Reason             string     `json:"reason"`
	Message            string     `json:"message"`
	Level              int        `json:"level"`
	Cycle              int        `json:"cycle"`
	EscalateAt         *time.Time `json:"escalate_at"`
	TriggeredAt        time.Time  `json:"triggered_at"`
	TriggeredBy        *int64     `json:"triggered_by"`
	TriggeredByName    string     `json:"triggered_by_name"`
	AcknowledgedAt     *time.Time `json:"acknowledged_at"`
	AcknowledgedBy     *int64     `json:"acknowledged_by"`
	AcknowledgedByName string     `json:"acknowledged_by_name"`
	ResolvedAt         *time.Time `json:"resolved_at"`
	ResolvedBy         *int64     `json:"resolved_by"`
	ResolvedByName     string     `json:"resolved_by_name"`
}

// PageDelivery is one message of a page to one contact method.
type PageDelivery struct {
	ID              int64      `json:"id"`
	PageID          int64      `json:"page_id"`
	UserID          *int64     `json:"user_id"`
	UserName        string     `json:"user_name"`
	ContactMethodID *int64     `json:"contact_method_id"`
	Kind            string     `json:"kind"`
	Address         string     `json:"address"`
	Event           string     `json:"event"`
	Level           int        `json:"level"`
	Cycle           int        `json:"cycle"`
	Status          string     `json:"status"`
	Attempts        int        `json:"attempts"`
	LastError       string     `json:"last_error"`
	ResponseStatus  *int       `json:"response_status"`
	CreatedAt       time.Time  `json:"created_at"`
	DeliveredAt     *time.Time `json:"delivered_at"`
}

// PageFilter narrows ListPages.
type PageFilter struct {
	Status   string // triggered, acknowledged, resolved, open or ""
	TicketID int64
	Page
}

// ManualPage pages on-call about a ticket (admins).
type ManualPage struct {
	PolicyID int64  `json:"policy_id,omitempty"`
	Severity string `json:"severity,omitempty"`
	Message  string `json:"message"`
}

// ListPages lists pages, newest first (staff).
func (c *Client) ListPages(ctx context.Context, f PageFilter) ([]OncallPage, error) {
	v := url.Values{}
	if f.Status != "" {
		v.Set("status", f.Status)
	}
	if f.TicketID != 0 {
		v.Set("ticket_id", strconv.FormatInt(f.TicketID, 10))
	}
	var out struct {
		Pages []OncallPage `json:"pages"`
	}
	err := c.Do(ctx, "GET", "/api/v1/pages"+f.Page.query(v), nil, &out)
	return out.Pages, err
}

// GetPage returns a page (staff).
func (c *Client) GetPage(ctx context.Context, id int64) (OncallPage, error) {
	var out OncallPage
	err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/pages/%d", id), nil, &out)
	return out, err
}

// PageDeliveries returns a page's delivery log (staff).
func (c *Client) PageDeliveries(ctx context.Context, id int64) ([]PageDelivery, error) {
	var out struct {
		Deliveries []PageDelivery `json:"deliveries"`
	}
	err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/pages/%d/deliveries", id), nil, &out)
	return out.Deliveries, err
}

// AcknowledgePage stops a page's escalation (staff).
func (c *Client) AcknowledgePage(ctx context.Context, id int64) (OncallPage, error) {
	var out OncallPage
	err := c.Do(ctx, "POST", fmt.Sprintf("/api/v1/pages/%d/acknowledge", id), nil, &out)
	return out, err
}

// ResolvePage closes a page (staff).
func (c *Client) ResolvePage(ctx context.Context, id int64) (OncallPage, error) {
	var out OncallPage
	err := c.Do(ctx, "POST", fmt.Sprintf("/api/v1/pages/%d/resolve", id), nil, &out)
	return out, err
}

// PageTicket pages on-call about a ticket by its ID (admins). When the
// ticket already has an open page, that page comes back unchanged.
func (c *Client) PageTicket(ctx context.Context, ticketID int64, in ManualPage) (OncallPage, error) {
	var out OncallPage
	err := c.Do(ctx, "POST", fmt.Sprintf("/api/v1/tickets/%d/page", ticketID), in, &out)
	return out, err
}
