package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
)

// engT0 is the application's clock in these tests, a Tuesday morning;
// events are planned days and weeks after it.
var engT0 = time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)

// enterpriseWorld is a Helpline whose clock stands at engT0, with a Premier
// customer (two members, two apps), another Premier organization, a
// Standard customer, a support agent, a solutions architect and an admin.
type enterpriseWorld struct {
	env                            *apptest.Env
	org                            account.Organization
	owner, dev, outsider, standard *client.Client
	agent, architect, admin        *client.Client
	architectID, agentID           int64
}

func newEnterpriseWorld(t *testing.T, extra map[string]string) *enterpriseWorld {
	t.Helper()
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{Now: func() time.Time { return engT0 }, Env: extra})
	w := &enterpriseWorld{env: env}
	w.org = env.Org(t, "Acme Rockets", account.PlanPremier)
	for _, name := range []string{"acme-api", "acme-web"} {
		if _, err := env.App.Accounts.CreateApp(ctx, account.CLI(), w.org.ID, account.AppInput{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	w.owner = env.Client(t, env.Customer(t, "owner@acme.test", w.org, account.OrgOwner))
	w.dev = env.Client(t, env.Customer(t, "dev@acme.test", w.org, account.OrgMember))
	globex := env.Org(t, "Globex", account.PlanPremier)
	w.outsider = env.Client(t, env.Customer(t, "hank@globex.test", globex, account.OrgOwner))
	w.standard = env.Client(t, env.Customer(t, "peter@initech.test", env.Org(t, "Initech", account.PlanStandard), account.OrgOwner))
	agent := env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	architect := env.Staff(t, "casey@helpline.test", helpline.RoleCSA)
	w.agent, w.architect = env.Client(t, agent), env.Client(t, architect)
	w.agentID, w.architectID = agent.ID, architect.ID
	w.admin = env.Client(t, env.Staff(t, "admin@helpline.test", helpline.RoleAdmin))
	return w
}

func eventInput(days int) *client.EventInput {
	return &client.EventInput{
		Name: "Spring launch", StartsAt: engT0.AddDate(0, 0, days).In(time.FixedZone("EST", -5*3600)).Format(time.RFC3339), TimeZone: "America/New_York",
		PeakRPS: 5000, PeakConcurrentUsers: 40000, Apps: []string{"acme-api", "acme-web"},
		DynoFormation: "web=10:performance-l worker=4:standard-2x", DatabasePlan: "heroku-postgresql:premium-4",
		Concerns: "Our checkout has never seen this much traffic; we want the connection pool and autoscaling reviewed.",
	}
}

func performanceInput() *client.PerformanceInput {
	return &client.PerformanceInput{Apps: []string{"acme-api"},
		Symptoms: "p95 latency of the search endpoint grew from 200 ms to 900 ms over the last two weeks.",
		Metrics:  "p95=912ms p99=1840ms throughput=310rpm memory=480MB", Since: engT0.AddDate(0, 0, -14).Format(time.RFC3339)}
}

func architectureInput() *client.ArchitectureInput {
	return &client.ArchitectureInput{Goal: "Serve customers in Europe from the EU region", CurrentDesign: "One app in us with a Postgres primary and a Redis cache.",
		Constraints: "GDPR; no downtime longer than 5 minutes", Deadline: engT0.AddDate(0, 2, 0).Format("2006-01-02")}
}

// postJSON sends a raw body and returns the status and the decoded answer.
func postJSON(t *testing.T, c *client.Client, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, c.BaseURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode, out
}

// A Premier customer requests each kind; customers see their
// organization's engagements only, staff all of them; other plans are
// refused the portal and bad filters name their parameter.
func TestEngagementRequestsAPI(t *testing.T) {
	ctx := context.Background()
	w := newEnterpriseWorld(t, nil)

	event, err := w.owner.RequestEngagement(ctx, client.EngagementRequest{Kind: "event", Event: eventInput(30)})
	if err != nil {
		t.Fatal(err)
	}
	if event.State != "requested" || event.Title != "Event preparation: Spring launch" || event.Event == nil || event.Event.PeakRPS != 5000 ||
		event.EventAt == nil || !event.EventAt.Equal(engT0.AddDate(0, 0, 30)) || event.OrganizationName != "Acme Rockets" || event.Plan != "premier" {
		t.Fatalf("event engagement %+v", event)
	}
	perf, err := w.dev.RequestEngagement(ctx, client.EngagementRequest{Kind: "performance", Performance: performanceInput()})
	if err != nil {
		t.Fatal(err)
	}
	if perf.Performance == nil || perf.Performance.Apps[0] != "acme-api" || perf.Title != "Performance analysis: acme-api" {
		t.Fatalf("performance engagement %+v", perf)
	}
	arch, err := w.owner.RequestEngagement(ctx, client.EngagementRequest{Kind: "architecture", Architecture: architectureInput()})
	if err != nil {
		t.Fatal(err)
	}
	if arch.Architecture == nil || !strings.HasPrefix(arch.Title, "Architecture review: Serve customers") {
		t.Fatalf("architecture engagement %+v", arch)
	}

	// A colleague sees all three, with the event's reminders.
	list, err := w.dev.ListEngagements(ctx, client.EngagementFilter{})
	if err != nil || len(list) != 3 {
		t.Fatalf("colleague lists %d, %v", len(list), err)
	}
	d, err := w.dev.GetEngagement(ctx, event.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Reminders) != 2 || len(d.Activity) != 1 || d.Activity[0].Kind != "requested" || d.Apps != nil {
		t.Errorf("detail for a customer: reminders %+v, activity %+v, apps %+v", d.Reminders, d.Activity, d.Apps)
	}
	if d, err := w.agent.GetEngagement(ctx, event.ID); err != nil || len(d.Apps) != 2 {
		t.Errorf("staff detail: apps %+v, %v", d.Apps, err)
	}
	if list, err := w.owner.ListEngagements(ctx, client.EngagementFilter{Kind: "performance"}); err != nil || len(list) != 1 || list[0].ID != perf.ID {
		t.Errorf("kind filter: %+v, %v", list, err)
	}
	if list, err := w.architect.ListEngagements(ctx, client.EngagementFilter{State: "open", Owner: "none", OrganizationID: w.org.ID}); err != nil || len(list) != 3 {
		t.Errorf("the CSA queue lists %d, %v", len(list), err)
	}

	// Another organization sees nothing, and its ID lookups are not found.
	if list, err := w.outsider.ListEngagements(ctx, client.EngagementFilter{}); err != nil || len(list) != 0 {
		t.Errorf("another organization lists %+v, %v", list, err)
	}
	_, err = w.outsider.GetEngagement(ctx, event.ID)
	apiErr(t, err, 404, "not_found")
	_, err = w.owner.GetEngagement(ctx, 999999)
	apiErr(t, err, 404, "not_found")

	// A Standard customer is refused the portal, with the reason.
	_, err = w.standard.RequestEngagement(ctx, client.EngagementRequest{Kind: "event", Event: eventInput(30)})
	e := apiErr(t, err, 403, "forbidden")
	if !strings.Contains(e.Message, "Standard") || !strings.Contains(e.Message, "Premier") {
		t.Errorf("refusal %q", e.Message)
	}
	// Staff do not request; they convert tickets.
	_, err = w.architect.RequestEngagement(ctx, client.EngagementRequest{Kind: "event", Event: eventInput(30)})
	apiErr(t, err, 403, "forbidden")

	for _, tc := range []struct {
		f     client.EngagementFilter
		field string
	}{
		{client.EngagementFilter{State: "done"}, "state"},
		{client.EngagementFilter{Kind: "migration"}, "kind"},
		{client.EngagementFilter{Owner: "bob"}, "owner"},
		{client.EngagementFilter{Page: client.Page{Limit: 500}}, "limit"},
	} {
		_, err := w.architect.ListEngagements(ctx, tc.f)
		if e := apiErr(t, err, 422, "invalid"); e.Fields[tc.field] == "" {
			t.Errorf("filter %+v: fields %v, want %s", tc.f, e.Fields, tc.field)
		}
	}
	if e := rawCall(t, w.architect, "GET", "/api/v1/engagements?organization_id=acme", ""); e == nil || e.Fields["organization_id"] == "" {
		t.Errorf("organization_id filter: %+v", e)
	}
}

// Malformed JSON, unknown fields, wrong types and unknown values are
// refused, each naming what to fix; nothing is stored.
func TestEngagementRequestErrorsAPI(t *testing.T) {
	ctx := context.Background()
	w := newEnterpriseWorld(t, nil)
	for _, tc := range []struct {
		name, body string
		field      string // "" when the message says it
		want       string
	}{
		{"malformed", `{"kind": "event", "event": {`, "", "malformed JSON"},
		{"not an object", `["event"]`, "", "JSON object"},
		{"unknown field", `{"kind": "event", "colour": "blue"}`, "colour", "not a known field"},
		// encoding/json names an unknown field without its path.
		{"unknown nested field", `{"kind": "event", "event": {"name": "Launch", "venue": "Berlin"}}`, "venue", "not a known field"},
		{"wrong type", `{"kind": "event", "event": {"peak_rps": "lots"}}`, "event.peak_rps", "must be a number"},
		{"wrong type of list", `{"kind": "performance", "performance": {"apps": "acme-api"}}`, "performance.apps", "must be an array"},
		{"unknown kind", `{"kind": "migration"}`, "kind", "must be event, performance or architecture"},
		{"missing form", `{"kind": "architecture"}`, "architecture", "is required"},
		{"empty form", `{"kind": "event", "event": {}}`, "event.name", "is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := rawCall(t, w.owner, "POST", "/api/v1/engagements", tc.body)
			if e == nil || e.Status != 422 || e.Code != "invalid" {
				t.Fatalf("answer %+v, want 422 invalid", e)
			}
			got := e.Message
			if tc.field != "" {
				got = e.Fields[tc.field]
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("%s: %q, want %q (%+v)", tc.field, got, tc.want, e)
			}
		})
	}
	list, err := w.agent.ListEngagements(ctx, client.EngagementFilter{})
	if err != nil || len(list) != 0 {
		t.Errorf("%d engagements stored from invalid requests, %v", len(list), err)
	}
}

// A request that reads like an outage is answered 422 break_fix with the
// signals and the urgent ticket filled in; the ticket opens as it is once
// completed, and the request is accepted when confirmed not an outage.
func TestEngagementBreakFixAPI(t *testing.T) {
	ctx := context.Background()
	w := newEnterpriseWorld(t, nil)
	in := client.EngagementRequest{Kind: "performance", Performance: &client.PerformanceInput{
		Apps:     []string{"acme-api"},
		Symptoms: "Checkout is down: we get H12 timeouts and 500s on every request.",
		Metrics:  `at=error code=H12 desc="Request timeout" path="/checkout" service=30000ms status=503`,
		Since:    engT0.Add(-20 * time.Minute).Format(time.RFC3339),
	}}
	_, err := w.owner.RequestEngagement(ctx, in)
	e, ok := client.BreakFix(err)
	if !ok {
		t.Fatalf("error %v, want a break/fix refusal", err)
	}
	if e.Status != 422 || !strings.Contains(e.Message, "urgent ticket") || !strings.Contains(e.Hint, `"not_break_fix": true`) || !strings.Contains(e.Hint, "/api/v1/tickets") {
		t.Errorf("refusal %d %q, hint %q", e.Status, e.Message, e.Hint)
	}
	for field, want := range map[string]string{"performance.symptoms": "H12", "performance.metrics": "H12", "performance.since": "within the hour"} {
		if !strings.Contains(e.Fields[field], want) {
			t.Errorf("signal on %s: %q, want %q", field, e.Fields[field], want)
		}
	}
	tk := e.UrgentTicket
	if tk == nil || tk.Priority != "urgent" || tk.OrganizationID != w.org.ID || tk.AppID == 0 || tk.Environment != "production" ||
		!strings.Contains(tk.Description, "Checkout is down") || tk.Urgent == nil || !strings.Contains(tk.Urgent.Logs, "code=H12") || tk.Urgent.StartedAt == "" {
		t.Fatalf("urgent ticket %+v", tk)
	}
	// The raw answer has the shape the OpenAPI document promises.
	body, _ := json.Marshal(in)
	status, raw := postJSON(t, w.owner, "POST", "/api/v1/engagements", string(body))
	if errObj, _ := raw["error"].(map[string]any); status != 422 || errObj["code"] != "break_fix" || raw["urgent_ticket"] == nil {
		t.Errorf("raw answer %d %v", status, raw)
	}
	if list, err := w.owner.ListEngagements(ctx, client.EngagementFilter{}); err != nil || len(list) != 0 {
		t.Fatalf("a refused request was stored: %+v, %v", list, err)
	}

	// The customer completes the urgent questions and opens the ticket.
	yes, no := true, false
	tk.Urgent.AccessGranted, tk.Urgent.SeenInStaging = &yes, &no
	tk.Urgent.UsersAffected, tk.Urgent.BusinessImpact = "every shopper, about 20,000", "no orders can be placed"
	tk.Urgent.StepsToReproduce, tk.Urgent.EnvironmentDifferences = "open /checkout", "staging has one dyno"
	tk.Urgent.Config, tk.Urgent.ThirdPartyServices = "WEB_CONCURRENCY=2", "Stripe"
	opened, err := w.owner.CreateTicket(ctx, *tk)
	if err != nil {
		t.Fatalf("opening the prefilled urgent ticket: %v", err)
	}
	if opened.Priority != "urgent" || opened.AppName != "acme-api" {
		t.Errorf("urgent ticket %+v", opened)
	}

	// Or: not an outage after all.
	in.NotBreakFix = true
	eng, err := w.owner.RequestEngagement(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(eng.BreakFixSignals) != 3 {
		t.Errorf("signals kept: %+v", eng.BreakFixSignals)
	}
}

// The CSA team works an engagement: owner, meetings, states, messages,
// internal notes, deliverables; customers see what is theirs to see.
func TestEngagementLifecycleAPI(t *testing.T) {
	ctx := context.Background()
	w := newEnterpriseWorld(t, map[string]string{"HELPLINE_MAX_ATTACHMENT_BYTES": "4096"})
	e, err := w.owner.RequestEngagement(ctx, client.EngagementRequest{Kind: "event", Event: eventInput(30)})
	if err != nil {
		t.Fatal(err)
	}

	archs, err := w.agent.Architects(ctx)
	if err != nil || len(archs) != 2 || archs[0].ID != w.architectID || archs[0].StaffRole != "csa" || archs[1].StaffRole != "admin" {
		t.Fatalf("architects %+v, %v", archs, err)
	}
	_, err = w.owner.Architects(ctx)
	apiErr(t, err, 403, "forbidden")

	// Owner: support agents do not own engagements; customers cannot assign.
	_, err = w.architect.AssignEngagement(ctx, e.ID, w.agentID)
	if ae := apiErr(t, err, 422, "invalid"); ae.Fields["owner_id"] == "" {
		t.Errorf("agent as owner: %+v", ae)
	}
	_, err = w.owner.AssignEngagement(ctx, e.ID, w.architectID)
	apiErr(t, err, 403, "forbidden")
	got, err := w.architect.AssignEngagement(ctx, e.ID, w.architectID)
	if err != nil || got.OwnerID == nil || *got.OwnerID != w.architectID || got.OwnerName != "casey" {
		t.Fatalf("assign: %+v, %v", got, err)
	}
	if list, err := w.architect.ListEngagements(ctx, client.EngagementFilter{Owner: "me"}); err != nil || len(list) != 1 {
		t.Errorf("owner=me lists %d, %v", len(list), err)
	}

	// The first meeting schedules the engagement; a meeting moves.
	m, err := w.architect.AddMeeting(ctx, e.ID, client.MeetingInput{Title: "Kick-off", StartsAt: "2026-03-05T10:00", TimeZone: "Europe/Berlin", DurationMinutes: 45})
	if err != nil {
		t.Fatal(err)
	}
	if !m.StartsAt.Equal(time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)) || m.DurationMinutes != 45 || m.TimeZone != "Europe/Berlin" {
		t.Errorf("meeting %+v", m)
	}
	_, err = w.architect.AddMeeting(ctx, e.ID, client.MeetingInput{Title: "Kick-off", StartsAt: "tomorrow", DurationMinutes: 1000})
	if ae := apiErr(t, err, 422, "invalid"); ae.Fields["starts_at"] == "" || ae.Fields["duration_minutes"] == "" {
		t.Errorf("bad meeting: %+v", ae)
	}
	moved, err := w.architect.UpdateMeeting(ctx, e.ID, m.ID, client.MeetingInput{Title: "Kick-off", StartsAt: "2026-03-06T10:00:00Z", Notes: "Bring the load-test results."})
	if err != nil || !moved.StartsAt.Equal(time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC)) || moved.Notes == "" {
		t.Errorf("moved meeting %+v, %v", moved, err)
	}
	_, err = w.architect.UpdateMeeting(ctx, e.ID, 999999, client.MeetingInput{Title: "Kick-off", StartsAt: "2026-03-06T10:00:00Z"})
	apiErr(t, err, 404, "not_found")
	_, err = w.owner.AddMeeting(ctx, e.ID, client.MeetingInput{Title: "Kick-off", StartsAt: "2026-03-06T10:00:00Z"})
	apiErr(t, err, 403, "forbidden")

	// States: forward, an invalid move (409 naming the allowed ones), an
	// unknown state, a PATCH with nothing in it.
	d, err := w.owner.GetEngagement(ctx, e.ID)
	if err != nil || d.State != "scheduled" || len(d.Meetings) != 1 {
		t.Fatalf("after the first meeting: state %q, meetings %+v, %v", d.State, d.Meetings, err)
	}
	if got, err = w.architect.SetEngagementState(ctx, e.ID, "in_progress", "Reviewing the formation."); err != nil || got.State != "in_progress" {
		t.Fatalf("to in_progress: %+v, %v", got, err)
	}
	_, err = w.architect.SetEngagementState(ctx, e.ID, "requested", "")
	if ae := apiErr(t, err, 409, "conflict"); !strings.Contains(ae.Fields["state"], "delivered") {
		t.Errorf("invalid move: %+v", ae)
	}
	_, err = w.architect.SetEngagementState(ctx, e.ID, "done", "")
	if ae := apiErr(t, err, 422, "invalid"); ae.Fields["state"] == "" {
		t.Errorf("unknown state: %+v", ae)
	}
	_, err = w.owner.SetEngagementState(ctx, e.ID, "delivered", "")
	apiErr(t, err, 403, "forbidden")
	if ae := rawCall(t, w.architect, "PATCH", fmt.Sprintf("/api/v1/engagements/%d", e.ID), `{}`); ae == nil || ae.Status != 422 || ae.Fields["state"] == "" {
		t.Errorf("empty PATCH: %+v", ae)
	}
	if ae := rawCall(t, w.architect, "PATCH", fmt.Sprintf("/api/v1/engagements/%d", e.ID), `{"note": "hello"}`); ae == nil || ae.Fields["note"] == "" {
		t.Errorf("a note without a state: %+v", ae)
	}
	if ae := rawCall(t, w.architect, "PATCH", fmt.Sprintf("/api/v1/engagements/%d", e.ID), `{"owner_id": "casey"}`); ae == nil || !strings.Contains(ae.Fields["owner_id"], "number") {
		t.Errorf("owner_id of the wrong type: %+v", ae)
	}

	// Messages: the customer's, the CSA's reply, an internal note.
	if _, err := w.owner.CommentEngagement(ctx, e.ID, "Can we also look at the Redis plan?", false); err != nil {
		t.Fatal(err)
	}
	_, err = w.owner.CommentEngagement(ctx, e.ID, "psst", true)
	if ae := apiErr(t, err, 422, "invalid"); ae.Fields["internal"] == "" {
		t.Errorf("customer internal note: %+v", ae)
	}
	_, err = w.owner.CommentEngagement(ctx, e.ID, "  ", false)
	if ae := apiErr(t, err, 422, "invalid"); ae.Fields["body"] == "" {
		t.Errorf("empty comment: %+v", ae)
	}
	note, err := w.architect.CommentEngagement(ctx, e.ID, "Their pool size is far too small for 5k rps.", true)
	if err != nil || !note.Internal {
		t.Fatalf("internal note %+v, %v", note, err)
	}
	if _, err := w.architect.CommentEngagement(ctx, e.ID, "Yes: Redis is on the agenda.", false); err != nil {
		t.Fatal(err)
	}
	_, err = w.outsider.CommentEngagement(ctx, e.ID, "hello", false)
	apiErr(t, err, 404, "not_found")
	hasNote := func(d client.EngagementDetail) bool {
		for _, a := range d.Activity {
			if a.Internal || strings.Contains(a.Body, "pool size") {
				return true
			}
		}
		return false
	}
	if d, err := w.dev.GetEngagement(ctx, e.ID); err != nil || hasNote(d) {
		t.Errorf("the customer sees the internal note (%v): %+v", err, d.Activity)
	}
	if d, err := w.agent.GetEngagement(ctx, e.ID); err != nil || !hasNote(d) {
		t.Errorf("staff miss the internal note (%v)", err)
	}

	// Deliverables: an article and a file, downloaded by the customer.
	art, err := w.admin.CreateArticle(ctx, client.ArticleInput{Title: "Launch checklist for Acme", Summary: "What to check before the launch.",
		Body: "# Checklist\n\nScale before the peak.\n", Section: "knowledge-base", Audience: "enterprise", Status: "published"})
	if err != nil {
		t.Fatal(err)
	}
	da, err := w.architect.DeliverArticle(ctx, e.ID, "", art.Slug)
	if err != nil || da.Kind != "article" || da.Title != art.Title || da.ArticleURL != "/docs/"+art.Slug {
		t.Fatalf("article deliverable %+v, %v", da, err)
	}
	_, err = w.architect.DeliverArticle(ctx, e.ID, "", "no-such-article")
	if ae := apiErr(t, err, 422, "invalid"); ae.Fields["article_slug"] == "" {
		t.Errorf("unknown article: %+v", ae)
	}
	report := "Load test plan\n\n1. Ramp to 5,000 rps over 10 minutes.\n"
	df, err := w.architect.DeliverFile(ctx, e.ID, "Load test plan", "../plan.txt", strings.NewReader(report))
	if err != nil {
		t.Fatal(err)
	}
	if df.Kind != "file" || df.Title != "Load test plan" || df.Filename != "plan.txt" || !strings.HasPrefix(df.ContentType, "text/plain") || df.Size != int64(len(report)) {
		t.Errorf("file deliverable %+v", df)
	}
	_, err = w.owner.DeliverFile(ctx, e.ID, "", "mine.txt", strings.NewReader("hello"))
	apiErr(t, err, 403, "forbidden")
	_, err = w.outsider.DeliverFile(ctx, e.ID, "", "mine.txt", strings.NewReader("hello"))
	apiErr(t, err, 404, "not_found")
	_, err = w.architect.DeliverFile(ctx, e.ID, "", "big.bin", bytes.NewReader(make([]byte, 8192)))
	if ae := apiErr(t, err, 422, "invalid"); ae.Fields["file"] == "" {
		t.Errorf("file over the limit: %+v", ae)
	}
	if ae := rawCall(t, w.architect, "POST", fmt.Sprintf("/api/v1/engagements/%d/deliverables", e.ID), `{"title": "x", "file": "plan.txt"}`); ae == nil || ae.Fields["file"] != "is not a known field" {
		t.Errorf("a file in JSON: %+v", ae)
	}
	f, err := w.dev.DownloadDeliverable(ctx, df.ID)
	if err != nil || string(f.Data) != report || f.Filename != "plan.txt" || !strings.HasPrefix(f.ContentType, "text/plain") {
		t.Errorf("download %+v, %v", f, err)
	}
	_, err = w.outsider.DownloadDeliverable(ctx, df.ID)
	apiErr(t, err, 404, "not_found")
	_, err = w.dev.DownloadDeliverable(ctx, da.ID)
	apiErr(t, err, 404, "not_found") // an article has no file
	if d, err := w.owner.GetEngagement(ctx, e.ID); err != nil || len(d.Deliverables) != 2 {
		t.Errorf("deliverables %+v, %v", d.Deliverables, err)
	}

	// Delivered, then closed with a note the customer reads.
	if _, err := w.architect.SetEngagementState(ctx, e.ID, "delivered", ""); err != nil {
		t.Fatal(err)
	}
	_, err = w.architect.SetEngagementState(ctx, e.ID, "closed", "")
	if ae := apiErr(t, err, 422, "invalid"); ae.Fields["note"] == "" {
		t.Errorf("closing without a note: %+v", ae)
	}
	closed, err := w.architect.UpdateEngagement(ctx, e.ID, client.EngagementUpdate{State: "closed", Note: "Launch went well; closing."})
	if err != nil || closed.State != "closed" || closed.ClosedAt == nil {
		t.Fatalf("closed %+v, %v", closed, err)
	}
	_, err = w.owner.CommentEngagement(ctx, e.ID, "Thanks!", false)
	apiErr(t, err, 409, "conflict")

	// A customer withdraws a request nobody started on; only once.
	arch, err := w.owner.RequestEngagement(ctx, client.EngagementRequest{Kind: "architecture", Architecture: architectureInput()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.outsider.WithdrawEngagement(ctx, arch.ID, "")
	apiErr(t, err, 404, "not_found")
	wd, err := w.dev.WithdrawEngagement(ctx, arch.ID, "We found the answer in the docs.")
	if err != nil || wd.State != "closed" {
		t.Fatalf("withdraw %+v, %v", wd, err)
	}
	_, err = w.dev.WithdrawEngagement(ctx, arch.ID, "")
	apiErr(t, err, 409, "conflict")
}

// An engagement becomes a ticket and a ticket an engagement, with one
// call each and the link kept on both sides.
func TestEngagementConversionAPI(t *testing.T) {
	ctx := context.Background()
	w := newEnterpriseWorld(t, nil)
	perf, err := w.owner.RequestEngagement(ctx, client.EngagementRequest{Kind: "performance", Performance: performanceInput()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.architect.EngagementToTicket(ctx, perf.ID, "urgent", "This is an outage, Support takes it.")
	if ae := apiErr(t, err, 422, "invalid"); ae.Fields["priority"] == "" {
		t.Errorf("urgent conversion: %+v", ae)
	}
	_, err = w.architect.EngagementToTicket(ctx, perf.ID, "", "short")
	if ae := apiErr(t, err, 422, "invalid"); ae.Fields["note"] == "" {
		t.Errorf("short note: %+v", ae)
	}
	_, err = w.agent.EngagementToTicket(ctx, perf.ID, "", "Support takes this one from here.")
	apiErr(t, err, 403, "forbidden")
	tk, err := w.architect.EngagementToTicket(ctx, perf.ID, "", "The latency is a memory leak after a deploy: Support takes it.")
	if err != nil {
		t.Fatal(err)
	}
	if tk.Priority != "high" || tk.OrganizationID != w.org.ID || tk.RequesterName != "owner" || !strings.Contains(tk.Description, "p95 latency") || tk.URL == "" {
		t.Errorf("ticket %+v", tk)
	}
	if got, err := w.owner.GetTicket(ctx, tk.ID); err != nil || got.Number != tk.Number {
		t.Errorf("the customer's ticket: %+v, %v", got, err)
	}
	d, err := w.owner.GetEngagement(ctx, perf.ID)
	if err != nil || d.State != "closed" || d.TicketNumber == nil || *d.TicketNumber != tk.Number {
		t.Fatalf("converted engagement %+v, %v", d.Engagement, err)
	}
	_, err = w.architect.EngagementToTicket(ctx, perf.ID, "", "Once more, with feeling.")
	apiErr(t, err, 409, "conflict")

	// A ticket that is really a launch to prepare goes the other way.
	launch, err := w.dev.CreateTicket(ctx, client.NewTicket{Subject: "Help us prepare Black Friday", Description: "We expect ten times the usual traffic on Black Friday and want a review of our setup.",
		Priority: "normal", App: "acme-web", Environment: "production", Category: "other"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.dev.TicketToEngagement(ctx, launch.ID, "event", "Moving this to the architects.")
	apiErr(t, err, 403, "forbidden")
	_, err = w.agent.TicketToEngagement(ctx, launch.ID, "migration", "Moving this to the architects.")
	if ae := apiErr(t, err, 422, "invalid"); ae.Fields["kind"] == "" {
		t.Errorf("unknown kind: %+v", ae)
	}
	_, err = w.agent.TicketToEngagement(ctx, 999999, "event", "Moving this to the architects.")
	apiErr(t, err, 404, "not_found")
	eng, err := w.architect.TicketToEngagement(ctx, launch.ID, "event", "The solutions architects prepare launches with you; this continues as an engagement.")
	if err != nil {
		t.Fatal(err)
	}
	if eng.FromTicketNumber == nil || *eng.FromTicketNumber != launch.Number || eng.Kind != "event" || eng.OwnerID == nil || *eng.OwnerID != w.architectID ||
		!strings.Contains(eng.Summary, "ten times the usual traffic") {
		t.Errorf("engagement from a ticket %+v", eng)
	}
	if got, err := w.dev.GetTicket(ctx, launch.ID); err != nil || got.Status != "solved" {
		t.Errorf("the handed-off ticket: %+v, %v", got.Status, err)
	}

	// Tickets of other plans do not become engagements.
	std, err := w.standard.CreateTicket(ctx, client.NewTicket{Subject: "Review our design", Description: "Could someone review how we use Postgres and Redis together?",
		Priority: "low", Environment: "production", Category: "other"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.agent.TicketToEngagement(ctx, std.ID, "architecture", "Moving this to the architects.")
	apiErr(t, err, 409, "conflict")
}

// The CSA team curates collections; customers of enterprise plans read
// them, with every enterprise article beside them.
func TestEnterpriseCollectionsAPI(t *testing.T) {
	ctx := context.Background()
	w := newEnterpriseWorld(t, nil)
	var slugs []string
	for _, title := range []string{"Scaling dynos ahead of a launch", "Connection pooling with PgBouncer", "Load testing without hurting production"} {
		a, err := w.admin.CreateArticle(ctx, client.ArticleInput{Title: title, Summary: "For enterprise customers.", Body: "# " + title + "\n\nText.\n",
			Section: "knowledge-base", Audience: "enterprise", Status: "published"})
		if err != nil {
			t.Fatal(err)
		}
		slugs = append(slugs, a.Slug)
	}
	draft, err := w.admin.CreateArticle(ctx, client.ArticleInput{Title: "Unfinished capacity guide", Summary: "Draft.", Body: "# Draft\n", Section: "knowledge-base", Audience: "enterprise", Status: "draft"})
	if err != nil {
		t.Fatal(err)
	}

	_, err = w.owner.CreateCollection(ctx, client.CollectionInput{Title: "Mine"})
	apiErr(t, err, 403, "forbidden")
	_, err = w.architect.CreateCollection(ctx, client.CollectionInput{Title: "x"})
	if ae := apiErr(t, err, 422, "invalid"); ae.Fields["title"] == "" {
		t.Errorf("short title: %+v", ae)
	}
	launch, err := w.architect.CreateCollection(ctx, client.CollectionInput{Title: "Preparing for a launch", Description: "Read these a month ahead.", Position: 2})
	if err != nil || launch.Slug != "preparing-for-a-launch" || len(launch.Items) != 0 {
		t.Fatalf("collection %+v, %v", launch, err)
	}
	data, err := w.architect.CreateCollection(ctx, client.CollectionInput{Title: "Data at scale", Position: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append(slugs, draft.Slug) {
		if launch, err = w.architect.AddCollectionItem(ctx, launch.ID, s, ""); err != nil {
			t.Fatal(err)
		}
	}
	_, err = w.architect.AddCollectionItem(ctx, launch.ID, slugs[0], "again")
	apiErr(t, err, 409, "conflict")
	_, err = w.architect.AddCollectionItem(ctx, launch.ID, "no-such-article", "")
	if ae := apiErr(t, err, 422, "invalid"); ae.Fields["article_slug"] == "" {
		t.Errorf("unknown article: %+v", ae)
	}
	order := func(c client.Collection) string {
		var s []string
		for _, it := range c.Items {
			s = append(s, it.Slug)
		}
		return strings.Join(s, " ")
	}
	if got, want := order(launch), strings.Join(append(slugs, draft.Slug), " "); got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
	third := launch.Items[2].ArticleID
	if launch, err = w.architect.MoveCollectionItem(ctx, launch.ID, third, "up"); err != nil {
		t.Fatal(err)
	}
	if got, want := order(launch), strings.Join([]string{slugs[0], slugs[2], slugs[1], draft.Slug}, " "); got != want {
		t.Errorf("after moving up: %q, want %q", got, want)
	}
	if launch, err = w.architect.MoveCollectionItem(ctx, launch.ID, launch.Items[0].ArticleID, "up"); err != nil || launch.Items[0].Slug != slugs[0] {
		t.Errorf("moving the first up: %q, %v", order(launch), err)
	}
	_, err = w.architect.MoveCollectionItem(ctx, launch.ID, third, "sideways")
	if ae := apiErr(t, err, 422, "invalid"); ae.Fields["direction"] == "" {
		t.Errorf("bad direction: %+v", ae)
	}
	if launch, err = w.architect.RemoveCollectionItem(ctx, launch.ID, third); err != nil || len(launch.Items) != 3 {
		t.Fatalf("remove: %q, %v", order(launch), err)
	}
	_, err = w.architect.RemoveCollectionItem(ctx, launch.ID, third)
	apiErr(t, err, 404, "not_found")
	title := "Before a launch"
	if launch, err = w.architect.UpdateCollection(ctx, launch.ID, client.CollectionUpdate{Title: &title}); err != nil || launch.Title != title || launch.Description != "Read these a month ahead." || launch.Position != 2 {
		t.Errorf("rename: %+v, %v", launch, err)
	}
	pos := 0
	if launch, err = w.architect.UpdateCollection(ctx, launch.ID, client.CollectionUpdate{Position: &pos}); err != nil || launch.Position != 0 {
		t.Errorf("reorder: %+v, %v", launch, err)
	}

	// Staff see drafts in collections; customers do not (nor a collection
	// of drafts only), and see every published enterprise article beside
	// the collections.
	res, err := w.dev.EnterpriseResources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Collections) != 1 || res.Collections[0].ID != launch.ID {
		t.Fatalf("collections %+v", res.Collections)
	}
	if got := order(res.Collections[0]); got != slugs[0]+" "+slugs[1] {
		t.Errorf("customer's items %q (the draft is hidden)", got)
	}
	if len(res.Resources) != 3 {
		t.Errorf("resources %d, want 3 published enterprise articles", len(res.Resources))
	}
	if staff, err := w.agent.EnterpriseResources(ctx); err != nil || len(staff.Collections[0].Items) != 3 {
		t.Errorf("staff items %+v, %v", staff.Collections, err)
	}
	_, err = w.standard.EnterpriseResources(ctx)
	apiErr(t, err, 403, "forbidden")

	if err := w.owner.DeleteCollection(ctx, data.ID); apiStatus(err) != 403 {
		t.Errorf("customer delete: %v", err)
	}
	if err := w.architect.DeleteCollection(ctx, data.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.architect.DeleteCollection(ctx, data.ID); apiStatus(err) != 404 {
		t.Errorf("delete twice: %v", err)
	}
	_, err = w.architect.UpdateCollection(ctx, data.ID, client.CollectionUpdate{Title: &title})
	apiErr(t, err, 404, "not_found")
}

// The staff calendar lists customers' events and meetings in a range,
// soonest first.
func TestCalendarAPI(t *testing.T) {
	ctx := context.Background()
	w := newEnterpriseWorld(t, nil)
	e, err := w.owner.RequestEngagement(ctx, client.EngagementRequest{Kind: "event", Event: eventInput(10)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.architect.AddMeeting(ctx, e.ID, client.MeetingInput{Title: "Capacity review", StartsAt: engT0.AddDate(0, 0, 5).Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	far, err := w.owner.RequestEngagement(ctx, client.EngagementRequest{Kind: "event", Event: eventInput(60)})
	if err != nil {
		t.Fatal(err)
	}

	cal, err := w.agent.Calendar(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !cal.From.Equal(engT0) || !cal.To.Equal(engT0.AddDate(0, 0, 30)) {
		t.Errorf("default range %s to %s", cal.From, cal.To)
	}
	if len(cal.Entries) != 2 || cal.Entries[0].Kind != "meeting" || cal.Entries[1].Kind != "event" || cal.Entries[1].Title != "Spring launch" ||
		cal.Entries[1].EngagementID != e.ID || cal.Entries[1].OrganizationName != "Acme Rockets" || !strings.Contains(cal.Entries[1].Detail, "5,000 rps") {
		t.Fatalf("entries %+v", cal.Entries)
	}
	// Days: to includes its whole day.
	day := engT0.AddDate(0, 0, 60).Format("2006-01-02")
	cal, err = w.architect.Calendar(ctx, engT0.AddDate(0, 0, 20).Format("2006-01-02"), day)
	if err != nil || len(cal.Entries) != 1 || cal.Entries[0].EngagementID != far.ID {
		t.Errorf("a later range: %+v, %v", cal.Entries, err)
	}
	cal, err = w.architect.Calendar(ctx, engT0.AddDate(0, 0, 4).Format(time.RFC3339), engT0.AddDate(0, 0, 6).Format(time.RFC3339))
	if err != nil || len(cal.Entries) != 1 || cal.Entries[0].Kind != "meeting" {
		t.Errorf("RFC 3339 range: %+v, %v", cal.Entries, err)
	}
	for _, tc := range []struct{ from, to, field string }{
		{"next week", "", "from"},
		{"", "2026-13-01", "to"},
		{"2026-04-01", "2026-03-01", "to"},
		{"2026-01-01", "2028-01-01", "to"},
	} {
		_, err := w.agent.Calendar(ctx, tc.from, tc.to)
		if ae := apiErr(t, err, 422, "invalid"); ae.Fields[tc.field] == "" {
			t.Errorf("from %q to %q: %+v, want a message on %s", tc.from, tc.to, ae, tc.field)
		}
	}
	_, err = w.owner.Calendar(ctx, "", "")
	apiErr(t, err, 403, "forbidden")
}

// The event moves: PUT replaces the request's form, the kind stays, an
// outsider gets 404 and a malformed body names the field.
func TestEngagementEditAPI(t *testing.T) {
	ctx := context.Background()
	w := newEnterpriseWorld(t, nil)
	e, err := w.owner.RequestEngagement(ctx, client.EngagementRequest{Kind: "event", Event: eventInput(30)})
	if err != nil {
		t.Fatal(err)
	}
	moved := eventInput(37)
	moved.PeakRPS = 8000
	got, err := w.dev.UpdateEngagementRequest(ctx, e.ID, client.EngagementRequest{Kind: "event", Event: moved})
	if err != nil {
		t.Fatal(err)
	}
	if got.Event == nil || got.Event.PeakRPS != 8000 || got.EventAt == nil || got.EventAt.Sub(*e.EventAt) != 7*24*time.Hour {
		t.Fatalf("after the edit %+v", got)
	}
	d, err := w.owner.GetEngagement(ctx, e.ID)
	if err != nil || len(d.Reminders) != 2 || !d.Reminders[1].DueAt.Equal(got.EventAt.Add(-24*time.Hour)) {
		t.Errorf("reminders %+v, %v", d.Reminders, err)
	}
	if _, err := w.outsider.UpdateEngagementRequest(ctx, e.ID, client.EngagementRequest{Kind: "event", Event: moved}); apiStatus(err) != 404 {
		t.Errorf("outsider: %v", err)
	}
	if _, err := w.agent.UpdateEngagementRequest(ctx, e.ID, client.EngagementRequest{Kind: "event", Event: moved}); apiStatus(err) != 403 {
		t.Errorf("support agent: %v", err)
	}
	_, err = w.owner.UpdateEngagementRequest(ctx, e.ID, client.EngagementRequest{Kind: "architecture", Architecture: architectureInput()})
	if ce, ok := err.(*client.Error); !ok || ce.Status != 422 || !strings.Contains(ce.Fields["kind"], "cannot change") {
		t.Errorf("changing the kind: %v", err)
	}
	status, body := postJSON(t, w.owner, "PUT", fmt.Sprintf("/api/v1/engagements/%d/request", e.ID), `{"kind": "event", "event": {"peak_rps": "many"}}`)
	if fields, _ := body["error"].(map[string]any)["fields"].(map[string]any); status != 422 || fields["event.peak_rps"] == nil {
		t.Errorf("wrong type: %d %v", status, body)
	}
}
