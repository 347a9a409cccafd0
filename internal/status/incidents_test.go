package status_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/status"
)

func ptr(t time.Time) *time.Time { return &t }

func TestIncidentValidation(t *testing.T) {
	f := newFixture(t)
	p := f.platform()
	cases := []struct {
		name  string
		in    status.IncidentInput
		field string
		want  string // in the field's message
	}{
		{"no name", status.IncidentInput{Body: "x"}, "name", ""},
		{"no body", status.IncidentInput{Name: "Errors"}, "body", ""},
		{"long body", status.IncidentInput{Name: "Errors", Body: strings.Repeat("x", 20*1024+1)}, "body", "20 KB"},
		{"maintenance status on an incident", status.IncidentInput{Name: "Errors", Body: "x", Status: status.Scheduled}, "status", "investigating, identified, monitoring, resolved, postmortem"},
		{"incident status on maintenance", status.IncidentInput{Kind: status.KindMaintenance, Name: "DB", Body: "x", Status: status.Identified,
			ScheduledFor: ptr(t0.Add(time.Hour)), ScheduledUntil: ptr(t0.Add(2 * time.Hour))}, "status", "scheduled, in_progress, verifying, completed"},
		{"bad impact", status.IncidentInput{Name: "Errors", Body: "x", Impact: "huge"}, "impact", ""},
		{"maintenance impact on an incident", status.IncidentInput{Name: "Errors", Body: "x", Impact: status.ImpactMaintenance}, "impact", ""},
		{"incident impact on maintenance", status.IncidentInput{Kind: status.KindMaintenance, Name: "DB", Body: "x", Impact: status.ImpactMajor,
			ScheduledFor: ptr(t0.Add(time.Hour)), ScheduledUntil: ptr(t0.Add(2 * time.Hour))}, "impact", ""},
		{"no window", status.IncidentInput{Kind: status.KindMaintenance, Name: "DB", Body: "x"}, "scheduled_for", ""},
		{"window backwards", status.IncidentInput{Kind: status.KindMaintenance, Name: "DB", Body: "x",
			ScheduledFor: ptr(t0.Add(2 * time.Hour)), ScheduledUntil: ptr(t0.Add(time.Hour))}, "scheduled_until", ""},
		{"bad kind", status.IncidentInput{Kind: "outage", Name: "X", Body: "x"}, "kind", ""},
		{"group as component", status.IncidentInput{Name: "X", Body: "x", Components: []status.ComponentChange{{ComponentID: p.data.ID, Status: status.MajorOutage}}}, "components", "group"},
		{"component without status", status.IncidentInput{Name: "X", Body: "x", Components: []status.ComponentChange{{ComponentID: p.redis.ID}}}, "components", ""},
		{"missing component", status.IncidentInput{Name: "X", Body: "x", Components: []status.ComponentChange{{ComponentID: 999999, Status: status.MajorOutage}}}, "components", ""},
	}
	for _, c := range cases {
		_, err := f.svc.CreateIncident(f.ctx, f.agent, c.in)
		wantField(t, err, c.field, c.name)
		if c.want != "" && !strings.Contains(err.(*helpline.Error).Fields[c.field], c.want) {
			t.Errorf("%s: %s says %q, want it to mention %q", c.name, c.field, err.(*helpline.Error).Fields[c.field], c.want)
		}
	}
	if n := f.count(`SELECT count(*) FROM incidents`); n != 0 {
		t.Fatalf("%d incidents stored from invalid input", n)
	}

	// Customers and the public cannot post.
	customer := f.customer("wile", f.org("Acme"))
	_, err := f.svc.CreateIncident(f.ctx, customer, status.IncidentInput{Name: "X", Body: "x"})
	wantKind(t, err, helpline.KindForbidden, "customer opens an incident")
	_, err = f.svc.CreateIncident(f.ctx, nil, status.IncidentInput{Name: "X", Body: "x"})
	wantKind(t, err, helpline.KindUnauthorized, "anonymous opens an incident")
	inc := f.incident(status.IncidentInput{Name: "Errors"})
	_, err = f.svc.PostUpdate(f.ctx, customer, inc.ID, status.UpdateInput{Status: status.Resolved, Body: "fixed"})
	wantKind(t, err, helpline.KindForbidden, "customer posts an update")
	_, err = f.svc.PostUpdate(f.ctx, f.agent, 999999, status.UpdateInput{Status: status.Resolved, Body: "fixed"})
	wantKind(t, err, helpline.KindNotFound, "update a missing incident")
	_, err = f.svc.PostUpdate(f.ctx, f.agent, inc.ID, status.UpdateInput{Status: status.Completed, Body: "done"})
	wantField(t, err, "status", "complete an incident")
	_, err = f.svc.FindIncident(f.ctx, 999999)
	wantKind(t, err, helpline.KindNotFound, "find a missing incident")
}

