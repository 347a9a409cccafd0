package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/oncall"
	"github.com/helpline-dev/helpline/internal/ticket"
)

func TestPageCommands(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme", account.PlanPremier)
	app, err := env.App.Accounts.CreateApp(ctx, account.CLI(), org.ID, account.AppInput{Name: "acme-api"})
	if err != nil {
		t.Fatal(err)
	}
	cust := env.Customer(t, "alice@acme.test", org, account.OrgOwner)
	agent := env.Staff(t, "sam@helpline.test", helpline.RoleAgent)
	now := time.Now().UTC()
	var pid, lid int64
	if err := env.App.DB.QueryRowContext(ctx, `INSERT INTO escalation_policies (name, repeats, pages_urgent, created_at, updated_at) VALUES ('Support', 0, TRUE, $1, $1) RETURNING id`, now).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if err := env.App.DB.QueryRowContext(ctx, `INSERT INTO escalation_levels (policy_id, position, delay_minutes) VALUES ($1, 0, 5) RETURNING id`, pid).Scan(&lid); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.DB.ExecContext(ctx, `INSERT INTO escalation_targets (level_id, user_id) VALUES ($1, $2)`, lid, agent.ID); err != nil {
		t.Fatal(err)
	}
	yes := true
	tk, err := env.App.Tickets.CreateTicket(ctx, cust.Actor(""), ticket.NewTicket{
		Subject: "API returns 503", Description: "Every request to the production API returns 503 since the 08:30 deploy; nobody can sign in.",
		Priority: ticket.Urgent, AppID: app.ID, Environment: "production", Category: "runtime",
		Urgent: &ticket.UrgentInput{AccessGranted: &yes, UsersAffected: "about 2,000 users (80%)", BusinessImpact: "no sign-ins at all",
			StepsToReproduce: "open the app", SeenInStaging: &yes, StartedAt: "2025-03-10 08:30:00 UTC", Logs: "503", Config: "-", ThirdPartyServices: "none"},
	})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := env.App.Oncall.FindPages(ctx, agent.Actor(""), oncall.PageFilter{TicketID: tk.ID})
	if err != nil || len(pages) != 1 {
		t.Fatalf("pages: %v, %v", pages, err)
	}
	id := fmt.Sprint(pages[0].ID)
	token := func(u account.User) string {
		_, secret, err := env.App.Accounts.CreateTokenFor(ctx, account.CLI(), u.ID, "cli")
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	staffEnv := map[string]string{"HELPLINE_URL": env.URL, "HELPLINE_TOKEN": token(agent)}

	r := mustRun(t, staffEnv, "page", "list")
	if !strings.Contains(r.stdout, "triggered") || !strings.Contains(r.stdout, fmt.Sprintf("#%d API returns 503 (Acme, Premier)", tk.Number)) {
		t.Errorf("page list:\n%s", r.stdout)
	}
	r = mustRun(t, staffEnv, "page", "show", id)
	for _, want := range []string{"Status:    triggered", "Policy:    Support, level 1", "Deliveries:", "email sam@helpline.test", "queued"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("page show lacks %q:\n%s", want, r.stdout)
		}
	}
	r = mustRun(t, staffEnv, "page", "ack", id)
	if !strings.Contains(r.stdout, "acknowledged by sam") {
		t.Errorf("page ack: %s", r.stdout)
	}
	r = mustRun(t, staffEnv, "page", "list", "--json", "--status", "acknowledged")
	if !strings.Contains(r.stdout, `"status": "acknowledged"`) {
		t.Errorf("page list --json:\n%s", r.stdout)
	}
	r = mustRun(t, staffEnv, "page", "resolve", id)
	if !strings.Contains(r.stdout, "resolved") {
		t.Errorf("page resolve: %s", r.stdout)
	}
	if r = mustRun(t, staffEnv, "page", "list"); !strings.Contains(r.stdout, "No pages.") {
		t.Errorf("no open pages left, but:\n%s", r.stdout)
	}

	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{staffEnv, []string{"page", "show", "999999"}, "not found"},
		{staffEnv, []string{"page", "ack"}, "give one page id"},
		{staffEnv, []string{"page", "frobnicate"}, "unknown command"},
		{map[string]string{"HELPLINE_URL": env.URL, "HELPLINE_TOKEN": token(cust)}, []string{"page", "list"}, "staff"},
	} {
		r := runCLI(t, tc.env, tc.args...)
		if r.code == 0 || !strings.Contains(strings.ToLower(r.stderr), tc.want) {
			t.Errorf("helpline %s: %s; want a failure saying %q", strings.Join(tc.args, " "), r, tc.want)
		}
	}
}
