package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"time"
)

// Ticket is a support ticket.
type Ticket struct {
	ID               int64          `json:"id"`
	Number           int64          `json:"number"`
	URL              string         `json:"url"`
	OrganizationID   int64          `json:"organization_id"`
	OrganizationName string         `json:"organization_name"`
	Plan             string         `json:"plan"`
	RequesterID      int64          `json:"requester_id"`
	RequesterName    string         `json:"requester_name"`
	AppID            *int64         `json:"app_id"`
	AppName          string         `json:"app_name"`
	Subject          string         `json:"subject"`
	Description      string         `json:"description"`
	Environment      string         `json:"environment"`
	Category         string         `json:"category"`
	Status           string         `json:"status"`
	Priority         string         `json:"priority"`
	OriginalPriority string         `json:"original_priority"`
	PriorityReason   string         `json:"priority_reason"`
	AppealState      string         `json:"appeal_state"`
	AssigneeID       *int64         `json:"assignee_id"`
	AssigneeName     string         `json:"assignee_name"`
	Urgent           *UrgentDetails `json:"urgent"`
	Redactions       int            `json:"redactions"`
	CreatedAt        time.Time      `json:"created_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
	SLADueAt         *time.Time     `json:"sla_due_at"`
	FirstResponseAt  *time.Time     `json:"first_response_at"`
	Comments         []Comment      `json:"comments"`
	Attachments      []Attachment   `json:"attachments"`
}

// UrgentDetails is what an urgent ticket carries.
type UrgentDetails struct {
	AccessGranted          bool      `json:"access_granted"`
	AccessExpiresAt        time.Time `json:"access_expires_at"`
	UsersAffected          string    `json:"users_affected"`
	BusinessImpact         string    `json:"business_impact"`
	StepsToReproduce       string    `json:"steps_to_reproduce"`
	SeenInStaging          bool      `json:"seen_in_staging"`
	EnvironmentDifferences string    `json:"environment_differences"`
	StartedAt              time.Time `json:"started_at"`
	Logs                   string    `json:"logs"`
	Config                 string    `json:"config"`
	ThirdPartyServices     string    `json:"third_party_services"`
}

// NewTicket is what opening a ticket takes; Urgent is required for urgent.
type NewTicket struct {
	OrganizationID int64        `json:"organization_id,omitempty"`
	Subject        string       `json:"subject"`
	Description    string       `json:"description"`
	Priority       string       `json:"priority"`
	AppID          int64        `json:"app_id,omitempty"`
	App            string       `json:"app,omitempty"`
	Environment    string       `json:"environment"`
	Category       string       `json:"category,omitempty"`
	Urgent         *UrgentInput `json:"urgent,omitempty"`
}

// UrgentInput is the information an urgent ticket must carry.
type UrgentInput struct {
	AccessGranted          *bool  `json:"access_granted"`
	AccessExpiresAt        string `json:"access_expires_at,omitempty"`
	UsersAffected          string `json:"users_affected"`
	BusinessImpact         string `json:"business_impact"`
	StepsToReproduce       string `json:"steps_to_reproduce"`
	SeenInStaging          *bool  `json:"seen_in_staging"`
	EnvironmentDifferences string `json:"environment_differences,omitempty"`
	StartedAt              string `json:"started_at"`
	Logs                   string `json:"logs"`
	Config                 string `json:"config"`
	ThirdPartyServices     string `json:"third_party_services"`
}

// Comment is a reply or an internal note.
type Comment struct {
	ID         int64     `json:"id"`
	AuthorID   int64     `json:"author_id"`
	AuthorName string    `json:"author_name"`
	AuthorRole string    `json:"author_staff_role"`
	Body       string    `json:"body"`
	Internal   bool      `json:"internal"`
	Redactions int       `json:"redactions"`
	CreatedAt  time.Time `json:"created_at"`
}

// Attachment is a file on a ticket.
type Attachment struct {
	ID          int64     `json:"id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
}

// TicketEvent is a step in a ticket's history.
type TicketEvent struct {
	ID        int64          `json:"id"`
	Kind      string         `json:"kind"`
	ActorName string         `json:"actor_name"`
	Public    bool           `json:"public"`
	Data      map[string]any `json:"data"`
	CreatedAt time.Time      `json:"created_at"`
}

// TicketFilter narrows ListTickets and Queue.
type TicketFilter struct {
	Status, Priority, Plan, Assignee, Text string
	AppID                                  int64
	Page
}

func (f TicketFilter) values() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"status": f.Status, "priority": f.Priority, "plan": f.Plan, "assignee": f.Assignee, "q": f.Text} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.AppID != 0 {
		q.Set("app_id", fmt.Sprint(f.AppID))
	}
	return q
}

// CreateTicket opens a ticket.
func (c *Client) CreateTicket(ctx context.Context, in NewTicket) (Ticket, error) {
	var out Ticket
	err := c.Do(ctx, "POST", "/api/v1/tickets", in, &out)
	return out, err
}

// ListTickets lists the caller's organizations' tickets and those shared with them.
func (c *Client) ListTickets(ctx context.Context, f TicketFilter) ([]Ticket, error) {
	var out struct {
		Tickets []Ticket `json:"tickets"`
	}
	err := c.Do(ctx, "GET", "/api/v1/tickets"+f.Page.query(f.values()), nil, &out)
	return out.Tickets, err
}

