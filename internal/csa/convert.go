package csa

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// Short names the kind in titles: "Performance analysis: acme-api".
func (k Kind) Short() string {
	switch k {
	case KindEvent:
		return "Event preparation"
	case KindPerformance:
		return "Performance analysis"
	case KindArchitecture:
		return "Architecture review"
	}
	return string(k)
}

// ToTicketInput turns an engagement into a support ticket.
type ToTicketInput struct {
	// Priority is high, normal or low (default high). Urgent needs the
	// customer's own answers to the urgent questions; they can raise it.
	Priority ticket.Priority `json:"priority"`
	// Note says why, to the customer; it is kept on both.
	Note string `json:"note"`
}

func noteCheck(v helpline.Validation, note string) {
	n := utf8Len(strings.TrimSpace(note))
	switch {
	case n < MinNote:
		v.Add("note", fmt.Sprintf("is required (at least %d characters): tell the customer why", MinNote))
	case n > MaxMarkdown:
		v.Add("note", "is too long (at most 20,000 characters)")
	}
}

// ConvertToTicket moves an engagement that turns out to be break/fix to
// Support: a ticket opens for the requester with the engagement's text,
// and the engagement closes pointing at it, in one transaction.
func (s *Service) ConvertToTicket(ctx context.Context, actor *helpline.Actor, id int64, in ToTicketInput) (ticket.Ticket, error) {
	if err := requireArchitect(actor); err != nil {
		return ticket.Ticket{}, err
	}
	if in.Priority == "" {
		in.Priority = ticket.High
	}
	v := helpline.Validation{}
	switch {
	case in.Priority == ticket.Urgent:
		v.Add("priority", "must be high, normal or low: an urgent ticket needs the customer's answers to the urgent questions, and they can raise it themselves")
	case !in.Priority.Valid():
		v.Add("priority", "must be high, normal or low")
	}
	noteCheck(v, in.Note)
	if err := v.Err(); err != nil {
		return ticket.Ticket{}, err
	}
	note, _ := s.redact(strings.TrimSpace(in.Note))
	e, err := s.FindEngagementByID(ctx, actor, id)
	if err != nil {
		return ticket.Ticket{}, err
	}
	switch {
	case e.TicketNumber != nil:
		return ticket.Ticket{}, helpline.Errorf(helpline.KindConflict, "This engagement already became ticket #%d.", *e.TicketNumber)
	case e.State == StateClosed:
		return ticket.Ticket{}, helpline.Errorf(helpline.KindConflict, "This engagement is closed.")
	}
	requester, err := s.accounts.FindUserByID(ctx, account.CLI(), e.RequesterID)
	if err != nil {
		return ticket.Ticket{}, err
	}
	nt := ticket.NewTicket{OrgID: e.OrgID, Subject: truncate(e.Title, ticket.MaxSubject), Description: ticketText(e, actor, note),
		Priority: in.Priority, Environment: ticket.Production, Category: "other"}
	if e.Kind == KindPerformance {
		nt.Category = "runtime"
	}
	if apps := e.Apps(); len(apps) > 0 {
		nt.App = apps[0]
	}
	t, err := s.tickets.OpenForCustomer(ctx, actor, requester.Actor(""), nt, map[string]any{"from_engagement": e.ID}, func(tx *sql.Tx, t ticket.Ticket) error {
		now := s.nowUTC()
		r, err := tx.ExecContext(ctx, `UPDATE engagements SET ticket_id = $1, state = $2, queue_rank = $3, closed_at = $4 WHERE id = $5 AND state <> 'closed' AND ticket_id IS NULL`,
			t.ID, StateClosed, StateClosed.rank(), now, e.ID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return helpline.Errorf(helpline.KindConflict, "Someone changed this engagement meanwhile; reload it.")
		}
		eid, err := s.event(ctx, tx, actor, e.ID, "converted_to_ticket", false, note, map[string]any{"ticket_number": t.Number, "from": e.State})
		if err != nil {
			return err
		}
		text := fmt.Sprintf("%s moved %q to Support as ticket #%d: it needs break/fix work, which the support team handles around the clock.\n\n%s",
			actor.Name, e.Title, t.Number, note)
		return s.mail(ctx, tx, e, fmt.Sprintf("event.%d", eid), fmt.Sprintf("Now ticket #%d", t.Number), text, s.except(actor, e.RequesterID))
	})
	if helpline.KindOf(err) == helpline.KindInvalid {
		// The customer's side of the rules failed (they left the
		// organization, the app is gone): say so, not "subject".
		return ticket.Ticket{}, &helpline.Error{Kind: helpline.KindConflict, Message: "A ticket cannot be opened for the requester: " + err.Error()}
	}
	return t, err
}

