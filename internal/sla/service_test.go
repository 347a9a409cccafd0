package sla_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/jobs"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/sla"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// t0 is a Monday, 09:00 UTC.
var t0 = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

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

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

type fixture struct {
	t        testing.TB
	ctx      context.Context
	db       *db.DB
	accounts *account.Service
	tickets  *ticket.Service
	sla      *sla.Service
	clock    *fakeClock
	admin    *helpline.Actor
	agent    *helpline.Actor
	n        int
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	d := dbtest.Open(t)
	clock := &fakeClock{now: t0}
	inserter, err := jobs.NewInserter(d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	accounts := account.NewService(d, nil, account.Options{Now: clock.Now, Hasher: account.Hasher{MemoryKiB: 64, Time: 1, Threads: 1}})
	tickets := ticket.NewService(d, accounts, func(s string) (string, int) { return s, 0 }, ticket.Options{Now: clock.Now})
	s := sla.NewService(d, accounts, sla.Options{Now: clock.Now, Jobs: inserter,
		Alerts: &notify.Outbox{Jobs: inserter, BaseURL: "https://help.example.com", Reply: "support@help.example.com", Now: clock.Now}})
	tickets.Observe(s)
	f := &fixture{t: t, ctx: context.Background(), db: d, accounts: accounts, tickets: tickets, sla: s, clock: clock}
	f.admin = f.staff("ada", helpline.RoleAdmin)
	f.agent = f.staff("sam", helpline.RoleAgent)
	return f
}

func (f *fixture) staff(name string, role helpline.StaffRole) *helpline.Actor {
	f.t.Helper()
	u, err := f.accounts.CreateUser(f.ctx, account.CLI(), account.UserInput{Email: name + "@helpline.test", Name: name, Password: "correct horse battery", StaffRole: role})
	if err != nil {
		f.t.Fatal(err)
	}
	return u.Actor("")
}

// customer returns a customer of a new organization on plan.
func (f *fixture) customer(plan account.Plan) *helpline.Actor {
	f.t.Helper()
	f.n++
	o, err := f.accounts.CreateOrganization(f.ctx, account.CLI(), account.OrgInput{Name: "Org " + string(rune('A'+f.n%26)) + itoa(f.n), Plan: plan})
	if err != nil {
		f.t.Fatal(err)
	}
	u, err := f.accounts.CreateUser(f.ctx, account.CLI(), account.UserInput{Email: "c" + itoa(f.n) + "@example.com", Name: "Customer", Password: "correct horse battery", OrgID: o.ID, OrgRole: account.OrgOwner})
	if err != nil {
		f.t.Fatal(err)
	}
	return u.Actor("")
}

func itoa(n int) string { return strconv.Itoa(n) }

func (f *fixture) open(c *helpline.Actor, p ticket.Priority) ticket.Ticket {
	f.t.Helper()
	tk, err := f.tickets.CreateTicket(f.ctx, c, ticket.NewTicket{Subject: "Deploys fail", Description: "The deploy fails with a build error every time since Monday.",
		Priority: p, Environment: "production", Category: "deploys"})
	if err != nil {
		f.t.Fatal(err)
	}
	return tk
}

func (f *fixture) reply(a *helpline.Actor, id int64) {
	f.t.Helper()
	if _, err := f.tickets.AddComment(f.ctx, a, id, ticket.NewComment{Body: "Thanks, looking at it."}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) status(id int64, s ticket.Status) {
	f.t.Helper()
	if _, err := f.tickets.UpdateTicket(f.ctx, f.agent, id, ticket.Update{Status: &s}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) targets(id int64) map[string]sla.Target {
	f.t.Helper()
	ts, err := f.sla.FindTargets(f.ctx, f.agent, id)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]sla.Target{}
	for _, t := range ts {
		out[string(t.Metric)+"/"+t.State+"/"+t.Reason] = t
	}
	return out
}

func (f *fixture) ticketDue(id int64) *time.Time {
	f.t.Helper()
	tk, err := f.tickets.FindTicketByID(f.ctx, f.agent, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return tk.SLADueAt
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.QueryRowContext(f.ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

func wantTime(t testing.TB, what string, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil || !got.Equal(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func keys(m map[string]sla.Target) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func want(t testing.TB, m map[string]sla.Target, key string) sla.Target {
	t.Helper()
	tg, ok := m[key]
	if !ok {
		t.Fatalf("no target %s; have %v", key, keys(m))
	}
	return tg
}

func TestDefaults(t *testing.T) {
	f := newFixture(t)
	ps, err := f.sla.FindPolicies(f.ctx, f.agent)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != len(account.Plans)*len(ticket.Priorities) {
		t.Fatalf("%d policies", len(ps))
	}
	for _, p := range ps {
		if p.UpdatedAt.IsZero() {
			t.Errorf("%s/%s has no default row", p.Plan, p.Priority)
		}
		switch {
		case p.Plan == account.PlanPremier && p.Priority == ticket.Urgent, p.Plan == account.PlanLegacyEnterprise && p.Priority == ticket.Urgent:
			if p.FirstResponseMinutes == nil || *p.FirstResponseMinutes != 60 || p.CalendarID != nil {
				t.Errorf("%s urgent = %+v, want 1 h 24x7", p.Plan, p)
			}
		case p.Plan == account.PlanStandard || p.Plan == account.PlanFree:
			if p.CalendarName != "Business hours" {
				t.Errorf("%s/%s counts on %q, want business hours", p.Plan, p.Priority, p.CalendarName)
			}
		}
	}
	cals, err := f.sla.FindCalendars(f.ctx, f.agent)
	if err != nil {
		t.Fatal(err)
	}
	if len(cals) != 1 || cals[0].Name != "Business hours" || len(cals[0].Hours.Monday) != 1 || cals[0].Hours.Monday[0] != "09:00-18:00" || len(cals[0].Hours.Sunday) != 0 {
		t.Fatalf("calendars = %+v", cals)
	}
	if _, err := f.sla.FindPolicies(f.ctx, f.customer(account.PlanFree)); helpline.KindOf(err) != helpline.KindForbidden {
		t.Fatalf("customer reads policies: %v", err)
	}
}

func TestClockThroughTicketSteps(t *testing.T) {
	f := newFixture(t)
	c := f.customer(account.PlanPremier)
	tk := f.open(c, ticket.High) // premier high: 2 h first, 4 h next, 48 h resolution, warn 30 min; 24x7
	ts := f.targets(tk.ID)
	wantTime(t, "first response due", want(t, ts, "first_response/running/created").DueAt, t0.Add(2*time.Hour))
	wantTime(t, "first response warning", want(t, ts, "first_response/running/created").WarnAt, t0.Add(90*time.Minute))
	wantTime(t, "resolution due", want(t, ts, "resolution/running/created").DueAt, t0.Add(48*time.Hour))
	wantTime(t, "queue due", f.ticketDue(tk.ID), t0.Add(2*time.Hour))

	// Pending on the customer pauses every clock.
	f.clock.Advance(30 * time.Minute)
	f.status(tk.ID, ticket.StatusPending)
	ts = f.targets(tk.ID)
	if fr := want(t, ts, "first_response/running/created"); !fr.Paused || fr.DueAt != nil || fr.RemainingSeconds == nil || *fr.RemainingSeconds != 90*60 {
		t.Fatalf("paused first response = %+v", fr)
	}
	if d := f.ticketDue(tk.ID); d != nil {
		t.Fatalf("paused ticket's queue due = %v, want none", d)
	}

	// The customer answers an hour later: the ticket reopens, the due time
	// moves by the hour paused.
	f.clock.Advance(time.Hour)
	f.reply(c, tk.ID)
	ts = f.targets(tk.ID)
	wantTime(t, "first response due after the pause", want(t, ts, "first_response/running/created").DueAt, t0.Add(3*time.Hour))
	wantTime(t, "resolution due after the pause", want(t, ts, "resolution/running/created").DueAt, t0.Add(49*time.Hour))
	if _, ok := ts["next_response/running/customer_replied"]; ok {
		t.Fatal("a reply before support answered started a next-response clock")
	}

	// The first public staff reply meets the first response, on time.
	f.clock.Advance(30 * time.Minute)
	f.reply(f.agent, tk.ID)
	fr := want(t, f.targets(tk.ID), "first_response/met/created")
	wantTime(t, "met at", fr.MetAt, t0.Add(2*time.Hour))
	if fr.BreachedAt != nil {
		t.Fatalf("met on time but breached at %v", fr.BreachedAt)
	}
	wantTime(t, "queue due once answered", f.ticketDue(tk.ID), t0.Add(49*time.Hour))

	// A follow-up starts the next-response clock.
	f.clock.Advance(10 * time.Minute)
	f.reply(c, tk.ID)
	wantTime(t, "next response due", want(t, f.targets(tk.ID), "next_response/running/customer_replied").DueAt, t0.Add(2*time.Hour+10*time.Minute+4*time.Hour))

	// Staff raise the priority: the clocks restart from the urgent policy
	// (2 h next response, 24 h resolution), and the ticket says why.
	f.clock.Advance(10 * time.Minute)
	at := t0.Add(2*time.Hour + 20*time.Minute)
	if _, err := f.tickets.ChangePriority(f.ctx, f.agent, tk.ID, ticket.Urgent, "The whole app is down, not one feature."); err != nil {
		t.Fatal(err)
	}
	ts = f.targets(tk.ID)
	if nr := want(t, ts, "next_response/cancelled/customer_replied"); nr.EndReason != "priority_changed" {
		t.Fatalf("old next response ended %q", nr.EndReason)
	}
	wantTime(t, "new next response", want(t, ts, "next_response/running/priority_changed").DueAt, at.Add(2*time.Hour))
	wantTime(t, "new resolution", want(t, ts, "resolution/running/priority_changed").DueAt, at.Add(24*time.Hour))
	if want(t, ts, "resolution/running/priority_changed").Priority != ticket.Urgent {
		t.Fatal("the new clock does not carry the new priority")
	}
	if _, ok := ts["first_response/running/priority_changed"]; ok {
		t.Fatal("a met first response restarted")
	}
	wantTime(t, "queue due after the change", f.ticketDue(tk.ID), at.Add(2*time.Hour))
	if n := f.count(`SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND kind = 'sla_recomputed' AND public = FALSE AND data LIKE '%priority_changed%'`, tk.ID); n != 1 {
		t.Fatalf("%d sla_recomputed events", n)
	}
	evs, err := f.tickets.FindEvents(f.ctx, c, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Kind == "sla_recomputed" {
			t.Fatal("the customer sees the staff-only SLA event")
		}
	}

	// Solving meets the resolution and cancels the rest; late is breached.
	f.clock.Advance(3 * time.Hour)
	f.status(tk.ID, ticket.StatusSolved)
	ts = f.targets(tk.ID)
	if r := want(t, ts, "resolution/met/priority_changed"); r.BreachedAt != nil {
		t.Fatalf("resolution met in time but breached: %+v", r)
	}
	nr := want(t, ts, "next_response/cancelled/priority_changed")
	if nr.EndReason != "solved" {
		t.Fatalf("next response ended %q", nr.EndReason)
	}
	wantTime(t, "next response breached (it ran past its due time)", nr.BreachedAt, at.Add(2*time.Hour))
	if d := f.ticketDue(tk.ID); d != nil {
		t.Fatalf("solved ticket due %v", d)
	}
}

func TestAppealOverturnedRecomputes(t *testing.T) {
	f := newFixture(t)
	c := f.customer(account.PlanEnterprise)
	tk := f.open(c, ticket.High) // enterprise high: 4 h first response, 24x7
	f.clock.Advance(time.Hour)
	if _, err := f.tickets.ChangePriority(f.ctx, f.agent, tk.ID, ticket.Low, "A question about pricing, not an outage."); err != nil {
		t.Fatal(err)
	}
	ts := f.targets(tk.ID)
	if fr := want(t, ts, "first_response/running/priority_changed"); fr.CalendarName != "Business hours" || fr.Priority != ticket.Low {
		t.Fatalf("after lowering: %+v", fr)
	}
	f.clock.Advance(time.Hour)
	if _, err := f.tickets.Appeal(f.ctx, c, tk.ID, "Our checkout depends on it; this is a production outage."); err != nil {
		t.Fatal(err)
	}
	if _, err := f.tickets.DecideAppeal(f.ctx, f.agent, tk.ID, ticket.AppealOverturned, "Agreed, it is high."); err != nil {
		t.Fatal(err)
	}
	ts = f.targets(tk.ID)
	fr := want(t, ts, "first_response/running/appeal_overturned")
	wantTime(t, "restored first response", fr.DueAt, t0.Add(2*time.Hour+4*time.Hour))
	if fr.CalendarID != nil || fr.Priority != ticket.High {
		t.Fatalf("restored clock = %+v", fr)
	}
	if old := want(t, ts, "first_response/cancelled/priority_changed"); old.EndReason != "appeal_overturned" {
		t.Fatalf("lowered clock ended %q", old.EndReason)
	}
	if n := f.count(`SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND kind = 'sla_recomputed' AND data LIKE '%appeal_overturned%'`, tk.ID); n != 1 {
		t.Fatalf("%d recompute events for the appeal", n)
	}
}

func TestBusinessHoursAcrossTimeZoneHolidayAndEdit(t *testing.T) {
	f := newFixture(t)
	paris := sla.CalendarInput{Name: "Paris office", TimeZone: "Europe/Paris",
		Hours:    sla.WeekHours{Monday: []string{"09:00-17:00"}, Tuesday: []string{"09:00-12:00", "13:00-17:00"}, Wednesday: []string{"09:00-17:00"}, Thursday: []string{"09:00-17:00"}, Friday: []string{"09:00-17:00"}},
		Holidays: []string{"2025-03-17"}}
	cal, err := f.sla.CreateCalendar(f.ctx, f.admin, paris)
	if err != nil {
		t.Fatal(err)
	}
	four := 4 * 60
	if _, err := f.sla.UpdatePolicy(f.ctx, f.admin, account.PlanStandard, ticket.High, sla.PolicyInput{FirstResponseMinutes: &four, CalendarID: &cal.ID, WarnMinutes: 30}); err != nil {
		t.Fatal(err)
	}
	// Friday 15:00 in Paris (UTC+1): 2 h on Friday, Monday is a holiday,
	// then 09:00–11:00 on Tuesday.
	f.clock.Set(time.Date(2025, 3, 14, 14, 0, 0, 0, time.UTC))
	c := f.customer(account.PlanStandard)
	tk := f.open(c, ticket.High)
	fr := want(t, f.targets(tk.ID), "first_response/running/created")
	wantTime(t, "due over the weekend and the holiday", fr.DueAt, time.Date(2025, 3, 18, 10, 0, 0, 0, time.UTC))
	wantTime(t, "warning", fr.WarnAt, time.Date(2025, 3, 18, 9, 30, 0, 0, time.UTC))

	// The holiday is dropped: a job moves the due time to Monday.
	paris.Holidays = nil
	if _, err := f.sla.UpdateCalendar(f.ctx, f.admin, cal.ID, paris); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM river_job WHERE kind = 'sla_recompute'`); n != 1 {
		t.Fatalf("%d recompute jobs queued", n)
	}
	if n, err := f.sla.Recompute(f.ctx, cal.ID); err != nil || n != 1 {
		t.Fatalf("recompute: %d, %v", n, err)
	}
	wantTime(t, "due after the edit", f.ticketDue(tk.ID), time.Date(2025, 3, 17, 10, 0, 0, 0, time.UTC))

	// Deleting a calendar in use names the policies.
	err = f.sla.DeleteCalendar(f.ctx, f.admin, cal.ID)
	var he *helpline.Error
	if !errors.As(err, &he) || he.Kind != helpline.KindConflict || !contains(he.Message, "standard/high") {
		t.Fatalf("delete in use: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action LIKE 'sla.%'`); n != 3 {
		t.Fatalf("%d SLA audit events, want 3 (calendar created, policy, calendar updated)", n)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestValidation(t *testing.T) {
	f := newFixture(t)
	bad := -5
	huge := 1 << 30
	missing := int64(999)
	_, err := f.sla.UpdatePolicy(f.ctx, f.admin, account.PlanPremier, ticket.Urgent, sla.PolicyInput{FirstResponseMinutes: &bad, ResolutionMinutes: &huge, CalendarID: &missing, WarnMinutes: -1})
	wantFields(t, err, "first_response_minutes", "resolution_minutes", "calendar_id", "warn_minutes")
	_, err = f.sla.UpdatePolicy(f.ctx, f.admin, "gold", "asap", sla.PolicyInput{})
	wantFields(t, err, "plan", "priority")
	if _, err := f.sla.UpdatePolicy(f.ctx, f.agent, account.PlanPremier, ticket.Urgent, sla.PolicyInput{}); helpline.KindOf(err) != helpline.KindForbidden {
		t.Fatalf("agent edits policy: %v", err)
	}
	_, err = f.sla.CreateCalendar(f.ctx, f.admin, sla.CalendarInput{Name: "", TimeZone: "Mars/Olympus", Hours: sla.WeekHours{Monday: []string{"18:00-09:00"}, Tuesday: []string{"9am"}}, Holidays: []string{"2025-02-30"}})
	wantFields(t, err, "name", "time_zone", "hours.monday", "hours.tuesday", "holidays", "hours")
	_, err = f.sla.CreateCalendar(f.ctx, f.admin, sla.CalendarInput{Name: "Business hours", TimeZone: "UTC", Hours: sla.WeekHours{Monday: []string{"09:00-17:00"}}})
	if helpline.KindOf(err) != helpline.KindConflict {
		t.Fatalf("duplicate name: %v", err)
	}
	if _, err := f.sla.FindTargets(f.ctx, f.agent, 12345); helpline.KindOf(err) != helpline.KindNotFound {
		t.Fatalf("targets of a missing ticket: %v", err)
	}
}

func wantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	var he *helpline.Error
	if !errors.As(err, &he) || he.Kind != helpline.KindInvalid {
		t.Fatalf("err = %v, want invalid", err)
	}
	var got []string
	for k, msg := range he.Fields {
		if msg == "" {
			t.Errorf("field %s has no message", k)
		}
		got = append(got, k)
	}
	sort.Strings(got)
	sort.Strings(fields)
	if len(got) != len(fields) {
		t.Fatalf("fields = %v (%v), want %v", got, he, fields)
	}
	for i := range got {
		if got[i] != fields[i] {
			t.Fatalf("fields = %v (%v), want %v", got, he, fields)
		}
	}
}

func TestSweepExactlyOnce(t *testing.T) {
	f := newFixture(t)
	// A second service on its own connection pool, as another server process.
	ins := mustInserter(t, f.db)
	other := sla.NewService(f.db, f.accounts, sla.Options{Now: f.clock.Now, Jobs: ins, Alerts: &notify.Outbox{Jobs: ins, Now: f.clock.Now}})
	c := f.customer(account.PlanPremier)
	const n = 30
	var ids []int64
	for range n {
		ids = append(ids, f.open(c, ticket.High).ID) // 2 h first response, warn 30 min before
	}
	assigned := ids[0]
	if _, err := f.tickets.UpdateTicket(f.ctx, f.agent, assigned, ticket.Update{AssigneeID: &f.agent.UserID}); err != nil {
		t.Fatal(err)
	}
	sweepBoth := func() sla.Swept {
		var wg sync.WaitGroup
		res := make([]sla.Swept, 2)
		errs := make([]error, 2)
		for i, s := range []*sla.Service{f.sla, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res[i], errs[i] = s.Sweep(f.ctx)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		return sla.Swept{Warned: res[0].Warned + res[1].Warned, Breached: res[0].Breached + res[1].Breached}
	}
	if got := sweepBoth(); got != (sla.Swept{}) {
		t.Fatalf("nothing is due yet, swept %+v", got)
	}
	f.clock.Advance(90 * time.Minute)
	if got := sweepBoth(); got != (sla.Swept{Warned: n}) {
		t.Fatalf("at the warning time swept %+v, want %d warnings", got, n)
	}
	if got := sweepBoth(); got != (sla.Swept{}) {
		t.Fatalf("second sweep %+v, want nothing", got)
	}
	f.clock.Advance(31 * time.Minute)
	if got := sweepBoth(); got != (sla.Swept{Breached: n}) {
		t.Fatalf("past due swept %+v, want %d breaches", got, n)
	}
	if got := sweepBoth(); got != (sla.Swept{}) {
		t.Fatalf("second sweep %+v, want nothing", got)
	}
	for _, kind := range []string{"sla_warning", "sla_breached"} {
		if got := f.count(`SELECT count(*) FROM ticket_events WHERE kind = $1 AND public = FALSE`, kind); got != n {
			t.Errorf("%d %s events, want %d", got, kind, n)
		}
	}
	// The assignee alone hears about their ticket; the team about the others.
	if got := f.count(`SELECT count(*) FROM mail_outbox WHERE ticket_id = $1`, assigned); got != 2 {
		t.Errorf("assigned ticket: %d emails, want 2 (warning, breach to the assignee)", got)
	}
	if got := f.count(`SELECT count(*) FROM mail_outbox WHERE ticket_id = $1 AND user_id = $2`, assigned, f.admin.UserID); got != 0 {
		t.Errorf("the admin was emailed about an assigned ticket")
	}
	if got := f.count(`SELECT count(*) FROM mail_outbox WHERE category = 'staff_alerts'`); got != 2+(n-1)*2*2 {
		t.Errorf("%d alert emails, want %d", got, 2+(n-1)*2*2)
	}
	if got := f.count(`SELECT count(*) FROM river_job WHERE kind = 'send_email'`); got != 2+(n-1)*2*2 {
		t.Errorf("%d send jobs", got)
	}
	fr := want(t, f.targets(assigned), "first_response/running/created")
	wantTime(t, "breached at", fr.BreachedAt, t0.Add(2*time.Hour))
	if fr.RemainingSeconds == nil || *fr.RemainingSeconds != -60 {
		t.Fatalf("remaining = %v, want -60 s", fr.RemainingSeconds)
	}
	// Answering late keeps the breach.
	f.reply(f.agent, assigned)
	if fr := want(t, f.targets(assigned), "first_response/met/created"); fr.BreachedAt == nil {
		t.Fatal("late answer lost its breach")
	}
}

func mustInserter(t *testing.T, d *db.DB) *jobs.Client {
	c, err := jobs.NewInserter(d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestReport(t *testing.T) {
	f := newFixture(t)
	c := f.customer(account.PlanPremier)
	// Five premier high tickets answered after 10, 20, 30, 40 and 200
	// minutes (the last breaches its 2 h first response).
	for _, m := range []int{10, 20, 30, 40, 200} {
		f.clock.Set(t0)
		tk := f.open(c, ticket.High)
		f.clock.Advance(time.Duration(m) * time.Minute)
		f.reply(f.agent, tk.ID)
	}
	// One unanswered, still in time: counted as a ticket, not as a target.
	// It paged on-call, acknowledged after 5 minutes.
	f.clock.Set(t0)
	paged := f.open(c, ticket.High)
	if _, err := f.db.ExecContext(f.ctx, `INSERT INTO pages (dedup_key, ticket_id, summary, severity, status, triggered_at, acknowledged_at) VALUES ('t', $1, 'down', 'critical', 'acknowledged', $2, $3)`,
		paged.ID, t0, t0.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(t0.Add(4 * time.Hour))
	r, err := f.sla.Report(f.ctx, f.agent, t0.Add(-time.Hour), t0.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 1 {
		t.Fatalf("rows = %+v", r.Rows)
	}
	row := r.Rows[0]
	if row.Plan != account.PlanPremier || row.Priority != ticket.High {
		t.Fatalf("row = %+v", row)
	}
	if len(row.Metrics) != 1 || row.Metrics[0].Metric != sla.FirstResponse || row.Metrics[0].Targets != 5 || row.Metrics[0].Met != 4 || row.Metrics[0].Breached != 1 || *row.Metrics[0].ShareMet != 0.8 {
		t.Fatalf("metrics = %+v", row.Metrics)
	}
	fr := row.FirstResponse
	if fr.Tickets != 6 || fr.Responded != 5 || *fr.MedianSeconds != 30*60 || *fr.P90Seconds != 200*60 {
		t.Fatalf("first response = %+v", fr)
	}
	if row.Acknowledge.Pages != 1 || row.Acknowledge.Acknowledged != 1 || *row.Acknowledge.MedianSeconds != 300 {
		t.Fatalf("acknowledge = %+v", row.Acknowledge)
	}
	// A period without tickets is empty, and customers may not read it.
	if r, err := f.sla.Report(f.ctx, f.agent, t0.Add(48*time.Hour), t0.Add(72*time.Hour)); err != nil || len(r.Rows) != 0 {
		t.Fatalf("empty period: %+v, %v", r, err)
	}
	if _, err := f.sla.Report(f.ctx, c, t0, t0.Add(time.Hour)); helpline.KindOf(err) != helpline.KindForbidden {
		t.Fatalf("customer report: %v", err)
	}
	_, err = f.sla.Report(f.ctx, f.agent, t0, t0.Add(-time.Hour))
	wantFields(t, err, "to")
}
