package csa_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/csa"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// A Premier customer asks for help with a launch: the request is stored
// with its details, the event gets its reminders, the CSA team and the
// requester are emailed, and the customer's colleague sees it too.
func TestRequestEventPreparation(t *testing.T) {
	f := newFixture(t)
	e := f.request(t, eventRequest(t0, 30))
	if e.State != csa.StateRequested || e.Kind != csa.KindEvent || e.Title != "Event preparation: Spring launch" || e.OrgName != "Acme Rockets" {
		t.Fatalf("engagement %+v", e)
	}
	ev := e.Event
	local := t0.AddDate(0, 0, 30).In(mustZone("America/New_York"))
	want := time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), 0, 0, mustZone("America/New_York")).UTC()
	if ev == nil || !ev.StartsAt.Equal(want) || ev.TimeZone != "America/New_York" || ev.PeakRPS != 5000 || len(ev.Apps) != 2 || e.EventAt == nil {
		t.Fatalf("event details %+v, want start %s", ev, want)
	}
	if !strings.Contains(ev.LocalStart(), "America/New_York") {
		t.Errorf("local start %q", ev.LocalStart())
	}
	d, err := f.svc.FindEngagement(f.ctx, f.dev, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Reminders) != 2 || d.Reminders[0].Kind != "week" || !d.Reminders[0].DueAt.Equal(want.Add(-7*24*time.Hour)) || d.Reminders[1].Kind != "day" {
		t.Errorf("reminders %+v", d.Reminders)
	}
	if len(d.Activity) != 1 || d.Activity[0].Kind != "requested" {
		t.Errorf("activity %+v", d.Activity)
	}
	if d.Apps != nil || d.RecentTickets != nil {
		t.Error("a customer gets the staff context")
	}
	if n := f.count(t, `SELECT count(*) FROM mail_outbox WHERE category = 'staff_alerts' AND to_email = 'casey@helpline.test'`); n != 1 {
		t.Errorf("%d alerts to the CSA team, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM mail_outbox WHERE category = 'engagements' AND to_email = 'owner@acme.test'`); n != 1 {
		t.Errorf("%d confirmations to the requester, want 1", n)
	}
	staff, err := f.svc.FindEngagement(f.ctx, f.agent, e.ID)
	if err != nil || len(staff.Apps) != 2 {
		t.Fatalf("staff view: apps %v, %v", staff.Apps, err)
	}

	// Nobody else sees it: another customer gets not found.
	if _, err := f.svc.FindEngagementByID(f.ctx, f.standard, e.ID); helpline.KindOf(err) != helpline.KindNotFound {
		t.Errorf("another organization's customer: %v", err)
	}
	list, err := f.svc.FindEngagements(f.ctx, f.standard, csa.Filter{})
	if err != nil || len(list) != 0 {
		t.Errorf("another organization lists %d, %v", len(list), err)
	}
	list, err = f.svc.FindEngagements(f.ctx, f.architect, csa.Filter{State: "open"})
	if err != nil || len(list) != 1 {
		t.Errorf("the CSA queue lists %d, %v", len(list), err)
	}
}

// Customers of other plans are refused the portal; staff do not request.
func TestRequestRefused(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.RequestEngagement(f.ctx, f.standard, eventRequest(t0, 30))
	he := wantKind(t, err, helpline.KindForbidden)
	if !strings.Contains(he.Message, "Standard") || !strings.Contains(he.Message, "Premier") {
		t.Errorf("message %q", he.Message)
	}
	_, err = f.svc.RequestEngagement(f.ctx, f.architect, eventRequest(t0, 30))
	wantKind(t, err, helpline.KindForbidden)
	if _, err := f.svc.FindCollections(f.ctx, f.standard); helpline.KindOf(err) != helpline.KindForbidden {
		t.Errorf("standard customer's collections: %v", err)
	}
}

