package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/csa"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/status"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// consoleT0 is the console tests' "now", a Tuesday morning; events are
// planned after it.
var consoleT0 = time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)

type consoleClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *consoleClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// consoleEnv is a Helpline on consoleT0 with a Premier customer (two
// apps), a Standard customer, a support agent, two solutions architects
// and an admin.
type consoleEnv struct {
	*apptest.Env
	ctx                           context.Context
	acme, initech                 account.Organization
	owner, peter                  account.User
	agent, casey, robin, rootUser account.User
}

func newConsoleEnv(t testing.TB) *consoleEnv {
	t.Helper()
	clk := &consoleClock{now: consoleT0}
	env := apptest.New(t, apptest.Options{Now: clk.Now, Env: map[string]string{"HELPLINE_DATA_DIR": t.TempDir()}})
	e := &consoleEnv{Env: env, ctx: context.Background()}
	e.acme = env.Org(t, "Acme Rockets", account.PlanPremier)
	e.owner = env.Customer(t, "owner@acme.test", e.acme, account.OrgOwner)
	for _, name := range []string{"acme-api", "acme-web"} {
		if _, err := env.App.Accounts.CreateApp(e.ctx, account.CLI(), e.acme.ID, account.AppInput{Name: name, Region: "us", Stack: "heroku-24"}); err != nil {
			t.Fatal(err)
		}
	}
	e.initech = env.Org(t, "Initech", account.PlanStandard)
	e.peter = env.Customer(t, "peter@initech.test", e.initech, account.OrgOwner)
	e.agent = env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	e.casey = env.Staff(t, "casey@helpline.test", helpline.RoleCSA)
	e.robin = env.Staff(t, "robin@helpline.test", helpline.RoleCSA)
	e.rootUser = env.Staff(t, "root@helpline.test", helpline.RoleAdmin)
	return e
}

func (e *consoleEnv) browser(t testing.TB, u account.User) *apptest.Browser {
	t.Helper()
	b := e.Browser()
	b.SignIn(t, u.Email)
	return b
}

// requestEvent asks for event preparation for an event days after
// consoleT0, at 14:00 in New York.
func (e *consoleEnv) requestEvent(t testing.TB, name string, days int) csa.Engagement {
	t.Helper()
	ny, _ := time.LoadLocation("America/New_York")
	at := consoleT0.AddDate(0, 0, days).In(ny)
	at = time.Date(at.Year(), at.Month(), at.Day(), 14, 0, 0, 0, ny)
	return e.request(t, csa.Request{Kind: csa.KindEvent, Event: &csa.EventInput{
		Name: name, StartsAt: at.Format("2006-01-02T15:04"), TimeZone: "America/New_York",
		PeakRPS: 5000, PeakConcurrentUsers: 40000, Apps: []string{"acme-api", "acme-web"},
		DynoFormation: "web=10:performance-l worker=4:standard-2x", DatabasePlan: "heroku-postgresql:premium-4",
		Concerns: "Our checkout has never seen this much traffic; we want the connection pool reviewed.",
	}})
}

func (e *consoleEnv) requestPerformance(t testing.TB) csa.Engagement {
	t.Helper()
	return e.request(t, csa.Request{Kind: csa.KindPerformance, Performance: &csa.PerformanceInput{
		Apps: []string{"acme-api"}, Symptoms: "Response times grew from 120 ms to 400 ms over two weeks as traffic rose.",
		Metrics: "p95 service=410ms; memory 480MB of 512MB", Since: consoleT0.Add(-14 * 24 * time.Hour).Format(time.RFC3339),
	}})
}

func (e *consoleEnv) requestArchitecture(t testing.TB) csa.Engagement {
	t.Helper()
	return e.request(t, csa.Request{Kind: csa.KindArchitecture, Architecture: &csa.ArchitectureInput{
		Goal: "Serve Europe from its own region", CurrentDesign: "One app in the US region with a single primary database.",
		Constraints: "GDPR; a budget for two more databases", Deadline: "2026-06-01",
	}})
}

