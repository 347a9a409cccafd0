package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/drain"
)

// TestLoadDrains: acme-api gets a drain and a past, closed surge of H12s,
// and each Acme member has its notice.
func TestLoadDrains(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	a := env.App
	acme := env.Org(t, "Acme Rockets", account.PlanPremier)
	owner := env.Customer(t, "owner@acme.test", acme, account.OrgOwner)
	dev := env.Customer(t, "dev@acme.test", acme, account.OrgMember)
	if _, err := a.Accounts.CreateApp(ctx, account.CLI(), acme.ID, account.AppInput{Name: "acme-api"}); err != nil {
		t.Fatal(err)
	}
	if err := loadDrains(ctx, a.Drains, a.Accounts); err != nil {
		t.Fatal(err)
	}
	surges, err := a.Drains.FindSurges(ctx, dev.Actor(""), drain.SurgeFilter{})
	if err != nil || len(surges) != 1 {
		t.Fatalf("surges = %+v, %v", surges, err)
	}
	if sg := surges[0]; sg.Open() || sg.Codes[0].Code != "H12" || sg.Notified != 2 {
		t.Fatalf("surge = %+v", sg)
	}
	for _, u := range []account.User{owner, dev} {
		ns, _, err := a.Status.FindNotices(ctx, u.Actor(""), false, helpline.Page{})
		if err != nil || len(ns) != 1 || !strings.HasPrefix(ns[0].Title, "Error surge on acme-api: ") {
			t.Fatalf("%s notices = %+v, %v", u.Email, ns, err)
		}
	}
}
