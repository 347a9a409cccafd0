package web

import (
	"context"
	"strconv"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/request"
	"github.com/helpline-dev/helpline/internal/status"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// ticketIncident is an active incident linked to a ticket, for its banner.
type ticketIncident struct {
	ID     int64
	Name   string
	Status status.IncidentStatus
	Latest string // the newest update's text
	URL    string // on this site, whatever base URL the service knows
}

// ticketIncidents returns the active incidents linked to a ticket. The
// banner is a hint: when it cannot be loaded the ticket is still shown
// (during an outage people need their tickets most), and the failure is
// logged.
func (web *Web) ticketIncidents(ctx context.Context, a *helpline.Actor, t ticket.Ticket) []ticketIncident {
	if web.Status == nil {
		return nil
	}
	is, err := web.Status.FindTicketIncidents(ctx, a, t.ID)
	if err != nil {
		request.Logger(ctx).Warn("ticket incidents", "ticket", t.ID, "err", err)
		return nil
	}
	var out []ticketIncident
	for _, i := range is {
		if !i.Active() {
			continue
		}
		v := ticketIncident{ID: i.ID, Name: i.Name, Status: i.Status, URL: "/incidents/" + strconv.FormatInt(i.ID, 10)}
		if len(i.Updates) > 0 {
			v.Latest = i.Updates[0].Body
		}
		out = append(out, v)
	}
	return out
}
