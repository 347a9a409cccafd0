package mailin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// Statuses of a received message.
const (
	StatusComment   = "comment"   // added to a ticket
	StatusTicket    = "ticket"    // opened a new ticket
	StatusHeld      = "held"      // waiting for staff review
	StatusIgnored   = "ignored"   // auto-reply, bounce, loop, duplicate or over the rate limit
	StatusRejected  = "rejected"  // unreadable
	StatusDiscarded = "discarded" // held, then discarded by staff
)

// Processor turns received mail into ticket comments and tickets.
type Processor struct {
	DB       *db.DB
	Accounts *account.Service
	Tickets  *ticket.Service
	Dir      string // where the original messages are kept, by SHA-256
	Reply    string // our reply address, e.g. support@help.example.com
	// MaxPerHour is how many messages one sender may send an hour before
	// the rest are ignored (a mail loop or a flood).
	MaxPerHour int
	Now        func() time.Time
	Logger     *slog.Logger
}

// Result says what happened to a message.
type Result struct {
	ID        int64
	Status    string
	Reason    string
	TicketID  int64
	CommentID int64
}

func (p *Processor) localAndDomain() (string, string) {
	local, domain, _ := strings.Cut(strings.ToLower(p.Reply), "@")
	return local, domain
}

// Receive processes one raw message and records it in the inbox.
func (p *Processor) Receive(ctx context.Context, raw []byte) (Result, error) {
	sum := sha256.Sum256(raw)
	hash := hex.EncodeToString(sum[:])
	if err := p.keep(hash, raw); err != nil {
		return Result{}, err
	}
	msg, err := Parse(raw)
	if err != nil {
		return p.record(ctx, msg, hash, len(raw), Result{Status: StatusRejected, Reason: "unreadable message: " + err.Error()})
	}
	res, err := p.route(ctx, msg, false)
	if err != nil {
		return Result{}, err
	}
	return p.record(ctx, msg, hash, len(raw), res)
}

// Reprocess routes a held message again, for instance after staff created
// the sender's account or gave them access to the ticket. Staff only.
func (p *Processor) Reprocess(ctx context.Context, actor *helpline.Actor, id int64) (Result, error) {
	if err := actor.RequireStaff(); err != nil {
		return Result{}, err
	}
	var sha, status string
	err := p.DB.QueryRowContext(ctx, `SELECT raw_sha256, status FROM mail_inbox WHERE id = $1`, id).Scan(&sha, &status)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && status != StatusHeld) {
		return Result{}, helpline.NotFound("held message")
	}
	if err != nil {
		return Result{}, err
	}
	raw, err := os.ReadFile(filepath.Join(p.Dir, sha[:2], sha))
	if err != nil {
		return Result{}, err
	}
	msg, err := Parse(raw)
	if err != nil {
		return Result{}, err
	}
	res, err := p.route(ctx, msg, true)
	if err != nil {
		return Result{}, err
	}
	res.ID = id
	var ticketID, commentID *int64
	if res.TicketID != 0 {
		ticketID = &res.TicketID
	}
	if res.CommentID != 0 {
		commentID = &res.CommentID
	}
	if _, err := p.DB.ExecContext(ctx, `UPDATE mail_inbox SET status = $1, reason = $2, ticket_id = $3, comment_id = $4 WHERE id = $5`,
		res.Status, res.Reason, ticketID, commentID, id); err != nil {
		return Result{}, err
	}
	return res, p.Accounts.Audit(ctx, p.DB, actor, "mail.reprocessed", "mail", id, map[string]any{"status": res.Status, "ticket_id": res.TicketID})
}

