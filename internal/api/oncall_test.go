package api_test

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
)

// wantAPIError checks an error's status and, when field is set, that the
// answer names that field.
func wantAPIError(t *testing.T, err error, status int, field string) {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) || e.Status != status {
		t.Fatalf("err = %v, want status %d", err, status)
	}
	if field != "" && e.Fields[field] == "" {
		t.Fatalf("err = %v, want a message for field %q", err, field)
	}
}

func TestOncallAPI(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	adminUser := env.Staff(t, "admin@helpline.test", helpline.RoleAdmin)
	agentUser := env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	admin, agent := env.Client(t, adminUser), env.Client(t, agentUser)
	customer := env.Client(t, env.Customer(t, "owner@acme.test", env.Org(t, "Acme", account.PlanPremier), account.OrgOwner))

	// Bad input is refused per field.
	_, err := admin.CreateSchedule(ctx, client.ScheduleInput{Name: "Primary", TimeZone: "Atlantis/Capital"})
	wantAPIError(t, err, http.StatusUnprocessableEntity, "time_zone")
	_, err = customer.CreateSchedule(ctx, client.ScheduleInput{Name: "Primary", TimeZone: "UTC"})
	wantAPIError(t, err, http.StatusForbidden, "")
	_, err = agent.CreateSchedule(ctx, client.ScheduleInput{Name: "Primary", TimeZone: "UTC"})
	wantAPIError(t, err, http.StatusForbidden, "")

	sc, err := admin.CreateSchedule(ctx, client.ScheduleInput{Name: "Primary", TimeZone: "America/New_York"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2025, 3, 3, 14, 0, 0, 0, time.UTC) // Monday 09:00 EST
	layerIn := client.LayerInput{Name: "Weekly", Rotation: "weekly", HandoffTime: "09:00", HandoffWeekday: "monday", StartsAt: start,
		UserIDs: []int64{agentUser.ID, adminUser.ID}}
	bad := layerIn
	bad.Rotation = "fortnightly"
	_, err = admin.AddLayer(ctx, sc.ID, bad)
	wantAPIError(t, err, http.StatusUnprocessableEntity, "rotation")
	bad = layerIn
	end := start.Add(-time.Hour)
	bad.EndsAt = &end
	_, err = admin.AddLayer(ctx, sc.ID, bad)
	wantAPIError(t, err, http.StatusUnprocessableEntity, "ends_at")
	_, err = admin.AddLayer(ctx, sc.ID+1000, layerIn)
	wantAPIError(t, err, http.StatusNotFound, "")
	_, err = agent.AddLayer(ctx, sc.ID, layerIn)
	wantAPIError(t, err, http.StatusForbidden, "")
	layer, err := admin.AddLayer(ctx, sc.ID, layerIn)
	if err != nil {
		t.Fatal(err)
	}
	if layer.HandoffWeekday != "monday" || len(layer.Users) != 2 || layer.Users[0].Email != "agent@helpline.test" {
		t.Fatalf("layer = %+v", layer)
	}

	// Who: the first week is the agent's, the second the admin's, across
	// the DST change on 2025-03-09 (hand-off stays 09:00 local = 13:00Z).
	who, err := agent.WhoIsOnCall(ctx, sc.ID, time.Date(2025, 3, 10, 12, 59, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(who) != 1 || who[0].Shift == nil || who[0].Shift.User.ID != agentUser.ID || !who[0].Shift.End.Equal(time.Date(2025, 3, 10, 13, 0, 0, 0, time.UTC)) {
		t.Fatalf("who = %+v", who)
	}
	who, err = agent.WhoIsOnCall(ctx, 0, time.Date(2025, 3, 10, 13, 0, 0, 0, time.UTC))
	if err != nil || len(who) != 1 || who[0].Shift.User.ID != adminUser.ID || who[0].Shift.LayerID == nil || *who[0].Shift.LayerID != layer.ID {
		t.Fatalf("who (all) = %+v, %v", who, err)
	}
	_, err = agent.WhoIsOnCall(ctx, sc.ID+1000, time.Time{})
	wantAPIError(t, err, http.StatusNotFound, "")
	_, err = customer.WhoIsOnCall(ctx, 0, time.Time{})
	wantAPIError(t, err, http.StatusForbidden, "")
	err = agent.Do(ctx, "GET", "/api/v1/oncall/who?at=yesterday", nil, nil)
	wantAPIError(t, err, http.StatusUnprocessableEntity, "at")

	// Overrides: the agent puts themself on call, not someone else.
	ovIn := client.OverrideInput{UserID: agentUser.ID, ReplacesUserID: &adminUser.ID, StartsAt: time.Date(2025, 3, 11, 0, 0, 0, 0, time.UTC), EndsAt: time.Date(2025, 3, 12, 0, 0, 0, 0, time.UTC)}
	_, err = agent.AddOverride(ctx, sc.ID, client.OverrideInput{UserID: adminUser.ID, StartsAt: ovIn.StartsAt, EndsAt: ovIn.EndsAt})
	wantAPIError(t, err, http.StatusForbidden, "")
	_, err = agent.AddOverride(ctx, sc.ID, client.OverrideInput{UserID: agentUser.ID, StartsAt: ovIn.EndsAt, EndsAt: ovIn.StartsAt})
	wantAPIError(t, err, http.StatusUnprocessableEntity, "ends_at")
	ov, err := agent.AddOverride(ctx, sc.ID, ovIn)
	if err != nil {
		t.Fatal(err)
	}
	who, _ = agent.WhoIsOnCall(ctx, sc.ID, time.Date(2025, 3, 11, 12, 0, 0, 0, time.UTC))
	if who[0].Shift == nil || who[0].Shift.User.ID != agentUser.ID || who[0].Shift.OverrideID == nil || *who[0].Shift.OverrideID != ov.ID {
		t.Fatalf("who during override = %+v", who[0].Shift)
	}
	shifts, err := agent.Shifts(ctx, sc.ID, time.Date(2025, 3, 9, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 23, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// agent until Mar 10 13:00Z, admin, the agent's override on the 11th,
	// admin, then agent from Mar 17.
	if len(shifts) != 5 || shifts[2].OverrideID == nil || shifts[4].User.ID != agentUser.ID || !shifts[4].Start.Equal(time.Date(2025, 3, 17, 13, 0, 0, 0, time.UTC)) {
		t.Fatalf("shifts = %+v", shifts)
	}
	err = agent.Do(ctx, "GET", "/api/v1/oncall/schedules/"+strconv.FormatInt(sc.ID, 10)+"/shifts?from=2025-03-09T00:00:00Z&to=2025-03-01T00:00:00Z", nil, nil)
	wantAPIError(t, err, http.StatusUnprocessableEntity, "to")
	err = customer.Do(ctx, "GET", "/api/v1/oncall/schedules/"+strconv.FormatInt(sc.ID, 10)+"/shifts", nil, nil)
	wantAPIError(t, err, http.StatusForbidden, "")

	// Forged IDs answer 404.
	other, err := admin.CreateSchedule(ctx, client.ScheduleInput{Name: "Secondary", TimeZone: "Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, agent.DeleteOverride(ctx, other.ID, ov.ID), http.StatusNotFound, "")
	_, err = admin.UpdateLayer(ctx, other.ID, layer.ID, layerIn)
	wantAPIError(t, err, http.StatusNotFound, "")
	wantAPIError(t, admin.DeleteLayer(ctx, other.ID, layer.ID), http.StatusNotFound, "")
	_, err = agent.GetSchedule(ctx, other.ID+1000)
	wantAPIError(t, err, http.StatusNotFound, "")
	_, err = customer.GetSchedule(ctx, sc.ID)
	wantAPIError(t, err, http.StatusForbidden, "")

	got, err := agent.GetSchedule(ctx, sc.ID)
	if err != nil || len(got.Layers) != 1 || len(got.Overrides) != 0 {
		// The override is in the past (the server's clock is real time).
		t.Fatalf("schedule = %+v, %v", got, err)
	}
	name := "Primary US"
	up, err := admin.UpdateSchedule(ctx, sc.ID, client.ScheduleUpdate{Name: &name})
	if err != nil || up.Name != name || up.TimeZone != "America/New_York" {
		t.Fatalf("update = %+v, %v", up, err)
	}
	taken := "Secondary"
	_, err = admin.UpdateSchedule(ctx, sc.ID, client.ScheduleUpdate{Name: &taken})
	wantAPIError(t, err, http.StatusConflict, "name")
	err = admin.Do(ctx, "PATCH", "/api/v1/oncall/schedules/"+strconv.FormatInt(sc.ID, 10), map[string]any{"timezone": "UTC"}, nil)
	wantAPIError(t, err, http.StatusUnprocessableEntity, "timezone")
	layerIn.Rotation, layerIn.HandoffWeekday = "daily", ""
	layer, err = admin.UpdateLayer(ctx, sc.ID, layer.ID, layerIn)
	if err != nil || layer.Rotation != "daily" {
		t.Fatalf("layer update = %+v, %v", layer, err)
	}
	list, err := agent.ListSchedules(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "Primary US" {
		t.Fatalf("schedules = %+v, %v", list, err)
	}

	// Escalation policies.
	polIn := client.PolicyInput{Name: "Urgent tickets", Repeats: 1, PagesUrgent: true, Levels: []client.LevelInput{
		{DelayMinutes: 5, Targets: []client.PolicyTarget{{ScheduleID: &sc.ID}}},
		{DelayMinutes: 10, Targets: []client.PolicyTarget{{UserID: &adminUser.ID}}},
	}}
	badPol := polIn
	badPol.Levels = []client.LevelInput{{DelayMinutes: 0, Targets: polIn.Levels[0].Targets}}
	_, err = admin.CreatePolicy(ctx, badPol)
	wantAPIError(t, err, http.StatusUnprocessableEntity, "levels[0].delay_minutes")
	badPol = polIn
	badPol.Repeats = 12
	_, err = admin.CreatePolicy(ctx, badPol)
	wantAPIError(t, err, http.StatusUnprocessableEntity, "repeats")
	_, err = agent.CreatePolicy(ctx, polIn)
	wantAPIError(t, err, http.StatusForbidden, "")
	pol, err := admin.CreatePolicy(ctx, polIn)
	if err != nil {
		t.Fatal(err)
	}
	if len(pol.Levels) != 2 || pol.Levels[0].Targets[0].Name != "Primary US" || pol.Levels[1].Targets[0].Name != adminUser.Name || !pol.PagesUrgent {
		t.Fatalf("policy = %+v", pol)
	}
	pol2, err := admin.CreatePolicy(ctx, client.PolicyInput{Name: "Backup", PagesUrgent: true, Levels: polIn.Levels[:1]})
	if err != nil {
		t.Fatal(err)
	}
	if pol, _ = agent.GetPolicy(ctx, pol.ID); pol.PagesUrgent {
		t.Fatal("two policies page urgent tickets")
	}
	polIn.Description = "Wakes the primary first"
	pol, err = admin.UpdatePolicy(ctx, pol.ID, polIn)
	if err != nil || !pol.PagesUrgent || pol.Description != polIn.Description {
		t.Fatalf("policy update = %+v, %v", pol, err)
	}
	pols, err := agent.ListPolicies(ctx)
	if err != nil || len(pols) != 2 {
		t.Fatalf("policies = %+v, %v", pols, err)
	}
	_, err = customer.ListPolicies(ctx)
	wantAPIError(t, err, http.StatusForbidden, "")
	_, err = agent.GetPolicy(ctx, pol2.ID+1000)
	wantAPIError(t, err, http.StatusNotFound, "")
	if err := admin.DeletePolicy(ctx, pol2.ID); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, admin.DeletePolicy(ctx, pol2.ID), http.StatusNotFound, "")

	// Contact methods: one's own; the webhook secret shows once.
	_, err = agent.CreateContactMethod(ctx, client.ContactMethodInput{Kind: "pagerduty", Address: "not-a-routing-key"})
	wantAPIError(t, err, http.StatusUnprocessableEntity, "address")
	_, err = agent.CreateContactMethod(ctx, client.ContactMethodInput{Kind: "pigeon", Address: "roof"})
	wantAPIError(t, err, http.StatusUnprocessableEntity, "kind")
	_, err = customer.CreateContactMethod(ctx, client.ContactMethodInput{Kind: "email", Address: "owner@acme.test"})
	wantAPIError(t, err, http.StatusForbidden, "")
	hook, err := agent.CreateContactMethod(ctx, client.ContactMethodInput{Kind: "webhook", Label: "bridge", Address: "https://hooks.example.com/x"})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(hook.Secret) {
		t.Fatalf("secret = %q", hook.Secret)
	}
	if _, err := agent.CreateContactMethod(ctx, client.ContactMethodInput{Kind: "pagerduty", Address: "R0123456789abcdefABCDEF012345678"}); err != nil {
		t.Fatal(err)
	}
	ms, err := agent.ListContactMethods(ctx)
	if err != nil || len(ms) != 2 || ms[0].Secret != "" || ms[0].Label != "bridge" {
		t.Fatalf("contact methods = %+v, %v", ms, err)
	}
	if ms, _ := admin.ListContactMethods(ctx); len(ms) != 0 {
		t.Fatalf("admin sees the agent's methods as their own: %+v", ms)
	}
	wantAPIError(t, admin.DeleteContactMethod(ctx, hook.ID+1000), http.StatusNotFound, "")
	other2 := env.Client(t, env.Staff(t, "csa@helpline.test", helpline.RoleCSA))
	wantAPIError(t, other2.DeleteContactMethod(ctx, hook.ID), http.StatusNotFound, "")
	if err := agent.DeleteContactMethod(ctx, hook.ID); err != nil {
		t.Fatal(err)
	}

	// Deleting a schedule.
	wantAPIError(t, agent.DeleteSchedule(ctx, other.ID), http.StatusForbidden, "")
	if err := admin.DeleteSchedule(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, admin.DeleteSchedule(ctx, other.ID), http.StatusNotFound, "")
}
