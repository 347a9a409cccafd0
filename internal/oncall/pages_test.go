package oncall_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/oncall"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// pageT0 is when every paging test's clock starts.
var pageT0 = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

// pageClock is the services' time: tests move it instead of sleeping.
type pageClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *pageClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *pageClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// pageJobs records the delivery jobs the service queues instead of running
// them, so each test sends them when and how it wants.
type pageJobs struct {
	mu   sync.Mutex
	args []oncall.DeliverPageArgs
}

func (j *pageJobs) InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	a, ok := args.(oncall.DeliverPageArgs)
	if !ok {
		return nil, fmt.Errorf("unexpected job %T", args)
	}
	j.args = append(j.args, a)
	return &rivertype.JobInsertResult{Job: &rivertype.JobRow{Kind: a.Kind()}}, nil
}

// take returns the jobs queued since the last take.
func (j *pageJobs) take() []oncall.DeliverPageArgs {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := j.args
	j.args = nil
	return out
}

type pageEnv struct {
	t        testing.TB
	ctx      context.Context
	db       *db.DB
	accounts *account.Service
	tickets  *ticket.Service
	svc      *oncall.Service
	clock    *pageClock
	jobs     *pageJobs
	app      account.App
	customer *helpline.Actor // of the premier org
	standard *helpline.Actor // of a standard org
	stdApp   account.App
	admin    *helpline.Actor
	agent    *helpline.Actor
}

func newPageEnv(t testing.TB, opts oncall.Options) *pageEnv {
	t.Helper()
	d := dbtest.Open(t)
	clock := &pageClock{now: pageT0}
	jobs := &pageJobs{}
	accounts := account.NewService(d, nil, account.Options{Now: clock.Now, Hasher: account.Hasher{MemoryKiB: 64, Time: 1, Threads: 1}})
	tickets := ticket.NewService(d, accounts, func(s string) (string, int) { return s, 0 }, ticket.Options{Now: clock.Now})
	opts.Now, opts.Jobs = clock.Now, jobs
	if opts.BaseURL == "" {
		opts.BaseURL = "https://help.example.com"
	}
	svc := oncall.NewService(d, accounts, opts)
	tickets.Observe(svc)
	e := &pageEnv{t: t, ctx: context.Background(), db: d, accounts: accounts, tickets: tickets, svc: svc, clock: clock, jobs: jobs}
	premier := e.org("Acme", account.PlanPremier)
	e.customer = e.user("owner@acme.test", "", premier.ID)
	e.app = e.newApp(premier, "acme-shop")
	std := e.org("Smallco", account.PlanStandard)
	e.standard = e.user("dev@smallco.test", "", std.ID)
	e.stdApp = e.newApp(std, "smallco-web")
	e.admin = e.user("admin@helpline.test", helpline.RoleAdmin, 0)
	e.agent = e.user("agent@helpline.test", helpline.RoleAgent, 0)
	return e
}

