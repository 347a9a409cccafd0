package status

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/oncall"
)

// Delivery statuses.
const (
	DeliveryQueued   = "queued"
	DeliveryRetrying = "retrying"
	DeliverySent     = "sent"
	DeliveryFailed   = "failed"
)

// WebhookPoster POSTs a JSON body with extra headers and returns the
// response's status code; the jobs package gives it an HTTP client, so this
// package stays free of net/http.
type WebhookPoster func(ctx context.Context, url string, body []byte, headers map[string]string) (int, error)

// SignWebhook is the X-Helpline-Signature of a body sent at timestamp:
// sha256=HMAC-SHA256(secret, timestamp + "." + body), as for on-call
// webhooks, so receivers verify both the same way.
func SignWebhook(secret, timestamp string, body []byte) string {
	return oncall.SignWebhook(secret, timestamp, body)
}

// statusLabel is a status as a subject's tag: "Investigating", "In progress".
func statusLabel(st IncidentStatus) string {
	s := strings.ReplaceAll(string(st), "_", " ")
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// domain is this Helpline's host, for Message-IDs.
func (s *Service) domain() string {
	if u, err := url.Parse(s.baseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}

// Deliver sends one delivery and records the outcome. lastAttempt says the
// job will not be retried after this. A permanent refusal (an SMTP 5xx, a
// webhook's 4xx) is recorded as failed and returned as river.JobCancel;
// other errors are returned for River to retry with backoff. A delivery
// sent already, or whose subscriber left, is done.
func (s *Service) Deliver(ctx context.Context, args DeliverArgs, mailer notify.Mailer, post WebhookPoster, lastAttempt bool) error {
	var status, kind, raw, subKind, email, hookURL, secret string
	var notificationID, subscriberID int64
	err := s.db.QueryRowContext(ctx, `SELECT d.status, d.notification_id, n.kind, n.payload, s.id, s.kind, COALESCE(s.email, ''), s.url, s.secret
		FROM status_deliveries d
		JOIN status_notifications n ON n.id = d.notification_id
		JOIN status_subscribers s ON s.id = d.subscriber_id
		WHERE d.id = $1`, args.DeliveryID).Scan(&status, &notificationID, &kind, &raw, &subscriberID, &subKind, &email, &hookURL, &secret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // unsubscribed since
	}
	if err != nil {
		return err
	}
	if status != DeliveryQueued && status != DeliveryRetrying {
		return nil
	}
	var p payload
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return s.settleDelivery(ctx, args.DeliveryID, DeliveryFailed, "notification payload: "+err.Error(), 0)
	}

	var code int
	var permanent bool
	switch subKind {
	case SubscriberEmail:
		var token string
		token, err = s.issueToken(ctx, s.db, subscriberID, tokenUnsubscribe, 0)
		if err != nil {
			return err
		}
		m := s.notificationEmail(p, email, token, fmt.Sprintf("status.n%d.s%d@%s", notificationID, subscriberID, s.domain()))
		err = mailer.Send(ctx, m)
		permanent = err != nil && notify.IsPermanent(err)
	case SubscriberWebhook:
		code, permanent, err = s.sendWebhook(ctx, post, hookURL, secret, p)
	default:
		err, permanent = fmt.Errorf("unknown subscriber kind %q", subKind), true
	}
	if err == nil {
		return s.settleDelivery(ctx, args.DeliveryID, DeliverySent, "", code)
	}
	next := DeliveryRetrying
	if permanent || lastAttempt {
		next = DeliveryFailed
	}
	if serr := s.settleDelivery(ctx, args.DeliveryID, next, err.Error(), code); serr != nil {
		return serr
	}
	if permanent {
		return river.JobCancel(err)
	}
	return err
}

// settleDelivery records an attempt.
func (s *Service) settleDelivery(ctx context.Context, id int64, status, lastError string, code int) error {
	var sentAt *time.Time
	if status == DeliverySent {
		now := s.nowUTC()
		sentAt = &now
	}
	if len(lastError) > 1000 {
		lastError = lastError[:1000]
	}
	var resp *int
	if code != 0 {
		resp = &code
	}
	_, err := s.db.ExecContext(ctx, `UPDATE status_deliveries SET status = $1, last_error = $2, response_status = COALESCE($3, response_status),
		attempts = attempts + 1, sent_at = $4 WHERE id = $5`, status, lastError, resp, sentAt, id)
	return err
}

// sendWebhook POSTs the signed payload.
func (s *Service) sendWebhook(ctx context.Context, post WebhookPoster, target, secret string, p payload) (int, bool, error) {
	if post == nil {
		return 0, true, errors.New("no webhook client configured")
	}
	body, err := json.Marshal(p)
	if err != nil {
		return 0, true, err
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	code, err := post(ctx, target, body, map[string]string{
		"X-Helpline-Timestamp": ts,
		"X-Helpline-Signature": SignWebhook(secret, ts, body),
		"X-Helpline-Event":     p.Event,
	})
	if err != nil {
		return 0, false, err
	}
	switch {
	case code >= 200 && code < 300:
		return code, false, nil
	case code == 408 || code == 429 || code >= 500:
		return code, false, fmt.Errorf("webhook answered %d; retrying", code)
	}
	// Any other answer says the receiver will never take this message.
	return code, true, fmt.Errorf("webhook refused the message with %d", code)
}

// subject is "[Investigating] Elevated H12 errors in EU".
func subject(p payload) string {
	st := p.Incident.Status
	if p.Update != nil {
		st = p.Update.Status
	}
	return fmt.Sprintf("[%s] %s", statusLabel(st), p.Incident.Name)
}

// eventLead is the email's first line.
func eventLead(p payload) string {
	switch p.Event {
	case "incident_created":
		return "We are looking into a new incident."
	case "incident_resolved":
		return "This incident is resolved."
	case "maintenance_scheduled":
		return "We scheduled maintenance."
	case "maintenance_started":
		return "Scheduled maintenance has begun."
	case "maintenance_completed":
		return "Scheduled maintenance is complete."
	}
	return "There is an update on this incident."
}

// notificationEmail is what an email subscriber receives: plain text and
// HTML, the one-click unsubscribe link in the footer and in the
// List-Unsubscribe headers (RFC 8058), and a Message-ID that stays the
// same across retries.
func (s *Service) notificationEmail(p payload, to, unsubToken, messageID string) notify.Message {
	unsub := s.link("/status/unsubscribe/" + unsubToken)
	manage := s.link("/status/subscribe")
	var text strings.Builder
	fmt.Fprintf(&text, "%s\n\n%s\n", eventLead(p), p.Incident.Name)
	if p.Update != nil {
		fmt.Fprintf(&text, "\n%s: %s\n", statusLabel(p.Update.Status), p.Update.Body)
	}
	if p.Incident.ScheduledFor != nil && p.Incident.ScheduledUntil != nil {
		fmt.Fprintf(&text, "\nWindow: %s to %s\n", p.Incident.ScheduledFor.Format("Mon 2 Jan 2006 15:04 MST"), p.Incident.ScheduledUntil.Format("Mon 2 Jan 2006 15:04 MST"))
	}
	if names := componentNames(p.Incident.Components); names != "" {
		fmt.Fprintf(&text, "\nAffected: %s\n", names)
	}
	fmt.Fprintf(&text, "\nFollow it here: %s\n\n--\nYou receive this because you subscribed to status updates.\nUnsubscribe: %s\n", p.Incident.URL, unsub)

	esc := template.HTMLEscapeString
	var html strings.Builder
	fmt.Fprintf(&html, `<p>%s</p><h2 style="font-size:18px">%s</h2>`, esc(eventLead(p)), esc(p.Incident.Name))
	if p.Update != nil {
		body := strings.ReplaceAll(esc(p.Update.Body), "\n\n", "</p><p>")
		fmt.Fprintf(&html, `<p><strong>%s</strong>: %s</p>`, esc(statusLabel(p.Update.Status)), body)
	}
	if p.Incident.ScheduledFor != nil && p.Incident.ScheduledUntil != nil {
		fmt.Fprintf(&html, `<p>Window: %s to %s</p>`, esc(p.Incident.ScheduledFor.Format("Mon 2 Jan 2006 15:04 MST")), esc(p.Incident.ScheduledUntil.Format("Mon 2 Jan 2006 15:04 MST")))
	}
	if names := componentNames(p.Incident.Components); names != "" {
		fmt.Fprintf(&html, `<p>Affected: %s</p>`, esc(names))
	}
	fmt.Fprintf(&html, `<p><a href="%s">Follow this incident</a></p><hr><p style="color:#5b6275;font-size:13px">You receive this because you subscribed to status updates. <a href="%s">Choose components</a> or <a href="%s">unsubscribe</a>.</p>`,
		esc(p.Incident.URL), esc(manage), esc(unsub))
	return notify.Message{
		To:      []string{to},
		Subject: subject(p),
		Text:    text.String(),
		HTML:    html.String(),
		Headers: map[string]string{
			"Message-ID":            "<" + messageID + ">",
			"List-Unsubscribe":      "<" + unsub + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
			"Auto-Submitted":        "auto-generated",
			"X-Helpline-Incident":   strconv.FormatInt(p.Incident.ID, 10),
		},
	}
}

func componentNames(cs []ComponentChange) string {
	var names []string
	for _, c := range cs {
		if c.Name != "" {
			names = append(names, c.Name)
		}
	}
	return strings.Join(names, ", ")
}

// SendConfirmation emails a subscriber the link that confirms the
// subscription (the confirmation job calls it). The tokens are made here,
// so they exist readable only in the email. An address confirmed since,
// with no choice of components waiting, needs no email.
func (s *Service) SendConfirmation(ctx context.Context, args ConfirmEmailArgs, mailer notify.Mailer) error {
	var email string
	var confirmed sql.NullTime
	var pending string
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(email, ''), confirmed_at, pending_components FROM status_subscribers WHERE id = $1 AND kind = $2`,
		args.SubscriberID, SubscriberEmail).Scan(&email, &confirmed, &pending)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if confirmed.Valid && pending == "" {
		return nil
	}
	confirm, err := s.issueToken(ctx, s.db, args.SubscriberID, tokenConfirm, ConfirmTTL)
	if err != nil {
		return err
	}
	unsubToken, err := s.issueToken(ctx, s.db, args.SubscriberID, tokenUnsubscribe, 0)
	if err != nil {
		return err
	}
	link := s.link("/status/confirm/" + confirm)
	unsub := s.link("/status/unsubscribe/" + unsubToken)
	what := "confirm your subscription to status updates"
	if confirmed.Valid {
		what = "confirm the components you chose for status updates"
	}
	days := int(ConfirmTTL.Hours() / 24)
	text := fmt.Sprintf("Hello,\n\nPlease %s:\n\n%s\n\nThe link works for %d days. Until you follow it, nothing changes and we send you nothing else.\n"+
		"If you did not ask for this, ignore this email.\n\n--\nUnsubscribe: %s\n", what, link, days, unsub)
	esc := template.HTMLEscapeString
	html := fmt.Sprintf(`<p>Hello,</p><p>Please %s:</p><p><a href="%s">%s</a></p><p>The link works for %d days. Until you follow it, nothing changes and we send you nothing else. If you did not ask for this, ignore this email.</p><hr><p style="color:#5b6275;font-size:13px"><a href="%s">Unsubscribe</a></p>`,
		esc(what), esc(link), esc(link), days, esc(unsub))
	err = mailer.Send(ctx, notify.Message{
		To:      []string{email},
		Subject: "Confirm your status updates subscription",
		Text:    text,
		HTML:    html,
		Headers: map[string]string{
			"List-Unsubscribe":      "<" + unsub + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
			"Auto-Submitted":        "auto-generated",
		},
	})
	if err != nil && notify.IsPermanent(err) {
		return river.JobCancel(err)
	}
	return err
}
