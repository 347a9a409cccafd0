package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
)

// engT0 is the server's clock in these tests; events are weeks after it.
var engT0 = time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)

// enterpriseCLI is a running server with a Premier customer, a Standard
// customer, a support agent and a solutions architect, and the CLI
// environments that act as each.
type enterpriseCLI struct {
	env                                  *apptest.Env
	customer, standard, agent, architect map[string]string
	customerAPI, architectAPI            *client.Client
}

func newEnterpriseCLI(t *testing.T) *enterpriseCLI {
	t.Helper()
	env := apptest.New(t, apptest.Options{Now: func() time.Time { return engT0 }})
	org := env.Org(t, "Acme Rockets", account.PlanPremier)
	for _, name := range []string{"acme-api", "acme-web"} {
		if _, err := env.App.Accounts.CreateApp(context.Background(), account.CLI(), org.ID, account.AppInput{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	as := func(c *client.Client) map[string]string {
		return map[string]string{"HELPLINE_URL": env.URL, "HELPLINE_TOKEN": c.Token}
	}
	cust := env.Client(t, env.Customer(t, "alice@acme.test", org, account.OrgOwner))
	arch := env.Client(t, env.Staff(t, "casey@helpline.test", helpline.RoleCSA))
	return &enterpriseCLI{
		env:          env,
		customer:     as(cust),
		standard:     as(env.Client(t, env.Customer(t, "peter@initech.test", env.Org(t, "Initech", account.PlanStandard), account.OrgOwner))),
		agent:        as(env.Client(t, env.Staff(t, "sam@helpline.test", helpline.RoleAgent))),
		architect:    as(arch),
		customerAPI:  cust,
		architectAPI: arch,
	}
}

var requestedRE = regexp.MustCompile(`Requested engagement (\d+): `)

func requested(t *testing.T, r result) string {
	t.Helper()
	m := requestedRE.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no engagement in:\n%s", r)
	}
	return m[1]
}

// failing runs a command that has to fail with code, saying each of want
// on stderr.
func failing(t *testing.T, env map[string]string, stdin string, code int, want []string, args ...string) result {
	t.Helper()
	r := runIn(t, env, stdin, args...)
	if r.code != code {
		t.Fatalf("helpline %s: exit %d, want %d\n%s", strings.Join(args, " "), r.code, code, r)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("helpline %s: stderr lacks %q\n%s", strings.Join(args, " "), w, r)
		}
	}
	return r
}

// A customer requests event preparation from the command line, lists and
// shows it; the CSA team assigns it, schedules a meeting, moves it along
// and sees it on the calendar.
func TestEngagementCommands(t *testing.T) {
	w := newEnterpriseCLI(t)
	start := engT0.AddDate(0, 0, 20).In(time.UTC).Format("2006-01-02T15:04")
	event := []string{"engagement", "request", "event", "--name", "Spring launch", "--starts-at", start, "--time-zone", "UTC",
		"--peak-rps", "5000", "--peak-users", "40000", "--app", "acme-api", "--app", "acme-web",
		"--dynos", "web=10:performance-l worker=4:standard-2x", "--database", "heroku-postgresql:premium-4", "--concerns-file", "-"}
	r := mustRunIn(t, w.customer, "Our checkout has never seen this much traffic;\nwe want the pool reviewed.\n", event...)
	id := requested(t, r)
	if !strings.Contains(r.stdout, "Event preparation: Spring launch") || !strings.Contains(r.stdout, "helpline engagement show "+id) {
		t.Errorf("request:\n%s", r)
	}

	r = mustRun(t, w.customer, "engagement", "list")
	for _, want := range []string{"ID", "STATE", id, "requested", "event", "Acme Rockets", engT0.AddDate(0, 0, 20).Format("2006-01-02 15:04 UTC"), "Event preparation: Spring launch"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("list lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := mustRun(t, w.customer, "engagement", "list", "--kind", "performance"); !strings.Contains(r.stdout, "No engagements.") {
		t.Errorf("kind filter:\n%s", r.stdout)
	}
	r = mustRun(t, w.customer, "engagement", "list", "--json")
	if !strings.Contains(r.stdout, `"engagements": [`) || !strings.Contains(r.stdout, `"peak_rps": 5000`) {
		t.Errorf("list --json:\n%s", r.stdout)
	}
	failing(t, w.customer, "", 1, []string{"--state: must be open, requested"}, "engagement", "list", "--state", "done")

	r = mustRun(t, w.customer, "engagement", "show", id)
	for _, want := range []string{"Engagement " + id + ": Event preparation: Spring launch", "State:        requested", "Kind:         High-traffic event preparation",
		"Organization: Acme Rockets (premier)", "Peak:         5,000 requests per second, 40,000 users at once", "Apps:         acme-api, acme-web",
		"Concerns:\n  Our checkout has never seen this much traffic;\n  we want the pool reviewed.", "Reminders\n  a week before:", "Activity", "alice", "requested it"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := mustRun(t, w.customer, "engagement", "show", "--json", id); !strings.Contains(r.stdout, `"reminders": [`) {
		t.Errorf("show --json:\n%s", r.stdout)
	}

	// The event moves a week: edit takes the form's flags again.
	moved := append([]string{"engagement", "edit", id, "event"}, event[3:]...)
	moved[7] = engT0.AddDate(0, 0, 27).In(time.UTC).Format("2006-01-02T15:04")
	r = mustRunIn(t, w.customer, "Still worried about the pool.\n", moved...)
	if !strings.Contains(r.stdout, "Updated engagement "+id+": Event preparation: Spring launch") {
		t.Errorf("edit:\n%s", r)
	}
	if r := mustRun(t, w.customer, "engagement", "show", id); !strings.Contains(r.stdout, engT0.AddDate(0, 0, 27).Format("2006-01-02")) || !strings.Contains(r.stdout, "Still worried") {
		t.Errorf("show after the edit:\n%s", r.stdout)
	}

	// Errors say which flag to fix; usage errors exit 2.
	noPeak := append([]string{}, event...)
	noPeak[10] = "0"
	failing(t, w.customer, "Worried about the pool size.", 1, []string{"Please correct the highlighted fields.", "--peak-rps: must be the expected peak"}, noPeak...)
	failing(t, w.standard, "Worried about the pool size.", 1, []string{"Your organization is on the Standard plan"}, event...)
	failing(t, w.customer, "", 2, []string{"event, performance or architecture"}, "engagement", "request")
	failing(t, w.customer, "", 2, []string{`"migration" is not a kind`}, "engagement", "request", "migration")
	failing(t, w.customer, "", 2, []string{"give ID and STATE"}, "engagement", "state", id)
	failing(t, w.customer, "", 2, []string{`"x" is not an engagement ID`}, "engagement", "show", "x")
	failing(t, w.customer, "", 1, []string{"engagement not found"}, "engagement", "show", "999999")

	// The CSA team works it.
	r = mustRun(t, w.architect, "engagement", "assign", id, "me")
	if !strings.Contains(r.stdout, "casey owns engagement "+id) {
		t.Errorf("assign: %s", r)
	}
	failing(t, w.customer, "", 1, []string{"this needs a staff role"}, "engagement", "assign", id, "none")
	r = mustRun(t, w.architect, "engagement", "meeting", id, "--title", "Kick-off", "--starts-at", "2026-03-05T10:00", "--time-zone", "Europe/Berlin", "--duration", "45")
	if !strings.Contains(r.stdout, "Kick-off, 2026-03-05 10:00 CET (Europe/Berlin; 2026-03-05 09:00 UTC), 45 min") {
		t.Errorf("meeting: %s", r)
	}
	failing(t, w.architect, "", 1, []string{"--duration: must be from 5 to 480 minutes", "--starts-at:"}, "engagement", "meeting", id, "--title", "Kick-off", "--starts-at", "soon", "--duration", "900")
	r = mustRun(t, w.architect, "engagement", "state", id, "in_progress", "--note", "Reviewing the formation.")
	if !strings.Contains(r.stdout, "is now in progress") {
		t.Errorf("state: %s", r)
	}
	failing(t, w.architect, "", 1, []string{"cannot move to requested", "STATE: must be one of delivered, scheduled, closed"}, "engagement", "state", id, "requested")
	failing(t, w.architect, "", 1, []string{"STATE: must be requested"}, "engagement", "state", id, "done")
	mustRun(t, w.architect, "engagement", "comment", id, "--body", "Pool size is far too small.", "--internal")
	mustRunIn(t, w.architect, "We will look at Redis too.", "engagement", "comment", id, "--body-file", "-")
	report := filepath.Join(t.TempDir(), "plan.txt")
	if err := os.WriteFile(report, []byte("Ramp to 5,000 rps over 10 minutes.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, w.architect, "engagement", "deliver", id, "--file", report, "--title", "Load test plan")
	if !strings.Contains(r.stdout, `Delivered "Load test plan" (plan.txt, 35 bytes)`) {
		t.Errorf("deliver: %s", r)
	}
	failing(t, w.architect, "", 2, []string{"give --file FILE or --article SLUG"}, "engagement", "deliver", id)

	r = mustRun(t, w.customer, "engagement", "show", id)
	for _, want := range []string{"State:        in progress", "Owner:        casey", "Meetings\n", "Kick-off", "Deliverables\n", "Load test plan: file plan.txt",
		"casey (solutions architect)", "moved it from scheduled to in progress", "We will look at Redis too."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("customer's show lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "far too small") || strings.Contains(r.stdout, "[internal]") {
		t.Errorf("the customer sees the internal note:\n%s", r.stdout)
	}
	if r := mustRun(t, w.agent, "engagement", "show", id); !strings.Contains(r.stdout, "[internal]") || !strings.Contains(r.stdout, "The organization's apps: acme-api") {
		t.Errorf("staff show:\n%s", r.stdout)
	}

	// The calendar: the meeting, then the event.
	r = mustRun(t, w.agent, "calendar")
	meeting, ev := strings.Index(r.stdout, "meeting"), strings.Index(r.stdout, "Spring launch")
	if !strings.Contains(r.stdout, "2026-03-03 09:00 UTC to 2026-04-02 09:00 UTC") || meeting < 0 || ev < meeting ||
		!strings.Contains(r.stdout, "Acme Rockets (premier)") || !strings.Contains(r.stdout, "5,000 rps and 40,000 users at peak") {
		t.Errorf("calendar:\n%s", r.stdout)
	}
	if r := mustRun(t, w.agent, "calendar", "--from", "2026-03-10", "--to", "2026-03-20"); !strings.Contains(r.stdout, "Nothing on the calendar.") {
		t.Errorf("an empty range:\n%s", r.stdout)
	}
	if r := mustRun(t, w.agent, "calendar", "--json", "--to", "2026-04-30"); !strings.Contains(r.stdout, `"entries": [`) || !strings.Contains(r.stdout, `"kind": "event"`) {
		t.Errorf("calendar --json:\n%s", r.stdout)
	}
	failing(t, w.agent, "", 1, []string{"--from: must be a day"}, "calendar", "--from", "next week")
	failing(t, w.customer, "", 1, []string{"staff"}, "calendar")

	// Withdrawing a request; a ticket that is really a review moves over.
	arch := mustRun(t, w.customer, "engagement", "request", "architecture", "--goal", "Serve customers in Europe from the EU region",
		"--current-design", "One app in us with a Postgres primary and Redis.", "--constraints", "GDPR", "--deadline", "2026-05-01")
	archID := requested(t, arch)
	if r := mustRun(t, w.customer, "engagement", "withdraw", archID, "--reason", "Found it in the docs."); !strings.Contains(r.stdout, "Withdrew engagement "+archID) {
		t.Errorf("withdraw: %s", r)
	}
	tk, err := w.customerAPI.CreateTicket(context.Background(), client.NewTicket{Subject: "Review our multi-region plan", Description: "We want to move half of our traffic to the EU region; is our plan sound?",
		Priority: "low", Environment: "production", Category: "other"})
	if err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, w.agent, "engagement", "from-ticket", fmt.Sprintf("#%d", tk.Number), "--kind", "architecture", "--note", "The solutions architects review designs; this continues as an engagement.")
	if !strings.Contains(r.stdout, fmt.Sprintf("Ticket #%d is solved; it continues as engagement", tk.Number)) {
		t.Errorf("from-ticket: %s", r)
	}
	failing(t, w.agent, "", 1, []string{"solutions architect (csa) or admin role"}, "engagement", "to-ticket", id, "--note", "Support takes it from here.")
	failing(t, w.architect, "", 1, []string{"--note: is required"}, "engagement", "to-ticket", id)
}

// A request that reads like an outage is refused with an exit code, each
// sign by its flag and the command to open the urgent ticket instead;
// --not-break-fix sends it anyway.
func TestEngagementBreakFixCommand(t *testing.T) {
	w := newEnterpriseCLI(t)
	args := []string{"engagement", "request", "performance", "--app", "acme-api", "--symptoms", "Checkout is down: we get H12 timeouts on every request.",
		"--metrics-file", "-", "--since", engT0.Add(-20 * time.Minute).Format(time.RFC3339)}
	metrics := `at=error code=H12 desc="Request timeout" path="/checkout" status=503`
	r := failing(t, w.customer, metrics, 1, []string{
		"This reads like a problem happening now.",
		"--symptoms: mentions the platform error code H12",
		"--metrics-file: mentions the platform error code H12",
		"--since: is 20 min ago",
		"helpline ticket create -i --priority urgent --org ",
		"--app acme-api --subject 'Checkout is down: we get H12 timeouts on every request.' --started-at 2026-03-03T08:40:00Z",
		"run the same command again with --not-break-fix",
	}, args...)
	if r.stdout != "" {
		t.Errorf("stdout on a refusal: %q", r.stdout)
	}
	if list, err := w.customerAPI.ListEngagements(context.Background(), client.EngagementFilter{}); err != nil || len(list) != 0 {
		t.Fatalf("a refused request was stored: %+v, %v", list, err)
	}
	r = failing(t, w.customer, metrics, 1, []string{"--not-break-fix"}, append(args, "--json")...)
	if !strings.Contains(r.stdout, `"code": "break_fix"`) || !strings.Contains(r.stdout, `"urgent_ticket": {`) {
		t.Errorf("--json refusal:\n%s", r.stdout)
	}

	r = mustRunIn(t, w.customer, metrics, append(args, "--not-break-fix")...)
	id := requested(t, r)
	r = mustRun(t, w.architect, "engagement", "show", id)
	if !strings.Contains(r.stdout, "Confirmed not an outage, despite:\n  performance.symptoms mentions the platform error code H12") {
		t.Errorf("show:\n%s", r.stdout)
	}
	r = mustRun(t, w.architect, "engagement", "to-ticket", id, "--note", "This is an outage after all: Support takes it.")
	if !strings.Contains(r.stdout, "Engagement "+id+" is now ticket #") || !strings.Contains(r.stdout, "(high priority)") {
		t.Errorf("to-ticket: %s", r)
	}
}

// The enterprise portal's resources, for customers of enterprise plans.
func TestEnterpriseResourcesCommand(t *testing.T) {
	ctx := context.Background()
	w := newEnterpriseCLI(t)
	if r := mustRun(t, w.customer, "enterprise", "resources"); !strings.Contains(r.stdout, "No enterprise resources yet.") {
		t.Errorf("empty: %s", r)
	}
	admin := w.env.Client(t, w.env.Staff(t, "admin@helpline.test", helpline.RoleAdmin))
	art, err := admin.CreateArticle(ctx, client.ArticleInput{Title: "Scaling dynos ahead of a launch", Summary: "Scale before the peak.", Body: "# Scaling\n",
		Section: "knowledge-base", Audience: "enterprise", Status: "published"})
	if err != nil {
		t.Fatal(err)
	}
	col, err := w.architectAPI.CreateCollection(ctx, client.CollectionInput{Title: "Preparing for a launch", Description: "Read these a month ahead."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.architectAPI.AddCollectionItem(ctx, col.ID, art.Slug, "Start here."); err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, w.customer, "enterprise", "resources")
	for _, want := range []string{"Preparing for a launch\n  Read these a month ahead.\n  /docs/" + art.Slug + "  Scaling dynos ahead of a launch\n      Start here.",
		"All enterprise articles\n  /docs/" + art.Slug} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("resources lack %q:\n%s", want, r.stdout)
		}
	}
	if r := mustRun(t, w.customer, "enterprise", "resources", "--json"); !strings.Contains(r.stdout, `"collections": [`) {
		t.Errorf("--json:\n%s", r.stdout)
	}
	failing(t, w.standard, "", 1, []string{"enterprise portal is for organizations on the Enterprise"}, "enterprise", "resources")
	failing(t, w.customer, "", 2, []string{"unknown command"}, "enterprise", "frobnicate")
}
