package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strings"
)

// Alert is an operational email to staff about a ticket, such as an SLA
// warning or breach. Staff cannot turn these off: they are the job.
type Alert struct {
	// Key identifies the event; one email goes out per key and recipient,
	// however often the alert is queued.
	Key      string
	TicketID int64
	Number   int64
	Subject  string // the ticket's subject; the email's is "[#number] Title: subject"
	Title    string // e.g. "SLA breached"
	Text     string // the body, plain text
	UserIDs  []int64
}

// AlertCategory is the outbox category of alerts.
const AlertCategory = "staff_alerts"

// QueueAlert queues one email per recipient of a in the caller's
// transaction, with the job that sends it.
func (o *Outbox) QueueAlert(ctx context.Context, tx *sql.Tx, a Alert) error {
	return o.QueueUserEmail(ctx, tx, UserEmail{
		Key: fmt.Sprintf("t%d.%s", a.Number, a.Key), Category: AlertCategory, UserIDs: a.UserIDs, TicketID: a.TicketID,
		Subject: fmt.Sprintf("[#%d] %s: %s", a.Number, a.Title, a.Subject), Text: a.Text,
		Link: fmt.Sprintf("/tickets/%d", a.Number), LinkLabel: "Open the ticket", Thread: o.ThreadID(a.Number),
		Headers: map[string]string{"X-Helpline-Ticket": fmt.Sprint(a.Number)},
	})
}

// UserEmail is a notification email to users, one per recipient: an alert
// about a ticket, or news of an enterprise engagement.
type UserEmail struct {
	// Key identifies the event: one email per key and recipient, however
	// often it is queued.
	Key string
	// Category is the outbox category; for one of Categories, recipients
	// who turned it off get nothing, and the others an unsubscribe link.
	Category string
	UserIDs  []int64
	TicketID int64 // the ticket it is about, if any
	Subject  string
	Text     string // plain text; blank lines separate paragraphs
	// Link is a path (/enterprise/engagements/3) or URL the email points to.
	Link, LinkLabel string
	// Thread is the Message-ID the email refers to, so mail clients keep
	// one subject's emails in one conversation.
	Thread  string
	Headers map[string]string
}

// QueueUserEmail queues e in the caller's transaction, with the jobs that
// send it.
func (o *Outbox) QueueUserEmail(ctx context.Context, tx *sql.Tx, e UserEmail) error {
	link := e.Link
	if strings.HasPrefix(link, "/") {
		link = strings.TrimSuffix(o.BaseURL, "/") + link
	}
	optional := slices.ContainsFunc(Categories, func(c Category) bool { return c.Slug == e.Category })
	safeKey := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '.'
	}, e.Key)
	esc := template.HTMLEscapeString
	for _, uid := range e.UserIDs {
		var email string
		if err := tx.QueryRowContext(ctx, `SELECT email FROM users WHERE id = $1`, uid).Scan(&email); err != nil {
			return err
		}
		text := e.Text + "\n\n--\n"
		html := "<p>" + strings.ReplaceAll(esc(e.Text), "\n\n", "</p><p>") + "</p>" + `<hr><p style="color:#5b6275;font-size:13px">`
		if link != "" {
			text += e.LinkLabel + ": " + link + "\n"
			html += fmt.Sprintf(`<a href="%s">%s</a>. `, esc(link), esc(e.LinkLabel))
		}
		headers := map[string]string{"Auto-Submitted": "auto-generated"}
		for k, v := range e.Headers {
			headers[k] = v
		}
		if optional {
			var enabled bool
			err := tx.QueryRowContext(ctx, `SELECT enabled FROM notification_prefs WHERE user_id = $1 AND category = $2`, uid, e.Category).Scan(&enabled)
			if err == nil && !enabled {
				continue
			}
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			unsub, err := o.token(ctx, tx, `SELECT token FROM unsubscribe_tokens WHERE user_id = $1`, []any{uid},
				`INSERT INTO unsubscribe_tokens (token, user_id) VALUES ($1, $2)`, []any{uid})
			if err != nil {
				return err
			}
			unsubURL := fmt.Sprintf("%s/unsubscribe/%s?c=%s", o.BaseURL, unsub, e.Category)
			text += "Turn these emails off: " + unsubURL + "\n"
			html += fmt.Sprintf(`<a href="%s">Turn these emails off</a>.`, esc(unsubURL))
			headers["List-Unsubscribe"] = "<" + unsubURL + ">"
			headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
		}
		html += "</p>"
		messageID := fmt.Sprintf("%s.u%d@%s", safeKey, uid, o.Domain())
		headers["Message-ID"] = "<" + messageID + ">"
		if e.Thread != "" {
			headers["References"] = "<" + e.Thread + ">"
		}
		hb, _ := json.Marshal(headers)
		err := o.enqueue(ctx, tx, outboxRow{
			dedupe: fmt.Sprintf("%s:%d", e.Key, uid), ticketID: e.TicketID, userID: uid, to: email, category: e.Category,
			messageID: messageID, subject: e.Subject, text: text, html: html, headers: string(hb),
		})
		if err != nil {
			return err
		}
	}
	return nil
}
