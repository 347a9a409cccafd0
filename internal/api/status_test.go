package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
)

// statusWorld is an app with a customer, an agent and an admin, and a
// Data group holding one component.
type statusWorld struct {
	env                    *apptest.Env
	customer, agent, admin *client.Client
	customerID             int64
	group, postgres        client.StatusComponent
}

func newStatusWorld(t *testing.T) *statusWorld {
	t.Helper()
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme Rockets", account.PlanPremier)
	if _, err := env.App.Accounts.CreateApp(ctx, account.CLI(), org.ID, account.AppInput{Name: "acme-api", Region: "eu", Stack: "heroku-24"}); err != nil {
		t.Fatal(err)
	}
	cust := env.Customer(t, "owner@acme.test", org, account.OrgOwner)
	w := &statusWorld{env: env, customer: env.Client(t, cust), customerID: cust.ID,
		agent: env.Client(t, env.Staff(t, "agent@helpline.test", helpline.RoleAgent)),
		admin: env.Client(t, env.Staff(t, "admin@helpline.test", helpline.RoleAdmin))}
	var err error
	if w.group, err = w.admin.CreateStatusComponent(ctx, client.StatusComponentInput{Name: "Data", Group: true, Status: "operational"}); err != nil {
		t.Fatal(err)
	}
	if w.postgres, err = w.admin.CreateStatusComponent(ctx, client.StatusComponentInput{Name: "Postgres (EU)", GroupID: w.group.ID, Status: "operational",
		Region: "eu", Keywords: []string{"postgres"}}); err != nil {
		t.Fatal(err)
	}
	return w
}

