package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// ticketEnv is a Helpline with a premier organization (one app, one
// customer), a standard one, and two support agents.
type ticketEnv struct {
	*apptest.Env
	acme, globex       account.Organization
	app                account.App
	dev, outsider, sam account.User
	kim                account.User
}

func newTicketEnv(t *testing.T) *ticketEnv {
	t.Helper()
	// Uploaded files go to the test's own directory.
	env := apptest.New(t, apptest.Options{Env: map[string]string{"HELPLINE_DATA_DIR": t.TempDir()}})
	e := &ticketEnv{Env: env}
	e.acme = env.Org(t, "Acme", account.PlanPremier)
	e.globex = env.Org(t, "Globex", account.PlanStandard)
	e.dev = env.Customer(t, "dev@acme.test", e.acme, account.OrgOwner)
	e.outsider = env.Customer(t, "pat@globex.test", e.globex, account.OrgMember)
	e.sam = env.Staff(t, "sam@helpline.test", helpline.RoleAgent)
	e.kim = env.Staff(t, "kim@helpline.test", helpline.RoleAgent)
	var err error
	e.app, err = env.App.Accounts.CreateApp(context.Background(), account.CLI(), e.acme.ID, account.AppInput{Name: "acme-api"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// open creates a ticket through the service, as u.
func (e *ticketEnv) open(t *testing.T, u account.User, subject string, prio ticket.Priority) ticket.Ticket {
	t.Helper()
	tk, err := e.App.Tickets.CreateTicket(context.Background(), u.Actor(""), ticket.NewTicket{
		Subject: subject, Description: "Deploys fail with a build error since this morning.", Priority: prio,
		Environment: ticket.Production, Category: "deploys",
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func urgentForm(appID int64) url.Values {
	return url.Values{
		"subject":                        {"API returns 503 for every request"},
		"priority":                       {"urgent"},
		"app_id":                         {itoa(appID)},
		"environment":                    {"production"},
		"category":                       {"runtime"},
		"description":                    {"Every request to the API has returned 503 since the noon deploy.\nRolling back did not help; the dynos restart in a loop."},
		"urgent.access_granted":          {"yes"},
		"urgent.users_affected":          {"80% of users"},
		"urgent.business_impact":         {"Checkout is down and we lose orders."},
		"urgent.steps_to_reproduce":      {"curl https://acme-api.example/health returns 503"},
		"urgent.seen_in_staging":         {"no"},
		"urgent.environment_differences": {"Production has 10 dynos and a larger database."},
		"urgent.started_at":              {"2015-01-01 12:00:00"}, // no time zone
		"urgent.logs":                    {"\n2015-01-01T12:00:01Z heroku[router]: at=error code=H10"},
		"urgent.config":                  {"WEB_CONCURRENCY=4 <b>"},
		"urgent.third_party_services":    {"Stripe, Cloudflare"},
	}
}

// fieldHTML returns the markup of the form field whose control has id.
func fieldHTML(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no field %s on the page", id)
	}
	start := strings.LastIndex(body[:i], `<div class="field`)
	end := strings.Index(body[i:], "</div>")
	return body[start : i+end]
}

func TestNewTicketFormKeepsInput(t *testing.T) {
	e := newTicketEnv(t)
	b := e.Browser()
	b.SignIn(t, "dev@acme.test")

	resp, body := b.Get(t, "/tickets/new")
	if resp.StatusCode != 200 {
		t.Fatalf("form: %d", resp.StatusCode)
	}
	mustContain(t, body, `enctype="multipart/form-data"`, "If this is urgent", "Required only for",
		ticket.Urgent.Meaning(), ticket.Low.Meaning(), `placeholder="2015-01-01 12:00:00 UTC"`, `<option value="`+itoa(e.app.ID)+`">acme-api</option>`,
		`src="/static/ticket-form.js"`, "Yes, Helpline staff may access this app and its add-ons for this ticket")

	form := urgentForm(e.app.ID)
	resp, body = b.Post(t, "/tickets", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("started_at without a zone: %d", resp.StatusCode)
	}
	started := fieldHTML(t, body, "urgent-started-at")
	mustContain(t, started, `value="2015-01-01 12:00:00"`, `aria-invalid="true"`, `aria-describedby="urgent-started-at-error urgent-started-at-hint"`,
		`id="urgent-started-at-error"`, "needs a time zone")
	mustContain(t, body,
		`value="API returns 503 for every request"`,
		`value="urgent" checked`,
		`<option value="`+itoa(e.app.ID)+`" selected>acme-api</option>`,
		`<option value="runtime" selected>`,
		`<option value="production" selected>`,
		`name="urgent.access_granted" value="yes" checked`,
		`value="no" checked`,
		`value="80% of users"`,
		"Rolling back did not help",
		">\n\n2015-01-01T12:00:01Z heroku[router]", // the leading newline survives
		"WEB_CONCURRENCY=4 &lt;b&gt;",
		"Stripe, Cloudflare",
		"Production has 10 dynos")
	if n := strings.Count(body, `aria-invalid="true"`); n != 1 {
		t.Errorf("%d fields marked invalid, want only started_at", n)
	}

	// Urgent is for production only.
	form.Set("urgent.started_at", "2015-01-01 12:00:00 UTC")
	form.Set("environment", "staging")
	resp, body = b.Post(t, "/tickets", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("urgent on staging: %d", resp.StatusCode)
	}
	mustContain(t, body, `id="priority-error"`, "urgent is reserved for production apps", `<option value="staging" selected>`)

	// Missing urgent answers each get their message.
	form.Set("environment", "production")
	form.Del("urgent.access_granted")
	form.Del("urgent.seen_in_staging")
	resp, body = b.Post(t, "/tickets", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no access, no staging answer: %d", resp.StatusCode)
	}
	mustContain(t, body, `id="urgent-access-granted-error"`, `id="urgent-seen-in-staging-error"`)
	if strings.Contains(body, `name="urgent.access_granted" value="yes" checked`) {
		t.Error("the unchecked box came back checked")
	}

	form.Set("urgent.access_granted", "yes")
	form.Set("urgent.seen_in_staging", "no")
	resp, _ = b.Post(t, "/tickets", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/tickets/1001" {
		t.Fatalf("valid urgent ticket: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = b.Get(t, "/tickets/1001")
	mustContain(t, body, "Ticket #1001 is open.", "The on-call engineer has been paged.", "API returns 503 for every request",
		"2015-01-01 12:00:00 UTC", "<pre>\n2015-01-01T12:00:01Z heroku[router]", "Revoke access", "Granted until")

	// Revoking access is the customer's call.
	if resp, _ := b.Post(t, "/tickets/1001/access/revoke", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke access: %d", resp.StatusCode)
	}
	_, body = b.Get(t, "/tickets/1001")
	mustContain(t, body, "Staff access to the app is revoked.", "Revoked ")
	if strings.Contains(body, "Revoke access</button>") {
		t.Error("revoke offered with no active grant")
	}
	resp, body = b.Post(t, "/tickets/1001/access/revoke", nil)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("second revoke: %d", resp.StatusCode)
	}
	mustContain(t, body, `<p class="alert" role="alert">There is no active access grant on this ticket.</p>`)
}

// Someone in two organizations picks one; apps are grouped by organization.
func TestNewTicketSeveralOrganizations(t *testing.T) {
	e := newTicketEnv(t)
	if err := e.App.Accounts.AddMember(context.Background(), account.CLI(), e.globex.ID, e.dev.ID, account.OrgMember); err != nil {
		t.Fatal(err)
	}
	b := e.Browser()
	b.SignIn(t, "dev@acme.test")
	_, body := b.Get(t, "/tickets/new")
	mustContain(t, body, `<select id="organization-id" name="organization_id"`, "Acme (Premier)", "Globex (Standard)", `<optgroup label="Acme">`)
	form := url.Values{"subject": {"Which org?"}, "priority": {"normal"}, "environment": {"production"}, "description": {"A question for support."}}
	resp, body := b.Post(t, "/tickets", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no organization: %d", resp.StatusCode)
	}
	mustContain(t, body, `id="organization-id-error"`, "pick one")
	form.Set("organization_id", itoa(e.globex.ID))
	form.Set("app_id", itoa(e.app.ID)) // Acme's app, not Globex's
	resp, body = b.Post(t, "/tickets", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("another organization's app: %d", resp.StatusCode)
	}
	mustContain(t, body, `id="app-id-error"`, `<option value="`+itoa(e.globex.ID)+`" selected>Globex`)
	form.Del("app_id")
	if resp, _ := b.Post(t, "/tickets", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create for Globex: %d", resp.StatusCode)
	}
}

func TestNormalTicketAndList(t *testing.T) {
	e := newTicketEnv(t)
	b := e.Browser()
	b.SignIn(t, "dev@acme.test")
	resp, _ := b.Post(t, "/tickets", url.Values{
		"subject": {"How do I rotate my database credentials?"}, "priority": {"low"}, "environment": {"production"},
		"category": {"data"}, "description": {"Is there a **zero-downtime** way?\n\n<script>alert(1)</script>"},
	})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	_, body := b.Get(t, resp.Header.Get("Location"))
	mustContain(t, body, "Ticket #1001 is open.", "<strong>zero-downtime</strong>", "&lt;script&gt;alert(1)&lt;/script&gt;", "Mark as solved", "Databases and data")
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "on-call") {
		t.Error("raw HTML rendered, or a low ticket paged someone")
	}

	_, body = b.Get(t, "/tickets")
	mustContain(t, body, "New ticket", `href="/tickets/1001"`, "How do I rotate my database credentials?", `class="status status-new"`, `class="prio prio-low"`)
	_, body = b.Get(t, "/tickets?status=solved")
	if strings.Contains(body, "/tickets/1001") {
		t.Error("a new ticket listed under solved")
	}

	if resp, _ := b.Post(t, "/tickets/1001/update", url.Values{"status": {"solved"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark solved: %d", resp.StatusCode)
	}
	_, body = b.Get(t, "/tickets?status=solved")
	mustContain(t, body, "/tickets/1001")
	// Customers cannot do what only support does.
	if resp, _ := b.Post(t, "/tickets/1001/update", url.Values{"status": {"closed"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("customer closing: %d, want 403", resp.StatusCode)
	}
	if resp, _ := b.Post(t, "/tickets/1001/priority", url.Values{"priority": {"urgent"}, "reason": {"because I say so"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("customer changing priority: %d, want 403", resp.StatusCode)
	}
}

func TestTicketAccess(t *testing.T) {
	e := newTicketEnv(t)
	tk := e.open(t, e.dev, "Build fails", ticket.Normal)
	path := "/tickets/" + itoa(tk.Number)

	outsider := e.Browser()
	outsider.SignIn(t, "pat@globex.test")
	for _, p := range []string{path, "/tickets/999999", "/tickets/abc"} {
		if resp, _ := outsider.Get(t, p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("other org GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := outsider.Post(t, path+"/comments", url.Values{"body": {"hi"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("other org replying: %d, want 404", resp.StatusCode)
	}
	if resp, _ := outsider.Get(t, "/queue"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("customer /queue: %d, want 403", resp.StatusCode)
	}
	if resp, _ := e.Browser().Get(t, path); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d, want a redirect to sign in", resp.StatusCode)
	}

	agent := e.Browser()
	agent.SignIn(t, "sam@helpline.test")
	if resp, _ := agent.Get(t, "/tickets"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/queue" {
		t.Errorf("staff /tickets: %d → %q, want /queue", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := agent.Get(t, "/tickets/new"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("staff /tickets/new: %d, want 403", resp.StatusCode)
	}
	resp, body := agent.Get(t, path)
	if resp.StatusCode != 200 {
		t.Fatalf("agent: %d", resp.StatusCode)
	}
	mustContain(t, body, `class="plan plan-premier"`, "Change priority", `name="assignee_id"`, ">kim</option>", ">sam (you)</option>")
}

func TestInternalNoteHiddenFromCustomer(t *testing.T) {
	e := newTicketEnv(t)
	tk := e.open(t, e.dev, "Build fails", ticket.Normal)
	path := "/tickets/" + itoa(tk.Number)
	agent := e.Browser()
	agent.SignIn(t, "sam@helpline.test")
	resp, _ := agent.Post(t, path+"/comments", url.Values{"form": {"reply"}, "body": {"Customer's buildpack is pinned to an old version."}, "internal": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("internal note: %d", resp.StatusCode)
	}
	resp, _ = agent.Post(t, path+"/comments", url.Values{"form": {"reply"}, "seen": {"1"}, "body": {"Please update your buildpack."}, "status": {"pending"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d", resp.StatusCode)
	}
	_, body := agent.Get(t, path)
	mustContain(t, body, "Internal note · only staff see this", "pinned to an old version", "Please update your buildpack.", `status-pending`)

	customer := e.Browser()
	customer.SignIn(t, "dev@acme.test")
	_, body = customer.Get(t, path)
	mustContain(t, body, "Please update your buildpack.")
	if strings.Contains(body, "pinned to an old version") || strings.Contains(body, "Internal note") {
		t.Error("the customer sees the internal note")
	}
	// A customer cannot make a note internal by adding the field.
	resp, _ = customer.Post(t, path+"/comments", url.Values{"seen": {"2"}, "body": {"Updated, still failing."}, "internal": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("customer reply: %d", resp.StatusCode)
	}
	cs, _ := e.App.Tickets.FindComments(context.Background(), e.dev.Actor(""), tk.ID)
	if len(cs) != 2 || cs[1].Internal {
		t.Fatalf("customer comments %+v", cs)
	}
}

var seenRE = regexp.MustCompile(`name="seen" value="(\d+)"`)

func TestReplyCollision(t *testing.T) {
	e := newTicketEnv(t)
	tk := e.open(t, e.dev, "Build fails", ticket.Normal)
	path := "/tickets/" + itoa(tk.Number)

	sam, kim := e.Browser(), e.Browser()
	sam.SignIn(t, "sam@helpline.test")
	kim.SignIn(t, "kim@helpline.test")
	_, body := sam.Get(t, path)
	seen := seenRE.FindStringSubmatch(body)[1]
	_, body = kim.Get(t, path)
	mustContain(t, body, "sam is also looking at this ticket (seen just now)")

	// Kim answers while Sam writes.
	if _, err := e.App.Tickets.AddComment(context.Background(), e.kim.Actor(""), tk.ID, ticket.NewComment{Body: "Looking into it."}); err != nil {
		t.Fatal(err)
	}
	draft := url.Values{"form": {"reply"}, "seen": {seen}, "body": {"Have you tried\nclearing the build cache?"}, "status": {"pending"}}
	resp, body := sam.Post(t, path+"/comments", draft)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("colliding reply: %d", resp.StatusCode)
	}
	mustContain(t, body, "kim replied while you were writing — read it, then send again.", "Looking into it.",
		">\nHave you tried\nclearing the build cache?</textarea>", `<option value="pending" selected>`, `name="send_anyway" value="1"`)
	if m := seenRE.FindStringSubmatch(body); m == nil || m[1] == seen {
		t.Errorf("the form shown again still says seen=%s", seen)
	}
	cs, _ := e.App.Tickets.FindComments(context.Background(), e.sam.Actor(""), tk.ID)
	if len(cs) != 1 {
		t.Fatalf("the colliding reply was saved: %+v", cs)
	}

	draft.Set("send_anyway", "1")
	if resp, _ := sam.Post(t, path+"/comments", draft); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send anyway: %d", resp.StatusCode)
	}
	got, _ := e.App.Tickets.FindTicketByID(context.Background(), e.sam.Actor(""), tk.ID)
	if got.Status != ticket.StatusPending {
		t.Errorf("status %s after reply with pending", got.Status)
	}

	// An empty reply comes back with its error.
	_, body = sam.Get(t, path)
	resp, body = sam.Post(t, path+"/comments", url.Values{"form": {"reply"}, "seen": {seenRE.FindStringSubmatch(body)[1]}, "body": {"  "}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty reply: %d", resp.StatusCode)
	}
	mustContain(t, fieldHTML(t, body, "body"), "Message: is required")
}

var shareRE = regexp.MustCompile(`id="share-url" class="share-url" readonly value="([^"]+)"`)

func TestShareLinkJoin(t *testing.T) {
	e := newTicketEnv(t)
	tk := e.open(t, e.dev, "Build fails", ticket.Normal)
	path := "/tickets/" + itoa(tk.Number)

	dev := e.Browser()
	dev.SignIn(t, "dev@acme.test")
	_, body := dev.Get(t, path)
	mustContain(t, body, `id="share-ticket"`)
	if resp, _ := dev.Post(t, path+"/share", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("share: %d", resp.StatusCode)
	}
	_, body = dev.Get(t, path)
	m := shareRE.FindStringSubmatch(body)
	if m == nil || !strings.HasPrefix(m[1], e.URL+"/share/") {
		t.Fatalf("no share URL on the page")
	}
	mustContain(t, body, "Rotate link", "Stop sharing")
	sharePath := strings.TrimPrefix(m[1], e.URL)

	pat := e.Browser()
	resp, _ := pat.Get(t, sharePath)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin?next="+url.QueryEscape(sharePath) {
		t.Fatalf("signed-out share link: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	pat.SignIn(t, "pat@globex.test")
	resp, _ = pat.Get(t, sharePath)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
		t.Fatalf("join: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = pat.Get(t, path)
	if resp.StatusCode != 200 {
		t.Fatalf("participant: %d", resp.StatusCode)
	}
	mustContain(t, body, "You joined ticket #"+itoa(tk.Number)+".", "Build fails")
	if strings.Contains(body, "Rotate link") || strings.Contains(body, "Remove</button>") {
		t.Error("a participant may manage sharing")
	}
	_, body = dev.Get(t, path)
	mustContain(t, body, "pat@globex.test", "Remove</button>", "joined through the share link")

	// Rotating retires the old link; the requester removes the participant.
	if resp, _ := dev.Post(t, path+"/share", url.Values{"rotate": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("rotate: %d", resp.StatusCode)
	}
	if resp, _ := e.Browser().Get(t, sharePath); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("old link, signed out: %d", resp.StatusCode)
	}
	if resp, body := pat.Get(t, sharePath); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "invalid or was revoked") {
		t.Errorf("rotated link: %d", resp.StatusCode)
	}
	if resp, _ := dev.Post(t, path+"/participants/"+itoa(e.outsider.ID)+"/remove", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	if resp, _ := pat.Get(t, path); resp.StatusCode != http.StatusNotFound {
		t.Errorf("removed participant: %d, want 404", resp.StatusCode)
	}
	if resp, _ := dev.Post(t, path+"/share/revoke", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("stop sharing: %d", resp.StatusCode)
	}
	_, body = dev.Get(t, path)
	if shareRE.MatchString(body) {
		t.Error("the link is still shown after stopping sharing")
	}
}

// postFiles submits a multipart form with files, as a browser does.
func postFiles(t *testing.T, e *ticketEnv, b *apptest.Browser, path string, fields url.Values, field string, files map[string]string) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for name, content := range files {
		// The claimed type is wrong on purpose: the server must sniff.
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{`form-data; name="` + field + `"; filename="` + name + `"`}
		h["Content-Type"] = []string{"image/png"}
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, content)
	}
	_ = mw.Close()
	req, err := http.NewRequest("POST", e.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestAttachments(t *testing.T) {
	e := newTicketEnv(t)
	dev := e.Browser()
	dev.SignIn(t, "dev@acme.test")

	// Files sent with the new-ticket form are attached to it.
	form := url.Values{"subject": {"Logs attached"}, "priority": {"normal"}, "environment": {"production"}, "description": {"See the attached build log."}}
	resp, _ := postFiles(t, e, dev, "/tickets", form, "attachments", map[string]string{"build.log": "-----> Building on the Heroku-24 stack\n ! Push failed\n"})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create with a file: %d", resp.StatusCode)
	}
	path := resp.Header.Get("Location")
	// An empty file sends the form back with what was typed.
	resp, body := postFiles(t, e, dev, "/tickets", form, "attachments", map[string]string{"empty.txt": ""})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty file: %d", resp.StatusCode)
	}
	mustContain(t, body, "empty.txt is empty", `value="Logs attached"`, "Choose your files again")

	resp, body = postFiles(t, e, dev, path+"/attachments", url.Values{"form": {"upload"}}, "file",
		map[string]string{"evil.html": "<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	resp, body = postFiles(t, e, dev, path+"/attachments", url.Values{"form": {"upload"}}, "file", nil)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("upload without a file: %d", resp.StatusCode)
	}
	mustContain(t, fieldHTML(t, body, "file"), "File: choose a file to attach", `aria-invalid="true"`)

	// A file over the limit (10 MB by default) is refused before the ticket
	// is opened; a request far over it is cut off with a clear page.
	big := strings.Repeat("x", 10<<20+1)
	resp, body = postFiles(t, e, dev, "/tickets", form, "attachments", map[string]string{"huge.log": big})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("file over the limit: %d", resp.StatusCode)
	}
	mustContain(t, body, "huge.log is larger than 10 MB", `value="Logs attached"`)
	resp, body = postFiles(t, e, dev, "/tickets", form, "attachments", map[string]string{"huge.log": big + big})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("request over the limit: %d", resp.StatusCode)
	}
	mustContain(t, body, "The files are too large")

	if all, _ := e.App.Tickets.FindTickets(context.Background(), e.dev.Actor(""), ticket.Filter{}); len(all) != 1 {
		t.Fatalf("%d tickets; refused forms opened some", len(all))
	}

	tk, _ := e.App.Tickets.FindTicketByNumber(context.Background(), e.dev.Actor(""), 1001)
	atts, err := e.App.Tickets.FindAttachments(context.Background(), e.dev.Actor(""), tk.ID)
	if err != nil || len(atts) != 2 {
		t.Fatalf("attachments %+v, %v", atts, err)
	}
	_, body = dev.Get(t, path)
	mustContain(t, body, `href="/attachments/`+itoa(atts[0].ID)+`"`, "build.log", "evil.html")

	for _, c := range []struct {
		att         ticket.Attachment
		contentType string
		disposition string
		body        string
	}{
		{atts[0], "text/plain; charset=utf-8", `attachment; filename=build.log`, "Push failed"},
		{atts[1], "application/octet-stream", `attachment; filename=evil.html`, "<script>"},
	} {
		resp, body := dev.Get(t, "/attachments/"+itoa(c.att.ID))
		h := resp.Header
		if resp.StatusCode != 200 || h.Get("Content-Type") != c.contentType || h.Get("Content-Disposition") != c.disposition ||
			h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(body, c.body) {
			t.Errorf("download %s: %d %q %q %v", c.att.Filename, resp.StatusCode, h.Get("Content-Type"), h.Get("Content-Disposition"), h)
		}
	}
	pat := e.Browser()
	pat.SignIn(t, "pat@globex.test")
	if resp, _ := pat.Get(t, "/attachments/"+itoa(atts[0].ID)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("other org download: %d, want 404", resp.StatusCode)
	}
}

func TestQueueAndPriorityReview(t *testing.T) {
	e := newTicketEnv(t)
	std := e.open(t, e.outsider, "Older normal ticket from a standard org", ticket.Normal)
	urgent := e.open(t, e.dev, "Newer high ticket from premier", ticket.High)
	sam := e.Browser()
	sam.SignIn(t, "sam@helpline.test")

	_, body := sam.Get(t, "/queue")
	i, j := strings.Index(body, urgent.Subject), strings.Index(body, std.Subject)
	if i < 0 || j < 0 || i > j {
		t.Fatalf("queue order: premier at %d, standard at %d", i, j)
	}
	mustContain(t, body, `<tr class="enterprise">`, `class="plan plan-premier"`, `class="prio prio-high"`, "unassigned", "just now")
	_, body = sam.Get(t, "/queue?plan=standard")
	if strings.Contains(body, urgent.Subject) || !strings.Contains(body, std.Subject) {
		t.Error("plan filter")
	}
	mustContain(t, body, `<option value="standard" selected>`)
	if resp, body := sam.Get(t, "/queue?priority=severe"); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Please correct") {
		t.Errorf("bad filter: %d", resp.StatusCode)
	}

	path := "/tickets/" + itoa(urgent.Number)
	resp, body := sam.Post(t, path+"/priority", url.Values{"form": {"priority"}, "priority": {"low"}, "reason": {"short"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("short reason: %d", resp.StatusCode)
	}
	mustContain(t, fieldHTML(t, body, "reason"), "needs more detail", ">\nshort</textarea>")
	mustContain(t, body, `<option value="low" selected>`, "<details open>")
	if resp, _ := sam.Post(t, path+"/priority", url.Values{"form": {"priority"}, "priority": {"low"}, "reason": {"This is a general question with a workaround."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change priority: %d", resp.StatusCode)
	}
	if resp, _ := sam.Post(t, path+"/update", url.Values{"form": {"update"}, "assignee_id": {itoa(e.sam.ID)}, "status": {"open"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %d", resp.StatusCode)
	}
	_, body = sam.Get(t, "/queue?assignee=me")
	mustContain(t, body, urgent.Subject, "was high")

	dev := e.Browser()
	dev.SignIn(t, "dev@acme.test")
	_, body = dev.Get(t, path)
	mustContain(t, body, "originally high", "This is a general question with a workaround.", "Appeal this change")
	if resp, _ := dev.Post(t, path+"/appeal", url.Values{"form": {"appeal"}, "reason": {"Half of our customers cannot pay."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("appeal: %d", resp.StatusCode)
	}
	_, body = dev.Get(t, path)
	mustContain(t, body, "Appeal pending", "Half of our customers cannot pay.")
	if strings.Contains(body, "Appeal this change") {
		t.Error("a second appeal is offered")
	}
	_, body = sam.Get(t, "/queue")
	mustContain(t, body, "Appeal pending")
	resp, body = sam.Post(t, path+"/priority", url.Values{"form": {"priority"}, "priority": {"normal"}, "reason": {"Changing it again meanwhile."}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "decide it first") {
		t.Errorf("change during appeal: %d", resp.StatusCode)
	}
	if resp, _ := sam.Post(t, path+"/appeal/decision", url.Values{"form": {"decide"}, "outcome": {"overturned"}, "note": {"You are right, checkout is production."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("decide: %d", resp.StatusCode)
	}
	_, body = dev.Get(t, path)
	mustContain(t, body, "Appeal overturned", "the priority is back to high", "You are right, checkout is production.", "This decision is final.")
	if strings.Contains(body, "Appeal this change") {
		t.Error("an appeal is offered after the decision")
	}
}
