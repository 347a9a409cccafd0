package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"html/template"
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
	link := fmt.Sprintf("%s/tickets/%d", strings.TrimSuffix(o.BaseURL, "/"), a.Number)
	text := a.Text + "\n\n--\nOpen the ticket: " + link + "\n"
	html := "<p>" + strings.ReplaceAll(template.HTMLEscapeString(a.Text), "\n\n", "</p><p>") + "</p>" +
		fmt.Sprintf(`<hr><p style="color:#5b6275;font-size:13px"><a href="%s">Open the ticket</a>.</p>`, template.HTMLEscapeString(link))
	safeKey := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '.'
	}, a.Key)
	for _, uid := range a.UserIDs {
		var email string
		if err := tx.QueryRowContext(ctx, `SELECT email FROM users WHERE id = $1`, uid).Scan(&email); err != nil {
			return err
		}
		messageID := fmt.Sprintf("t%d.%s.u%d@%s", a.Number, safeKey, uid, o.Domain())
		headers, _ := json.Marshal(map[string]string{
			"Message-ID":        "<" + messageID + ">",
			"References":        "<" + o.ThreadID(a.Number) + ">",
			"Auto-Submitted":    "auto-generated",
			"X-Helpline-Ticket": fmt.Sprint(a.Number),
		})
		err := o.enqueue(ctx, tx, outboxRow{
			dedupe: fmt.Sprintf("%s:%d", a.Key, uid), ticketID: a.TicketID, userID: uid, to: email, category: AlertCategory,
			messageID: messageID, subject: fmt.Sprintf("[#%d] %s: %s", a.Number, a.Title, a.Subject), text: text, html: html, headers: string(headers),
		})
		if err != nil {
			return err
		}
	}
	return nil
}
