package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
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

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func TestAccessControl(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	acme := env.Org(t, "Acme", account.PlanPremier)
	other := env.Org(t, "Other", account.PlanFree)
	env.Customer(t, "dev@acme.test", acme, account.OrgMember)
	env.Staff(t, "agent@helpline.test", helpline.RoleAgent)

	anon := env.Browser()
	resp, _ := anon.Get(t, "/account")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin?next=%2Faccount" {
		t.Fatalf("anonymous /account: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	customer := env.Browser()
	customer.SignIn(t, "dev@acme.test")
	for path, status := range map[string]int{
		"/orgs/" + itoa(acme.ID):  200,
		"/orgs/" + itoa(other.ID): 404, // another organization: not found, never forbidden
		"/orgs/nope":              404,
		"/admin/orgs":             403,
		"/admin/users":            403,
		"/admin/audit":            403,
		"/no/such/page":           404,
	} {
		if resp, _ := customer.Get(t, path); resp.StatusCode != status {
			t.Errorf("customer GET %s: %d, want %d", path, resp.StatusCode, status)
		}
	}
	// A plain member cannot register apps.
	if resp, _ := customer.Post(t, "/orgs/"+itoa(acme.ID)+"/apps", url.Values{"form": {"app"}, "name": {"acme-api"}}); resp.StatusCode != 403 {
		t.Errorf("member registering an app: %d, want 403", resp.StatusCode)
	}

	agent := env.Browser()
	agent.SignIn(t, "agent@helpline.test")
	if resp, body := agent.Get(t, "/admin/orgs"); resp.StatusCode != 200 || !strings.Contains(body, "Other") {
		t.Errorf("agent /admin/orgs: %d", resp.StatusCode)
	}
	if resp, _ := agent.Post(t, "/admin/orgs", url.Values{"name": {"New"}, "plan": {"free"}}); resp.StatusCode != 403 {
		t.Errorf("agent creating an org: %d, want 403", resp.StatusCode)
	}
	if resp, _ := agent.Get(t, "/admin/audit"); resp.StatusCode != 403 {
		t.Errorf("agent /admin/audit: %d, want 403", resp.StatusCode)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// Forms come back filled in, with each error next to its field.
func TestAdminFormsKeepInput(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	env.Staff(t, "root@helpline.test", helpline.RoleAdmin)
	env.Org(t, "Acme", account.PlanStandard)
	b := env.Browser()
	b.SignIn(t, "root@helpline.test")

	resp, body := b.Post(t, "/admin/orgs", url.Values{"name": {"ACME"}, "plan": {"premier"}})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("duplicate org: %d", resp.StatusCode)
	}
	mustContain(t, body, `value="ACME"`, `<option value="premier" selected>`, "Name is already taken")

	resp, body = b.Post(t, "/admin/users", url.Values{"kind": {"customer"}, "name": {"Zoë <b>"}, "email": {"zoe@"}, "password": {"short"}, "organization_id": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad user: %d", resp.StatusCode)
	}
	mustContain(t, body, `value="Zoë &lt;b&gt;"`, `value="zoe@"`, "Email must be an email address", "Password must be at least 10 characters", "pick an organization")
	if strings.Contains(body, `value="short"`) {
		t.Error("the password was echoed back")
	}

	resp, _ = b.Post(t, "/admin/orgs", url.Values{"name": {"Globex"}, "plan": {"enterprise"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/orgs/") {
		t.Fatalf("create org: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = b.Get(t, resp.Header.Get("Location"))
	mustContain(t, body, "Organization Globex created.", "Globex", "Enterprise")

	_, body = b.Get(t, "/admin/audit?action=organization.created")
	mustContain(t, body, "organization.created", "root@helpline.test", "name=Globex")
}

func TestCrossOriginFormRefused(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	env.Staff(t, "root@helpline.test", helpline.RoleAdmin)
	b := env.Browser()
	b.SignIn(t, "root@helpline.test")
	req, _ := http.NewRequest("POST", env.URL+"/admin/orgs", strings.NewReader("name=Evil&plan=free"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d, want 403", resp.StatusCode)
	}
	orgs, _ := env.App.Accounts.FindOrganizations(context.Background(), account.CLI(), helpline.Page{})
	if len(orgs) != 0 {
		t.Fatalf("cross-site POST created %+v", orgs)
	}
}

func TestSessionCookieAndHeaders(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme", account.PlanFree)
	env.Customer(t, "dev@acme.test", org, account.OrgMember)
	b := env.Browser()
	resp, _ := b.Post(t, "/signin", url.Values{"email": {"DEV@acme.test"}, "password": {apptest.Password}, "next": {"//evil.example/"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("sign-in: %d → %q (open redirect must fall back to /)", resp.StatusCode, resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "helpline_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.MaxAge <= 0 {
		t.Fatalf("session cookie %+v", session)
	}
	resp, _ = b.Get(t, "/")
	h := resp.Header
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Request-ID") == "" {
		t.Errorf("headers %v", h)
	}
	// Signing out ends the session on the server, not just in the browser.
	if resp, _ := b.Post(t, "/signout", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	if _, err := env.App.Accounts.FindSession(context.Background(), session.Value); helpline.KindOf(err) != helpline.KindUnauthorized {
		t.Fatalf("session after sign-out: %v", err)
	}
}

func TestSignInThrottled(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme", account.PlanFree)
	env.Customer(t, "dev@acme.test", org, account.OrgMember)
	b := env.Browser()
	for i := 0; i < 5; i++ {
		if resp, _ := b.Post(t, "/signin", url.Values{"email": {"dev@acme.test"}, "password": {"wrong password"}}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body := b.Post(t, "/signin", url.Values{"email": {"dev@acme.test"}, "password": {apptest.Password}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("6th attempt: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	mustContain(t, body, "Too many failed sign-ins", `value="dev@acme.test"`)
}

func TestFirstRunSetup(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	secret, err := env.App.Accounts.NewSetupToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b := env.Browser()
	if resp, _ := b.Get(t, "/setup?token=wrong"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("setup with a wrong token: %d", resp.StatusCode)
	}
	resp, body := b.Post(t, "/setup", url.Values{"token": {secret}, "name": {"Ada"}, "email": {"ada@example.com"}, "password": {"short"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("short password: %d", resp.StatusCode)
	}
	mustContain(t, body, `value="ada@example.com"`, `value="`+secret+`"`)
	resp, _ = b.Post(t, "/setup", url.Values{"token": {secret}, "name": {"Ada"}, "email": {"ada@example.com"}, "password": {apptest.Password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup: %d", resp.StatusCode)
	}
	b.SignIn(t, "ada@example.com")
	if resp, _ := b.Get(t, "/admin/users"); resp.StatusCode != 200 {
		t.Fatalf("the first user is not an admin: %d", resp.StatusCode)
	}
	if resp, _ := b.Get(t, "/setup?token="+secret); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("setup link reused: %d", resp.StatusCode)
	}
}

func TestCreateTokenShownOnce(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme", account.PlanFree)
	env.Customer(t, "dev@acme.test", org, account.OrgMember)
	b := env.Browser()
	b.SignIn(t, "dev@acme.test")
	resp, body := b.Post(t, "/account/tokens", url.Values{"name": {"laptop CLI"}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create token: %d", resp.StatusCode)
	}
	secret := regexp.MustCompile(`<code id="new-token">(hlp_[a-z0-9]+)</code>`).FindStringSubmatch(body)
	if secret == nil {
		t.Fatalf("no token on the page")
	}
	if _, err := env.App.Accounts.AuthenticateToken(context.Background(), secret[1]); err != nil {
		t.Fatalf("the shown token does not work: %v", err)
	}
	_, body = b.Get(t, "/account")
	if strings.Contains(body, secret[1]) {
		t.Fatal("the secret is shown again")
	}
	mustContain(t, body, "laptop CLI", html.EscapeString(secret[1][:10]))
}

// The whole reset: the form queues a River job, the job sends a real email
// over SMTP, the link in it sets a new password.
func TestPasswordResetByEmail(t *testing.T) {
	mailServer := smtptest.Start(t)
	mailer, err := notify.NewSMTPMailer(mailServer.URL(), "Helpline <help@helpline.test>")
	if err != nil {
		t.Fatal(err)
	}
	env := apptest.New(t, apptest.Options{Mailer: mailer, StartJobs: true})
	org := env.Org(t, "Acme", account.PlanFree)
	env.Customer(t, "dev@acme.test", org, account.OrgMember)
	b := env.Browser()

	resp, body := b.Post(t, "/password/forgot", url.Values{"email": {"nobody@acme.test"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "a reset link is on its way") {
		t.Fatalf("unknown email: %d", resp.StatusCode)
	}
	resp, body = b.Post(t, "/password/forgot", url.Values{"email": {"Dev@Acme.test"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "a reset link is on its way") {
		t.Fatalf("forgot: %d", resp.StatusCode)
	}
	msgs := mailServer.WaitFor(t, 1, 30*time.Second)
	if len(msgs) != 1 || msgs[0].To[0] != "dev@acme.test" {
		t.Fatalf("emails %+v; want one to dev@acme.test (none to the unknown address)", msgs)
	}
	link := regexp.MustCompile(`http://\S+/password/reset\?token=\S+`).FindString(msgs[0].TextBody())
	if link == "" || !strings.HasPrefix(link, env.URL) {
		t.Fatalf("no reset link in:\n%s", msgs[0].TextBody())
	}
	u, _ := url.Parse(link)
	token := u.Query().Get("token")

	if resp, _ := b.Get(t, "/password/reset?token="+url.QueryEscape(token)); resp.StatusCode != 200 {
		t.Fatalf("reset form: %d", resp.StatusCode)
	}
	resp, body = b.Post(t, "/password/reset", url.Values{"token": {token}, "password": {"a new long password"}, "confirm": {"a different one"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "does not match") {
		t.Fatalf("mismatched confirm: %d", resp.StatusCode)
	}
	resp, _ = b.Post(t, "/password/reset", url.Values{"token": {token}, "password": {"a new long password"}, "confirm": {"a new long password"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if resp, _ := b.Post(t, "/signin", url.Values{"email": {"dev@acme.test"}, "password": {"a new long password"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in with the new password: %d", resp.StatusCode)
	}
	if resp, _ := b.Post(t, "/password/reset", url.Values{"token": {token}, "password": {"yet another password"}, "confirm": {"yet another password"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("link reused: %d", resp.StatusCode)
	}
}

// Owners add members to their organization; an admin adds an existing user
// to a second organization with just the email.
func TestAddMembers(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	env.Staff(t, "root@helpline.test", helpline.RoleAdmin)
	acme := env.Org(t, "Acme", account.PlanPremier)
	globex := env.Org(t, "Globex", account.PlanEnterprise)
	env.Customer(t, "owner@acme.test", acme, account.OrgOwner)

	owner := env.Browser()
	owner.SignIn(t, "owner@acme.test")
	path := "/orgs/" + itoa(acme.ID) + "/members"
	resp, body := owner.Post(t, path, url.Values{"form": {"member"}, "name": {"New Dev"}, "email": {"new@acme.test"}, "password": {"x"}, "role": {"member"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("short password: %d", resp.StatusCode)
	}
	mustContain(t, body, `value="new@acme.test"`, `value="New Dev"`, "Password must be at least 10 characters")
	if resp, _ := owner.Post(t, path, url.Values{"form": {"member"}, "name": {"New Dev"}, "email": {"new@acme.test"}, "password": {apptest.Password}, "role": {"member"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("owner adds a member: %d", resp.StatusCode)
	}
	// Not in someone else's organization.
	if resp, _ := owner.Post(t, "/orgs/"+itoa(globex.ID)+"/members", url.Values{"form": {"member"}, "name": {"X"}, "email": {"x@acme.test"}, "password": {apptest.Password}, "role": {"member"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("owner adding to another org: %d", resp.StatusCode)
	}

	admin := env.Browser()
	admin.SignIn(t, "root@helpline.test")
	if resp, _ := admin.Post(t, "/orgs/"+itoa(globex.ID)+"/members", url.Values{"form": {"member"}, "email": {"New@Acme.test"}, "role": {"owner"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin adds an existing user: %d", resp.StatusCode)
	}
	u, err := env.App.Accounts.FindUserByEmail(context.Background(), account.CLI(), "new@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := env.App.Accounts.FindMemberships(context.Background(), u.ID)
	if err != nil || len(ms) != 2 || ms[0].Org.Name != "Acme" || ms[0].Role != account.OrgMember || ms[1].Org.Name != "Globex" || ms[1].Role != account.OrgOwner {
		t.Fatalf("memberships %+v, %v", ms, err)
	}
}

// Staff watch a ticket from its page; customers cannot.
func TestWatchTicketPage(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme", account.PlanFree)
	owner := env.Customer(t, "owner@acme.test", org, account.OrgOwner)
	env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	tk, err := env.App.Tickets.CreateTicket(ctx, owner.Actor(""), ticket.NewTicket{Subject: "Slow", Description: "Responses are slow in the EU.", Priority: ticket.Normal, Environment: "production"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/tickets/" + itoa(tk.Number)
	staff := env.Browser()
	staff.SignIn(t, "agent@helpline.test")
	_, body := staff.Get(t, path)
	mustContain(t, body, "Nobody is watching this ticket.", `id="watch">Watch</button>`)
	if resp, _ := staff.Post(t, path+"/watch", url.Values{"on": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("watch: %d", resp.StatusCode)
	}
	_, body = staff.Get(t, path)
	mustContain(t, body, "Watching: agent.", "Stop watching", "customer replies come to you by email")
	customer := env.Browser()
	customer.SignIn(t, "owner@acme.test")
	if resp, _ := customer.Post(t, path+"/watch", url.Values{"on": {"1"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("customer watching: %d", resp.StatusCode)
	}
}

// The queue says how many appeals wait and lists just those on request.
func TestQueueAppealsBanner(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme", account.PlanPremier)
	owner := env.Customer(t, "owner@acme.test", org, account.OrgOwner)
	agent := env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	var appealed ticket.Ticket
	for _, subject := range []string{"Appealed one", "Quiet one"} {
		tk, err := env.App.Tickets.CreateTicket(ctx, owner.Actor(""), ticket.NewTicket{Subject: subject, Description: "Something is slow in production.", Priority: ticket.High, Environment: "production"})
		if err != nil {
			t.Fatal(err)
		}
		if appealed.ID == 0 {
			appealed = tk
		}
	}
	if _, err := env.App.Tickets.ChangePriority(ctx, agent.Actor(""), appealed.ID, ticket.Normal, "Production works; a feature is impaired."); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Tickets.Appeal(ctx, owner.Actor(""), appealed.ID, "Checkout is part of production and it is impaired."); err != nil {
		t.Fatal(err)
	}
	b := env.Browser()
	b.SignIn(t, "agent@helpline.test")
	_, body := b.Get(t, "/queue")
	mustContain(t, body, "1 priority appeal waits for a decision.", `href="/queue?appeal=pending"`, "Quiet one")
	_, body = b.Get(t, "/queue?appeal=pending")
	mustContain(t, body, "Showing only the appeals waiting for a decision.", "Appealed one", `name="appeal" value="pending"`)
	if strings.Contains(body, "Quiet one") {
		t.Error("the appeals view lists a ticket without an appeal")
	}
}
