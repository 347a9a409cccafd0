package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/smtptest"
	"github.com/helpline-dev/helpline/internal/status"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// statusEnv is a Helpline with components: Data (Postgres, Redis) and a
// top-level Dashboard.
type statusEnv struct {
	*apptest.Env
	admin                      account.User
	data, postgres, redis, web status.Component
}

func newStatusEnv(t *testing.T, opts apptest.Options) *statusEnv {
	t.Helper()
	e := &statusEnv{Env: apptest.New(t, opts)}
	e.admin = e.Staff(t, "root@helpline.test", helpline.RoleAdmin)
	e.data = e.component(t, status.ComponentInput{Name: "Data", Group: true})
	e.postgres = e.component(t, status.ComponentInput{Name: "Postgres", GroupID: e.data.ID, Keywords: []string{"database"}})
	e.redis = e.component(t, status.ComponentInput{Name: "Redis", GroupID: e.data.ID})
	e.web = e.component(t, status.ComponentInput{Name: "Dashboard"})
	return e
}

func (e *statusEnv) component(t *testing.T, in status.ComponentInput) status.Component {
	t.Helper()
	in.Status = status.Operational
	c, err := e.App.Status.CreateComponent(context.Background(), e.admin.Actor(""), in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// subscriber reads a subscriber's confirmation and components from the
// database; found is false when it is gone.
func (e *statusEnv) subscriber(t *testing.T, where string, arg any) (id int64, confirmed bool, components []int64, found bool) {
	t.Helper()
	ctx := context.Background()
	var at sql.NullTime
	err := e.App.DB.QueryRowContext(ctx, `SELECT id, confirmed_at FROM status_subscribers WHERE `+where+` = $1`, arg).Scan(&id, &at)
	if err == sql.ErrNoRows {
		return 0, false, nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	rows, err := e.App.DB.QueryContext(ctx, `SELECT component_id FROM status_subscriber_components WHERE subscriber_id = $1 ORDER BY component_id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		components = append(components, c)
	}
	return id, at.Valid, components, true
}

func checkbox(id int64) string { return fmt.Sprintf(`name="component" value="%d"`, id) }

// The whole double opt-in over HTTP: the form, the email the job sends
// over SMTP, the confirmation link (a GET only asks), and unsubscribing by
// the link and by a mail provider's one-click POST.
func TestStatusSubscribeByEmail(t *testing.T) {
	mailServer := smtptest.Start(t)
	mailer, err := notify.NewSMTPMailer(mailServer.URL(), "Helpline <help@helpline.test>")
	if err != nil {
		t.Fatal(err)
	}
	e := newStatusEnv(t, apptest.Options{Mailer: mailer, StartJobs: true})
	anon := e.Browser()

	resp, body := anon.Get(t, "/status/subscribe")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /status/subscribe: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, `<form method="post" action="/status/subscribe"`, `name="email"`, `name="url"`,
		`name="scope" value="all" id="sub-scope-all" checked>`, checkbox(e.data.ID), checkbox(e.postgres.ID), checkbox(e.redis.ID), checkbox(e.web.ID),
		"Postgres", "Redis", "Dashboard")
	if regexp.MustCompile(`-component-\d+" checked`).MatchString(body) {
		t.Error("a component starts ticked")
	}

	// Bad input keeps what was typed and ticked.
	resp, body = anon.Post(t, "/status/subscribe", url.Values{"kind": {"email"}, "email": {"not an address"}, "scope": {"some"}, "component": {itoa(e.redis.ID)}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad email: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, `value="not an address"`, "must be an email address", `name="scope" value="some" id="sub-scope-some" checked>`,
		checkbox(e.redis.ID)+` id="sub-component-`+itoa(e.redis.ID)+`" checked>`)
	resp, body = anon.Post(t, "/status/subscribe", url.Values{"kind": {"email"}, "email": {"fan@example.test"}, "scope": {"some"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no component ticked: %d", resp.StatusCode)
	}
	mustContain(t, body, "tick at least one component", `value="fan@example.test"`)
	if _, _, _, found := e.subscriber(t, "email", "fan@example.test"); found {
		t.Fatal("a refused form subscribed someone")
	}

	// Ticking the Data group subscribes to its components.
	resp, body = anon.Post(t, "/status/subscribe", url.Values{"kind": {"email"}, "email": {"Fan@Example.test"}, "scope": {"some"}, "component": {itoa(e.data.ID)}})
	if resp.StatusCode != 200 {
		t.Fatalf("subscribe: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, "Check your inbox to confirm", "fan@example.test")
	id, confirmed, comps, found := e.subscriber(t, "email", "fan@example.test")
	if !found || confirmed {
		t.Fatalf("after subscribing: found %v, confirmed %v", found, confirmed)
	}
	if fmt.Sprint(comps) != fmt.Sprint([]int64{e.postgres.ID, e.redis.ID}) {
		t.Errorf("components %v, want Postgres and Redis", comps)
	}

	msgs := mailServer.WaitFor(t, 1, 30*time.Second)
	if len(msgs) != 1 || msgs[0].To[0] != "fan@example.test" {
		t.Fatalf("emails %+v; want one to fan@example.test", msgs)
	}
	text := msgs[0].TextBody()
	confirmLink := regexp.MustCompile(`http://\S+/status/confirm/\S+`).FindString(text)
	unsubLink := regexp.MustCompile(`http://\S+/status/unsubscribe/\S+`).FindString(text)
	if confirmLink == "" || unsubLink == "" || !strings.HasPrefix(confirmLink, e.URL) {
		t.Fatalf("links missing in:\n%s", text)
	}
	confirmPath := strings.TrimPrefix(confirmLink, e.URL)
	unsubPath := strings.TrimPrefix(unsubLink, e.URL)

	// A mail scanner opening the link confirms nothing.
	resp, body = anon.Get(t, confirmPath)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", confirmPath, resp.StatusCode)
	}
	mustContain(t, body, `<form method="post" action="`+confirmPath+`">`, "Confirm my subscription")
	if _, confirmed, _, _ := e.subscriber(t, "id", id); confirmed {
		t.Fatal("GET confirmed the subscription")
	}
	resp, body = anon.Post(t, confirmPath, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d\n%s", confirmPath, resp.StatusCode, body)
	}
	mustContain(t, body, "Subscription confirmed", "fan@example.test")
	if _, confirmed, _, _ := e.subscriber(t, "id", id); !confirmed {
		t.Fatal("not confirmed after the POST")
	}
	if resp, _ := anon.Post(t, "/status/confirm/nope", nil); resp.StatusCode != 404 {
		t.Errorf("confirm with a bad token: %d, want 404", resp.StatusCode)
	}

	// Unsubscribing: the GET only asks.
	resp, body = anon.Get(t, unsubPath)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", unsubPath, resp.StatusCode)
	}
	mustContain(t, body, `<form method="post" action="`+unsubPath+`">`)
	if _, _, _, found := e.subscriber(t, "id", id); !found {
		t.Fatal("GET unsubscribed")
	}
	// RFC 8058 one-click, as a mail provider sends it: no cookies, no Origin.
	req, _ := http.NewRequest("POST", e.URL+unsubPath, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("one-click POST: %d", resp.StatusCode)
	}
	if _, _, _, found := e.subscriber(t, "id", id); found {
		t.Fatal("still subscribed after the one-click POST")
	}
	if resp, _ := anon.Post(t, unsubPath, nil); resp.StatusCode != 404 {
		t.Errorf("second unsubscribe: %d, want 404", resp.StatusCode)
	}
}

// A webhook's secret is shown once, with how to check signatures; a
// signed-in user's webhook is theirs to manage.
func TestStatusSubscribeWebhook(t *testing.T) {
	e := newStatusEnv(t, apptest.Options{})
	acme := e.Org(t, "Acme", account.PlanPremier)
	dev := e.Customer(t, "dev@acme.test", acme, account.OrgOwner)
	b := e.Browser()
	b.SignIn(t, "dev@acme.test")

	resp, body := b.Post(t, "/status/subscribe", url.Values{"kind": {"webhook"}, "url": {"ftp://hooks.example.test"}, "scope": {"all"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad URL: %d", resp.StatusCode)
	}
	mustContain(t, body, `value="ftp://hooks.example.test"`, `name="kind" value="webhook" id="kind-webhook" checked>`)

	resp, body = b.Post(t, "/status/subscribe", url.Values{"kind": {"webhook"}, "url": {"https://hooks.example.test/status"}, "scope": {"some"}, "component": {itoa(e.web.ID)}})
	if resp.StatusCode != 200 {
		t.Fatalf("subscribe a webhook: %d\n%s", resp.StatusCode, body)
	}
	var secret string
	if err := e.App.DB.QueryRowContext(context.Background(), `SELECT secret FROM status_subscribers WHERE url = $1`, "https://hooks.example.test/status").Scan(&secret); err != nil {
		t.Fatal(err)
	}
	mustContain(t, body, "Webhook subscribed", `<code id="webhook-secret">`+html.EscapeString(secret)+`</code>`, "X-Helpline-Signature", "X-Helpline-Timestamp", "HMAC-SHA256")
	_, _, comps, _ := e.subscriber(t, "url", "https://hooks.example.test/status")
	if fmt.Sprint(comps) != fmt.Sprint([]int64{e.web.ID}) {
		t.Errorf("components %v, want Dashboard", comps)
	}
	var owner int64
	if err := e.App.DB.QueryRowContext(context.Background(), `SELECT user_id FROM status_subscribers WHERE url = $1`, "https://hooks.example.test/status").Scan(&owner); err != nil || owner != dev.ID {
		t.Fatalf("webhook owner %d (%v), want %d", owner, err, dev.ID)
	}

	// Never shown again.
	for _, path := range []string{"/status/subscribe", "/account/status-subscriptions"} {
		_, body := b.Get(t, path)
		if strings.Contains(body, secret) {
			t.Errorf("%s shows the secret again", path)
		}
	}
	_, body = b.Get(t, "/account/status-subscriptions")
	mustContain(t, body, "https://hooks.example.test/status", "Dashboard")
}

// Signed in, the form starts with the user's address, which needs no
// confirmation; the account page changes components and deletes, and
// nobody else can.
func TestStatusSubscriptionsAccount(t *testing.T) {
	e := newStatusEnv(t, apptest.Options{})
	acme := e.Org(t, "Acme", account.PlanPremier)
	e.Customer(t, "dev@acme.test", acme, account.OrgOwner)
	e.Customer(t, "other@acme.test", acme, account.OrgMember)
	b := e.Browser()
	b.SignIn(t, "dev@acme.test")

	_, body := b.Get(t, "/status/subscribe")
	mustContain(t, body, `value="dev@acme.test"`, `href="/account/status-subscriptions"`)
	resp, body := b.Post(t, "/status/subscribe", url.Values{"kind": {"email"}, "email": {"dev@acme.test"}, "scope": {"all"}})
	if resp.StatusCode != 200 {
		t.Fatalf("subscribe: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, "You are subscribed", "dev@acme.test")
	id, confirmed, comps, found := e.subscriber(t, "email", "dev@acme.test")
	if !found || !confirmed || len(comps) != 0 {
		t.Fatalf("own address: found %v, confirmed %v, components %v", found, confirmed, comps)
	}
	page := "/account/status-subscriptions/" + itoa(id)

	if resp, _ := e.Browser().Get(t, "/account/status-subscriptions"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d, want a redirect to sign in", resp.StatusCode)
	}
	resp, body = b.Get(t, "/account/status-subscriptions")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /account/status-subscriptions: %d", resp.StatusCode)
	}
	mustContain(t, body, "Email to dev@acme.test", "Confirmed", "all components", `action="`+page+`"`, `action="`+page+`/delete"`,
		`name="scope" value="all" id="sub`+itoa(id)+`-scope-all" checked>`)

	// Nothing ticked is refused, keeping the choice.
	resp, body = b.Post(t, page, url.Values{"scope": {"some"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("nothing ticked: %d", resp.StatusCode)
	}
	mustContain(t, body, "tick at least one component", `name="scope" value="some" id="sub`+itoa(id)+`-scope-some" checked>`)

	resp, _ = b.Post(t, page, url.Values{"scope": {"some"}, "component": {itoa(e.redis.ID), itoa(e.web.ID)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	if _, _, comps, _ := e.subscriber(t, "id", id); fmt.Sprint(comps) != fmt.Sprint([]int64{e.redis.ID, e.web.ID}) {
		t.Fatalf("components %v, want Redis and Dashboard", comps)
	}
	_, body = b.Get(t, "/account/status-subscriptions")
	mustContain(t, body, "Your subscription is saved.", "Redis, Dashboard",
		checkbox(e.redis.ID)+` id="sub`+itoa(id)+`-component-`+itoa(e.redis.ID)+`" checked>`)

	// Someone else's subscription is not found.
	other := e.Browser()
	other.SignIn(t, "other@acme.test")
	_, body = other.Get(t, "/account/status-subscriptions")
	if strings.Contains(body, "dev@acme.test") {
		t.Error("another user sees the subscription")
	}
	if resp, _ := other.Post(t, page, url.Values{"scope": {"all"}}); resp.StatusCode != 404 {
		t.Errorf("other user saves: %d, want 404", resp.StatusCode)
	}
	if resp, _ := other.Post(t, page+"/delete", nil); resp.StatusCode != 404 {
		t.Errorf("other user deletes: %d, want 404", resp.StatusCode)
	}

	resp, _ = b.Post(t, page+"/delete", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if _, _, _, found := e.subscriber(t, "id", id); found {
		t.Fatal("still there after deleting")
	}
	_, body = b.Get(t, "/account/status-subscriptions")
	mustContain(t, body, "You have no status subscriptions.")
}

// The notification center: newest first, unread marked, read one or all,
// the unread filter and pages; another user's notice is not found.
func TestNotices(t *testing.T) {
	ctx := context.Background()
	e := newStatusEnv(t, apptest.Options{})
	acme := e.Org(t, "Acme", account.PlanPremier)
	dev := e.Customer(t, "dev@acme.test", acme, account.OrgOwner)
	globex := e.Org(t, "Globex", account.PlanPremier)
	g := e.Customer(t, "ops@globex.test", globex, account.OrgOwner)
	for _, app := range []struct {
		org  int64
		u    account.User
		name string
	}{{acme.ID, dev, "acme-api"}, {globex.ID, g, "globex-web"}} {
		if _, err := e.App.Accounts.CreateApp(ctx, app.u.Actor(""), app.org, account.AppInput{Name: app.name, Region: "eu", Stack: "heroku-24"}); err != nil {
			t.Fatal(err)
		}
	}
	sam := e.Staff(t, "sam@helpline.test", helpline.RoleAgent)
	notice := func(title, app string) {
		t.Helper()
		if _, err := e.App.Status.NotifyOrganizations(ctx, sam.Actor(""), status.TargetInput{Title: title, Body: "Body of " + title, Apps: []string{app}, URL: "/status"}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 31; i++ {
		notice(fmt.Sprintf("Acme notice %02d", i), "acme-api")
	}
	notice("Globex only", "globex-web")

	b := e.Browser()
	if resp, _ := b.Get(t, "/notices"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signed out: %d", resp.StatusCode)
	}
	b.SignIn(t, "dev@acme.test")
	resp, body := b.Get(t, "/notices")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /notices: %d", resp.StatusCode)
	}
	mustContain(t, body, "31 unread", `action="/notices/read"`, "Older →", `<a href="/status">Acme notice 31</a>`, "Body of Acme notice 31")
	if strings.Contains(body, "Globex only") {
		t.Fatal("another organization's notice is listed")
	}
	if strings.Index(body, "Acme notice 31") > strings.Index(body, "Acme notice 30") {
		t.Error("not newest first")
	}
	if strings.Contains(body, "Acme notice 01") {
		t.Error("the first page holds more than a page")
	}
	_, body = b.Get(t, "/notices?offset=30")
	mustContain(t, body, "Acme notice 01", "← Newer")

	ids := noticeIDs(t, e, dev.ID)
	newest := ids[0]
	resp, _ = b.Post(t, "/notices/"+itoa(newest)+"/read", url.Values{"back": {"/notices?unread=1"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/notices?unread=1" {
		t.Fatalf("mark read: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = b.Get(t, "/notices?unread=1")
	mustContain(t, body, "30 unread", "Acme notice 30")
	if strings.Contains(body, "Acme notice 31") {
		t.Error("the unread filter lists a read notice")
	}
	_, body = b.Get(t, "/notices")
	if strings.Contains(body, `action="/notices/`+itoa(newest)+`/read"`) || !strings.Contains(body, `id="notice-`+itoa(newest)+`"`) {
		t.Error("a read notice is still marked unread, or gone from the full list")
	}

	// The back field only ever leads to the notification center.
	resp, _ = b.Post(t, "/notices/"+itoa(ids[1])+"/read", url.Values{"back": {"https://evil.test/notices"}})
	if loc := resp.Header.Get("Location"); loc != "/notices" {
		t.Errorf("redirect to %q", loc)
	}

	// Another user's notice, and one that does not exist, are not found.
	var globexNotice int64
	if err := e.App.DB.QueryRowContext(ctx, `SELECT id FROM user_notices WHERE user_id = $1`, g.ID).Scan(&globexNotice); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{itoa(globexNotice), "999999", "abc"} {
		if resp, _ := b.Post(t, "/notices/"+id+"/read", nil); resp.StatusCode != 404 {
			t.Errorf("mark notice %s read: %d, want 404", id, resp.StatusCode)
		}
	}

	resp, _ = b.Post(t, "/notices/read", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark all read: %d", resp.StatusCode)
	}
	_, body = b.Get(t, "/notices?unread=1")
	mustContain(t, body, "Every notification is marked as read.", "0 unread", "No unread notifications.")
	if strings.Contains(body, `action="/notices/read"`) {
		t.Error("mark all read offered with nothing unread")
	}
	// The other user's stay unread.
	other := e.Browser()
	other.SignIn(t, "ops@globex.test")
	_, body = other.Get(t, "/notices")
	mustContain(t, body, "1 unread", "Globex only")
}

func noticeIDs(t *testing.T, e *statusEnv, userID int64) []int64 {
	t.Helper()
	rows, err := e.App.DB.QueryContext(context.Background(), `SELECT id FROM user_notices WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// A ticket that mentions a component of an active incident shows the
// incident to the customer and to staff, until it is resolved.
func TestTicketIncidentBanner(t *testing.T) {
	ctx := context.Background()
	e := newStatusEnv(t, apptest.Options{})
	acme := e.Org(t, "Acme", account.PlanPremier)
	dev := e.Customer(t, "dev@acme.test", acme, account.OrgOwner)
	e.Staff(t, "sam@helpline.test", helpline.RoleAgent)

	inc, err := e.App.Status.CreateIncident(ctx, e.admin.Actor(""), status.IncidentInput{
		Kind: status.KindIncident, Name: "Postgres connections failing", Status: status.Investigating, Impact: status.ImpactMajor,
		Body: "We are investigating <errors> connecting to Postgres.", Components: []status.ComponentChange{{ComponentID: e.postgres.ID, Status: status.MajorOutage}},
	})
	if err != nil {
		t.Fatal(err)
	}
	open := func(subject string) ticket.Ticket {
		t.Helper()
		tk, err := e.App.Tickets.CreateTicket(ctx, dev.Actor(""), ticket.NewTicket{
			Subject: subject, Description: subject + ", since ten minutes ago.", Priority: ticket.Priority("normal"),
			Environment: ticket.Production, Category: "deploys",
		})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	related := open("Postgres refuses connections")
	unrelated := open("Build cache is stale")

	banner := "This ticket may be related to an ongoing incident"
	customer := e.Browser()
	customer.SignIn(t, "dev@acme.test")
	staff := e.Browser()
	staff.SignIn(t, "sam@helpline.test")
	for who, b := range map[string]*apptest.Browser{"customer": customer, "staff": staff} {
		resp, body := b.Get(t, "/tickets/"+itoa(related.Number))
		if resp.StatusCode != 200 {
			t.Fatalf("%s GET ticket: %d", who, resp.StatusCode)
		}
		mustContain(t, body, banner, `<a href="/incidents/`+itoa(inc.ID)+`"><strong>Postgres connections failing</strong></a>`,
			"We are investigating &lt;errors&gt; connecting to Postgres.")
		_, body = b.Get(t, "/tickets/"+itoa(unrelated.Number))
		if strings.Contains(body, banner) {
			t.Errorf("%s: the unrelated ticket shows the banner", who)
		}
	}

	if _, err := e.App.Status.PostUpdate(ctx, e.admin.Actor(""), inc.ID, status.UpdateInput{Status: status.Identified, Body: "A bad config push; rolling back."}); err != nil {
		t.Fatal(err)
	}
	_, body := customer.Get(t, "/tickets/"+itoa(related.Number))
	mustContain(t, body, "A bad config push; rolling back.")

	if _, err := e.App.Status.PostUpdate(ctx, e.admin.Actor(""), inc.ID, status.UpdateInput{Status: status.Resolved, Body: "Fixed.",
		Components: []status.ComponentChange{{ComponentID: e.postgres.ID, Status: status.Operational}}}); err != nil {
		t.Fatal(err)
	}
	_, body = customer.Get(t, "/tickets/"+itoa(related.Number))
	if strings.Contains(body, banner) {
		t.Error("the banner stays after the incident is resolved")
	}
}
