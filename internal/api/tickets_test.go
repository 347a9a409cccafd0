package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
)

func yes() *bool { b := true; return &b }

func urgentInput() *client.UrgentInput {
	no := false
	return &client.UrgentInput{
		AccessGranted: yes(), UsersAffected: "about 80% of our 20,000 users", BusinessImpact: "checkout is down; we lose orders every minute",
		StepsToReproduce: "open https://shop.example.com and add anything to the cart", SeenInStaging: &no,
		EnvironmentDifferences: "staging runs one dyno and no CDN", StartedAt: "2026-11-23T09:30:00+01:00",
		Logs: "2026-11-24T08:31:02+00:00 heroku[router]: at=error code=H12 desc=\"Request timeout\"", Config: "WEB_CONCURRENCY=2",
		ThirdPartyServices: "Stripe, Cloudflare",
	}
}

const urgentDescription = "Since 08:30 UTC every checkout request times out after 30 seconds with H12 errors; nothing was deployed today."

type ticketEnv struct {
	env                *apptest.Env
	premier, standard  account.Organization
	customer, teammate *client.Client
	outsider, agent    *client.Client
}

func newTicketEnv(t *testing.T) ticketEnv {
	env := apptest.New(t, apptest.Options{})
	te := ticketEnv{env: env}
	te.premier = env.Org(t, "Acme Rockets", account.PlanPremier)
	te.standard = env.Org(t, "Initech", account.PlanStandard)
	if _, err := env.App.Accounts.CreateApp(context.Background(), account.CLI(), te.premier.ID, account.AppInput{Name: "acme-api"}); err != nil {
		t.Fatal(err)
	}
	te.customer = env.Client(t, env.Customer(t, "owner@acme.test", te.premier, account.OrgOwner))
	te.teammate = env.Client(t, env.Customer(t, "dev@acme.test", te.premier, account.OrgMember))
	te.outsider = env.Client(t, env.Customer(t, "peter@initech.test", te.standard, account.OrgOwner))
	te.agent = env.Client(t, env.Staff(t, "agent@helpline.test", helpline.RoleAgent))
	return te
}

