package ticket

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
)

func conflict(msg string) error { return helpline.Errorf(helpline.KindConflict, "%s", msg) }

// isCustomerOf reports whether the actor belongs to the ticket's
// organization (as opposed to a participant it was shared with).
func (s *Service) isCustomerOf(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, t Ticket) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE org_id = $1 AND user_id = $2`, t.OrgID, actor.UserID).Scan(&n)
	return n > 0, err
}

// NewComment is a reply or, from staff, an internal note.
type NewComment struct {
	Body     string `json:"body"`
	Internal bool   `json:"internal"`
}

// AddComment adds a reply. A customer's reply reopens a pending or solved
// ticket; the first public staff reply moves a new ticket to open.
func (s *Service) AddComment(ctx context.Context, actor *helpline.Actor, ticketID int64, in NewComment) (Comment, error) {
	var c Comment
	v := helpline.Validation{}
	textCheck(v, "body", in.Body, true, 1)
	markdownCheck(v, "body", in.Body)
	if in.Internal && !actor.IsStaff() {
		v.Add("internal", "only staff can write internal notes")
	}
	if err := v.Err(); err != nil {
		return c, err
	}
	body, n := s.redact(in.Body)
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		t, err := s.findTicket(ctx, tx, actor, ticketID)
		if err != nil {
			return err
		}
		if t.Status == StatusClosed {
			return conflict("This ticket is closed. Open a new ticket and mention #" + itoa(t.Number) + ".")
		}
		c, err = s.addComment(ctx, tx, actor, t, body, in.Internal, n)
		return err
	})
	return c, err
}

// addComment stores a comment on t (body already redacted, n secrets
// removed) with what follows from it: the emails, the SLA's view of a reply
// and the status a reply implies.
func (s *Service) addComment(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, t Ticket, body string, internal bool, n int) (Comment, error) {
	ticketID := t.ID
	now := s.nowUTC()
	c := Comment{TicketID: ticketID, AuthorID: actor.UserID, AuthorName: actor.Name, AuthorRole: actor.StaffRole, Body: body, Internal: internal, Redactions: n, CreatedAt: now}
	if err := tx.QueryRowContext(ctx, `INSERT INTO ticket_comments (ticket_id, author_id, body, internal, redactions, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		ticketID, actor.UserID, body, internal, n, now).Scan(&c.ID); err != nil {
		return c, err
	}
	if !internal {
		if err := s.notify(ctx, tx, Notification{TicketID: ticketID, Kind: "comment", ID: c.ID, Actor: actor, CommentID: c.ID}); err != nil {
			return c, err
		}
		kind := ChangeCustomerReplied
		if actor.IsStaff() {
			kind = ChangeStaffReplied
			if t.FirstResponseAt == nil {
				if _, err := tx.ExecContext(ctx, `UPDATE tickets SET first_response_at = $1 WHERE id = $2`, now, ticketID); err != nil {
					return c, err
				}
				t.FirstResponseAt = &now
			}
		}
		if err := s.changed(ctx, tx, Change{Kind: kind, Ticket: t, Actor: actor, At: now}); err != nil {
			return c, err
		}
	}
	next := t.Status
	switch {
	case !actor.IsStaff() && (t.Status == StatusPending || t.Status == StatusSolved):
		next = StatusOpen
	case actor.IsStaff() && !internal && t.Status == StatusNew:
		next = StatusOpen
	}
	if next != t.Status {
		if err := s.setStatus(ctx, tx, actor, t, next); err != nil {
			return c, err
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE tickets SET updated_at = $1 WHERE id = $2`, now, ticketID)
	return c, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func (s *Service) setStatus(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, t Ticket, to Status) error {
	if _, err := tx.ExecContext(ctx, `UPDATE tickets SET status = $1 WHERE id = $2`, to, t.ID); err != nil {
		return err
	}
	if err := s.event(ctx, tx, actor, t.ID, "status_changed", true, map[string]any{"from": t.Status, "to": to}); err != nil {
		return err
	}
	from := t.Status
	t.Status = to
	return s.changed(ctx, tx, Change{Kind: ChangeStatusChanged, Ticket: t, From: string(from), To: string(to), Actor: actor})
}

// Update changes a ticket's status or assignee. Staff do both; customers may
// only mark their ticket solved.
type Update struct {
	Status     *Status `json:"status,omitempty"`
	AssigneeID *int64  `json:"assignee_id,omitempty"` // 0 unassigns
}

// UpdateTicket applies an Update.
func (s *Service) UpdateTicket(ctx context.Context, actor *helpline.Actor, ticketID int64, u Update) (Ticket, error) {
	v := helpline.Validation{}
	if u.Status != nil && !u.Status.Valid() {
		v.Add("status", "must be new, open, pending, on_hold, solved or closed")
	}
	if u.Status == nil && u.AssigneeID == nil {
		v.Add("status", "give a status or an assignee_id to change")
	}
	if err := v.Err(); err != nil {
		return Ticket{}, err
	}
	return s.step(ctx, actor, ticketID, func(tx *sql.Tx, t Ticket) error {
		if !actor.IsStaff() {
			if u.AssigneeID != nil || (u.Status != nil && *u.Status != StatusSolved) {
				return helpline.Errorf(helpline.KindForbidden, "customers can only mark their ticket solved; support changes everything else")
			}
		}
		if t.Status == StatusClosed {
			return conflict("This ticket is closed and cannot change.")
		}
		if u.Status != nil && *u.Status != t.Status {
			if err := s.setStatus(ctx, tx, actor, t, *u.Status); err != nil {
				return err
			}
		}
		if u.AssigneeID != nil {
			return s.assign(ctx, tx, actor, t, *u.AssigneeID)
		}
		return nil
	})
}

// assign gives the ticket to a support engineer; solutions architects do not
// take break/fix tickets, so csa-only staff cannot be assignees.
func (s *Service) assign(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, t Ticket, userID int64) error {
	var assignee *int64
	name := ""
	if userID != 0 {
		var role helpline.StaffRole
		err := tx.QueryRowContext(ctx, `SELECT name, staff_role FROM users WHERE id = $1`, userID).Scan(&name, &role)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && role != helpline.RoleAgent && role != helpline.RoleAdmin) {
			return &helpline.Error{Kind: helpline.KindInvalid, Message: "Tickets go to support engineers.",
				Fields: map[string]string{"assignee_id": "must be a support agent or admin (solutions architects do not take break/fix tickets)"}}
		}
		if err != nil {
			return err
		}
		assignee = &userID
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tickets SET assignee_id = $1 WHERE id = $2`, assignee, t.ID); err != nil {
		return err
	}
	return s.event(ctx, tx, actor, t.ID, "assigned", false, map[string]any{"assignee_id": userID, "assignee": name})
}

