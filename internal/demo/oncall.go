package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/oncall"
)

// loadOncall sets up on-call for the demo staff: a weekly "Support primary"
// schedule through the agent and the admin, an override, the "Urgent
// tickets" escalation policy that urgent tickets page, and an email contact
// method for each.
func loadOncall(ctx context.Context, s *oncall.Service, accounts *account.Service) error {
	actor := account.CLI()
	agent, err := accounts.FindUserByEmail(ctx, actor, "agent@helpline.test")
	if err != nil {
		return fmt.Errorf("demo on-call: %w", err)
	}
	admin, err := accounts.FindUserByEmail(ctx, actor, "admin@helpline.test")
	if err != nil {
		return fmt.Errorf("demo on-call: %w", err)
	}
	const zone = "America/New_York"
	loc, err := oncall.LoadZone(zone)
	if err != nil {
		return err
	}
	sc, err := s.CreateSchedule(ctx, actor, oncall.ScheduleInput{Name: "Support primary", Description: "Weekly rotation of the support engineers; hands off Mondays at 09:00 New York time.", TimeZone: zone})
	if err != nil {
		return fmt.Errorf("demo schedule: %w", err)
	}
	// The rotation began on the Monday of this week, so the demo shows the
	// agent on call now and the admin next week.
	now := time.Now().In(loc)
	monday := time.Date(now.Year(), now.Month(), now.Day()-(int(now.Weekday())+6)%7, 9, 0, 0, 0, loc)
	if monday.After(now) {
		monday = monday.AddDate(0, 0, -7)
	}
	if _, err := s.AddLayer(ctx, actor, sc.ID, oncall.LayerInput{Name: "Weekly", Rotation: oncall.RotationWeekly, HandoffTime: "09:00", HandoffWeekday: "monday",
		StartsAt: monday, UserIDs: []int64{agent.ID, admin.ID}}); err != nil {
		return fmt.Errorf("demo layer: %w", err)
	}
	// The admin covers the agent's evening tomorrow.
	evening := time.Date(now.Year(), now.Month(), now.Day()+1, 18, 0, 0, 0, loc)
	if _, err := s.AddOverride(ctx, actor, sc.ID, oncall.OverrideInput{UserID: admin.ID, ReplacesUserID: &agent.ID, StartsAt: evening, EndsAt: evening.Add(4 * time.Hour)}); err != nil {
		return fmt.Errorf("demo override: %w", err)
	}
	if _, err := s.CreatePolicy(ctx, actor, oncall.PolicyInput{Name: "Urgent tickets", Description: "Urgent tickets of Premier and Legacy Enterprise customers.",
		Repeats: 1, PagesUrgent: true, Levels: []oncall.LevelInput{
			{DelayMinutes: 5, Targets: []oncall.Target{{ScheduleID: &sc.ID}}},
			{DelayMinutes: 5, Targets: []oncall.Target{{UserID: &admin.ID}}},
		}}); err != nil {
		return fmt.Errorf("demo escalation policy: %w", err)
	}
	for _, u := range []account.User{agent, admin} {
		if _, err := s.CreateContactMethod(ctx, actor, u.ID, oncall.ContactMethodInput{Kind: oncall.ContactEmail, Label: "work email", Address: u.Email}); err != nil {
			return fmt.Errorf("demo contact method: %w", err)
		}
	}
	return nil
}
