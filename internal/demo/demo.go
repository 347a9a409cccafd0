// Package demo loads the demo organizations, users and apps that
// `helpline serve --demo` shows a newcomer.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/csa"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/drain"
	"github.com/helpline-dev/helpline/internal/mailin"
	"github.com/helpline-dev/helpline/internal/oncall"
	"github.com/helpline-dev/helpline/internal/sla"
	"github.com/helpline-dev/helpline/internal/status"
	"github.com/helpline-dev/helpline/internal/ticket"
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

// Services are what the demo data is created through, so it obeys the
// same rules (and starts the same SLA clocks and pages) as real use.
type Services struct {
	Accounts *account.Service
	Tickets  *ticket.Service
	Inbox    *mailin.Processor
	Oncall   *oncall.Service
	SLA      *sla.Service
	Docs     *docs.Service
	Status   *status.Service
	Drains   *drain.Service
	CSA      *csa.Service
	// Now is the services' clock (default time.Now): demo times such as
	// when the urgent ticket's outage started are relative to it.
	Now func() time.Time
}

func (svc Services) now() time.Time {
	if svc.Now == nil {
		return time.Now()
	}
	return svc.Now()
}

// Load creates the demo data; it expects an empty database.
func Load(ctx context.Context, svc Services) ([]Login, error) {
	accounts, tickets := svc.Accounts, svc.Tickets
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
	// On-call first, so the urgent Premier ticket below pages the demo
	// staff as a real one would.
	if err := loadOncall(ctx, svc.Oncall, accounts); err != nil {
		return nil, err
	}
	if err := loadSLA(ctx, svc.SLA); err != nil {
		return nil, err
	}
	if err := loadTickets(ctx, accounts, tickets, svc.now()); err != nil {
		return nil, err
	}
	if err := loadMail(ctx, svc.Inbox); err != nil {
		return nil, err
	}
	if err := loadDocs(ctx, svc.Docs, accounts, tickets); err != nil {
		return nil, err
	}
	if svc.Status != nil {
		if err := loadStatus(ctx, svc.Status, accounts); err != nil {
			return nil, err
		}
		if err := loadStatusSubscriptions(ctx, svc.Status, accounts); err != nil {
			return nil, err
		}
	}
	if svc.Drains != nil {
		if err := loadDrains(ctx, svc.Drains, accounts); err != nil {
			return nil, err
		}
	}
	if svc.CSA != nil && svc.Docs != nil {
		if err := loadEnterprise(ctx, svc.CSA, svc.Docs, accounts, tickets, svc.now()); err != nil {
			return nil, err
		}
	}
	return logins, nil
}

// loadMail receives two emails: a customer's reply that threads onto a
// ticket by its number, and a stranger's message held for staff review.
func loadMail(ctx context.Context, inbox *mailin.Processor) error {
	for _, raw := range []string{
		"From: Peter Gibbons <peter@initech.test>\r\nTo: " + inbox.Reply + "\r\nSubject: Re: [#1001] How do I rotate our database credentials?\r\n" +
			"Message-ID: <demo-reply-1@initech.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
			"Thanks! We will try that during our next maintenance window.\r\n\r\n-- \r\nPeter Gibbons, Initech\r\n\r\n" +
			"On Mon, Helpline wrote:\r\n> Yes: create a new credential, move your apps to it, then destroy the old one.\r\n",
		"From: Someone New <hello@startup.test>\r\nTo: " + inbox.Reply + "\r\nSubject: Do you support websockets?\r\n" +
			"Message-ID: <demo-stranger-1@startup.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
			"Hi, we are evaluating the platform: are websockets supported on all plans?\r\n",
	} {
		if _, err := inbox.Receive(ctx, []byte(raw)); err != nil {
			return fmt.Errorf("demo mail: %w", err)
		}
	}
	return nil
}

