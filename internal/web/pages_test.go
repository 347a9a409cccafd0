package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/oncall"
	"github.com/helpline-dev/helpline/internal/ticket"
)

func TestPagesWeb(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme", account.PlanPremier)
	app, err := env.App.Accounts.CreateApp(ctx, account.CLI(), org.ID, account.AppInput{Name: "acme-api"})
	if err != nil {
		t.Fatal(err)
	}
	cust := env.Customer(t, "alice@acme.test", org, account.OrgOwner)
	agent := env.Staff(t, "sam@helpline.test", helpline.RoleAgent)
	env.Staff(t, "root@helpline.test", helpline.RoleAdmin)
	now := time.Now().UTC()
	var pid, lid int64
	if err := env.App.DB.QueryRowContext(ctx, `INSERT INTO escalation_policies (name, repeats, pages_urgent, created_at, updated_at) VALUES ('Support', 1, TRUE, $1, $1) RETURNING id`, now).Scan(&pid); err != nil {
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
		Subject: "API <down>", Description: "Every request to the production API returns 503 since the 08:30 deploy; nobody can sign in.",
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
	p := pages[0]
	pagePath := fmt.Sprintf("/pages/%d", p.ID)

	staffB := env.Browser()
	staffB.SignIn(t, "sam@helpline.test")
	resp, body := staffB.Get(t, "/pages")
	if resp.StatusCode != 200 || !strings.Contains(body, pagePath) || !strings.Contains(body, "API &lt;down&gt;") || strings.Contains(body, "API <down>") {
		t.Fatalf("/pages: %d\n%s", resp.StatusCode, body)
	}
	resp, body = staffB.Get(t, pagePath)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d", pagePath, resp.StatusCode)
	}
	for _, want := range []string{"Timeline", "Triggered", "Delivery log", "sam@helpline.test", "Queued", "not acknowledged", `value="acknowledge"`} {
		if !strings.Contains(body, want) {
			t.Errorf("%s lacks %q", pagePath, want)
		}
	}
	// The ticket shows its page to staff, with the buttons.
	ticketPath := fmt.Sprintf("/tickets/%d", tk.Number)
	_, body = staffB.Get(t, ticketPath)
	if !strings.Contains(body, `id="paging"`) || !strings.Contains(body, pagePath) || strings.Contains(body, "Page on-call") {
		t.Errorf("the ticket's paging card for an agent:\n%s", body)
	}
	resp, _ = staffB.Post(t, pagePath, url.Values{"action": {"acknowledge"}, "ticket": {fmt.Sprint(tk.Number)}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), ticketPath) {
		t.Errorf("acknowledge from the ticket: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = staffB.Get(t, pagePath)
	if !strings.Contains(body, "Acknowledged by sam") || !strings.Contains(body, "Time to acknowledge") {
		t.Errorf("page after acknowledging:\n%s", body)
	}
	if resp, _ := staffB.Post(t, pagePath, url.Values{"action": {"explode"}}); resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown action: %d", resp.StatusCode)
	}
	if resp, _ := staffB.Post(t, pagePath, url.Values{"action": {"resolve"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("resolve: %d", resp.StatusCode)
	}

	// Admins page by hand from the ticket; a mistake keeps what they typed.
	adminB := env.Browser()
	adminB.SignIn(t, "root@helpline.test")
	_, body = adminB.Get(t, ticketPath)
	if !strings.Contains(body, "Page on-call") || !strings.Contains(body, "Support (urgent tickets)") {
		t.Errorf("no paging form for the admin:\n%s", body)
	}
	resp, body = adminB.Post(t, ticketPath+"/page", url.Values{"form": {"page"}, "policy_id": {fmt.Sprint(pid)}, "severity": {"loud"}, "message": {"Customer <b>calls</b> again"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Customer &lt;b&gt;calls&lt;/b&gt; again") || !strings.Contains(body, "critical, error, warning or info") {
		t.Errorf("invalid manual page: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = adminB.Post(t, ticketPath+"/page", url.Values{"form": {"page"}, "policy_id": {fmt.Sprint(pid)}, "message": {"Customer calls again"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("manual page: %d", resp.StatusCode)
	}
	pages, _ = env.App.Oncall.FindPages(ctx, agent.Actor(""), oncall.PageFilter{TicketID: tk.ID, Status: "open"})
	if len(pages) != 1 || pages[0].Reason != oncall.ReasonManual || pages[0].Message != "Customer calls again" {
		t.Errorf("open pages after the manual page: %+v", pages)
	}
	if resp, _ := staffB.Post(t, ticketPath+"/page", url.Values{"message": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("agent paging by hand: %d, want 403", resp.StatusCode)
	}

	// Customers see none of it; forged IDs are not found.
	custB := env.Browser()
	custB.SignIn(t, "alice@acme.test")
	if resp, _ := custB.Get(t, "/pages"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("customer /pages: %d", resp.StatusCode)
	}
	if _, body := custB.Get(t, ticketPath); strings.Contains(body, `id="paging"`) {
		t.Error("the customer sees the paging card")
	}
	if resp, _ := staffB.Get(t, "/pages/999999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("forged page: %d", resp.StatusCode)
	}
	if resp, _ := env.Browser().Get(t, "/pages/ack/nosuchtoken"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown acknowledge link: %d", resp.StatusCode)
	}
	if resp, _ := env.Browser().Post(t, "/pages/ack/nosuchtoken", url.Values{"action": {"acknowledge"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST unknown acknowledge link: %d", resp.StatusCode)
	}
}
