// Package demo loads the demo organizations, users and apps that
// `helpline serve --demo` shows a newcomer.
package demo

import (
	"context"
	"fmt"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
)

// Password is every demo user's password; it is printed at start-up.
const Password = "helpline-demo"

// Logins lists the demo accounts a newcomer is pointed at first.
var Logins = []string{"admin@helpline.test", "owner@acme.test"}

// Login is a demo account to print.
type Login struct {
	Email, Role string
}

type org struct {
	name    string
	plan    account.Plan
	members []member
	apps    []account.AppInput
}

type member struct {
	email, name string
	role        account.OrgRole
}

var staff = []struct {
	email, name string
	role        helpline.StaffRole
}{
	{"admin@helpline.test", "Ada Admin", helpline.RoleAdmin},
	{"agent@helpline.test", "Sam Support", helpline.RoleAgent},
	{"csa@helpline.test", "Casey Architect", helpline.RoleCSA},
}

var orgs = []org{
	{"Acme Rockets", account.PlanPremier, []member{
		{"owner@acme.test", "Wile Coyote", account.OrgOwner},
		{"dev@acme.test", "Road Runner", account.OrgMember},
	}, []account.AppInput{
		{Name: "acme-api", Region: "us", Stack: "heroku-24", Addons: []string{"heroku-postgresql:premium-0", "heroku-redis:premium-0", "papertrail"}},
		{Name: "acme-web", Region: "eu", Stack: "heroku-24", Addons: []string{"heroku-postgresql:standard-0"}},
		{Name: "acme-staging", Region: "us", Stack: "heroku-22", Addons: []string{"heroku-postgresql:essential-0"}},
	}},
	{"Globex", account.PlanEnterprise, []member{
		{"hank@globex.test", "Hank Scorpio", account.OrgOwner},
	}, []account.AppInput{
		{Name: "globex-billing", Region: "virginia", Stack: "heroku-24", Addons: []string{"heroku-postgresql:premium-2", "heroku-kafka:standard-0"}},
	}},
	{"Initech", account.PlanStandard, []member{
		{"peter@initech.test", "Peter Gibbons", account.OrgOwner},
		{"milton@initech.test", "Milton Waddams", account.OrgMember},
	}, []account.AppInput{
		{Name: "initech-tps", Region: "us", Stack: "heroku-22", Addons: []string{"heroku-postgresql:essential-1"}},
	}},
	{"Hobby Hackers", account.PlanFree, []member{
		{"hobbyist@example.test", "Harper Hobbyist", account.OrgOwner},
	}, []account.AppInput{
		{Name: "weekend-project", Region: "eu", Stack: "heroku-24"},
	}},
}

// Load creates the demo data; it expects an empty database.
func Load(ctx context.Context, accounts *account.Service) ([]Login, error) {
	actor := account.CLI()
	var logins []Login
	for _, s := range staff {
		if _, err := accounts.CreateUser(ctx, actor, account.UserInput{Email: s.email, Name: s.name, Password: Password, StaffRole: s.role}); err != nil {
			return nil, fmt.Errorf("demo user %s: %w", s.email, err)
		}
		logins = append(logins, Login{s.email, "staff: " + string(s.role)})
	}
	for _, o := range orgs {
		created, err := accounts.CreateOrganization(ctx, actor, account.OrgInput{Name: o.name, Plan: o.plan})
		if err != nil {
			return nil, fmt.Errorf("demo organization %s: %w", o.name, err)
		}
		for _, m := range o.members {
			if _, err := accounts.CreateUser(ctx, actor, account.UserInput{Email: m.email, Name: m.name, Password: Password, OrgID: created.ID, OrgRole: m.role}); err != nil {
				return nil, fmt.Errorf("demo user %s: %w", m.email, err)
			}
			logins = append(logins, Login{m.email, fmt.Sprintf("%s of %s (%s)", m.role, o.name, o.plan.Label())})
		}
		for _, app := range o.apps {
			if _, err := accounts.CreateApp(ctx, actor, created.ID, app); err != nil {
				return nil, fmt.Errorf("demo app %s: %w", app.Name, err)
			}
		}
	}
	return logins, nil
}
