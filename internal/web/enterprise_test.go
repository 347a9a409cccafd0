package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/csa"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/search"
)

// portalT0 is the app's clock in the portal tests: events are planned
// weeks after it.
var portalT0 = time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)

// portalEnv is a Helpline with a Premier customer (two apps, two
// members), a Standard one, a support agent and a solutions architect, and
// a collection of enterprise articles.
type portalEnv struct {
	*apptest.Env
	acme                     account.Organization
	api, web                 account.App
	owner, dev, outsider     account.User
	agent, architect         account.User
	launch, pooling, library docs.Article
}

func newPortalEnv(t *testing.T) *portalEnv {
	t.Helper()
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{Now: func() time.Time { return portalT0 }, Env: map[string]string{"HELPLINE_DATA_DIR": t.TempDir()}})
	e := &portalEnv{Env: env}
	e.acme = env.Org(t, "Acme Rockets", account.PlanPremier)
	e.owner = env.Customer(t, "owner@acme.test", e.acme, account.OrgOwner)
	e.dev = env.Customer(t, "dev@acme.test", e.acme, account.OrgMember)
	e.outsider = env.Customer(t, "peter@initech.test", env.Org(t, "Initech", account.PlanStandard), account.OrgOwner)
	e.agent = env.Staff(t, "sam@helpline.test", helpline.RoleAgent)
	e.architect = env.Staff(t, "casey@helpline.test", helpline.RoleCSA)
	var err error
	for _, a := range []*account.App{&e.api, &e.web} {
		name := "acme-api"
		if a == &e.web {
			name = "acme-web"
		}
		if *a, err = env.App.Accounts.CreateApp(ctx, account.CLI(), e.acme.ID, account.AppInput{Name: name, Region: "us", Stack: "heroku-24"}); err != nil {
			t.Fatal(err)
		}
	}
	arch := e.architect.Actor("")
	article := func(title, summary string) docs.Article {
		a, err := env.App.Docs.CreateArticle(ctx, arch, docs.ArticleInput{Title: title, Section: docs.SectionEnterprise, Audience: search.AudienceEnterprise,
			Status: docs.StatusPublished, Summary: summary, Body: "Text of " + title})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	e.launch = article("Load testing before a launch", "Ramp up, not all at once.")
	e.pooling = article("Connection pooling", "PgBouncer and pool sizes.")
	e.library = article("Multi-region failover", "Two regions, one database.")
	c, err := env.App.CSA.CreateCollection(ctx, arch, csa.CollectionInput{Title: "Preparing for a launch", Description: "Start here four weeks ahead."})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []csa.ItemInput{{ArticleSlug: e.launch.Slug, Note: "Read this first."}, {ArticleSlug: e.pooling.Slug}} {
		if _, err := env.App.CSA.AddItem(ctx, arch, c.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *portalEnv) browser(t *testing.T, email string) *apptest.Browser {
	t.Helper()
	b := e.Browser()
	b.SignIn(t, email)
	return b
}

func (e *portalEnv) count(t *testing.T, query string) int {
	t.Helper()
	var n int
	if err := e.App.DB.QueryRowContext(context.Background(), query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// eventForm is a complete event preparation form for an event a month
// after portalT0, in New York time.
func eventForm() url.Values {
	return url.Values{
		"event.name":                  {"Spring launch"},
		"event.starts_at":             {"2026-04-02T09:30"},
		"event.time_zone":             {"America/New_York"},
		"event.peak_rps":              {"5,000"},
		"event.peak_concurrent_users": {"40000"},
		"event.apps":                  {"acme-api", "acme-web"},
		"event.dyno_formation":        {"web=10:performance-l worker=4:standard-2x"},
		"event.database_plan":         {"heroku-postgresql:premium-4"},
		"event.concerns":              {"Our checkout has never seen this much traffic: review the **connection pool** and autoscaling."},
	}
}

// requestEvent sends the event form as the owner and returns the
// engagement's page.
func (e *portalEnv) requestEvent(t *testing.T, b *apptest.Browser) string {
	t.Helper()
	resp, body := b.Post(t, "/enterprise/request/event", eventForm())
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/enterprise/engagements/\d+$`).MatchString(loc) {
		t.Fatalf("request event: %d %q\n%s", resp.StatusCode, loc, body)
	}
	return loc
}

// formFields returns the hidden fields of the form with id on the page.
func formFields(t *testing.T, body, id string) url.Values {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no form %s on the page", id)
	}
	end := strings.Index(body[i:], "</form>")
	form := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(body[i:i+end], -1) {
		form.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return form
}

// The portal shows a Premier customer the curated collections in order,
// the library and the request cards; a Standard customer is refused with
// their plan named; staff see it with a link to their queue.
func TestEnterprisePortal(t *testing.T) {
	e := newPortalEnv(t)
	owner := e.browser(t, "owner@acme.test")
	resp, body := owner.Get(t, "/enterprise")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("portal: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, `<a href="/enterprise">Enterprise</a>`, "Acme Rockets", "Preparing for a launch", "Start here four weeks ahead.", "Read this first.",
		`href="/docs/`+e.launch.Slug+`"`, `href="/docs/`+e.library.Slug+`"`, "Multi-region failover",
		`href="/enterprise/request/event"`, `href="/enterprise/request/performance"`, `href="/enterprise/request/architecture"`,
		csa.KindEvent.Label(), html.EscapeString(csa.KindPerformance.Blurb()), `href="/tickets/new"`, "No engagements yet")
	if strings.Index(body, e.launch.Title) > strings.Index(body, e.pooling.Title) {
		t.Error("the collection's articles are out of order")
	}
	if strings.Contains(body, `href="/engagements"`) {
		t.Error("a customer is sent to the staff queue")
	}

	std := e.browser(t, "peter@initech.test")
	resp, body = std.Get(t, "/enterprise")
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("standard customer: %d", resp.StatusCode)
	}
	mustContain(t, body, "Enterprise, Premier and Legacy Enterprise plans", "Standard plan")
	if strings.Contains(body, `href="/enterprise"`) {
		t.Error("the standard customer's header links the portal")
	}
	for _, path := range []string{"/enterprise/request/event", "/enterprise/request/architecture"} {
		if resp, body := std.Get(t, path); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Standard plan") {
			t.Errorf("standard customer GET %s: %d", path, resp.StatusCode)
		}
	}

	agent := e.browser(t, "sam@helpline.test")
	resp, body = agent.Get(t, "/enterprise")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("staff portal: %d", resp.StatusCode)
	}
	mustContain(t, body, `href="/engagements"`, "Preparing for a launch", "Customers request this here.")
	if resp, _ := agent.Get(t, "/enterprise/request/event"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("staff request form: %d, want 403", resp.StatusCode)
	}

	if resp, _ := e.Browser().Get(t, "/enterprise"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
		t.Errorf("signed out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := owner.Get(t, "/enterprise/request/migration"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown kind: %d, want 404", resp.StatusCode)
	}
}

// An invalid event form comes back with every value and a message per
// field; numbers that are not numbers say so.
func TestEnterpriseRequestFormKeepsInput(t *testing.T) {
	e := newPortalEnv(t)
	owner := e.browser(t, "owner@acme.test")
	resp, body := owner.Get(t, "/enterprise/request/event")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("form: %d", resp.StatusCode)
	}
	mustContain(t, body, `id="event-starts-at" name="event.starts_at" type="datetime-local"`, `name="event.time_zone" type="text" value="UTC" list="zones"`,
		`<option value="America/New_York">`, `name="event.apps" value="acme-api"`, `name="event.apps" value="acme-web"`)

	form := eventForm()
	form.Set("event.name", "X")
	form.Set("event.starts_at", "2026-02-01T10:00") // before the app's clock
	form.Set("event.peak_rps", "lots")
	form.Set("event.peak_concurrent_users", "1e6")
	form["event.apps"] = []string{"acme-web"}
	form.Set("event.concerns", "<script>alert(1)</script> and the pool")
	resp, body = owner.Post(t, "/enterprise/request/event", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid form: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, fieldHTML(t, body, "event-peak-rps"), `value="lots"`, "must be a whole number", `aria-invalid="true"`)
	mustContain(t, fieldHTML(t, body, "event-peak-concurrent-users"), `value="1e6"`, "must be a whole number")
	mustContain(t, fieldHTML(t, body, "event-starts-at"), `value="2026-02-01T10:00"`, "is in the past")
	mustContain(t, fieldHTML(t, body, "event-name"), `value="X"`, "needs more detail")
	mustContain(t, fieldHTML(t, body, "event-time-zone"), `value="America/New_York"`)
	mustContain(t, body, `value="acme-web" checked`, `value="web=10:performance-l worker=4:standard-2x"`,
		"&lt;script&gt;alert(1)&lt;/script&gt; and the pool", "Please correct the highlighted fields.")
	if strings.Contains(body, `value="acme-api" checked`) {
		t.Error("an app the customer did not pick is checked")
	}

	// A zone that does not exist, and a garbled time on the performance form.
	perf := url.Values{"performance.apps": {"acme-api"}, "performance.symptoms": {"p95 latency doubled after we added the search feature."},
		"performance.metrics": {"p95=1800ms p50=300ms"}, "performance.since": {"last Tuesday"}, "performance.time_zone": {"UTC"}}
	resp, body = owner.Post(t, "/enterprise/request/performance", perf)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad since: %d", resp.StatusCode)
	}
	mustContain(t, fieldHTML(t, body, "performance-since"), `value="last Tuesday"`, "must be a date and time")
	perf.Set("performance.since", "2026-02-10T08:00")
	perf.Set("performance.time_zone", "Mars/Olympus")
	resp, body = owner.Post(t, "/enterprise/request/performance", perf)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad zone: %d", resp.StatusCode)
	}
	mustContain(t, fieldHTML(t, body, "performance-time-zone"), `value="Mars/Olympus"`, "not a known time zone")
	if n := e.count(t, `SELECT count(*) FROM engagements`); n != 0 {
		t.Fatalf("%d engagements from invalid forms", n)
	}

	// Corrected, it goes through: the local time in its zone is the time
	// the service stores.
	perf.Set("performance.time_zone", "Europe/Berlin")
	resp, _ = owner.Post(t, "/enterprise/request/performance", perf)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("valid performance form: %d", resp.StatusCode)
	}
	list, err := e.App.CSA.FindEngagements(context.Background(), e.owner.Actor(""), csa.Filter{})
	if err != nil || len(list) != 1 || list[0].Performance == nil {
		t.Fatalf("engagements %+v, %v", list, err)
	}
	if got, want := list[0].Performance.Since, time.Date(2026, 2, 10, 7, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("since %s, want %s", got, want)
	}
}

// A customer of two enterprise organizations picks one; an architecture
// review goes through with its date field; staff and unknown kinds are
// refused.
func TestEnterpriseRequestSeveralOrganizations(t *testing.T) {
	e := newPortalEnv(t)
	ctx := context.Background()
	globex := e.Org(t, "Globex", account.PlanLegacyEnterprise)
	if err := e.App.Accounts.AddMember(ctx, account.CLI(), globex.ID, e.dev.ID, account.OrgMember); err != nil {
		t.Fatal(err)
	}
	dev := e.browser(t, "dev@acme.test")
	_, body := dev.Get(t, "/enterprise/request/architecture")
	mustContain(t, body, `<select id="organization-id" name="organization_id"`, ">Globex (Legacy Enterprise)</option>", `id="architecture-deadline" name="architecture.deadline" type="date"`)
	form := url.Values{"architecture.goal": {"Move the API to two regions\nwith failover under a minute."},
		"architecture.current_design": {"One region, one Postgres primary, Redis for sessions, a CDN in front."},
		"architecture.constraints":    {"No downtime; SOC 2."}, "architecture.deadline": {"2026-05-01"}}
	resp, body := dev.Post(t, "/enterprise/request/architecture", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no organization: %d", resp.StatusCode)
	}
	mustContain(t, body, "Organization: you belong to several enterprise organizations: pick one", "One region, one Postgres primary", `value="2026-05-01"`)
	form.Set("organization_id", itoa(globex.ID))
	resp, _ = dev.Post(t, "/enterprise/request/architecture", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("architecture review: %d", resp.StatusCode)
	}
	_, body = dev.Get(t, resp.Header.Get("Location"))
	mustContain(t, body, "Architecture review: Move the API to two regions", "Globex", `id="architecture-details"`, "2026-05-01", "SOC 2.")
	_, body = dev.Get(t, "/enterprise")
	mustContain(t, body, "<th>Organization</th>", "Acme Rockets", "Globex")

	if resp, _ := dev.Post(t, "/enterprise/request/migration", form); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown kind: %d, want 404", resp.StatusCode)
	}
	casey := e.browser(t, "casey@helpline.test")
	if resp, body := casey.Post(t, "/enterprise/request/architecture", form); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "staff turn a ticket into an engagement") {
		t.Errorf("staff request: %d", resp.StatusCode)
	}
}

// A valid request lands on the engagement's page with everything the
// customer wrote; a colleague sees it, another organization does not.
func TestEnterpriseRequestEvent(t *testing.T) {
	e := newPortalEnv(t)
	owner := e.browser(t, "owner@acme.test")
	path := e.requestEvent(t, owner)
	resp, body := owner.Get(t, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("engagement page: %d", resp.StatusCode)
	}
	mustContain(t, body, "Your request is in.", "Event preparation: Spring launch", "Thu Apr 2, 2026 09:30 EDT (America/New_York)",
		`<dd id="peak-rps">5,000</dd>`, `<dd id="peak-users">40,000</dd>`, "<code>acme-api</code>, <code>acme-web</code>",
		"<strong>connection pool</strong>", `aria-current="step">Requested`, "requested high-traffic event preparation",
		"A week before the event: due 2026-03-26 13:30:00 UTC", `action="`+path+`/withdraw#withdraw"`)
	if strings.Contains(body, `action="`+path+`/state`) || strings.Contains(body, `id="context"`) {
		t.Error("a customer gets staff forms or context")
	}
	_, portal := owner.Get(t, "/enterprise")
	mustContain(t, portal, `href="`+path+`"`, "Event preparation: Spring launch")

	dev := e.browser(t, "dev@acme.test")
	if resp, _ := dev.Get(t, path); resp.StatusCode != http.StatusOK {
		t.Errorf("colleague: %d", resp.StatusCode)
	}
	outsider := e.browser(t, "peter@initech.test")
	for _, p := range []string{path, "/enterprise/engagements/999999", "/enterprise/engagements/abc"} {
		if resp, _ := outsider.Get(t, p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("outsider GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := outsider.Post(t, path+"/comments", url.Values{"body": {"hello"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("outsider comment: %d, want 404", resp.StatusCode)
	}
	if resp, _ := outsider.Post(t, path+"/withdraw", url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("outsider withdraw: %d, want 404", resp.StatusCode)
	}

	// The launch moves a week: the edit form comes filled in, a mistake
	// comes back with what was typed, and the saved request has the new
	// date and reminders.
	_, body = owner.Get(t, path)
	mustContain(t, body, `href="`+path+`/edit"`)
	resp, body = owner.Get(t, path+"/edit")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("edit form: %d", resp.StatusCode)
	}
	mustContain(t, body, `action="`+path+`/edit"`, `value="Spring launch"`, `value="2026-04-02T09:30"`, `value="America/New_York"`, `value="acme-api" checked`)
	moved := eventForm()
	moved.Set("event.starts_at", "2026-04-09T09:30")
	moved.Set("event.peak_rps", "lots")
	resp, body = owner.Post(t, path+"/edit", moved)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad edit: %d", resp.StatusCode)
	}
	mustContain(t, body, "must be a whole number", `value="2026-04-09T09:30"`, `value="lots"`)
	moved.Set("event.peak_rps", "6000")
	if resp, body := owner.Post(t, path+"/edit", moved); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", resp.StatusCode, body)
	}
	_, body = owner.Get(t, path)
	mustContain(t, body, "The request is updated.", "Thu Apr 9, 2026 09:30 EDT", "updated the request; the event now starts 2026-04-09 13:30:00 UTC", `<dd id="peak-rps">6,000</dd>`, "A week before the event: due 2026-04-02 13:30:00 UTC")
	if resp, _ := outsider.Get(t, path+"/edit"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("outsider edit form: %d, want 404", resp.StatusCode)
	}

	// The customer withdraws it.
	resp, _ = owner.Post(t, path+"/withdraw", url.Values{"form": {"withdraw"}, "reason": {"The launch moved to next year."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", resp.StatusCode)
	}
	_, body = owner.Get(t, path)
	mustContain(t, body, "Your request is withdrawn", `aria-current="step">Closed`, "moved it from requested to closed", "The launch moved to next year.", "This engagement is closed.")
	if strings.Contains(body, `class="done">Scheduled`) {
		t.Error("a withdrawn request shows steps it never reached")
	}
}

// A request that reads like an outage gets the urgent-ticket page: its
// form carries the customer's text to the new-ticket form, and the other
// button sends the request after all.
func TestEnterpriseBreakFix(t *testing.T) {
	e := newPortalEnv(t)
	owner := e.browser(t, "owner@acme.test")
	form := url.Values{
		"performance.apps":      {"acme-api"},
		"performance.symptoms":  {"Checkout is down: we get H12 timeouts and 500s on every request."},
		"performance.metrics":   {`at=error code=H12 desc="Request timeout" path="/checkout" service=30000ms status=503`},
		"performance.since":     {portalT0.Add(-20 * time.Minute).Format("2006-01-02T15:04")},
		"performance.time_zone": {"UTC"},
	}
	resp, body := owner.Post(t, "/enterprise/request/performance", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("break/fix request: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, html.EscapeString(csa.BreakFixMessage), "<strong>Symptoms</strong> mentions the platform error code H12",
		"<strong>Since when</strong> is 20 min ago", "Open an urgent ticket", "This is not a current outage — send my request")
	if n := e.count(t, `SELECT count(*) FROM engagements`); n != 0 {
		t.Fatalf("%d engagements stored", n)
	}

	ticketForm := formFields(t, body, "urgent-ticket")
	for k, want := range map[string]string{"action": "prefill", "from": "engagement", "priority": "urgent", "organization_id": itoa(e.acme.ID),
		"app_id": itoa(e.api.ID), "environment": "production", "category": "runtime", "urgent.started_at": "2026-03-03T08:40:00Z"} {
		if got := ticketForm.Get(k); got != want {
			t.Errorf("ticket prefill %s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(ticketForm.Get("description"), "Checkout is down") || !strings.Contains(ticketForm.Get("urgent.logs"), "code=H12") || ticketForm.Get("subject") == "" {
		t.Errorf("ticket prefill %v", ticketForm)
	}
	resp, body = owner.Post(t, "/tickets/new", ticketForm)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("prefilled ticket form: %d", resp.StatusCode)
	}
	mustContain(t, body, "Filled in from your engagement request", `value="`+html.EscapeString(ticketForm.Get("subject"))+`"`,
		`value="urgent" checked`, `<option value="`+itoa(e.api.ID)+`" selected>acme-api</option>`, `value="2026-03-03T08:40:00Z"`,
		"Checkout is down", "code=H12 desc=&#34;Request timeout&#34;")
	if n := e.count(t, `SELECT count(*) FROM tickets`); n != 0 {
		t.Fatalf("%d tickets opened by the prefill", n)
	}

	// "Not an outage" sends the same request, confirmed.
	again := formFields(t, breakFixPage(t, owner, form), "not-break-fix")
	if again.Get("not_break_fix") != "1" || again.Get("performance.symptoms") != form.Get("performance.symptoms") || again.Get("performance.since") != form.Get("performance.since") {
		t.Fatalf("resend form %v", again)
	}
	resp, _ = owner.Post(t, "/enterprise/request/performance", again)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmed request: %d", resp.StatusCode)
	}
	path := resp.Header.Get("Location")
	_, body = owner.Get(t, path)
	mustContain(t, body, "confirming it is not a current outage", "Checkout is down")
	if strings.Contains(body, `id="break-fix-signals"`) {
		t.Error("the customer sees the staff warning")
	}
	_, body = e.browser(t, "casey@helpline.test").Get(t, path)
	mustContain(t, body, `id="break-fix-signals"`, "<code>performance.symptoms</code> mentions the platform error code H12")
}

// breakFixPage posts the break/fix request again and returns the page.
func breakFixPage(t *testing.T, b *apptest.Browser, form url.Values) string {
	t.Helper()
	resp, body := b.Post(t, "/enterprise/request/performance", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("break/fix request: %d", resp.StatusCode)
	}
	return body
}

// The CSA team works an engagement from its page: owner, meetings, notes,
// messages (internal ones hidden from the customer), a file the customer
// downloads, and the move to Support.
func TestEnterpriseStaffActions(t *testing.T) {
	e := newPortalEnv(t)
	owner := e.browser(t, "owner@acme.test")
	path := e.requestEvent(t, owner)
	casey := e.browser(t, "casey@helpline.test")
	sam := e.browser(t, "sam@helpline.test")

	_, body := casey.Get(t, path)
	mustContain(t, body, `id="context"`, "<code>acme-api</code>", `<option value="`+itoa(e.architect.ID)+`">casey (you)</option>`,
		`<option value="scheduled" selected>Scheduled</option>`, `<option value="closed">Closed</option>`)
	if strings.Contains(body, `<option value="delivered"`) {
		t.Error("the state form offers a state the engagement cannot move to")
	}

	// A support agent sees the forms but the service refuses the change.
	if resp, body := sam.Post(t, path+"/owner", url.Values{"form": {"owner"}, "owner_id": {itoa(e.architect.ID)}}); resp.StatusCode != http.StatusForbidden ||
		!strings.Contains(body, "solutions architect (csa) or admin role") {
		t.Errorf("agent assigns: %d", resp.StatusCode)
	}
	// Customers cannot reach staff actions at all.
	if resp, _ := owner.Post(t, path+"/state", url.Values{"state": {"closed"}, "note": {"closing my own request"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("customer changes the state: %d", resp.StatusCode)
	}

	if resp, _ := casey.Post(t, path+"/owner", url.Values{"form": {"owner"}, "owner_id": {itoa(e.architect.ID)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %d", resp.StatusCode)
	}
	// An agent cannot own an engagement: the error stays on the form.
	resp, body := casey.Post(t, path+"/owner", url.Values{"form": {"owner"}, "owner_id": {itoa(e.agent.ID)}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("assign an agent: %d", resp.StatusCode)
	}
	mustContain(t, body, "Owner: must be a solutions architect (csa) or an admin")

	// Scheduling a meeting: a duration that is not a number keeps the form.
	meeting := url.Values{"form": {"meeting"}, "title": {"Kick-off"}, "starts_at": {"2026-03-10T10:00"}, "time_zone": {"America/New_York"}, "duration_minutes": {"an hour"}}
	resp, body = casey.Post(t, path+"/meetings", meeting)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad meeting: %d", resp.StatusCode)
	}
	mustContain(t, fieldHTML(t, body, "meeting-duration"), `value="an hour"`, "must be a whole number")
	mustContain(t, fieldHTML(t, body, "meeting-title"), `value="Kick-off"`)
	meeting.Set("duration_minutes", "45")
	if resp, _ := casey.Post(t, path+"/meetings", meeting); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("meeting: %d", resp.StatusCode)
	}
	det, err := e.App.CSA.FindEngagement(context.Background(), e.architect.Actor(""), engagementIDOf(t, path))
	if err != nil || det.State != csa.StateScheduled || len(det.Meetings) != 1 {
		t.Fatalf("after the meeting: state %s, meetings %d, %v", det.State, len(det.Meetings), err)
	}
	m := det.Meetings[0]
	resp, _ = casey.Post(t, path+"/meetings/"+itoa(m.ID), url.Values{"form": {"meeting-" + itoa(m.ID)}, "title": {"Kick-off"}, "starts_at": {"2026-03-10T10:00"},
		"time_zone": {"America/New_York"}, "duration_minutes": {"45"}, "notes": {"Decided: **scale web to 20** a day before."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("meeting notes: %d", resp.StatusCode)
	}

	// Messages both ways; the internal note stays with staff.
	if resp, _ := owner.Post(t, path+"/comments", url.Values{"form": {"reply"}, "body": {"Can we also review the CDN?"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("customer message: %d", resp.StatusCode)
	}
	if resp, _ := casey.Post(t, path+"/comments", url.Values{"form": {"reply"}, "body": {"Their pool is too small; do not tell them yet."}, "internal": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("internal note: %d", resp.StatusCode)
	}
	if resp, body := owner.Post(t, path+"/comments", url.Values{"form": {"reply"}, "body": {"  "}}); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(fieldHTML(t, body, "body"), "is required") {
		t.Errorf("empty message: %d", resp.StatusCode)
	}

	// A file deliverable, which the customer downloads; another
	// organization cannot.
	resp, body = postMultipart(t, casey, e.URL+path+"/deliverables", multipartPart{name: "form", body: strings.NewReader("deliverable")},
		multipartPart{name: "title", body: strings.NewReader("Load test plan")},
		multipartPart{name: "file", filename: "plan.html", body: strings.NewReader("<html><script>alert(1)</script>ramp to 10k rps</html>")})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("file deliverable: %d\n%s", resp.StatusCode, body)
	}
	resp, body = postMultipart(t, casey, e.URL+path+"/deliverables", multipartPart{name: "form", body: strings.NewReader("deliverable")},
		multipartPart{name: "article_slug", body: strings.NewReader("no-such-article")})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("unknown article: %d", resp.StatusCode)
	}
	mustContain(t, fieldHTML(t, body, "deliverable-article"), `value="no-such-article"`, "is not an article")
	if resp, _ := postMultipart(t, casey, e.URL+path+"/deliverables", multipartPart{name: "form", body: strings.NewReader("deliverable")},
		multipartPart{name: "article_slug", body: strings.NewReader(e.pooling.Slug)}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("article deliverable: %d", resp.StatusCode)
	}

	_, body = owner.Get(t, path)
	mustContain(t, body, "casey", `aria-current="step">Scheduled`, "Kick-off", "Tue Mar 10, 2026 10:00 EDT", "45 minutes",
		"<strong>scale web to 20</strong>", "Can we also review the CDN?", "made casey the owner", "scheduled the meeting “Kick-off”",
		"added the deliverable “Load test plan”", `href="/docs/`+e.pooling.Slug+`"`, "plan.html")
	if strings.Contains(body, "do not tell them yet") {
		t.Error("the customer sees the internal note")
	}
	_, staffBody := casey.Get(t, path)
	mustContain(t, staffBody, "do not tell them yet", "Internal note · only staff see this")

	link := regexp.MustCompile(`href="(/enterprise/deliverables/\d+)"`).FindStringSubmatch(body)
	if link == nil {
		t.Fatal("no download link")
	}
	resp, file := owner.Get(t, link[1])
	if h := resp.Header; resp.StatusCode != http.StatusOK || h.Get("Content-Disposition") != "attachment; filename=plan.html" ||
		h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Type") != "application/octet-stream" || !strings.Contains(file, "ramp to 10k rps") {
		t.Errorf("download: %d %v", resp.StatusCode, h)
	}
	if resp, _ := e.browser(t, "peter@initech.test").Get(t, link[1]); resp.StatusCode != http.StatusNotFound {
		t.Errorf("outsider download: %d, want 404", resp.StatusCode)
	}

	// Closing needs a note; the form keeps the choice.
	resp, body = casey.Post(t, path+"/state", url.Values{"form": {"state"}, "state": {"closed"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("close without a note: %d", resp.StatusCode)
	}
	mustContain(t, fieldHTML(t, body, "state-note"), "is required when closing")
	mustContain(t, body, `<option value="closed" selected>Closed</option>`)

	// The move to Support needs a note, then opens the ticket.
	resp, body = casey.Post(t, path+"/ticket", url.Values{"form": {"ticket"}, "priority": {"high"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("convert without a note: %d", resp.StatusCode)
	}
	mustContain(t, fieldHTML(t, body, "ticket-note"), "is required")
	resp, _ = casey.Post(t, path+"/ticket", url.Values{"form": {"ticket"}, "priority": {"high"}, "note": {"Checkout is failing now: Support takes this."}})
	target := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/tickets/\d+$`).MatchString(target) {
		t.Fatalf("convert: %d %q", resp.StatusCode, target)
	}
	if resp, body := casey.Get(t, target); resp.StatusCode != http.StatusOK || !strings.Contains(body, "is now ticket #") {
		t.Errorf("ticket after the move: %d", resp.StatusCode)
	}
	_, body = owner.Get(t, path)
	mustContain(t, body, `<a href="`+target+`" id="became-ticket">ticket #`, "moved the engagement to Support as ticket <a href=\""+target+"\">", "Checkout is failing now")
}

func engagementIDOf(t *testing.T, path string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(path, "/enterprise/engagements/"), 10, 64)
	if err != nil {
		t.Fatalf("engagement path %q", path)
	}
	return id
}

// A Premier customer opening the portal: three collections of four
// articles, the library, and twelve engagements of the three kinds.
func BenchmarkEnterprisePortal(b *testing.B) {
	ctx := context.Background()
	env := apptest.New(b, apptest.Options{Now: func() time.Time { return portalT0 }})
	acme := env.Org(b, "Acme Rockets", account.PlanPremier)
	owner := env.Customer(b, "owner@acme.test", acme, account.OrgOwner)
	arch := env.Staff(b, "casey@helpline.test", helpline.RoleCSA).Actor("")
	if _, err := env.App.Accounts.CreateApp(ctx, account.CLI(), acme.ID, account.AppInput{Name: "acme-api"}); err != nil {
		b.Fatal(err)
	}
	for c := range 3 {
		col, err := env.App.CSA.CreateCollection(ctx, arch, csa.CollectionInput{Title: fmt.Sprintf("Collection %d", c), Description: "Curated for launches."})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 4 {
			a, err := env.App.Docs.CreateArticle(ctx, arch, docs.ArticleInput{Title: fmt.Sprintf("Guide %d.%d", c, i), Section: docs.SectionEnterprise,
				Audience: search.AudienceEnterprise, Status: docs.StatusPublished, Summary: "What to do.", Body: "Text."})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := env.App.CSA.AddItem(ctx, arch, col.ID, csa.ItemInput{ArticleSlug: a.Slug, Note: "Read this."}); err != nil {
				b.Fatal(err)
			}
		}
	}
	for i := range 12 {
		in := csa.Request{Kind: csa.KindArchitecture, Architecture: &csa.ArchitectureInput{Goal: fmt.Sprintf("Review design %d for a second region", i),
			CurrentDesign: "One region, one Postgres primary, Redis for sessions.", Constraints: "No downtime.", Deadline: "2026-06-01"}}
		if i%2 == 0 {
			in = csa.Request{Kind: csa.KindEvent, Event: &csa.EventInput{Name: fmt.Sprintf("Launch %d", i), StartsAt: "2026-04-02T09:30", TimeZone: "America/New_York",
				PeakRPS: 5000, PeakConcurrentUsers: 40000, Apps: []string{"acme-api"}, DynoFormation: "web=10:performance-l", DatabasePlan: "premium-4",
				Concerns: "Connection pools and autoscaling."}}
		}
		if _, err := env.App.CSA.RequestEngagement(ctx, owner.Actor(""), in); err != nil {
			b.Fatal(err)
		}
	}
	req := sessionRequest(b, env, owner, "/enterprise")
	for b.Loop() {
		w := httptest.NewRecorder()
		env.App.Handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Launch 10") {
			b.Fatal(w.Code)
		}
	}
}
