package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/apptest"
)

func TestOncallWho(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	adminUser := env.Staff(t, "admin@helpline.test", helpline.RoleAdmin)
	agentUser := env.Staff(t, "sam@helpline.test", helpline.RoleAgent)
	admin := env.Client(t, adminUser)
	agentEnv := map[string]string{"HELPLINE_URL": env.URL, "HELPLINE_TOKEN": env.Client(t, agentUser).Token}

	if r := runIn(t, agentEnv, "", "oncall", "who"); r.code != 0 || !strings.Contains(r.stdout, "No on-call schedules") {
		t.Fatalf("no schedules: %+v", r)
	}
	primary, err := admin.CreateSchedule(ctx, client.ScheduleInput{Name: "Support primary", TimeZone: "America/New_York"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CreateSchedule(ctx, client.ScheduleInput{Name: "Empty", TimeZone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AddLayer(ctx, primary.ID, client.LayerInput{Name: "Weekly", Rotation: "weekly", HandoffTime: "09:00", HandoffWeekday: "monday",
		StartsAt: time.Date(2025, 3, 3, 14, 0, 0, 0, time.UTC), UserIDs: []int64{agentUser.ID, adminUser.ID}}); err != nil {
		t.Fatal(err)
	}

	r := runIn(t, agentEnv, "", "oncall", "who", "--schedule", "support primary", "--at", "2025-03-05 12:00")
	if r.code != 0 || !strings.Contains(r.stdout, "Support primary") || !strings.Contains(r.stdout, "sam@helpline.test") || !strings.Contains(r.stdout, "2025-03-10 09:00 EDT") {
		t.Fatalf("who by name: %+v", r)
	}
	r = runIn(t, agentEnv, "", "oncall", "who", "--at", "2025-03-10T13:00:00Z", "--json")
	var who []client.OnCall
	if err := json.Unmarshal([]byte(r.stdout), &who); err != nil || r.code != 0 {
		t.Fatalf("who --json: %+v, %v", r, err)
	}
	if len(who) != 2 || who[0].ScheduleName != "Empty" || who[0].Shift != nil || who[1].Shift == nil || who[1].Shift.User.ID != adminUser.ID {
		t.Fatalf("who = %+v", who)
	}
	r = runIn(t, agentEnv, "", "oncall", "who", "--schedule", "Empty")
	if r.code != 0 || !strings.Contains(r.stdout, "(nobody)") {
		t.Fatalf("empty schedule: %+v", r)
	}
	if r := runIn(t, agentEnv, "", "oncall", "who", "--schedule", "Nope"); r.code != 1 || !strings.Contains(r.stderr, `"Support primary"`) {
		t.Fatalf("unknown schedule: %+v", r)
	}
	if r := runIn(t, agentEnv, "", "oncall", "who", "--at", "tomorrow"); r.code != 1 || !strings.Contains(r.stderr, "RFC 3339") {
		t.Fatalf("bad time: %+v", r)
	}
	if r := runIn(t, agentEnv, "", "oncall", "shifts"); r.code != 2 {
		t.Fatalf("unknown command: %+v", r)
	}
	r = runIn(t, agentEnv, "", "oncall", "schedules")
	if r.code != 0 || !strings.Contains(r.stdout, "Support primary") || !strings.Contains(r.stdout, "Weekly (weekly at monday 09:00: "+agentUser.Name+", "+adminUser.Name+")") {
		t.Fatalf("schedules: %+v", r)
	}
	// Customers are refused by the server.
	cust := env.Customer(t, "dev@acme.test", env.Org(t, "Acme", "premier"), "owner")
	custEnv := map[string]string{"HELPLINE_URL": env.URL, "HELPLINE_TOKEN": env.Client(t, cust).Token}
	if r := runIn(t, custEnv, "", "oncall", "who"); r.code != 1 || !strings.Contains(r.stderr, "staff") {
		t.Fatalf("customer: %+v", r)
	}
	if r := runIn(t, map[string]string{"HELPLINE_URL": env.URL}, "", "oncall", "who"); r.code != 1 || !strings.Contains(r.stderr, "HELPLINE_TOKEN") {
		t.Fatalf("no token: %+v", r)
	}
}
