package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/status"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// pageEnv is an app with an admin, an agent, a customer and the
// components Data (group) → Postgres (EU), Postgres (US), and Tools.
type pageEnv struct {
	*apptest.Env
	admin, agent, customer  account.User
	data, pgEU, pgUS, tools status.Component
}

func newPageEnv(t testing.TB) *pageEnv {
	t.Helper()
	env := apptest.New(t, apptest.Options{})
	e := &pageEnv{Env: env}
	e.admin = env.Staff(t, "root@helpline.test", helpline.RoleAdmin)
	e.agent = env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	e.customer = env.Customer(t, "dev@acme.test", env.Org(t, "Acme", account.PlanFree), account.OrgMember)
	e.data = e.component(t, status.ComponentInput{Name: "Data", Group: true, Position: 1})
	e.pgEU = e.component(t, status.ComponentInput{Name: "Postgres (EU)", GroupID: e.data.ID, Position: 1, Region: "eu", Keywords: []string{"postgres"}})
	e.pgUS = e.component(t, status.ComponentInput{Name: "Postgres (US)", GroupID: e.data.ID, Position: 2, Region: "us"})
	e.tools = e.component(t, status.ComponentInput{Name: "Tools", Position: 2})
	return e
}

func (e *pageEnv) component(t testing.TB, in status.ComponentInput) status.Component {
	t.Helper()
	if in.Status == "" {
		in.Status = status.Operational
	}
	c, err := e.App.Status.CreateComponent(context.Background(), e.admin.Actor(""), in)
	if err != nil {
		t.Fatalf("component %s: %v", in.Name, err)
	}
	return c
}

func (e *pageEnv) incident(t testing.TB, in status.IncidentInput) status.Incident {
	t.Helper()
	if in.Impact == "" && in.Kind != status.KindMaintenance {
		in.Impact = status.ImpactMajor
	}
	inc, err := e.App.Status.CreateIncident(context.Background(), e.agent.Actor(""), in)
	if err != nil {
		t.Fatalf("incident %s: %v", in.Name, err)
	}
	return inc
}

// anonymousGet fetches path with no cookies at all.
func anonymousGet(t *testing.T, e *pageEnv, path string, header http.Header) (*http.Response, string) {
	t.Helper()
	return get(t, e.Env, path, header)
}

