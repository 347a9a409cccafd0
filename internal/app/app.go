// Package app wires a Helpline process together: database, services, job
// queue and HTTP handler, from a validated configuration.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/riverqueue/river"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/api"
	"github.com/helpline-dev/helpline/internal/config"
	"github.com/helpline-dev/helpline/internal/csa"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/drain"
	"github.com/helpline-dev/helpline/internal/jobs"
	"github.com/helpline-dev/helpline/internal/mailin"
	"github.com/helpline-dev/helpline/internal/markdown"
	"github.com/helpline-dev/helpline/internal/metrics"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/oncall"
	"github.com/helpline-dev/helpline/internal/search"
	"github.com/helpline-dev/helpline/internal/server"
	"github.com/helpline-dev/helpline/internal/sla"
	"github.com/helpline-dev/helpline/internal/status"
	"github.com/helpline-dev/helpline/internal/ticket"
	"github.com/helpline-dev/helpline/internal/web"
)

// App is a running Helpline: its handler serves requests once Start has run
// the job workers.
type App struct {
	Config   config.Config
	DB       *db.DB
	Accounts *account.Service
	Tickets  *ticket.Service
	Mail     *notify.Store
	Inbox    *mailin.Processor
	SLA      *sla.Service
	Oncall   *oncall.Service
	Docs     *docs.Service
	Search   search.Index
	Status   *status.Service
	Drains   *drain.Service
	CSA      *csa.Service
	// StatusCache serves the status page snapshot from memory.
	StatusCache *status.Cache
	Jobs        *jobs.Client
	Handler     http.Handler
	Logger      *slog.Logger
	ownsDB      bool
	started     bool
}

// Options override parts of the wiring; tests use them.
type Options struct {
	DB     *db.DB         // an open, migrated database; otherwise Config.DatabaseURL is opened and migrated
	Mailer notify.Mailer  // otherwise SMTP from the config, or the log
	Hasher account.Hasher // otherwise the production argon2id parameters
	Now    func() time.Time
	// RetryPolicy overrides the job queue's backoff; tests make it fast.
	RetryPolicy river.ClientRetryPolicy
}