func (e *pageEnv) org(name string, plan account.Plan) account.Organization {
	e.t.Helper()
	o, err := e.accounts.CreateOrganization(e.ctx, account.CLI(), account.OrgInput{Name: name, Plan: plan})
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

func (e *pageEnv) user(email string, role helpline.StaffRole, orgID int64) *helpline.Actor {
	e.t.Helper()
	in := account.UserInput{Email: email, Name: strings.Split(email, "@")[0], Password: "correct horse battery", StaffRole: role}
	if orgID != 0 {
		in.OrgID, in.OrgRole = orgID, account.OrgOwner
	}
	u, err := e.accounts.CreateUser(e.ctx, account.CLI(), in)
	if err != nil {
		e.t.Fatal(err)
	}
	return u.Actor("")
}

func (e *pageEnv) newApp(org account.Organization, name string) account.App {
	e.t.Helper()
	a, err := e.accounts.CreateApp(e.ctx, account.CLI(), org.ID, account.AppInput{Name: name})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// exec runs SQL that sets up on-call configuration directly, so these tests
// do not depend on the configuration service.
func (e *pageEnv) exec(query string, args ...any) int64 {
	e.t.Helper()
	var id int64
	if err := e.db.QueryRowContext(e.ctx, query+` RETURNING id`, args...).Scan(&id); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return id
}

// policy creates an escalation policy; each level is its delay in minutes
// and the user IDs it pages.
type pageLevel struct {
	delay     int
	users     []int64
	schedules []int64
}

func (e *pageEnv) policy(name string, urgent bool, repeats int, levels ...pageLevel) int64 {
	e.t.Helper()
	id := e.exec(`INSERT INTO escalation_policies (name, repeats, pages_urgent, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`, name, repeats, urgent, pageT0)
	for i, l := range levels {
		lid := e.exec(`INSERT INTO escalation_levels (policy_id, position, delay_minutes) VALUES ($1, $2, $3)`, id, i, l.delay)
		for _, u := range l.users {
			if _, err := e.db.ExecContext(e.ctx, `INSERT INTO escalation_targets (level_id, user_id) VALUES ($1, $2)`, lid, u); err != nil {
				e.t.Fatal(err)
			}
		}
		for _, s := range l.schedules {
			if _, err := e.db.ExecContext(e.ctx, `INSERT INTO escalation_targets (level_id, schedule_id) VALUES ($1, $2)`, lid, s); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	return id
}

func (e *pageEnv) method(userID int64, kind, address, secret string) int64 {
	e.t.Helper()
	return e.exec(`INSERT INTO contact_methods (user_id, kind, label, address, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		userID, kind, kind, address, secret, pageT0)
}

func urgentTicket(subject string, app account.App) ticket.NewTicket {
	yes := true
	return ticket.NewTicket{
		Subject:     subject,
		Description: "Every request to the production app returns H10 since the 08:30 deploy; customers cannot check out at all.",
		Priority:    ticket.Urgent, AppID: app.ID, Environment: "production", Category: "runtime",
		Urgent: &ticket.UrgentInput{
			AccessGranted: &yes, UsersAffected: "about 2,000 users (80%)", BusinessImpact: "checkout is down: no sales at all",
			StepsToReproduce: "open the shop and press Pay on any order", SeenInStaging: &yes, StartedAt: "2025-03-10 08:30:00 UTC",
			Logs: "at=error code=H10", Config: "WEB_CONCURRENCY=4", ThirdPartyServices: "Stripe",
		},
	}
}

func (e *pageEnv) open(actor *helpline.Actor, in ticket.NewTicket) ticket.Ticket {
	e.t.Helper()
	tk, err := e.tickets.CreateTicket(e.ctx, actor, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return tk
}

func (e *pageEnv) pagesOf(ticketID int64) []oncall.Page {
	e.t.Helper()
	ps, err := e.svc.FindPages(e.ctx, e.agent, oncall.PageFilter{TicketID: ticketID})
	if err != nil {
		e.t.Fatal(err)
	}
	return ps
}

func (e *pageEnv) page(id int64) oncall.Page {
	e.t.Helper()
	p, err := e.svc.FindPageByID(e.ctx, e.agent, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *pageEnv) deliveries(pageID int64) []oncall.Delivery {
	e.t.Helper()
	ds, err := e.svc.FindDeliveries(e.ctx, e.agent, pageID)
	if err != nil {
		e.t.Fatal(err)
	}
	return ds
}

// events returns the ticket's staff-only paging events with their data.
func (e *pageEnv) events(ticketID int64, kind string) []map[string]any {
	e.t.Helper()
	rows, err := e.db.QueryContext(e.ctx, `SELECT public, data FROM ticket_events WHERE ticket_id = $1 AND kind = $2 ORDER BY id`, ticketID, kind)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var public bool
		var data string
		if err := rows.Scan(&public, &data); err != nil {
			e.t.Fatal(err)
		}
		if public {
			e.t.Errorf("%s event is public; paging is staff-only", kind)
		}
		m := map[string]any{}
		if err := json.Unmarshal([]byte(data), &m); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

type deliveryKey struct {
	user                string
	kind, event, status string
	level, cycle        int
}

func keys(ds []oncall.Delivery) map[deliveryKey]int {
	m := map[deliveryKey]int{}
	for _, d := range ds {
		m[deliveryKey{d.UserName, d.Kind, d.Event, d.Status, d.Level, d.Cycle}]++
	}
	return m
}

func TestUrgentPremierTicketPages(t *testing.T) {
	e := newPageEnv(t, oncall.Options{})
	first := e.user("first@helpline.test", helpline.RoleAgent, 0)
	second := e.user("second@helpline.test", helpline.RoleAgent, 0)
	e.method(first.UserID, "email", "first-pager@helpline.test", "")
	e.method(first.UserID, "pagerduty", "R0UTINGKEY000000000000000000000A", "")
	e.method(first.UserID, "webhook", "https://hooks.example.com/page", "s3cret")
	e.policy("Support", true, 0, pageLevel{delay: 10, users: []int64{first.UserID}}, pageLevel{delay: 5, users: []int64{second.UserID}})

	tk := e.open(e.customer, urgentTicket("Checkout is down", e.app))
	ps := e.pagesOf(tk.ID)
	if len(ps) != 1 {
		t.Fatalf("%d pages, want 1", len(ps))
	}
	p := ps[0]
	want := fmt.Sprintf("#%d Checkout is down (Acme, Premier)", tk.Number)
	if p.Summary != want || p.Severity != "critical" || p.Status != oncall.StatusTriggered || p.Reason != oncall.ReasonUrgentTicket ||
		p.DedupKey != fmt.Sprintf("ticket-%d", tk.ID) || p.TicketNumber != tk.Number || p.PolicyName != "Support" {
		t.Errorf("page = %+v", p)
	}
	if p.EscalateAt == nil || !p.EscalateAt.Equal(pageT0.Add(10*time.Minute)) {
		t.Errorf("escalate_at = %v, want 10 minutes after the trigger", p.EscalateAt)
	}
	ds := e.deliveries(p.ID)
	got := keys(ds)
	wantKeys := map[deliveryKey]int{
		{"first", "email", "trigger", "queued", 0, 0}:     1,
		{"first", "pagerduty", "trigger", "queued", 0, 0}: 1,
		{"first", "webhook", "trigger", "queued", 0, 0}:   1,
	}
	if fmt.Sprint(got) != fmt.Sprint(wantKeys) {
		t.Errorf("deliveries = %v, want %v", got, wantKeys)
	}
	for _, d := range ds {
		if d.Kind == "pagerduty" && d.Address != "••••••••000A" {
			t.Errorf("routing key shown as %q, want it masked", d.Address)
		}
	}
	jobs := e.jobs.take()
	if len(jobs) != 3 {
		t.Fatalf("%d jobs, want 3", len(jobs))
	}
	tokens := map[string]bool{}
	for _, j := range jobs {
		if len(j.Token) < 50 || tokens[j.Token] {
			t.Errorf("token %q is short or repeated", j.Token)
		}
		tokens[j.Token] = true
		var n int
		if err := e.db.QueryRowContext(e.ctx, `SELECT count(*) FROM page_deliveries WHERE token_hash = $1`, j.Token).Scan(&n); err != nil || n != 0 {
			t.Errorf("the raw token is stored (%d, %v)", n, err)
		}
		l, err := e.svc.FindPageByToken(e.ctx, j.Token)
		if err != nil || l.Page.ID != p.ID || l.UserID != first.UserID {
			t.Errorf("FindPageByToken = %+v, %v", l, err)
		}
	}
	evs := e.events(tk.ID, "page_triggered")
	if len(evs) != 1 || evs[0]["reason"] != "urgent_ticket" || fmt.Sprint(evs[0]["reached"]) != "[first]" {
		t.Errorf("page_triggered events = %v", evs)
	}

	// A second trigger for the ticket returns the open page and pages nobody.
	again, created, err := e.svc.PageTicket(e.ctx, e.admin, tk.ID, oncall.ManualPage{Message: "Still down?"})
	if err != nil || created || again.ID != p.ID {
		t.Errorf("PageTicket on a paged ticket = %d, created %v, %v; want page %d, not created", again.ID, created, err, p.ID)
	}
	if n := len(e.jobs.take()); n != 0 || len(e.deliveries(p.ID)) != 3 {
		t.Errorf("second trigger queued %d jobs", n)
	}
	// A staff change to urgent does not page twice either.
	if _, err := e.tickets.ChangePriority(e.ctx, e.agent, tk.ID, ticket.High, "A workaround exists: the old release works."); err != nil {
		t.Fatal(err)
	}
	if _, err := e.tickets.ChangePriority(e.ctx, e.agent, tk.ID, ticket.Urgent, "The workaround stopped working for them."); err != nil {
		t.Fatal(err)
	}
	if len(e.pagesOf(tk.ID)) != 1 || len(e.jobs.take()) != 0 {
		t.Error("re-raising the priority of a paged ticket paged again")
	}
}

func TestWhoPages(t *testing.T) {
	e := newPageEnv(t, oncall.Options{})
	// Without a policy that pages urgent tickets, the ticket says so.
	tk := e.open(e.customer, urgentTicket("Nobody to page", e.app))
	if len(e.pagesOf(tk.ID)) != 0 {
		t.Fatal("paged without a policy")
	}
	if evs := e.events(tk.ID, "page_not_sent"); len(evs) != 1 || evs[0]["reason"] == "" {
		t.Errorf("page_not_sent events = %v", evs)
	}

	e.policy("Support", true, 0, pageLevel{delay: 10, users: []int64{e.agent.UserID}})
	// Standard plan urgent tickets sit at the top of the queue; no page.
	std := e.open(e.standard, urgentTicket("Standard plan outage", e.stdApp))
	if len(e.pagesOf(std.ID)) != 0 || len(e.events(std.ID, "page_not_sent")) != 0 {
		t.Error("a standard plan urgent ticket paged")
	}
	// Non-urgent premier tickets do not page; raising them to urgent does.
	in := urgentTicket("Slow builds", e.app)
	in.Priority, in.Urgent = ticket.High, nil
	high := e.open(e.customer, in)
	if len(e.pagesOf(high.ID)) != 0 {
		t.Fatal("a high ticket paged")
	}
	if _, err := e.tickets.ChangePriority(e.ctx, e.agent, high.ID, ticket.Urgent, "Production is down for them after all."); err != nil {
		t.Fatal(err)
	}
	ps := e.pagesOf(high.ID)
	if len(ps) != 1 || ps[0].Reason != oncall.ReasonUrgentTicket {
		t.Fatalf("pages after raising to urgent = %+v", ps)
	}
	// The agent has no contact method: the page goes to their account email.
	ds := e.deliveries(ps[0].ID)
	if len(ds) != 1 || ds[0].Kind != "email" || ds[0].Address != "agent@helpline.test" || ds[0].ContactMethodID != nil {
		t.Errorf("deliveries = %+v", ds)
	}
}

func TestSolvingResolvesPage(t *testing.T) {
	e := newPageEnv(t, oncall.Options{})
	e.method(e.agent.UserID, "pagerduty", "KEY-1", "")
	e.method(e.agent.UserID, "email", "agent-phone@helpline.test", "")
	e.policy("Support", true, 0, pageLevel{delay: 10, users: []int64{e.agent.UserID}})
	tk := e.open(e.customer, urgentTicket("Down", e.app))
	p := e.pagesOf(tk.ID)[0]
	// The trigger went out to PagerDuty; mark it so, as the job would.
	if _, err := e.db.ExecContext(e.ctx, `UPDATE page_deliveries SET status = 'delivered' WHERE page_id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	e.jobs.take()
	solved := ticket.StatusSolved
	if _, err := e.tickets.UpdateTicket(e.ctx, e.customer, tk.ID, ticket.Update{Status: &solved}); err != nil {
		t.Fatal(err)
	}
	p = e.page(p.ID)
	if p.Status != oncall.StatusResolved || p.ResolvedAt == nil || p.ResolvedBy == nil || *p.ResolvedBy != e.customer.UserID || p.EscalateAt != nil {
		t.Errorf("page after solving = %+v", p)
	}
	if evs := e.events(tk.ID, "page_resolved"); len(evs) != 1 || evs[0]["reason"] != "the ticket was solved" {
		t.Errorf("page_resolved events = %v", evs)
	}
	// PagerDuty hears of it; the email method does not.
	got := keys(e.deliveries(p.ID))
	if got[deliveryKey{"agent", "pagerduty", "resolve", "queued", 0, 0}] != 1 || len(got) != 3 {
		t.Errorf("deliveries = %v", got)
	}
	if n := len(e.jobs.take()); n != 1 {
		t.Errorf("%d jobs after resolving, want 1", n)
	}
	// Once resolved, a new urgent step opens a new page with the same key.
	if _, _, err := e.svc.PageTicket(e.ctx, e.admin, tk.ID, oncall.ManualPage{Message: "Reopened: it is down again."}); err != nil {
		t.Fatal(err)
	}
	if ps := e.pagesOf(tk.ID); len(ps) != 2 || ps[0].Status != oncall.StatusTriggered || ps[0].Reason != oncall.ReasonManual || ps[0].Message != "Reopened: it is down again." {
		t.Errorf("pages = %+v", ps)
	}
}

func TestAcknowledgeStopsEscalation(t *testing.T) {
	e := newPageEnv(t, oncall.Options{})
	second := e.user("second@helpline.test", helpline.RoleAgent, 0)
	e.method(e.agent.UserID, "webhook", "https://hooks.example.com/a", "k")
	e.method(e.agent.UserID, "email", "a@helpline.test", "")
	e.policy("Support", true, 2, pageLevel{delay: 10, users: []int64{e.agent.UserID}}, pageLevel{delay: 10, users: []int64{second.UserID}})
	tk := e.open(e.customer, urgentTicket("Down", e.app))
	p := e.pagesOf(tk.ID)[0]
	jobs := e.jobs.take()
	if _, err := e.db.ExecContext(e.ctx, `UPDATE page_deliveries SET status = 'delivered' WHERE page_id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(3 * time.Minute)
	l, err := e.svc.AcknowledgeByToken(e.ctx, jobs[0].Token)
	if err != nil {
		t.Fatal(err)
	}
	p = l.Page
	if p.Status != oncall.StatusAcknowledged || p.AcknowledgedName != "agent" || p.EscalateAt != nil || p.TimeToAcknowledge() != 3*time.Minute {
		t.Errorf("acknowledged page = %+v (tta %v)", p, p.TimeToAcknowledge())
	}
	if evs := e.events(tk.ID, "page_acknowledged"); len(evs) != 1 || evs[0]["seconds_to_acknowledge"] != float64(180) {
		t.Errorf("page_acknowledged events = %v", evs)
	}
	// Acknowledging twice changes nothing.
	if again, err := e.svc.Acknowledge(e.ctx, e.admin, p.ID); err != nil || *again.AcknowledgedBy != e.agent.UserID {
		t.Errorf("second acknowledge = %+v, %v", again, err)
	}
	e.clock.Advance(time.Hour)
	if n, err := e.svc.Escalate(e.ctx); err != nil || n != 0 {
		t.Errorf("Escalate after acknowledge = %d, %v", n, err)
	}
	if got := keys(e.deliveries(p.ID)); len(got) != 3 || got[deliveryKey{"agent", "webhook", "acknowledge", "queued", 0, 0}] != 1 {
		t.Errorf("deliveries = %v", got)
	}
	if _, err := e.svc.ResolveByToken(e.ctx, jobs[1].Token); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Acknowledge(e.ctx, e.agent, p.ID); helpline.KindOf(err) != helpline.KindConflict {
		t.Errorf("acknowledging a resolved page: %v, want a conflict", err)
	}
	if got := keys(e.deliveries(p.ID)); got[deliveryKey{"agent", "webhook", "resolve", "queued", 0, 0}] != 1 {
		t.Errorf("deliveries = %v", got)
	}
}

func TestEscalationTiming(t *testing.T) {
	e := newPageEnv(t, oncall.Options{})
	second := e.user("second@helpline.test", helpline.RoleAgent, 0)
	// Two levels, run twice in all (one repeat).
	e.policy("Support", true, 1, pageLevel{delay: 10, users: []int64{e.agent.UserID}}, pageLevel{delay: 5, users: []int64{second.UserID}})
	tk := e.open(e.customer, urgentTicket("Down", e.app))
	p := e.pagesOf(tk.ID)[0]
	steps := []struct {
		advance      time.Duration
		escalated    int
		level, cycle int
		escalateIn   time.Duration // 0: escalation is over
		who          string
	}{
		{9 * time.Minute, 0, 0, 0, time.Minute, ""},
		{time.Minute, 1, 1, 0, 5 * time.Minute, "second"},
		{5 * time.Minute, 1, 0, 1, 10 * time.Minute, "agent"},
		{10 * time.Minute, 1, 1, 1, 0, "second"},
		{24 * time.Hour, 0, 1, 1, 0, ""},
	}
	for i, s := range steps {
		e.clock.Advance(s.advance)
		e.jobs.take()
		n, err := e.svc.Escalate(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		p = e.page(p.ID)
		if n != s.escalated || p.Level != s.level || p.Cycle != s.cycle {
			t.Errorf("step %d: escalated %d to level %d cycle %d; want %d, %d, %d", i, n, p.Level, p.Cycle, s.escalated, s.level, s.cycle)
		}
		switch {
		case s.escalateIn == 0 && p.EscalateAt != nil:
			t.Errorf("step %d: escalate_at %v, want none", i, p.EscalateAt)
		case s.escalateIn != 0 && (p.EscalateAt == nil || !p.EscalateAt.Equal(e.clock.Now().Add(s.escalateIn))):
			t.Errorf("step %d: escalate_at %v, want in %v", i, p.EscalateAt, s.escalateIn)
		}
		jobs := e.jobs.take()
		if s.who != "" {
			ds := e.deliveries(p.ID)
			last := ds[len(ds)-1]
			if len(jobs) != 1 || last.UserName != s.who || last.Level != s.level || last.Cycle != s.cycle {
				t.Errorf("step %d: %d jobs, last delivery %+v; want one to %s", i, len(jobs), last, s.who)
			}
		} else if len(jobs) != 0 {
			t.Errorf("step %d: %d jobs, want none", i, len(jobs))
		}
	}
	if evs := e.events(tk.ID, "page_escalated"); len(evs) != 3 || evs[0]["level"] != float64(2) || evs[1]["cycle"] != float64(2) {
		t.Errorf("page_escalated events = %v", evs)
	}
}

// Two processes escalating at once escalate each page exactly once.
func TestEscalateExactlyOnce(t *testing.T) {
	e := newPageEnv(t, oncall.Options{})
	second := e.user("second@helpline.test", helpline.RoleAgent, 0)
	e.policy("Support", true, 0, pageLevel{delay: 10, users: []int64{e.agent.UserID}}, pageLevel{delay: 10, users: []int64{second.UserID}})
	var pages []int64
	for i := range 10 {
		tk := e.open(e.customer, urgentTicket(fmt.Sprintf("Down %d", i), e.app))
		pages = append(pages, e.pagesOf(tk.ID)[0].ID)
	}
	e.clock.Advance(10 * time.Minute)
	e.jobs.take()
	// A second process: its own service on the same database.
	other := oncall.NewService(e.db, e.accounts, oncall.Options{Now: e.clock.Now, Jobs: e.jobs})
	var wg sync.WaitGroup
	counts := make([]int, 4)
	errs := make([]error, 4)
	for i := range 4 {
		svc := e.svc
		if i%2 == 1 {
			svc = other
		}
		wg.Go(func() { counts[i], errs[i] = svc.Escalate(e.ctx) })
	}
	wg.Wait()
	total := 0
	for i := range counts {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		total += counts[i]
	}
	if total != 10 {
		t.Errorf("escalated %d times in all, want 10", total)
	}
	if n := len(e.jobs.take()); n != 10 {
		t.Errorf("%d deliveries queued, want 10", n)
	}
	for _, id := range pages {
		if got := keys(e.deliveries(id)); got[deliveryKey{"second", "email", "trigger", "queued", 1, 0}] != 1 {
			t.Errorf("page %d deliveries = %v", id, got)
		}
	}
}

func TestScheduleTarget(t *testing.T) {
	e := newPageEnv(t, oncall.Options{})
	second := e.user("second@helpline.test", helpline.RoleAgent, 0)
	sched := e.exec(`INSERT INTO oncall_schedules (name, time_zone, created_at, updated_at) VALUES ('Primary', 'UTC', $1, $1)`, pageT0)
	layer := e.exec(`INSERT INTO oncall_layers (schedule_id, position, name, rotation, handoff_time, starts_at, created_at) VALUES ($1, 0, 'Week', 'weekly', '09:00', $2, $2)`,
		sched, pageT0.Add(-30*24*time.Hour))
	for i, u := range []int64{e.agent.UserID, second.UserID} {
		if _, err := e.db.ExecContext(e.ctx, `INSERT INTO oncall_layer_users (layer_id, position, user_id) VALUES ($1, $2, $3)`, layer, i, u); err != nil {
			t.Fatal(err)
		}
	}
	e.policy("Support", true, 0, pageLevel{delay: 10, schedules: []int64{sched}})
	tk := e.open(e.customer, urgentTicket("Down", e.app))
	ps := e.pagesOf(tk.ID)
	if len(ps) != 1 {
		t.Fatalf("%d pages", len(ps))
	}
	ds := e.deliveries(ps[0].ID)
	if len(ds) != 1 || (ds[0].UserName != "agent" && ds[0].UserName != "second") {
		t.Errorf("deliveries = %+v, want one to whoever is on call", ds)
	}
}

func TestPageAccess(t *testing.T) {
	e := newPageEnv(t, oncall.Options{})
	e.policy("Support", true, 0, pageLevel{delay: 10, users: []int64{e.agent.UserID}})
	tk := e.open(e.customer, urgentTicket("Down", e.app))
	p := e.pagesOf(tk.ID)[0]
	for name, err := range map[string]error{
		"find":   errOf(e.svc.FindPageByID(e.ctx, e.customer, p.ID)),
		"list":   errOf(e.svc.FindPages(e.ctx, e.customer, oncall.PageFilter{})),
		"log":    errOf(e.svc.FindDeliveries(e.ctx, e.customer, p.ID)),
		"ack":    errOf(e.svc.Acknowledge(e.ctx, e.customer, p.ID)),
		"solve":  errOf(e.svc.Resolve(e.ctx, e.customer, p.ID)),
		"manual": errOf3(e.svc.PageTicket(e.ctx, e.agent, tk.ID, oncall.ManualPage{Message: "x"})),
	} {
		if k := helpline.KindOf(err); k != helpline.KindForbidden {
			t.Errorf("%s: %v, want forbidden", name, err)
		}
	}
	for name, err := range map[string]error{
		"find":   errOf(e.svc.FindPageByID(e.ctx, e.agent, p.ID+1000)),
		"log":    errOf(e.svc.FindDeliveries(e.ctx, e.agent, p.ID+1000)),
		"ack":    errOf(e.svc.Acknowledge(e.ctx, e.agent, p.ID+1000)),
		"solve":  errOf(e.svc.Resolve(e.ctx, e.agent, p.ID+1000)),
		"token":  errOf(e.svc.FindPageByToken(e.ctx, "nosuchtoken")),
		"tack":   errOf(e.svc.AcknowledgeByToken(e.ctx, "nosuchtoken")),
		"manual": errOf3(e.svc.PageTicket(e.ctx, e.admin, tk.ID+1000, oncall.ManualPage{Message: "x"})),
	} {
		if k := helpline.KindOf(err); k != helpline.KindNotFound {
			t.Errorf("%s: %v, want not found", name, err)
		}
	}
	var he *helpline.Error
	_, _, err := e.svc.PageTicket(e.ctx, e.admin, tk.ID, oncall.ManualPage{Message: " ", Severity: "loud", PolicyID: 999})
	if !errors.As(err, &he) || he.Fields["message"] == "" || he.Fields["severity"] == "" {
		t.Errorf("invalid manual page: %v", err)
	}
	_, _, err = e.svc.PageTicket(e.ctx, e.admin, tk.ID, oncall.ManualPage{Message: "look", PolicyID: 999})
	if !errors.As(err, &he) || he.Fields["policy_id"] == "" {
		t.Errorf("manual page to a missing policy: %v", err)
	}
	if _, err := e.svc.FindPages(e.ctx, e.agent, oncall.PageFilter{Status: "sleeping"}); helpline.KindOf(err) != helpline.KindInvalid {
		t.Errorf("bad status filter: %v", err)
	}
}

func errOf[T any](_ T, err error) error          { return err }
func errOf3[T, U any](_ T, _ U, err error) error { return err }

// BenchmarkTriggerUrgentTicket measures the trigger path: opening an urgent
// premier ticket that pages a level of three people with two methods each.
func BenchmarkTriggerUrgentTicket(b *testing.B) {
	e := newPageEnv(b, oncall.Options{})
	var users []int64
	for i := range 3 {
		u := e.user(fmt.Sprintf("oncall%d@helpline.test", i), helpline.RoleAgent, 0)
		e.method(u.UserID, "email", fmt.Sprintf("p%d@helpline.test", i), "")
		e.method(u.UserID, "pagerduty", "KEY", "")
		users = append(users, u.UserID)
	}
	e.policy("Support", true, 0, pageLevel{delay: 10, users: users})
	in := urgentTicket("Down", e.app)
	b.ResetTimer()
	for range b.N {
		if _, err := e.tickets.CreateTicket(e.ctx, e.customer, in); err != nil {
			b.Fatal(err)
		}
		e.jobs.take()
	}
}