func TestStatusPagePublic(t *testing.T) {
	e := newPageEnv(t)
	resp, body := anonymousGet(t, e, "/status", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("/status: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, "All Systems Operational", "sbanner-none", "Postgres (EU)", "Postgres (US)", "Tools",
		`href="/status/subscribe"`, `href="/history"`,
		`<link rel="alternate" type="application/atom+xml"`, `href="/history.atom"`, `href="/history.rss"`,
		`<link rel="stylesheet" href="/static/status.css">`)
	if strings.Contains(body, "Active incidents") {
		t.Error("an all-clear page lists active incidents")
	}
	// Members sit inside their group's list.
	group := body[strings.Index(body, `<div class="sgroup">`):]
	if i, j := strings.Index(group, ">Data<"), strings.Index(group, "Postgres (EU)"); i < 0 || j < i || !strings.Contains(group[:j], `class="smembers"`) {
		t.Error("Postgres (EU) is not listed under Data")
	}
	// 90 bars with tooltips for each component; groups have none.
	if n := strings.Count(body, "<rect "); n != 3*90 {
		t.Errorf("%d uptime bars, want 90 for each of 3 components", n)
	}
	if !regexp.MustCompile(`<title>\d{4}-\d{2}-\d{2}: (100%|no data)`).MatchString(body) {
		t.Error("uptime bars lack their date tooltips")
	}

	inc := e.incident(t, status.IncidentInput{Name: "Elevated errors on EU databases", Status: status.Investigating,
		Body: "We are **investigating** <script>alert(1)</script> errors.", Notify: true,
		Components: []status.ComponentChange{{ComponentID: e.pgEU.ID, Status: status.MajorOutage}}})
	e.App.Status.PostUpdate(context.Background(), e.agent.Actor(""), inc.ID, status.UpdateInput{
		Status: status.Identified, Body: "A failed disk on the primary; failing over."})

	_, body = anonymousGet(t, e, "/status", nil)
	mustContain(t, body, "Active incidents", "Elevated errors on EU databases", `href="/incidents/`+itoa(inc.ID)+`"`,
		"A failed disk on the primary", "Major outage", "Major impact")
	if strings.Contains(body, "<script>alert(1)") {
		t.Error("the incident body's markup is live")
	}
	if strings.Contains(body, "All Systems Operational") || !regexp.MustCompile(`sbanner-(minor|major|critical)`).MatchString(body) {
		t.Error("the banner still says all is well")
	}

	resp, body = anonymousGet(t, e, "/incidents/"+itoa(inc.ID), nil)
	if resp.StatusCode != 200 {
		t.Fatalf("incident page: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, "Elevated errors on EU databases", "<strong>investigating</strong>", "A failed disk", "Postgres (EU)",
		`<time datetime="`, "Identified", "Investigating")
	if i, j := strings.Index(body, "A failed disk"), strings.Index(body, "investigating</strong>"); i > j {
		t.Error("the timeline is not newest first")
	}
	for _, path := range []string{"/incidents/999999", "/incidents/abc", "/incidents/0"} {
		if resp, _ := anonymousGet(t, e, path, nil); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}

	// Maintenance: upcoming with its window in UTC.
	start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute)
	end := start.Add(2 * time.Hour)
	m := e.incident(t, status.IncidentInput{Kind: status.KindMaintenance, Name: "Postgres 17 upgrade", Body: "Brief read-only periods.",
		ScheduledFor: &start, ScheduledUntil: &end, AutoTransition: true,
		Components: []status.ComponentChange{{ComponentID: e.pgUS.ID, Status: status.UnderMaintenance}}})
	_, body = anonymousGet(t, e, "/status", nil)
	mustContain(t, body, "Upcoming maintenance", "Postgres 17 upgrade", `<time datetime="`+start.Format(time.RFC3339)+`"`, start.Format("2006-01-02 15:04:05 UTC"))
	_, body = anonymousGet(t, e, "/incidents/"+itoa(m.ID), nil)
	mustContain(t, body, "Postgres 17 upgrade", "Window (UTC)", "2 h window")
}

func TestStatusPageCaching(t *testing.T) {
	e := newPageEnv(t)
	resp, _ := anonymousGet(t, e, "/status", nil)
	etag := resp.Header.Get("ETag")
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=30" {
		t.Errorf("Cache-Control %q", cc)
	}
	if etag == "" || resp.Header.Get("Last-Modified") == "" {
		t.Fatalf("ETag %q, Last-Modified %q", etag, resp.Header.Get("Last-Modified"))
	}
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag} {
		resp, body := anonymousGet(t, e, "/status", http.Header{"If-None-Match": {inm}})
		if resp.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("If-None-Match %s: %d with %d bytes, want 304", inm, resp.StatusCode, len(body))
		}
	}
	// The same bytes again, from the rendered-page cache.
	_, first := anonymousGet(t, e, "/status", nil)
	_, again := anonymousGet(t, e, "/status", nil)
	if first != again {
		t.Error("two requests for one version got different pages")
	}

	e.incident(t, status.IncidentInput{Name: "API latency", Body: "Slow.", Components: []status.ComponentChange{{ComponentID: e.tools.ID, Status: status.DegradedPerformance}}})
	resp, body := anonymousGet(t, e, "/status", http.Header{"If-None-Match": {etag}})
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == etag || !strings.Contains(body, "API latency") {
		t.Errorf("after a change: %d, ETag %q (was %q)", resp.StatusCode, resp.Header.Get("ETag"), etag)
	}
	for _, path := range []string{"/history", "/incidents/1"} {
		resp, _ := anonymousGet(t, e, path, nil)
		tag := resp.Header.Get("ETag")
		if resp.StatusCode != 200 || tag == "" || resp.Header.Get("Cache-Control") != "public, max-age=30" {
			t.Errorf("%s: %d, ETag %q, Cache-Control %q", path, resp.StatusCode, tag, resp.Header.Get("Cache-Control"))
		}
		if resp, _ := anonymousGet(t, e, path, http.Header{"If-None-Match": {tag}}); resp.StatusCode != 304 {
			t.Errorf("%s with its ETag: %d", path, resp.StatusCode)
		}
	}

	// Signed in, the page names the user: private, and its own validator.
	b := e.Browser()
	b.SignIn(t, "dev@acme.test")
	resp, body = b.Get(t, "/status")
	if resp.StatusCode != 200 || !strings.Contains(body, "API latency") || !strings.Contains(body, `href="/account"`) {
		t.Fatalf("signed in: %d", resp.StatusCode)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
		t.Errorf("signed-in Cache-Control %q", cc)
	}
	_, anon := anonymousGet(t, e, "/status", nil)
	if strings.Contains(anon, `href="/account"`) || resp.Header.Get("ETag") == "" {
		t.Error("the anonymous page shows the signed-in user's header, or the signed-in page has no ETag")
	}
}

