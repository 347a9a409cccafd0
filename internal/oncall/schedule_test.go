package oncall

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/dbtest"
)

type fixture struct {
	t        *testing.T
	ctx      context.Context
	svc      *Service
	accounts *account.Service
	now      time.Time
	admin    *helpline.Actor
	agent    *helpline.Actor
	agent2   *helpline.Actor
	customer *helpline.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := dbtest.Open(t)
	f := &fixture{t: t, ctx: context.Background(), now: utc("2025-03-10T12:00:00Z")}
	clock := func() time.Time { return f.now }
	f.accounts = account.NewService(d, nil, account.Options{Now: clock})
	f.svc = NewService(d, f.accounts, Options{Now: clock})
	f.admin = f.user("admin@example.com", "Ada Admin", helpline.RoleAdmin, 0)
	f.agent = f.user("agent@example.com", "Alan Agent", helpline.RoleAgent, 0)
	f.agent2 = f.user("bea@example.com", "Bea Agent", helpline.RoleAgent, 0)
	org, err := f.accounts.CreateOrganization(f.ctx, account.CLI(), account.OrgInput{Name: "Acme", Plan: account.PlanPremier})
	if err != nil {
		t.Fatal(err)
	}
	f.customer = f.user("dev@acme.test", "Dev", helpline.RoleNone, org.ID)
	return f
}

func (f *fixture) user(email, name string, role helpline.StaffRole, org int64) *helpline.Actor {
	f.t.Helper()
	in := account.UserInput{Email: email, Name: name, Password: "correct horse battery", StaffRole: role}
	if org != 0 {
		in.OrgID, in.OrgRole = org, account.OrgRole("member")
	}
	u, err := f.accounts.CreateUser(f.ctx, account.CLI(), in)
	if err != nil {
		f.t.Fatal(err)
	}
	return u.Actor("")
}

func wantKind(t *testing.T, err error, kind helpline.ErrorKind, field string) {
	t.Helper()
	if helpline.KindOf(err) != kind {
		t.Fatalf("err = %v, want %s", err, kind)
	}
	if field != "" {
		var e *helpline.Error
		if !errors.As(err, &e) || e.Fields[field] == "" {
			t.Fatalf("err = %v, want a message for field %q", err, field)
		}
	}
}

func (f *fixture) schedule(name, zone string) Schedule {
	f.t.Helper()
	sc, err := f.svc.CreateSchedule(f.ctx, f.admin, ScheduleInput{Name: name, TimeZone: zone})
	if err != nil {
		f.t.Fatal(err)
	}
	return sc
}

