package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
)

func intp(n int) *int { return &n }

func TestSLAPoliciesAndCalendars(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme Rockets", account.PlanPremier)
	customer := env.Client(t, env.Customer(t, "owner@acme.test", org, account.OrgOwner))
	agent := env.Client(t, env.Staff(t, "agent@helpline.test", helpline.RoleAgent))
	admin := env.Client(t, env.Staff(t, "admin@helpline.test", helpline.RoleAdmin))

	ps, err := agent.SLAPolicies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 20 || ps[12].Plan != "premier" || ps[12].Priority != "urgent" || *ps[12].FirstResponseMinutes != 60 {
		t.Fatalf("policies = %d, premier urgent = %+v", len(ps), ps[12])
	}
	_, err = customer.SLAPolicies(ctx)
	apiErr(t, err, 403, "forbidden")

	// Admins edit; agents may not; unknown plans and priorities are not found.
	p, err := admin.UpdateSLAPolicy(ctx, "premier", "urgent", client.SLAPolicyInput{FirstResponseMinutes: intp(30), ResolutionMinutes: intp(480), WarnMinutes: 10})
	if err != nil {
		t.Fatal(err)
	}
	if *p.FirstResponseMinutes != 30 || p.NextResponseMinutes != nil || p.CalendarID != nil || p.WarnMinutes != 10 {
		t.Fatalf("updated = %+v", p)
	}
	_, err = agent.UpdateSLAPolicy(ctx, "premier", "urgent", client.SLAPolicyInput{})
	apiErr(t, err, 403, "forbidden")
	_, err = admin.UpdateSLAPolicy(ctx, "gold", "urgent", client.SLAPolicyInput{})
	if e := apiErr(t, err, 404, "not_found"); !strings.Contains(e.Message, "plan") {
		t.Fatalf("unknown plan: %v", e)
	}
	_, err = admin.UpdateSLAPolicy(ctx, "premier", "asap", client.SLAPolicyInput{})
	if e := apiErr(t, err, 404, "not_found"); !strings.Contains(e.Message, "priority") {
		t.Fatalf("unknown priority: %v", e)
	}
	_, err = admin.UpdateSLAPolicy(ctx, "premier", "urgent", client.SLAPolicyInput{FirstResponseMinutes: intp(0), WarnMinutes: -3})
	if e := apiErr(t, err, 422, "invalid"); e.Fields["first_response_minutes"] == "" || e.Fields["warn_minutes"] == "" {
		t.Fatalf("fields = %v", e.Fields)
	}

	// Calendars: a bad zone and bad hours are named.
	_, err = admin.CreateSLACalendar(ctx, client.SLACalendarInput{Name: "EMEA", TimeZone: "Europe/Pariss", Hours: client.WeekHours{Monday: []string{"9-17"}}})
	if e := apiErr(t, err, 422, "invalid"); !strings.Contains(e.Fields["time_zone"], "Europe/Pariss") || e.Fields["hours.monday"] == "" {
		t.Fatalf("fields = %v", e.Fields)
	}
	cal, err := admin.CreateSLACalendar(ctx, client.SLACalendarInput{Name: "EMEA", TimeZone: "Europe/Paris",
		Hours: client.WeekHours{Monday: []string{"09:00-17:00"}, Friday: []string{"09:00-12:00", "13:00-17:00"}}, Holidays: []string{"2026-12-25"}})
	if err != nil {
		t.Fatal(err)
	}
	if cal.ID == 0 || len(cal.Hours.Friday) != 2 || cal.Holidays[0] != "2026-12-25" {
		t.Fatalf("created = %+v", cal)
	}
	_, err = agent.CreateSLACalendar(ctx, client.SLACalendarInput{Name: "x", TimeZone: "UTC"})
	apiErr(t, err, 403, "forbidden")
	if _, err := admin.UpdateSLAPolicy(ctx, "standard", "low", client.SLAPolicyInput{FirstResponseMinutes: intp(600), CalendarID: &cal.ID}); err != nil {
		t.Fatal(err)
	}
	got, err := agent.SLACalendar(ctx, cal.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.UsedBy) != 1 || got.UsedBy[0] != "standard/low" {
		t.Fatalf("used by = %v", got.UsedBy)
	}
	err = admin.DeleteSLACalendar(ctx, cal.ID)
	if e := apiErr(t, err, 409, "conflict"); !strings.Contains(e.Message, "standard/low") {
		t.Fatalf("delete in use: %v", e.Message)
	}
	upd, err := admin.UpdateSLACalendar(ctx, cal.ID, client.SLACalendarInput{Name: "EMEA office", TimeZone: "Europe/Berlin", Hours: client.WeekHours{Tuesday: []string{"08:00-16:00"}}})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Name != "EMEA office" || upd.TimeZone != "Europe/Berlin" || len(upd.Hours.Monday) != 0 || len(upd.Holidays) != 0 {
		t.Fatalf("updated = %+v", upd)
	}
	if _, err := admin.UpdateSLAPolicy(ctx, "standard", "low", client.SLAPolicyInput{FirstResponseMinutes: intp(600)}); err != nil {
		t.Fatal(err)
	}
	if err := admin.DeleteSLACalendar(ctx, cal.ID); err != nil {
		t.Fatal(err)
	}
	_, err = agent.SLACalendar(ctx, cal.ID)
	apiErr(t, err, 404, "not_found")
	cals, err := agent.SLACalendars(ctx)
	if err != nil || len(cals) != 1 || cals[0].Name != "Business hours" {
		t.Fatalf("calendars = %+v, %v", cals, err)
	}
}

