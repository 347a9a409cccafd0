package oncall

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/notify"
)

// Delivery statuses: the delivery log.
const (
	DeliveryQueued    = "queued"
	DeliveryRetrying  = "retrying"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
	// DeliveryCancelled is a trigger that was still waiting when the page
	// was acknowledged or resolved: sending it then would wake someone for
	// nothing.
	DeliveryCancelled = "cancelled"
)

// Delivery is one message of a page to one contact method.
type Delivery struct {
	ID              int64      `json:"id"`
	PageID          int64      `json:"page_id"`
	UserID          *int64     `json:"user_id"`
	UserName        string     `json:"user_name,omitempty"`
	ContactMethodID *int64     `json:"contact_method_id"`
	Kind            string     `json:"kind"`
	Address         string     `json:"address"` // PagerDuty routing keys are masked
	Event           string     `json:"event"`
	Level           int        `json:"level"`
	Cycle           int        `json:"cycle"`
	Status          string     `json:"status"`
	Attempts        int        `json:"attempts"`
	LastError       string     `json:"last_error,omitempty"`
	ResponseStatus  *int       `json:"response_status"`
	CreatedAt       time.Time  `json:"created_at"`
	DeliveredAt     *time.Time `json:"delivered_at"`
}

// LevelNumber is the escalation level as people count it, from 1.
func (d Delivery) LevelNumber() int { return d.Level + 1 }

// maskKey hides all but the end of a PagerDuty routing key: it is a secret
// that lets anyone open incidents.
func maskKey(k string) string {
	if len(k) <= 4 {
		return strings.Repeat("•", len(k))
	}
	return strings.Repeat("•", 8) + k[len(k)-4:]
}