// The three functions the paging code builds on.
func TestUsersOnCallPolicyLevelsContactMethods(t *testing.T) {
	f := newFixture(t)
	sc := f.schedule("Primary", "America/New_York")
	if got, err := f.svc.usersOnCall(f.ctx, f.svc.db, sc.ID, f.now); err != nil || len(got) != 0 {
		t.Fatalf("empty schedule: %v, %v", got, err)
	}
	if _, err := f.svc.AddLayer(f.ctx, f.admin, sc.ID, LayerInput{Name: "Weekly", Rotation: "weekly", HandoffTime: "09:00", HandoffWeekday: "monday",
		StartsAt: utc("2025-03-03T14:00:00Z"), UserIDs: []int64{f.agent.UserID, f.agent2.UserID}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		at   string
		want int64
	}{
		{"2025-03-03T13:59:59Z", 0},
		{"2025-03-03T14:00:00Z", f.agent.UserID},
		{"2025-03-10T12:59:59Z", f.agent.UserID}, // 08:59 EDT: DST began on the 9th
		{"2025-03-10T13:00:00Z", f.agent2.UserID},
		{"2025-03-17T13:00:00Z", f.agent.UserID},
	} {
		got, err := f.svc.usersOnCall(f.ctx, f.svc.db, sc.ID, utc(tt.at))
		if err != nil {
			t.Fatal(err)
		}
		if (tt.want == 0 && len(got) != 0) || (tt.want != 0 && (len(got) != 1 || got[0] != tt.want)) {
			t.Errorf("at %s: %v, want %d", tt.at, got, tt.want)
		}
	}
	// An override of agent2 by the admin, within agent2's week.
	if _, err := f.svc.AddOverride(f.ctx, f.admin, sc.ID, OverrideInput{UserID: f.admin.UserID, ReplacesUserID: &f.agent2.UserID,
		StartsAt: utc("2025-03-11T00:00:00Z"), EndsAt: utc("2025-03-12T00:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.svc.usersOnCall(f.ctx, f.svc.db, sc.ID, utc("2025-03-11T06:00:00Z")); len(got) != 1 || got[0] != f.admin.UserID {
		t.Errorf("during the override: %v, want admin", got)
	}
	if got, _ := f.svc.usersOnCall(f.ctx, f.svc.db, sc.ID, utc("2025-03-12T00:00:00Z")); len(got) != 1 || got[0] != f.agent2.UserID {
		t.Errorf("after the override: %v, want agent2", got)
	}
	if got, err := f.svc.usersOnCall(f.ctx, f.svc.db, 99999, f.now); err != nil || len(got) != 0 {
		t.Errorf("missing schedule: %v, %v", got, err)
	}

	p, err := f.svc.CreatePolicy(f.ctx, f.admin, PolicyInput{Name: "Urgent", Repeats: 1, PagesUrgent: true, Levels: []LevelInput{
		{DelayMinutes: 5, Targets: []Target{{ScheduleID: &sc.ID}}},
		{DelayMinutes: 10, Targets: []Target{{UserID: &f.admin.UserID}, {ScheduleID: &sc.ID}, {UserID: &f.agent.UserID}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	levels, err := f.svc.policyLevels(f.ctx, f.svc.db, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(levels) != 2 || levels[0].Position != 1 || levels[1].Position != 2 || levels[0].DelayMinutes != 5 || levels[1].DelayMinutes != 10 {
		t.Fatalf("levels = %+v", levels)
	}
	if ts := levels[0].Targets; len(ts) != 1 || ts[0].ScheduleID == nil || *ts[0].ScheduleID != sc.ID || ts[0].Name != "Primary" {
		t.Errorf("level 1 targets = %+v", ts)
	}
	// Schedules first, then users by name.
	if ts := levels[1].Targets; len(ts) != 3 || ts[0].ScheduleID == nil || ts[1].Name != "Ada Admin" || *ts[1].UserID != f.admin.UserID || ts[2].Name != "Alan Agent" {
		t.Errorf("level 2 targets = %+v", ts)
	}
	if l, err := f.svc.policyLevels(f.ctx, f.svc.db, 99999); err != nil || len(l) != 0 {
		t.Errorf("missing policy: %v, %v", l, err)
	}

	m1, err := f.svc.CreateContactMethod(f.ctx, f.agent, f.agent.UserID, ContactMethodInput{Kind: "email", Address: "agent@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	m2, err := f.svc.CreateContactMethod(f.ctx, f.agent, f.agent.UserID, ContactMethodInput{Kind: "webhook", Label: "phone bridge", Address: "https://hooks.example.com/page"})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(m2.Secret) {
		t.Errorf("webhook secret %q, want 32 random bytes in hex", m2.Secret)
	}
	if _, err := f.svc.CreateContactMethod(f.ctx, f.admin, f.agent2.UserID, ContactMethodInput{Kind: "pagerduty", Address: "R0123456789abcdefABCDEF012345678"}); err != nil {
		t.Fatal(err)
	}
	ms, err := f.svc.contactMethodsOf(f.ctx, f.svc.db, f.agent.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].ID != m1.ID || ms[1].ID != m2.ID || ms[1].Secret != m2.Secret || ms[1].Kind != "webhook" || ms[1].Address != "https://hooks.example.com/page" {
		t.Fatalf("contact methods = %+v", ms)
	}
	listed, err := f.svc.FindContactMethods(f.ctx, f.agent, f.agent.UserID)
	if err != nil || len(listed) != 2 || listed[1].Secret != "" {
		t.Fatalf("FindContactMethods leaks or fails: %+v, %v", listed, err)
	}
}

func TestScheduleRules(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.CreateSchedule(f.ctx, f.agent, ScheduleInput{Name: "X", TimeZone: "UTC"})
	wantKind(t, err, helpline.KindForbidden, "")
	_, err = f.svc.CreateSchedule(f.ctx, f.admin, ScheduleInput{Name: "X", TimeZone: "Mars/Base"})
	wantKind(t, err, helpline.KindInvalid, "time_zone")
	_, err = f.svc.CreateSchedule(f.ctx, f.admin, ScheduleInput{Name: " ", TimeZone: "UTC"})
	wantKind(t, err, helpline.KindInvalid, "name")
	sc := f.schedule("Primary", "Europe/Berlin")
	_, err = f.svc.CreateSchedule(f.ctx, f.admin, ScheduleInput{Name: "Primary", TimeZone: "UTC"})
	wantKind(t, err, helpline.KindConflict, "name")
	_, err = f.svc.FindSchedules(f.ctx, f.customer)
	wantKind(t, err, helpline.KindForbidden, "")
	_, err = f.svc.FindSchedule(f.ctx, f.agent, sc.ID+100)
	wantKind(t, err, helpline.KindNotFound, "")

	good := LayerInput{Name: "L", Rotation: "daily", HandoffTime: "09:00", StartsAt: utc("2025-03-01T08:00:00Z"), UserIDs: []int64{f.agent.UserID, f.agent2.UserID, f.agent.UserID}}
	bad := []struct {
		field string
		edit  func(*LayerInput)
	}{
		{"rotation", func(in *LayerInput) { in.Rotation = "hourly" }},
		{"handoff_time", func(in *LayerInput) { in.HandoffTime = "25:00" }},
		{"handoff_weekday", func(in *LayerInput) { in.Rotation, in.HandoffWeekday = "weekly", "someday" }},
		{"ends_at", func(in *LayerInput) { e := in.StartsAt.Add(-time.Hour); in.EndsAt = &e }},
		{"starts_at", func(in *LayerInput) { in.StartsAt = time.Time{} }},
		{"user_ids", func(in *LayerInput) { in.UserIDs = nil }},
		{"user_ids", func(in *LayerInput) { in.UserIDs = []int64{f.customer.UserID} }},
		{"name", func(in *LayerInput) { in.Name = "" }},
	}
	for _, b := range bad {
		in := good
		b.edit(&in)
		_, err := f.svc.AddLayer(f.ctx, f.admin, sc.ID, in)
		wantKind(t, err, helpline.KindInvalid, b.field)
	}
	_, err = f.svc.AddLayer(f.ctx, f.agent, sc.ID, good)
	wantKind(t, err, helpline.KindForbidden, "")
	_, err = f.svc.AddLayer(f.ctx, f.admin, sc.ID+100, good)
	wantKind(t, err, helpline.KindNotFound, "")
	l1, err := f.svc.AddLayer(f.ctx, f.admin, sc.ID, good)
	if err != nil {
		t.Fatal(err)
	}
	if l1.Position != 1 || len(l1.Users) != 3 || l1.Users[2].ID != f.agent.UserID || l1.HandoffTime != "09:00" {
		t.Fatalf("layer = %+v", l1)
	}
	top := good
	top.Name, top.Rotation, top.HandoffWeekday, top.UserIDs = "Top", "weekly", "friday", []int64{f.admin.UserID}
	l2, err := f.svc.AddLayer(f.ctx, f.admin, sc.ID, top)
	if err != nil || l2.Position != 2 || l2.HandoffWeekday != time.Friday {
		t.Fatalf("second layer = %+v, %v", l2, err)
	}
	who, err := f.svc.Who(f.ctx, f.agent, sc.ID, f.now)
	if err != nil || who.Shift == nil || who.Shift.User.ID != f.admin.UserID || who.Shift.LayerID == nil || *who.Shift.LayerID != l2.ID {
		t.Fatalf("who = %+v, %v", who, err)
	}
	// Updating keeps the layer's place; a forged layer of another schedule is not found.
	other := f.schedule("Other", "UTC")
	_, err = f.svc.UpdateLayer(f.ctx, f.admin, other.ID, l2.ID, top)
	wantKind(t, err, helpline.KindNotFound, "")
	err = f.svc.DeleteLayer(f.ctx, f.admin, other.ID, l2.ID)
	wantKind(t, err, helpline.KindNotFound, "")
	end := utc("2025-03-05T08:00:00Z")
	top.EndsAt = &end
	l2, err = f.svc.UpdateLayer(f.ctx, f.admin, sc.ID, l2.ID, top)
	if err != nil || l2.Position != 2 || l2.EndsAt == nil || !l2.EndsAt.Equal(end) {
		t.Fatalf("updated = %+v, %v", l2, err)
	}
	who, _ = f.svc.Who(f.ctx, f.agent, sc.ID, f.now)
	if who.Shift == nil || *who.Shift.LayerID != l1.ID {
		t.Fatalf("after the top layer ended: %+v", who.Shift)
	}

	// Overrides: staff put themselves on call only.
	ov := OverrideInput{UserID: f.agent2.UserID, StartsAt: f.now, EndsAt: f.now.Add(2 * time.Hour)}
	_, err = f.svc.AddOverride(f.ctx, f.agent, sc.ID, ov)
	wantKind(t, err, helpline.KindForbidden, "")
	_, err = f.svc.AddOverride(f.ctx, f.agent2, sc.ID, OverrideInput{UserID: f.agent2.UserID, StartsAt: f.now, EndsAt: f.now})
	wantKind(t, err, helpline.KindInvalid, "ends_at")
	_, err = f.svc.AddOverride(f.ctx, f.admin, sc.ID, OverrideInput{UserID: f.customer.UserID, StartsAt: f.now, EndsAt: f.now.Add(time.Hour)})
	wantKind(t, err, helpline.KindInvalid, "user_id")
	o, err := f.svc.AddOverride(f.ctx, f.agent2, sc.ID, ov)
	if err != nil || o.User.ID != f.agent2.UserID || o.CreatedBy == nil || *o.CreatedBy != f.agent2.UserID {
		t.Fatalf("override = %+v, %v", o, err)
	}
	who, _ = f.svc.Who(f.ctx, f.agent, sc.ID, f.now.Add(time.Hour))
	if who.Shift == nil || who.Shift.User.ID != f.agent2.UserID || who.Shift.OverrideID == nil || *who.Shift.OverrideID != o.ID ||
		!who.Shift.Start.Equal(f.now) || !who.Shift.End.Equal(f.now.Add(2*time.Hour)) {
		t.Fatalf("who during override = %+v", who.Shift)
	}
	got, _ := f.svc.FindSchedule(f.ctx, f.agent, sc.ID)
	if len(got.Layers) != 2 || len(got.Overrides) != 1 {
		t.Fatalf("schedule = %+v", got)
	}
	err = f.svc.DeleteOverride(f.ctx, f.agent, sc.ID, o.ID)
	wantKind(t, err, helpline.KindForbidden, "")
	err = f.svc.DeleteOverride(f.ctx, f.agent2, other.ID, o.ID)
	wantKind(t, err, helpline.KindNotFound, "")
	if err := f.svc.DeleteOverride(f.ctx, f.agent2, sc.ID, o.ID); err != nil {
		t.Fatal(err)
	}

	shifts, err := f.svc.Shifts(f.ctx, f.agent, sc.ID, f.now, f.now.Add(14*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Daily hand-offs at 09:00 Berlin over 14 days, three turns: 15 stretches
	// (the first partial), merged only where a user follows themself.
	if len(shifts) < 10 || !shifts[0].Start.Equal(f.now) || !shifts[len(shifts)-1].End.Equal(f.now.Add(14*24*time.Hour)) {
		t.Fatalf("shifts = %+v", shifts)
	}
	for i := 1; i < len(shifts); i++ {
		if !shifts[i].Start.Equal(shifts[i-1].End) {
			t.Fatalf("gap between shifts %d and %d", i-1, i)
		}
	}
	_, err = f.svc.Shifts(f.ctx, f.agent, sc.ID, f.now, f.now.Add(-time.Hour))
	wantKind(t, err, helpline.KindInvalid, "to")
	_, err = f.svc.Shifts(f.ctx, f.agent, sc.ID, f.now, f.now.Add(200*24*time.Hour))
	wantKind(t, err, helpline.KindInvalid, "to")

	all, err := f.svc.WhoAll(f.ctx, f.agent, f.now)
	if err != nil || len(all) != 2 || all[0].ScheduleName != "Other" || all[0].Shift != nil || all[1].Shift == nil {
		t.Fatalf("WhoAll = %+v, %v", all, err)
	}
	_, err = f.svc.WhoAll(f.ctx, f.customer, f.now)
	wantKind(t, err, helpline.KindForbidden, "")

	if _, err := f.svc.UpdateSchedule(f.ctx, f.admin, sc.ID, ScheduleInput{Name: "Other", TimeZone: "UTC"}); helpline.KindOf(err) != helpline.KindConflict {
		t.Fatalf("rename onto a taken name: %v", err)
	}
	up, err := f.svc.UpdateSchedule(f.ctx, f.admin, sc.ID, ScheduleInput{Name: "Primary EU", Description: "Berlin office", TimeZone: "Europe/Paris"})
	if err != nil || up.Name != "Primary EU" || up.TimeZone != "Europe/Paris" || len(up.Layers) != 2 {
		t.Fatalf("update = %+v, %v", up, err)
	}
	if err := f.svc.DeleteSchedule(f.ctx, f.admin, sc.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, f.svc.DeleteSchedule(f.ctx, f.admin, sc.ID), helpline.KindNotFound, "")
	events, err := f.accounts.FindAuditEvents(f.ctx, f.admin, account.AuditFilter{TargetType: "oncall_schedule"})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range events {
		seen[e.Action] = true
	}
	for _, a := range []string{"oncall.schedule_created", "oncall.schedule_updated", "oncall.schedule_deleted", "oncall.layer_added", "oncall.layer_updated", "oncall.override_added", "oncall.override_deleted"} {
		if !seen[a] {
			t.Errorf("no audit event %s", a)
		}
	}
}

func TestPolicyRules(t *testing.T) {
	f := newFixture(t)
	sc := f.schedule("Primary", "UTC")
	level := []LevelInput{{DelayMinutes: 5, Targets: []Target{{ScheduleID: &sc.ID}}}}
	missing := int64(99999)
	bad := []struct {
		field string
		in    PolicyInput
	}{
		{"name", PolicyInput{Levels: level}},
		{"repeats", PolicyInput{Name: "P", Repeats: 10, Levels: level}},
		{"levels", PolicyInput{Name: "P"}},
		{"levels[0].delay_minutes", PolicyInput{Name: "P", Levels: []LevelInput{{DelayMinutes: 0, Targets: level[0].Targets}}}},
		{"levels[0].targets", PolicyInput{Name: "P", Levels: []LevelInput{{DelayMinutes: 5}}}},
		{"levels[0].targets[0]", PolicyInput{Name: "P", Levels: []LevelInput{{DelayMinutes: 5, Targets: []Target{{ScheduleID: &sc.ID, UserID: &f.agent.UserID}}}}}},
		{"levels[0].targets[0]", PolicyInput{Name: "P", Levels: []LevelInput{{DelayMinutes: 5, Targets: []Target{{ScheduleID: &missing}}}}}},
		{"levels[0].targets[0]", PolicyInput{Name: "P", Levels: []LevelInput{{DelayMinutes: 5, Targets: []Target{{UserID: &f.customer.UserID}}}}}},
	}
	for _, b := range bad {
		_, err := f.svc.CreatePolicy(f.ctx, f.admin, b.in)
		wantKind(t, err, helpline.KindInvalid, b.field)
	}
	_, err := f.svc.CreatePolicy(f.ctx, f.agent, PolicyInput{Name: "P", Levels: level})
	wantKind(t, err, helpline.KindForbidden, "")
	p1, err := f.svc.CreatePolicy(f.ctx, f.admin, PolicyInput{Name: "One", PagesUrgent: true, Levels: level})
	if err != nil || !p1.PagesUrgent || len(p1.Levels) != 1 {
		t.Fatalf("p1 = %+v, %v", p1, err)
	}
	p2, err := f.svc.CreatePolicy(f.ctx, f.admin, PolicyInput{Name: "Two", PagesUrgent: true, Repeats: 2, Levels: append(level, LevelInput{DelayMinutes: 15, Targets: []Target{{UserID: &f.admin.UserID}, {UserID: &f.admin.UserID}}})})
	if err != nil || len(p2.Levels) != 2 || len(p2.Levels[1].Targets) != 1 {
		t.Fatalf("p2 = %+v, %v", p2, err)
	}
	if p1, _ = f.svc.FindPolicy(f.ctx, f.agent, p1.ID); p1.PagesUrgent {
		t.Fatal("marking a second policy as paging urgent tickets did not clear the first")
	}
	_, err = f.svc.CreatePolicy(f.ctx, f.admin, PolicyInput{Name: "two", Levels: level})
	if err != nil {
		t.Fatalf("names differing in case are distinct: %v", err)
	}
	_, err = f.svc.CreatePolicy(f.ctx, f.admin, PolicyInput{Name: "Two", Levels: level})
	wantKind(t, err, helpline.KindConflict, "name")
	p1, err = f.svc.UpdatePolicy(f.ctx, f.admin, p1.ID, PolicyInput{Name: "One", PagesUrgent: true, Repeats: 1, Levels: []LevelInput{{DelayMinutes: 3, Targets: []Target{{UserID: &f.agent.UserID}}}}})
	if err != nil || !p1.PagesUrgent || p1.Levels[0].DelayMinutes != 3 || *p1.Levels[0].Targets[0].UserID != f.agent.UserID {
		t.Fatalf("updated = %+v, %v", p1, err)
	}
	all, err := f.svc.FindPolicies(f.ctx, f.agent)
	if err != nil || len(all) != 3 {
		t.Fatalf("policies = %+v, %v", all, err)
	}
	urgent := 0
	for _, p := range all {
		if p.PagesUrgent {
			urgent++
		}
	}
	if urgent != 1 {
		t.Fatalf("%d policies page urgent tickets", urgent)
	}
	_, err = f.svc.FindPolicies(f.ctx, f.customer)
	wantKind(t, err, helpline.KindForbidden, "")
	_, err = f.svc.UpdatePolicy(f.ctx, f.admin, 99999, PolicyInput{Name: "X", Levels: level})
	wantKind(t, err, helpline.KindNotFound, "")
	// Deleting a schedule drops it from the levels that target it.
	if err := f.svc.DeleteSchedule(f.ctx, f.admin, sc.ID); err != nil {
		t.Fatal(err)
	}
	if p2, _ = f.svc.FindPolicy(f.ctx, f.agent, p2.ID); len(p2.Levels[0].Targets) != 0 {
		t.Fatalf("levels after the schedule went: %+v", p2.Levels)
	}
	if err := f.svc.DeletePolicy(f.ctx, f.admin, p2.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, f.svc.DeletePolicy(f.ctx, f.admin, p2.ID), helpline.KindNotFound, "")
}

func TestContactMethodRules(t *testing.T) {
	f := newFixture(t)
	bad := []struct {
		field string
		in    ContactMethodInput
	}{
		{"kind", ContactMethodInput{Kind: "sms", Address: "+15555550100"}},
		{"address", ContactMethodInput{Kind: "email", Address: "not an address"}},
		{"address", ContactMethodInput{Kind: "email", Address: "Bob <bob@example.com>"}},
		{"address", ContactMethodInput{Kind: "webhook", Address: "ftp://example.com/x"}},
		{"address", ContactMethodInput{Kind: "webhook", Address: "https://user:pw@example.com/x"}},
		{"address", ContactMethodInput{Kind: "pagerduty", Address: "short"}},
		{"address", ContactMethodInput{Kind: "pagerduty", Address: "R0123456789abcdefABCDEF01234567!"}},
	}
	for _, b := range bad {
		_, err := f.svc.CreateContactMethod(f.ctx, f.agent, f.agent.UserID, b.in)
		wantKind(t, err, helpline.KindInvalid, b.field)
	}
	ok := ContactMethodInput{Kind: "email", Address: "pager@example.com"}
	_, err := f.svc.CreateContactMethod(f.ctx, f.agent, f.agent2.UserID, ok)
	wantKind(t, err, helpline.KindNotFound, "")
	_, err = f.svc.CreateContactMethod(f.ctx, f.customer, f.customer.UserID, ok)
	wantKind(t, err, helpline.KindForbidden, "")
	_, err = f.svc.CreateContactMethod(f.ctx, f.admin, f.customer.UserID, ok)
	wantKind(t, err, helpline.KindInvalid, "user_id")
	m, err := f.svc.CreateContactMethod(f.ctx, f.agent2, f.agent2.UserID, ContactMethodInput{Kind: "pagerduty", Address: "R0123456789abcdefABCDEF012345678"})
	if err != nil || m.Secret != "" {
		t.Fatalf("pagerduty method = %+v, %v", m, err)
	}
	wantKind(t, f.svc.DeleteContactMethod(f.ctx, f.agent, m.ID), helpline.KindNotFound, "")
	_, err = f.svc.FindContactMethods(f.ctx, f.agent, f.agent2.UserID)
	wantKind(t, err, helpline.KindNotFound, "")
	if ms, err := f.svc.FindContactMethods(f.ctx, f.admin, f.agent2.UserID); err != nil || len(ms) != 1 {
		t.Fatalf("admin sees %+v, %v", ms, err)
	}
	if err := f.svc.DeleteContactMethod(f.ctx, f.agent2, m.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, f.svc.DeleteContactMethod(f.ctx, f.agent2, m.ID), helpline.KindNotFound, "")
}
