package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/helpline-dev/helpline/internal/db"
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
func QueueAlert(ctx context.Context, tx *sql.Tx, jobs JobInserter, now time.Time, baseURL string, a Alert) error {
	domain := "localhost"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		domain = u.Hostname()
	}
	link := fmt.Sprintf("%s/tickets/%d", strings.TrimSuffix(baseURL, "/"), a.Number)
	subject := fmt.Sprintf("[#%d] %s: %s", a.Number, a.Title, a.Subject)
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
		messageID := fmt.Sprintf("t%d.%s.u%d@%s", a.Number, safeKey, uid, domain)
		headers, _ := json.Marshal(map[string]string{
			"Message-ID":        "<" + messageID + ">",
			"References":        fmt.Sprintf("<ticket-%d@%s>", a.Number, domain),
			"Auto-Submitted":    "auto-generated",
			"X-Helpline-Ticket": fmt.Sprint(a.Number),
		})
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO mail_outbox (dedupe_key, ticket_id, user_id, to_email, category, message_id, subject, text_body, html_body, headers, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'queued', $11) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
			fmt.Sprintf("%s:%d", a.Key, uid), a.TicketID, uid, email, AlertCategory, messageID, subject, text, html, string(headers), db.Time(now)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue // already queued for this event and person
		}
		if err != nil {
			return err
		}
		if _, err := jobs.InsertTx(ctx, tx, SendEmailArgs{OutboxID: id}, nil); err != nil {
			return err
		}
	}
	return nil
}
