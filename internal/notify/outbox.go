package notify

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// JobInserter inserts jobs in the caller's transaction; River's client is one.
type JobInserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// SendEmailArgs is the job that sends one message of the outbox.
type SendEmailArgs struct {
	OutboxID int64 `json:"outbox_id"`
}

// Kind names the job for River.
func (SendEmailArgs) Kind() string { return "send_email" }

// InsertOpts puts emails on their own queue with generous retries: an SMTP
// server that is down for hours still gets every message afterwards.
func (SendEmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: "email", MaxAttempts: 25}
}

// Category is a kind of notification a user may turn off.
type Category struct {
	Slug, Label string
	Staff       bool // only staff get it
}

// Categories are the notification kinds, each with its own unsubscribe link.
var Categories = []Category{
	{"ticket_replies", "Replies on tickets you opened or joined", false},
	{"ticket_updates", "Status and priority changes and appeal decisions on your tickets", false},
	{"assigned_replies", "Customer replies on tickets assigned to you or that you watch", true},
	{EngagementCategory, "Enterprise engagements: replies, schedule changes, meetings and event reminders", false},
}

// EngagementCategory is the category of enterprise engagement emails.
const EngagementCategory = "engagements"

// Outbox turns ticket steps into queued emails. It implements
// ticket.Notifier: everything happens in the step's transaction.
type Outbox struct {
	Jobs    JobInserter
	Render  func(markdown string) template.HTML
	BaseURL string
	Reply   string // reply address, e.g. support@help.example.com; replies go to support+<token>@…
	Now     func() time.Time
}

// Domain is the part of the reply address after @, used in Message-IDs.
func (o *Outbox) Domain() string {
	if i := strings.LastIndex(o.Reply, "@"); i >= 0 {
		return o.Reply[i+1:]
	}
	return "localhost"
}

// ThreadID is the Message-ID every email of a ticket refers to, so mail
// clients keep a ticket's emails in one conversation.
func (o *Outbox) ThreadID(number int64) string {
	return fmt.Sprintf("ticket-%d@%s", number, o.Domain())
}

type recipient struct {
	id       int64
	email    string
	category string
}

