package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/status"
)

// statusFixture is a platform with the three systems, an active incident,
// a resolved one, maintenance in progress and maintenance to come.
type statusFixture struct {
	env                            *apptest.Env
	apps, data, tools              status.Component
	dynos, postgres, cli           status.Component
	active, resolved               status.Incident
	inProgress, upcoming           status.Incident
	activeBody, resolvedUpdateBody string
}

func newStatusFixture(t testing.TB, env *apptest.Env) *statusFixture {
	t.Helper()
	ctx := context.Background()
	svc, admin := env.App.Status, account.CLI()
	f := &statusFixture{env: env}
	comp := func(in status.ComponentInput) status.Component {
		t.Helper()
		c, err := svc.CreateComponent(ctx, admin, in)
		if err != nil {
			t.Fatalf("create component %q: %v", in.Name, err)
		}
		return c
	}
	incident := func(in status.IncidentInput) status.Incident {
		t.Helper()
		i, err := svc.CreateIncident(ctx, admin, in)
		if err != nil {
			t.Fatalf("create incident %q: %v", in.Name, err)
		}
		return i
	}
	f.apps = comp(status.ComponentInput{Name: "Apps", Group: true})
	f.data = comp(status.ComponentInput{Name: "Data", Group: true})
	f.tools = comp(status.ComponentInput{Name: "Tools", Group: true})
	f.dynos = comp(status.ComponentInput{Name: "Dynos (EU)", GroupID: f.apps.ID, Region: "eu", Description: "Running apps in Europe"})
	f.postgres = comp(status.ComponentInput{Name: "Postgres", GroupID: f.data.ID})
	f.cli = comp(status.ComponentInput{Name: "CLI", GroupID: f.tools.ID})

	f.resolved = incident(status.IncidentInput{Name: "Slow builds", Status: status.Investigating, Impact: status.ImpactMinor,
		Body: "Builds are slow.", Components: []status.ComponentChange{{ComponentID: f.dynos.ID, Status: status.DegradedPerformance}}})
	f.resolvedUpdateBody = "Builds are fast again."
	var err error
	if f.resolved, err = svc.PostUpdate(ctx, admin, f.resolved.ID, status.UpdateInput{Status: status.Resolved, Body: f.resolvedUpdateBody,
		Components: []status.ComponentChange{{ComponentID: f.dynos.ID, Status: status.Operational}}}); err != nil {
		t.Fatal(err)
	}
	f.activeBody = "Some databases in **eu** refuse connections."
	f.active = incident(status.IncidentInput{Name: "Postgres connection errors", Status: status.Investigating, Impact: status.ImpactMinor,
		Body: f.activeBody, Notify: true, Components: []status.ComponentChange{{ComponentID: f.postgres.ID, Status: status.PartialOutage}}})

	now := time.Now().UTC()
	start, end := now.Add(-time.Hour), now.Add(time.Hour)
	f.inProgress = incident(status.IncidentInput{Kind: status.KindMaintenance, Name: "CLI upgrade", Status: status.InProgress,
		Body: "Upgrading the CLI backend.", ScheduledFor: &start, ScheduledUntil: &end,
		Components: []status.ComponentChange{{ComponentID: f.cli.ID, Status: status.UnderMaintenance}}})
	later, laterEnd := now.Add(48*time.Hour), now.Add(50*time.Hour)
	f.upcoming = incident(status.IncidentInput{Kind: status.KindMaintenance, Name: "Postgres failover drill", Status: status.Scheduled,
		Body: "A failover drill.", ScheduledFor: &later, ScheduledUntil: &laterEnd,
		Components: []status.ComponentChange{{ComponentID: f.postgres.ID, Status: status.UnderMaintenance}}})
	return f
}

type fetched struct {
	status int
	header http.Header
	body   []byte
}

func fetch(t *testing.T, url string, header ...string) fetched {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fetched{resp.StatusCode, resp.Header, b}
}

func fetchJSON(t *testing.T, url string) map[string]any {
	t.Helper()
	r := fetch(t, url)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("GET %s: Content-Type %q", url, ct)
	}
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("GET %s: %v\n%s", url, err, r.body)
	}
	return m
}

// shape says what a key holds: string, number, bool, time, date, array or
// object, with "|null" when null is allowed too.
type shape map[string]string

