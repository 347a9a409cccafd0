package status_test

import (
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/status"
)

func TestComponentValidation(t *testing.T) {
	f := newFixture(t)
	p := f.platform()
	manyKeywords := make([]string, 21)
	for i := range manyKeywords {
		manyKeywords[i] = "k" + strings.Repeat("x", i+1)
	}
	cases := []struct {
		name  string
		in    status.ComponentInput
		field string
	}{
		{"empty name", status.ComponentInput{Name: "  "}, "name"},
		{"long name", status.ComponentInput{Name: strings.Repeat("n", 101)}, "name"},
		{"bad status", status.ComponentInput{Name: "X", Status: "broken"}, "status"},
		{"bad region", status.ComponentInput{Name: "X", Region: "mars"}, "region"},
		{"group is a component", status.ComponentInput{Name: "X", GroupID: p.redis.ID}, "group_id"},
		{"no such group", status.ComponentInput{Name: "X", GroupID: 999999}, "group_id"},
		{"nested group", status.ComponentInput{Name: "X", Group: true, GroupID: p.apps.ID}, "group_id"},
		{"too many keywords", status.ComponentInput{Name: "X", Keywords: manyKeywords}, "keywords"},
		{"duplicate in group", status.ComponentInput{Name: "Redis", GroupID: p.data.ID}, "name"},
		{"duplicate at top", status.ComponentInput{Name: "Apps"}, "name"},
	}
	for _, c := range cases {
		_, err := f.svc.CreateComponent(f.ctx, f.admin, c.in)
		wantField(t, err, c.field, c.name)
	}

	// The same name in another group is fine; keywords are normalized.
	c := f.component(status.ComponentInput{Name: "Redis", GroupID: p.apps.ID, Keywords: []string{" Redis ", "REDIS", "Cache"}})
	if strings.Join(c.Keywords, ",") != "redis,cache" || c.Status != status.Operational {
		t.Errorf("created %+v, want keywords redis,cache and operational", c)
	}

	// Only admins manage components.
	org := f.org("Acme")
	customer := f.customer("wile", org)
	_, err := f.svc.CreateComponent(f.ctx, f.agent, status.ComponentInput{Name: "Y"})
	wantKind(t, err, helpline.KindForbidden, "agent creates")
	_, err = f.svc.CreateComponent(f.ctx, customer, status.ComponentInput{Name: "Y"})
	wantKind(t, err, helpline.KindForbidden, "customer creates")
	_, err = f.svc.CreateComponent(f.ctx, nil, status.ComponentInput{Name: "Y"})
	wantKind(t, err, helpline.KindUnauthorized, "anonymous creates")
	_, err = f.svc.UpdateComponent(f.ctx, f.agent, p.redis.ID, status.ComponentInput{Name: "Redis", GroupID: p.data.ID})
	wantKind(t, err, helpline.KindForbidden, "agent updates")
	wantKind(t, f.svc.DeleteComponent(f.ctx, customer, p.redis.ID), helpline.KindForbidden, "customer deletes")
}

func TestComponentOrderHistoryAndDelete(t *testing.T) {
	f := newFixture(t)
	p := f.platform()
	top := f.component(status.ComponentInput{Name: "Website"})

	list, err := f.svc.FindComponents(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range list {
		names = append(names, c.Name)
	}
	want := "Apps,Common Runtime (US),Common Runtime (EU),Router,Data,Postgres (EU),Redis,Website"
	if got := strings.Join(names, ","); got != want {
		t.Fatalf("page order:\n got %s\nwant %s", got, want)
	}

	// Every component starts its history; each status change adds to it,
	// an edit that keeps the status does not.
	if n := f.count(`SELECT count(*) FROM component_status_changes`); n != 8 {
		t.Fatalf("%d status changes after creating 8 components", n)
	}
	f.clock.Advance(15 * time.Minute)
	in := status.ComponentInput{Name: "Redis", GroupID: p.data.ID, Status: status.DegradedPerformance, Keywords: []string{"redis"}}
	c, err := f.svc.UpdateComponent(f.ctx, f.admin, p.redis.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != status.DegradedPerformance || c.Position != p.redis.Position {
		t.Fatalf("updated %+v", c)
	}
	in.Description = "Key-value store"
	if _, err := f.svc.UpdateComponent(f.ctx, f.admin, p.redis.ID, in); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM component_status_changes WHERE component_id = $1`, p.redis.ID); n != 2 {
		t.Fatalf("redis has %d status changes, want 2", n)
	}
	// A group shows its worst member.
	if st := f.statusOf(p.data.ID); st != status.DegradedPerformance {
		t.Fatalf("group Data is %s, want degraded_performance", st)
	}

	// A group with members cannot be deleted or turned into a component.
	wantKind(t, f.svc.DeleteComponent(f.ctx, f.admin, p.data.ID), helpline.KindConflict, "delete a group with members")
	_, err = f.svc.UpdateComponent(f.ctx, f.admin, p.data.ID, status.ComponentInput{Name: "Data"})
	wantField(t, err, "group", "ungroup a group with members")
	// A component cannot become a group while inside one.
	_, err = f.svc.UpdateComponent(f.ctx, f.admin, p.redis.ID, status.ComponentInput{Name: "Redis", Group: true, GroupID: p.data.ID})
	wantField(t, err, "group_id", "nest a group")

	if err := f.svc.DeleteComponent(f.ctx, f.admin, top.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, f.svc.DeleteComponent(f.ctx, f.admin, top.ID), helpline.KindNotFound, "delete twice")
	_, err = f.svc.UpdateComponent(f.ctx, f.admin, 999999, in)
	wantKind(t, err, helpline.KindNotFound, "update a missing component")
	if f.changes == 0 {
		t.Fatal("no change was reported to the cache")
	}
}
