package csa_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/csa"
)

// t0 is a Tuesday morning; events are planned weeks after it.
var t0 = time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// fixture is a whole Helpline with a Premier customer (two members, two
// apps), a Standard customer, a support agent and a solutions architect.
type fixture struct {
	ctx       context.Context
	env       *apptest.Env
	svc       *csa.Service
	clock     *clock
	org       account.Organization
	owner     *helpline.Actor
	dev       *helpline.Actor
	standard  *helpline.Actor
	agent     *helpline.Actor
	architect *helpline.Actor
	admin     *helpline.Actor
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	clk := &clock{now: t0}
	env := apptest.New(t, apptest.Options{Now: clk.Now})
	f := &fixture{ctx: context.Background(), env: env, svc: env.App.CSA, clock: clk}
	f.org = env.Org(t, "Acme Rockets", account.PlanPremier)
	f.owner = env.Customer(t, "owner@acme.test", f.org, account.OrgOwner).Actor("")
	f.dev = env.Customer(t, "dev@acme.test", f.org, account.OrgMember).Actor("")
	for _, name := range []string{"acme-api", "acme-web"} {
		if _, err := env.App.Accounts.CreateApp(f.ctx, account.CLI(), f.org.ID, account.AppInput{Name: name, Region: "us", Stack: "heroku-24"}); err != nil {
			t.Fatal(err)
		}
	}
	initech := env.Org(t, "Initech", account.PlanStandard)
	f.standard = env.Customer(t, "peter@initech.test", initech, account.OrgOwner).Actor("")
	f.agent = env.Staff(t, "agent@helpline.test", helpline.RoleAgent).Actor("")
	f.architect = env.Staff(t, "casey@helpline.test", helpline.RoleCSA).Actor("")
	f.admin = env.Staff(t, "admin@helpline.test", helpline.RoleAdmin).Actor("")
	return f
}

// eventRequest is a valid event preparation request for an event days
// after now.
func eventRequest(now time.Time, days int) csa.Request {
	return csa.Request{Kind: csa.KindEvent, Event: &csa.EventInput{
		Name:     "Spring launch",
		StartsAt: now.AddDate(0, 0, days).In(mustZone("America/New_York")).Format("2006-01-02T15:04"), TimeZone: "America/New_York",
		PeakRPS: 5000, PeakConcurrentUsers: 40000, Apps: []string{"acme-api", "acme-web"},
		DynoFormation: "web=10:performance-l worker=4:standard-2x", DatabasePlan: "heroku-postgresql:premium-4",
		Concerns: "Our checkout has never seen this much traffic; we want the connection pool and autoscaling reviewed.",
	}}
}

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func (f *fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.env.App.DB.QueryRowContext(f.ctx, query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) request(t testing.TB, in csa.Request) csa.Engagement {
	t.Helper()
	e, err := f.svc.RequestEngagement(f.ctx, f.owner, in)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func wantKind(t *testing.T, err error, kind helpline.ErrorKind) *helpline.Error {
	t.Helper()
	if helpline.KindOf(err) != kind {
		t.Fatalf("error %v, want kind %s", err, kind)
	}
	he, _ := err.(*helpline.Error)
	return he
}
