package search

import (
	"context"
	"database/sql"

	"github.com/helpline-dev/helpline/internal/ticket"
)

// TicketIndexer keeps tickets in the index for staff search: it follows
// every ticket step in the step's transaction.
type TicketIndexer struct {
	Index Index
}

// TicketChanged implements ticket.Observer.
func (t TicketIndexer) TicketChanged(ctx context.Context, tx *sql.Tx, c ticket.Change) error {
	return nil // TODO(search helper)
}