// ticketText is the new ticket's description: where it came from, the note
// and everything the customer wrote.
func ticketText(e Engagement, actor *helpline.Actor, note string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "_Moved from enterprise engagement %d by %s:_ %s\n", e.ID, actor.Name, note)
	section := func(label, text string) {
		if strings.TrimSpace(text) != "" {
			fmt.Fprintf(&b, "\n**%s**\n\n%s\n", label, text)
		}
	}
	switch {
	case e.Event != nil:
		section("Event", fmt.Sprintf("%s, starting %s; %d requests per second and %d users at peak.", e.Event.Name, e.Event.LocalStart(), e.Event.PeakRPS, e.Event.PeakConcurrentUsers))
		section("Dyno formation", e.Event.DynoFormation)
		section("Database plan", e.Event.DatabasePlan)
		section("Concerns", e.Event.Concerns)
	case e.Performance != nil:
		section("Symptoms", e.Performance.Symptoms)
		section("Since", ticket.FormatUTC(e.Performance.Since))
		section("Metrics or logs", "```\n"+e.Performance.Metrics+"\n```")
	case e.Architecture != nil:
		section("Goal", e.Architecture.Goal)
		section("Current design", e.Architecture.CurrentDesign)
		section("Constraints", e.Architecture.Constraints)
		section("Deadline", e.Architecture.Deadline)
	}
	section("Summary", e.Summary)
	return truncate(b.String(), ticket.MaxMarkdown)
}

// FromTicketInput turns a ticket into an engagement.
type FromTicketInput struct {
	Kind Kind `json:"kind"`
	// Note is the public reply on the ticket saying why it moves.
	Note string `json:"note"`
}

// ConvertTicket moves a ticket that is not break/fix (a launch to prepare,
// a design to review) from Support to the CSA team: the ticket is solved
// with the note as a public reply, and an engagement opens for its
// requester with its text, in one transaction. Any staff member may do it;
// a solutions architect doing it becomes the owner.
func (s *Service) ConvertTicket(ctx context.Context, actor *helpline.Actor, ticketID int64, in FromTicketInput) (Engagement, error) {
	if err := actor.RequireStaff(); err != nil {
		return Engagement{}, err
	}
	v := helpline.Validation{}
	v.Check(in.Kind.Valid(), "kind", "must be event, performance or architecture")
	noteCheck(v, in.Note)
	if err := v.Err(); err != nil {
		return Engagement{}, err
	}
	t, err := s.tickets.FindTicketByID(ctx, actor, ticketID)
	if err != nil {
		return Engagement{}, err
	}
	if !t.Plan.IsEnterprise() {
		return Engagement{}, &helpline.Error{Kind: helpline.KindConflict, Message: fmt.Sprintf("%s is on the %s plan; engagements are for enterprise plans.", t.OrgName, t.Plan.Label()),
			Fields: map[string]string{"kind": "only tickets of Enterprise, Premier and Legacy Enterprise organizations can become engagements"}}
	}
	var id int64
	_, err = s.tickets.HandOff(ctx, actor, ticketID, in.Note, func(tx *sql.Tx, t ticket.Ticket) (map[string]any, error) {
		now := s.nowUTC()
		var owner *int64
		if actor.StaffRole == helpline.RoleCSA {
			owner = &actor.UserID
		}
		title := truncate(in.Kind.Short()+": "+t.Subject, MaxTitle)
		summary := fmt.Sprintf("_From ticket #%d._\n\n%s", t.Number, t.Description)
		if err := tx.QueryRowContext(ctx, `INSERT INTO engagements (org_id, requester_id, kind, title, state, queue_rank, owner_id, summary, from_ticket_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
			t.OrgID, t.RequesterID, in.Kind, title, StateRequested, StateRequested.rank(), owner, truncate(summary, MaxMarkdown), t.ID, now).Scan(&id); err != nil {
			return nil, err
		}
		note, _ := s.redact(strings.TrimSpace(in.Note))
		if _, err := s.event(ctx, tx, actor, id, "converted_from_ticket", false, note, map[string]any{"ticket_number": t.Number}); err != nil {
			return nil, err
		}
		e, err := s.findEngagement(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if err := s.announceRequest(ctx, tx, e); err != nil {
			return nil, err
		}
		return map[string]any{"engagement_id": id, "title": title}, nil
	})
	if err != nil {
		return Engagement{}, err
	}
	return s.FindEngagementByID(ctx, actor, id)
}
