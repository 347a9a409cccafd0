package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/ticket"
)

func sessionRequest(b *testing.B, env *apptest.Env, u account.User, path string) *http.Request {
	secret, err := env.App.Accounts.CreateSession(context.Background(), u.ID, time.Hour, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(&http.Cookie{Name: "helpline_session", Value: secret})
	return req
}

// A staff member opening a ticket with a 20-reply conversation: the ticket,
// comments, events, grants, presence, the staff list, Markdown and the
// template.
func BenchmarkTicketPage(b *testing.B) {
	env := apptest.New(b, apptest.Options{Env: map[string]string{"HELPLINE_DATA_DIR": b.TempDir()}})
	ctx := context.Background()
	org := env.Org(b, "Acme", account.PlanPremier)
	dev := env.Customer(b, "dev@acme.test", org, account.OrgOwner)
	sam := env.Staff(b, "sam@helpline.test", helpline.RoleAgent)
	tk, err := env.App.Tickets.CreateTicket(ctx, dev.Actor(""), ticket.NewTicket{Subject: "Builds fail", Priority: ticket.Normal,
		Environment: ticket.Production, Description: "Builds fail with `exit 1`:\n\n```\n-----> Building\n ! Push failed\n```"})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 20 {
		author := dev.Actor("")
		if i%2 == 1 {
			author = sam.Actor("")
		}
		if _, err := env.App.Tickets.AddComment(ctx, author, tk.ID, ticket.NewComment{Body: fmt.Sprintf("Reply %d with **Markdown**, a [link](https://example.com) and `code`.", i)}); err != nil {
			b.Fatal(err)
		}
	}
	req := sessionRequest(b, env, sam, fmt.Sprintf("/tickets/%d", tk.Number))
	for b.Loop() {
		w := httptest.NewRecorder()
		env.App.Handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Reply 19") {
			b.Fatal(w.Code)
		}
	}
}

// The first page (50) of a queue of 200 tickets from two plans.
func BenchmarkQueuePage(b *testing.B) {
	env := apptest.New(b, apptest.Options{})
	ctx := context.Background()
	acme := env.Customer(b, "dev@acme.test", env.Org(b, "Acme", account.PlanPremier), account.OrgOwner)
	globex := env.Customer(b, "dev@globex.test", env.Org(b, "Globex", account.PlanStandard), account.OrgOwner)
	sam := env.Staff(b, "sam@helpline.test", helpline.RoleAgent)
	for i := range 200 {
		u := acme
		if i%2 == 1 {
			u = globex
		}
		if _, err := env.App.Tickets.CreateTicket(ctx, u.Actor(""), ticket.NewTicket{Subject: fmt.Sprintf("Ticket %d", i),
			Priority: ticket.Priorities[1+i%3], Environment: ticket.Production, Description: "Something is wrong."}); err != nil {
			b.Fatal(err)
		}
	}
	req := sessionRequest(b, env, sam, "/queue")
	for b.Loop() {
		w := httptest.NewRecorder()
		env.App.Handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Next →") {
			b.Fatal(w.Code)
		}
	}
}
