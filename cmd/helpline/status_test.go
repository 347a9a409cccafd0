package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/client"
)

// fakeSummary is /api/v2/summary.json as Atlassian Statuspage documents it:
// string IDs, flat components naming their group, updates newest first.
const fakeSummary = `{
  "page": {"id": "kctbh9vrtdwd", "name": "Helpline", "url": "http://status.example", "time_zone": "Etc/UTC", "updated_at": "2026-05-01T10:05:00.000Z"},
  "components": [
    {"id": "g1", "name": "Apps", "status": "operational", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "position": 1, "description": null, "showcase": false, "start_date": null, "group_id": null, "page_id": "kctbh9vrtdwd", "group": true, "only_show_if_degraded": false, "components": ["c1"]},
    {"id": "c1", "name": "Web dynos (US)", "status": "operational", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "position": 2, "description": null, "showcase": false, "start_date": null, "group_id": "g1", "page_id": "kctbh9vrtdwd", "group": false, "only_show_if_degraded": false},
    {"id": "g2", "name": "Data", "status": "degraded_performance", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "position": 3, "description": null, "showcase": false, "start_date": null, "group_id": null, "page_id": "kctbh9vrtdwd", "group": true, "only_show_if_degraded": false, "components": ["c2"]},
    {"id": "c2", "name": "Postgres (EU)", "status": "degraded_performance", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-05-01T10:00:00Z", "position": 4, "description": "Managed Postgres", "showcase": true, "start_date": null, "group_id": "g2", "page_id": "kctbh9vrtdwd", "group": false, "only_show_if_degraded": false}
  ],
  "incidents": [
    {"id": "i1", "name": "Slow \u001b[31mqueries", "status": "identified", "created_at": "2026-05-01T09:50:00Z", "updated_at": "2026-05-01T10:05:00Z", "monitoring_at": null, "resolved_at": null, "impact": "minor", "shortlink": "http://status.example/incidents/1", "started_at": "2026-05-01T09:50:00Z", "page_id": "kctbh9vrtdwd",
     "incident_updates": [
       {"id": "u2", "status": "identified", "body": "A failing disk\nslows queries.", "incident_id": "i1", "created_at": "2026-05-01T10:05:00Z", "updated_at": "2026-05-01T10:05:00Z", "display_at": "2026-05-01T10:05:00Z", "affected_components": [{"code": "c2", "name": "Postgres (EU)", "old_status": "operational", "new_status": "degraded_performance"}], "deliver_notifications": true, "custom_tweet": null, "tweet_id": null},
       {"id": "u1", "status": "investigating", "body": "We are looking into it.", "incident_id": "i1", "created_at": "2026-05-01T09:50:00Z", "updated_at": "2026-05-01T09:50:00Z", "display_at": "2026-05-01T09:50:00Z", "affected_components": null, "deliver_notifications": true, "custom_tweet": null, "tweet_id": null}
     ],
     "components": []}
  ],
  "scheduled_maintenances": [
    {"id": "m1", "name": "Router upgrade", "status": "scheduled", "created_at": "2026-04-20T00:00:00Z", "updated_at": "2026-04-20T00:00:00Z", "monitoring_at": null, "resolved_at": null, "impact": "maintenance", "shortlink": "http://status.example/incidents/2", "started_at": "2026-04-20T00:00:00Z", "page_id": "kctbh9vrtdwd",
     "scheduled_for": "2026-05-03T22:00:00.000Z", "scheduled_until": "2026-05-04T00:00:00.000Z",
     "incident_updates": [{"id": "u3", "status": "scheduled", "body": "We upgrade the routers.", "incident_id": "m1", "created_at": "2026-04-20T00:00:00Z", "updated_at": "2026-04-20T00:00:00Z", "display_at": "2026-04-20T00:00:00Z"}],
     "components": []}
  ],
  "status": {"indicator": "minor", "description": "Partially Degraded Service"}
}`

