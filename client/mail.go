package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// NotificationCategory is a kind of email and whether the user gets it.
type NotificationCategory struct {
	Slug    string `json:"slug"`
	Label   string `json:"label"`
	Enabled bool   `json:"enabled"`
}

// OutboxMessage is one email notification, queued, sent or failed.
type OutboxMessage struct {
	ID        int64      `json:"id"`
	TicketID  *int64     `json:"ticket_id"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Category  string     `json:"category"`
	Status    string     `json:"status"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
	MessageID string     `json:"message_id"`
}

// InboxMessage is one received email and what became of it.
type InboxMessage struct {
	ID         int64     `json:"id"`
	MessageID  string    `json:"message_id"`
	From       string    `json:"from"`
	Subject    string    `json:"subject"`
	Status     string    `json:"status"`
	Reason     string    `json:"reason"`
	TicketID   *int64    `json:"ticket_id"`
	CommentID  *int64    `json:"comment_id"`
	Size       int       `json:"size"`
	ReceivedAt time.Time `json:"received_at"`
}

// OutboxFilter narrows the outbox; zero values mean all.
type OutboxFilter struct {
	Status   string // queued, sent or failed
	TicketID int64
	Page
}

// NotificationPreferences returns the kinds of email the caller may get.
func (c *Client) NotificationPreferences(ctx context.Context) ([]NotificationCategory, error) {
	var out struct {
		Categories []NotificationCategory `json:"categories"`
	}
	err := c.Do(ctx, "GET", "/api/v1/me/notifications", nil, &out)
	return out.Categories, err
}

// SetNotificationPreferences turns categories on (true) or off (false);
// the others keep their setting.
func (c *Client) SetNotificationPreferences(ctx context.Context, prefs map[string]bool) ([]NotificationCategory, error) {
	var out struct {
		Categories []NotificationCategory `json:"categories"`
	}
	err := c.Do(ctx, "PUT", "/api/v1/me/notifications", prefs, &out)
	return out.Categories, err
}

// Outbox lists email notifications, newest first. Staff only.
func (c *Client) Outbox(ctx context.Context, f OutboxFilter) ([]OutboxMessage, error) {
	q := url.Values{}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	if f.TicketID != 0 {
		q.Set("ticket_id", strconv.FormatInt(f.TicketID, 10))
	}
	var out struct {
		Messages []OutboxMessage `json:"messages"`
	}
	err := c.Do(ctx, "GET", "/api/v1/mail/outbox"+f.query(q), nil, &out)
	return out.Messages, err
}

// Inbox lists received emails with status (all when empty), newest first.
// Staff only.
func (c *Client) Inbox(ctx context.Context, status string, p Page) ([]InboxMessage, error) {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	var out struct {
		Messages []InboxMessage `json:"messages"`
	}
	err := c.Do(ctx, "GET", "/api/v1/mail/inbox"+p.query(q), nil, &out)
	return out.Messages, err
}

// DiscardInboxMessage marks a held email as dealt with. Staff only.
func (c *Client) DiscardInboxMessage(ctx context.Context, id int64) error {
	return c.Do(ctx, "POST", fmt.Sprintf("/api/v1/mail/inbox/%d/discard", id), nil, nil)
}

// InboxOriginal returns a received email as it arrived (RFC 5322 bytes).
// Staff, and the customer who sent it, may download it.
func (c *Client) InboxOriginal(ctx context.Context, id int64) ([]byte, error) {
	return c.download(ctx, fmt.Sprintf("/api/v1/mail/inbox/%d/original", id))
}

// download GETs a file; errors are decoded as from Do.
func (c *Client) download(ctx context.Context, path string) ([]byte, error) {
	b, _, err := c.downloadWithHeader(ctx, path)
	return b, err
}

// downloadWithHeader GETs a file and its response headers.
func (c *Client) downloadWithHeader(ctx context.Context, path string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.BaseURL+path, nil)
	if err != nil {
		return nil, nil, err
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return nil, nil, decodeError(resp)
	}
	b, err := io.ReadAll(resp.Body)
	return b, resp.Header, err
}

// ReprocessResult says what happened to a held message processed again.
type ReprocessResult struct {
	ID        int64  `json:"id"`
	Status    string `json:"status"`
	Reason    string `json:"reason"`
	TicketID  int64  `json:"ticket_id"`
	CommentID int64  `json:"comment_id"`
}

// ReprocessInboxMessage routes a held message again (staff).
func (c *Client) ReprocessInboxMessage(ctx context.Context, id int64) (ReprocessResult, error) {
	var out ReprocessResult
	err := c.Do(ctx, "POST", fmt.Sprintf("/api/v1/mail/inbox/%d/reprocess", id), nil, &out)
	return out, err
}