// loadTickets opens a few tickets that show the queue, a priority review
// with a pending appeal, an internal note and a shared ticket.
func loadTickets(ctx context.Context, accounts *account.Service, tickets *ticket.Service, now time.Time) error {
	as := func(email string) (*helpline.Actor, error) {
		u, err := accounts.FindUserByEmail(ctx, account.CLI(), email)
		if err != nil {
			return nil, err
		}
		return u.Actor("127.0.0.1"), nil
	}
	owner, err := as("owner@acme.test")
	if err != nil {
		return err
	}
	peter, err := as("peter@initech.test")
	if err != nil {
		return err
	}
	hank, err := as("hank@globex.test")
	if err != nil {
		return err
	}
	agent, err := as("agent@helpline.test")
	if err != nil {
		return err
	}
	yes, no := true, false
	started := now.UTC().Add(-2 * time.Hour).Format("2006-01-02 15:04:05 UTC")
	old, err := tickets.CreateTicket(ctx, peter, ticket.NewTicket{
		Subject: "How do I rotate our database credentials?", Priority: ticket.Normal, App: "initech-tps", Environment: ticket.Production, Category: "data",
		Description: "We want to rotate the credentials of our Postgres database every quarter. Is there a way to do it without downtime?",
	})
	if err != nil {
		return fmt.Errorf("demo ticket: %w", err)
	}
	urgent, err := tickets.CreateTicket(ctx, owner, ticket.NewTicket{
		Subject: "Checkout returns 503 for most customers", Priority: ticket.Urgent, App: "acme-api", Environment: ticket.Production, Category: "runtime",
		Description: "Since this morning most checkout requests fail with **503** after 30 seconds. Nothing was deployed. " +
			"The router logs show `H12 Request timeout` on `/checkout`.",
		Urgent: &ticket.UrgentInput{
			AccessGranted: &yes, UsersAffected: "about 70% of checkout attempts", BusinessImpact: "We cannot take orders during our busiest week.",
			StepsToReproduce: "Add any item to the cart on https://acme-web.example.com and press Pay.", SeenInStaging: &no,
			EnvironmentDifferences: "Staging runs one dyno and talks to Stripe's test mode.", StartedAt: started,
			Logs:               "2026-11-24T08:31:02.120Z heroku[router]: at=error code=H12 desc=\"Request timeout\" method=POST path=\"/checkout\" dyno=web.2 service=30000ms status=503",
			Config:             "WEB_CONCURRENCY=4\nDATABASE_URL=postgres://acme:hunter2hunter2@db.acme.internal:5432/shop",
			ThirdPartyServices: "Stripe (payments), Cloudflare (CDN)",
		},
	})
	if err != nil {
		return fmt.Errorf("demo urgent ticket: %w", err)
	}
	steps := []func() error{
		func() error {
			_, err := tickets.AddComment(ctx, agent, urgent.ID, ticket.NewComment{Body: "Only web.2 shows the timeouts; the others are fine.", Internal: true})
			return err
		},
		func() error {
			_, err := tickets.AddComment(ctx, agent, urgent.ID, ticket.NewComment{Body: "We are on it. Restarting `web.2` should stop the timeouts while we look for the cause: `heroku ps:restart web.2 -a acme-api`."})
			return err
		},
		func() error {
			_, err := tickets.ChangePriority(ctx, agent, urgent.ID, ticket.High, "Restarting web.2 is a workaround that brings checkout back, so this is high rather than urgent.")
			return err
		},
		func() error {
			_, err := tickets.Appeal(ctx, owner, urgent.ID, "The restart helped for ten minutes only; checkout is failing again for most customers.")
			return err
		},
		func() error {
			_, err := tickets.CreateTicket(ctx, hank, ticket.NewTicket{
				Subject: "Preparing for the year-end billing run", Priority: ticket.Low, App: "globex-billing", Environment: ticket.Production, Category: "other",
				Description: "Our billing run on December 31st triples the load for six hours. What should we check beforehand?",
			})
			return err
		},
		func() error {
			_, err := tickets.Share(ctx, owner, urgent.ID, false)
			return err
		},
		func() error {
			_, err := tickets.AddComment(ctx, agent, old.ID, ticket.NewComment{Body: "Yes: create a new credential, move your apps to it, then destroy the old one. See the guide on credential rotation."})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("demo tickets: %w", err)
		}
	}
	return nil
}
