package status_test

import (
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/status"
)

func TestSnapshot(t *testing.T) {
	f := newFixture(t)
	build := func() *status.Snapshot {
		t.Helper()
		s, err := f.svc.BuildSnapshot(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	empty := build()
	if empty.Indicator != "none" || empty.Description != "All Systems Operational" || len(empty.Components) != 0 {
		t.Fatalf("empty snapshot %+v", empty)
	}

	f.clock.Set(t0.AddDate(0, 0, -100))
	p := f.platform()
	// A resolved incident 20 days ago (not recent), one 3 days ago (recent).
	f.clock.Set(t0.AddDate(0, 0, -20))
	old := f.incident(status.IncidentInput{Name: "Old", Components: []status.ComponentChange{{ComponentID: p.redis.ID, Status: status.MajorOutage}}})
	f.clock.Advance(6 * time.Hour)
	f.post(old.ID, status.UpdateInput{Status: status.Resolved})
	f.clock.Set(t0.AddDate(0, 0, -3))
	recent := f.incident(status.IncidentInput{Name: "Recent"})
	f.post(recent.ID, status.UpdateInput{Status: status.Resolved})
	f.clock.Set(t0)

	s := build()
	if s.Indicator != "none" || s.Description != "All Systems Operational" {
		t.Fatalf("all operational: %s / %s", s.Indicator, s.Description)
	}
	if len(s.Components) != 7 {
		t.Fatalf("%d components", len(s.Components))
	}
	for _, c := range s.Components {
		switch {
		case c.Group && c.Uptime90 != nil:
			t.Errorf("group %s has uptime bars", c.Name)
		case !c.Group && len(c.Uptime90) != 90:
			t.Errorf("%s has %d uptime bars, want 90", c.Name, len(c.Uptime90))
		case c.ID == p.redis.ID:
			// Six hours down out of the 90 days the component existed.
			bar := c.Uptime90[89-20]
			if bar.Worst != status.MajorOutage || bar.Minutes[status.MajorOutage] != 360 {
				t.Errorf("redis bar 20 days ago: %+v", bar)
			}
			want := 1 - 6.0/(89*24+9)
			if d := c.UptimePct - want; d > 1e-9 || d < -1e-9 {
				t.Errorf("redis uptime %.6f, want %.6f", c.UptimePct, want)
			}
		case c.ID == p.router.ID && c.UptimePct != 1:
			t.Errorf("router uptime %v", c.UptimePct)
		}
	}
	if len(s.Active) != 0 || len(s.Upcoming) != 0 {
		t.Fatalf("active %d, upcoming %d", len(s.Active), len(s.Upcoming))
	}
	// Recent: the 50 newest include both; only 2 incidents exist.
	if len(s.Recent) != 2 || s.Recent[0].ID != recent.ID || len(s.Recent[0].Updates) != 2 {
		t.Fatalf("recent %+v", s.Recent)
	}

	// Indicator from components, from incidents, and maintenance.
	v0 := s.Version
	if _, err := f.svc.UpdateComponent(f.ctx, f.admin, p.router.ID, status.ComponentInput{Name: "Router", GroupID: p.apps.ID, Status: status.PartialOutage}); err != nil {
		t.Fatal(err)
	}
	if s = build(); s.Indicator != "minor" || s.Description != "Minor Service Outage" || s.Version != v0+1 || !s.UpdatedAt.Equal(t0) {
		t.Fatalf("partial outage: %s / %s, version %d (was %d), updated %v", s.Indicator, s.Description, s.Version, v0, s.UpdatedAt)
	}
	f.clock.Advance(time.Minute)
	crit := f.incident(status.IncidentInput{Name: "Everything is down", Impact: status.ImpactCritical})
	if s = build(); s.Indicator != "critical" || s.Description != "Major Service Outage" || len(s.Active) != 1 || !s.UpdatedAt.Equal(f.clock.Now()) {
		t.Fatalf("critical incident: %s / %s, %d active", s.Indicator, s.Description, len(s.Active))
	}
	f.post(crit.ID, status.UpdateInput{Status: status.Resolved})
	f.component(status.ComponentInput{Name: "Kafka", GroupID: p.data.ID, Status: status.MajorOutage})
	if s = build(); s.Indicator != "major" || s.Description != "Partial System Outage" {
		t.Fatalf("major outage: %s / %s", s.Indicator, s.Description)
	}

	f2 := newFixture(t)
	p2 := f2.platform()
	m := f2.incident(status.IncidentInput{Kind: status.KindMaintenance, Name: "Upgrade", ScheduledFor: ptr(t0.Add(time.Hour)), ScheduledUntil: ptr(t0.Add(2 * time.Hour)),
		AutoTransition: true, Components: []status.ComponentChange{{ComponentID: p2.redis.ID}}})
	s, err := f2.svc.BuildSnapshot(f2.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Upcoming) != 1 || s.Upcoming[0].ID != m.ID || len(s.Active) != 0 || s.Description != "All Systems Operational" {
		t.Fatalf("upcoming maintenance: %+v", s)
	}
	f2.clock.Advance(time.Hour)
	if _, err := f2.svc.RunMaintenance(f2.ctx); err != nil {
		t.Fatal(err)
	}
	s, err = f2.svc.BuildSnapshot(f2.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Indicator != "none" || s.Description != "Service Under Maintenance" || len(s.Active) != 1 || len(s.Upcoming) != 0 {
		t.Fatalf("maintenance under way: %s / %s, active %d", s.Indicator, s.Description, len(s.Active))
	}
}

func TestTemplates(t *testing.T) {
	f := newFixture(t)
	list, err := f.svc.FindTemplates(f.ctx, f.agent)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 3 {
		t.Fatalf("%d seeded templates", len(list))
	}
	tpl, err := f.svc.SaveTemplate(f.ctx, f.agent, status.Template{Name: "Identified", Status: status.Identified, Body: "We found the cause."})
	if err != nil || tpl.ID == 0 || tpl.Kind != status.KindIncident {
		t.Fatalf("save: %+v, %v", tpl, err)
	}
	tpl.Body = "We found the cause and are fixing it."
	if _, err := f.svc.SaveTemplate(f.ctx, f.agent, tpl); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.SaveTemplate(f.ctx, f.agent, status.Template{Name: "Identified", Body: "again"})
	wantKind(t, err, helpline.KindConflict, "duplicate template name")
	_, err = f.svc.SaveTemplate(f.ctx, f.agent, status.Template{Name: "X", Kind: status.KindMaintenance, Status: status.Resolved, Body: "x"})
	wantField(t, err, "status", "incident status on a maintenance template")
	_, err = f.svc.SaveTemplate(f.ctx, f.agent, status.Template{Name: "X"})
	wantField(t, err, "body", "empty template")
	_, err = f.svc.SaveTemplate(f.ctx, f.agent, status.Template{ID: 999999, Name: "X", Body: "x"})
	wantKind(t, err, helpline.KindNotFound, "replace a missing template")
	customer := f.customer("wile", f.org("Acme"))
	_, err = f.svc.FindTemplates(f.ctx, customer)
	wantKind(t, err, helpline.KindForbidden, "customer lists templates")
	_, err = f.svc.SaveTemplate(f.ctx, nil, tpl)
	wantKind(t, err, helpline.KindUnauthorized, "anonymous saves a template")
	if err := f.svc.DeleteTemplate(f.ctx, f.agent, tpl.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, f.svc.DeleteTemplate(f.ctx, f.agent, tpl.ID), helpline.KindNotFound, "delete twice")
	if after, _ := f.svc.FindTemplates(f.ctx, f.agent); len(after) != len(list) {
		t.Fatalf("%d templates after delete, want %d", len(after), len(list))
	}
}