var (
	spPageShape   = shape{"id": "string", "name": "string", "url": "string", "time_zone": "string", "updated_at": "time"}
	spStatusShape = shape{"indicator": "string", "description": "string"}
	spCompShape   = shape{"id": "string", "name": "string", "status": "string", "created_at": "time", "updated_at": "time",
		"position": "number", "description": "string|null", "showcase": "bool", "start_date": "date|null", "group_id": "string|null",
		"page_id": "string", "group": "bool", "only_show_if_degraded": "bool"}
	spIncidentShape = shape{"id": "string", "name": "string", "status": "string", "created_at": "time", "updated_at": "time",
		"monitoring_at": "time|null", "resolved_at": "time|null", "impact": "string", "shortlink": "string", "started_at": "time",
		"page_id": "string", "incident_updates": "array", "components": "array"}
	spUpdateShape = shape{"id": "string", "status": "string", "body": "string", "incident_id": "string", "created_at": "time",
		"updated_at": "time", "display_at": "time", "affected_components": "array", "deliver_notifications": "bool",
		"custom_tweet": "string|null", "tweet_id": "string|null"}
	spAffectedShape = shape{"code": "string", "name": "string", "old_status": "string", "new_status": "string"}
)

func with(s shape, extra shape) shape {
	out := shape{}
	for k, v := range s {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// checkShape fails unless m has exactly s's keys, each of its type.
func checkShape(t *testing.T, where string, v any, s shape) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: %T, want an object", where, v)
	}
	var got, want []string
	for k := range m {
		got = append(got, k)
	}
	for k := range s {
		want = append(want, k)
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("%s: keys %v, want %v", where, got, want)
	}
	for k, kinds := range s {
		val := m[k]
		okType := false
		for kind := range strings.SplitSeq(kinds, "|") {
			switch kind {
			case "null":
				okType = okType || val == nil
			case "string":
				_, okType = val.(string)
			case "number":
				_, okType = val.(float64)
			case "bool":
				_, okType = val.(bool)
			case "array":
				_, okType = val.([]any)
			case "object":
				_, okType = val.(map[string]any)
			case "time":
				s, isString := val.(string)
				_, err := time.Parse(time.RFC3339Nano, s)
				okType = isString && err == nil && strings.HasSuffix(s, "Z")
			case "date":
				s, isString := val.(string)
				_, err := time.Parse(time.DateOnly, s)
				okType = isString && err == nil
			}
			if okType {
				break
			}
		}
		if !okType {
			t.Errorf("%s.%s = %#v, want %s", where, k, val, kinds)
		}
	}
	return m
}

func list(t *testing.T, where string, v any) []any {
	t.Helper()
	l, ok := v.([]any)
	if !ok {
		t.Fatalf("%s: %T, want an array", where, v)
	}
	return l
}

