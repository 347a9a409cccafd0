// Package oncall is the part of PagerDuty a support team needs: schedules of
// rotation layers and overrides, escalation policies, each person's contact
// methods, and pages that escalate until someone acknowledges them.
package oncall

import (
	"context"
	"database/sql"
	"net/http"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
)

// JobInserter inserts jobs in the caller's transaction; River's client is one.
type JobInserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// DefaultPagerDutyURL is PagerDuty's Events API v2 endpoint.
const DefaultPagerDutyURL = "https://events.pagerduty.com/v2/enqueue"

// Service is the on-call store and its rules.
type Service struct {
	db           *db.DB
	accounts     *account.Service
	jobs         JobInserter
	now          func() time.Time
	baseURL      string
	pagerDutyURL string
	http         *http.Client
}

// Options configure a Service.
type Options struct {
	Now          func() time.Time
	Jobs         JobInserter
	BaseURL      string // for acknowledge links in pages
	PagerDutyURL string // Events API v2 enqueue URL; empty means DefaultPagerDutyURL
	HTTPClient   *http.Client
}

// NewService returns an on-call service; register it with
// ticket.Service.Observe so urgent tickets page.
func NewService(d *db.DB, accounts *account.Service, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PagerDutyURL == "" {
		opts.PagerDutyURL = DefaultPagerDutyURL
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	return &Service{db: d, accounts: accounts, jobs: opts.Jobs, now: opts.Now, baseURL: opts.BaseURL, pagerDutyURL: opts.PagerDutyURL, http: opts.HTTPClient}
}

func (s *Service) nowUTC() time.Time { return db.Time(s.now()) }

// Target is who a level of an escalation policy pages: the person on call
// in a schedule, or a user.
type Target struct {
	ScheduleID *int64 `json:"schedule_id,omitempty"`
	UserID     *int64 `json:"user_id,omitempty"`
	Name       string `json:"name"` // the schedule's or user's name, for display
}

// Level is one step of an escalation policy.
type Level struct {
	ID           int64    `json:"id"`
	Position     int      `json:"position"`
	DelayMinutes int      `json:"delay_minutes"`
	Targets      []Target `json:"targets"`
}

// ContactMethod is one way to reach a person.
type ContactMethod struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	Kind      string    `json:"kind"` // email, webhook, pagerduty
	Label     string    `json:"label"`
	Address   string    `json:"address"` // the email, the URL or the routing key
	Secret    string    `json:"-"`       // webhook signing secret, shown once
	CreatedAt time.Time `json:"created_at"`
}
