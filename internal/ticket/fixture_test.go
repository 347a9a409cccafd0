package ticket_test

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/redact"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// t0 is when every test's clock starts.
var t0 = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

// secret is a (fake) Stripe live key the real detector removes; redacted is
// what it leaves in its place.
const (
	secret   = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
	redacted = "[REDACTED:stripe-access-token]"
)

// detector is the real secret detector, built once: it takes tens of
// milliseconds to compile its rules.
var detector = sync.OnceValues(redact.New)

func testRedactor(s string) (string, int) {
	r, err := detector()
	if err != nil {
		panic(err)
	}
	out, findings := r.Redact(s)
	return out, len(findings)
}

// fastHasher matches apptest.FastHasher; it is copied so this package's tests
// do not build the whole application (api, web, server) to hash passwords.
var fastHasher = account.Hasher{MemoryKiB: 64, Time: 1, Threads: 1}

// fakeClock is the services' time: tests move it instead of sleeping.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is one test's ticket service on its own migrated database.
type fixture struct {
	t        *testing.T
	ctx      context.Context
	db       *db.DB
	accounts *account.Service
	svc      *ticket.Service
	clock    *fakeClock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := dbtest.Open(t)
	clock := &fakeClock{now: t0}
	// The ticket rules never queue account jobs (password-reset emails), so
	// the account service needs no job inserter here.
	accounts := account.NewService(d, nil, account.Options{Now: clock.Now, Hasher: fastHasher})
	svc := ticket.NewService(d, accounts, testRedactor, ticket.Options{
		Now:   clock.Now,
		Files: &ticket.FileStore{Dir: t.TempDir(), MaxBytes: 1 << 20},
	})
	return &fixture{t: t, ctx: context.Background(), db: d, accounts: accounts, svc: svc, clock: clock}
}

func (f *fixture) org(name string, plan account.Plan) account.Organization {
	f.t.Helper()
	o, err := f.accounts.CreateOrganization(f.ctx, account.CLI(), account.OrgInput{Name: name, Plan: plan})
	if err != nil {
		f.t.Fatalf("create organization %s: %v", name, err)
	}
	return o
}

