package demo

import (
	"context"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/oncall"
)

func TestLoadOncall(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	accounts := account.NewService(d, nil, account.Options{})
	svc := oncall.NewService(d, accounts, oncall.Options{})
	var agent account.User
	for _, u := range []account.UserInput{
		{Email: "admin@helpline.test", Name: "Ada Admin", Password: Password, StaffRole: helpline.RoleAdmin},
		{Email: "agent@helpline.test", Name: "Sam Agent", Password: Password, StaffRole: helpline.RoleAgent},
	} {
		created, err := accounts.CreateUser(ctx, account.CLI(), u)
		if err != nil {
			t.Fatal(err)
		}
		if u.StaffRole == helpline.RoleAgent {
			agent = created
		}
	}
	if err := loadOncall(ctx, svc, accounts); err != nil {
		t.Fatal(err)
	}
	actor := agent.Actor("")
	all, err := svc.WhoAll(ctx, actor, time.Now())
	if err != nil || len(all) != 1 || all[0].ScheduleName != "Support primary" || all[0].Shift == nil {
		t.Fatalf("who = %+v, %v", all, err)
	}
	ps, err := svc.FindPolicies(ctx, actor)
	if err != nil || len(ps) != 1 || !ps[0].PagesUrgent || len(ps[0].Levels) != 2 || ps[0].Repeats != 1 || ps[0].Levels[0].DelayMinutes != 5 {
		t.Fatalf("policies = %+v, %v", ps, err)
	}
	ms, err := svc.FindContactMethods(ctx, actor, agent.ID)
	if err != nil || len(ms) != 1 || ms[0].Address != "agent@helpline.test" {
		t.Fatalf("contact methods = %+v, %v", ms, err)
	}
	sc, err := svc.FindScheduleByName(ctx, actor, "Support primary")
	if err != nil || len(sc.Overrides) != 1 {
		t.Fatalf("schedule = %+v, %v", sc, err)
	}
}
