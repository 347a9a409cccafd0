package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// mailEnv is a customer with a ticket and an agent who answers it.
type mailEnv struct {
	*apptest.Env
	dev, sam account.User
	tk       ticket.Ticket
}

func newMailEnv(t *testing.T) *mailEnv {
	t.Helper()
	env := apptest.New(t, apptest.Options{})
	e := &mailEnv{Env: env}
	acme := env.Org(t, "Acme", account.PlanPremier)
	e.dev = env.Customer(t, "dev@acme.test", acme, account.OrgOwner)
	e.sam = env.Staff(t, "sam@helpline.test", helpline.RoleAgent)
	var err error
	e.tk, err = env.App.Tickets.CreateTicket(context.Background(), e.dev.Actor(""), ticket.NewTicket{
		Subject: "Deploys fail", Description: "Deploys fail with a build error since this morning.", Priority: ticket.Priority("normal"),
		Environment: ticket.Production, Category: "deploys",
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// reply adds a public staff reply, which emails the customer.
func (e *mailEnv) reply(t *testing.T, body string) {
	t.Helper()
	if _, err := e.App.Tickets.AddComment(context.Background(), e.sam.Actor(""), e.tk.ID, ticket.NewComment{Body: body}); err != nil {
		t.Fatal(err)
	}
}

// emailsTo counts the outbox rows of a category for a user. (The first
// staff reply also opens the ticket, which is a ticket_updates email.)
func (e *mailEnv) emailsTo(t *testing.T, u account.User, category string) int {
	t.Helper()
	var n int
	if err := e.App.DB.QueryRowContext(context.Background(), `SELECT count(*) FROM mail_outbox WHERE user_id = $1 AND category = $2`, u.ID, category).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *mailEnv) enabled(t *testing.T, u account.User, category string) bool {
	t.Helper()
	prefs, err := e.App.Mail.Preferences(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return prefs[category]
}

func TestNotificationPreferencesPage(t *testing.T) {
	e := newMailEnv(t)
	b := e.Browser()
	b.SignIn(t, "dev@acme.test")
	_, body := b.Get(t, "/account")
	mustContain(t, body, `href="/account/notifications"`)

	resp, body := b.Get(t, "/account/notifications")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /account/notifications: %d", resp.StatusCode)
	}
	mustContain(t, body, "Replies on tickets you opened or joined", `name="ticket_replies"`, `name="ticket_updates"`)
	if strings.Contains(body, "assigned_replies") {
		t.Error("a customer is offered the staff-only category")
	}
	if strings.Count(body, " checked>") != 3 {
		t.Errorf("every category should start on:\n%s", body)
	}

	// Untick ticket_replies.
	resp, _ = b.Post(t, "/account/notifications", url.Values{"ticket_updates": {"on"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/notifications" {
		t.Fatalf("save: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = b.Get(t, "/account/notifications")
	mustContain(t, body, "Your email notifications are saved.", `name="ticket_replies" id="pref-ticket_replies" value="on">`)
	if e.enabled(t, e.dev, "ticket_replies") || !e.enabled(t, e.dev, "ticket_updates") {
		t.Fatal("preferences not stored")
	}

	// The notifier honours it: a staff reply emails nobody.
	e.reply(t, "We are looking into it.")
	if n := e.emailsTo(t, e.dev, "ticket_replies"); n != 0 {
		t.Fatalf("%d emails queued for a customer who turned replies off", n)
	}
	b.Post(t, "/account/notifications", url.Values{"ticket_replies": {"on"}, "ticket_updates": {"on"}})
	e.reply(t, "Found it: a stale build cache.")
	if n := e.emailsTo(t, e.dev, "ticket_replies"); n != 1 {
		t.Fatalf("%d emails queued after turning replies back on, want 1", n)
	}

	// Staff choose the staff-only category too.
	staff := e.Browser()
	staff.SignIn(t, "sam@helpline.test")
	_, body = staff.Get(t, "/account/notifications")
	mustContain(t, body, "Customer replies on tickets assigned to you")
	staff.Post(t, "/account/notifications", url.Values{"ticket_replies": {"on"}, "ticket_updates": {"on"}})
	if e.enabled(t, e.sam, "assigned_replies") {
		t.Error("staff could not turn assigned_replies off")
	}
}

// unsubscribeLink returns the path and query of the List-Unsubscribe link
// of the latest email of a category to u.
func (e *mailEnv) unsubscribeLink(t *testing.T, u account.User, category string) string {
	t.Helper()
	var raw string
	if err := e.App.DB.QueryRowContext(context.Background(), `SELECT headers FROM mail_outbox WHERE user_id = $1 AND category = $2 ORDER BY id DESC LIMIT 1`, u.ID, category).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var h map[string]string
	if err := json.Unmarshal([]byte(raw), &h); err != nil {
		t.Fatal(err)
	}
	if h["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", h["List-Unsubscribe-Post"])
	}
	link, err := url.Parse(strings.Trim(h["List-Unsubscribe"], "<>"))
	if err != nil {
		t.Fatal(err)
	}
	return link.RequestURI()
}

func TestUnsubscribe(t *testing.T) {
	e := newMailEnv(t)
	e.reply(t, "We are looking into it.")
	link := e.unsubscribeLink(t, e.dev, "ticket_replies")
	if !strings.HasPrefix(link, "/unsubscribe/") || !strings.HasSuffix(link, "?c=ticket_replies") {
		t.Fatalf("link %q", link)
	}
	path, _, _ := strings.Cut(link, "?")

	// Opening the link only asks; it needs no sign-in.
	anon := e.Browser()
	resp, body := anon.Get(t, link)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d\n%s", link, resp.StatusCode, body)
	}
	mustContain(t, body, "Stop emails about <strong>replies on tickets you opened or joined</strong> to <strong>dev@acme.test</strong>?",
		`<form method="post" action="`+path+`">`, `name="c" value="ticket_replies"`)
	if !e.enabled(t, e.dev, "ticket_replies") {
		t.Fatal("opening the link unsubscribed")
	}

	resp, body = anon.Post(t, path, url.Values{"c": {"ticket_replies"}})
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d\n%s", path, resp.StatusCode, body)
	}
	mustContain(t, body, "You are unsubscribed", `href="/account/notifications"`)
	if e.enabled(t, e.dev, "ticket_replies") {
		t.Fatal("still subscribed after confirming")
	}

	// RFC 8058 one-click, as a mail provider sends it: no cookies, no
	// Origin, no Sec-Fetch-Site, the category only in the URL.
	oneClick := func(target string, header map[string]string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", e.URL+target, strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if status := oneClick(path+"?c=ticket_updates", nil); status != 200 {
		t.Fatalf("one-click POST: %d", status)
	}
	if e.enabled(t, e.dev, "ticket_updates") {
		t.Fatal("one-click POST did not unsubscribe")
	}
	// A cross-site form in a browser is still refused.
	if status := oneClick(path+"?c=ticket_updates", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.test"}); status != 403 {
		t.Errorf("cross-site POST: %d, want 403", status)
	}

	for _, bad := range []string{"/unsubscribe/nope?c=ticket_replies", "/unsubscribe/" + strings.Repeat("a", 24) + "?c=ticket_replies"} {
		if resp, body := anon.Get(t, bad); resp.StatusCode != 404 || !strings.Contains(body, "not valid") {
			t.Errorf("GET %s: %d", bad, resp.StatusCode)
		}
	}
	if status := oneClick("/unsubscribe/nope?c=ticket_replies", nil); status != 404 {
		t.Errorf("one-click with a bad token: %d, want 404", status)
	}
	if resp, _ := anon.Get(t, path+"?c=newsletter"); resp.StatusCode != 422 {
		t.Errorf("unknown category: %d, want 422", resp.StatusCode)
	}
}

func TestAdminMail(t *testing.T) {
	ctx := context.Background()
	e := newMailEnv(t)
	e.reply(t, "We are looking into it.")
	var outboxID int64
	if err := e.App.DB.QueryRowContext(ctx, `SELECT id FROM mail_outbox WHERE user_id = $1 AND category = 'ticket_replies'`, e.dev.ID).Scan(&outboxID); err != nil {
		t.Fatal(err)
	}
	if err := e.App.Mail.MarkAttempt(ctx, outboxID, errors.New("550 5.1.1 mailbox unavailable"), true); err != nil {
		t.Fatal(err)
	}
	res, err := e.App.Inbox.Receive(ctx, []byte("From: stranger@x.test\r\nTo: helpline@localhost\r\nSubject: hi there\r\nMessage-ID: <s1@x.test>\r\n\r\nhello\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "held" {
		t.Fatalf("stranger's mail: %+v", res)
	}
	held := "/admin/mail/inbox/" + itoa(res.ID)

	customer := e.Browser()
	customer.SignIn(t, "dev@acme.test")
	for _, path := range []string{"/admin/mail", held + "/original"} {
		if resp, _ := customer.Get(t, path); resp.StatusCode != 403 {
			t.Errorf("customer GET %s: %d, want 403", path, resp.StatusCode)
		}
	}
	if resp, _ := customer.Post(t, held+"/discard", nil); resp.StatusCode != 403 {
		t.Errorf("customer discard: %d, want 403", resp.StatusCode)
	}
	_, body := customer.Get(t, "/tickets/"+itoa(e.tk.Number))
	if strings.Contains(body, `id="emails"`) || strings.Contains(body, "/admin/mail") {
		t.Error("a customer sees the ticket's emails")
	}

	staff := e.Browser()
	staff.SignIn(t, "sam@helpline.test")
	resp, body := staff.Get(t, "/admin/mail")
	if resp.StatusCode != 200 {
		t.Fatalf("staff /admin/mail: %d", resp.StatusCode)
	}
	mustContain(t, body, `<a href="/admin/mail">Mail</a>`, "Outgoing", "Incoming",
		`<tr class="mail-failed">`, "dev@acme.test", "550 5.1.1 mailbox unavailable", `href="/tickets/`+itoa(e.tk.Number)+`#emails"`,
		"stranger@x.test", "hi there", "unknown sender", `href="`+held+`/original"`, `action="`+held+`/discard"`)
	_, body = staff.Get(t, "/admin/mail?outbox_status=sent&inbox_status=ticket")
	if strings.Contains(body, "dev@acme.test") || strings.Contains(body, "stranger@x.test") {
		t.Error("filters do not filter")
	}
	if resp, _ := staff.Get(t, "/admin/mail?outbox_status=bounced"); resp.StatusCode != 422 {
		t.Errorf("unknown status: %d, want 422", resp.StatusCode)
	}

	// The ticket page lists its emails for staff.
	_, body = staff.Get(t, "/tickets/"+itoa(e.tk.Number))
	mustContain(t, body, `id="emails"`, "dev@acme.test", "Failed", "550 5.1.1 mailbox unavailable")

	resp, body = staff.Get(t, held+"/original")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "message/rfc822" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), `filename=message-`+itoa(res.ID)+`.eml`) || !strings.Contains(body, "Subject: hi there") {
		t.Fatalf("original: %d %v\n%s", resp.StatusCode, resp.Header, body)
	}

	// Processing it again keeps it held while the sender has no account.
	if resp, _ := customer.Post(t, held+"/reprocess", nil); resp.StatusCode != 403 {
		t.Errorf("customer reprocess: %d, want 403", resp.StatusCode)
	}
	resp, _ = staff.Post(t, held+"/reprocess", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reprocess: %d", resp.StatusCode)
	}
	_, body = staff.Get(t, "/admin/mail")
	mustContain(t, body, "processed again: held (unknown sender)", `action="`+held+`/reprocess"`)

	resp, _ = staff.Post(t, held+"/discard", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("discard: %d", resp.StatusCode)
	}
	_, body = staff.Get(t, "/admin/mail")
	mustContain(t, body, "discarded.")
	if strings.Contains(body, "stranger@x.test") {
		t.Error("a discarded message is still listed as held")
	}
	_, body = staff.Get(t, "/admin/mail?inbox_status=discarded")
	mustContain(t, body, "stranger@x.test")
	if strings.Contains(body, `action="`+held+`/discard"`) {
		t.Error("a discarded message can be discarded again")
	}
	if resp, _ := staff.Post(t, held+"/discard", nil); resp.StatusCode != 404 {
		t.Errorf("second discard: %d, want 404", resp.StatusCode)
	}
}