// customer creates a customer of org and returns them as an actor.
func (f *fixture) customer(name string, org account.Organization, role account.OrgRole) *helpline.Actor {
	f.t.Helper()
	u, err := f.accounts.CreateUser(f.ctx, account.CLI(), account.UserInput{
		Email: name + "@example.com", Name: name, Password: "correct horse battery", OrgID: org.ID, OrgRole: role})
	if err != nil {
		f.t.Fatalf("create customer %s: %v", name, err)
	}
	return u.Actor("203.0.113.7")
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

func (f *fixture) app(org account.Organization, name string) account.App {
	f.t.Helper()
	a, err := f.accounts.CreateApp(f.ctx, account.CLI(), org.ID, account.AppInput{Name: name})
	if err != nil {
		f.t.Fatalf("create app %s: %v", name, err)
	}
	return a
}

// open opens a ticket that must be accepted.
func (f *fixture) open(actor *helpline.Actor, in ticket.NewTicket) ticket.Ticket {
	f.t.Helper()
	tk, err := f.svc.CreateTicket(f.ctx, actor, in)
	if err != nil {
		f.t.Fatalf("open ticket %q: %v", in.Subject, err)
	}
	return tk
}

// createErr opens a ticket that must be refused and returns the error.
func (f *fixture) createErr(actor *helpline.Actor, in ticket.NewTicket) error {
	f.t.Helper()
	before := f.count(`SELECT count(*) FROM tickets`)
	tk, err := f.svc.CreateTicket(f.ctx, actor, in)
	if err == nil {
		f.t.Fatalf("open ticket %q: accepted as #%d, want an error", in.Subject, tk.Number)
	}
	if after := f.count(`SELECT count(*) FROM tickets`); after != before {
		f.t.Fatalf("a refused ticket was stored: %d tickets, had %d", after, before)
	}
	return err
}

// basic is a valid non-urgent ticket.
func basic(subject string, p ticket.Priority) ticket.NewTicket {
	return ticket.NewTicket{
		Subject:     subject,
		Description: "The deploy fails with a build error every time since Monday.",
		Priority:    p,
		Environment: "production",
		Category:    "deploys",
	}
}

// urgent is a valid urgent ticket about app; each call returns fresh pointers.
func urgent(subject string, app account.App) ticket.NewTicket {
	yes := true
	return ticket.NewTicket{
		Subject:     subject,
		Description: "Every request to the production app returns H10 since the 08:30 deploy; customers cannot check out at all.",
		Priority:    ticket.Urgent,
		AppID:       app.ID,
		Environment: "production",
		Category:    "runtime",
		Urgent: &ticket.UrgentInput{
			AccessGranted:      &yes,
			UsersAffected:      "about 2,000 users (80%)",
			BusinessImpact:     "checkout is down: no sales at all",
			StepsToReproduce:   "open the shop and press Pay on any order",
			SeenInStaging:      &yes,
			StartedAt:          "2025-03-10 08:30:00 UTC",
			Logs:               "at=error code=H10 desc=\"App crashed\"",
			Config:             "WEB_CONCURRENCY=4",
			ThirdPartyServices: "Stripe",
		},
	}
}

// update applies a staff or customer update that must succeed.
func (f *fixture) update(actor *helpline.Actor, id int64, u ticket.Update) ticket.Ticket {
	f.t.Helper()
	tk, err := f.svc.UpdateTicket(f.ctx, actor, id, u)
	if err != nil {
		f.t.Fatalf("update ticket %d with %+v: %v", id, u, err)
	}
	return tk
}

func statusPtr(s ticket.Status) *ticket.Status { return &s }
func idPtr(id int64) *int64                    { return &id }

// count runs a count(*) query.
func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.QueryRowContext(f.ctx, query, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// audit returns the audit events with action about ticket id, newest first.
func (f *fixture) audit(action string, id int64) []account.AuditEvent {
	f.t.Helper()
	evs, err := f.accounts.FindAuditEvents(f.ctx, account.CLI(), account.AuditFilter{
		Action: action, TargetType: "ticket", TargetID: strconv.FormatInt(id, 10), Page: helpline.Page{Limit: 200}})
	if err != nil {
		f.t.Fatalf("find audit events %s: %v", action, err)
	}
	return evs
}

// wantAudit fails unless exactly one audit event action about ticket id was
// recorded by actor.
func (f *fixture) wantAudit(action string, id int64, actor *helpline.Actor) account.AuditEvent {
	f.t.Helper()
	evs := f.audit(action, id)
	if len(evs) != 1 {
		f.t.Fatalf("audit %s on ticket %d: %d events, want 1: %+v", action, id, len(evs), evs)
	}
	if evs[0].ActorID == nil || *evs[0].ActorID != actor.UserID {
		f.t.Fatalf("audit %s actor = %v, want user %d", action, evs[0].ActorID, actor.UserID)
	}
	return evs[0]
}

// eventKinds returns the kinds of the ticket's events as actor sees them.
func (f *fixture) eventKinds(actor *helpline.Actor, id int64) []string {
	f.t.Helper()
	evs, err := f.svc.FindEvents(f.ctx, actor, id)
	if err != nil {
		f.t.Fatalf("find events: %v", err)
	}
	out := []string{}
	for _, e := range evs {
		out = append(out, e.Kind)
	}
	return out
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// wantKind fails unless err is a *helpline.Error of kind.
func wantKind(t *testing.T, err error, kind helpline.ErrorKind) *helpline.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want kind %s", kind)
	}
	var he *helpline.Error
	if !errors.As(err, &he) {
		t.Fatalf("err = %v (%T), want a *helpline.Error of kind %s", err, err, kind)
	}
	if he.Kind != kind {
		t.Fatalf("kind = %s (%v), want %s", he.Kind, err, kind)
	}
	return he
}

// wantFields fails unless err is invalid with exactly the given fields, each
// with a message.
func wantFields(t *testing.T, err error, fields ...string) *helpline.Error {
	t.Helper()
	he := wantKind(t, err, helpline.KindInvalid)
	got := []string{}
	for k, msg := range he.Fields {
		if msg == "" {
			t.Errorf("field %s has an empty message", k)
		}
		got = append(got, k)
	}
	want := append([]string{}, fields...)
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("invalid fields = %v (%v), want %v", got, err, want)
	}
	return he
}

func subjects(ts []ticket.Ticket) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.Subject)
	}
	return out
}