func TestTicketLifecycle(t *testing.T) {
	ctx := context.Background()
	te := newTicketEnv(t)

	// An urgent ticket without its start time's zone is refused, per field.
	in := client.NewTicket{Subject: "Checkout down", Description: urgentDescription, Priority: "urgent", App: "acme-api", Environment: "production", Category: "runtime", Urgent: urgentInput()}
	in.Urgent.StartedAt = "2026-11-23 09:30:00"
	in.Urgent.UsersAffected = ""
	_, err := te.customer.CreateTicket(ctx, in)
	e := apiErr(t, err, 422, "invalid")
	if !strings.Contains(e.Fields["urgent.started_at"], "time zone") || e.Fields["urgent.users_affected"] == "" {
		t.Fatalf("fields = %v", e.Fields)
	}
	in.Urgent = urgentInput()
	in.Environment = "staging"
	_, err = te.customer.CreateTicket(ctx, in)
	if e := apiErr(t, err, 422, "invalid"); !strings.Contains(e.Fields["priority"], "production") {
		t.Fatalf("urgent on staging: %v", e.Fields)
	}

	in.Environment = "production"
	in.Description = urgentDescription + " Our DATABASE_URL is postgres://acme:s3cr3t-P4ssw0rd-x9@db.example.com:5432/shop"
	tk, err := te.customer.CreateTicket(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Number < 1001 || tk.Status != "new" || tk.Priority != "urgent" || tk.OriginalPriority != "urgent" || tk.AppName != "acme-api" {
		t.Fatalf("created %+v", tk)
	}
	if tk.Urgent == nil || tk.Urgent.StartedAt.UTC().Format("2006-01-02 15:04:05") != "2026-11-23 08:30:00" || !tk.Urgent.AccessGranted {
		t.Fatalf("urgent details %+v", tk.Urgent)
	}

	// Other organizations cannot see it, and cannot tell it exists.
	_, err = te.outsider.GetTicket(ctx, tk.ID)
	apiErr(t, err, 404, "not_found")
	_, err = te.outsider.AddComment(ctx, tk.ID, "hello?", false)
	apiErr(t, err, 404, "not_found")
	if list, err := te.outsider.ListTickets(ctx, client.TicketFilter{}); err != nil || len(list) != 0 {
		t.Fatalf("outsider lists %d tickets, %v", len(list), err)
	}

	// Internal notes never reach the customer.
	if _, err := te.agent.AddComment(ctx, tk.ID, "Looks like their DB is saturated; check pg:diagnose", true); err != nil {
		t.Fatal(err)
	}
	if _, err := te.agent.AddComment(ctx, tk.ID, "We are looking at it now.", false); err != nil {
		t.Fatal(err)
	}
	_, err = te.customer.AddComment(ctx, tk.ID, "sneaky", true)
	if e := apiErr(t, err, 422, "invalid"); e.Fields["internal"] == "" {
		t.Fatalf("customer internal note: %v", e.Fields)
	}
	seen, err := te.teammate.GetTicket(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen.Comments) != 1 || seen.Comments[0].Internal || strings.Contains(rawTicket(t, te.env, te.teammate.Token, tk.ID), "pg:diagnose") {
		t.Fatalf("customer sees comments %+v", seen.Comments)
	}
	if seen.Status != "open" {
		t.Errorf("status after the first staff reply = %s, want open", seen.Status)
	}

	// Appeal: not before a change; once after; a decision is final.
	_, err = te.customer.Appeal(ctx, tk.ID, "It is really down for everyone, please")
	apiErr(t, err, 409, "conflict")
	_, err = te.customer.ChangePriority(ctx, tk.ID, "high", "customers cannot do this")
	apiErr(t, err, 403, "forbidden")
	lowered, err := te.agent.ChangePriority(ctx, tk.ID, "high", "A workaround exists: scale web dynos to bypass the saturated one.")
	if err != nil || lowered.Priority != "high" || lowered.OriginalPriority != "urgent" || lowered.PriorityReason == "" {
		t.Fatalf("lowered %+v, %v", lowered, err)
	}
	appealed, err := te.customer.Appeal(ctx, tk.ID, "Scaling did not help: every checkout still fails, see the new logs.")
	if err != nil || appealed.AppealState != "pending" {
		t.Fatalf("appeal %+v, %v", appealed, err)
	}
	status, body, _ := raw(t, te.env, te.agent.Token, "GET", "/api/v1/queue?appeal=pending", "", "")
	if status != 200 || !strings.Contains(body, `"appeal_state": "pending"`) {
		t.Fatalf("appeal queue: %d %s", status, body)
	}
	_, err = te.customer.Appeal(ctx, tk.ID, "Second appeal with more words in it")
	apiErr(t, err, 409, "conflict")
	_, err = te.agent.ChangePriority(ctx, tk.ID, "normal", "changing while the appeal is pending")
	apiErr(t, err, 409, "conflict")
	decided, err := te.agent.DecideAppeal(ctx, tk.ID, "overturned", "Confirmed: checkout fails for everyone; back to urgent.")
	if err != nil || decided.AppealState != "overturned" || decided.Priority != "urgent" {
		t.Fatalf("decision %+v, %v", decided, err)
	}
	status, body, _ = raw(t, te.env, te.agent.Token, "GET", "/api/v1/queue?appeal=pending", "", "")
	if status != 200 || strings.Contains(body, `"appeal_state": "pending"`) {
		t.Errorf("appeal queue after the decision: %d %s", status, body)
	}
	if status, _, _ := raw(t, te.env, te.agent.Token, "GET", "/api/v1/queue?appeal=maybe", "", ""); status != 422 {
		t.Errorf("bad appeal filter: %d", status)
	}
	_, err = te.agent.DecideAppeal(ctx, tk.ID, "upheld", "deciding twice is not possible")
	apiErr(t, err, 409, "conflict")
	_, err = te.customer.Appeal(ctx, tk.ID, "One more appeal after the decision")
	apiErr(t, err, 409, "conflict")

	events, err := te.customer.TicketEvents(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	want := "created access_granted status_changed priority_changed appeal_submitted appeal_decided"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("customer's history = %q, want %q", got, want)
	}

	// Sharing: a user of another organization joins through the link.
	url, err := te.customer.Share(ctx, tk.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	token := url[strings.LastIndex(url, "/")+1:]
	if !strings.HasPrefix(url, te.env.URL+"/share/") || len(token) < 20 {
		t.Fatalf("share url %q", url)
	}
	_, err = te.outsider.Share(ctx, tk.ID, false)
	apiErr(t, err, 404, "not_found")
	joined, err := te.outsider.Join(ctx, token)
	if err != nil || joined.ID != tk.ID {
		t.Fatalf("join: %+v, %v", joined, err)
	}
	if _, err := te.outsider.AddComment(ctx, tk.ID, "Joining from Initech: we see the same on our side.", false); err != nil {
		t.Fatalf("participant reply: %v", err)
	}
	_, err = te.outsider.Appeal(ctx, tk.ID, "participants cannot appeal the priority")
	apiErr(t, err, 403, "forbidden")
	rotated, err := te.customer.Share(ctx, tk.ID, true)
	if err != nil || rotated == url {
		t.Fatalf("rotate: %q, %v", rotated, err)
	}
	_, err = te.teammate.Join(ctx, token)
	apiErr(t, err, 404, "not_found")
	if err := te.customer.Unshare(ctx, tk.ID); err != nil {
		t.Fatal(err)
	}
	_, err = te.teammate.Join(ctx, rotated[strings.LastIndex(rotated, "/")+1:])
	apiErr(t, err, 404, "not_found")
}

func rawTicket(t *testing.T, env *apptest.Env, token string, id int64) string {
	t.Helper()
	status, body, _ := raw(t, env, token, "GET", "/api/v1/tickets/"+itoa(id), "", "")
	if status != 200 {
		t.Fatalf("GET ticket: %d %s", status, body)
	}
	return body
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// The queue puts enterprise plans first, then priority, then age.
func TestQueueOrder(t *testing.T) {
	ctx := context.Background()
	te := newTicketEnv(t)
	older, err := te.outsider.CreateTicket(ctx, client.NewTicket{Subject: "Old normal question", Description: "How do I rotate my credentials?", Priority: "normal", Environment: "production"})
	if err != nil {
		t.Fatal(err)
	}
	low, err := te.customer.CreateTicket(ctx, client.NewTicket{Subject: "Premier low", Description: "What is the max slug size?", Priority: "low", Environment: "production"})
	if err != nil {
		t.Fatal(err)
	}
	urgent, err := te.customer.CreateTicket(ctx, client.NewTicket{Subject: "Premier urgent", Description: urgentDescription, Priority: "urgent", App: "acme-api", Environment: "production", Urgent: urgentInput()})
	if err != nil {
		t.Fatal(err)
	}
	q, err := te.agent.Queue(ctx, client.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, tk := range q {
		got = append(got, tk.ID)
	}
	if want := []int64{urgent.ID, low.ID, older.ID}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("queue = %v, want %v", got, want)
	}
	if q, err := te.agent.Queue(ctx, client.TicketFilter{Plan: "standard"}); err != nil || len(q) != 1 || q[0].ID != older.ID {
		t.Fatalf("plan filter: %+v, %v", q, err)
	}
	_, err = te.agent.Queue(ctx, client.TicketFilter{Priority: "critical"})
	if e := apiErr(t, err, 422, "invalid"); e.Fields["priority"] == "" {
		t.Fatalf("bad priority filter: %v", e.Fields)
	}
	_, err = te.customer.Queue(ctx, client.TicketFilter{})
	apiErr(t, err, 403, "forbidden")
	if err := te.agent.Watch(ctx, older.ID, true); err != nil {
		t.Fatalf("watch: %v", err)
	}
	if err := te.agent.Watch(ctx, older.ID, false); err != nil {
		t.Fatalf("unwatch: %v", err)
	}
	apiErr(t, te.customer.Watch(ctx, low.ID, true), 403, "forbidden")
}

func TestAttachmentsAPI(t *testing.T) {
	ctx := context.Background()
	te := newTicketEnv(t)
	tk, err := te.customer.CreateTicket(ctx, client.NewTicket{Subject: "Build fails", Description: "The build fails at the asset step.", Priority: "normal", Environment: "staging"})
	if err != nil {
		t.Fatal(err)
	}
	att, err := te.customer.Attach(ctx, tk.ID, "page.html", strings.NewReader("<html><script>alert(1)</script></html>"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(att.ContentType, "text/html") {
		t.Errorf("sniffed %q", att.ContentType)
	}
	req, _ := http.NewRequest("GET", te.env.URL+"/api/v1/attachments/"+itoa(att.ID), nil)
	req.Header.Set("Authorization", "Bearer "+te.teammate.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(string(body), "<script>") {
		t.Fatalf("download: %d %v", resp.StatusCode, resp.Header)
	}
	req.Header.Set("Authorization", "Bearer "+te.outsider.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("outsider download: %d", resp.StatusCode)
	}
}