// route decides where a message goes; again is set when staff reprocess a
// held message, which is then no duplicate of itself and no flood.
func (p *Processor) route(ctx context.Context, msg Message, again bool) (Result, error) {
	now := db.Time(p.Now())
	_, domain := p.localAndDomain()
	switch {
	case msg.AutoReply:
		return Result{Status: StatusIgnored, Reason: msg.AutoReason}, nil
	case strings.HasSuffix(strings.ToLower(msg.MessageID), "@"+domain):
		return Result{Status: StatusIgnored, Reason: "our own message came back (mail loop)"}, nil
	case msg.From == "":
		return Result{Status: StatusHeld, Reason: "no sender address"}, nil
	}
	if msg.MessageID != "" && !again {
		var n int
		if err := p.DB.QueryRowContext(ctx, `SELECT count(*) FROM mail_inbox WHERE message_id = $1`, msg.MessageID).Scan(&n); err != nil {
			return Result{}, err
		}
		if n > 0 {
			return Result{Status: StatusIgnored, Reason: "already received (same Message-ID)"}, nil
		}
	}
	var recent int
	if err := p.DB.QueryRowContext(ctx, `SELECT count(*) FROM mail_inbox WHERE from_email = $1 AND received_at > $2`, msg.From, now.Add(-time.Hour)).Scan(&recent); err != nil {
		return Result{}, err
	}
	if p.MaxPerHour > 0 && recent >= p.MaxPerHour && !again {
		return Result{Status: StatusIgnored, Reason: fmt.Sprintf("more than %d messages from this sender in an hour", p.MaxPerHour)}, nil
	}

	user, err := p.Accounts.FindUserByEmail(ctx, account.CLI(), msg.From)
	known := err == nil
	if err != nil && helpline.KindOf(err) != helpline.KindNotFound {
		return Result{}, err
	}
	ticketID, how, err := p.thread(ctx, msg)
	if err != nil {
		return Result{}, err
	}
	switch {
	case ticketID != 0 && !known:
		return Result{Status: StatusHeld, TicketID: ticketID, Reason: "unknown sender replied to a ticket (" + how + ")"}, nil
	case ticketID != 0:
		return p.comment(ctx, user, ticketID, how, msg)
	case !known:
		return Result{Status: StatusHeld, Reason: "unknown sender"}, nil
	}
	return p.open(ctx, user, msg)
}

// thread finds the ticket a message answers: the reply token in a recipient
// address, then our Message-IDs in In-Reply-To/References, then a [#123]
// in the subject (checked against the sender's access later).
func (p *Processor) thread(ctx context.Context, msg Message) (int64, string, error) {
	local, domain := p.localAndDomain()
	for _, to := range msg.To {
		if !strings.HasSuffix(to, "@"+domain) {
			continue
		}
		token, ok := ReplyToken(to, local)
		if !ok {
			continue
		}
		var id int64
		err := p.DB.QueryRowContext(ctx, `SELECT ticket_id FROM reply_tokens WHERE token = $1`, token).Scan(&id)
		if err == nil {
			return id, "reply address", nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, "", err
		}
	}
	ids := append(append([]string{}, msg.InReplyTo...), msg.References...)
	for i := len(ids) - 1; i >= 0; i-- { // the newest reference first
		id := strings.ToLower(ids[i])
		var ticketID int64
		err := p.DB.QueryRowContext(ctx, `SELECT ticket_id FROM mail_outbox WHERE message_id = $1 AND ticket_id IS NOT NULL`, id).Scan(&ticketID)
		if err == nil {
			return ticketID, "In-Reply-To/References", nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, "", err
		}
		// The thread root of every notification: ticket-<number>@domain.
		if rest, ok := strings.CutPrefix(id, "ticket-"); ok && strings.HasSuffix(rest, "@"+domain) {
			if n, err := strconv.ParseInt(strings.TrimSuffix(rest, "@"+domain), 10, 64); err == nil {
				if err := p.DB.QueryRowContext(ctx, `SELECT id FROM tickets WHERE number = $1`, n).Scan(&ticketID); err == nil {
					return ticketID, "In-Reply-To/References", nil
				}
			}
		}
	}
	if n, ok := TicketNumber(msg.Subject); ok {
		var id int64
		err := p.DB.QueryRowContext(ctx, `SELECT id FROM tickets WHERE number = $1`, n).Scan(&id)
		if err == nil {
			return id, "ticket number in the subject", nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, "", err
		}
	}
	return 0, "", nil
}

func (p *Processor) comment(ctx context.Context, user account.User, ticketID int64, how string, msg Message) (Result, error) {
	actor := user.Actor("")
	body := msg.Reply
	if strings.TrimSpace(body) == "" && len(msg.Attachments) > 0 {
		body = "(sent attachments by email)"
	}
	c, err := p.Tickets.AddComment(ctx, actor, ticketID, ticket.NewComment{Body: body})
	if err != nil {
		// Not theirs to answer, closed, empty…: a person looks at it.
		var he *helpline.Error
		if errors.As(err, &he) {
			return Result{Status: StatusHeld, TicketID: ticketID, Reason: "could not add the reply (" + how + "): " + he.Error()}, nil
		}
		return Result{}, err
	}
	p.attach(ctx, actor, ticketID, msg)
	return Result{Status: StatusComment, TicketID: ticketID, CommentID: c.ID, Reason: "threaded by " + how}, nil
}

