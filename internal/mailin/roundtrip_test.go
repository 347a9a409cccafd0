package mailin_test

import (
	"context"
	"fmt"
	"net"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/mailin"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/smtptest"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// startListener runs our inbound SMTP listener for the test.
func startListener(t *testing.T, env *apptest.Env) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := mailin.NewListener(env.App.Inbox, env.App.Logger)
	go l.Serve(ln) //nolint:errcheck
	t.Cleanup(func() { l.Close() })
	return ln.Addr().String()
}

func send(t *testing.T, addr, from, to, raw string) error {
	t.Helper()
	return smtp.SendMail(addr, nil, from, []string{to}, []byte(strings.ReplaceAll(raw, "\n", "\r\n")))
}

// The whole loop over real SMTP: Helpline emails a notification, the
// customer answers it, the answer lands on the ticket as their comment.
func TestReplyByEmail(t *testing.T) {
	ctx := context.Background()
	out := smtptest.Start(t)
	mailer, err := notify.NewSMTPMailer(out.URL(), "Helpline <support@help.example.com>")
	if err != nil {
		t.Fatal(err)
	}
	env := apptest.New(t, apptest.Options{Mailer: mailer, StartJobs: true, Env: map[string]string{"HELPLINE_MAIL_FROM": "Helpline <support@help.example.com>"}})
	in := startListener(t, env)
	org := env.Org(t, "Acme", account.PlanStandard)
	owner := env.Customer(t, "owner@acme.test", org, account.OrgOwner)
	agent := env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	tk, err := env.App.Tickets.CreateTicket(ctx, owner.Actor(""), ticket.NewTicket{Subject: "Build fails", Description: "The build fails at the asset step.", Priority: ticket.Normal, Environment: "staging"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Tickets.AddComment(ctx, agent.Actor(""), tk.ID, ticket.NewComment{Body: "Could you share your build log?"}); err != nil {
		t.Fatal(err)
	}
	var note smtptest.Received
	for _, m := range out.WaitFor(t, 2, 30*time.Second) {
		if strings.Contains(m.TextBody(), "build log") {
			note = m
		}
	}
	if note.Data == nil {
		t.Fatal("no reply notification")
	}
	replyTo := strings.Trim(note.Header("Reply-To"), "<>")
	reply := fmt.Sprintf(`From: Olive Owner <owner@acme.test>
To: %s
Subject: Re: %s
Message-ID: <reply-1@mail.acme.test>
In-Reply-To: %s
References: %s
Content-Type: text/plain; charset=utf-8

Here it is: the build stops at "webpack: out of memory".
Our DATABASE_URL is postgres://acme:Tr0ub4dor-and-3@db.acme.test/app if that helps.

On Tue, Nov 24, 2026 at 9:00 AM Helpline <support@help.example.com> wrote:
> Sam Support wrote:
>
> Could you share your build log?
`, replyTo, note.Header("Subject"), note.Header("Message-ID"), note.Header("References"))
	if err := send(t, in, "owner@acme.test", replyTo, reply); err != nil {
		t.Fatal(err)
	}
	comments, err := env.App.Tickets.FindComments(ctx, agent.Actor(""), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := comments[len(comments)-1]
	if last.AuthorID != owner.ID || !strings.Contains(last.Body, "webpack: out of memory") || strings.Contains(last.Body, "Could you share") || strings.Contains(last.Body, "Tr0ub4dor") {
		t.Fatalf("last comment %+v", last)
	}
	if last.Redactions != 1 {
		t.Errorf("redactions = %d, want 1", last.Redactions)
	}
	inbox, err := env.App.Inbox.FindInbox(ctx, agent.Actor(""), "", helpline.Page{})
	if err != nil || len(inbox) != 1 || inbox[0].Status != mailin.StatusComment {
		t.Fatalf("inbox %+v, %v", inbox, err)
	}
	raw, err := env.App.Inbox.Original(ctx, owner.Actor(""), inbox[0].ID)
	if err != nil || !strings.Contains(string(raw), "Could you share") {
		t.Fatalf("original: %v", err)
	}

	// The same message delivered twice lands once.
	if err := send(t, in, "owner@acme.test", replyTo, reply); err != nil {
		t.Fatal(err)
	}
	if again, _ := env.App.Tickets.FindComments(ctx, agent.Actor(""), tk.ID); len(again) != len(comments) {
		t.Errorf("duplicate delivery added a comment")
	}
}

// Mail that matches nothing: known senders open a ticket, strangers are held,
// auto-replies are ignored, other mailboxes are refused.
func TestInboundRouting(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{Env: map[string]string{"HELPLINE_MAIL_FROM": "Helpline <support@help.example.com>"}})
	in := startListener(t, env)
	org := env.Org(t, "Acme", account.PlanStandard)
	owner := env.Customer(t, "owner@acme.test", org, account.OrgOwner)
	agent := env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	tk, err := env.App.Tickets.CreateTicket(ctx, owner.Actor(""), ticket.NewTicket{Subject: "Domains", Description: "How do I add an apex domain?", Priority: ticket.Low, Environment: "production"})
	if err != nil {
		t.Fatal(err)
	}
	msgs := []struct{ name, from, raw, want string }{
		{"new ticket", "owner@acme.test", "From: owner@acme.test\nTo: support@help.example.com\nSubject: Dyno restarts\nMessage-ID: <a1@acme.test>\n\nOur worker dyno restarts every night at 3am.\n", mailin.StatusTicket},
		{"subject number", "owner@acme.test", fmt.Sprintf("From: owner@acme.test\nTo: support@help.example.com\nSubject: Re: [#%d] Domains\nMessage-ID: <a2@acme.test>\n\nAlso for www, please.\n", tk.Number), mailin.StatusComment},
		{"stranger", "eve@evil.test", "From: eve@evil.test\nTo: support@help.example.com\nSubject: Hello\nMessage-ID: <e1@evil.test>\n\nPlease reset my password.\n", mailin.StatusHeld},
		{"stranger on a ticket", "eve@evil.test", fmt.Sprintf("From: eve@evil.test\nTo: support@help.example.com\nSubject: Re: [#%d] Domains\nMessage-ID: <e2@evil.test>\n\nI am the owner now.\n", tk.Number), mailin.StatusHeld},
		{"out of office", "owner@acme.test", "From: owner@acme.test\nTo: support@help.example.com\nSubject: Automatic reply: Domains\nAuto-Submitted: auto-replied\nMessage-ID: <a3@acme.test>\n\nI am away until Monday.\n", mailin.StatusIgnored},
	}
	for _, m := range msgs {
		if err := send(t, in, m.from, "support@help.example.com", m.raw); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	inbox, err := env.App.Inbox.FindInbox(ctx, agent.Actor(""), "", helpline.Page{})
	if err != nil || len(inbox) != len(msgs) {
		t.Fatalf("inbox %d messages, %v", len(inbox), err)
	}
	for i, m := range msgs {
		got := inbox[len(inbox)-1-i]
		if got.Status != m.want {
			t.Errorf("%s: %s (%s), want %s", m.name, got.Status, got.Reason, m.want)
		}
	}
	if err := send(t, in, "owner@acme.test", "someone-else@help.example.com", msgs[0].raw); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("mail to another mailbox: %v, want 550", err)
	}
	// A customer cannot read the inbox.
	if _, err := env.App.Inbox.FindInbox(ctx, owner.Actor(""), "", helpline.Page{}); helpline.KindOf(err) != helpline.KindForbidden {
		t.Errorf("customer reading the inbox: %v", err)
	}
}

// A held message from a stranger lands once staff give them an account and
// process it again.
func TestReprocessHeld(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{Env: map[string]string{"HELPLINE_MAIL_FROM": "Helpline <support@help.example.com>"}})
	in := startListener(t, env)
	agent := env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	raw := "From: New Person <new@acme.test>\nTo: support@help.example.com\nSubject: Cannot deploy\nMessage-ID: <n1@acme.test>\n\nOur deploys hang at the release phase since this morning.\n"
	if err := send(t, in, "new@acme.test", "support@help.example.com", raw); err != nil {
		t.Fatal(err)
	}
	held, err := env.App.Inbox.FindInbox(ctx, agent.Actor(""), mailin.StatusHeld, helpline.Page{})
	if err != nil || len(held) != 1 {
		t.Fatalf("held %+v, %v", held, err)
	}
	if _, err := env.App.Inbox.Reprocess(ctx, env.Customer(t, "other@acme.test", env.Org(t, "Other", account.PlanFree), account.OrgOwner).Actor(""), held[0].ID); helpline.KindOf(err) != helpline.KindForbidden {
		t.Fatalf("customer reprocessing: %v", err)
	}
	res, err := env.App.Inbox.Reprocess(ctx, agent.Actor(""), held[0].ID)
	if err != nil || res.Status != mailin.StatusHeld {
		t.Fatalf("before the account exists: %+v, %v", res, err)
	}
	env.Customer(t, "new@acme.test", env.Org(t, "Acme", account.PlanStandard), account.OrgMember)
	res, err = env.App.Inbox.Reprocess(ctx, agent.Actor(""), held[0].ID)
	if err != nil || res.Status != mailin.StatusTicket || res.TicketID == 0 {
		t.Fatalf("after: %+v, %v", res, err)
	}
	tk, err := env.App.Tickets.FindTicketByID(ctx, agent.Actor(""), res.TicketID)
	if err != nil || tk.Subject != "Cannot deploy" || !strings.Contains(tk.Description, "release phase") {
		t.Fatalf("ticket %+v, %v", tk, err)
	}
	if _, err := env.App.Inbox.Reprocess(ctx, agent.Actor(""), held[0].ID); helpline.KindOf(err) != helpline.KindNotFound {
		t.Fatalf("reprocessing a message that is no longer held: %v", err)
	}
}