func TestTicketSLAAndReport(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme Rockets", account.PlanPremier)
	customer := env.Client(t, env.Customer(t, "owner@acme.test", org, account.OrgOwner))
	agent := env.Client(t, env.Staff(t, "agent@helpline.test", helpline.RoleAgent))

	tk, err := customer.CreateTicket(ctx, client.NewTicket{Subject: "Builds fail", Description: "Every build fails at the slug compile step since this morning.",
		Priority: "high", Environment: "production", Category: "deploys"})
	if err != nil {
		t.Fatal(err)
	}
	targets, err := agent.TicketSLA(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 2 || targets[0].Metric != "first_response" || targets[1].Metric != "resolution" {
		t.Fatalf("targets = %+v", targets)
	}
	fr := targets[0]
	if fr.State != "running" || fr.DueAt == nil || !fr.DueAt.Equal(tk.CreatedAt.Add(2*time.Hour)) || fr.RemainingSeconds == nil || *fr.RemainingSeconds <= 0 {
		t.Fatalf("first response = %+v (created %v)", fr, tk.CreatedAt)
	}
	_, err = customer.TicketSLA(ctx, tk.ID)
	apiErr(t, err, 403, "forbidden")
	_, err = agent.TicketSLA(ctx, 999999)
	apiErr(t, err, 404, "not_found")

	if _, err := agent.AddComment(ctx, tk.ID, "We are on it.", false); err != nil {
		t.Fatal(err)
	}
	rep, err := agent.SLAReport(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 1 || rep.Rows[0].Plan != "premier" || rep.Rows[0].Priority != "high" || rep.Rows[0].FirstResponse.Tickets != 1 || rep.Rows[0].FirstResponse.Responded != 1 {
		t.Fatalf("report = %+v", rep)
	}
	if m := rep.Rows[0].Metrics; len(m) != 1 || m[0].Metric != "first_response" || m[0].Met != 1 || *m[0].ShareMet != 1 {
		t.Fatalf("metrics = %+v", m)
	}
	_, err = agent.SLAReport(ctx, "2026-13-01", "yesterday")
	if e := apiErr(t, err, 422, "invalid"); e.Fields["from"] == "" || e.Fields["to"] == "" {
		t.Fatalf("fields = %v", e.Fields)
	}
	_, err = customer.SLAReport(ctx, "", "")
	apiErr(t, err, 403, "forbidden")
	if rep, err := agent.SLAReport(ctx, "2020-01-01", "2020-01-31"); err != nil || len(rep.Rows) != 0 {
		t.Fatalf("old period: %+v, %v", rep, err)
	}
}