// MinReason is the shortest reason accepted for a priority change, an
// appeal or a decision: the other side deserves an explanation.
const MinReason = 10

func reasonCheck(field, reason string) error {
	v := helpline.Validation{}
	textCheck(v, field, reason, true, MinReason)
	return v.Err()
}

// ChangePriority is staff reviewing the customer's priority. The reason is
// shown to the customer, who may appeal once.
func (s *Service) ChangePriority(ctx context.Context, actor *helpline.Actor, ticketID int64, to Priority, reason string) (Ticket, error) {
	if err := actor.RequireStaff(); err != nil {
		return Ticket{}, err
	}
	if !to.Valid() {
		return Ticket{}, &helpline.Error{Kind: helpline.KindInvalid, Message: "Unknown priority.", Fields: map[string]string{"priority": "must be urgent, high, normal or low"}}
	}
	if err := reasonCheck("reason", reason); err != nil {
		return Ticket{}, err
	}
	reason, _ = s.redact(strings.TrimSpace(reason))
	return s.step(ctx, actor, ticketID, func(tx *sql.Tx, t Ticket) error {
		switch {
		case t.Status == StatusClosed:
			return conflict("This ticket is closed and cannot change.")
		case t.AppealState == AppealPending:
			return conflict("The customer's appeal is pending: decide it first.")
		case t.Priority == to:
			return &helpline.Error{Kind: helpline.KindInvalid, Message: "The ticket already has this priority.", Fields: map[string]string{"priority": "is the current priority"}}
		case to == Urgent && t.Environment != Production:
			return &helpline.Error{Kind: helpline.KindInvalid, Message: "Urgent is for production.", Fields: map[string]string{"priority": urgentProductionMsg}}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET priority = $1, priority_rank = $2, priority_reason = $3 WHERE id = $4`,
			to, to.Rank(), reason, ticketID); err != nil {
			return err
		}
		data := map[string]any{"from": t.Priority, "to": to, "reason": reason}
		if err := s.event(ctx, tx, actor, ticketID, "priority_changed", true, data); err != nil {
			return err
		}
		from := t.Priority
		t.Priority, t.PriorityReason = to, reason
		if err := s.changed(ctx, tx, Change{Kind: ChangePriorityChanged, Ticket: t, From: string(from), To: string(to), Reason: "priority_changed", Actor: actor}); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "ticket.priority_changed", "ticket", ticketID, data)
	})
}

// Appeal is the customer asking, once, to restore their original priority,
// with information in support of it.
func (s *Service) Appeal(ctx context.Context, actor *helpline.Actor, ticketID int64, reason string) (Ticket, error) {
	if actor == nil {
		return Ticket{}, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	if actor.IsStaff() {
		return Ticket{}, helpline.Errorf(helpline.KindForbidden, "appeals are the customer's; staff decide them")
	}
	if err := reasonCheck("reason", reason); err != nil {
		return Ticket{}, err
	}
	reason, _ = s.redact(strings.TrimSpace(reason))
	return s.step(ctx, actor, ticketID, func(tx *sql.Tx, t Ticket) error {
		ok, err := s.isCustomerOf(ctx, tx, actor, t)
		if err != nil {
			return err
		}
		switch {
		case !ok:
			return helpline.Errorf(helpline.KindForbidden, "only members of %s can appeal this ticket's priority", t.OrgName)
		case t.AppealState != AppealNone:
			return conflict("This ticket's priority was already appealed; the decision is final.")
		case !t.PriorityChanged():
			return conflict("Support has not changed this ticket's priority, so there is nothing to appeal.")
		case t.Status == StatusClosed:
			return conflict("This ticket is closed.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET appeal_state = $1 WHERE id = $2`, AppealPending, ticketID); err != nil {
			return err
		}
		data := map[string]any{"reason": reason, "requested": t.OriginalPriority, "current": t.Priority}
		if err := s.event(ctx, tx, actor, ticketID, "appeal_submitted", true, data); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "ticket.appealed", "ticket", ticketID, data)
	})
}

