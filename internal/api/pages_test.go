package api_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/client"
)

func apiStatus(err error) int {
	var e *client.Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

func TestPagesAPI(t *testing.T) {
	ctx := context.Background()
	te := newTicketEnv(t)
	env := te.env
	agentUser := env.Staff(t, "oncall@helpline.test", helpline.RoleAgent)
	admin := env.Client(t, env.Staff(t, "admin@helpline.test", helpline.RoleAdmin))
	agent := env.Client(t, agentUser)
	now := time.Now().UTC()
	var pid, lid int64
	if err := env.App.DB.QueryRowContext(ctx, `INSERT INTO escalation_policies (name, repeats, pages_urgent, created_at, updated_at) VALUES ('Support', 0, TRUE, $1, $1) RETURNING id`, now).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if err := env.App.DB.QueryRowContext(ctx, `INSERT INTO escalation_levels (policy_id, position, delay_minutes) VALUES ($1, 0, 5) RETURNING id`, pid).Scan(&lid); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.DB.ExecContext(ctx, `INSERT INTO escalation_targets (level_id, user_id) VALUES ($1, $2)`, lid, agentUser.ID); err != nil {
		t.Fatal(err)
	}
	tk, err := te.customer.CreateTicket(ctx, client.NewTicket{Subject: "Checkout times out", Description: urgentDescription, Priority: "urgent",
		App: "acme-api", Environment: "production", Category: "runtime", Urgent: urgentInput()})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := agent.ListPages(ctx, client.PageFilter{Status: "triggered"})
	if err != nil || len(pages) != 1 {
		t.Fatalf("ListPages = %v, %v", pages, err)
	}
	p := pages[0]
	if p.TicketID == nil || *p.TicketID != tk.ID || p.Reason != "urgent_ticket" || p.Severity != "critical" || p.EscalateAt != nil {
		t.Errorf("page = %+v", p)
	}
	ds, err := agent.PageDeliveries(ctx, p.ID)
	if err != nil || len(ds) != 1 || ds[0].Kind != "email" || ds[0].Address != "oncall@helpline.test" || ds[0].Status != "queued" {
		t.Errorf("deliveries = %+v, %v", ds, err)
	}
	// Manual paging of a ticket with an open page returns that page.
	again, err := admin.PageTicket(ctx, tk.ID, client.ManualPage{Message: "Please look now."})
	if err != nil || again.ID != p.ID {
		t.Errorf("PageTicket on a paged ticket = %+v, %v", again, err)
	}
	acked, err := agent.AcknowledgePage(ctx, p.ID)
	if err != nil || acked.Status != "acknowledged" || acked.AcknowledgedByName != "oncall" || acked.EscalateAt != nil {
		t.Errorf("AcknowledgePage = %+v, %v", acked, err)
	}
	if list, _ := agent.ListPages(ctx, client.PageFilter{Status: "triggered"}); len(list) != 0 {
		t.Errorf("triggered pages after acknowledging: %d", len(list))
	}
	// Solving the ticket resolves its page.
	solved := "solved"
	if err := agent.Do(ctx, "PATCH", "/api/v1/tickets/"+itoa(tk.ID), map[string]any{"status": solved}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := agent.GetPage(ctx, p.ID)
	if err != nil || got.Status != "resolved" || got.ResolvedAt == nil {
		t.Errorf("page after solving the ticket = %+v, %v", got, err)
	}
	// A new manual page, by an admin, with a message.
	manual, err := admin.PageTicket(ctx, tk.ID, client.ManualPage{Message: "The customer reports it again.", Severity: "error"})
	if err != nil || manual.ID == p.ID || manual.Reason != "manual" || manual.Severity != "error" || manual.Message != "The customer reports it again." {
		t.Errorf("manual page = %+v, %v", manual, err)
	}
	if _, err := admin.PageTicket(ctx, tk.ID, client.ManualPage{Message: ""}); apiStatus(err) != 400 && apiStatus(err) != 422 {
		t.Errorf("manual page without a message: %v", err)
	}
	if _, err := agent.PageTicket(ctx, tk.ID, client.ManualPage{Message: "x"}); apiStatus(err) != 403 {
		t.Errorf("agent paging by hand: %v, want 403", err)
	}
	if _, err := agent.ResolvePage(ctx, manual.ID); err != nil {
		t.Fatal(err)
	}
	// Forged IDs are not found; customers are refused.
	for name, err := range map[string]error{
		"get":     errOnly(agent.GetPage(ctx, 999999)),
		"log":     errOnly(agent.PageDeliveries(ctx, 999999)),
		"ack":     errOnly(agent.AcknowledgePage(ctx, 999999)),
		"resolve": errOnly(agent.ResolvePage(ctx, 999999)),
		"ticket":  errOnly(admin.PageTicket(ctx, 999999, client.ManualPage{Message: "x"})),
	} {
		if apiStatus(err) != 404 {
			t.Errorf("%s of a forged ID: %v, want 404", name, err)
		}
	}
	for name, err := range map[string]error{
		"list": errOnly(te.customer.ListPages(ctx, client.PageFilter{})),
		"get":  errOnly(te.customer.GetPage(ctx, p.ID)),
		"log":  errOnly(te.customer.PageDeliveries(ctx, p.ID)),
		"ack":  errOnly(te.customer.AcknowledgePage(ctx, p.ID)),
	} {
		if apiStatus(err) != 403 {
			t.Errorf("customer %s: %v, want 403", name, err)
		}
	}
	if _, err := agent.ListPages(ctx, client.PageFilter{Status: "snoozed"}); apiStatus(err) != 400 && apiStatus(err) != 422 {
		t.Errorf("bad status filter: %v", err)
	}
}

func errOnly[T any](_ T, err error) error { return err }
