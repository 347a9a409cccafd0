package mailin_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/mailin"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// startIMAP runs a real (in-memory) IMAP server with one mailbox.
func startIMAP(t *testing.T) string {
	mem := imapmemserver.New()
	u := imapmemserver.NewUser("support", "secret")
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln) //nolint:errcheck
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func deliver(t *testing.T, addr, raw string) {
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("support", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	raw = strings.ReplaceAll(raw, "\n", "\r\n")
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	if _, err := cmd.Write([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

// Polling a hosted mailbox threads replies like the SMTP listener does, and
// reads each message once.
func TestIMAPPolling(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{Env: map[string]string{"HELPLINE_MAIL_FROM": "Helpline <support@help.example.com>"}})
	addr := startIMAP(t)
	org := env.Org(t, "Acme", account.PlanStandard)
	owner := env.Customer(t, "owner@acme.test", org, account.OrgOwner)
	agent := env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	tk, err := env.App.Tickets.CreateTicket(ctx, owner.Actor(""), ticket.NewTicket{Subject: "Domains", Description: "How do I add an apex domain?", Priority: ticket.Low, Environment: "production"})
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, addr, fmt.Sprintf("From: owner@acme.test\nTo: support@help.example.com\nSubject: Re: [#%d] Domains\nMessage-ID: <i1@acme.test>\n\nThe apex is acme.test.\n\nOn Mon, Helpline wrote:\n> How do I add an apex domain?\n", tk.Number))
	deliver(t, addr, "From: stranger@else.test\nTo: support@help.example.com\nSubject: Hi\nMessage-ID: <i2@else.test>\n\nWho are you?\n")

	p := &mailin.IMAPPoller{URL: "imap://support:secret@" + addr + "/INBOX?tls=none", Processor: env.App.Inbox}
	n, err := p.Poll(ctx)
	if err != nil || n != 2 {
		t.Fatalf("poll read %d, %v", n, err)
	}
	if n, err := p.Poll(ctx); err != nil || n != 0 {
		t.Fatalf("second poll read %d, %v; want nothing new", n, err)
	}
	comments, err := env.App.Tickets.FindComments(ctx, agent.Actor(""), tk.ID)
	if err != nil || len(comments) != 1 || comments[0].Body != "The apex is acme.test." {
		t.Fatalf("comments %+v, %v", comments, err)
	}
	held, err := env.App.Inbox.FindInbox(ctx, agent.Actor(""), mailin.StatusHeld, helpline.Page{})
	if err != nil || len(held) != 1 || held[0].From != "stranger@else.test" {
		t.Fatalf("held %+v, %v", held, err)
	}
}

func TestParseIMAPURL(t *testing.T) {
	for raw, want := range map[string]string{
		"imaps://u:p@mail.example.com":             "mail.example.com:993 INBOX tls",
		"imap://u:p@mail.example.com/Support":      "mail.example.com:143 Support starttls",
		"imap://u:p@127.0.0.1:1143/INBOX?tls=none": "127.0.0.1:1143 INBOX none",
	} {
		addr, _, _, box, mode, err := mailin.ParseIMAPURL(raw)
		if err != nil || addr+" "+box+" "+mode != want {
			t.Errorf("%s: %s %s %s, %v", raw, addr, box, mode, err)
		}
	}
	for _, bad := range []string{"http://u:p@x", "imaps://mail.example.com", "imaps://u:p@/INBOX"} {
		if _, _, _, _, _, err := mailin.ParseIMAPURL(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