func (e *consoleEnv) request(t testing.TB, in csa.Request) csa.Engagement {
	t.Helper()
	eng, err := e.App.CSA.RequestEngagement(e.ctx, e.owner.Actor(""), in)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func wantStatus(t *testing.T, what string, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s: %d, want %d", what, resp.StatusCode, want)
	}
}

func mustLack(t *testing.T, body string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(body, u) {
			t.Errorf("page has %q", u)
		}
	}
}

// The CSA queue: open engagements by default with counts per state, the
// filters, a bad filter named, and no entry for customers.
func TestEngagementQueue(t *testing.T) {
	e := newConsoleEnv(t)
	event := e.requestEvent(t, "Spring launch", 30)
	perf := e.requestPerformance(t)
	arch := e.requestArchitecture(t)
	casey := e.casey.Actor("")
	if _, err := e.App.CSA.Assign(e.ctx, casey, perf.ID, e.casey.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.CSA.Transition(e.ctx, casey, perf.ID, csa.StateScheduled, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.CSA.Transition(e.ctx, casey, arch.ID, csa.StateClosed, "Declined: the customer withdrew the plan."); err != nil {
		t.Fatal(err)
	}
	b := e.browser(t, e.casey)

	resp, body := b.Get(t, "/engagements")
	wantStatus(t, "queue", resp, http.StatusOK)
	mustContain(t, body, event.Title, perf.Title, "Acme Rockets", "Premier",
		`href="/enterprise/engagements/`+itoa(event.ID)+`"`,
		`Open <span class="count">2</span>`, `Requested <span class="count">1</span>`, `Scheduled <span class="count">1</span>`,
		`In progress <span class="count">0</span>`, `aria-current="page">Open`,
		"High-traffic event preparation", "Application performance analysis",
		`<strong class="unowned">Nobody</strong>`, "casey",
		"(America/New_York)", "(in 30 d)", "Since", "2026-02-17 09:00:00 UTC")
	mustLack(t, body, arch.Title)
	// Requests nobody has taken come first.
	if strings.Index(body, event.Title) > strings.Index(body, perf.Title) {
		t.Error("the unowned request is not first")
	}

	for _, c := range []struct {
		query      string
		want, lack []string
	}{
		{"?owner=none", []string{event.Title}, []string{perf.Title}},
		{"?owner=me", []string{perf.Title}, []string{event.Title}},
		{"?owner=" + itoa(e.casey.ID), []string{perf.Title, `<option value="` + itoa(e.casey.ID) + `" selected>casey</option>`}, []string{event.Title}},
		{"?kind=performance", []string{perf.Title, `<option value="performance" selected>`}, []string{event.Title}},
		{"?state=requested", []string{event.Title}, []string{perf.Title}},
		{"?state=closed&kind=architecture", []string{arch.Title, "Deadline", "2026-06-01"}, []string{event.Title, perf.Title}},
		{"?state=all", []string{event.Title, perf.Title, arch.Title}, nil},
	} {
		resp, body := b.Get(t, "/engagements"+c.query)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", c.query, resp.StatusCode)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", c.query, w)
			}
		}
		for _, l := range c.lack {
			if strings.Contains(body, l) {
				t.Errorf("%s has %q", c.query, l)
			}
		}
	}
	// Tabs keep the other filters.
	_, body = b.Get(t, "/engagements?kind=event&owner=none")
	mustContain(t, body, `href="/engagements?kind=event&amp;owner=none&amp;state=closed"`, "Clear the filters")

	// A bad filter is a message on the page, not a failure.
	resp, body = b.Get(t, "/engagements?state=pending&kind=migration")
	wantStatus(t, "bad filter", resp, http.StatusUnprocessableEntity)
	mustContain(t, body, "This filter cannot be shown", "State: must be one of open, requested, scheduled, in_progress, delivered, closed, all",
		"Kind: must be event, performance or architecture", `<input type="hidden" name="state" value="open">`)
	mustLack(t, body, event.Title, perf.Title)
	resp, body = b.Get(t, "/engagements?owner=someone")
	wantStatus(t, "bad owner", resp, http.StatusUnprocessableEntity)
	mustContain(t, body, "Owner: must be me, none or a user ID")

	// Support agents read the queue; customers do not get in.
	if resp, _ := e.browser(t, e.agent).Get(t, "/engagements"); resp.StatusCode != http.StatusOK {
		t.Errorf("agent: %d", resp.StatusCode)
	}
	if resp, _ := e.browser(t, e.owner).Get(t, "/engagements"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("enterprise customer: %d, want 403", resp.StatusCode)
	}
}

