package drain_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/drain"
	"github.com/helpline-dev/helpline/internal/status"
	"github.com/helpline-dev/helpline/internal/ticket"
)

var t0 = time.Date(2025, 6, 10, 9, 0, 30, 0, time.UTC)

var fastHasher = account.Hasher{MemoryKiB: 64, Time: 1, Threads: 1}

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

type fixture struct {
	t        testing.TB
	ctx      context.Context
	db       *db.DB
	clock    *clock
	accounts *account.Service
	tickets  *ticket.Service
	status   *status.Service
	svc      *drain.Service
	admin    *helpline.Actor
	org      account.Organization
	owner    *helpline.Actor
	member   *helpline.Actor
	app      account.App
	outsider *helpline.Actor
	other    account.App
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	d := dbtest.Open(t)
	f := &fixture{t: t, ctx: context.Background(), db: d, clock: &clock{now: t0}}
	f.accounts = account.NewService(d, nil, account.Options{Now: f.clock.Now, Hasher: fastHasher})
	f.tickets = ticket.NewService(d, f.accounts, func(s string) (string, int) { return s, 0 }, ticket.Options{Now: f.clock.Now})
	f.status = status.NewService(d, f.accounts, status.Options{Now: f.clock.Now, Tickets: f.tickets})
	f.svc = drain.NewService(d, f.accounts, drain.Options{Now: f.clock.Now, Tickets: f.tickets, Status: f.status})
	f.admin = f.user("ada@helpline.test", 0, "", helpline.RoleAdmin)
	f.org = f.newOrg("Acme")
	f.owner = f.user("owner@acme.test", f.org.ID, account.OrgOwner, "")
	f.member = f.user("dev@acme.test", f.org.ID, account.OrgMember, "")
	f.app = f.newApp(f.org, "acme-api")
	other := f.newOrg("Globex")
	f.outsider = f.user("owner@globex.test", other.ID, account.OrgOwner, "")
	f.other = f.newApp(other, "globex-web")
	return f
}

func (f *fixture) user(email string, orgID int64, role account.OrgRole, staff helpline.StaffRole) *helpline.Actor {
	f.t.Helper()
	u, err := f.accounts.CreateUser(f.ctx, account.CLI(), account.UserInput{Email: email, Name: strings.Split(email, "@")[0],
		Password: "correct horse battery", OrgID: orgID, OrgRole: role, StaffRole: staff})
	if err != nil {
		f.t.Fatalf("create user %s: %v", email, err)
	}
	return u.Actor("203.0.113.7")
}

func (f *fixture) newOrg(name string) account.Organization {
	f.t.Helper()
	o, err := f.accounts.CreateOrganization(f.ctx, account.CLI(), account.OrgInput{Name: name, Plan: account.PlanStandard})
	if err != nil {
		f.t.Fatal(err)
	}
	return o
}

