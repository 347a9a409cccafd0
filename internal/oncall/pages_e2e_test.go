package oncall_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/oncall"
	"github.com/helpline-dev/helpline/internal/smtptest"
)

// pagerDutyStub is a local Events API v2 endpoint that checks every event
// field by field, as PagerDuty would, and keeps them.
type pagerDutyStub struct {
	t      *testing.T
	mu     sync.Mutex
	events []map[string]any
}

func (p *pagerDutyStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ev map[string]any
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&ev) != nil {
		p.t.Errorf("PagerDuty got %s %s (%s)", r.Method, r.URL, r.Header.Get("Content-Type"))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	p.events = append(p.events, ev)
	p.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"success","message":"Event processed","dedup_key":"` + fmt.Sprint(ev["dedup_key"]) + `"}`))
}

func (p *pagerDutyStub) got() []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]map[string]any(nil), p.events...)
}

// eventually waits for cond; the timeout bounds a hung test, it asserts
// nothing about speed.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type e2e struct {
	env      *apptest.Env
	customer account.User
	agent    account.User
	backup   account.User
	app      account.App
}

func newE2E(t *testing.T, mailer notify.Mailer, pdURL string) *e2e {
	env := apptest.New(t, apptest.Options{Mailer: mailer, StartJobs: true, RetryPolicy: apptest.FastRetry{Delay: 100 * time.Millisecond},
		Env: map[string]string{"HELPLINE_PAGERDUTY_URL": pdURL, "HELPLINE_MAIL_FROM": "Helpline <support@help.example.com>"}})
	org := env.Org(t, "Acme", account.PlanPremier)
	x := &e2e{env: env, customer: env.Customer(t, "owner@acme.test", org, account.OrgOwner),
		agent: env.Staff(t, "agent@helpline.test", helpline.RoleAgent), backup: env.Staff(t, "backup@helpline.test", helpline.RoleAgent)}
	var err error
	if x.app, err = env.App.Accounts.CreateApp(context.Background(), account.CLI(), org.ID, account.AppInput{Name: "acme-shop"}); err != nil {
		t.Fatal(err)
	}
	return x
}

// configure inserts a policy paging agent, then backup after 5 minutes,
// and the agent's contact methods.
func (x *e2e) configure(t *testing.T, methods ...[3]string) {
	ctx, d := context.Background(), x.env.App.DB
	now := time.Now().UTC()
	var pid, l0, l1 int64
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.QueryRowContext(ctx, `INSERT INTO escalation_policies (name, repeats, pages_urgent, created_at, updated_at) VALUES ('Support', 0, TRUE, $1, $1) RETURNING id`, now).Scan(&pid))
	must(d.QueryRowContext(ctx, `INSERT INTO escalation_levels (policy_id, position, delay_minutes) VALUES ($1, 0, 5) RETURNING id`, pid).Scan(&l0))
	must(d.QueryRowContext(ctx, `INSERT INTO escalation_levels (policy_id, position, delay_minutes) VALUES ($1, 1, 5) RETURNING id`, pid).Scan(&l1))
	_, err := d.ExecContext(ctx, `INSERT INTO escalation_targets (level_id, user_id) VALUES ($1, $2), ($3, $4)`, l0, x.agent.ID, l1, x.backup.ID)
	must(err)
	for _, m := range methods {
		_, err := d.ExecContext(ctx, `INSERT INTO contact_methods (user_id, kind, label, address, secret, created_at) VALUES ($1, $2, '', $3, $4, $5)`, x.agent.ID, m[0], m[1], m[2], now)
		must(err)
	}
}

func (x *e2e) openUrgent(t *testing.T) oncall.Page {
	t.Helper()
	tk, err := x.env.App.Tickets.CreateTicket(context.Background(), x.customer.Actor(""), urgentTicket("Checkout is down", x.app))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := x.env.App.Oncall.FindPages(context.Background(), x.agent.Actor(""), oncall.PageFilter{TicketID: tk.ID})
	if err != nil || len(ps) != 1 {
		t.Fatalf("pages of the urgent ticket: %v, %v", ps, err)
	}
	return ps[0]
}

// later is a second process whose clock is an hour ahead: it runs
// escalation as the periodic job will once the delay has passed.
func (x *e2e) later() *oncall.Service {
	return oncall.NewService(x.env.App.DB, x.env.App.Accounts, oncall.Options{
		Now: func() time.Time { return time.Now().Add(time.Hour) }, Jobs: x.env.App.Jobs, BaseURL: x.env.URL})
}

func TestPagingEndToEnd(t *testing.T) {
	ctx := context.Background()
	mail := smtptest.Start(t)
	pd := &pagerDutyStub{t: t}
	pdSrv := httptest.NewServer(pd)
	defer pdSrv.Close()
	mailer, err := notify.NewSMTPMailer("smtp://"+mail.Addr()+"?tls=none", "Helpline <support@help.example.com>")
	if err != nil {
		t.Fatal(err)
	}
	x := newE2E(t, mailer, pdSrv.URL)
	x.configure(t, [3]string{"email", "agent-phone@helpline.test", ""}, [3]string{"pagerduty", "R0UTINGKEY0123456789ABCDEF012345", ""})
	p := x.openUrgent(t)

	// The email arrives with the acknowledge link.
	msgs := mail.WaitFor(t, 1, time.Minute)
	m := msgs[0]
	if m.To[0] != "agent-phone@helpline.test" || m.Header("Subject") != fmt.Sprintf("[Page] #%d Checkout is down", p.TicketNumber) {
		t.Errorf("email to %v, subject %q", m.To, m.Header("Subject"))
	}
	link := regexp.MustCompile(regexp.QuoteMeta(x.env.URL) + `/pages/ack/[a-z0-9]+`).FindString(m.TextBody())
	if link == "" || !strings.Contains(m.TextBody(), fmt.Sprintf("%s/tickets/%d", x.env.URL, p.TicketNumber)) {
		t.Fatalf("email without the acknowledge and ticket links:\n%s", m.TextBody())
	}

	// PagerDuty gets the trigger, field by field.
	eventually(t, "the PagerDuty trigger", func() bool { return len(pd.got()) >= 1 })
	ev := pd.got()[0]
	payload, _ := ev["payload"].(map[string]any)
	details, _ := payload["custom_details"].(map[string]any)
	links, _ := ev["links"].([]any)
	host := strings.TrimPrefix(x.env.URL, "http://")
	checks := map[string][2]any{
		"routing_key":            {ev["routing_key"], "R0UTINGKEY0123456789ABCDEF012345"},
		"event_action":           {ev["event_action"], "trigger"},
		"dedup_key":              {ev["dedup_key"], p.DedupKey},
		"payload.summary":        {payload["summary"], fmt.Sprintf("#%d Checkout is down (Acme, Premier)", p.TicketNumber)},
		"payload.source":         {payload["source"], host},
		"payload.severity":       {payload["severity"], "critical"},
		"payload.timestamp":      {payload["timestamp"], p.TriggeredAt.Format(time.RFC3339)},
		"payload.component":      {payload["component"], "acme-shop"},
		"custom_details.ticket":  {details["ticket"], float64(p.TicketNumber)},
		"custom_details.plan":    {details["plan"], "premier"},
		"custom_details.reason":  {details["reason"], "urgent_ticket"},
		"custom_details.page_id": {details["page_id"], float64(p.ID)},
		"client":                 {ev["client"], "Helpline"},
		"client_url":             {ev["client_url"], fmt.Sprintf("%s/pages/%d", x.env.URL, p.ID)},
	}
	for field, c := range checks {
		if c[0] != c[1] {
			t.Errorf("PagerDuty %s = %v, want %v", field, c[0], c[1])
		}
	}
	if _, err := time.Parse(time.RFC3339, fmt.Sprint(payload["timestamp"])); err != nil {
		t.Errorf("timestamp is not RFC 3339: %v", err)
	}
	if len(links) != 2 {
		t.Fatalf("links = %v", links)
	}
	l0, _ := links[0].(map[string]any)
	l1, _ := links[1].(map[string]any)
	if l0["href"] != fmt.Sprintf("%s/tickets/%d", x.env.URL, p.TicketNumber) || l0["text"] == "" ||
		!strings.HasPrefix(fmt.Sprint(l1["href"]), x.env.URL+"/pages/ack/") || l1["text"] == "" {
		t.Errorf("links = %v", links)
	}

	// Following the link: GET only shows the buttons…
	path := strings.TrimPrefix(link, x.env.URL)
	b := x.env.Browser()
	resp, body := b.Get(t, path)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `value="acknowledge"`) || !strings.Contains(body, "Checkout is down") {
		t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, body)
	}
	if got, _ := x.env.App.Oncall.FindPageByID(ctx, x.agent.Actor(""), p.ID); got.Status != oncall.StatusTriggered {
		t.Fatal("opening the link changed the page")
	}
	// …and the POST acknowledges, as the person it was sent to, signed out.
	resp, body = b.Post(t, path, url.Values{"action": {"acknowledge"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST %s: %d\n%s", path, resp.StatusCode, body)
	}
	got, err := x.env.App.Oncall.FindPageByID(ctx, x.agent.Actor(""), p.ID)
	if err != nil || got.Status != oncall.StatusAcknowledged || got.AcknowledgedBy == nil || *got.AcknowledgedBy != x.agent.ID {
		t.Fatalf("page after acknowledging = %+v, %v", got, err)
	}
	if resp, _ := b.Get(t, "/pages/ack/"+strings.Repeat("a", 52)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown token: %d, want 404", resp.StatusCode)
	}

	// An hour later the level has long timed out, but nothing escalates.
	if n, err := x.later().Escalate(ctx); err != nil || n != 0 {
		t.Errorf("Escalate after acknowledgement = %d, %v", n, err)
	}
	// PagerDuty hears of the acknowledgement.
	eventually(t, "the PagerDuty acknowledge", func() bool { return len(pd.got()) >= 2 })
	ack := pd.got()[1]
	if ack["event_action"] != "acknowledge" || ack["dedup_key"] != p.DedupKey || ack["routing_key"] != "R0UTINGKEY0123456789ABCDEF012345" || ack["payload"] != nil {
		t.Errorf("acknowledge event = %v", ack)
	}
	ds, err := x.env.App.Oncall.FindDeliveries(ctx, x.agent.Actor(""), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.UserName != "agent" {
			t.Errorf("delivered to %s after the acknowledgement", d.UserName)
		}
	}
	if n := len(mail.Messages()); n != 1 {
		t.Errorf("%d emails, want only the page", n)
	}
}

// webhookStub is a receiver that is down (503) for its first answers,
// and checks the signature of every request.
type webhookStub struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	down   int
	got    []oncall.WebhookPayload
	tries  int
}

func (s *webhookStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body := make([]byte, 0, 1024)
	buf := make([]byte, 1024)
	for {
		n, err := r.Body.Read(buf)
		body = append(body, buf[:n]...)
		if err != nil {
			break
		}
	}
	ts := r.Header.Get("X-Helpline-Timestamp")
	if sig := r.Header.Get("X-Helpline-Signature"); sig != oncall.SignWebhook(s.secret, ts, body) || ts == "" {
		s.t.Errorf("bad signature %q for timestamp %q", sig, ts)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tries++
	if s.down > 0 {
		s.down--
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	var p oncall.WebhookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		s.t.Errorf("webhook body: %v", err)
	}
	s.got = append(s.got, p)
	w.WriteHeader(http.StatusNoContent)
}

func (s *webhookStub) received() []oncall.WebhookPayload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]oncall.WebhookPayload(nil), s.got...)
}

func TestPagingWebhookOutage(t *testing.T) {
	ctx := context.Background()
	hook := &webhookStub{t: t, secret: "whsec_test", down: 3}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	x := newE2E(t, nil, "http://127.0.0.1:1/unused")
	x.configure(t, [3]string{"webhook", srv.URL + "/hooks/helpline", "whsec_test"})
	p := x.openUrgent(t)

	eventually(t, "the webhook after its outage", func() bool { return len(hook.received()) >= 1 })
	wp := hook.received()[0]
	if wp.Event != "trigger" || wp.Page.ID != p.ID || wp.Page.Status != "triggered" || wp.Page.Ticket == nil || wp.Page.Ticket.Number != p.TicketNumber ||
		!strings.HasPrefix(wp.Page.AcknowledgeURL, x.env.URL+"/pages/ack/") {
		t.Errorf("webhook payload = %+v", wp)
	}
	var d oncall.Delivery
	eventually(t, "the delivery log", func() bool {
		ds, err := x.env.App.Oncall.FindDeliveries(ctx, x.agent.Actor(""), p.ID)
		if err != nil || len(ds) != 1 {
			return false
		}
		d = ds[0]
		return d.Status == oncall.DeliveryDelivered
	})
	if d.Attempts != 4 || d.DeliveredAt == nil || d.ResponseStatus == nil || *d.ResponseStatus != http.StatusNoContent {
		t.Errorf("delivery = %+v, want delivered on the 4th attempt", d)
	}
	// Resolving through the API tells the webhook.
	c := x.env.Client(t, x.agent)
	if _, err := c.ResolvePage(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the resolve event", func() bool { return len(hook.received()) >= 2 })
	if wp := hook.received()[1]; wp.Event != "resolve" || wp.Page.Status != "resolved" || wp.Page.AcknowledgeURL != "" {
		t.Errorf("resolve payload = %+v", wp)
	}
}