// FindDeliveries returns a page's delivery log, oldest first; staff only.
func (s *Service) FindDeliveries(ctx context.Context, actor *helpline.Actor, pageID int64) ([]Delivery, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	if _, err := s.findPage(ctx, s.db, pageID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT d.id, d.page_id, d.user_id, COALESCE(u.name, ''), d.contact_method_id, d.kind, d.address, d.event,
		d.level, d.cycle, d.status, d.attempts, d.last_error, d.response_status, d.created_at, d.delivered_at
		FROM page_deliveries d LEFT JOIN users u ON u.id = d.user_id WHERE d.page_id = $1 ORDER BY d.id`, pageID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var d Delivery
		var uid, mid, resp sql.NullInt64
		var at sql.NullTime
		if err := rows.Scan(&d.ID, &d.PageID, &uid, &d.UserName, &mid, &d.Kind, &d.Address, &d.Event,
			&d.Level, &d.Cycle, &d.Status, &d.Attempts, &d.LastError, &resp, &d.CreatedAt, &at); err != nil {
			return nil, err
		}
		d.UserID, d.ContactMethodID, d.DeliveredAt = nullID(uid), nullID(mid), db.NullTime(at)
		if resp.Valid {
			r := int(resp.Int64)
			d.ResponseStatus = &r
		}
		if d.Kind == "pagerduty" {
			d.Address = maskKey(d.Address)
		}
		d.CreatedAt = d.CreatedAt.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// outgoing is what a delivery job needs: the row, its page and its method.
type outgoing struct {
	id, pageID   int64
	methodID     sql.NullInt64
	kind, addr   string
	secret       string
	event        string
	status       string
	level, cycle int
	page         Page
	appName      string
	orgName      string
	plan         string
	priority     string
	subject      string
}

func (s *Service) loadOutgoing(ctx context.Context, id int64) (outgoing, error) {
	var o outgoing
	err := s.db.QueryRowContext(ctx, `SELECT d.id, d.page_id, d.contact_method_id, d.kind, d.address, COALESCE(c.secret, ''), d.event, d.status, d.level, d.cycle,
		COALESCE(a.name, ''), COALESCE(o.name, ''), COALESCE(o.plan, ''), COALESCE(t.priority, ''), COALESCE(t.subject, '')
		FROM page_deliveries d
		JOIN pages p ON p.id = d.page_id
		LEFT JOIN contact_methods c ON c.id = d.contact_method_id
		LEFT JOIN tickets t ON t.id = p.ticket_id
		LEFT JOIN apps a ON a.id = t.app_id
		LEFT JOIN organizations o ON o.id = t.org_id
		WHERE d.id = $1`, id).Scan(&o.id, &o.pageID, &o.methodID, &o.kind, &o.addr, &o.secret, &o.event, &o.status, &o.level, &o.cycle,
		&o.appName, &o.orgName, &o.plan, &o.priority, &o.subject)
	if errors.Is(err, sql.ErrNoRows) {
		return o, helpline.NotFound("page delivery")
	}
	if err != nil {
		return o, err
	}
	o.page, err = s.findPage(ctx, s.db, o.pageID)
	return o, err
}

// followUpWait is how long an acknowledge or resolve message waits for the
// trigger to the same method to settle, so receivers see them in order.
const followUpWait = 2 * time.Second

// Deliver sends one delivery of a page and records the outcome in the
// delivery log. lastAttempt says the job will not be retried after this.
// A permanent refusal is recorded as failed and returned as river.JobCancel;
// other errors are returned for River to retry with backoff.
func (s *Service) Deliver(ctx context.Context, args DeliverPageArgs, mailer notify.Mailer, lastAttempt bool) error {
	o, err := s.loadOutgoing(ctx, args.DeliveryID)
	if helpline.KindOf(err) == helpline.KindNotFound {
		return nil // the page was deleted
	}
	if err != nil {
		return err
	}
	if o.status != DeliveryQueued && o.status != DeliveryRetrying {
		return nil // done by an earlier run of this job
	}
	if o.event == "trigger" && o.page.Status != StatusTriggered {
		return s.settle(ctx, o.id, DeliveryCancelled, "not sent: the page was "+o.page.Status+" first", nil, false)
	}
	if o.event != "trigger" {
		// The acknowledge or resolve must not overtake its trigger, which may
		// still be retrying while the receiver is down.
		var pending int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM page_deliveries WHERE page_id = $1 AND contact_method_id = $2 AND event = 'trigger' AND status IN ('queued', 'retrying')`,
			o.pageID, o.methodID).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			return river.JobSnooze(followUpWait)
		}
		var sent int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM page_deliveries WHERE page_id = $1 AND contact_method_id = $2 AND event = 'trigger' AND status = 'delivered'`,
			o.pageID, o.methodID).Scan(&sent); err != nil {
			return err
		}
		if sent == 0 {
			return s.settle(ctx, o.id, DeliveryCancelled, "not sent: the trigger never reached this method", nil, false)
		}
	}
	var status int
	var permanent bool
	switch o.kind {
	case "email":
		err = mailer.Send(ctx, s.pageEmail(o, args.Token))
		permanent = err != nil && notify.IsPermanent(err)
	case "webhook":
		status, permanent, err = s.sendWebhook(ctx, o, args.Token)
	case "pagerduty":
		status, permanent, err = s.sendPagerDuty(ctx, o, args.Token)
	default:
		err, permanent = fmt.Errorf("unknown contact method kind %q", o.kind), true
	}
	var resp *int
	if status != 0 {
		resp = &status
	}
	if err == nil {
		return s.settle(ctx, o.id, DeliveryDelivered, "", resp, true)
	}
	final := permanent || lastAttempt
	next := DeliveryRetrying
	if final {
		next = DeliveryFailed
	}
	if serr := s.settle(ctx, o.id, next, err.Error(), resp, true); serr != nil {
		return serr
	}
	if permanent {
		return river.JobCancel(err)
	}
	return err
}

// settle records an attempt's outcome.
func (s *Service) settle(ctx context.Context, id int64, status, lastError string, resp *int, attempted bool) error {
	inc := 0
	if attempted {
		inc = 1
	}
	var deliveredAt *time.Time
	if status == DeliveryDelivered {
		now := s.nowUTC()
		deliveredAt = &now
	}
	if len(lastError) > 1000 {
		lastError = lastError[:1000]
	}
	_, err := s.db.ExecContext(ctx, `UPDATE page_deliveries SET status = $1, last_error = $2, response_status = COALESCE($3, response_status),
		attempts = attempts + $4, delivered_at = $5 WHERE id = $6`, status, lastError, resp, inc, deliveredAt, id)
	return err
}

func (s *Service) link(path string) string { return strings.TrimRight(s.baseURL, "/") + path }

func (s *Service) ticketURL(o outgoing) string {
	if o.page.TicketNumber == 0 {
		return ""
	}
	return s.link(fmt.Sprintf("/tickets/%d", o.page.TicketNumber))
}

func (s *Service) ackURL(token string) string {
	if token == "" {
		return ""
	}
	return s.link("/pages/ack/" + url.PathEscape(token))
}

var pageEmailHTML = template.Must(template.New("page").Parse(`<!doctype html>
<html><body style="font-family: sans-serif">
<p><strong>Helpline paged you{{if .Level}} (escalation level {{.Level}}){{end}}:</strong> {{.Summary}}</p>
<p>Severity: {{.Severity}}<br>Reason: {{.Reason}}<br>Triggered: {{.Triggered}}</p>
{{if .Message}}<blockquote>{{.Message}}</blockquote>{{end}}
<p>
{{if .AckURL}}<a href="{{.AckURL}}">Acknowledge</a> · <a href="{{.ResolveURL}}">Resolve</a> · {{end}}
{{if .TicketURL}}<a href="{{.TicketURL}}">Open the ticket</a> · {{end}}
<a href="{{.PageURL}}">Open the page</a>
</p>
<p style="color: #666">Acknowledging stops the escalation to the next person.</p>
</body></html>`))

func (s *Service) pageEmail(o outgoing, token string) notify.Message {
	p := o.page
	reason := "urgent ticket from a " + planLabel(o.plan) + " customer"
	if p.Reason == ReasonManual {
		reason = "paged by " + nonEmpty(p.TriggeredByName, "an admin")
	}
	subject := "[Page] " + p.Summary
	if p.TicketNumber != 0 {
		// The subject names the ticket without the org and plan: phones
		// show only the start of it.
		subject = fmt.Sprintf("[Page] #%d %s", p.TicketNumber, o.subject)
	}
	data := map[string]any{
		"Summary": p.Summary, "Severity": p.Severity, "Reason": reason, "Message": p.Message,
		"Triggered": p.TriggeredAt.Format("2006-01-02 15:04:05 UTC"),
		"AckURL":    s.ackURL(token), "ResolveURL": s.ackURL(token) + "?action=resolve",
		"TicketURL": s.ticketURL(o), "PageURL": s.link(fmt.Sprintf("/pages/%d", p.ID)), "Level": 0,
	}
	if o.level > 0 || o.cycle > 0 {
		data["Level"] = o.level + 1
	}
	var text strings.Builder
	fmt.Fprintf(&text, "Helpline paged you: %s\n\nSeverity: %s\nReason: %s\nTriggered: %s\n", p.Summary, p.Severity, reason, data["Triggered"])
	if p.Message != "" {
		fmt.Fprintf(&text, "\n%s\n", p.Message)
	}
	text.WriteString("\n")
	if token != "" {
		fmt.Fprintf(&text, "Acknowledge: %s\nResolve: %s\n", data["AckURL"], data["ResolveURL"])
	}
	if u := s.ticketURL(o); u != "" {
		fmt.Fprintf(&text, "Ticket: %s\n", u)
	}
	fmt.Fprintf(&text, "Page: %s\n\nAcknowledging stops the escalation to the next person.\n", data["PageURL"])
	var html bytes.Buffer
	if err := pageEmailHTML.Execute(&html, data); err != nil {
		html.Reset() // a text-only page still wakes someone up
	}
	return notify.Message{
		To: []string{o.addr}, Subject: subject, Text: text.String(), HTML: html.String(),
		Headers: map[string]string{"Auto-Submitted": "auto-generated", "X-Priority": "1"},
	}
}

func planLabel(plan string) string {
	if plan == "" {
		return "paging"
	}
	return account.Plan(plan).Label()
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// eventStatus is the page status an event announces.
func eventStatus(event string) string {
	switch event {
	case "acknowledge":
		return StatusAcknowledged
	case "resolve":
		return StatusResolved
	}
	return StatusTriggered
}

// WebhookPayload is the JSON body of a webhook delivery.
type WebhookPayload struct {
	Event string      `json:"event"` // trigger, acknowledge, resolve
	Page  WebhookPage `json:"page"`
}

// WebhookPage is the page as a webhook receiver sees it.
type WebhookPage struct {
	ID             int64          `json:"id"`
	Status         string         `json:"status"`
	Summary        string         `json:"summary"`
	Severity       string         `json:"severity"`
	DedupKey       string         `json:"dedup_key"`
	TriggeredAt    time.Time      `json:"triggered_at"`
	Ticket         *WebhookTicket `json:"ticket,omitempty"`
	AcknowledgeURL string         `json:"acknowledge_url,omitempty"`
	Message        string         `json:"message,omitempty"`
	Level          int            `json:"level"`
}

// WebhookTicket is the ticket a webhook's page is about.
type WebhookTicket struct {
	Number int64  `json:"number"`
	URL    string `json:"url"`
}

// SignWebhook returns the X-Helpline-Signature of a body sent at timestamp
// (Unix seconds): receivers recompute it with the secret and compare.
func SignWebhook(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (s *Service) sendWebhook(ctx context.Context, o outgoing, token string) (int, bool, error) {
	p := o.page
	payload := WebhookPayload{Event: o.event, Page: WebhookPage{
		ID: p.ID, Status: eventStatus(o.event), Summary: p.Summary, Severity: p.Severity, DedupKey: p.DedupKey,
		TriggeredAt: p.TriggeredAt, AcknowledgeURL: s.ackURL(token), Message: p.Message, Level: o.level + 1,
	}}
	if p.TicketNumber != 0 {
		payload.Page.Ticket = &WebhookTicket{Number: p.TicketNumber, URL: s.ticketURL(o)}
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return 0, true, err
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	status, err := s.post(ctx, o.addr, body, map[string]string{
		"X-Helpline-Timestamp": ts,
		"X-Helpline-Signature": SignWebhook(o.secret, ts, body),
		"X-Helpline-Event":     o.event,
	})
	if err != nil {
		return 0, false, err
	}
	switch {
	case status >= 200 && status < 300:
		return status, false, nil
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500:
		return status, false, fmt.Errorf("webhook answered %d; retrying", status)
	}
	// Any other 4xx says the receiver will never take this message.
	return status, true, fmt.Errorf("webhook refused the message with %d", status)
}

// pagerDutyEvent is an Events API v2 enqueue message.
type pagerDutyEvent struct {
	RoutingKey  string            `json:"routing_key"`
	EventAction string            `json:"event_action"`
	DedupKey    string            `json:"dedup_key"`
	Payload     *pagerDutyPayload `json:"payload,omitempty"`
	Links       []pagerDutyLink   `json:"links,omitempty"`
	Client      string            `json:"client,omitempty"`
	ClientURL   string            `json:"client_url,omitempty"`
}

type pagerDutyPayload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	Timestamp     string         `json:"timestamp"`
	Component     string         `json:"component,omitempty"`
	CustomDetails map[string]any `json:"custom_details"`
}

type pagerDutyLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// source is the PagerDuty payload's source: this Helpline's host.
func (s *Service) source() string {
	if u, err := url.Parse(s.baseURL); err == nil && u.Host != "" {
		return u.Host
	}
	return "helpline"
}

func (s *Service) sendPagerDuty(ctx context.Context, o outgoing, token string) (int, bool, error) {
	p := o.page
	ev := pagerDutyEvent{RoutingKey: o.addr, EventAction: o.event, DedupKey: p.DedupKey}
	if o.event == "trigger" {
		details := map[string]any{"page_id": p.ID, "reason": p.Reason, "level": o.level + 1, "page_url": s.link(fmt.Sprintf("/pages/%d", p.ID))}
		if p.TicketNumber != 0 {
			details["ticket"] = p.TicketNumber
			details["organization"] = o.orgName
			details["plan"] = o.plan
			details["priority"] = o.priority
		}
		if p.Message != "" {
			details["message"] = p.Message
		}
		summary := p.Summary
		if len(summary) > 1024 { // PagerDuty's limit
			summary = summary[:1024]
		}
		ev.Payload = &pagerDutyPayload{Summary: summary, Source: s.source(), Severity: p.Severity,
			Timestamp: p.TriggeredAt.UTC().Format(time.RFC3339), Component: o.appName, CustomDetails: details}
		if u := s.ticketURL(o); u != "" {
			ev.Links = append(ev.Links, pagerDutyLink{Href: u, Text: fmt.Sprintf("Ticket #%d in Helpline", p.TicketNumber)})
		}
		if u := s.ackURL(token); u != "" {
			ev.Links = append(ev.Links, pagerDutyLink{Href: u, Text: "Acknowledge or resolve in Helpline"})
		}
		ev.Client, ev.ClientURL = "Helpline", s.link(fmt.Sprintf("/pages/%d", p.ID))
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return 0, true, err
	}
	status, err := s.post(ctx, s.pagerDutyURL, body, nil)
	if err != nil {
		return 0, false, err
	}
	switch {
	case status >= 200 && status < 300:
		return status, false, nil
	case status == http.StatusBadRequest:
		// PagerDuty says the event is invalid: sending it again cannot help.
		return status, true, errors.New("PagerDuty refused the event as invalid (400); check the routing key")
	}
	return status, false, fmt.Errorf("PagerDuty answered %d; retrying", status)
}

// post sends a JSON body and returns the status code; the body of the
// answer is read (a little) so the connection can be reused.
func (s *Service) post(ctx context.Context, target string, body []byte, headers map[string]string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Helpline")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}