func (f *fixture) newApp(o account.Organization, name string) account.App {
	f.t.Helper()
	a, err := f.accounts.CreateApp(f.ctx, account.CLI(), o.ID, account.AppInput{Name: name})
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

func (f *fixture) drain(in drain.Settings) string {
	f.t.Helper()
	_, token, err := f.svc.CreateDrain(f.ctx, f.owner, f.app.ID, in)
	if err != nil {
		f.t.Fatalf("create drain: %v", err)
	}
	return token
}

func (f *fixture) ingest(token, frameID, body string) drain.IngestResult {
	f.t.Helper()
	res, err := f.svc.Ingest(f.ctx, token, frameID, strings.NewReader(body))
	if err != nil {
		f.t.Fatalf("ingest: %v", err)
	}
	return res
}

// frame is one octet-counted RFC 5424 frame as logplex posts it.
func frame(msg string) string {
	msg += "\n"
	return fmt.Sprintf("%d %s", len(msg), msg)
}

func routerLine(at time.Time, code string, status int, path string) string {
	ts := at.UTC().Format("2006-01-02T15:04:05.000000+00:00")
	if code == "" {
		return frame(fmt.Sprintf(`<158>1 %s host heroku router - at=info method=GET path="%s" host=acme-api.herokuapp.com request_id=0b4b8f1e-0d43-4b8e-9b1c-2f4e1e8d2f6a fwd="203.0.113.9" dyno=web.1 connect=0ms service=12ms status=%d bytes=512 protocol=https`, ts, path, status))
	}
	return frame(fmt.Sprintf(`<158>1 %s host heroku router - at=error code=%s desc="Request timeout" method=GET path="%s" host=acme-api.herokuapp.com request_id=0b4b8f1e-0d43-4b8e-9b1c-2f4e1e8d2f6a fwd="203.0.113.9" dyno=web.1 connect=0ms service=30000ms status=%d bytes=0 protocol=https`, ts, code, path, status))
}

// body is n router frames with code (empty: successful requests) spread
// over the minute of at, plus one runtime error line.
func body(at time.Time, n int, code string) string {
	var b strings.Builder
	for i := range n {
		t := at.Add(time.Duration(i) * time.Millisecond)
		if code == "" {
			b.WriteString(routerLine(t, "", 200, "/"))
		} else {
			b.WriteString(routerLine(t, code, 503, "/slow"))
		}
	}
	return b.String()
}

func (f *fixture) notices(actor *helpline.Actor) []status.Notice {
	f.t.Helper()
	ns, _, err := f.status.FindNotices(f.ctx, actor, false, helpline.Page{})
	if err != nil {
		f.t.Fatal(err)
	}
	return ns
}

func (f *fixture) countTickets() int {
	f.t.Helper()
	var n int
	if err := f.db.QueryRowContext(f.ctx, `SELECT count(*) FROM tickets`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestIngestCountsAndDedupesFrames(t *testing.T) {
	f := newFixture(t)
	token := f.drain(drain.Settings{})
	runtime := frame("<45>1 " + t0.Format(time.RFC3339) + " host heroku web.1 - Error R14 (Memory quota exceeded)")
	b := body(t0, 3, "H12") + body(t0, 2, "") + runtime + frame("<190>1 "+t0.Format(time.RFC3339)+" host app web.1 - GET / 200")
	res := f.ingest(token, "frame-1", b)
	if res.Lines != 7 || res.Errors != 4 || res.Duplicate {
		t.Fatalf("first post = %+v, want 7 lines, 4 errors", res)
	}
	// logplex retries the same frame: acknowledged, not counted.
	if res := f.ingest(token, "frame-1", b); !res.Duplicate {
		t.Fatalf("retry = %+v, want duplicate", res)
	}
	f.ingest(token, "frame-2", body(t0, 1, "H12"))
	got := map[string]int{}
	rows, err := f.db.QueryContext(f.ctx, `SELECT code, count FROM drain_counts WHERE app_id = $1 AND minute = $2`, f.app.ID, t0.Truncate(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			t.Fatal(err)
		}
		got[c] = n
	}
	want := map[string]int{"H12": 4, "R14": 1, "requests": 6}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("counts = %v, want %v", got, want)
	}
	// Below the threshold: no surge, no notice.
	if ns := f.notices(f.member); len(ns) != 0 {
		t.Fatalf("notices = %v, want none", ns)
	}
}

func TestIngestUnknownToken(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.Ingest(f.ctx, "hld_nope", "", strings.NewReader(body(t0, 1, "H12")))
	if helpline.KindOf(err) != helpline.KindNotFound {
		t.Fatalf("err = %v, want not found", err)
	}
}

func TestSurgeNotifiesEveryMemberOnceAndCloses(t *testing.T) {
	f := newFixture(t)
	token := f.drain(drain.Settings{})
	// A normal baseline: a few H12s a minute for half an hour.
	for i := 30; i >= 1; i-- {
		at := t0.Add(-time.Duration(i) * time.Minute)
		f.clock.Set(at)
		f.ingest(token, fmt.Sprintf("base-%d", i), body(at, 1, "H12")+body(at, 10, ""))
	}
	f.clock.Set(t0)
	res := f.ingest(token, "surge-1", body(t0, 48, "H12"))
	if !res.Opened || res.SurgeID == 0 {
		t.Fatalf("surge post = %+v, want a surge opened", res)
	}
	// More errors, a retry and a second post: the same surge, no new notice.
	f.ingest(token, "surge-1", body(t0, 48, "H12"))
	f.clock.Set(t0.Add(time.Minute))
	res2 := f.ingest(token, "surge-3", body(t0.Add(time.Minute), 60, "H12"))
	if res2.Opened || res2.SurgeID != res.SurgeID {
		t.Fatalf("second post = %+v, want the open surge %d", res2, res.SurgeID)
	}
	for _, a := range []*helpline.Actor{f.owner, f.member} {
		ns := f.notices(a)
		if len(ns) != 1 {
			t.Fatalf("%s has %d notices, want 1", a.Email, len(ns))
		}
		if want := "Error surge on acme-api: 52 H12 in the last 5 minutes"; ns[0].Title != want {
			t.Fatalf("title = %q, want %q", ns[0].Title, want)
		}
		if ns[0].URL != fmt.Sprintf("/drains/surges/%d", res.SurgeID) {
			t.Fatalf("url = %q", ns[0].URL)
		}
	}
	if ns := f.notices(f.outsider); len(ns) != 0 {
		t.Fatalf("another org's owner got %v", ns)
	}
	if n := f.countTickets(); n != 0 {
		t.Fatalf("%d tickets, want none (open_ticket is off by default)", n)
	}
	sg, err := f.svc.FindSurgeByID(f.ctx, f.member, res.SurgeID)
	if err != nil {
		t.Fatal(err)
	}
	if !sg.Open() || sg.Peak != 60 || sg.Notified != 2 || !sg.StartedAt.Equal(t0.Truncate(time.Minute)) {
		t.Fatalf("surge = %+v", sg)
	}
	if last := sg.Recent[len(sg.Recent)-1]; last.Errors != 60 {
		t.Fatalf("latest minute = %+v, want 60 errors", last)
	}
	if _, err := f.svc.FindSurgeByID(f.ctx, f.outsider, res.SurgeID); helpline.KindOf(err) != helpline.KindNotFound {
		t.Fatalf("outsider sees the surge: %v", err)
	}

	// Nine quiet minutes: still open; ten: closed.
	f.clock.Set(t0.Add(2*time.Minute + 9*time.Minute))
	if r, err := f.svc.Tick(f.ctx); err != nil || r.Closed != 0 {
		t.Fatalf("tick after 9 quiet minutes = %+v, %v", r, err)
	}
	f.clock.Set(t0.Add(2*time.Minute + 10*time.Minute))
	if r, err := f.svc.Tick(f.ctx); err != nil || r.Closed != 1 {
		t.Fatalf("tick after 10 quiet minutes = %+v, %v", r, err)
	}
	sg, _ = f.svc.FindSurgeByID(f.ctx, f.owner, res.SurgeID)
	if sg.Open() {
		t.Fatal("surge still open")
	}
	// A new surge later is a new surge, with a new notice.
	later := t0.Add(20 * time.Minute)
	f.clock.Set(later)
	res3 := f.ingest(token, "surge-4", body(later, 100, "H12"))
	if !res3.Opened || res3.SurgeID == res.SurgeID {
		t.Fatalf("later surge = %+v", res3)
	}
	if ns := f.notices(f.member); len(ns) != 2 {
		t.Fatalf("member has %d notices, want 2", len(ns))
	}
	list, err := f.svc.FindSurges(f.ctx, f.member, drain.SurgeFilter{})
	if err != nil || len(list) != 2 {
		t.Fatalf("surges = %v, %v", list, err)
	}
	if list, _ := f.svc.FindSurges(f.ctx, f.outsider, drain.SurgeFilter{}); len(list) != 0 {
		t.Fatalf("outsider lists %v", list)
	}
}

func TestSurgeNeedsBaselineFactor(t *testing.T) {
	f := newFixture(t)
	token := f.drain(drain.Settings{})
	// 30 errors a minute is this app's normal: 40 is not 5× that.
	for i := 30; i >= 1; i-- {
		at := t0.Add(-time.Duration(i) * time.Minute)
		f.clock.Set(at)
		f.ingest(token, fmt.Sprintf("base-%d", i), body(at, 30, "H12"))
	}
	f.clock.Set(t0)
	if res := f.ingest(token, "now", body(t0, 40, "H12")); res.SurgeID != 0 {
		t.Fatalf("post = %+v, want no surge", res)
	}
}

func TestSurgeOnUnavailableRequests(t *testing.T) {
	f := newFixture(t)
	token := f.drain(drain.Settings{})
	// An app with little traffic crashes: H10 on every request for two minutes.
	f.clock.Set(t0)
	if res := f.ingest(token, "a", body(t0, 3, "H10")); res.SurgeID != 0 {
		t.Fatalf("one minute = %+v, want no surge yet", res)
	}
	next := t0.Add(time.Minute)
	f.clock.Set(next)
	res := f.ingest(token, "b", body(next, 3, "H10")+body(next, 1, ""))
	if !res.Opened {
		t.Fatalf("two minutes = %+v, want a surge", res)
	}
	ns := f.notices(f.owner)
	if len(ns) != 1 || !strings.Contains(ns[0].Title, "6 H10") {
		t.Fatalf("notices = %+v", ns)
	}
}

func TestSurgeOpensOneTicket(t *testing.T) {
	f := newFixture(t)
	yes := true
	token := f.drain(drain.Settings{OpenTicket: &yes})
	res := f.ingest(token, "a", body(t0, 25, "H12"))
	if !res.Opened {
		t.Fatalf("post = %+v", res)
	}
	f.ingest(token, "b", body(t0, 25, "H12"))
	if _, err := f.svc.Tick(f.ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.countTickets(); n != 1 {
		t.Fatalf("%d tickets, want 1", n)
	}
	sg, err := f.svc.FindSurgeByID(f.ctx, f.owner, res.SurgeID)
	if err != nil {
		t.Fatal(err)
	}
	if sg.TicketState != drain.TicketOpened || sg.TicketNumber == 0 {
		t.Fatalf("surge ticket = %q #%d (%s)", sg.TicketState, sg.TicketNumber, sg.TicketError)
	}
	tk, err := f.tickets.FindTicketByID(f.ctx, f.owner, sg.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Priority != ticket.Normal || tk.Subject != "Error surge on acme-api: 25 H12 in the last 5 minutes" || !strings.Contains(tk.Description, "| H12 | 25 |") {
		t.Fatalf("ticket = %q %q\n%s", tk.Priority, tk.Subject, tk.Description)
	}
}

// Two processes judging the same window open one surge: the partial
// unique index turns the second insert into a no-op.
func TestConcurrentIngestOpensOneSurge(t *testing.T) {
	f := newFixture(t)
	token := f.drain(drain.Settings{})
	var wg sync.WaitGroup
	opened := make(chan bool, 8)
	for i := range 8 {
		wg.Go(func() {
			res, err := f.svc.Ingest(f.ctx, token, fmt.Sprintf("p-%d", i), strings.NewReader(body(t0, 30, "H12")))
			if err != nil {
				t.Error(err)
			}
			opened <- res.Opened
		})
	}
	wg.Wait()
	close(opened)
	n := 0
	for o := range opened {
		if o {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d posts opened a surge, want 1", n)
	}
	if ns := f.notices(f.member); len(ns) != 1 {
		t.Fatalf("member has %d notices, want 1", len(ns))
	}
}

func TestDrainAccess(t *testing.T) {
	f := newFixture(t)
	if _, _, err := f.svc.CreateDrain(f.ctx, f.member, f.app.ID, drain.Settings{}); helpline.KindOf(err) != helpline.KindForbidden {
		t.Fatalf("member create: %v, want forbidden", err)
	}
	if _, _, err := f.svc.CreateDrain(f.ctx, f.outsider, f.app.ID, drain.Settings{}); helpline.KindOf(err) != helpline.KindNotFound {
		t.Fatalf("outsider create: %v, want not found", err)
	}
	d, token, err := f.svc.CreateDrain(f.ctx, f.owner, f.app.ID, drain.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Notify || d.OpenTicket || d.Thresholds != drain.DefaultThresholds || !strings.HasPrefix(token, d.TokenPrefix) {
		t.Fatalf("drain = %+v", d)
	}
	if _, _, err := f.svc.CreateDrain(f.ctx, f.admin, f.app.ID, drain.Settings{}); helpline.KindOf(err) != helpline.KindConflict {
		t.Fatalf("second drain: %v, want conflict", err)
	}
	ad, err := f.svc.FindAppDrain(f.ctx, f.member, f.app.ID)
	if err != nil || ad.Drain == nil || ad.CanManage {
		t.Fatalf("member view = %+v, %v", ad, err)
	}
	if _, err := f.svc.FindAppDrain(f.ctx, f.outsider, f.app.ID); helpline.KindOf(err) != helpline.KindNotFound {
		t.Fatalf("outsider view: %v", err)
	}
	list, err := f.svc.FindAppDrains(f.ctx, f.outsider)
	if err != nil || len(list) != 1 || list[0].App.ID != f.other.ID {
		t.Fatalf("outsider's apps = %+v, %v", list, err)
	}
	bad := 0
	if _, err := f.svc.UpdateDrain(f.ctx, f.owner, f.app.ID, drain.Settings{MinErrorsPerMinute: &bad}); helpline.KindOf(err) != helpline.KindInvalid {
		t.Fatalf("bad threshold: %v", err)
	}
	// Rotating retires the old URL.
	_, token2, err := f.svc.RotateToken(f.ctx, f.admin, f.app.ID)
	if err != nil || token2 == token {
		t.Fatalf("rotate: %v", err)
	}
	if _, err := f.svc.Ingest(f.ctx, token, "", strings.NewReader("")); helpline.KindOf(err) != helpline.KindNotFound {
		t.Fatalf("old token: %v", err)
	}
	f.ingest(token2, "", body(t0, 1, "H12"))
	if err := f.svc.DeleteDrain(f.ctx, f.outsider, f.app.ID); helpline.KindOf(err) != helpline.KindNotFound {
		t.Fatalf("outsider delete: %v", err)
	}
	if err := f.svc.DeleteDrain(f.ctx, f.owner, f.app.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Ingest(f.ctx, token2, "", strings.NewReader("")); helpline.KindOf(err) != helpline.KindNotFound {
		t.Fatalf("deleted drain: %v", err)
	}
}
