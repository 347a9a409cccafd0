package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/csa"
	"github.com/helpline-dev/helpline/internal/demo"
)

// TestDemoEnterprise: the whole demo loads with the enterprise portal, and
// a newcomer finds collections, engagements in several states, the launch
// on the staff calendar and both conversions.
func TestDemoEnterprise(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	a := env.App
	if _, err := demo.Load(ctx, demo.Services{Accounts: a.Accounts, Tickets: a.Tickets, Inbox: a.Inbox, Oncall: a.Oncall, SLA: a.SLA,
		Docs: a.Docs, Status: a.Status, Drains: a.Drains, CSA: a.CSA}); err != nil {
		t.Fatal(err)
	}
	user := func(email string) account.User {
		u, err := a.Accounts.FindUserByEmail(ctx, account.CLI(), email)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	owner, architect := user("owner@acme.test").Actor(""), user("csa@helpline.test").Actor("")
	cols, err := a.CSA.FindCollections(ctx, owner)
	if err != nil || len(cols) != 2 || len(cols[0].Items) != 5 || cols[0].Title != "Preparing for a launch" {
		t.Fatalf("collections %+v, %v", cols, err)
	}
	mine, err := a.CSA.FindEngagements(ctx, owner, csa.Filter{})
	if err != nil || len(mine) != 3 {
		t.Fatalf("Acme's engagements: %d, %v", len(mine), err)
	}
	states := map[csa.State]int{}
	all, _ := a.CSA.FindEngagements(ctx, architect, csa.Filter{})
	converted, fromTicket := 0, 0
	for _, e := range all {
		states[e.State]++
		if e.TicketNumber != nil {
			converted++
		}
		if e.FromTicketNumber != nil {
			fromTicket++
		}
	}
	if len(all) != 5 || states[csa.StateRequested] != 2 || states[csa.StateScheduled] != 1 || states[csa.StateInProgress] != 1 || states[csa.StateClosed] != 1 ||
		converted != 1 || fromTicket != 1 {
		t.Errorf("engagements by state %v, converted %d, from a ticket %d", states, converted, fromTicket)
	}
	cal, err := a.CSA.FindCalendar(ctx, architect, time.Now(), time.Now().AddDate(0, 0, 30))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, c := range cal {
		kinds[c.Kind]++
	}
	if kinds["event"] != 1 || kinds["meeting"] != 1 || kinds["maintenance"] == 0 {
		t.Errorf("calendar %+v", cal)
	}
}