var collectionLocation = regexp.MustCompile(`^/enterprise/collections/manage#collection-(\d+)$`)

// A solutions architect builds a collection from the console: create,
// add, reorder, remove, edit, delete; bad input comes back in its own
// form; support agents read but cannot change.
func TestCollectionsManage(t *testing.T) {
	e := newConsoleEnv(t)
	root := e.rootUser.Actor("")
	article := func(title string, st docs.Status) docs.Article {
		a, err := e.App.Docs.CreateArticle(e.ctx, root, docs.ArticleInput{Title: title, Summary: title + ".", Body: "## " + title + "\n\nHow we do it.",
			Section: docs.SectionEnterprise, Audience: docs.Audience("enterprise"), Status: st})
		if err != nil {
			t.Fatalf("article %q: %v", title, err)
		}
		return a
	}
	load := article("Load testing before a launch", docs.StatusPublished)
	pool := article("Sizing the connection pool", docs.StatusPublished)
	draft := article("Autoscaling checklist", docs.StatusDraft)
	b := e.browser(t, e.casey)

	resp, body := b.Post(t, "/enterprise/collections", url.Values{"title": {"Pr"}, "description": {"Read <these> first"}, "position": {"soon"}})
	wantStatus(t, "bad collection", resp, http.StatusUnprocessableEntity)
	mustContain(t, body, `value="Pr"`, "Read &lt;these&gt; first", "Title: needs more detail", "Position: must be a number from 0 to 10,000")
	resp, _ = b.Post(t, "/enterprise/collections", url.Values{"title": {"Preparing for a launch"}, "description": {"Read these in order."}, "position": {"1"}})
	wantStatus(t, "create collection", resp, http.StatusSeeOther)
	m := collectionLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("redirect to %q", resp.Header.Get("Location"))
	}
	id := m[1]
	base := "/enterprise/collections/" + id
	_, body = b.Get(t, "/enterprise/collections/manage")
	mustContain(t, body, "Collection “Preparing for a launch” created.", "Read these in order.", "No articles yet")

	for _, a := range []docs.Article{load, pool, draft} {
		resp, body := b.Post(t, base+"/items", url.Values{"article_slug": {a.Slug}, "note": {"Picked for " + a.Title}})
		wantStatus(t, "add "+a.Slug+": "+body, resp, http.StatusSeeOther)
	}
	resp, body = b.Post(t, base+"/items", url.Values{"article_slug": {"no-such-article"}, "note": {"keep this note"}})
	wantStatus(t, "unknown article", resp, http.StatusUnprocessableEntity)
	mustContain(t, body, `value="no-such-article"`, `value="keep this note"`, "Article slug: is not an article")
	resp, body = b.Post(t, base+"/items", url.Values{"article_slug": {load.Slug}})
	wantStatus(t, "duplicate article", resp, http.StatusConflict)
	mustContain(t, body, "That article is already in this collection.")

	order := func(want ...docs.Article) {
		t.Helper()
		c, err := e.App.CSA.FindCollection(e.ctx, e.casey.Actor(""), formIDOf(t, id))
		if err != nil {
			t.Fatal(err)
		}
		var got, wantSlugs []string
		for _, it := range c.Items {
			got = append(got, it.Slug)
		}
		for _, a := range want {
			wantSlugs = append(wantSlugs, a.Slug)
		}
		if strings.Join(got, " ") != strings.Join(wantSlugs, " ") {
			t.Fatalf("order %v, want %v", got, wantSlugs)
		}
		// The page lists them in the same order.
		_, body := b.Get(t, "/enterprise/collections/manage")
		last := -1
		for _, a := range want {
			i := strings.Index(body, `id="item-`+id+`-`+itoa(a.ID)+`"`)
			if i < 0 || i < last {
				t.Fatalf("the page lists %s out of order", a.Slug)
			}
			last = i
		}
	}
	order(load, pool, draft)
	_, body = b.Get(t, "/enterprise/collections/manage")
	mustContain(t, body, "Draft · customers do not see it", "Picked for Sizing the connection pool", `<option value="`+load.Slug+`">`)

	move := func(a docs.Article, dir string) string {
		t.Helper()
		resp, body := b.Post(t, base+"/items/"+itoa(a.ID)+"/move", url.Values{"direction": {dir}})
		wantStatus(t, "move "+a.Slug+" "+dir+": "+body, resp, http.StatusSeeOther)
		return resp.Header.Get("Location")
	}
	move(draft, "up")
	_, body = b.Get(t, "/enterprise/collections/manage")
	mustContain(t, body, "Moved “Autoscaling checklist” up.")
	order(load, draft, pool)
	move(load, "up") // already first: nothing moves
	move(load, "down")
	_, body = b.Get(t, "/enterprise/collections/manage")
	mustContain(t, body, "Moved “Load testing before a launch” down.")
	order(draft, load, pool)
	resp, body = b.Post(t, base+"/items/"+itoa(load.ID)+"/move", url.Values{"direction": {"sideways"}})
	wantStatus(t, "move sideways", resp, http.StatusUnprocessableEntity)
	mustContain(t, body, "direction must be up or down")

	resp, _ = b.Post(t, base+"/items/"+itoa(pool.ID)+"/remove", nil)
	wantStatus(t, "remove", resp, http.StatusSeeOther)
	_, body = b.Get(t, "/enterprise/collections/manage")
	mustContain(t, body, "Removed “Sizing the connection pool” from “Preparing for a launch”. The article itself is unchanged.")
	order(draft, load)
	if resp, _ := b.Post(t, base+"/items/"+itoa(pool.ID)+"/remove", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("removing it twice: %d", resp.StatusCode)
	}

	resp, body = b.Post(t, base, url.Values{"title": {"Launch readiness"}, "description": {"Updated."}, "position": {"-3"}})
	wantStatus(t, "bad edit", resp, http.StatusUnprocessableEntity)
	mustContain(t, body, `id="c`+id+`-title" name="title" type="text" value="Launch readiness"`, "Position: must be a number from 0 to 10,000", "<details class=\"edit-collection\" open>")
	resp, _ = b.Post(t, base, url.Values{"title": {"Launch readiness"}, "description": {"Updated."}, "position": {"5"}})
	wantStatus(t, "edit", resp, http.StatusSeeOther)
	_, body = b.Get(t, "/enterprise/collections/manage")
	mustContain(t, body, "Collection “Launch readiness” saved.", "Position 5", "Updated.")

	// Agents read the collections, without the forms, and are refused
	// changes; customers do not get in.
	ab := e.browser(t, e.agent)
	resp, body = ab.Get(t, "/enterprise/collections/manage")
	wantStatus(t, "agent reads", resp, http.StatusOK)
	mustContain(t, body, "Launch readiness", "Only solutions architects")
	mustLack(t, body, "Create collection", "/move")
	for path, form := range map[string]url.Values{
		"/enterprise/collections":                    {"title": {"Agent picks"}},
		base + "/items/" + itoa(load.ID) + "/move":   {"direction": {"up"}},
		base + "/items":                              {"article_slug": {pool.Slug}},
		base + "/delete":                             nil,
		base + "/items/" + itoa(load.ID) + "/remove": nil,
		base: {"title": {"Agent title"}, "position": {"1"}},
	} {
		resp, _ := ab.Post(t, path, form)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("agent POST %s: %d, want 403", path, resp.StatusCode)
		}
	}
	order(draft, load)
	if resp, _ := e.browser(t, e.owner).Get(t, "/enterprise/collections/manage"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("customer: %d, want 403", resp.StatusCode)
	}

	resp, _ = b.Post(t, base+"/delete", nil)
	wantStatus(t, "delete", resp, http.StatusSeeOther)
	_, body = b.Get(t, "/enterprise/collections/manage")
	mustContain(t, body, "Collection “Launch readiness” deleted. Its articles stay in the Dev Center.", "No collections yet.")
	if _, err := e.App.Docs.FindArticleBySlug(e.ctx, root, load.Slug); err != nil {
		t.Errorf("the article went with the collection: %v", err)
	}
	if resp, _ := b.Post(t, base+"/delete", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleting it twice: %d", resp.StatusCode)
	}
}

