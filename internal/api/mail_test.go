package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/ticket"
)

func TestNotificationPreferencesAPI(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	acme := env.Org(t, "Acme", account.PlanPremier)
	dev := env.Customer(t, "dev@acme.test", acme, account.OrgOwner)
	sam := env.Staff(t, "sam@helpline.test", helpline.RoleAgent)
	customer, agent := env.Client(t, dev), env.Client(t, sam)

	cats, err := customer.NotificationPreferences(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cats) != 3 || cats[0].Slug != "ticket_replies" || !cats[0].Enabled || cats[0].Label == "" {
		t.Fatalf("customer categories %+v", cats)
	}
	if cats, err := agent.NotificationPreferences(ctx); err != nil || len(cats) != 4 {
		t.Fatalf("staff categories %+v, %v", cats, err)
	}

	cats, err = customer.SetNotificationPreferences(ctx, map[string]bool{"ticket_replies": false})
	if err != nil {
		t.Fatal(err)
	}
	if cats[0].Enabled || !cats[1].Enabled {
		t.Fatalf("after turning replies off: %+v", cats)
	}

	// Unknown keys, staff-only keys and non-booleans are named; nothing changes.
	_, err = customer.SetNotificationPreferences(ctx, map[string]bool{"ticket_updates": false, "newsletter": false, "assigned_replies": false})
	e := apiErr(t, err, 422, "invalid")
	if e.Fields["newsletter"] == "" || e.Fields["assigned_replies"] == "" || e.Fields["ticket_updates"] != "" {
		t.Fatalf("fields %v", e.Fields)
	}
	status, body, _ := raw(t, env, customer.Token, "PUT", "/api/v1/me/notifications", "application/json", `{"ticket_updates": "no"}`)
	if status != 422 || !strings.Contains(body, `"ticket_updates": "must be true or false"`) {
		t.Fatalf("non-boolean: %d %s", status, body)
	}
	if cats, _ := customer.NotificationPreferences(ctx); !cats[1].Enabled {
		t.Fatal("a refused request changed a preference")
	}

	// The notifier honours it.
	tk, err := env.App.Tickets.CreateTicket(ctx, dev.Actor(""), ticket.NewTicket{Subject: "Build fails", Description: "The build fails at the asset step.",
		Priority: "normal", Environment: "staging", Category: "deploys"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Tickets.AddComment(ctx, sam.Actor(""), tk.ID, ticket.NewComment{Body: "Try clearing the build cache."}); err != nil {
		t.Fatal(err)
	}
	msgs, err := agent.Outbox(ctx, client.OutboxFilter{TicketID: tk.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Category == "ticket_replies" {
			t.Fatalf("a reply was emailed to someone who turned replies off: %+v", m)
		}
	}
}

func TestMailAPI(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{StartJobs: true})
	acme := env.Org(t, "Acme", account.PlanPremier)
	dev := env.Customer(t, "dev@acme.test", acme, account.OrgOwner)
	ops := env.Customer(t, "ops@acme.test", acme, account.OrgMember)
	sam := env.Staff(t, "sam@helpline.test", helpline.RoleAgent)
	customer, agent := env.Client(t, dev), env.Client(t, sam)
	teammate := env.Client(t, ops)

	tk, err := env.App.Tickets.CreateTicket(ctx, dev.Actor(""), ticket.NewTicket{Subject: "Build fails", Description: "The build fails at the asset step.",
		Priority: "normal", Environment: "staging", Category: "deploys"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Tickets.AddComment(ctx, sam.Actor(""), tk.ID, ticket.NewComment{Body: "Try clearing the build cache."}); err != nil {
		t.Fatal(err)
	}
	held, err := env.App.Inbox.Receive(ctx, []byte("From: stranger@x.test\r\nTo: helpline@localhost\r\nSubject: hi\r\nMessage-ID: <s1@x.test>\r\n\r\nhello\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	// A known customer's email opens a ticket; they may download it.
	opened, err := env.App.Inbox.Receive(ctx, []byte("From: dev@acme.test\r\nTo: helpline@localhost\r\nSubject: Another problem\r\nMessage-ID: <d1@acme.test>\r\n\r\nThe dashboard is blank since the last deploy.\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if held.Status != "held" || opened.Status != "ticket" {
		t.Fatalf("received: %+v %+v", held, opened)
	}

	// Customers are refused the staff endpoints.
	_, err = customer.Outbox(ctx, client.OutboxFilter{})
	apiErr(t, err, 403, "forbidden")
	_, err = customer.Inbox(ctx, "", client.Page{})
	apiErr(t, err, 403, "forbidden")
	apiErr(t, customer.DiscardInboxMessage(ctx, held.ID), 403, "forbidden")
	_, err = customer.InboxOriginal(ctx, held.ID)
	apiErr(t, err, 404, "not_found")
	if status, _, _ := raw(t, env, customer.Token, "GET", "/api/v1/mail/outbox?status=nope", "", ""); status != 403 {
		t.Errorf("customer with a bad filter: %d, want 403", status)
	}

	// The outbox: the reply (and the status change) become sent.
	deadline := time.Now().Add(15 * time.Second)
	var sent []client.OutboxMessage
	for {
		sent, err = agent.Outbox(ctx, client.OutboxFilter{Status: "sent", TicketID: tk.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(sent) >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(sent) != 2 || sent[0].To != "dev@acme.test" || sent[0].SentAt == nil || sent[0].TicketID == nil || *sent[0].TicketID != tk.ID || sent[0].Attempts != 1 {
		t.Fatalf("sent %+v", sent)
	}
	if msgs, err := agent.Outbox(ctx, client.OutboxFilter{Status: "failed"}); err != nil || len(msgs) != 0 {
		t.Fatalf("failed: %+v, %v", msgs, err)
	}
	if msgs, err := agent.Outbox(ctx, client.OutboxFilter{Page: client.Page{Limit: 1}}); err != nil || len(msgs) != 1 {
		t.Fatalf("limit 1: %d, %v", len(msgs), err)
	}
	_, err = agent.Outbox(ctx, client.OutboxFilter{Status: "bounced"})
	if e := apiErr(t, err, 422, "invalid"); e.Fields["status"] == "" {
		t.Fatalf("fields %v", e.Fields)
	}
	status, body, _ := raw(t, env, agent.Token, "GET", "/api/v1/mail/outbox?ticket_id=x&limit=0", "", "")
	if status != 422 || !strings.Contains(body, `"ticket_id"`) || !strings.Contains(body, `"limit"`) {
		t.Fatalf("bad query: %d %s", status, body)
	}

	// The inbox.
	msgs, err := agent.Inbox(ctx, "held", client.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].ID != held.ID || msgs[0].From != "stranger@x.test" || msgs[0].Reason == "" || msgs[0].Size == 0 {
		t.Fatalf("held %+v", msgs)
	}
	if all, err := agent.Inbox(ctx, "", client.Page{}); err != nil || len(all) != 2 {
		t.Fatalf("all: %+v, %v", all, err)
	}
	_, err = agent.Inbox(ctx, "spam", client.Page{})
	apiErr(t, err, 422, "invalid")

	// Originals: staff any, the sender their own, nobody else.
	orig, err := agent.InboxOriginal(ctx, held.ID)
	if err != nil || !strings.Contains(string(orig), "Message-ID: <s1@x.test>") {
		t.Fatalf("original: %q, %v", orig, err)
	}
	if orig, err := customer.InboxOriginal(ctx, opened.ID); err != nil || !strings.Contains(string(orig), "dashboard is blank") {
		t.Fatalf("sender's original: %q, %v", orig, err)
	}
	_, err = teammate.InboxOriginal(ctx, opened.ID)
	apiErr(t, err, 404, "not_found")
	status, _, h := raw(t, env, agent.Token, "GET", "/api/v1/mail/inbox/"+itoa(held.ID)+"/original", "", "")
	if status != 200 || h.Get("Content-Type") != "message/rfc822" || h.Get("Content-Disposition") != "attachment; filename=message-"+itoa(held.ID)+".eml" {
		t.Fatalf("download headers: %d %v", status, h)
	}

	// Discard: held only, once.
	if err := agent.DiscardInboxMessage(ctx, held.ID); err != nil {
		t.Fatal(err)
	}
	if msgs, _ := agent.Inbox(ctx, "discarded", client.Page{}); len(msgs) != 1 || msgs[0].ID != held.ID {
		t.Fatalf("discarded %+v", msgs)
	}
	apiErr(t, agent.DiscardInboxMessage(ctx, held.ID), 404, "not_found")
	apiErr(t, agent.DiscardInboxMessage(ctx, opened.ID), 404, "not_found")
	if status, _, _ := raw(t, env, agent.Token, "POST", "/api/v1/mail/inbox/abc/discard", "", ""); status != http.StatusNotFound {
		t.Errorf("malformed id: %d", status)
	}
}
