package demo_test

import (
	"context"
	"testing"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/demo"
)

// TestDemoStatusSubscriptions: after the demo loads, Acme's members (the only
// organization with heroku-postgresql in eu) have the maintenance notice
// unread, and the subscribers exist.
func TestDemoStatusSubscriptions(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	a := env.App
	if _, err := demo.Load(ctx, demo.Services{Accounts: a.Accounts, Tickets: a.Tickets, Inbox: a.Inbox, Oncall: a.Oncall, SLA: a.SLA, Docs: a.Docs, Status: a.Status}); err != nil {
		t.Fatal(err)
	}
	actor := func(email string) *helpline.Actor {
		u, err := a.Accounts.FindUserByEmail(ctx, account.CLI(), email)
		if err != nil {
			t.Fatal(err)
		}
		return u.Actor("")
	}
	for email, want := range map[string]int{"owner@acme.test": 1, "dev@acme.test": 1, "hobbyist@example.test": 0, "hank@globex.test": 0, "peter@initech.test": 0} {
		notices, unread, err := a.Status.FindNotices(ctx, actor(email), false, helpline.Page{})
		if err != nil || unread != want || len(notices) != want {
			t.Errorf("%s: %d notices, %d unread (%v), want %d unread", email, len(notices), unread, err, want)
		}
		if want == 1 && notices[0].Title != "Postgres maintenance in eu" {
			t.Errorf("%s: notice %q", email, notices[0].Title)
		}
	}
	mine, err := a.Status.FindSubscriptions(ctx, actor("dev@acme.test"))
	if err != nil || len(mine) != 1 || mine[0].ConfirmedAt == nil || len(mine[0].ComponentIDs) != 1 {
		t.Errorf("dev@acme.test's subscriptions: %+v %v", mine, err)
	}
	all, err := a.Status.FindSubscriptions(ctx, actor("admin@helpline.test"))
	if err != nil || len(all) != 5 {
		t.Errorf("all subscriptions: %d %v, want 5", len(all), err)
	}
	for _, s := range all {
		if s.ConfirmedAt == nil {
			t.Errorf("demo subscriber %+v is not confirmed", s)
		}
	}
}
