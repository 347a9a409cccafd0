// Package drain receives apps' logs from the platform's log drains, keeps
// a rolling window of error counts per app, and tells the owning
// organization (and optionally opens a ticket) when an error surge starts:
// support that reaches out before the customer writes.
package drain

import (
	"time"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/status"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// Service is the log drain store and surge detector.
type Service struct {
	db       *db.DB
	accounts *account.Service
	tickets  *ticket.Service
	status   *status.Service // notices to the organization
	now      func() time.Time
}

// Options configure a Service.
type Options struct {
	Now     func() time.Time
	Tickets *ticket.Service
	Status  *status.Service
}

// NewService returns the drain service.
func NewService(d *db.DB, accounts *account.Service, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{db: d, accounts: accounts, tickets: opts.Tickets, status: opts.Status, now: opts.Now}
}