func formIDOf(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The staff calendar shows customers' events, engagement meetings and
// scheduled maintenance by day, and exports them as iCalendar.
func TestStaffCalendar(t *testing.T) {
	e := newConsoleEnv(t)
	event := e.requestEvent(t, `Spring launch; phase 1, EU \ US`, 10)
	perf := e.requestPerformance(t)
	casey := e.casey.Actor("")
	if _, err := e.App.CSA.Assign(e.ctx, casey, perf.ID, e.casey.ID); err != nil {
		t.Fatal(err)
	}
	meetingAt := consoleT0.AddDate(0, 0, 3).Add(6 * time.Hour) // Friday 15:00 UTC
	meeting, err := e.App.CSA.AddMeeting(e.ctx, casey, perf.ID, csa.MeetingInput{Title: "Kickoff call", StartsAt: meetingAt.Format(time.RFC3339), DurationMinutes: 45})
	if err != nil {
		t.Fatal(err)
	}
	from, until := consoleT0.AddDate(0, 0, 5), consoleT0.AddDate(0, 0, 5).Add(2*time.Hour)
	maint, err := e.App.Status.CreateIncident(e.ctx, e.rootUser.Actor(""), status.IncidentInput{Kind: status.KindMaintenance, Name: "Database upgrade",
		Body: "Primary databases move to the new version.", ScheduledFor: &from, ScheduledUntil: &until})
	if err != nil {
		t.Fatal(err)
	}
	far := e.requestEvent(t, "Summer sale", 60) // beyond the default 30 days
	b := e.browser(t, e.agent)

	resp, body := b.Get(t, "/calendar")
	wantStatus(t, "calendar", resp, http.StatusOK)
	mustContain(t, body, "3 entries.",
		"Friday, March 6, 2026", "Sunday, March 8, 2026", "Friday, March 13, 2026",
		`<span class="cal-kind cal-kind-meeting">Engagement meeting</span>`, "15:00–15:45 UTC", "Kickoff call", perf.Title,
		`<span class="cal-kind cal-kind-maintenance">Maintenance</span>`, "Database upgrade", "09:00–11:00 UTC", `href="`+maint.URL+`"`,
		`<span class="cal-kind cal-kind-event">Customer event</span>`, `Spring launch; phase 1, EU \ US`, `href="/enterprise/engagements/`+itoa(event.ID)+`"`,
		"18:00 UTC", "5,000 rps and 40,000 users at peak", `<strong class="unowned">nobody yet</strong>`, "Owner: casey",
		`value="2026-03-03"`, `value="2026-04-02"`, `href="/calendar.ics"`)
	mustLack(t, body, "Summer sale")
	if i, j := strings.Index(body, "Kickoff call"), strings.Index(body, "Database upgrade"); i > j {
		t.Error("entries are not in time order")
	}

	_, body = b.Get(t, "/calendar?from=2026-04-15")
	mustContain(t, body, `value="2026-05-15"`, "1 entry.", far.Event.Name)
	resp, body = b.Get(t, "/calendar?from=2026-04-01&to=2026-05-10")
	wantStatus(t, "later range", resp, http.StatusOK)
	mustContain(t, body, "1 entry.", far.Event.Name, `href="/calendar.ics?from=2026-04-01&amp;to=2026-05-10"`)
	mustLack(t, body, "Kickoff call")

	for query, want := range map[string]string{
		"?from=next+week":                 "From: must be a date such as 2026-03-03",
		"?from=2026-03-10&to=2026-03-01":  "To (included): must be on or after the from date",
		"?from=2026-01-01&to=2027-06-01":  "To (included): must be at most a year after from",
		"?from=2026-03-01&to=2026-02-30x": "To (included): must be a date",
	} {
		resp, body := b.Get(t, "/calendar"+query)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
			t.Errorf("%s: %d, want 422 with %q", query, resp.StatusCode, want)
		}
	}
	if resp, _ := b.Get(t, "/calendar.ics?from=yesterday"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("ics with a bad date: %d", resp.StatusCode)
	}

	resp, ics := b.Get(t, "/calendar.ics")
	wantStatus(t, "ics", resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if !strings.HasPrefix(ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") || !strings.HasSuffix(ics, "END:VCALENDAR\r\n") {
		t.Fatalf("not a calendar:\n%s", ics)
	}
	for _, line := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(line) > 75 || strings.ContainsAny(line, "\r\n") {
			t.Errorf("bad line %q", line)
		}
	}
	unfolded := strings.ReplaceAll(ics, "\r\n ", "")
	if n := strings.Count(unfolded, "BEGIN:VEVENT\r\n"); n != 3 || strings.Count(unfolded, "END:VEVENT\r\n") != 3 {
		t.Errorf("%d events, want 3:\n%s", n, unfolded)
	}
	host := strings.Split(strings.TrimPrefix(e.URL, "http://"), ":")[0]
	start := event.Event.StartsAt.UTC().Format("20060102T150405Z")
	mustContain(t, unfolded,
		"UID:event-"+itoa(event.ID)+"@"+host+"\r\n",
		"DTSTAMP:20260303T090000Z\r\n",
		"DTSTART:"+start+"\r\n",
		`SUMMARY:Customer event: Spring launch\; phase 1\, EU \\ US (Acme Rockets)`+"\r\n",
		`DESCRIPTION:Acme Rockets · Premier\nOwner: nobody yet\n5\,000 rps and 40\,000 users at peak · acme-api\, acme-web\n`+e.URL+"/enterprise/engagements/"+itoa(event.ID)+"\r\n",
		"URL:"+e.URL+"/enterprise/engagements/"+itoa(event.ID)+"\r\n",
		"UID:meeting-"+itoa(meeting.ID)+"@"+host+"\r\n",
		"DTSTART:20260306T150000Z\r\nDTEND:20260306T154500Z\r\n",
		"SUMMARY:Engagement meeting: Kickoff call (Acme Rockets)\r\n",
		"UID:maintenance-"+itoa(maint.ID)+"@"+host+"\r\n",
		"DTSTART:20260308T090000Z\r\nDTEND:20260308T110000Z\r\n",
	)
	// The same range exports the same UIDs.
	_, again := b.Get(t, "/calendar.ics")
	if uids(again) != uids(ics) {
		t.Errorf("UIDs changed between exports: %s vs %s", uids(ics), uids(again))
	}

	for _, path := range []string{"/calendar", "/calendar.ics"} {
		if resp, _ := e.browser(t, e.owner).Get(t, path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("customer %s: %d, want 403", path, resp.StatusCode)
		}
	}
}

