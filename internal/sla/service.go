package sla

import (
	"context"
	"database/sql"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// JobInserter inserts jobs in the caller's transaction; River's client is one.
type JobInserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Service keeps SLA policies and runs every ticket's SLA clocks.
type Service struct {
	db       *db.DB
	accounts *account.Service
	jobs     JobInserter
	now      func() time.Time
}

// Options configure a Service.
type Options struct {
	Now  func() time.Time
	Jobs JobInserter
}

// NewService returns an SLA service; register it with ticket.Service.Observe.
func NewService(d *db.DB, accounts *account.Service, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{db: d, accounts: accounts, jobs: opts.Jobs, now: opts.Now}
}

// TicketChanged runs the clocks of a ticket as it changes.
func (s *Service) TicketChanged(ctx context.Context, tx *sql.Tx, c ticket.Change) error {
	return nil // TODO(sla helper)
}
