package web

import (
	"context"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// registerSLA mounts the SLA policy, calendar and report pages.
func (web *Web) registerSLA(h handle) {
	// TODO(sla helper)
}

// ticketSLA is what the ticket page shows of the ticket's SLA clocks
// (template "ticket_sla" in partials_sla.html).
func (web *Web) ticketSLA(ctx context.Context, a *helpline.Actor, t ticket.Ticket) (any, error) {
	return nil, nil // TODO(sla helper)
}
