package ticket

import (
	"context"
	"database/sql"
	"strings"

	"github.com/helpline-dev/helpline"
)

// HandOff moves a ticket that is not break/fix out of support, into an
// enterprise engagement: staff reply publicly with note (why, and where the
// work continues), the ticket is solved, and its history records what also
// returns. also runs in the same transaction, so the ticket is never solved
// without its successor existing, nor the other way round.
func (s *Service) HandOff(ctx context.Context, actor *helpline.Actor, ticketID int64, note string, also func(tx *sql.Tx, t Ticket) (map[string]any, error)) (Ticket, error) {
	if err := actor.RequireStaff(); err != nil {
		return Ticket{}, err
	}
	v := helpline.Validation{}
	textCheck(v, "note", note, true, MinReason)
	markdownCheck(v, "note", note)
	if err := v.Err(); err != nil {
		return Ticket{}, err
	}
	note, n := s.redact(strings.TrimSpace(note))
	return s.step(ctx, actor, ticketID, func(tx *sql.Tx, t Ticket) error {
		if !t.Status.Active() {
			return conflict("This ticket is already " + string(t.Status) + "; only open tickets can be handed off.")
		}
		data, err := also(tx, t)
		if err != nil {
			return err
		}
		if err := s.event(ctx, tx, actor, t.ID, "handed_off", true, data); err != nil {
			return err
		}
		// Solved before the reply, so a new ticket does not pass through
		// open (and the customer gets one status email, not two).
		if err := s.setStatus(ctx, tx, actor, t, StatusSolved); err != nil {
			return err
		}
		t.Status = StatusSolved
		_, err = s.addComment(ctx, tx, actor, t, note, false, n)
		return err
	})
}
