package status_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/status"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// t0 is when every test's clock starts: mid-morning UTC.
var t0 = time.Date(2025, 6, 10, 9, 0, 0, 0, time.UTC)

// fastHasher keeps user creation cheap in tests.
var fastHasher = account.Hasher{MemoryKiB: 64, Time: 1, Threads: 1}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	t        *testing.T
	ctx      context.Context
	db       *db.DB
	clock    *fakeClock
	accounts *account.Service
	tickets  *ticket.Service
	svc      *status.Service
	admin    *helpline.Actor
	agent    *helpline.Actor
	changes  int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureOn(t, dbtest.Open(t))
}

func newFixtureOn(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), db: d, clock: &fakeClock{now: t0}}
	f.accounts = account.NewService(d, nil, account.Options{Now: f.clock.Now, Hasher: fastHasher})
	f.tickets = ticket.NewService(d, f.accounts, func(s string) (string, int) { return s, 0 }, ticket.Options{Now: f.clock.Now})
	f.svc = status.NewService(d, f.accounts, status.Options{Now: f.clock.Now, Tickets: f.tickets, BaseURL: "http://status.test"})
	f.tickets.Observe(f.svc)
	f.svc.OnChange(func() { f.changes++ })
	f.admin = f.staff("ada", helpline.RoleAdmin)
	f.agent = f.staff("sam", helpline.RoleAgent)
	return f
}

func (f *fixture) staff(name string, role helpline.StaffRole) *helpline.Actor {
	f.t.Helper()
	u, err := f.accounts.CreateUser(f.ctx, account.CLI(), account.UserInput{
		Email: name + "@helpline.test", Name: name, Password: "correct horse battery", StaffRole: role})
	if err != nil {
		f.t.Fatalf("create staff %s: %v", name, err)
	}
	return u.Actor("198.51.100.1")
}

func (f *fixture) org(name string) account.Organization {
	f.t.Helper()
	o, err := f.accounts.CreateOrganization(f.ctx, account.CLI(), account.OrgInput{Name: name, Plan: account.PlanStandard})
	if err != nil {
		f.t.Fatalf("create organization %s: %v", name, err)
	}
	return o
}

func (f *fixture) customer(name string, org account.Organization) *helpline.Actor {
	f.t.Helper()
	u, err := f.accounts.CreateUser(f.ctx, account.CLI(), account.UserInput{
		Email: name + "@example.com", Name: name, Password: "correct horse battery", OrgID: org.ID, OrgRole: account.OrgOwner})
	if err != nil {
		f.t.Fatalf("create customer %s: %v", name, err)
	}
	return u.Actor("203.0.113.7")
}

func (f *fixture) app(org account.Organization, name, region string) account.App {
	f.t.Helper()
	a, err := f.accounts.CreateApp(f.ctx, account.CLI(), org.ID, account.AppInput{Name: name, Region: region})
	if err != nil {
		f.t.Fatalf("create app %s: %v", name, err)
	}
	return a
}

func (f *fixture) ticket(actor *helpline.Actor, subject, description string, appID int64) ticket.Ticket {
	f.t.Helper()
	tk, err := f.tickets.CreateTicket(f.ctx, actor, ticket.NewTicket{
		Subject: subject, Description: description, Priority: ticket.Normal,
		Environment: "production", Category: "runtime", AppID: appID})
	if err != nil {
		f.t.Fatalf("open ticket %q: %v", subject, err)
	}
	return tk
}

func (f *fixture) component(in status.ComponentInput) status.Component {
	f.t.Helper()
	c, err := f.svc.CreateComponent(f.ctx, f.admin, in)
	if err != nil {
		f.t.Fatalf("create component %s: %v", in.Name, err)
	}
	return c
}

// platform creates two groups with members, the demo's shape in small.
type platform struct {
	apps, data                status.Component
	runtimeUS, runtimeEU      status.Component
	postgresEU, redis, router status.Component
}

func (f *fixture) platform() platform {
	f.t.Helper()
	var p platform
	p.apps = f.component(status.ComponentInput{Name: "Apps", Group: true})
	p.data = f.component(status.ComponentInput{Name: "Data", Group: true})
	p.runtimeUS = f.component(status.ComponentInput{Name: "Common Runtime (US)", GroupID: p.apps.ID, Region: "us", Keywords: []string{"dyno", "H12"}})
	p.runtimeEU = f.component(status.ComponentInput{Name: "Common Runtime (EU)", GroupID: p.apps.ID, Region: "eu", Keywords: []string{"dyno", "h12"}})
	p.router = f.component(status.ComponentInput{Name: "Router", GroupID: p.apps.ID, Keywords: []string{"routing"}})
	p.postgresEU = f.component(status.ComponentInput{Name: "Postgres (EU)", GroupID: p.data.ID, Region: "eu", Keywords: []string{"postgres", "database"}})
	p.redis = f.component(status.ComponentInput{Name: "Redis", GroupID: p.data.ID, Keywords: []string{"redis"}})
	return p
}

func (f *fixture) incident(in status.IncidentInput) status.Incident {
	f.t.Helper()
	if in.Body == "" {
		in.Body = "We are investigating."
	}
	inc, err := f.svc.CreateIncident(f.ctx, f.agent, in)
	if err != nil {
		f.t.Fatalf("create incident %s: %v", in.Name, err)
	}
	return inc
}

func (f *fixture) post(id int64, in status.UpdateInput) status.Incident {
	f.t.Helper()
	if in.Body == "" {
		in.Body = "An update on " + string(in.Status) + "."
	}
	inc, err := f.svc.PostUpdate(f.ctx, f.agent, id, in)
	if err != nil {
		f.t.Fatalf("post update %s on %d: %v", in.Status, id, err)
	}
	return inc
}

// statusOf reads a component's current status.
func (f *fixture) statusOf(id int64) status.ComponentStatus {
	f.t.Helper()
	list, err := f.svc.FindComponents(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, c := range list {
		if c.ID == id {
			return c.Status
		}
	}
	f.t.Fatalf("component %d not found", id)
	return ""
}

func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.QueryRowContext(f.ctx, query, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// wantKind fails unless err has the kind.
func wantKind(t *testing.T, err error, kind helpline.ErrorKind, what string) {
	t.Helper()
	if helpline.KindOf(err) != kind {
		t.Fatalf("%s: got %v (%s), want %s", what, err, helpline.KindOf(err), kind)
	}
}

// wantField fails unless err is invalid input naming field.
func wantField(t *testing.T, err error, field, what string) {
	t.Helper()
	var e *helpline.Error
	if !errors.As(err, &e) || e.Kind != helpline.KindInvalid || e.Fields[field] == "" {
		t.Fatalf("%s: got %v, want an invalid %s", what, err, field)
	}
}