// DecideAppeal is staff's final determination of an appeal: upheld keeps the
// staff change, overturned restores the customer's original priority.
func (s *Service) DecideAppeal(ctx context.Context, actor *helpline.Actor, ticketID int64, outcome AppealState, note string) (Ticket, error) {
	if err := actor.RequireStaff(); err != nil {
		return Ticket{}, err
	}
	if outcome != AppealUpheld && outcome != AppealOverturned {
		return Ticket{}, &helpline.Error{Kind: helpline.KindInvalid, Message: "Unknown outcome.", Fields: map[string]string{"outcome": "must be upheld or overturned"}}
	}
	if err := reasonCheck("note", note); err != nil {
		return Ticket{}, err
	}
	note, _ = s.redact(strings.TrimSpace(note))
	return s.step(ctx, actor, ticketID, func(tx *sql.Tx, t Ticket) error {
		if t.AppealState != AppealPending {
			return conflict("There is no pending appeal on this ticket.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET appeal_state = $1 WHERE id = $2`, outcome, ticketID); err != nil {
			return err
		}
		data := map[string]any{"outcome": outcome, "note": note, "priority": t.Priority}
		if outcome == AppealOverturned {
			if _, err := tx.ExecContext(ctx, `UPDATE tickets SET priority = original_priority, priority_rank = $1, priority_reason = '' WHERE id = $2`,
				t.OriginalPriority.Rank(), ticketID); err != nil {
				return err
			}
			data["priority"] = t.OriginalPriority
			if t.Priority != t.OriginalPriority {
				from := t.Priority
				t.Priority, t.PriorityReason, t.AppealState = t.OriginalPriority, "", outcome
				if err := s.changed(ctx, tx, Change{Kind: ChangePriorityChanged, Ticket: t, From: string(from), To: string(t.Priority), Reason: "appeal_overturned", Actor: actor}); err != nil {
					return err
				}
			}
		}
		if err := s.event(ctx, tx, actor, ticketID, "appeal_decided", true, data); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "ticket.appeal_decided", "ticket", ticketID, data)
	})
}

// canManageSharing allows staff, the requester and the organization's members.
func (s *Service) canManageSharing(ctx context.Context, tx *sql.Tx, actor *helpline.Actor, t Ticket) error {
	if actor.IsStaff() || actor.UserID == t.RequesterID {
		return nil
	}
	ok, err := s.isCustomerOf(ctx, tx, actor, t)
	if err != nil {
		return err
	}
	if !ok {
		return helpline.Errorf(helpline.KindForbidden, "only %s and support can manage who this ticket is shared with", t.OrgName)
	}
	return nil
}