func TestStatusPageHistory(t *testing.T) {
	e := newPageEnv(t)
	const n = 23
	for i := range n {
		e.incident(t, status.IncidentInput{Name: fmt.Sprintf("Past incident %02d", i), Status: status.Resolved, Body: "Fixed."})
	}
	resp, body := anonymousGet(t, e, "/history", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("/history: %d\n%s", resp.StatusCode, body)
	}
	if c := strings.Count(body, `class="shistory"`); c != 20 {
		t.Errorf("page 1 lists %d incidents, want 20", c)
	}
	mustContain(t, body, "Past incident 22", time.Now().UTC().Format("January 2006"), `href="/history?page=2"`, `href="/history.atom"`)
	if strings.Contains(body, "Past incident 02") {
		t.Error("page 1 lists an old incident: not newest first")
	}
	_, body = anonymousGet(t, e, "/history?page=2", nil)
	if c := strings.Count(body, `class="shistory"`); c != 3 {
		t.Errorf("page 2 lists %d incidents, want 3", c)
	}
	mustContain(t, body, "Past incident 00", `href="/history?page=1"`)
	if strings.Contains(body, "page=3") {
		t.Error("the last page links to a next one")
	}
	for _, p := range []string{"3", "0", "x"} {
		if resp, _ := anonymousGet(t, e, "/history?page="+p, nil); resp.StatusCode != 404 {
			t.Errorf("page %s: %d, want 404", p, resp.StatusCode)
		}
	}
}

var incidentLocation = regexp.MustCompile(`^/admin/status/incidents/(\d+)$`)

