package web

import (
	"context"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// registerPages mounts the page list, a page, and the acknowledge links.
func (web *Web) registerPages(h handle) {
	// TODO(paging helper)
}

// ticketPaging is what the ticket page shows of the ticket's pages
// (template "ticket_paging" in partials_pages.html).
func (web *Web) ticketPaging(ctx context.Context, a *helpline.Actor, t ticket.Ticket) (any, error) {
	return nil, nil // TODO(paging helper)
}