func TestIncidentLifecycle(t *testing.T) {
	f := newFixture(t)
	p := f.platform()
	f.clock.Advance(time.Minute)
	inc := f.incident(status.IncidentInput{
		Name: "Elevated H12 errors in EU", Body: "We are investigating elevated H12 errors.", Notify: true,
		Components: []status.ComponentChange{
			{ComponentID: p.runtimeEU.ID, Status: status.PartialOutage},
			{ComponentID: p.postgresEU.ID, Status: status.DegradedPerformance},
		},
	})
	if inc.Status != status.Investigating || inc.Impact != status.ImpactMajor || inc.Kind != status.KindIncident {
		t.Fatalf("created %s/%s/%s, want incident investigating with the impact of a partial outage (major)", inc.Kind, inc.Status, inc.Impact)
	}
	if inc.URL != "/incidents/"+itoa(inc.ID) || !inc.Active() || !inc.StartedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("created %+v", inc)
	}
	if len(inc.Components) != 2 || len(inc.Updates) != 1 || len(inc.Updates[0].Components) != 2 || inc.Updates[0].Components[0].Name == "" {
		t.Fatalf("components %+v, updates %+v", inc.Components, inc.Updates)
	}
	if st := f.statusOf(p.runtimeEU.ID); st != status.PartialOutage {
		t.Fatalf("runtime EU is %s", st)
	}
	if st := f.statusOf(p.postgresEU.ID); st != status.DegradedPerformance {
		t.Fatalf("postgres EU is %s", st)
	}

	f.clock.Advance(10 * time.Minute)
	inc = f.post(inc.ID, status.UpdateInput{Status: status.Identified, Body: "A bad router deploy.",
		Components: []status.ComponentChange{{ComponentID: p.postgresEU.ID, Status: status.Operational}}})
	if inc.Status != status.Identified || inc.MonitoringAt != nil || f.statusOf(p.postgresEU.ID) != status.Operational {
		t.Fatalf("identified: %+v, postgres %s", inc, f.statusOf(p.postgresEU.ID))
	}
	f.clock.Advance(10 * time.Minute)
	inc = f.post(inc.ID, status.UpdateInput{Status: status.Monitoring, Impact: status.ImpactMinor})
	if inc.MonitoringAt == nil || !inc.MonitoringAt.Equal(f.clock.Now()) || inc.Impact != status.ImpactMinor {
		t.Fatalf("monitoring: %+v", inc)
	}
	f.clock.Advance(10 * time.Minute)
	inc = f.post(inc.ID, status.UpdateInput{Status: status.Resolved, Body: "All clear."})
	if inc.Active() || inc.ResolvedAt == nil || !inc.ResolvedAt.Equal(f.clock.Now()) {
		t.Fatalf("resolved: %+v", inc)
	}
	if st := f.statusOf(p.runtimeEU.ID); st != status.Operational {
		t.Fatalf("runtime EU is %s after the resolution", st)
	}
	// The resolving update shows the components it returned.
	if u := inc.Updates[0]; u.Status != status.Resolved || len(u.Components) != 1 || u.Components[0].ComponentID != p.runtimeEU.ID || u.Components[0].Status != status.Operational {
		t.Fatalf("resolving update %+v", u)
	}
	var statuses []string
	for _, u := range inc.Updates {
		statuses = append(statuses, string(u.Status))
	}
	if got := strings.Join(statuses, ","); got != "resolved,monitoring,identified,investigating" {
		t.Fatalf("timeline (newest first) %s", got)
	}
	// A postmortem keeps resolved_at.
	resolvedAt := *inc.ResolvedAt
	f.clock.Advance(time.Hour)
	inc = f.post(inc.ID, status.UpdateInput{Status: status.Postmortem, Body: "What happened."})
	if !inc.ResolvedAt.Equal(resolvedAt) {
		t.Fatalf("postmortem moved resolved_at to %v", inc.ResolvedAt)
	}

	// Filters.
	other := f.incident(status.IncidentInput{Name: "Slow builds"})
	for _, c := range []struct {
		f    status.IncidentFilter
		want []int64
	}{
		{status.IncidentFilter{}, []int64{other.ID, inc.ID}},
		{status.IncidentFilter{State: "active"}, []int64{other.ID}},
		{status.IncidentFilter{State: "unresolved"}, []int64{other.ID}},
		{status.IncidentFilter{State: "resolved"}, []int64{inc.ID}},
		{status.IncidentFilter{Kind: status.KindMaintenance}, nil},
		{status.IncidentFilter{Page: helpline.Page{Limit: 1, Offset: 1}}, []int64{inc.ID}},
	} {
		list, total, err := f.svc.FindIncidents(f.ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, i := range list {
			ids = append(ids, i.ID)
		}
		if len(ids) != len(c.want) || (len(ids) > 0 && ids[0] != c.want[0]) {
			t.Errorf("filter %+v: %v, want %v", c.f, ids, c.want)
		}
		if c.f.Limit == 0 && total != len(c.want) {
			t.Errorf("filter %+v: total %d", c.f, total)
		}
	}
	_, _, err := f.svc.FindIncidents(f.ctx, status.IncidentFilter{State: "open"})
	wantField(t, err, "state", "unknown state")
}

