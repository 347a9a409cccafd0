package status

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// TicketChanged implements ticket.Observer: a new ticket that mentions an
// affected component (its name or a keyword, as a whole word, in any
// case), or comes from an app in an affected component's region, is
// linked to each active incident affecting that component.
func (s *Service) TicketChanged(ctx context.Context, tx *sql.Tx, c ticket.Change) error {
	if c.Kind != ticket.ChangeCreated {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT i.id, c.name, COALESCE(g.name, ''), c.keywords, c.region
		FROM incidents i
		JOIN incident_components ic ON ic.incident_id = i.id
		JOIN components c ON c.id = ic.component_id
		LEFT JOIN components g ON g.id = c.group_id
		WHERE i.kind = 'incident' AND i.status IN ('investigating', 'identified', 'monitoring')
		ORDER BY i.id, c.position, c.id`)
	if err != nil {
		return err
	}
	type affected struct {
		incidentID          int64
		name, group, region string
		keywords            []string
	}
	var list []affected
	for rows.Next() {
		var a affected
		var keywords string
		if err := rows.Scan(&a.incidentID, &a.name, &a.group, &keywords, &a.region); err != nil {
			rows.Close()
			return err
		}
		if err := json.Unmarshal([]byte(keywords), &a.keywords); err != nil {
			rows.Close()
			return err
		}
		list = append(list, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(list) == 0 {
		return err
	}
	var appName, appRegion string
	if c.Ticket.AppID != nil {
		err := tx.QueryRowContext(ctx, `SELECT name, region FROM apps WHERE id = $1`, *c.Ticket.AppID).Scan(&appName, &appRegion)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	text := strings.ToLower(c.Ticket.Subject + "\n" + c.Ticket.Description)
	linked := map[int64]bool{}
	for _, a := range list {
		if linked[a.incidentID] {
			continue
		}
		label := a.name
		if a.group != "" {
			label = a.group + ": " + a.name
		}
		reason := ""
		if mentions(text, a.name) {
			reason = "mentions " + label
		}
		for _, k := range a.keywords {
			if reason == "" && mentions(text, k) {
				reason = `mentions "` + k + `" (` + label + ")"
			}
		}
		if reason == "" && a.region != "" && a.region == appRegion {
			reason = "app " + appName + " runs in " + appRegion + " (" + label + ")"
		}
		if reason == "" {
			continue
		}
		linked[a.incidentID] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_tickets (incident_id, ticket_id, reason, linked_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (incident_id, ticket_id) DO NOTHING`, a.incidentID, c.Ticket.ID, reason, s.nowUTC()); err != nil {
			return err
		}
	}
	return nil
}

// mentions reports whether text (lowercase) contains term as a whole word
// or phrase: not inside a longer word.
func mentions(text, term string) bool {
	term = strings.ToLower(strings.TrimSpace(term))
	if term == "" {
		return false
	}
	for from := 0; ; {
		i := strings.Index(text[from:], term)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(term)
		before, _ := utf8.DecodeLastRuneInString(text[:i])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if !isWordRune(before) && !isWordRune(after) {
			return true
		}
		from = i + 1
	}
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_')
}

// LinkTicket links a ticket by hand (staff). Linking twice is harmless.
func (s *Service) LinkTicket(ctx context.Context, actor *helpline.Actor, incidentID, ticketID int64) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	if s.tickets == nil {
		return helpline.Errorf(helpline.KindInternal, "the status service has no ticket service")
	}
	if _, err := s.tickets.FindTicketByID(ctx, actor, ticketID); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.findIncident(ctx, tx, incidentID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO incident_tickets (incident_id, ticket_id, reason, linked_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (incident_id, ticket_id) DO NOTHING`, incidentID, ticketID, "linked by "+actor.Name, s.nowUTC())
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "status.ticket_linked", "incident", incidentID, map[string]any{"ticket_id": ticketID})
	})
}

// FindLinkedTickets lists an incident's tickets, in the order they were
// linked (staff).
func (s *Service) FindLinkedTickets(ctx context.Context, actor *helpline.Actor, incidentID int64) ([]LinkedTicket, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	if _, err := s.findIncident(ctx, s.db, incidentID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, t.number, t.subject, t.status, it.reason, it.linked_at
		FROM incident_tickets it JOIN tickets t ON t.id = it.ticket_id
		WHERE it.incident_id = $1 ORDER BY it.linked_at, t.id`, incidentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LinkedTicket{}
	for rows.Next() {
		var l LinkedTicket
		if err := rows.Scan(&l.TicketID, &l.Number, &l.Subject, &l.Status, &l.Reason, &l.LinkedAt); err != nil {
			return nil, err
		}
		l.LinkedAt = l.LinkedAt.UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}

// FindTicketIncidents returns the active incidents linked to a ticket, for
// its banner; anyone who may see the ticket may see them.
func (s *Service) FindTicketIncidents(ctx context.Context, actor *helpline.Actor, ticketID int64) ([]Incident, error) {
	if s.tickets == nil {
		return nil, helpline.Errorf(helpline.KindInternal, "the status service has no ticket service")
	}
	if _, err := s.tickets.FindTicketByID(ctx, actor, ticketID); err != nil {
		return nil, err
	}
	return s.loadIncidents(ctx, s.db, `WHERE status IN `+activeSQL+` AND id IN (SELECT incident_id FROM incident_tickets WHERE ticket_id = $1)`, []any{ticketID}, "", 0, 0)
}

// ReplyToLinked posts one public reply on every open linked ticket (staff)
// and returns how many got it. Each reply is its own ticket step (the
// ticket's emails, SLA clock and status move as for any staff reply); a
// ticket closed meanwhile is skipped.
func (s *Service) ReplyToLinked(ctx context.Context, actor *helpline.Actor, incidentID int64, body string) (int, error) {
	if err := actor.RequireStaff(); err != nil {
		return 0, err
	}
	v := helpline.Validation{}
	checkBody(v, body)
	if err := v.Err(); err != nil {
		return 0, err
	}
	if s.tickets == nil {
		return 0, helpline.Errorf(helpline.KindInternal, "the status service has no ticket service")
	}
	linked, err := s.FindLinkedTickets(ctx, actor, incidentID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, l := range linked {
		if !ticket.Status(l.Status).Active() {
			continue
		}
		_, err := s.tickets.AddComment(ctx, actor, l.TicketID, ticket.NewComment{Body: body})
		if helpline.KindOf(err) == helpline.KindConflict {
			continue
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