// Share returns the ticket's share token, making a new one when there is
// none or when rotate is set (which retires the old link).
func (s *Service) Share(ctx context.Context, actor *helpline.Actor, ticketID int64, rotate bool) (string, error) {
	var token string
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		t, err := s.findTicket(ctx, tx, actor, ticketID)
		if err != nil {
			return err
		}
		if err := s.canManageSharing(ctx, tx, actor, t); err != nil {
			return err
		}
		var current sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT share_token FROM tickets WHERE id = $1`, ticketID).Scan(&current); err != nil {
			return err
		}
		if current.Valid && !rotate {
			token = current.String
			return nil
		}
		b := make([]byte, 20)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		token = strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET share_token = $1 WHERE id = $2`, token, ticketID); err != nil {
			return err
		}
		kind := "share_link_created"
		if current.Valid {
			kind = "share_link_rotated"
		}
		if err := s.event(ctx, tx, actor, ticketID, kind, true, nil); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "ticket."+kind, "ticket", ticketID, nil)
	})
	return token, err
}

// ShareToken returns the current share token, or "" when there is none.
func (s *Service) ShareToken(ctx context.Context, actor *helpline.Actor, ticketID int64) (string, error) {
	if _, err := s.FindTicketByID(ctx, actor, ticketID); err != nil {
		return "", err
	}
	var token sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT share_token FROM tickets WHERE id = $1`, ticketID).Scan(&token)
	return token.String, err
}

// RevokeShare retires the ticket's share link; people who joined stay.
func (s *Service) RevokeShare(ctx context.Context, actor *helpline.Actor, ticketID int64) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		t, err := s.findTicket(ctx, tx, actor, ticketID)
		if err != nil {
			return err
		}
		if err := s.canManageSharing(ctx, tx, actor, t); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET share_token = NULL WHERE id = $1 AND share_token IS NOT NULL`, ticketID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if err := s.event(ctx, tx, actor, ticketID, "share_link_revoked", true, nil); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "ticket.share_link_revoked", "ticket", ticketID, nil)
	})
}

// Join adds the actor to the ticket whose share token this is, as a
// participant who reads and replies like the requester.
func (s *Service) Join(ctx context.Context, actor *helpline.Actor, token string) (Ticket, error) {
	if actor == nil {
		return Ticket{}, helpline.Errorf(helpline.KindUnauthorized, "sign in to join this ticket")
	}
	var ticketID int64
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM tickets WHERE share_token = $1`, token).Scan(&ticketID)
		if errors.Is(err, sql.ErrNoRows) || token == "" {
			return &helpline.Error{Kind: helpline.KindNotFound, Message: "This share link is invalid or was revoked. Ask for a new one."}
		}
		if err != nil {
			return err
		}
		if actor.IsStaff() {
			return nil // staff see every ticket already
		}
		if _, err := s.findTicket(ctx, tx, actor, ticketID); err == nil {
			return nil // already a member or participant
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_participants (ticket_id, user_id, created_at) VALUES ($1, $2, $3)`,
			ticketID, actor.UserID, s.nowUTC()); err != nil {
			return err
		}
		data := map[string]any{"user_id": actor.UserID, "name": actor.Name}
		if err := s.event(ctx, tx, actor, ticketID, "participant_joined", true, data); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "ticket.joined", "ticket", ticketID, data)
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.FindTicketByID(ctx, actor, ticketID)
}