var (
	componentStatuses = []string{"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}
	incidentStatuses  = []string{"investigating", "identified", "monitoring", "resolved", "postmortem"}
	maintStatuses     = []string{"scheduled", "in_progress", "verifying", "completed"}
	impacts           = []string{"none", "minor", "major", "critical"}
)

func checkIn(t *testing.T, where string, v any, set []string) {
	t.Helper()
	s, _ := v.(string)
	if !slices.Contains(set, s) {
		t.Errorf("%s = %#v, want one of %v", where, v, set)
	}
}

func checkPage(t *testing.T, where string, v any, env *apptest.Env) map[string]any {
	t.Helper()
	p := checkShape(t, where, v, spPageShape)
	if p["url"] != env.URL+"/status" || p["time_zone"] != "Etc/UTC" || len(p["id"].(string)) != 12 {
		t.Errorf("%s = %v", where, p)
	}
	return p
}

// checkComponents checks a list of components field by field and returns
// them by name.
func checkComponents(t *testing.T, where string, v any, pageID string) map[string]map[string]any {
	t.Helper()
	byName := map[string]map[string]any{}
	byID := map[string]map[string]any{}
	for i, raw := range list(t, where, v) {
		w := where + "[" + strconv.Itoa(i) + "]"
		s := spCompShape
		if m, _ := raw.(map[string]any); m != nil && m["group"] == true {
			s = with(spCompShape, shape{"components": "array"})
		}
		c := checkShape(t, w, raw, s)
		checkIn(t, w+".status", c["status"], componentStatuses)
		if c["page_id"] != pageID {
			t.Errorf("%s.page_id = %v, want %s", w, c["page_id"], pageID)
		}
		byName[c["name"].(string)] = c
		byID[c["id"].(string)] = c
	}
	// Groups list their members' IDs, and members name their group.
	for name, c := range byName {
		if c["group"] != true {
			continue
		}
		for _, id := range list(t, name+".components", c["components"]) {
			m := byID[id.(string)]
			if m == nil || m["group_id"] != c["id"] {
				t.Errorf("group %s lists %v, which is not its member", name, id)
			}
		}
	}
	return byName
}

func checkIncident(t *testing.T, where string, v any, pageID string, maintenance bool) map[string]any {
	t.Helper()
	s, statuses := spIncidentShape, incidentStatuses
	if maintenance {
		s, statuses = with(spIncidentShape, shape{"scheduled_for": "time", "scheduled_until": "time"}), maintStatuses
	}
	inc := checkShape(t, where, v, s)
	checkIn(t, where+".status", inc["status"], statuses)
	if maintenance {
		checkIn(t, where+".impact", inc["impact"], []string{"maintenance"})
	} else {
		checkIn(t, where+".impact", inc["impact"], impacts)
	}
	if inc["page_id"] != pageID || !strings.HasSuffix(inc["shortlink"].(string), "/incidents/"+inc["id"].(string)) {
		t.Errorf("%s: page_id %v, shortlink %v", where, inc["page_id"], inc["shortlink"])
	}
	ups := list(t, where+".incident_updates", inc["incident_updates"])
	if len(ups) == 0 {
		t.Errorf("%s has no updates", where)
	}
	for i, u := range ups {
		w := where + ".incident_updates[" + strconv.Itoa(i) + "]"
		up := checkShape(t, w, u, spUpdateShape)
		checkIn(t, w+".status", up["status"], statuses)
		if up["incident_id"] != inc["id"] {
			t.Errorf("%s.incident_id = %v, want %v", w, up["incident_id"], inc["id"])
		}
		for j, a := range list(t, w+".affected_components", up["affected_components"]) {
			aw := w + ".affected_components[" + strconv.Itoa(j) + "]"
			ac := checkShape(t, aw, a, spAffectedShape)
			checkIn(t, aw+".old_status", ac["old_status"], componentStatuses)
			checkIn(t, aw+".new_status", ac["new_status"], componentStatuses)
		}
	}
	checkComponents(t, where+".components", inc["components"], pageID)
	return inc
}

func checkIncidents(t *testing.T, where string, v any, pageID string, maintenance bool) []string {
	t.Helper()
	var names []string
	for i, raw := range list(t, where, v) {
		inc := checkIncident(t, where+"["+strconv.Itoa(i)+"]", raw, pageID, maintenance)
		names = append(names, inc["name"].(string))
	}
	return names
}

func runStatusV2(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	f := newStatusFixture(t, env)
	base := env.URL + "/api/v2/"

	sum := checkShape(t, "summary", fetchJSON(t, base+"summary.json"),
		shape{"page": "object", "components": "array", "incidents": "array", "scheduled_maintenances": "array", "status": "object"})
	page := checkPage(t, "summary.page", sum["page"], env)
	pageID := page["id"].(string)
	st := checkShape(t, "summary.status", sum["status"], spStatusShape)
	if st["indicator"] != "minor" || st["description"] != "Minor Service Outage" {
		t.Errorf("status = %v, want minor: Minor Service Outage", st)
	}
	comps := checkComponents(t, "summary.components", sum["components"], pageID)
	if len(comps) != 6 {
		t.Errorf("summary has %d components, want 6", len(comps))
	}
	pg, dynos, data := comps["Postgres"], comps["Dynos (EU)"], comps["Data"]
	if pg["status"] != "partial_outage" || pg["group_id"] != strconv.FormatInt(f.data.ID, 10) || pg["group"] != false || pg["showcase"] != true {
		t.Errorf("Postgres = %v", pg)
	}
	if dynos["description"] != "Running apps in Europe" || comps["CLI"]["description"] != nil || comps["CLI"]["status"] != "under_maintenance" {
		t.Errorf("Dynos = %v, CLI = %v", dynos, comps["CLI"])
	}
	if data["group"] != true || data["group_id"] != nil || data["status"] != "partial_outage" ||
		!slices.Equal(list(t, "Data.components", data["components"]), []any{strconv.FormatInt(f.postgres.ID, 10)}) {
		t.Errorf("Data = %v", data)
	}
	if got := checkIncidents(t, "summary.incidents", sum["incidents"], pageID, false); !slices.Equal(got, []string{"Postgres connection errors"}) {
		t.Errorf("summary incidents %v, want the active one", got)
	}
	inc := list(t, "", sum["incidents"])[0].(map[string]any)
	up := list(t, "", inc["incident_updates"])[0].(map[string]any)
	ac := list(t, "", up["affected_components"])
	if up["body"] != f.activeBody || up["deliver_notifications"] != true || up["status"] != "investigating" || len(ac) != 1 ||
		ac[0].(map[string]any)["code"] != strconv.FormatInt(f.postgres.ID, 10) || ac[0].(map[string]any)["name"] != "Postgres" ||
		ac[0].(map[string]any)["old_status"] != "operational" || ac[0].(map[string]any)["new_status"] != "partial_outage" {
		t.Errorf("active incident's update = %v", up)
	}
	if inc["id"] != strconv.FormatInt(f.active.ID, 10) || inc["impact"] != "minor" || inc["resolved_at"] != nil ||
		len(list(t, "", inc["components"])) != 1 || list(t, "", inc["components"])[0].(map[string]any)["name"] != "Postgres" {
		t.Errorf("active incident = %v", inc)
	}
	if got := checkIncidents(t, "summary.scheduled_maintenances", sum["scheduled_maintenances"], pageID, true); !slices.Equal(got, []string{"CLI upgrade", "Postgres failover drill"}) {
		t.Errorf("summary maintenances %v", got)
	}

	stDoc := checkShape(t, "status.json", fetchJSON(t, base+"status.json"), shape{"page": "object", "status": "object"})
	checkPage(t, "status.json.page", stDoc["page"], env)
	if s := checkShape(t, "status.json.status", stDoc["status"], spStatusShape); s["indicator"] != "minor" {
		t.Errorf("status.json status %v", s)
	}
	cDoc := checkShape(t, "components.json", fetchJSON(t, base+"components.json"), shape{"page": "object", "components": "array"})
	if got := checkComponents(t, "components.json.components", cDoc["components"], pageID); len(got) != 6 {
		t.Errorf("components.json has %d components", len(got))
	}

	incidentLists := []struct {
		path        string
		key         string
		maintenance bool
		want        []string
	}{
		{"incidents.json", "incidents", false, []string{"Postgres connection errors", "Slow builds"}},
		{"incidents/unresolved.json", "incidents", false, []string{"Postgres connection errors"}},
		{"scheduled-maintenances.json", "scheduled_maintenances", true, []string{"Postgres failover drill", "CLI upgrade"}},
		{"scheduled-maintenances/upcoming.json", "scheduled_maintenances", true, []string{"Postgres failover drill"}},
		{"scheduled-maintenances/active.json", "scheduled_maintenances", true, []string{"CLI upgrade"}},
	}
	for _, tc := range incidentLists {
		doc := checkShape(t, tc.path, fetchJSON(t, base+tc.path), shape{"page": "object", tc.key: "array"})
		checkPage(t, tc.path+".page", doc["page"], env)
		if got := checkIncidents(t, tc.path+"."+tc.key, doc[tc.key], pageID, tc.maintenance); !slices.Equal(got, tc.want) {
			t.Errorf("%s lists %v, want %v", tc.path, got, tc.want)
		}
	}

	// The resolved incident: both updates newest first, the old status of
	// its component from the update before.
	all := fetchJSON(t, base+"incidents.json")
	slow := list(t, "", all["incidents"])[1].(map[string]any)
	ups := list(t, "", slow["incident_updates"])
	if slow["status"] != "resolved" || slow["resolved_at"] == nil || len(ups) != 2 || ups[0].(map[string]any)["body"] != f.resolvedUpdateBody {
		t.Fatalf("resolved incident = %v", slow)
	}
	last := list(t, "", ups[0].(map[string]any)["affected_components"])[0].(map[string]any)
	if last["old_status"] != "degraded_performance" || last["new_status"] != "operational" {
		t.Errorf("resolving update's affected component = %v", last)
	}
}

func TestStatusV2Shapes(t *testing.T) { runStatusV2(t) }

func TestStatusV4Colours(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	v4 := func() (map[string]string, map[string]any) {
		t.Helper()
		doc := checkShape(t, "v4", fetchJSON(t, env.URL+"/api/v4/current-status"), shape{"status": "array", "incidents": "array", "scheduled": "array"})
		colours := map[string]string{}
		var order []string
		for _, s := range list(t, "status", doc["status"]) {
			m := checkShape(t, "status[]", s, shape{"system": "string", "status": "string"})
			colours[m["system"].(string)] = m["status"].(string)
			order = append(order, m["system"].(string))
		}
		if !slices.Equal(order, []string{"Apps", "Data", "Tools"}) {
			t.Fatalf("systems %v", order)
		}
		return colours, doc
	}
	if c, doc := v4(); c["Apps"] != "green" || c["Data"] != "green" || c["Tools"] != "green" ||
		len(list(t, "", doc["incidents"])) != 0 || len(list(t, "", doc["scheduled"])) != 0 {
		t.Fatalf("empty page: %v %v", c, doc)
	}

	f := newStatusFixture(t, env)
	c, doc := v4()
	// Data has a partial outage; Tools is under maintenance, which is not
	// an issue.
	if c["Apps"] != "green" || c["Data"] != "yellow" || c["Tools"] != "green" {
		t.Errorf("colours %v, want Apps green, Data yellow, Tools green", c)
	}
	incShape := shape{"id": "number", "title": "string", "resolved": "bool", "created_at": "time", "updated_at": "time", "full_url": "string", "updates": "array"}
	updShape := shape{"id": "number", "incident_id": "number", "update_type": "string", "contents": "string", "created_at": "time", "updated_at": "time"}
	incs := list(t, "incidents", doc["incidents"])
	if len(incs) != 1 {
		t.Fatalf("incidents %v", incs)
	}
	inc := checkShape(t, "incidents[0]", incs[0], incShape)
	if inc["title"] != f.active.Name || inc["full_url"] != env.URL+"/incidents/"+strconv.FormatInt(f.active.ID, 10) || inc["resolved"] != false {
		t.Errorf("incident %v", inc)
	}
	upd := checkShape(t, "incidents[0].updates[0]", list(t, "", inc["updates"])[0], updShape)
	if upd["update_type"] != "issue" || upd["contents"] != f.activeBody {
		t.Errorf("update %v", upd)
	}
	var scheduled []string
	for _, s := range list(t, "scheduled", doc["scheduled"]) {
		scheduled = append(scheduled, checkShape(t, "scheduled[]", s, incShape)["title"].(string))
	}
	if !slices.Equal(scheduled, []string{"CLI upgrade", "Postgres failover drill"}) {
		t.Errorf("scheduled %v", scheduled)
	}

	// A major outage in Apps turns it red; degraded performance in Tools
	// (alongside its maintenance) turns that yellow.
	ctx := context.Background()
	for _, ch := range []struct {
		c  status.Component
		st status.ComponentStatus
	}{{f.dynos, status.MajorOutage}, {f.cli, status.DegradedPerformance}} {
		in := status.ComponentInput{Name: ch.c.Name, GroupID: ch.c.GroupID, Status: ch.st, Region: ch.c.Region, Description: ch.c.Description}
		if _, err := env.App.Status.UpdateComponent(ctx, account.CLI(), ch.c.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	if c, _ := v4(); c["Apps"] != "red" || c["Data"] != "yellow" || c["Tools"] != "yellow" {
		t.Errorf("colours %v, want Apps red, Data yellow, Tools yellow", c)
	}
}

func TestStatusFeeds(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	f := newStatusFixture(t, env)
	for _, tc := range []struct{ path, ctype, feedType string }{
		{"/history.atom", "application/atom+xml; charset=utf-8", "atom"},
		{"/history.rss", "application/rss+xml; charset=utf-8", "rss"},
	} {
		r := fetch(t, env.URL+tc.path)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != tc.ctype {
			t.Fatalf("GET %s: %d %s", tc.path, r.status, r.header.Get("Content-Type"))
		}
		fd, err := gofeed.NewParser().ParseString(string(r.body))
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.path, err, r.body)
		}
		if fd.FeedType != tc.feedType || len(fd.Items) != 4 {
			t.Fatalf("%s: %s feed with %d items, want %s with 4", tc.path, fd.FeedType, len(fd.Items), tc.feedType)
		}
		byTitle := map[string]*gofeed.Item{}
		for _, it := range fd.Items {
			byTitle[it.Title] = it
		}
		slow := byTitle["Slow builds"]
		if slow == nil || slow.Link != env.URL+"/incidents/"+strconv.FormatInt(f.resolved.ID, 10) {
			t.Fatalf("%s: no entry for the resolved incident: %v", tc.path, byTitle)
		}
		content := slow.Content
		if content == "" {
			content = slow.Description
		}
		// The whole timeline, newest first, with steps named.
		first, second := strings.Index(content, f.resolvedUpdateBody), strings.Index(content, "Builds are slow.")
		if first < 0 || second < first || !strings.Contains(content, "<strong>Resolved</strong>") || !strings.Contains(content, "<strong>Investigating</strong>") {
			t.Errorf("%s: timeline of Slow builds:\n%s", tc.path, content)
		}
		if active := byTitle[f.active.Name]; active == nil || !strings.Contains(active.Content+active.Description, "<strong>eu</strong>") {
			t.Errorf("%s: the active incident's Markdown is not rendered: %v", tc.path, active)
		}
	}
}

// TestStatusPublicCaching: validators, 304s and headers a CDN relies on,
// and a change makes the old validators stale at once.
func TestStatusPublicCaching(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	f := newStatusFixture(t, env)
	paths := []string{"/api/v2/summary.json", "/api/v2/status.json", "/api/v2/components.json", "/api/v2/incidents.json",
		"/api/v2/incidents/unresolved.json", "/api/v2/scheduled-maintenances.json", "/api/v2/scheduled-maintenances/upcoming.json",
		"/api/v2/scheduled-maintenances/active.json", "/api/v4/current-status", "/history.atom", "/history.rss"}
	etags := map[string]string{}
	for _, p := range paths {
		r := fetch(t, env.URL+p)
		h := r.header
		cc := h.Get("Cache-Control")
		if r.status != http.StatusOK || !strings.Contains(cc, "public") || !strings.Contains(cc, "max-age=30") || !strings.Contains(cc, "stale-while-revalidate") {
			t.Errorf("%s: %d, Cache-Control %q", p, r.status, cc)
		}
		if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Set-Cookie") != "" {
			t.Errorf("%s: CORS %q, Set-Cookie %q", p, h.Get("Access-Control-Allow-Origin"), h.Get("Set-Cookie"))
		}
		etag, lm := h.Get("ETag"), h.Get("Last-Modified")
		if _, err := http.ParseTime(lm); err != nil || !strings.HasPrefix(etag, `"`) {
			t.Fatalf("%s: ETag %q, Last-Modified %q", p, etag, lm)
		}
		etags[p] = etag
		if r := fetch(t, env.URL+p, "If-None-Match", etag); r.status != http.StatusNotModified || len(r.body) != 0 || r.header.Get("ETag") != etag {
			t.Errorf("%s with If-None-Match: %d", p, r.status)
		}
		if r := fetch(t, env.URL+p, "If-None-Match", `W/`+etag+`, "other"`); r.status != http.StatusNotModified {
			t.Errorf("%s with a weak If-None-Match list: %d", p, r.status)
		}
		if r := fetch(t, env.URL+p, "If-Modified-Since", lm); r.status != http.StatusNotModified {
			t.Errorf("%s with If-Modified-Since: %d", p, r.status)
		}
		req, _ := http.NewRequest(http.MethodHead, env.URL+p, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != etag || resp.ContentLength <= 0 {
			t.Errorf("HEAD %s: %d, ETag %q, length %d", p, resp.StatusCode, resp.Header.Get("ETag"), resp.ContentLength)
		}
	}

	// An update: every document is new, the old ETag no longer matches.
	if _, err := env.App.Status.PostUpdate(context.Background(), account.CLI(), f.active.ID, status.UpdateInput{Status: status.Identified, Body: "Found it."}); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		r := fetch(t, env.URL+p, "If-None-Match", etags[p])
		if r.status != http.StatusOK || r.header.Get("ETag") == etags[p] {
			t.Errorf("%s after an update: %d, ETag %q (was %q)", p, r.status, r.header.Get("ETag"), etags[p])
		}
	}
	if !strings.Contains(string(fetch(t, env.URL+"/api/v2/summary.json").body), "Found it.") {
		t.Error("summary.json does not show the new update")
	}
}