// Queue returns the staff queue.
func (c *Client) Queue(ctx context.Context, f TicketFilter) ([]Ticket, error) {
	var out struct {
		Tickets []Ticket `json:"tickets"`
	}
	err := c.Do(ctx, "GET", "/api/v1/queue"+f.Page.query(f.values()), nil, &out)
	return out.Tickets, err
}

// GetTicket returns a ticket with its comments and attachments.
func (c *Client) GetTicket(ctx context.Context, id int64) (Ticket, error) {
	var out Ticket
	err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil, &out)
	return out, err
}

// FindTicketByNumber returns the ticket a person knows as #number.
func (c *Client) FindTicketByNumber(ctx context.Context, number int64) (Ticket, error) {
	list, err := c.ListTickets(ctx, TicketFilter{Text: fmt.Sprintf("#%d", number)})
	if err != nil {
		return Ticket{}, err
	}
	if len(list) == 0 {
		return Ticket{}, &Error{Status: http.StatusNotFound, Code: "not_found", Message: fmt.Sprintf("ticket #%d not found", number)}
	}
	return c.GetTicket(ctx, list[0].ID)
}

// UpdateTicket changes status and/or assignee (0 unassigns).
func (c *Client) UpdateTicket(ctx context.Context, id int64, status string, assigneeID *int64) (Ticket, error) {
	body := map[string]any{}
	if status != "" {
		body["status"] = status
	}
	if assigneeID != nil {
		body["assignee_id"] = *assigneeID
	}
	var out Ticket
	err := c.Do(ctx, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", id), body, &out)
	return out, err
}

// AddComment replies on a ticket; internal notes are for staff.
func (c *Client) AddComment(ctx context.Context, id int64, body string, internal bool) (Comment, error) {
	var out Comment
	err := c.Do(ctx, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", id), map[string]any{"body": body, "internal": internal}, &out)
	return out, err
}

// ChangePriority is staff reviewing the priority, with a reason.
func (c *Client) ChangePriority(ctx context.Context, id int64, priority, reason string) (Ticket, error) {
	var out Ticket
	err := c.Do(ctx, "POST", fmt.Sprintf("/api/v1/tickets/%d/priority", id), map[string]string{"priority": priority, "reason": reason}, &out)
	return out, err
}

// Appeal asks, once, to restore the original priority.
func (c *Client) Appeal(ctx context.Context, id int64, reason string) (Ticket, error) {
	var out Ticket
	err := c.Do(ctx, "POST", fmt.Sprintf("/api/v1/tickets/%d/appeal", id), map[string]string{"reason": reason}, &out)
	return out, err
}

// DecideAppeal is staff's final word: "upheld" or "overturned".
func (c *Client) DecideAppeal(ctx context.Context, id int64, outcome, note string) (Ticket, error) {
	var out Ticket
	err := c.Do(ctx, "POST", fmt.Sprintf("/api/v1/tickets/%d/appeal/decision", id), map[string]string{"outcome": outcome, "note": note}, &out)
	return out, err
}

// Share returns the ticket's share URL; rotate replaces the link.
func (c *Client) Share(ctx context.Context, id int64, rotate bool) (string, error) {
	var out struct {
		URL string `json:"url"`
	}
	err := c.Do(ctx, "POST", fmt.Sprintf("/api/v1/tickets/%d/share", id), map[string]bool{"rotate": rotate}, &out)
	return out.URL, err
}

// Unshare revokes the ticket's share link.
func (c *Client) Unshare(ctx context.Context, id int64) error {
	return c.Do(ctx, "DELETE", fmt.Sprintf("/api/v1/tickets/%d/share", id), nil, nil)
}

// Join joins a ticket through its share token.
func (c *Client) Join(ctx context.Context, token string) (Ticket, error) {
	var out Ticket
	err := c.Do(ctx, "POST", "/api/v1/share/"+url.PathEscape(token), nil, &out)
	return out, err
}

// TicketEvents returns a ticket's history.
func (c *Client) TicketEvents(ctx context.Context, id int64) ([]TicketEvent, error) {
	var out struct {
		Events []TicketEvent `json:"events"`
	}
	err := c.Do(ctx, "GET", fmt.Sprintf("/api/v1/tickets/%d/events", id), nil, &out)
	return out.Events, err
}

// Attach uploads a file to a ticket.
func (c *Client) Attach(ctx context.Context, id int64, filename string, content io.Reader) (Attachment, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		return Attachment{}, err
	}
	if _, err := io.Copy(fw, content); err != nil {
		return Attachment{}, err
	}
	if err := mw.Close(); err != nil {
		return Attachment{}, err
	}
	var out Attachment
	err = c.do(ctx, "POST", fmt.Sprintf("/api/v1/tickets/%d/attachments", id), mw.FormDataContentType(), &buf, &out)
	return out, err
}

// Watch makes the caller (staff) watch a ticket, or stop watching it.
func (c *Client) Watch(ctx context.Context, id int64, on bool) error {
	method := "PUT"
	if !on {
		method = "DELETE"
	}
	return c.Do(ctx, method, fmt.Sprintf("/api/v1/tickets/%d/watch", id), nil, nil)
}