// Two incidents hold Postgres: resolving one leaves the other's status,
// whichever is resolved first.
func TestOverlappingIncidentsRestoreComponents(t *testing.T) {
	for _, firstMajor := range []bool{true, false} {
		f := newFixture(t)
		p := f.platform()
		major := f.incident(status.IncidentInput{Name: "Postgres down", Components: []status.ComponentChange{
			{ComponentID: p.postgresEU.ID, Status: status.MajorOutage}, {ComponentID: p.redis.ID, Status: status.PartialOutage}}})
		minor := f.incident(status.IncidentInput{Name: "Slow queries", Components: []status.ComponentChange{
			{ComponentID: p.postgresEU.ID, Status: status.DegradedPerformance}}})
		if st := f.statusOf(p.postgresEU.ID); st != status.MajorOutage {
			t.Fatalf("postgres is %s with two incidents, want the worst (major_outage)", st)
		}
		first, second, after := major, minor, status.DegradedPerformance
		if !firstMajor {
			first, second, after = minor, major, status.MajorOutage
		}
		f.post(first.ID, status.UpdateInput{Status: status.Resolved})
		if st := f.statusOf(p.postgresEU.ID); st != after {
			t.Fatalf("resolving %q left postgres %s, want %s", first.Name, st, after)
		}
		f.post(second.ID, status.UpdateInput{Status: status.Resolved})
		if st, rs := f.statusOf(p.postgresEU.ID), f.statusOf(p.redis.ID); st != status.Operational || rs != status.Operational {
			t.Fatalf("after both resolved postgres is %s, redis %s", st, rs)
		}
		// Reopening puts the incident's statuses back.
		f.post(major.ID, status.UpdateInput{Status: status.Investigating, Body: "It is back."})
		if st := f.statusOf(p.postgresEU.ID); st != status.MajorOutage {
			t.Fatalf("reopened: postgres %s", st)
		}
		if inc, _ := f.svc.FindIncident(f.ctx, major.ID); inc.ResolvedAt != nil {
			t.Fatalf("reopened incident keeps resolved_at %v", inc.ResolvedAt)
		}
	}
}