func (p *Processor) open(ctx context.Context, user account.User, msg Message) (Result, error) {
	actor := user.Actor("")
	subject := strings.TrimSpace(msg.Subject)
	if subject == "" {
		subject = "(no subject)"
	}
	t, err := p.Tickets.CreateTicket(ctx, actor, ticket.NewTicket{
		Subject: subject, Description: msg.Reply, Priority: ticket.Normal, Environment: ticket.Production, Category: "other",
	})
	if err != nil {
		var he *helpline.Error
		if errors.As(err, &he) {
			return Result{Status: StatusHeld, Reason: "could not open a ticket: " + he.Error()}, nil
		}
		return Result{}, err
	}
	p.attach(ctx, actor, t.ID, msg)
	return Result{Status: StatusTicket, TicketID: t.ID, Reason: "new ticket from a known sender"}, nil
}

// attach stores the message's files on the ticket; a file that is refused
// (too large, empty) is logged, not fatal: the text already landed.
func (p *Processor) attach(ctx context.Context, actor *helpline.Actor, ticketID int64, msg Message) {
	for _, a := range msg.Attachments {
		if _, err := p.Tickets.AddAttachment(ctx, actor, ticketID, a.Filename, a.ContentType, bytes.NewReader(a.Data)); err != nil {
			p.Logger.Warn("email attachment not stored", "ticket_id", ticketID, "filename", a.Filename, "err", err)
		}
	}
}

func (p *Processor) keep(hash string, raw []byte) error {
	path := filepath.Join(p.Dir, hash[:2], hash)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	return os.WriteFile(path, raw, 0o640)
}

func (p *Processor) record(ctx context.Context, msg Message, hash string, size int, res Result) (Result, error) {
	var ticketID, commentID, userID *int64
	if res.TicketID != 0 {
		ticketID = &res.TicketID
	}
	if res.CommentID != 0 {
		commentID = &res.CommentID
	}
	if u, err := p.Accounts.FindUserByEmail(ctx, account.CLI(), msg.From); err == nil {
		userID = &u.ID
	}
	subject := msg.Subject
	if len(subject) > 300 {
		subject = subject[:300]
	}
	err := p.DB.QueryRowContext(ctx, `INSERT INTO mail_inbox (message_id, from_email, subject, status, reason, ticket_id, comment_id, user_id, raw_sha256, size, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		msg.MessageID, msg.From, strings.ToValidUTF8(subject, ""), res.Status, res.Reason, ticketID, commentID, userID, hash, size, db.Time(p.Now())).Scan(&res.ID)
	if err == nil {
		p.Logger.Info("email received", "id", res.ID, "status", res.Status, "reason", res.Reason, "ticket_id", res.TicketID)
	}
	return res, err
}

// InboxMessage is a received message as staff review it.
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
	sha        string
}

// FindInbox lists received messages, newest first; status "" lists all.
// Staff only.
func (p *Processor) FindInbox(ctx context.Context, actor *helpline.Actor, status string, pg helpline.Page) ([]InboxMessage, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	pg = pg.Normalize()
	rows, err := p.DB.QueryContext(ctx, `SELECT id, message_id, from_email, subject, status, reason, ticket_id, comment_id, size, received_at, raw_sha256
		FROM mail_inbox WHERE ($1 = '' OR status = $1) ORDER BY received_at DESC, id DESC LIMIT $2 OFFSET $3`, status, pg.Limit, pg.Offset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []InboxMessage{}
	for rows.Next() {
		var m InboxMessage
		if err := rows.Scan(&m.ID, &m.MessageID, &m.From, &m.Subject, &m.Status, &m.Reason, &m.TicketID, &m.CommentID, &m.Size, &m.ReceivedAt, &m.sha); err != nil {
			return nil, err
		}
		m.ReceivedAt = m.ReceivedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// Original returns the message as it was received, for download. Staff, and
// the customer whose reply became a comment, may read it.
func (p *Processor) Original(ctx context.Context, actor *helpline.Actor, id int64) ([]byte, error) {
	var sha string
	var userID sql.NullInt64
	err := p.DB.QueryRowContext(ctx, `SELECT raw_sha256, user_id FROM mail_inbox WHERE id = $1`, id).Scan(&sha, &userID)
	if errors.Is(err, sql.ErrNoRows) || actor == nil || (!actor.IsStaff() && (!userID.Valid || userID.Int64 != actor.UserID)) {
		return nil, helpline.NotFound("message")
	}
	if err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(p.Dir, sha[:2], sha))
}

// Discard marks a held message as dealt with. Staff only.
func (p *Processor) Discard(ctx context.Context, actor *helpline.Actor, id int64) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	res, err := p.DB.ExecContext(ctx, `UPDATE mail_inbox SET status = $1 WHERE id = $2 AND status = $3`, StatusDiscarded, id, StatusHeld)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return helpline.NotFound("held message")
	}
	return p.Accounts.Audit(ctx, p.DB, actor, "mail.discarded", "mail", id, nil)
}