func TestStatusPageOperatorFlow(t *testing.T) {
	e := newPageEnv(t)
	b := e.Browser()
	b.SignIn(t, "agent@helpline.test")

	resp, body := b.Get(t, "/admin/status")
	if resp.StatusCode != 200 {
		t.Fatalf("dashboard: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, "New incident", "Schedule maintenance", "Postgres (EU)", "Nothing active")
	if strings.Contains(body, "/admin/status/components/") {
		t.Error("an agent gets the admins' component controls")
	}

	// Validation keeps what was typed.
	pg := "component." + itoa(e.pgEU.ID)
	form := url.Values{"name": {""}, "status": {"investigating"}, "impact": {"critical"}, "body": {"Kept <b>text</b>"}, pg: {"partial_outage"}, "notify": {"on"}}
	resp, body = b.Post(t, "/admin/status/incidents", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid incident: %d", resp.StatusCode)
	}
	mustContain(t, body, `class="error" id="name-error"`, "Kept &lt;b&gt;text&lt;/b&gt;", `<option value="critical" selected>`,
		`<option value="partial_outage" selected>`, `name="notify" checked`)

	form.Set("name", "Builds are slow")
	resp, body = b.Post(t, "/admin/status/incidents", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create incident: %d\n%s", resp.StatusCode, body)
	}
	m := incidentLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("redirected to %q", resp.Header.Get("Location"))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	_, body = b.Get(t, m[0])
	mustContain(t, body, "Builds are slow", "Post an update", "Linked tickets", "Kept", `<option value="partial_outage" selected>`)
	// The operator sees the notification subscribers are being sent.
	mustContain(t, body, "Subscriber notifications", "incident created")

	// The public page has it once the cache has the change.
	_, body = anonymousGet(t, e, "/status", nil)
	mustContain(t, body, "Builds are slow", "Partial outage")

	// An invalid update keeps its text; a valid one lands on the timeline.
	resp, body = b.Post(t, m[0]+"/updates", url.Values{"status": {"identified"}, "body": {"  "}, pg: {"partial_outage"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="body-error"`) {
		t.Errorf("empty update: %d", resp.StatusCode)
	}
	resp, _ = b.Post(t, m[0]+"/updates", url.Values{"status": {"identified"}, "impact": {"critical"}, "body": {"Cache node lost."}, pg: {"partial_outage"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("post update: %d", resp.StatusCode)
	}
	// A ticket mentioning the affected component is linked; staff reply
	// to all linked tickets at once, and again when resolving.
	tk, err := e.App.Tickets.CreateTicket(context.Background(), e.customer.Actor(""), ticket.NewTicket{Subject: "Postgres errors in eu",
		Priority: ticket.Normal, Environment: ticket.Production, Description: "Our postgres queries fail."})
	if err != nil {
		t.Fatal(err)
	}
	_, body = b.Get(t, m[0])
	mustContain(t, body, "#"+itoa(tk.Number)+" Postgres errors in eu", `name="reply_body"`, `name="reply_linked"`)
	resp, body = b.Post(t, m[0]+"/reply", url.Values{"reply_body": {" "}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="reply-body-error"`) {
		t.Errorf("empty reply to linked tickets: %d", resp.StatusCode)
	}
	resp, _ = b.Post(t, m[0]+"/reply", url.Values{"reply_body": {"We are on it: see the status page."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply to linked: %d", resp.StatusCode)
	}
	_, body = b.Get(t, m[0])
	mustContain(t, body, "Replied on 1 linked ticket.")
	resp, _ = b.Post(t, m[0]+"/updates", url.Values{"status": {"resolved"}, "impact": {"critical"}, "body": {"All builds are fast again."}, pg: {"operational"}, "reply_linked": {"on"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resolve: %d", resp.StatusCode)
	}
	_, body = b.Get(t, m[0])
	mustContain(t, body, "Update posted, and replied on 1 linked ticket.")
	cust := e.Browser()
	cust.SignIn(t, "dev@acme.test")
	_, body = cust.Get(t, "/tickets/"+itoa(tk.Number))
	mustContain(t, body, "We are on it: see the status page.", "All builds are fast again.")
	inc, err := e.App.Status.FindIncident(context.Background(), id)
	if err != nil || inc.Status != status.Resolved || len(inc.Updates) != 3 {
		t.Fatalf("after resolving: %+v %v", inc, err)
	}
	_, body = anonymousGet(t, e, "/status", nil)
	mustContain(t, body, "All Systems Operational", "Recently resolved", "Builds are slow")
	_, body = anonymousGet(t, e, "/incidents/"+itoa(id), nil)
	mustContain(t, body, "Cache node lost.", "All builds are fast again.", "Resolved", "Duration")

	// Maintenance through the form, with a window in UTC.
	resp, body = b.Post(t, "/admin/status/maintenance", url.Values{"name": {"Network work"}, "body": {"Short blips."},
		"scheduled_for": {"2099-01-02T03:00"}, "scheduled_until": {"2099-01-02T01:00"}, "auto_transition": {"on"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="scheduled-until-error"`) || !strings.Contains(body, `value="2099-01-02T03:00"`) {
		t.Errorf("maintenance ending before it starts: %d", resp.StatusCode)
	}
	resp, _ = b.Post(t, "/admin/status/maintenance", url.Values{"name": {"Network work"}, "body": {"Short blips."},
		"scheduled_for": {"2099-01-02T03:00"}, "scheduled_until": {"2099-01-02T05:00"}, "auto_transition": {"on"}, "component." + itoa(e.tools.ID): {"under_maintenance"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("maintenance: %d", resp.StatusCode)
	}
	_, body = anonymousGet(t, e, "/status", nil)
	mustContain(t, body, "Network work", `<time datetime="2099-01-02T03:00:00Z">2099-01-02 03:00:00 UTC</time>`)
}

func TestStatusPageAdmin(t *testing.T) {
	e := newPageEnv(t)
	b := e.Browser()
	b.SignIn(t, "root@helpline.test")

	// Components: quick change, create with a kept form, edit.
	resp, _ := b.Post(t, "/admin/status/components/"+itoa(e.pgUS.ID)+"/status", url.Values{"status": {"degraded_performance"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("quick change: %d", resp.StatusCode)
	}
	_, body := anonymousGet(t, e, "/status", nil)
	mustContain(t, body, "Degraded performance")

	resp, body = b.Post(t, "/admin/status/components", url.Values{"name": {"Redis (EU)"}, "group_id": {itoa(e.data.ID)}, "position": {"soon"}, "status": {"operational"}, "region": {"eu"}, "keywords": {"redis, cache"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad position: %d", resp.StatusCode)
	}
	mustContain(t, body, `id="position-error"`, `value="Redis (EU)"`, `value="redis, cache"`)
	resp, _ = b.Post(t, "/admin/status/components", url.Values{"name": {"Redis (EU)"}, "group_id": {itoa(e.data.ID)}, "position": {"3"}, "status": {"operational"}, "region": {"eu"}, "keywords": {"redis, cache"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create component: %d", resp.StatusCode)
	}
	_, body = b.Get(t, "/admin/status/components/"+itoa(e.tools.ID))
	mustContain(t, body, `value="Tools"`, "Delete Tools")
	if resp, _ := b.Get(t, "/admin/status/components/424242"); resp.StatusCode != 404 {
		t.Errorf("unknown component: %d", resp.StatusCode)
	}

	// Templates prefill the incident form without JavaScript.
	resp, _ = b.Post(t, "/admin/status/templates", url.Values{"name": {"DB investigating"}, "kind": {"incident"}, "status": {"investigating"}, "title": {"Database errors"}, "body": {"We are looking into database errors."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save template: %d", resp.StatusCode)
	}
	tpls, err := e.App.Status.FindTemplates(context.Background(), e.admin.Actor(""))
	if err != nil {
		t.Fatal(err)
	}
	var tpl status.Template
	for _, x := range tpls {
		if x.Name == "DB investigating" {
			tpl = x
		}
	}
	if tpl.ID == 0 {
		t.Fatalf("the template was not saved: %v", tpls)
	}
	_, body = b.Get(t, "/admin/status/incidents/new")
	mustContain(t, body, `name="template"`, "DB investigating")
	if strings.Contains(body, "Scheduled database maintenance") {
		t.Error("the incident form offers maintenance templates")
	}
	_, body = b.Get(t, "/admin/status/incidents/new?template="+itoa(tpl.ID))
	mustContain(t, body, `value="Database errors"`, "We are looking into database errors.")
	resp, body = b.Post(t, "/admin/status/templates", url.Values{"name": {""}, "kind": {"incident"}, "status": {"investigating"}, "body": {"Keep me"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Keep me") {
		t.Errorf("invalid template: %d", resp.StatusCode)
	}
	resp, _ = b.Post(t, "/admin/status/templates/"+itoa(tpl.ID)+"/delete", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("delete template: %d", resp.StatusCode)
	}
}

func TestStatusPageAccess(t *testing.T) {
	e := newPageEnv(t)
	inc := e.incident(t, status.IncidentInput{Name: "Outage", Body: "Down."})
	staffPages := []string{"/admin/status", "/admin/status/incidents/new", "/admin/status/maintenance/new", "/admin/status/incidents/" + itoa(inc.ID)}
	adminPages := []string{"/admin/status/components", "/admin/status/templates", "/admin/status/components/" + itoa(e.tools.ID)}

	customer := e.Browser()
	customer.SignIn(t, "dev@acme.test")
	for _, p := range append(staffPages, adminPages...) {
		if resp, _ := customer.Get(t, p); resp.StatusCode != http.StatusForbidden {
			t.Errorf("customer GET %s: %d, want 403", p, resp.StatusCode)
		}
	}
	for _, p := range []string{"/admin/status/incidents", "/admin/status/incidents/" + itoa(inc.ID) + "/updates", "/admin/status/components/" + itoa(e.tools.ID) + "/status"} {
		if resp, _ := customer.Post(t, p, url.Values{"name": {"x"}, "body": {"x"}, "status": {"major_outage"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("customer POST %s: %d, want 403", p, resp.StatusCode)
		}
	}
	agent := e.Browser()
	agent.SignIn(t, "agent@helpline.test")
	for _, p := range staffPages {
		if resp, _ := agent.Get(t, p); resp.StatusCode != 200 {
			t.Errorf("agent GET %s: %d", p, resp.StatusCode)
		}
	}
	for _, p := range adminPages {
		if resp, _ := agent.Get(t, p); resp.StatusCode != http.StatusForbidden {
			t.Errorf("agent GET %s: %d, want 403", p, resp.StatusCode)
		}
	}
	// Signed out, operator pages go to sign-in; public pages just work.
	if resp, _ := e.Browser().Get(t, "/admin/status"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous /admin/status: %d", resp.StatusCode)
	}
	c, err := e.App.Status.FindComponents(context.Background())
	if err != nil || len(c) != 4 {
		t.Errorf("components changed: %v %v", c, err)
	}
}
