package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/ticket"
)

func TestSLAAdminPages(t *testing.T) {
	e := newTicketEnv(t)
	e.Staff(t, "ada@helpline.test", helpline.RoleAdmin)
	b := e.Browser()
	b.SignIn(t, "ada@helpline.test")

	resp, body := b.Get(t, "/admin/sla")
	if resp.StatusCode != 200 || !strings.Contains(body, `href="/admin/sla/policies/premier/urgent"`) || !strings.Contains(body, "Business hours") {
		t.Fatalf("admin page %d:\n%s", resp.StatusCode, body)
	}
	// A typo is named and what was typed stays.
	resp, body = b.Post(t, "/admin/sla/policies/premier/urgent", url.Values{"first_response_minutes": {"an hour"}, "resolution_minutes": {"480"}, "warn_minutes": {"10"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "not a whole number of minutes") || !strings.Contains(body, `value="an hour"`) || !strings.Contains(body, `value="480"`) {
		t.Fatalf("typo: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = b.Post(t, "/admin/sla/policies/premier/urgent", url.Values{"first_response_minutes": {"30"}, "resolution_minutes": {"480"}, "warn_minutes": {"10"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	p, err := e.App.SLA.FindPolicy(context.Background(), account.CLI(), account.PlanPremier, ticket.Urgent)
	if err != nil || *p.FirstResponseMinutes != 30 || p.NextResponseMinutes != nil || *p.ResolutionMinutes != 480 || p.WarnMinutes != 10 {
		t.Fatalf("saved policy = %+v, %v", p, err)
	}

	// A calendar with a bad zone and hours is shown again with both named.
	resp, body = b.Post(t, "/admin/sla/calendars", url.Values{"name": {"EMEA"}, "time_zone": {"Europe/Pariss"}, "hours.monday": {"9-5"}, "holidays": {"2026-12-25"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Europe/Pariss") || !strings.Contains(body, `aria-describedby="cal-monday-error"`) || !strings.Contains(body, "2026-12-25") {
		t.Fatalf("bad calendar: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = b.Post(t, "/admin/sla/calendars", url.Values{"name": {"EMEA"}, "time_zone": {"Europe/Paris"}, "hours.monday": {"09:00-12:00, 13:00-17:00"}, "holidays": {"2026-12-25\n2026-12-26"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create calendar: %d", resp.StatusCode)
	}
	cals, _ := e.App.SLA.FindCalendars(context.Background(), account.CLI())
	var id int64
	for _, c := range cals {
		if c.Name == "EMEA" {
			id = c.ID
			if len(c.Hours.Monday) != 2 || len(c.Holidays) != 2 {
				t.Fatalf("calendar = %+v", c)
			}
		}
	}
	// The default calendar is in use: deleting it says by whom.
	resp, body = b.Post(t, "/admin/sla/calendars/"+itoa(cals[0].ID)+"/delete", nil)
	if cals[0].Name != "Business hours" || resp.StatusCode != http.StatusConflict || !strings.Contains(body, "free/high") {
		t.Fatalf("delete in use: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := b.Post(t, "/admin/sla/calendars/"+itoa(id)+"/delete", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", resp.StatusCode)
	}

	// Agents may read the report but not edit.
	agent := e.Browser()
	agent.SignIn(t, "sam@helpline.test")
	if resp, _ := agent.Get(t, "/admin/sla"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("agent admin page: %d", resp.StatusCode)
	}
	if resp, body := agent.Get(t, "/reports/sla?from=2026-02-30"); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "YYYY-MM-DD") {
		t.Fatalf("bad report date: %d\n%s", resp.StatusCode, body)
	}
}

func TestSLAOnQueueTicketAndReport(t *testing.T) {
	e := newTicketEnv(t)
	ctx := context.Background()
	late := e.open(t, e.dev, "Checkout is slow", ticket.High)
	e.open(t, e.dev, "Question about builds", ticket.Low)
	waiting := e.open(t, e.dev, "Waiting on logs", ticket.Normal)
	pending := ticket.StatusPending
	if _, err := e.App.Tickets.UpdateTicket(ctx, e.sam.Actor(""), waiting.ID, ticket.Update{Status: &pending}); err != nil {
		t.Fatal(err)
	}
	// The first ticket's clock started three hours ago (the app's clock is
	// the real one): its 2 h first response is an hour late.
	start := time.Now().UTC().Add(-3 * time.Hour)
	if _, err := e.App.DB.ExecContext(ctx, `UPDATE ticket_sla_targets SET started_at = $1, due_at = $2 WHERE ticket_id = $3 AND metric = 'first_response'`,
		start, start.Add(2*time.Hour), late.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.DB.ExecContext(ctx, `UPDATE tickets SET sla_due_at = (SELECT min(due_at) FROM ticket_sla_targets WHERE ticket_id = $1 AND state = 'running') WHERE id = $1`, late.ID); err != nil {
		t.Fatal(err)
	}
	b := e.Browser()
	b.SignIn(t, "sam@helpline.test")
	_, body := b.Get(t, "/queue")
	row := func(subject string) string {
		i := strings.Index(body, subject)
		if i < 0 {
			t.Fatalf("no row for %q in\n%s", subject, body)
		}
		start := strings.LastIndex(body[:i], "<tr")
		end := strings.Index(body[i:], "</tr>")
		return body[start : i+end]
	}
	if r := row("Checkout is slow"); !strings.Contains(r, "sla-breached") || !strings.Contains(r, "breached 1 h ago") {
		t.Fatalf("late ticket row:\n%s", r)
	}
	if r := row("Question about builds"); strings.Contains(r, "breached") || !strings.Contains(r, " left") {
		t.Fatalf("on-time ticket row:\n%s", r)
	}
	if r := row("Waiting on logs"); !strings.Contains(r, "paused") {
		t.Fatalf("pending ticket row:\n%s", r)
	}

	_, body = b.Get(t, "/tickets/"+itoa(late.Number))
	if !strings.Contains(body, `id="sla"`) || !strings.Contains(body, "breached 1 h ago") || !strings.Contains(body, "Resolution") {
		t.Fatalf("ticket page SLA card:\n%s", body)
	}
	// Customers do not see the SLA card.
	c := e.Browser()
	c.SignIn(t, "dev@acme.test")
	if _, body := c.Get(t, "/tickets/"+itoa(late.Number)); strings.Contains(body, `id="sla"`) {
		t.Fatal("the customer sees the SLA card")
	}

	if _, err := e.App.Tickets.AddComment(ctx, e.sam.Actor(""), late.ID, ticket.NewComment{Body: "Sorry for the wait, looking now."}); err != nil {
		t.Fatal(err)
	}
	resp, body := b.Get(t, "/reports/sla")
	if resp.StatusCode != 200 || !strings.Contains(body, "First response: <strong>0%</strong>") || !strings.Contains(body, "1 breached") {
		t.Fatalf("report %d:\n%s", resp.StatusCode, body)
	}
}