func TestStatusShow(t *testing.T) {
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = append(auth, r.Header.Get("Authorization"))
		if r.URL.Path != client.SummaryPath {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(fakeSummary))
	}))
	t.Cleanup(srv.Close)
	// No token is needed, and none is sent even when one is set.
	env := map[string]string{"HELPLINE_URL": srv.URL, "HELPLINE_TOKEN": "secret-token"}

	r := mustRunIn(t, env, "", "status")
	for _, want := range []string{
		"Partially Degraded Service\n",
		"\nComponents\n",
		"  Apps              Operational\n",
		"    Web dynos (US)  Operational\n",
		"  Data              Degraded performance\n",
		"    Postgres (EU)   Degraded performance\n",
		"Active incidents\n  Slow [31mqueries [minor impact] Identified\n",
		"    2026-05-01 10:05 UTC  Identified: A failing disk slows queries.\n",
		"    http://status.example/incidents/1\n",
		"Scheduled maintenance\n  Router upgrade (Scheduled, 2026-05-03 22:00 UTC to 2026-05-04 00:00 UTC)\n",
		"We upgrade the routers.",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "\x1b") || strings.Contains(r.stdout, "looking into it") {
		t.Errorf("an escape sequence or an older update is printed:\n%q", r.stdout)
	}
	for _, a := range auth {
		if a != "" {
			t.Errorf("the summary was asked for with Authorization %q", a)
		}
	}

	// --json prints the summary as the server sent it.
	r = mustRunIn(t, env, "", "status", "--json")
	if strings.TrimSpace(r.stdout) != strings.TrimSpace(fakeSummary) {
		t.Errorf("--json:\n%s", r.stdout)
	}

	// Nothing going on.
	quiet := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"page": {"id": 1}, "components": [{"id": 7, "name": "API", "status": "operational", "group_id": null}], "incidents": [], "scheduled_maintenances": [],
			"status": {"indicator": "none", "description": "All Systems Operational"}}`))
	}))
	t.Cleanup(quiet.Close)
	r = mustRunIn(t, map[string]string{"HELPLINE_URL": quiet.URL}, "", "status")
	for _, want := range []string{"All Systems Operational\n", "  API  Operational\n", "No active incidents.\n", "No maintenance scheduled.\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}

	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	for _, tc := range []struct {
		env  map[string]string
		args []string
		code int
		want string
	}{
		{env, []string{"status", "--json", "now"}, 2, "unexpected argument"},
		{env, []string{"status", "--colour"}, 2, "colour"},
		{env, []string{"status", "frob"}, 2, "unknown command"},
		{env, []string{"status", "incident"}, 2, "give a command"},
		{env, []string{"status", "incident", "frob"}, 2, "unknown command"},
		{map[string]string{"HELPLINE_URL": downURL}, []string{"status"}, 1, "is a Helpline server running at HELPLINE_URL=" + downURL},
	} {
		r := runIn(t, tc.env, "", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("helpline %s: want exit %d and %q\n%s", strings.Join(tc.args, " "), tc.code, tc.want, r)
		}
	}
	if r := mustRunIn(t, env, "", "status", "help"); !strings.Contains(r.stdout, "maintenance schedule") {
		t.Errorf("help:\n%s", r)
	}
}

var (
	openedIncidentRE = regexp.MustCompile(`Opened incident #(\d+): `)
	scheduledRE      = regexp.MustCompile(`Scheduled maintenance #(\d+): `)
)

