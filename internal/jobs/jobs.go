// Package jobs runs Helpline's background work on River: every side effect
// (email now; pages, webhooks and timers later) is a job inserted in the same
// transaction as the change that causes it, and worked here, on SQLite and
// PostgreSQL alike.
package jobs

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/csa"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/drain"
	"github.com/helpline-dev/helpline/internal/mailin"
	"github.com/helpline-dev/helpline/internal/metrics"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/oncall"
	"github.com/helpline-dev/helpline/internal/sla"
	"github.com/helpline-dev/helpline/internal/status"
)

// Client is River's client on Helpline's database.
type Client = river.Client[*sql.Tx]

// Deps are what the workers use. The services are filled in after the client
// exists, since the services need the client to insert jobs.
type Deps struct {
	Accounts *account.Service
	Mail     *notify.Store
	Mailer   notify.Mailer
	BaseURL  string
	Metrics  *metrics.Metrics
	Logger   *slog.Logger
	// IMAP, when set, is polled every IMAPInterval.
	IMAP         *mailin.IMAPPoller
	IMAPInterval time.Duration
	// RetryPolicy overrides River's exponential backoff (tests use a fast one).
	RetryPolicy river.ClientRetryPolicy
	SLA         *sla.Service
	Oncall      *oncall.Service
	Docs        *docs.Service
	Status      *status.Service
	Drains      *drain.Service
	CSA         *csa.Service
}

// NewInserter returns a client that only inserts jobs, for processes that do
// not work them (the CLI).
func NewInserter(d *db.DB, logger *slog.Logger) (*Client, error) {
	return river.NewClient(d.RiverDriver(), &river.Config{Logger: logger})
}

// NewClient returns a client that works jobs once started.
func NewClient(d *db.DB, deps *Deps) (*Client, error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &passwordResetWorker{deps: deps})
	river.AddWorker(workers, &cleanupWorker{deps: deps})
	river.AddWorker(workers, &sendEmailWorker{deps: deps})
	river.AddWorker(workers, &imapPollWorker{deps: deps})
	periodic := []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) {
			return CleanupArgs{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
	periodic = append(periodic, slaWorkers(workers, deps)...)
	periodic = append(periodic, pageWorkers(workers, deps)...)
	periodic = append(periodic, docsWorkers(workers, deps)...)
	periodic = append(periodic, statusWorkers(workers, deps)...)
	periodic = append(periodic, statusNotifyWorkers(workers, deps)...)
	periodic = append(periodic, drainWorkers(workers, deps)...)
	periodic = append(periodic, csaWorkers(workers, deps)...)
	if deps.IMAP != nil {
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(deps.IMAPInterval), func() (river.JobArgs, *river.InsertOpts) {
			return IMAPPollArgs{}, &river.InsertOpts{MaxAttempts: 1}
		}, &river.PeriodicJobOpts{RunOnStart: true}))
	}
	return river.NewClient(d.RiverDriver(), &river.Config{
		Logger:  deps.Logger,
		Workers: workers,
		Queues: map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: 10},
			"email":            {MaxWorkers: 5},
			"pages":            {MaxWorkers: 10},
			"status_notify":    {MaxWorkers: 20},
		},
		// Neither driver listens for notifications here, so new jobs are
		// found by polling; half a second keeps emails prompt and is cheap.
		FetchPollInterval: 500 * time.Millisecond,
		Middleware:        []rivertype.Middleware{&observer{deps: deps}},
		RetryPolicy:       deps.RetryPolicy,
		// River runs periodic jobs on its elected leader only, so several
		// server processes do not repeat them.
		PeriodicJobs: periodic,
	})
}

// observer counts finished jobs for /metrics.
type observer struct {
	river.MiddlewareDefaults
	deps *Deps
}

func (o *observer) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	start := time.Now()
	err := doInner(ctx)
	if o.deps.Metrics != nil {
		outcome := "completed"
		if err != nil {
			outcome = "failed"
			if job.Attempt >= job.MaxAttempts {
				outcome = "discarded"
			}
		}
		o.deps.Metrics.ObserveJob(job.Kind, outcome, time.Since(start))
	}
	return err
}