func TestMaintenanceAutoTransition(t *testing.T) {
	f := newFixture(t)
	p := f.platform()
	m, err := f.svc.CreateIncident(f.ctx, f.agent, status.IncidentInput{
		Kind: status.KindMaintenance, Name: "Redis upgrade", Body: "We will upgrade Redis.",
		ScheduledFor: ptr(t0.Add(time.Hour)), ScheduledUntil: ptr(t0.Add(3 * time.Hour)), AutoTransition: true,
		Components: []status.ComponentChange{{ComponentID: p.redis.ID}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Scheduling leaves a component's status alone until the window.
	if _, err := f.svc.UpdateComponent(f.ctx, f.admin, p.router.ID, status.ComponentInput{Name: "Router", GroupID: p.apps.ID, Status: status.DegradedPerformance}); err != nil {
		t.Fatal(err)
	}
	manual := f.incident(status.IncidentInput{Kind: status.KindMaintenance, Name: "Manual", ScheduledFor: ptr(t0.Add(time.Hour)), ScheduledUntil: ptr(t0.Add(2 * time.Hour)),
		Components: []status.ComponentChange{{ComponentID: p.router.ID}}})
	if m.Status != status.Scheduled || m.Impact != status.ImpactMaintenance || m.Components[0].Status != status.UnderMaintenance || m.Active() {
		t.Fatalf("scheduled %+v", m)
	}
	if st, rt := f.statusOf(p.redis.ID), f.statusOf(p.router.ID); st != status.Operational || rt != status.DegradedPerformance {
		t.Fatalf("before the window redis is %s, router %s", st, rt)
	}
	run := func(want int) {
		t.Helper()
		n, err := f.svc.RunMaintenance(f.ctx)
		if err != nil || n != want {
			t.Fatalf("RunMaintenance at %v = %d, %v; want %d", f.clock.Now(), n, err, want)
		}
	}
	run(0)
	f.clock.Advance(time.Hour)
	run(1)
	run(0)
	m, _ = f.svc.FindIncident(f.ctx, m.ID)
	if m.Status != status.InProgress || !m.StartedAt.Equal(f.clock.Now()) || !strings.HasPrefix(m.Updates[0].Body, "Scheduled maintenance is now in progress") {
		t.Fatalf("started %+v", m)
	}
	if st := f.statusOf(p.redis.ID); st != status.UnderMaintenance {
		t.Fatalf("redis is %s during the window", st)
	}
	f.clock.Advance(2 * time.Hour)
	run(1)
	run(0)
	m, _ = f.svc.FindIncident(f.ctx, m.ID)
	if m.Status != status.Completed || m.ResolvedAt == nil || len(m.Updates) != 3 {
		t.Fatalf("completed %+v", m)
	}
	if st := f.statusOf(p.redis.ID); st != status.Operational {
		t.Fatalf("redis is %s after the window", st)
	}
	if manual, _ = f.svc.FindIncident(f.ctx, manual.ID); manual.Status != status.Scheduled {
		t.Fatalf("maintenance without auto transition moved to %s", manual.Status)
	}

	// A window missed entirely (the job did not run) starts and completes
	// in one pass.
	late := f.incident(status.IncidentInput{Kind: status.KindMaintenance, Name: "Late", AutoTransition: true,
		ScheduledFor: ptr(f.clock.Now().Add(time.Minute)), ScheduledUntil: ptr(f.clock.Now().Add(2 * time.Minute))})
	f.clock.Advance(time.Hour)
	run(2)
	if late, _ = f.svc.FindIncident(f.ctx, late.ID); late.Status != status.Completed {
		t.Fatalf("late maintenance is %s", late.Status)
	}
}

// Several processes run the maintenance job at once: each maintenance
// starts exactly once.
func TestMaintenanceStartsExactlyOnce(t *testing.T) {
	url := dbtest.URL(t)
	ctx := context.Background()
	var fixtures []*fixture
	for i := 0; i < 3; i++ {
		d, err := db.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if i == 0 {
			if err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			fixtures = append(fixtures, newFixtureOn(t, d))
			continue
		}
		// The other processes share the first one's data.
		f := &fixture{t: t, ctx: ctx, db: d, clock: fixtures[0].clock}
		f.svc = status.NewService(d, nil, status.Options{Now: f.clock.Now})
		fixtures = append(fixtures, f)
	}
	f := fixtures[0]
	p := f.platform()
	var ids []int64
	for i := 0; i < 5; i++ {
		m := f.incident(status.IncidentInput{Kind: status.KindMaintenance, Name: "Window " + itoa(int64(i)), AutoTransition: true,
			ScheduledFor: ptr(t0.Add(time.Hour)), ScheduledUntil: ptr(t0.Add(2 * time.Hour)),
			Components: []status.ComponentChange{{ComponentID: p.redis.ID}}})
		ids = append(ids, m.ID)
	}
	f.clock.Advance(time.Hour)
	var wg sync.WaitGroup
	moved := make([]int, len(fixtures)*2)
	errs := make([]error, len(fixtures)*2)
	for i := range moved {
		wg.Add(1)
		go func() {
			defer wg.Done()
			moved[i], errs[i] = fixtures[i%len(fixtures)].svc.RunMaintenance(ctx)
		}()
	}
	wg.Wait()
	total := 0
	for i := range moved {
		if errs[i] != nil {
			t.Fatalf("run %d: %v", i, errs[i])
		}
		total += moved[i]
	}
	if total != len(ids) {
		t.Fatalf("the runs moved %d maintenances in all, want %d", total, len(ids))
	}
	for _, id := range ids {
		if n := f.count(`SELECT count(*) FROM incident_updates WHERE incident_id = $1 AND status = 'in_progress'`, id); n != 1 {
			t.Fatalf("maintenance %d has %d start updates", id, n)
		}
	}
	if n := f.count(`SELECT count(*) FROM component_status_changes WHERE component_id = $1 AND status = 'under_maintenance'`, p.redis.ID); n != 1 {
		t.Fatalf("redis went under maintenance %d times", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
