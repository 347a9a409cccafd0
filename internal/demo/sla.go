package demo

import (
	"context"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/sla"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// loadSLA gives the demo a second, European calendar that enterprise
// low-priority tickets count on, next to the default business hours that
// Standard and Free use, so the queue shows clocks of both kinds.
func loadSLA(ctx context.Context, s *sla.Service) error {
	week := []string{"08:00-12:30", "13:30-17:00"}
	cal, err := s.CreateCalendar(ctx, account.CLI(), sla.CalendarInput{
		Name: "EMEA business hours", TimeZone: "Europe/London",
		Hours:    sla.WeekHours{Monday: week, Tuesday: week, Wednesday: week, Thursday: week, Friday: week},
		Holidays: []string{"2026-12-25", "2026-12-28", "2027-01-01"},
	})
	if err != nil {
		return err
	}
	first, next := 8*60, 16*60
	_, err = s.UpdatePolicy(ctx, account.CLI(), account.PlanEnterprise, ticket.Low, sla.PolicyInput{
		FirstResponseMinutes: &first, NextResponseMinutes: &next, CalendarID: &cal.ID, WarnMinutes: 60,
	})
	return err
}
