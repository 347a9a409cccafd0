package demo

import (
	"context"
	"testing"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/status"
)

func TestLoadStatus(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	accounts := account.NewService(d, nil, account.Options{})
	for _, u := range []account.UserInput{
		{Email: "admin@helpline.test", Name: "Ada Admin", Password: Password, StaffRole: helpline.RoleAdmin},
		{Email: "agent@helpline.test", Name: "Sam Agent", Password: Password, StaffRole: helpline.RoleAgent},
	} {
		if _, err := accounts.CreateUser(ctx, account.CLI(), u); err != nil {
			t.Fatal(err)
		}
	}
	svc := status.NewService(d, accounts, status.Options{})
	if err := loadStatus(ctx, svc, accounts); err != nil {
		t.Fatal(err)
	}
	snap, err := svc.BuildSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Components) != 15 {
		t.Fatalf("%d components, want 3 groups of 4", len(snap.Components))
	}
	outageDays := 0
	for _, c := range snap.Components {
		if c.Group {
			continue
		}
		if len(c.Uptime90) != 90 || c.Uptime90[0].Uptime < 0 {
			t.Fatalf("%s: %d bars, first %+v: want 90 days of history", c.Name, len(c.Uptime90), c.Uptime90)
		}
		for _, d := range c.Uptime90 {
			if d.Worst != status.Operational {
				outageDays++
			}
		}
		if c.Name == "Postgres (EU)" && c.Status != status.DegradedPerformance {
			t.Errorf("Postgres (EU) is %s, want degraded_performance", c.Status)
		}
	}
	if outageDays < 8 {
		t.Errorf("only %d component-days show an incident", outageDays)
	}
	if len(snap.Active) != 1 || snap.Active[0].Status != status.Identified || len(snap.Active[0].Updates) != 2 {
		t.Fatalf("active %+v", snap.Active)
	}
	if len(snap.Upcoming) != 1 || !snap.Upcoming[0].AutoTransition {
		t.Fatalf("upcoming %+v", snap.Upcoming)
	}
	if len(snap.Recent) < 9 || snap.Indicator == "none" {
		t.Fatalf("%d recent, indicator %s", len(snap.Recent), snap.Indicator)
	}
}
