package mailin_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// BenchmarkReceiveReply measures one emailed reply from parsing to the
// stored comment: MIME, quote stripping, threading, redaction, the insert
// and the notifications it queues.
func BenchmarkReceiveReply(b *testing.B) {
	ctx := context.Background()
	env := apptest.New(b, apptest.Options{Env: map[string]string{"HELPLINE_MAIL_FROM": "Helpline <support@help.example.com>"}})
	org := env.Org(b, "Acme", account.PlanStandard)
	owner := env.Customer(b, "owner@acme.test", org, account.OrgOwner)
	tk, err := env.App.Tickets.CreateTicket(ctx, owner.Actor(""), ticket.NewTicket{Subject: "Domains", Description: "How do I add an apex domain?", Priority: ticket.Low, Environment: "production"})
	if err != nil {
		b.Fatal(err)
	}
	env.App.Inbox.MaxPerHour = 0 // one sender, many messages: not a flood here
	i := 0
	for b.Loop() {
		i++
		raw := fmt.Sprintf("From: owner@acme.test\r\nTo: support@help.example.com\r\nSubject: Re: [#%d] Domains\r\nMessage-ID: <bench-%d@acme.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe apex is acme.test and www points at it.\r\n\r\nOn Mon, Helpline wrote:\r\n> How do I add an apex domain?\r\n", tk.Number, i)
		res, err := env.App.Inbox.Receive(ctx, []byte(raw))
		if err != nil || res.Status != "comment" {
			b.Fatal(res, err)
		}
	}
}