func uids(ics string) string {
	return strings.Join(regexp.MustCompile(`UID:[^\r]*`).FindAllString(strings.ReplaceAll(ics, "\r\n ", ""), -1), " ")
}

var engagementLocation = regexp.MustCompile(`^/enterprise/engagements/(\d+)$`)

// A ticket that is not break/fix moves to the CSA team from the ticket
// page: the ticket is solved with the public note, the engagement says
// where it came from, and both histories point at each other. A
// standard-plan ticket has no such form, and a forged one is refused.
func TestTicketToEngagement(t *testing.T) {
	e := newConsoleEnv(t)
	tk, err := e.App.Tickets.CreateTicket(e.ctx, e.owner.Actor(""), ticket.NewTicket{Subject: "Help us prepare Black Friday",
		Description: "We expect ten times our usual traffic on November 27 and want a review.", Priority: ticket.Normal, Environment: ticket.Production})
	if err != nil {
		t.Fatal(err)
	}
	path := "/tickets/" + itoa(tk.Number)
	ab := e.browser(t, e.agent)
	_, body := ab.Get(t, path)
	mustContain(t, body, "Move to the CSA team", `<select id="engagement-kind" name="kind">`, `<option value="event">High-traffic event preparation</option>`,
		`action="/tickets/`+itoa(tk.Number)+`/engagement#engagement"`)

	// A note too short comes back with what was typed.
	resp, body := ab.Post(t, path+"/engagement", url.Values{"form": {"engagement"}, "kind": {"architecture"}, "note": {"CSA's job"}})
	wantStatus(t, "short note", resp, http.StatusUnprocessableEntity)
	mustContain(t, body, "Note to the customer: is required (at least 10 characters)", "CSA&#39;s job", `<option value="architecture" selected>`, "<details open>")
	resp, body = ab.Post(t, path+"/engagement", url.Values{"form": {"engagement"}, "kind": {"migration"}, "note": {"A long enough note."}})
	wantStatus(t, "bad kind", resp, http.StatusUnprocessableEntity)
	mustContain(t, body, "Kind: must be event, performance or architecture")

	note := "This is launch preparation, which our solutions architects run with you; they will be in touch this week."
	resp, _ = ab.Post(t, path+"/engagement", url.Values{"form": {"engagement"}, "kind": {"event"}, "note": {note}})
	wantStatus(t, "convert", resp, http.StatusSeeOther)
	m := engagementLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("redirect to %q", resp.Header.Get("Location"))
	}
	engID := formIDOf(t, m[1])
	eng, err := e.App.CSA.FindEngagementByID(e.ctx, e.agent.Actor(""), engID)
	if err != nil {
		t.Fatal(err)
	}
	if eng.FromTicketNumber == nil || *eng.FromTicketNumber != tk.Number || eng.Kind != csa.KindEvent || eng.OwnerID != nil || eng.State != csa.StateRequested {
		t.Fatalf("engagement %+v", eng)
	}
	after, err := e.App.Tickets.FindTicketByID(e.ctx, e.agent.Actor(""), tk.ID)
	if err != nil || after.Status != ticket.StatusSolved {
		t.Fatalf("ticket after the move: %s, %v", after.Status, err)
	}

	// The customer reads the note and where the work went.
	_, body = e.browser(t, e.owner).Get(t, path)
	mustContain(t, body, "This is launch preparation, which our solutions architects run with you",
		fmt.Sprintf("moved this ticket to the CSA team as engagement %d “Event preparation: Help us prepare Black Friday”", engID),
		`<a href="/enterprise/engagements/`+m[1]+`">open the engagement</a>`)
	// Staff: the form is gone with the ticket solved; the queue shows the
	// engagement converted from the ticket.
	_, body = ab.Get(t, path)
	mustLack(t, body, `id="move-to-csa"`)
	_, body = e.browser(t, e.casey).Get(t, "/engagements")
	mustContain(t, body, "Event preparation: Help us prepare Black Friday", `converted from ticket <a href="/tickets/`+itoa(tk.Number)+`">#`+itoa(tk.Number)+`</a>`)
	if resp, body := ab.Post(t, path+"/engagement", url.Values{"form": {"engagement"}, "kind": {"event"}, "note": {note}}); resp.StatusCode != http.StatusConflict ||
		!strings.Contains(body, "only open tickets can be handed off") {
		t.Errorf("moving a solved ticket: %d", resp.StatusCode)
	}

	// And back: an engagement that turns out to be break/fix becomes a
	// ticket opened on the customer's behalf.
	back, err := e.App.CSA.ConvertToTicket(e.ctx, e.casey.Actor(""), engID, csa.ToTicketInput{Note: "The checkout is failing now; Support handles it around the clock."})
	if err != nil {
		t.Fatal(err)
	}
	_, body = ab.Get(t, "/tickets/"+itoa(back.Number))
	mustContain(t, body, fmt.Sprintf("<strong>casey</strong> opened this ticket from enterprise engagement %d on the customer&#39;s behalf · <a href=\"/enterprise/engagements/%d\">open the engagement</a>", engID, engID))

	// A standard-plan ticket: no form, and a forged one is refused with
	// the reason, the ticket untouched.
	std, err := e.App.Tickets.CreateTicket(e.ctx, e.peter.Actor(""), ticket.NewTicket{Subject: "Architecture review please",
		Description: "We would like someone to review our design.", Priority: ticket.Normal, Environment: ticket.Production})
	if err != nil {
		t.Fatal(err)
	}
	stdPath := "/tickets/" + itoa(std.Number)
	_, body = ab.Get(t, stdPath)
	mustLack(t, body, "Move to the CSA team", `id="engagement-kind"`)
	resp, body = ab.Post(t, stdPath+"/engagement", url.Values{"form": {"engagement"}, "kind": {"architecture"}, "note": {"Please go to the CSA team."}})
	wantStatus(t, "forged standard-plan move", resp, http.StatusConflict)
	mustContain(t, body, "Initech is on the Standard plan; engagements are for enterprise plans.")
	if got, _ := e.App.Tickets.FindTicketByID(e.ctx, e.agent.Actor(""), std.ID); !got.Status.Active() {
		t.Errorf("the standard ticket is %s", got.Status)
	}
	// Customers cannot move tickets.
	if resp, _ := e.browser(t, e.owner).Post(t, "/tickets/"+itoa(back.Number)+"/engagement", url.Values{"kind": {"event"}, "note": {note}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("customer POST: %d, want 403", resp.StatusCode)
	}
}