// rawCall sends body as it is, so that tests can send what the client
// would never encode, and returns the API's error (nil on 2xx).
func rawCall(t *testing.T, c *client.Client, method, path, body string) *client.Error {
	t.Helper()
	req, err := http.NewRequest(method, c.BaseURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode < 300 {
		return nil
	}
	var e struct {
		Error client.Error `json:"error"`
	}
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	e.Error.Status = resp.StatusCode
	return &e.Error
}

func wantField(t *testing.T, e *client.Error, status int, field string) {
	t.Helper()
	if e == nil || e.Status != status || e.Fields[field] == "" {
		t.Fatalf("err = %+v, want %d naming %q", e, status, field)
	}
}

func TestStatusComponentsAPI(t *testing.T) {
	ctx := context.Background()
	w := newStatusWorld(t)

	cs, err := w.agent.StatusComponents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].ID != w.group.ID || !cs[0].Group || cs[1].GroupID != w.group.ID || cs[1].Region != "eu" {
		t.Fatalf("components = %+v", cs)
	}
	_, err = w.customer.StatusComponents(ctx)
	apiErr(t, err, 403, "forbidden")
	_, err = client.New(w.env.URL, "").StatusComponents(ctx)
	apiErr(t, err, 401, "unauthorized")

	// Only admins write components.
	_, err = w.agent.CreateStatusComponent(ctx, client.StatusComponentInput{Name: "Dynos", Status: "operational"})
	apiErr(t, err, 403, "forbidden")
	_, err = w.agent.UpdateStatusComponent(ctx, w.postgres.ID, client.StatusComponentInput{Name: "x", Status: "operational"})
	apiErr(t, err, 403, "forbidden")
	apiErr(t, w.agent.DeleteStatusComponent(ctx, w.postgres.ID), 403, "forbidden")

	// Bad input names the field.
	_, err = w.admin.CreateStatusComponent(ctx, client.StatusComponentInput{Name: "Dynos", Status: "on_fire", Region: "mars"})
	if e := apiErr(t, err, 422, "invalid"); e.Fields["status"] == "" || e.Fields["region"] == "" {
		t.Fatalf("fields = %v", e.Fields)
	}
	if e := rawCall(t, w.admin, "POST", "/api/v1/status/components", `{"name": "Dynos",`); e == nil || e.Status != 422 || !strings.Contains(e.Message, "malformed JSON") {
		t.Fatalf("malformed JSON: %+v", e)
	}
	wantField(t, rawCall(t, w.admin, "POST", "/api/v1/status/components", `{"name": "Dynos", "colour": "red"}`), 422, "colour")
	wantField(t, rawCall(t, w.admin, "POST", "/api/v1/status/components", `{"name": "Dynos", "position": "first"}`), 422, "position")

	up, err := w.admin.UpdateStatusComponent(ctx, w.postgres.ID, client.StatusComponentInput{Name: "Postgres (EU)", GroupID: w.group.ID, Status: "degraded_performance", Region: "eu"})
	if err != nil {
		t.Fatal(err)
	}
	if up.Status != "degraded_performance" {
		t.Fatalf("updated = %+v", up)
	}
	_, err = w.admin.UpdateStatusComponent(ctx, 999999, client.StatusComponentInput{Name: "x", Status: "operational"})
	apiErr(t, err, 404, "not_found")
	if e := rawCall(t, w.admin, "PUT", "/api/v1/status/components/abc", `{}`); e == nil || e.Status != 404 {
		t.Fatalf("malformed id: %+v", e)
	}
	apiErr(t, w.admin.DeleteStatusComponent(ctx, 999999), 404, "not_found")
	dynos, err := w.admin.CreateStatusComponent(ctx, client.StatusComponentInput{Name: "Dynos", Status: "operational"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.admin.DeleteStatusComponent(ctx, dynos.ID); err != nil {
		t.Fatal(err)
	}
	if cs, err := w.agent.StatusComponents(ctx); err != nil || len(cs) != 2 {
		t.Fatalf("after delete: %+v, %v", cs, err)
	}
}

func TestIncidentsAPI(t *testing.T) {
	ctx := context.Background()
	w := newStatusWorld(t)

	inc, err := w.agent.CreateIncident(ctx, client.IncidentInput{Name: "Elevated Postgres latency", Status: "investigating", Impact: "minor",
		Body: "We are looking into slow queries.", Components: []client.ComponentChange{{ComponentID: w.postgres.ID, Status: "degraded_performance"}}})
	if err != nil {
		t.Fatal(err)
	}
	if inc.ID == 0 || inc.Kind != "incident" || inc.Status != "investigating" || len(inc.Updates) != 1 || len(inc.Components) != 1 || inc.URL == "" {
		t.Fatalf("incident = %+v", inc)
	}

	// Customers and strangers may not use the operator API.
	_, err = w.customer.CreateIncident(ctx, client.IncidentInput{Name: "x", Body: "y"})
	apiErr(t, err, 403, "forbidden")
	_, _, err = w.customer.ListIncidents(ctx, client.IncidentFilter{})
	apiErr(t, err, 403, "forbidden")
	_, err = w.customer.GetIncident(ctx, inc.ID)
	apiErr(t, err, 403, "forbidden")
	_, err = w.customer.PostIncidentUpdate(ctx, inc.ID, client.IncidentUpdateInput{Status: "resolved", Body: "x"})
	apiErr(t, err, 403, "forbidden")
	_, _, err = client.New(w.env.URL, "").ListIncidents(ctx, client.IncidentFilter{})
	apiErr(t, err, 401, "unauthorized")

	// Bad values, types and times are named by their fields.
	_, err = w.agent.CreateIncident(ctx, client.IncidentInput{Name: "x", Status: "exploding", Impact: "huge", Body: "y"})
	if e := apiErr(t, err, 422, "invalid"); e.Fields["status"] == "" || e.Fields["impact"] == "" {
		t.Fatalf("fields = %v", e.Fields)
	}
	_, err = w.agent.CreateIncident(ctx, client.IncidentInput{Name: "x", Body: "y", Components: []client.ComponentChange{{ComponentID: w.postgres.ID, Status: "melting"}}})
	wantField(t, err.(*client.Error), 422, "components")
	wantField(t, rawCall(t, w.agent, "POST", "/api/v1/status/incidents",
		`{"kind": "maintenance", "name": "Upgrade", "body": "b", "scheduled_for": "tomorrow 10am", "scheduled_until": "2026-05-01T12:00:00Z"}`), 422, "scheduled_for")
	wantField(t, rawCall(t, w.agent, "POST", "/api/v1/status/incidents", `{"name": "x", "body": "y", "notify": "yes"}`), 422, "notify")
	wantField(t, rawCall(t, w.agent, "POST", "/api/v1/status/incidents", `{"name": "x", "body": "y", "severity": "high"}`), 422, "severity")
	wantField(t, rawCall(t, w.agent, "POST", "/api/v1/status/incidents", `{"name": "x", "body": "y", "kind": "outage"}`), 422, "kind")

	// Maintenance takes a window in RFC 3339.
	from := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute)
	until := from.Add(2 * time.Hour)
	m, err := w.agent.CreateIncident(ctx, client.IncidentInput{Kind: "maintenance", Name: "Postgres upgrade", Status: "scheduled", Body: "We upgrade Postgres.",
		ScheduledFor: &from, ScheduledUntil: &until, AutoTransition: true, Components: []client.ComponentChange{{ComponentID: w.postgres.ID, Status: "under_maintenance"}}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != "maintenance" || m.ScheduledFor == nil || !m.ScheduledFor.Equal(from) || !m.AutoTransition {
		t.Fatalf("maintenance = %+v", m)
	}

	list, total, err := w.agent.ListIncidents(ctx, client.IncidentFilter{Kind: "maintenance", State: "upcoming"})
	if err != nil || total != 1 || len(list) != 1 || list[0].ID != m.ID {
		t.Fatalf("upcoming maintenance = %+v (%d), %v", list, total, err)
	}
	list, total, err = w.agent.ListIncidents(ctx, client.IncidentFilter{State: "active"})
	if err != nil || total != 1 || list[0].ID != inc.ID {
		t.Fatalf("active = %+v (%d), %v", list, total, err)
	}
	list, total, err = w.agent.ListIncidents(ctx, client.IncidentFilter{Page: client.Page{Limit: 1}})
	if err != nil || total != 2 || len(list) != 1 {
		t.Fatalf("limit 1 = %+v (%d), %v", list, total, err)
	}
	_, _, err = w.agent.ListIncidents(ctx, client.IncidentFilter{State: "sleeping"})
	wantField(t, err.(*client.Error), 422, "state")
	_, _, err = w.agent.ListIncidents(ctx, client.IncidentFilter{Kind: "outage"})
	wantField(t, err.(*client.Error), 422, "kind")
	wantField(t, rawCall(t, w.agent, "GET", "/api/v1/status/incidents?limit=0", ""), 422, "limit")

	got, err := w.agent.GetIncident(ctx, inc.ID)
	if err != nil || got.Name != inc.Name {
		t.Fatalf("get = %+v, %v", got, err)
	}
	_, err = w.agent.GetIncident(ctx, 999999)
	apiErr(t, err, 404, "not_found")

	// Updates move the incident along; a status of the other kind is named.
	_, err = w.agent.PostIncidentUpdate(ctx, inc.ID, client.IncidentUpdateInput{Status: "in_progress", Body: "x"})
	wantField(t, err.(*client.Error), 422, "status")
	wantField(t, rawCall(t, w.agent, "POST", "/api/v1/status/incidents/"+itoa(inc.ID)+"/updates", `{"status": 3, "body": "x"}`), 422, "status")
	upd, err := w.agent.PostIncidentUpdate(ctx, inc.ID, client.IncidentUpdateInput{Status: "resolved", Body: "Latency is back to normal.",
		Components: []client.ComponentChange{{ComponentID: w.postgres.ID, Status: "operational"}}, Notify: true})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Status != "resolved" || len(upd.Updates) != 2 || upd.Updates[0].Status != "resolved" || upd.ResolvedAt == nil {
		t.Fatalf("resolved = %+v", upd)
	}
	_, err = w.agent.PostIncidentUpdate(ctx, 999999, client.IncidentUpdateInput{Status: "resolved", Body: "x"})
	apiErr(t, err, 404, "not_found")
}

func TestIncidentTicketsAPI(t *testing.T) {
	ctx := context.Background()
	w := newStatusWorld(t)
	inc, err := w.agent.CreateIncident(ctx, client.IncidentInput{Name: "Dyno restarts", Status: "investigating", Impact: "major", Body: "Dynos restart."})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := w.customer.CreateTicket(ctx, client.NewTicket{Subject: "My dynos keep restarting", Description: "Every few minutes my web dynos restart without a reason.",
		Priority: "normal", Environment: "production", Category: "deploys"})
	if err != nil {
		t.Fatal(err)
	}

	_, err = w.customer.LinkIncidentTicket(ctx, inc.ID, tk.ID)
	apiErr(t, err, 403, "forbidden")
	_, err = w.customer.IncidentTickets(ctx, inc.ID)
	apiErr(t, err, 403, "forbidden")
	_, err = w.customer.ReplyToIncidentTickets(ctx, inc.ID, "x")
	apiErr(t, err, 403, "forbidden")

	linked, err := w.agent.LinkIncidentTicket(ctx, inc.ID, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(linked) != 1 || linked[0].TicketID != tk.ID || linked[0].Number != tk.Number {
		t.Fatalf("linked = %+v", linked)
	}
	if again, err := w.agent.LinkIncidentTicket(ctx, inc.ID, tk.ID); err != nil || len(again) != 1 {
		t.Fatalf("linking twice = %+v, %v", again, err)
	}
	_, err = w.agent.LinkIncidentTicket(ctx, inc.ID, 999999)
	apiErr(t, err, 404, "not_found")
	_, err = w.agent.LinkIncidentTicket(ctx, 999999, tk.ID)
	apiErr(t, err, 404, "not_found")
	wantField(t, rawCall(t, w.agent, "POST", "/api/v1/status/incidents/"+itoa(inc.ID)+"/tickets", `{}`), 422, "ticket_id")
	_, err = w.agent.IncidentTickets(ctx, 999999)
	apiErr(t, err, 404, "not_found")

	_, err = w.agent.ReplyToIncidentTickets(ctx, inc.ID, "  ")
	wantField(t, err.(*client.Error), 422, "body")
	n, err := w.agent.ReplyToIncidentTickets(ctx, inc.ID, "We are on it: see the status page.")
	if err != nil || n != 1 {
		t.Fatalf("replied = %d, %v", n, err)
	}
	view, err := w.customer.GetTicket(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range view.Comments {
		found = found || strings.Contains(c.Body, "We are on it")
	}
	if !found {
		t.Fatalf("the customer does not see the reply: %+v", view.Comments)
	}
}

func TestStatusTemplatesAPI(t *testing.T) {
	ctx := context.Background()
	w := newStatusWorld(t)

	in := client.StatusTemplateInput{Name: "Investigating", Kind: "incident", Status: "investigating", Title: "Elevated errors", Body: "We are investigating."}
	_, err := w.agent.CreateStatusTemplate(ctx, in)
	apiErr(t, err, 403, "forbidden")
	tpl, err := w.admin.CreateStatusTemplate(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := w.agent.StatusTemplates(ctx)
	if err != nil || !hasTemplate(ts, tpl.ID, in.Body) {
		t.Fatalf("templates = %+v, %v; want %+v among them", ts, err, tpl)
	}
	_, err = w.customer.StatusTemplates(ctx)
	apiErr(t, err, 403, "forbidden")

	_, err = w.admin.CreateStatusTemplate(ctx, client.StatusTemplateInput{Name: "Bad", Kind: "outage", Body: "x"})
	wantField(t, err.(*client.Error), 422, "kind")
	wantField(t, rawCall(t, w.admin, "POST", "/api/v1/status/templates", `{"id": 7, "name": "x", "body": "y"}`), 422, "id")

	in.Body = "We are still investigating."
	_, err = w.agent.UpdateStatusTemplate(ctx, tpl.ID, in)
	apiErr(t, err, 403, "forbidden")
	up, err := w.admin.UpdateStatusTemplate(ctx, tpl.ID, in)
	if err != nil || up.ID != tpl.ID || up.Body != in.Body {
		t.Fatalf("updated = %+v, %v", up, err)
	}
	_, err = w.admin.UpdateStatusTemplate(ctx, 999999, in)
	apiErr(t, err, 404, "not_found")
	apiErr(t, w.agent.DeleteStatusTemplate(ctx, tpl.ID), 403, "forbidden")
	if err := w.admin.DeleteStatusTemplate(ctx, tpl.ID); err != nil {
		t.Fatal(err)
	}
	if ts, err := w.agent.StatusTemplates(ctx); err != nil || hasTemplate(ts, tpl.ID, in.Body) {
		t.Fatalf("after delete = %+v, %v", ts, err)
	}
	apiErr(t, w.admin.DeleteStatusTemplate(ctx, tpl.ID), 404, "not_found")
}

func hasTemplate(ts []client.StatusTemplate, id int64, body string) bool {
	for _, t := range ts {
		if t.ID == id && t.Body == body {
			return true
		}
	}
	return false
}

func TestSubscriptionsAPI(t *testing.T) {
	ctx := context.Background()
	w := newStatusWorld(t)
	other := w.env.Client(t, w.env.Customer(t, "someone@globex.test", w.env.Org(t, "Globex", account.PlanStandard), account.OrgOwner))

	// Anyone subscribes; an email subscription waits for its confirmation.
	anon, err := client.New(w.env.URL, "").Subscribe(ctx, client.SubscribeInput{Email: "watcher@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	// The answer does not say whether the address was subscribed before.
	if anon.Kind != "email" || anon.Email != "watcher@example.com" || anon.ConfirmedAt != nil || anon.UserID != 0 {
		t.Fatalf("anonymous subscription = %+v", anon)
	}
	// Webhooks are for signed-in users; the signing secret is shown once.
	_, err = client.New(w.env.URL, "").Subscribe(ctx, client.SubscribeInput{URL: "https://hooks.example.com/status"})
	wantField(t, err.(*client.Error), 422, "url")
	hook, err := other.Subscribe(ctx, client.SubscribeInput{URL: "https://hooks.example.com/status"})
	if err != nil || hook.Kind != "webhook" || hook.Secret == "" {
		t.Fatalf("webhook subscription = %+v, %v", hook, err)
	}
	_, err = client.New(w.env.URL, "").Subscribe(ctx, client.SubscribeInput{Email: "not an address"})
	wantField(t, err.(*client.Error), 422, "email")
	wantField(t, rawCall(t, client.New(w.env.URL, ""), "POST", "/api/v1/status/subscriptions", `{"email": "a@example.com", "component_ids": "all"}`), 422, "component_ids")

	// With a token the subscription is the user's.
	mine, err := w.customer.Subscribe(ctx, client.SubscribeInput{Email: "owner@acme.test", ComponentIDs: []int64{w.postgres.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if mine.ID == 0 || mine.UserID != w.customerID || mine.ConfirmedAt == nil || len(mine.ComponentIDs) != 1 {
		t.Fatalf("customer subscription = %+v", mine)
	}
	subs, err := w.customer.StatusSubscriptions(ctx)
	if err != nil || len(subs) != 1 || subs[0].ID != mine.ID {
		t.Fatalf("customer's subscriptions = %+v, %v", subs, err)
	}
	if subs, err := other.StatusSubscriptions(ctx); err != nil || len(subs) != 1 || subs[0].ID != hook.ID || subs[0].Secret != "" {
		t.Fatalf("another customer sees = %+v, %v", subs, err)
	}
	if subs, err := w.agent.StatusSubscriptions(ctx); err != nil || len(subs) != 3 {
		t.Fatalf("staff see = %+v, %v", subs, err)
	}
	_, err = client.New(w.env.URL, "").StatusSubscriptions(ctx)
	apiErr(t, err, 401, "unauthorized")

	// Another user's subscription does not exist for them.
	_, err = other.SetSubscriptionComponents(ctx, mine.ID, nil)
	apiErr(t, err, 404, "not_found")
	apiErr(t, other.DeleteSubscription(ctx, mine.ID), 404, "not_found")

	_, err = w.customer.SetSubscriptionComponents(ctx, mine.ID, []int64{999999})
	wantField(t, err.(*client.Error), 422, "component_ids")
	all, err := w.customer.SetSubscriptionComponents(ctx, mine.ID, nil)
	if err != nil || len(all.ComponentIDs) != 0 {
		t.Fatalf("every component = %+v, %v", all, err)
	}
	if err := w.customer.DeleteSubscription(ctx, mine.ID); err != nil {
		t.Fatal(err)
	}
	apiErr(t, w.customer.DeleteSubscription(ctx, mine.ID), 404, "not_found")
}

func TestNotificationsAndNoticesAPI(t *testing.T) {
	ctx := context.Background()
	w := newStatusWorld(t)
	other := w.env.Client(t, w.env.Customer(t, "someone@globex.test", w.env.Org(t, "Globex", account.PlanStandard), account.OrgOwner))

	in := client.TargetedNotification{Title: "Postgres maintenance in eu", Body: "Expect a short failover.", Region: "eu"}
	_, err := w.customer.NotifyOrganizations(ctx, in)
	apiErr(t, err, 403, "forbidden")
	_, err = w.agent.NotifyOrganizations(ctx, client.TargetedNotification{Title: "x", Region: "mars"})
	wantField(t, err.(*client.Error), 422, "region")
	_, err = w.agent.NotifyOrganizations(ctx, client.TargetedNotification{Title: "x", Apps: []string{"no-such-app"}})
	wantField(t, err.(*client.Error), 422, "apps")
	n, err := w.agent.NotifyOrganizations(ctx, in)
	if err != nil || n != 1 {
		t.Fatalf("organizations = %d, %v", n, err)
	}

	// Notices are their user's only.
	ns, unread, err := w.customer.Notices(ctx, client.NoticeFilter{})
	if err != nil || len(ns) != 1 || unread != 1 || ns[0].Title != in.Title || ns[0].ReadAt != nil {
		t.Fatalf("customer notices = %+v (%d unread), %v", ns, unread, err)
	}
	if ns, unread, err := other.Notices(ctx, client.NoticeFilter{}); err != nil || len(ns) != 0 || unread != 0 {
		t.Fatalf("other customer's notices = %+v (%d), %v", ns, unread, err)
	}
	apiErr(t, other.ReadNotice(ctx, ns[0].ID), 404, "not_found")
	apiErr(t, w.customer.ReadNotice(ctx, 999999), 404, "not_found")
	wantField(t, rawCall(t, w.customer, "GET", "/api/v1/me/notices?unread=maybe", ""), 422, "unread")
	_, _, err = client.New(w.env.URL, "").Notices(ctx, client.NoticeFilter{})
	apiErr(t, err, 401, "unauthorized")

	if err := w.customer.ReadNotice(ctx, ns[0].ID); err != nil {
		t.Fatal(err)
	}
	if ns, unread, err := w.customer.Notices(ctx, client.NoticeFilter{Unread: true}); err != nil || len(ns) != 0 || unread != 0 {
		t.Fatalf("unread after reading = %+v (%d), %v", ns, unread, err)
	}
	if n, err := w.agent.NotifyOrganizations(ctx, client.TargetedNotification{Title: "Second", Apps: []string{"acme-api"}}); err != nil || n != 1 {
		t.Fatalf("by app = %d, %v", n, err)
	}
	if _, unread, err := w.customer.Notices(ctx, client.NoticeFilter{}); err != nil || unread != 1 {
		t.Fatalf("unread = %d, %v", unread, err)
	}
	if err := w.customer.ReadAllNotices(ctx); err != nil {
		t.Fatal(err)
	}
	ns, unread, err = w.customer.Notices(ctx, client.NoticeFilter{})
	if err != nil || len(ns) != 2 || unread != 0 || ns[0].Title != "Second" {
		t.Fatalf("after read-all = %+v (%d), %v", ns, unread, err)
	}
}