// RemoveParticipant takes someone off a shared ticket. The requester and
// staff may do it.
func (s *Service) RemoveParticipant(ctx context.Context, actor *helpline.Actor, ticketID, userID int64) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		t, err := s.findTicket(ctx, tx, actor, ticketID)
		if err != nil {
			return err
		}
		if !actor.IsStaff() && actor.UserID != t.RequesterID {
			return helpline.Errorf(helpline.KindForbidden, "only the requester and support can remove participants")
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM ticket_participants WHERE ticket_id = $1 AND user_id = $2`, ticketID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return helpline.NotFound("participant")
		}
		data := map[string]any{"user_id": userID}
		if err := s.event(ctx, tx, actor, ticketID, "participant_removed", true, data); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "ticket.participant_removed", "ticket", ticketID, data)
	})
}

// Grant is a customer's permission for staff to access an app.
type Grant struct {
	ID        int64      `json:"id"`
	AppID     *int64     `json:"app_id"`
	GrantedBy int64      `json:"granted_by"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// Active reports whether staff may use the grant at now.
func (g Grant) Active(now time.Time) bool { return g.RevokedAt == nil && now.Before(g.ExpiresAt) }

// FindGrants lists a ticket's access grants, newest first.
func (s *Service) FindGrants(ctx context.Context, actor *helpline.Actor, ticketID int64) ([]Grant, error) {
	if _, err := s.FindTicketByID(ctx, actor, ticketID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, app_id, granted_by, created_at, expires_at, revoked_at FROM access_grants WHERE ticket_id = $1 ORDER BY created_at DESC, id DESC`, ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Grant{}
	for rows.Next() {
		var g Grant
		var revoked sql.NullTime
		if err := rows.Scan(&g.ID, &g.AppID, &g.GrantedBy, &g.CreatedAt, &g.ExpiresAt, &revoked); err != nil {
			return nil, err
		}
		g.CreatedAt, g.ExpiresAt = g.CreatedAt.UTC(), g.ExpiresAt.UTC()
		if revoked.Valid {
			t := revoked.Time.UTC()
			g.RevokedAt = &t
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// RevokeAccess withdraws every active access grant of a ticket. Members of
// the ticket's organization may do it at any time.
func (s *Service) RevokeAccess(ctx context.Context, actor *helpline.Actor, ticketID int64) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		t, err := s.findTicket(ctx, tx, actor, ticketID)
		if err != nil {
			return err
		}
		ok, err := s.isCustomerOf(ctx, tx, actor, t)
		if err != nil {
			return err
		}
		if !ok && !actor.IsAdmin() {
			return helpline.Errorf(helpline.KindForbidden, "only members of %s can revoke access to their apps", t.OrgName)
		}
		now := s.nowUTC()
		res, err := tx.ExecContext(ctx, `UPDATE access_grants SET revoked_at = $1, revoked_by = $2 WHERE ticket_id = $3 AND revoked_at IS NULL AND expires_at > $1`,
			now, actor.UserID, ticketID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return conflict("There is no active access grant on this ticket.")
		}
		if err := s.event(ctx, tx, actor, ticketID, "access_revoked", true, nil); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "access.revoked", "ticket", ticketID, nil)
	})
}

// Viewer is another staff member looking at a ticket.
type Viewer struct {
	Name   string    `json:"name"`
	SeenAt time.Time `json:"seen_at"`
}

// presenceWindow is how long a view counts as "looking at it now".
const presenceWindow = 3 * time.Minute

// Viewing records that a staff member has the ticket open and returns the
// other staff who do, for collision warnings.
func (s *Service) Viewing(ctx context.Context, actor *helpline.Actor, ticketID int64) ([]Viewer, error) {
	if !actor.IsStaff() {
		return nil, nil
	}
	now := s.nowUTC()
	if _, err := s.db.ExecContext(ctx, `INSERT INTO ticket_presence (ticket_id, user_id, seen_at) VALUES ($1, $2, $3)
		ON CONFLICT (ticket_id, user_id) DO UPDATE SET seen_at = excluded.seen_at`, ticketID, actor.UserID, now); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT u.name, p.seen_at FROM ticket_presence p JOIN users u ON u.id = p.user_id
		WHERE p.ticket_id = $1 AND p.user_id <> $2 AND p.seen_at > $3 ORDER BY p.seen_at DESC`, ticketID, actor.UserID, now.Add(-presenceWindow))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Viewer
	for rows.Next() {
		var v Viewer
		if err := rows.Scan(&v.Name, &v.SeenAt); err != nil {
			return nil, err
		}
		v.SeenAt = v.SeenAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// RepliesSince returns the comments by other people added after the comment
// with ID afterID: a reply written meanwhile by someone else is a collision.
func (s *Service) RepliesSince(ctx context.Context, actor *helpline.Actor, ticketID, afterID int64) ([]Comment, error) {
	all, err := s.FindComments(ctx, actor, ticketID)
	if err != nil {
		return nil, err
	}
	var out []Comment
	for _, c := range all {
		if c.ID > afterID && c.AuthorID != actor.UserID {
			out = append(out, c)
		}
	}
	return out, nil
}

// step runs one change of a ticket the actor may see in a transaction and
// returns the ticket as it is afterwards.
func (s *Service) step(ctx context.Context, actor *helpline.Actor, ticketID int64, fn func(tx *sql.Tx, t Ticket) error) (Ticket, error) {
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		t, err := s.findTicket(ctx, tx, actor, ticketID)
		if err != nil {
			return err
		}
		return fn(tx, t)
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.FindTicketByID(ctx, actor, ticketID)
}