// The CSA queue with 300 engagements, half of them the architect's: the
// first page of the open tab, and the architect's own.
func BenchmarkEngagementQueue(b *testing.B) {
	e := newConsoleEnv(b)
	casey := e.casey.Actor("")
	for i := range 300 {
		var eng csa.Engagement
		switch i % 3 {
		case 0:
			eng = e.requestEvent(b, fmt.Sprintf("Launch %d", i), 2+i%300)
		case 1:
			eng = e.requestPerformance(b)
		default:
			eng = e.requestArchitecture(b)
		}
		if i%2 == 0 {
			if _, err := e.App.CSA.Assign(e.ctx, casey, eng.ID, e.casey.ID); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, c := range []struct{ name, path string }{{"open", "/engagements"}, {"mine", "/engagements?owner=me"}} {
		b.Run(c.name, func(b *testing.B) {
			req := sessionRequest(b, e.Env, e.casey, c.path)
			for b.Loop() {
				w := httptest.NewRecorder()
				e.App.Handler.ServeHTTP(w, req)
				if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Next →") {
					b.Fatal(w.Code)
				}
			}
		})
	}
}

// The staff calendar's default 30 days with 60 customer events, 60
// meetings and 5 maintenance windows in them, as a page and as iCalendar.
func BenchmarkStaffCalendar(b *testing.B) {
	e := newConsoleEnv(b)
	casey := e.casey.Actor("")
	for i := range 60 {
		e.requestEvent(b, fmt.Sprintf("Launch %d", i), 1+i%29)
		perf := e.requestPerformance(b)
		if _, err := e.App.CSA.AddMeeting(e.ctx, casey, perf.ID, csa.MeetingInput{Title: fmt.Sprintf("Review %d", i),
			StartsAt: consoleT0.Add(time.Duration(2+i*11) * time.Hour).Format(time.RFC3339)}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 5 {
		from := consoleT0.AddDate(0, 0, 2+i*5)
		until := from.Add(2 * time.Hour)
		if _, err := e.App.Status.CreateIncident(e.ctx, e.rootUser.Actor(""), status.IncidentInput{Kind: status.KindMaintenance, Name: fmt.Sprintf("Upgrade %d", i),
			Body: "Planned work.", ScheduledFor: &from, ScheduledUntil: &until}); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct{ name, path, want string }{{"page", "/calendar", "125 entries."}, {"ics", "/calendar.ics", "END:VCALENDAR"}} {
		b.Run(c.name, func(b *testing.B) {
			req := sessionRequest(b, e.Env, e.agent, c.path)
			for b.Loop() {
				w := httptest.NewRecorder()
				e.App.Handler.ServeHTTP(w, req)
				if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), c.want) {
					b.Fatal(w.Code)
				}
			}
		})
	}
}