// New builds an App. The database is migrated on start, so a new version of
// the binary brings its schema with it.
func New(ctx context.Context, cfg config.Config, logger *slog.Logger, opts Options) (*App, error) {
	a := &App{Config: cfg, Logger: logger, DB: opts.DB}
	if a.DB == nil {
		d, err := db.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		a.DB, a.ownsDB = d, true
		if err := d.Migrate(ctx); err != nil {
			d.Close()
			return nil, fmt.Errorf("migrate: %w", err)
		}
	}
	mailer := opts.Mailer
	if mailer == nil {
		if cfg.SMTPURL != "" {
			m, err := notify.NewSMTPMailer(cfg.SMTPURL, cfg.MailFrom)
			if err != nil {
				a.Close()
				return nil, err
			}
			mailer = m
		} else {
			mailer = notify.LogMailer{Logger: logger}
		}
	}
	m := metrics.New()
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	a.Mail = &notify.Store{DB: a.DB, Now: now}
	deps := &jobs.Deps{Mailer: mailer, Mail: a.Mail, BaseURL: cfg.BaseURL, Metrics: m, Logger: logger, RetryPolicy: opts.RetryPolicy}
	var poller *mailin.IMAPPoller
	if cfg.IMAPURL != "" {
		// Its processor is set below; the job queue must know now that
		// there is a mailbox to poll.
		poller = &mailin.IMAPPoller{URL: cfg.IMAPURL}
		deps.IMAP, deps.IMAPInterval = poller, cfg.IMAPInterval
	}
	client, err := jobs.NewClient(a.DB, deps)
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("job queue: %w", err)
	}
	a.Jobs = client
	a.Accounts = account.NewService(a.DB, client, account.Options{Now: opts.Now, Hasher: opts.Hasher})
	deps.Accounts = a.Accounts
	redactor, err := newRedactor()
	if err != nil {
		a.Close()
		return nil, err
	}
	md := markdown.New()
	outbox := &notify.Outbox{Jobs: client, Render: md.Render, BaseURL: cfg.BaseURL, Reply: cfg.ReplyAddress, Now: now}
	files := &ticket.FileStore{Dir: filepath.Join(cfg.DataDir, "attachments"), MaxBytes: cfg.MaxAttachmentBytes}
	a.Tickets = ticket.NewService(a.DB, a.Accounts, redactor, ticket.Options{Now: opts.Now, Notifier: outbox, Files: files})

	// The SLA clock and on-call paging follow every ticket step in its
	// transaction.
	a.SLA = sla.NewService(a.DB, a.Accounts, sla.Options{Now: opts.Now, Jobs: client, Alerts: outbox})
	a.Oncall = oncall.NewService(a.DB, a.Accounts, oncall.Options{Now: opts.Now, Jobs: client, BaseURL: cfg.BaseURL, PagerDutyURL: cfg.PagerDutyURL})
	a.Tickets.Observe(a.SLA)
	a.Tickets.Observe(a.Oncall)

	// Articles, posts and tickets enter the search index in the
	// transaction that saves them.
	a.Search = search.New(a.DB)
	a.Tickets.Observe(search.TicketIndexer{Index: a.Search})
	docsMD := markdown.NewDocs()
	a.Docs = docs.NewService(a.DB, a.Accounts, a.Search, docs.Options{Now: opts.Now, Render: docsMD.Render})
	deps.Docs = a.Docs

	// The status page; new tickets are linked to the incidents they are
	// about.
	a.Status = status.NewService(a.DB, a.Accounts, status.Options{Now: opts.Now, Jobs: client, Tickets: a.Tickets, BaseURL: cfg.BaseURL})
	a.StatusCache = status.NewCache(a.Status)
	a.Tickets.Observe(a.Status)
	deps.Status = a.Status
	a.Drains = drain.NewService(a.DB, a.Accounts, drain.Options{Now: opts.Now, Tickets: a.Tickets, Status: a.Status})
	deps.Drains = a.Drains
	// The enterprise portal: engagements become tickets and back, and
	// deliverables share the attachments' file store.
	a.CSA = csa.NewService(a.DB, a.Accounts, csa.Options{Now: opts.Now, Tickets: a.Tickets, Docs: a.Docs, Status: a.Status, Files: files, Outbox: outbox, Redact: redactor})
	deps.CSA = a.CSA
	// The shipped articles go in at once on a migrated database; on one
	// still waiting for migration the docs job installs them later.
	if n, err := a.DB.PendingMigrations(ctx); err == nil && n == 0 {
		if err := a.Docs.InstallDefaults(ctx); err != nil {
			a.Close()
			return nil, fmt.Errorf("install default docs: %w", err)
		}
	}
	deps.SLA, deps.Oncall = a.SLA, a.Oncall

	a.Inbox = &mailin.Processor{DB: a.DB, Accounts: a.Accounts, Tickets: a.Tickets, Dir: filepath.Join(cfg.DataDir, "mail"),
		Reply: cfg.ReplyAddress, MaxPerHour: 20, Now: now, Logger: logger}
	if poller != nil {
		poller.Processor = a.Inbox
	}
	w, err := web.New(web.Deps{Accounts: a.Accounts, Tickets: a.Tickets, Mail: a.Mail, Inbox: a.Inbox, SLA: a.SLA, Oncall: a.Oncall, Docs: a.Docs, Status: a.Status, StatusCache: a.StatusCache, Drains: a.Drains, CSA: a.CSA, Markdown: md, DocsMarkdown: docsMD, MaxAttachmentBytes: cfg.MaxAttachmentBytes, BaseURL: cfg.BaseURL, Now: opts.Now, SessionTTL: cfg.SessionTTL, SecureCookie: cfg.Production, MaxBodyBytes: cfg.MaxBodyBytes})
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Handler = server.New(server.Deps{
		DB: a.DB, Web: w, Metrics: m, Logger: logger, TrustProxy: cfg.TrustProxy,
		API: api.Deps{Accounts: a.Accounts, Tickets: a.Tickets, Mail: a.Mail, Inbox: a.Inbox, SLA: a.SLA, Oncall: a.Oncall, Docs: a.Docs, Status: a.Status, Drains: a.Drains, CSA: a.CSA, BaseURL: cfg.BaseURL, MaxBodyBytes: cfg.MaxBodyBytes, MaxAttachmentBytes: cfg.MaxAttachmentBytes, Now: now},
	})
	return a, nil
}

// Start runs the background job workers until Stop.
func (a *App) Start(ctx context.Context) error {
	if err := a.Jobs.Start(ctx); err != nil {
		return err
	}
	if err := a.StatusCache.Start(ctx); err != nil {
		return err
	}
	a.started = true
	return nil
}

// Stop waits for running jobs to finish (up to ctx's deadline), then closes
// the database if the App opened it.
func (a *App) Stop(ctx context.Context) error {
	var err error
	if a.started {
		err = a.Jobs.Stop(ctx)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		a.Logger.Warn("jobs still running at shutdown; they will be retried", "err", err)
	}
	a.Close()
	return err
}

// Close releases the database without waiting for jobs.
func (a *App) Close() {
	if a.StatusCache != nil {
		a.StatusCache.Close()
	}
	if a.ownsDB && a.DB != nil {
		a.DB.Close()
	}
}
