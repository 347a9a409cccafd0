package sla

import (
	"context"
	"database/sql"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/notify"
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
	alerts   *notify.Outbox
}

// Options configure a Service.
type Options struct {
	Now  func() time.Time
	Jobs JobInserter
	// Alerts queues the warning and breach emails to staff.
	Alerts *notify.Outbox
}

// NewService returns an SLA service; register it with ticket.Service.Observe.
func NewService(d *db.DB, accounts *account.Service, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{db: d, accounts: accounts, jobs: opts.Jobs, now: opts.Now, alerts: opts.Alerts}
}

// RecomputeArgs is the job that moves the due times of running clocks after
// their calendar changed. CalendarID 0 means the clocks counting 24x7.
type RecomputeArgs struct {
	CalendarID int64 `json:"calendar_id"`
}

// Kind names the job for River.
func (RecomputeArgs) Kind() string { return "sla_recompute" }