// Every field of every form names what to fix.
func TestRequestValidation(t *testing.T) {
	f := newFixture(t)
	noZone := eventRequest(t0, 30)
	noZone.Event.TimeZone = ""
	past := eventRequest(t0, -2)
	badZone := eventRequest(t0, 30)
	badZone.Event.TimeZone = "Mars/Olympus"
	empty := csa.Request{Kind: csa.KindEvent, Event: &csa.EventInput{}}
	otherApp := eventRequest(t0, 30)
	otherApp.Event.Apps = []string{"initech-tps"}
	tests := []struct {
		name   string
		in     csa.Request
		fields map[string]string
	}{
		{"unknown kind", csa.Request{Kind: "migration"}, map[string]string{"kind": "must be event, performance or architecture"}},
		{"missing form", csa.Request{Kind: csa.KindPerformance}, map[string]string{"performance": "is required"}},
		{"two forms", csa.Request{Kind: csa.KindEvent, Event: &csa.EventInput{}, Architecture: &csa.ArchitectureInput{}}, map[string]string{"event": "send only"}},
		{"no zone", noZone, map[string]string{"event.starts_at": "needs a time zone"}},
		{"past", past, map[string]string{"event.starts_at": "is in the past"}},
		{"bad zone", badZone, map[string]string{"event.time_zone": "not a known time zone"}},
		{"other org's app", otherApp, map[string]string{"event.apps": `"initech-tps" is not one of your organization's apps`}},
		{"empty event", empty, map[string]string{"event.name": "is required", "event.starts_at": "is required", "event.peak_rps": "requests per second",
			"event.peak_concurrent_users": "users at once", "event.apps": "at least one", "event.dyno_formation": "is required",
			"event.database_plan": "is required", "event.concerns": "is required"}},
		{"empty performance", csa.Request{Kind: csa.KindPerformance, Performance: &csa.PerformanceInput{Since: "2026-02-01 10:00"}},
			map[string]string{"performance.apps": "at least one", "performance.symptoms": "is required", "performance.metrics": "is required", "performance.since": "needs a time zone"}},
		{"architecture", csa.Request{Kind: csa.KindArchitecture, Architecture: &csa.ArchitectureInput{Goal: "Go multi-region", CurrentDesign: "short", Deadline: "2026-01-01"}},
			map[string]string{"architecture.current_design": "at least 20", "architecture.constraints": "is required", "architecture.deadline": "is in the past"}},
		{"deadline format", csa.Request{Kind: csa.KindArchitecture, Architecture: &csa.ArchitectureInput{Goal: "Go multi-region", CurrentDesign: strings.Repeat("a monolith ", 3), Constraints: "HIPAA", Deadline: "next month"}},
			map[string]string{"architecture.deadline": "2027-03-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.RequestEngagement(f.ctx, f.owner, tt.in)
			he := wantKind(t, err, helpline.KindInvalid)
			for field, want := range tt.fields {
				if !strings.Contains(he.Fields[field], want) {
					t.Errorf("%s: %q, want %q (all: %v)", field, he.Fields[field], want, he.Fields)
				}
			}
		})
	}
	if n := f.count(t, `SELECT count(*) FROM engagements`); n != 0 {
		t.Errorf("%d engagements stored from invalid requests", n)
	}
}

// A request that describes an outage is not silently accepted: it comes
// back with the urgent ticket filled in from it; confirmed as not an
// outage, it is accepted and the signals are kept for the CSA.
func TestBreakFixBoundary(t *testing.T) {
	f := newFixture(t)
	in := csa.Request{Kind: csa.KindPerformance, Performance: &csa.PerformanceInput{
		Apps:     []string{"acme-api"},
		Symptoms: "Checkout is down: we get H12 timeouts and 500s on every request.",
		Metrics:  "at=error code=H12 desc=\"Request timeout\" path=\"/checkout\" service=30000ms status=503",
		Since:    t0.Add(-20 * time.Minute).Format(time.RFC3339),
	}}
	_, err := f.svc.RequestEngagement(f.ctx, f.owner, in)
	var bf *csa.BreakFixError
	if !errors.As(err, &bf) {
		t.Fatalf("error %v, want a break/fix refusal", err)
	}
	fields := map[string]string{}
	for _, s := range bf.Signals {
		fields[s.Field] = s.Reason
	}
	for field, want := range map[string]string{"performance.symptoms": "H12", "performance.metrics": "H12", "performance.since": "within the hour"} {
		if !strings.Contains(fields[field], want) {
			t.Errorf("signal on %s: %q, want %q", field, fields[field], want)
		}
	}
	if !strings.Contains(fields["performance.symptoms"], `"is down"`) || !strings.Contains(fields["performance.symptoms"], `"500s"`) {
		t.Errorf("symptoms signal %q", fields["performance.symptoms"])
	}
	tk := bf.Ticket
	if tk.Priority != ticket.Urgent || tk.OrgID != f.org.ID || tk.AppID == 0 || tk.Environment != ticket.Production ||
		!strings.Contains(tk.Description, "Checkout is down") || tk.Urgent.StartedAt == "" || !strings.Contains(tk.Urgent.Logs, "code=H12") || tk.Subject == "" {
		t.Errorf("urgent ticket prefill %+v %+v", tk, tk.Urgent)
	}
	if helpline.KindOf(err) != helpline.KindInvalid {
		t.Errorf("kind %s, want invalid for callers that know nothing of break/fix", helpline.KindOf(err))
	}
	if n := f.count(t, `SELECT count(*) FROM engagements`); n != 0 {
		t.Fatalf("%d engagements stored", n)
	}

	in.NotBreakFix = true
	e := f.request(t, in)
	if len(e.BreakFixSignals) != 3 {
		t.Errorf("signals kept %+v", e.BreakFixSignals)
	}
}

func TestBreakFixText(t *testing.T) {
	now := t0
	tests := []struct {
		text string
		hit  bool
	}{
		{"Our API is down since 9:00", true},
		{"the app crashed twice tonight", true},
		{"we see R14 memory errors", true},
		{"lots of 503 errors at the router", true},
		{"a major outage", true},
		{"We worry the app might go down under load", false},
		{"we want to make sure it does not crash", false},
		{"scale down the workers after the event", false},
		{"we expect 500 users at once", false},
		{"a smooth launch with room to grow", false},
		{"downtime-free deploys and download speeds", false},
	}
	for _, tt := range tests {
		in := csa.Request{Kind: csa.KindEvent, Event: &csa.EventInput{Concerns: tt.text}}
		got := csa.DetectBreakFix(in, now)
		if (len(got) > 0) != tt.hit {
			t.Errorf("%q: signals %v, want hit=%v", tt.text, got, tt.hit)
		}
	}
}