func randomToken() string {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// Notify queues one email per recipient of a public ticket step.
func (o *Outbox) Notify(ctx context.Context, tx *sql.Tx, n ticket.Notification) error {
	var number int64
	var subject, status, priority string
	var requester int64
	var assignee sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT number, subject, status, priority, requester_id, assignee_id FROM tickets WHERE id = $1`, n.TicketID).
		Scan(&number, &subject, &status, &priority, &requester, &assignee)
	if err != nil {
		return err
	}
	actorID := int64(0)
	actorName := "Helpline"
	if n.Actor != nil {
		actorID, actorName = n.Actor.UserID, n.Actor.Name
	}
	// Customers on the ticket: the requester and everyone it was shared with.
	people := map[int64]string{requester: "customer"}
	add := func(query, role string) error {
		rows, err := tx.QueryContext(ctx, query, n.TicketID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			people[id] = role
		}
		return rows.Err()
	}
	if err := add(`SELECT user_id FROM ticket_participants WHERE ticket_id = $1`, "customer"); err != nil {
		return err
	}
	category := "ticket_updates"
	if n.Kind == "comment" {
		category = "ticket_replies"
		// A customer's reply goes to the engineer who has the ticket and to
		// the staff watching it.
		if n.Actor != nil && !n.Actor.IsStaff() {
			if assignee.Valid {
				people[assignee.Int64] = "assignee"
			}
			if err := add(`SELECT user_id FROM ticket_watchers WHERE ticket_id = $1`, "assignee"); err != nil {
				return err
			}
		}
	}
	delete(people, actorID)

	var body, bodyHTML string
	switch n.Kind {
	case "comment":
		if err := tx.QueryRowContext(ctx, `SELECT body FROM ticket_comments WHERE id = $1 AND internal = FALSE`, n.CommentID).Scan(&body); err != nil {
			return err // an internal note is never emailed
		}
		bodyHTML = string(o.Render(body))
		body = fmt.Sprintf("%s wrote:\n\n%s", actorName, body)
		bodyHTML = fmt.Sprintf("<p><strong>%s</strong> wrote:</p>%s", template.HTMLEscapeString(actorName), bodyHTML)
	case "status_changed":
		body = fmt.Sprintf("%s changed the status of your ticket from %v to %v.", actorName, n.Data["from"], n.Data["to"])
	case "priority_changed":
		body = fmt.Sprintf("%s changed the priority from %v to %v: %v\n\nIf you disagree, you can appeal this change once, with information in support of the original priority, on the ticket page.",
			actorName, n.Data["from"], n.Data["to"], n.Data["reason"])
	case "appeal_decided":
		outcome := "upheld: the priority stays"
		if n.Data["outcome"] == ticket.AppealOverturned {
			outcome = "overturned: your original priority is restored"
		}
		body = fmt.Sprintf("Your appeal was %s (%v).\n\n%v", outcome, n.Data["priority"], n.Data["note"])
	default:
		return nil
	}
	if bodyHTML == "" {
		bodyHTML = "<p>" + strings.ReplaceAll(template.HTMLEscapeString(body), "\n\n", "</p><p>") + "</p>"
	}
	link := fmt.Sprintf("%s/tickets/%d", o.BaseURL, number)
	for id, role := range people {
		r := recipient{id: id, category: category}
		if role == "assignee" {
			r.category = "assigned_replies"
		}
		if err := tx.QueryRowContext(ctx, `SELECT email FROM users WHERE id = $1`, id).Scan(&r.email); err != nil {
			return err
		}
		if err := o.queue(ctx, tx, n, number, subject, r, body, bodyHTML, link); err != nil {
			return err
		}
	}
	return nil
}

func (o *Outbox) queue(ctx context.Context, tx *sql.Tx, n ticket.Notification, number int64, subject string, r recipient, body, bodyHTML, link string) error {
	var enabled bool
	err := tx.QueryRowContext(ctx, `SELECT enabled FROM notification_prefs WHERE user_id = $1 AND category = $2`, r.id, r.category).Scan(&enabled)
	if err == nil && !enabled {
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	replyToken, err := o.token(ctx, tx, `SELECT token FROM reply_tokens WHERE ticket_id = $1 AND user_id = $2`, []any{n.TicketID, r.id},
		`INSERT INTO reply_tokens (token, ticket_id, user_id, created_at) VALUES ($1, $2, $3, $4)`, []any{n.TicketID, r.id, db.Time(o.Now())})
	if err != nil {
		return err
	}
	unsub, err := o.token(ctx, tx, `SELECT token FROM unsubscribe_tokens WHERE user_id = $1`, []any{r.id},
		`INSERT INTO unsubscribe_tokens (token, user_id) VALUES ($1, $2)`, []any{r.id})
	if err != nil {
		return err
	}
	local, domain, _ := strings.Cut(o.Reply, "@")
	replyTo := fmt.Sprintf("%s+%s@%s", local, replyToken, domain)
	unsubURL := fmt.Sprintf("%s/unsubscribe/%s?c=%s", o.BaseURL, unsub, r.category)
	dedupe := fmt.Sprintf("%s:%d:%d", n.Kind, n.ID, r.id)
	messageID := fmt.Sprintf("t%d.%s.%d.u%d@%s", number, n.Kind, n.ID, r.id, domain)

	// Chain each message to the one before it in this person's thread.
	refs := []string{"<" + o.ThreadID(number) + ">"}
	var prev string
	err = tx.QueryRowContext(ctx, `SELECT message_id FROM mail_outbox WHERE ticket_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT 1`, n.TicketID, r.id).Scan(&prev)
	if err == nil {
		refs = append(refs, "<"+prev+">")
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	headers := map[string]string{
		"Message-ID":            "<" + messageID + ">",
		"In-Reply-To":           refs[len(refs)-1],
		"References":            strings.Join(refs, " "),
		"Reply-To":              replyTo,
		"List-Unsubscribe":      "<" + unsubURL + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		// Auto-responders must not answer notifications (RFC 3834).
		"Auto-Submitted":    "auto-generated",
		"X-Helpline-Ticket": fmt.Sprint(number),
	}
	hb, _ := json.Marshal(headers)
	footer := fmt.Sprintf("\n\n--\nReply to this email to answer, or open the ticket: %s\nTurn these emails off: %s\n", link, unsubURL)
	html := fmt.Sprintf(`%s<hr><p style="color:#5b6275;font-size:13px">Reply to this email to answer, or <a href="%s">open the ticket</a>. <a href="%s">Turn these emails off</a>.</p>`,
		bodyHTML, template.HTMLEscapeString(link), template.HTMLEscapeString(unsubURL))
	return o.enqueue(ctx, tx, outboxRow{
		dedupe: dedupe, ticketID: n.TicketID, userID: r.id, to: r.email, category: r.category, messageID: messageID,
		subject: fmt.Sprintf("[#%d] %s", number, subject), text: body + footer, html: html, headers: string(hb),
	})
}

// outboxRow is one message about to be queued.
type outboxRow struct {
	dedupe             string
	ticketID, userID   int64
	to, category       string
	messageID, subject string
	text, html         string
	headers            string // JSON
}

// enqueue stores a message in the outbox with the job that sends it, once
// per dedupe key: queuing the same event for the same person again is a
// no-op.
func (o *Outbox) enqueue(ctx context.Context, tx *sql.Tx, m outboxRow) error {
	var id int64
	var ticketID *int64 // emails about no ticket (engagements) have none
	if m.ticketID != 0 {
		ticketID = &m.ticketID
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO mail_outbox (dedupe_key, ticket_id, user_id, to_email, category, message_id, subject, text_body, html_body, headers, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'queued', $11) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
		m.dedupe, ticketID, m.userID, m.to, m.category, m.messageID, m.subject, m.text, m.html, m.headers, db.Time(o.Now())).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = o.Jobs.InsertTx(ctx, tx, SendEmailArgs{OutboxID: id}, nil)
	return err
}

// token returns an existing token or makes one.
func (o *Outbox) token(ctx context.Context, tx *sql.Tx, find string, findArgs []any, insert string, insertArgs []any) (string, error) {
	var t string
	err := tx.QueryRowContext(ctx, find, findArgs...).Scan(&t)
	if err == nil {
		return t, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	t = randomToken()
	_, err = tx.ExecContext(ctx, insert, append([]any{t}, insertArgs...)...)
	return t, err
}

// OutboxMessage is one queued, sent or failed email.
type OutboxMessage struct {
	ID        int64      `json:"id"`
	TicketID  *int64     `json:"ticket_id"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Category  string     `json:"category"`
	Status    string     `json:"status"` // queued, sent, failed
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
	MessageID string     `json:"message_id"`
	headers   map[string]string
	text      string
	html      string
}

// Mail returns the message to send.
func (m OutboxMessage) Mail() Message {
	return Message{To: []string{m.To}, Subject: m.Subject, Text: m.text, HTML: m.html, Headers: m.headers}
}

const outboxColumns = `id, ticket_id, to_email, subject, category, status, attempts, last_error, created_at, sent_at, message_id, headers, text_body, html_body`

func scanOutbox(row interface{ Scan(...any) error }) (OutboxMessage, error) {
	var m OutboxMessage
	var sent sql.NullTime
	var headers string
	if err := row.Scan(&m.ID, &m.TicketID, &m.To, &m.Subject, &m.Category, &m.Status, &m.Attempts, &m.LastError, &m.CreatedAt, &sent, &m.MessageID, &headers, &m.text, &m.html); err != nil {
		return m, err
	}
	m.CreatedAt = m.CreatedAt.UTC()
	m.SentAt = db.NullTime(sent)
	err := json.Unmarshal([]byte(headers), &m.headers)
	return m, err
}

// Store reads and updates the outbox, preferences and unsubscriptions.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// FindOutboxMessage returns one outbox row.
func (s *Store) FindOutboxMessage(ctx context.Context, id int64) (OutboxMessage, error) {
	m, err := scanOutbox(s.DB.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM mail_outbox WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, helpline.NotFound("email")
	}
	return m, err
}

// MarkSent records a delivered message.
func (s *Store) MarkSent(ctx context.Context, id int64) error {
	_, err := s.DB.ExecContext(ctx, `UPDATE mail_outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, last_error = '' WHERE id = $2`, db.Time(s.Now()), id)
	return err
}

// MarkAttempt records a failed attempt; final marks the message failed for good.
func (s *Store) MarkAttempt(ctx context.Context, id int64, cause error, final bool) error {
	status := "queued"
	if final {
		status = "failed"
	}
	msg := cause.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	_, err := s.DB.ExecContext(ctx, `UPDATE mail_outbox SET status = $1, attempts = attempts + 1, last_error = $2 WHERE id = $3`, status, msg, id)
	return err
}

// FindOutbox lists emails, newest first: of one ticket, or all of them
// (ticketID 0). Staff only.
func (s *Store) FindOutbox(ctx context.Context, actor *helpline.Actor, ticketID int64, status string, p helpline.Page) ([]OutboxMessage, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	p = p.Normalize()
	q := `SELECT ` + outboxColumns + ` FROM mail_outbox WHERE ($1 = 0 OR ticket_id = $1) AND ($2 = '' OR status = $2) ORDER BY id DESC LIMIT $3 OFFSET $4`
	rows, err := s.DB.QueryContext(ctx, q, ticketID, status, p.Limit, p.Offset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []OutboxMessage{}
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Preferences returns which categories a user receives (all by default).
func (s *Store) Preferences(ctx context.Context, userID int64) (map[string]bool, error) {
	prefs := map[string]bool{}
	for _, c := range Categories {
		prefs[c.Slug] = true
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT category, enabled FROM notification_prefs WHERE user_id = $1`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var on bool
		if err := rows.Scan(&c, &on); err != nil {
			return nil, err
		}
		prefs[c] = on
	}
	return prefs, rows.Err()
}

// SetPreference turns a category on or off for a user.
func (s *Store) SetPreference(ctx context.Context, userID int64, category string, enabled bool) error {
	known := false
	for _, c := range Categories {
		known = known || c.Slug == category
	}
	if !known {
		return &helpline.Error{Kind: helpline.KindInvalid, Message: "Unknown notification category.",
			Fields: map[string]string{category: "is not a notification category"}}
	}
	_, err := s.DB.ExecContext(ctx, `INSERT INTO notification_prefs (user_id, category, enabled) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, category) DO UPDATE SET enabled = excluded.enabled`, userID, category, enabled)
	return err
}

// FindUnsubscribeEmail returns the address an unsubscribe token belongs to.
func (s *Store) FindUnsubscribeEmail(ctx context.Context, token string) (string, error) {
	_, email, err := s.unsubscriber(ctx, token)
	return email, err
}

func (s *Store) unsubscriber(ctx context.Context, token string) (int64, string, error) {
	var userID int64
	var email string
	err := s.DB.QueryRowContext(ctx, `SELECT u.id, u.email FROM unsubscribe_tokens t JOIN users u ON u.id = t.user_id WHERE t.token = $1`, token).Scan(&userID, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", &helpline.Error{Kind: helpline.KindNotFound, Message: "This unsubscribe link is not valid."}
	}
	return userID, email, err
}

// Unsubscribe turns a category off for the owner of an unsubscribe token
// (the link in every notification) and returns their email.
func (s *Store) Unsubscribe(ctx context.Context, token, category string) (string, error) {
	userID, email, err := s.unsubscriber(ctx, token)
	if err != nil {
		return "", err
	}
	return email, s.SetPreference(ctx, userID, category, false)
}
