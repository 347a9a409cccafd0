package oncall

import (
	"context"
	"database/sql"

	"github.com/helpline-dev/helpline/internal/ticket"
)

// TicketChanged pages for urgent tickets of paging plans and resolves a
// ticket's page when the ticket is solved.
func (s *Service) TicketChanged(ctx context.Context, tx *sql.Tx, c ticket.Change) error {
	return nil // TODO(paging helper)
}