func matchID(t *testing.T, re *regexp.Regexp, r result) int64 {
	t.Helper()
	m := re.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no %s line:\n%s", re, r)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func TestStatusOperatorCommands(t *testing.T) {
	ctx := context.Background()
	w := newTicketWorld(t)
	admin := w.env.Client(t, w.env.Staff(t, "ops@helpline.test", helpline.RoleAdmin))
	groups := map[string]int64{}
	for _, g := range []string{"Apps", "Data"} {
		c, err := admin.CreateStatusComponent(ctx, client.StatusComponentInput{Name: g, Group: true, Status: "operational"})
		if err != nil {
			t.Fatal(err)
		}
		groups[g] = c.ID
	}
	comps := map[string]int64{}
	for _, c := range []struct{ group, name string }{{"Data", "Postgres (EU)"}, {"Apps", "Router"}, {"Data", "Router"}} {
		sc, err := admin.CreateStatusComponent(ctx, client.StatusComponentInput{Name: c.name, GroupID: groups[c.group], Status: "operational"})
		if err != nil {
			t.Fatal(err)
		}
		comps[c.group+"/"+c.name] = sc.ID
	}

	// Open an incident; component names resolve to IDs, ignoring case.
	r := mustRunIn(t, w.staff, "", "status", "incident", "create", "--name", "Slow queries", "--impact", "minor", "--body", "We are looking into slow queries.",
		"--component", "postgres (eu)=degraded_performance", "--component", "Apps/Router=partial_outage", "--notify")
	id := matchID(t, openedIncidentRE, r)
	if !strings.Contains(r.stdout, "(investigating)") || !strings.Contains(r.stdout, w.env.URL+"/incidents/"+strconv.FormatInt(id, 10)) {
		t.Errorf("create:\n%s", r)
	}
	inc, err := w.staffAPI.GetIncident(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, c := range inc.Components {
		got[c.ComponentID] = c.Status
	}
	if inc.Impact != "minor" || got[comps["Data/Postgres (EU)"]] != "degraded_performance" || got[comps["Apps/Router"]] != "partial_outage" || !inc.Updates[0].Notify {
		t.Fatalf("incident = %+v", inc)
	}

	// The public status shows it, without a token, from the server's own
	// summary.json.
	public := map[string]string{"HELPLINE_URL": w.env.URL}
	r = mustRunIn(t, public, "", "status")
	for _, want := range []string{"\nComponents\n", "  Data ", "\n    Postgres (EU)  ", "Degraded performance\n", "Partial outage\n",
		"Active incidents\n  Slow queries [minor impact] Investigating\n", "UTC  Investigating: We are looking into slow queries.\n", "No maintenance scheduled.\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("helpline status lacks %q:\n%s", want, r.stdout)
		}
	}
	r = mustRunIn(t, public, "", "status", "--json")
	var sum client.StatusSummary
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || len(sum.Incidents) != 1 || sum.Incidents[0].Name != "Slow queries" || len(sum.Components) != 5 {
		t.Errorf("status --json: %+v, %v\n%s", sum, err, r.stdout)
	}

	for _, tc := range []struct {
		env  map[string]string
		args []string
		code int
		want []string
	}{
		{w.staff, []string{"status", "incident", "create", "--name", "x", "--body", "y", "--component", "Redis=major_outage"}, 1,
			[]string{`--component "Redis": no such component; valid names: `, "Data/Postgres (EU)", "Apps/Router"}},
		{w.staff, []string{"status", "incident", "create", "--name", "x", "--body", "y", "--component", "Router=major_outage"}, 1,
			[]string{"several components", "Apps/Router, Data/Router"}},
		{w.staff, []string{"status", "incident", "create", "--name", "x", "--body", "y", "--component", "Router"}, 1, []string{"NAME=STATUS"}},
		{w.staff, []string{"status", "incident", "create", "--name", "x", "--status", "exploding", "--impact", "huge", "--body", "y"}, 1,
			[]string{"\n  --impact: ", "\n  --status: "}},
		{w.staff, []string{"status", "incident", "create", "--name", "x", "--body", "y", "--component", "Data/Router=melting"}, 1, []string{"\n  --component: "}},
		{w.staff, []string{"status", "incident", "create", "extra"}, 2, []string{"unexpected argument"}},
		{w.staff, []string{"status", "incident", "update", "abc", "--status", "resolved"}, 2, []string{`"abc" is not an incident ID`}},
		{w.staff, []string{"status", "incident", "update", "999999", "--status", "resolved", "--body", "x"}, 1, []string{"incident not found"}},
		{w.staff, []string{"status", "incident", "update", strconv.FormatInt(id, 10), "--status", "in_progress", "--body", "x"}, 1, []string{"\n  --status: "}},
		{w.staff, []string{"status", "incident", "list", "--limit", "0"}, 2, []string{"--limit"}},
		{w.staff, []string{"status", "incident", "list", "--state", "sleeping"}, 1, []string{"\n  --state: "}},
		{w.customer, []string{"status", "incident", "list"}, 1, []string{"staff"}},
		{map[string]string{"HELPLINE_URL": w.env.URL}, []string{"status", "incident", "list"}, 1, []string{"HELPLINE_TOKEN"}},
	} {
		r := runIn(t, tc.env, "", tc.args...)
		ok := r.code == tc.code
		for _, want := range tc.want {
			ok = ok && strings.Contains(r.stderr, want)
		}
		if !ok {
			t.Errorf("helpline %s: want exit %d and %q\n%s", strings.Join(tc.args, " "), tc.code, tc.want, r)
		}
	}

	// Lists, in a table or as JSON.
	r = mustRunIn(t, w.staff, "", "status", "incident", "list", "--state", "active")
	if !regexp.MustCompile(`(?m)^` + strconv.FormatInt(id, 10) + `\s+incident\s+investigating\s+minor\s+.*Slow queries$`).MatchString(r.stdout) {
		t.Errorf("list:\n%s", r)
	}
	r = mustRunIn(t, w.staff, "", "status", "incident", "list", "--json")
	var list struct {
		Incidents []client.Incident `json:"incidents"`
		Total     int               `json:"total"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || list.Total != 1 || list.Incidents[0].ID != id {
		t.Errorf("list --json: %+v, %v\n%s", list, err, r)
	}

	// Flags may follow the ID.
	r = mustRunIn(t, w.staff, "", "status", "incident", "update", strconv.FormatInt(id, 10), "--status", "resolved", "--body", "Fixed.",
		"--component", "Data/Postgres (EU)=operational", "--component", "Apps/Router=operational")
	if !strings.Contains(r.stdout, "Updated incident #"+strconv.FormatInt(id, 10)+": Slow queries (resolved)") {
		t.Errorf("update:\n%s", r)
	}
	r = mustRunIn(t, w.staff, "", "status", "incident", "list", "--state", "active")
	if !strings.Contains(r.stdout, "No incidents.") {
		t.Errorf("active after resolving:\n%s", r)
	}

	// Maintenance: a window in RFC 3339; components go under maintenance.
	from := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Minute)
	until := from.Add(90 * time.Minute)
	r = runIn(t, w.staff, "", "status", "maintenance", "schedule", "--name", "Router upgrade", "--from", "tomorrow", "--until", until.Format(time.RFC3339), "--body", "b")
	if r.code != 1 || !strings.Contains(r.stderr, `--from "tomorrow": give an RFC 3339 time`) {
		t.Errorf("bad --from:\n%s", r)
	}
	r = runIn(t, w.staff, "", "status", "maintenance", "schedule", "--name", "Router upgrade", "--from", from.Format(time.RFC3339), "--body", "b")
	if r.code != 1 || !strings.Contains(r.stderr, "\n  --until: ") {
		t.Errorf("no --until:\n%s", r)
	}
	r = mustRunIn(t, w.staff, "", "status", "maintenance", "schedule", "--name", "Router upgrade", "--from", from.Format(time.RFC3339),
		"--until", until.Format(time.RFC3339), "--body", "We upgrade the routers.", "--component", "Apps/Router", "--auto")
	mid := matchID(t, scheduledRE, r)
	if !strings.Contains(r.stdout, from.Format("2006-01-02 15:04 UTC")+" to "+until.Format("2006-01-02 15:04 UTC")) {
		t.Errorf("schedule:\n%s", r)
	}
	m, err := w.staffAPI.GetIncident(ctx, mid)
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != "maintenance" || m.Status != "scheduled" || !m.AutoTransition || m.ScheduledUntil == nil || !m.ScheduledUntil.Equal(until) ||
		len(m.Components) != 1 || m.Components[0].ComponentID != comps["Apps/Router"] || m.Components[0].Status != "under_maintenance" {
		t.Fatalf("maintenance = %+v", m)
	}
	r = mustRunIn(t, w.staff, "", "status", "incident", "list", "--kind", "maintenance", "--state", "upcoming")
	if !strings.Contains(r.stdout, "Router upgrade") || strings.Contains(r.stdout, "Slow queries") {
		t.Errorf("upcoming maintenance:\n%s", r)
	}

	// Targeted notifications reach the organizations with a matching app.
	r = mustRunIn(t, w.staff, "", "status", "notify", "--title", "Router maintenance in us", "--body", "Expect a blip.", "--region", "us", "--email")
	if !strings.Contains(r.stdout, "Notified 1 organization.") {
		t.Errorf("notify:\n%s", r)
	}
	ns, unread, err := w.customerAPI.Notices(ctx, client.NoticeFilter{})
	if err != nil || unread != 1 || ns[0].Title != "Router maintenance in us" {
		t.Fatalf("notices = %+v (%d), %v", ns, unread, err)
	}
	r = mustRunIn(t, w.staff, "", "status", "notify", "--title", "Nobody", "--region", "tokyo")
	if !strings.Contains(r.stdout, "Notified 0 organizations.") {
		t.Errorf("notify nobody:\n%s", r)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"status", "notify", "--title", "x", "--region", "mars"}, "\n  --region: "},
		{[]string{"status", "notify", "--title", "x", "--app", "no-such-app"}, "\n  --app: "},
		{[]string{"status", "notify", "--body", "x", "--region", "us"}, "\n  --title: "},
	} {
		if r := runIn(t, w.staff, "", tc.args...); r.code != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("helpline %s: want %q\n%s", strings.Join(tc.args, " "), tc.want, r)
		}
	}
	if r := runIn(t, w.customer, "", "status", "notify", "--title", "x", "--region", "us"); r.code != 1 || !strings.Contains(r.stderr, "staff") {
		t.Errorf("customer notify:\n%s", r)
	}
}
