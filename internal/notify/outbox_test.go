package notify_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/smtptest"
	"github.com/helpline-dev/helpline/internal/ticket"
)

func mailerFor(t *testing.T, addr string) notify.Mailer {
	m, err := notify.NewSMTPMailer("smtp://"+addr+"?tls=none", "Helpline <support@help.example.com>")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Customers get every public step of their ticket by email, threaded, with
// a reply address of their own, and never an internal note.
func TestTicketNotifications(t *testing.T) {
	ctx := context.Background()
	mail := smtptest.Start(t)
	env := apptest.New(t, apptest.Options{Mailer: mailerFor(t, mail.Addr()), StartJobs: true,
		Env: map[string]string{"HELPLINE_MAIL_FROM": "Helpline <support@help.example.com>"}})
	org := env.Org(t, "Acme", account.PlanStandard)
	owner := env.Customer(t, "owner@acme.test", org, account.OrgOwner)
	agent := env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	tickets := env.App.Tickets
	tk, err := tickets.CreateTicket(ctx, owner.Actor(""), ticket.NewTicket{Subject: "Build fails", Description: "The build fails at the asset step.", Priority: ticket.Normal, Environment: "staging"})
	if err != nil {
		t.Fatal(err)
	}
	a := agent.Actor("")
	if _, err := tickets.AddComment(ctx, a, tk.ID, ticket.NewComment{Body: "SECRET-INTERNAL: probably their webpack config", Internal: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := tickets.AddComment(ctx, a, tk.ID, ticket.NewComment{Body: "Could you share your **build log**?"}); err != nil {
		t.Fatal(err)
	}
	if _, err := tickets.ChangePriority(ctx, a, tk.ID, ticket.Low, "No production impact; this is a question about staging."); err != nil {
		t.Fatal(err)
	}
	// Reply (opens the ticket), status change new→open, priority change.
	mail.WaitFor(t, 3, 30*time.Second)
	time.Sleep(300 * time.Millisecond) // let any duplicate arrive before counting
	msgs := mail.Messages()
	if len(msgs) != 3 {
		t.Fatalf("%d emails, want 3", len(msgs))
	}
	var all string
	for i, m := range msgs {
		all += m.TextBody()
		if m.To[0] != "owner@acme.test" {
			t.Errorf("email %d to %v", i, m.To)
		}
		if got := m.Header("Subject"); got != fmt.Sprintf("[#%d] Build fails", tk.Number) {
			t.Errorf("subject %q", got)
		}
		if rt := strings.Trim(m.Header("Reply-To"), "<>"); !strings.HasPrefix(rt, "support+") || !strings.HasSuffix(rt, "@help.example.com") {
			t.Errorf("reply-to %q", m.Header("Reply-To"))
		}
		if !strings.Contains(m.Header("References"), fmt.Sprintf("<ticket-%d@help.example.com>", tk.Number)) || m.Header("In-Reply-To") == "" {
			t.Errorf("threading headers: %q / %q", m.Header("In-Reply-To"), m.Header("References"))
		}
		if !strings.Contains(m.Header("List-Unsubscribe"), "/unsubscribe/") || m.Header("Auto-Submitted") != "auto-generated" {
			t.Errorf("list-unsubscribe %q, auto-submitted %q", m.Header("List-Unsubscribe"), m.Header("Auto-Submitted"))
		}
	}
	if strings.Contains(all, "SECRET-INTERNAL") {
		t.Fatal("an internal note was emailed")
	}
	for _, want := range []string{"Could you share your **build log**?", "from new to open", "from normal to low", "appeal"} {
		if !strings.Contains(all, want) {
			t.Errorf("emails lack %q", want)
		}
	}
	// Each message after the first answers the one before it (they may be
	// delivered in any order, so follow the chain by IDs).
	ids := map[string]bool{}
	for _, m := range msgs {
		ids[m.Header("Message-ID")] = true
	}
	chained := 0
	for _, m := range msgs {
		refs := strings.Fields(m.Header("References"))
		if len(refs) == 2 && ids[refs[1]] && m.Header("In-Reply-To") == refs[1] {
			chained++
		}
	}
	if chained != 2 {
		t.Errorf("%d of 3 messages answer an earlier one, want 2", chained)
	}
}

// With the SMTP server down during a burst, every message goes out once it
// is back, and none twice.
func TestOutageBurst(t *testing.T) {
	ctx := context.Background()
	addr := smtptest.FreeAddr(t)
	env := apptest.New(t, apptest.Options{Mailer: mailerFor(t, addr), StartJobs: true, RetryPolicy: apptest.FastRetry{Delay: 200 * time.Millisecond}})
	org := env.Org(t, "Acme", account.PlanStandard)
	owner := env.Customer(t, "owner@acme.test", org, account.OrgOwner)
	agent := env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	tk, err := env.App.Tickets.CreateTicket(ctx, owner.Actor(""), ticket.NewTicket{Subject: "Burst", Description: "Many replies are coming.", Priority: ticket.Normal, Environment: "staging"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000
	for i := 0; i < n; i++ {
		if _, err := env.App.Tickets.AddComment(ctx, agent.Actor(""), tk.ID, ticket.NewComment{Body: fmt.Sprintf("update %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(time.Second) // the server is down while the first attempts fail
	mail := smtptest.StartOn(t, addr)
	mail.WaitFor(t, n+1, 3*time.Minute) // the replies and the new → open change
	time.Sleep(time.Second)
	msgs := mail.Messages()
	seen := map[string]bool{}
	for _, m := range msgs {
		id := m.Header("Message-ID")
		if seen[id] {
			t.Fatalf("message %s sent twice", id)
		}
		seen[id] = true
	}
	if len(msgs) != n+1 {
		t.Fatalf("%d messages delivered, want %d", len(msgs), n+1)
	}
}

// A message the server refuses for good is not retried: it is marked failed
// with the server's answer, for staff to see.
func TestPermanentFailureRecorded(t *testing.T) {
	ctx := context.Background()
	mail := smtptest.Start(t)
	env := apptest.New(t, apptest.Options{Mailer: mailerFor(t, mail.Addr()), StartJobs: true})
	org := env.Org(t, "Acme", account.PlanStandard)
	owner := env.Customer(t, "owner@acme.test", org, account.OrgOwner)
	agent := env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	tk, err := env.App.Tickets.CreateTicket(ctx, owner.Actor(""), ticket.NewTicket{Subject: "Mailbox full", Description: "Our inbox is full, sorry.", Priority: ticket.Low, Environment: "staging"})
	if err != nil {
		t.Fatal(err)
	}
	// The next send is the status change's; the server refuses it.
	mail.FailNext(552, "Mailbox full")
	if _, err := env.App.Tickets.UpdateTicket(ctx, agent.Actor(""), tk.ID, ticket.Update{Status: ptr(ticket.StatusPending)}); err != nil {
		t.Fatal(err)
	}
	var rows []notify.OutboxMessage
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		rows, err = env.App.Mail.FindOutbox(ctx, agent.Actor(""), tk.ID, "failed", helpline.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > 0 {
			break
		}
	}
	if len(rows) != 1 || !strings.Contains(rows[0].LastError, "552") || rows[0].Attempts != 1 {
		t.Fatalf("failed rows %+v", rows)
	}
	if len(mail.Messages()) != 0 {
		t.Fatalf("refused message was delivered after all")
	}
}

func ptr[T any](v T) *T { return &v }

// Staff watching a ticket get the customer's replies, like the assignee; a
// watcher who stops watching does not.
func TestWatchersGetCustomerReplies(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme", account.PlanStandard)
	owner := env.Customer(t, "owner@acme.test", org, account.OrgOwner)
	sam := env.Staff(t, "sam@helpline.test", helpline.RoleAgent)
	ada := env.Staff(t, "ada@helpline.test", helpline.RoleAdmin)
	tk, err := env.App.Tickets.CreateTicket(ctx, owner.Actor(""), ticket.NewTicket{Subject: "Slow", Description: "Responses are slow in the EU.", Priority: ticket.Normal, Environment: "production"})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []account.User{sam, ada} {
		if err := env.App.Tickets.Watch(ctx, u.Actor(""), tk.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.App.Tickets.Watch(ctx, ada.Actor(""), tk.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Tickets.Watch(ctx, owner.Actor(""), tk.ID, true); helpline.KindOf(err) != helpline.KindForbidden {
		t.Fatalf("customer watching: %v", err)
	}
	names, watching, err := env.App.Tickets.Watchers(ctx, sam.Actor(""), tk.ID)
	if err != nil || !watching || len(names) != 1 || names[0] != "sam" {
		t.Fatalf("watchers %v %v %v", names, watching, err)
	}
	if _, err := env.App.Tickets.AddComment(ctx, owner.Actor(""), tk.ID, ticket.NewComment{Body: "Still slow this morning."}); err != nil {
		t.Fatal(err)
	}
	rows, err := env.App.Mail.FindOutbox(ctx, sam.Actor(""), tk.ID, "", helpline.Page{})
	if err != nil || len(rows) != 1 || rows[0].To != "sam@helpline.test" || rows[0].Category != "assigned_replies" {
		t.Fatalf("outbox %+v, %v", rows, err)
	}
}
