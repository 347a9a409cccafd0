package oncall_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/oncall"
)

// pageReceiver is an HTTP endpoint that answers with the statuses it is
// given, in turn (the last one forever), and keeps what it was sent.
type pageReceiver struct {
	mu       sync.Mutex
	statuses []int
	bodies   [][]byte
	headers  []http.Header
}

func (r *pageReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.bodies = append(r.bodies, body)
	r.headers = append(r.headers, req.Header.Clone())
	status := http.StatusAccepted
	if len(r.statuses) > 0 {
		status = r.statuses[0]
		if len(r.statuses) > 1 {
			r.statuses = r.statuses[1:]
		}
	}
	r.mu.Unlock()
	w.WriteHeader(status)
}

func (r *pageReceiver) received() ([][]byte, []http.Header) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...), append([]http.Header(nil), r.headers...)
}

type captureMailer struct {
	mu   sync.Mutex
	msgs []notify.Message
	err  error
}

func (m *captureMailer) Send(ctx context.Context, msg notify.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.msgs = append(m.msgs, msg)
	return nil
}

func TestDeliverySenders(t *testing.T) {
	pd := &pageReceiver{statuses: []int{503, 202}}
	pdSrv := httptest.NewServer(pd)
	defer pdSrv.Close()
	hook := &pageReceiver{}
	hookSrv := httptest.NewServer(hook)
	defer hookSrv.Close()

	e := newPageEnv(t, oncall.Options{PagerDutyURL: pdSrv.URL})
	e.method(e.agent.UserID, "email", "agent-phone@helpline.test", "")
	e.method(e.agent.UserID, "pagerduty", "R0UTING", "")
	e.method(e.agent.UserID, "webhook", hookSrv.URL, "whsec")
	e.policy("Support", true, 0, pageLevel{delay: 10, users: []int64{e.agent.UserID}})
	tk := e.open(e.customer, urgentTicket("Checkout <b>down</b>", e.app))
	p := e.pagesOf(tk.ID)[0]
	jobs := e.jobs.take()
	if len(jobs) != 3 {
		t.Fatalf("%d jobs", len(jobs))
	}
	mailer := &captureMailer{}
	for _, j := range jobs {
		err := e.svc.Deliver(e.ctx, j, mailer, false)
		if err != nil && !strings.Contains(err.Error(), "503") {
			t.Fatalf("deliver %d: %v", j.DeliveryID, err)
		}
	}
	// PagerDuty answered 503 once: the delivery is retrying; the retry succeeds.
	byKind := map[string]oncall.Delivery{}
	for _, d := range e.deliveries(p.ID) {
		byKind[d.Kind] = d
	}
	if d := byKind["pagerduty"]; d.Status != "retrying" || d.Attempts != 1 || d.ResponseStatus == nil || *d.ResponseStatus != 503 || d.LastError == "" {
		t.Errorf("PagerDuty delivery after a 503 = %+v", d)
	}
	if err := e.svc.Deliver(e.ctx, jobs[1], mailer, false); err != nil {
		t.Fatal(err)
	}
	for _, d := range e.deliveries(p.ID) {
		if d.Status != "delivered" || d.DeliveredAt == nil {
			t.Errorf("%s delivery = %+v", d.Kind, d)
		}
		if d.Kind == "pagerduty" && d.Attempts != 2 {
			t.Errorf("PagerDuty attempts = %d, want 2", d.Attempts)
		}
	}
	// A job that runs again after success sends nothing twice.
	if err := e.svc.Deliver(e.ctx, jobs[1], mailer, false); err != nil {
		t.Fatal(err)
	}
	bodies, _ := pd.received()
	if len(bodies) != 2 {
		t.Fatalf("PagerDuty got %d requests, want 2", len(bodies))
	}
	var ev struct {
		RoutingKey  string `json:"routing_key"`
		EventAction string `json:"event_action"`
		DedupKey    string `json:"dedup_key"`
		Payload     struct {
			Summary       string         `json:"summary"`
			Source        string         `json:"source"`
			Severity      string         `json:"severity"`
			Timestamp     string         `json:"timestamp"`
			Component     string         `json:"component"`
			CustomDetails map[string]any `json:"custom_details"`
		} `json:"payload"`
		Links     []struct{ Href, Text string } `json:"links"`
		Client    string                        `json:"client"`
		ClientURL string                        `json:"client_url"`
	}
	dec := json.NewDecoder(strings.NewReader(string(bodies[1])))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("PagerDuty body %s: %v", bodies[1], err)
	}
	ticketURL := fmt.Sprintf("https://help.example.com/tickets/%d", tk.Number)
	if ev.RoutingKey != "R0UTING" || ev.EventAction != "trigger" || ev.DedupKey != fmt.Sprintf("ticket-%d", tk.ID) ||
		ev.Payload.Summary != fmt.Sprintf("#%d Checkout <b>down</b> (Acme, Premier)", tk.Number) || ev.Payload.Source != "help.example.com" ||
		ev.Payload.Severity != "critical" || ev.Payload.Timestamp != "2025-03-10T09:00:00Z" || ev.Payload.Component != "acme-shop" ||
		ev.Payload.CustomDetails["ticket"] != float64(tk.Number) || ev.Payload.CustomDetails["plan"] != "premier" ||
		ev.Payload.CustomDetails["organization"] != "Acme" || ev.Payload.CustomDetails["reason"] != "urgent_ticket" ||
		ev.Client != "Helpline" || ev.ClientURL != fmt.Sprintf("https://help.example.com/pages/%d", p.ID) {
		t.Errorf("PagerDuty event = %+v", ev)
	}
	if len(ev.Links) != 2 || ev.Links[0].Href != ticketURL || !strings.HasPrefix(ev.Links[1].Href, "https://help.example.com/pages/ack/") {
		t.Errorf("links = %+v", ev.Links)
	}

	// The webhook is signed over the timestamp and the body.
	hb, hh := hook.received()
	if len(hb) != 1 {
		t.Fatalf("webhook got %d requests", len(hb))
	}
	ts := hh[0].Get("X-Helpline-Timestamp")
	if want := oncall.SignWebhook("whsec", ts, hb[0]); ts == "" || hh[0].Get("X-Helpline-Signature") != want || !strings.HasPrefix(want, "sha256=") {
		t.Errorf("signature %q for timestamp %q, want %q", hh[0].Get("X-Helpline-Signature"), ts, want)
	}
	var wp oncall.WebhookPayload
	if err := json.Unmarshal(hb[0], &wp); err != nil {
		t.Fatal(err)
	}
	if wp.Event != "trigger" || wp.Page.ID != p.ID || wp.Page.Status != "triggered" || wp.Page.Ticket == nil || wp.Page.Ticket.URL != ticketURL ||
		wp.Page.DedupKey != p.DedupKey || !strings.HasPrefix(wp.Page.AcknowledgeURL, "https://help.example.com/pages/ack/") {
		t.Errorf("webhook payload = %+v", wp)
	}

	// The email names the ticket, links everything, and escapes its HTML.
	if len(mailer.msgs) != 1 {
		t.Fatalf("%d emails", len(mailer.msgs))
	}
	m := mailer.msgs[0]
	if m.Subject != fmt.Sprintf("[Page] #%d Checkout <b>down</b>", tk.Number) || m.To[0] != "agent-phone@helpline.test" {
		t.Errorf("email %q to %v", m.Subject, m.To)
	}
	for _, want := range []string{ticketURL, "https://help.example.com/pages/ack/", "?action=resolve"} {
		if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
			t.Errorf("email lacks %q", want)
		}
	}
	if strings.Contains(m.HTML, "<b>down") || !strings.Contains(m.HTML, "&lt;b&gt;down") {
		t.Error("the HTML email does not escape the subject")
	}

	// Acknowledging tells PagerDuty and the webhook, not the email.
	if _, err := e.svc.Acknowledge(e.ctx, e.agent, p.ID); err != nil {
		t.Fatal(err)
	}
	follow := e.jobs.take()
	if len(follow) != 2 {
		t.Fatalf("%d follow-up jobs, want 2", len(follow))
	}
	for _, j := range follow {
		if j.Token != "" {
			t.Error("a follow-up carries an acknowledge token")
		}
		if err := e.svc.Deliver(e.ctx, j, mailer, false); err != nil {
			t.Fatal(err)
		}
	}
	bodies, _ = pd.received()
	if string(bodies[2]) != fmt.Sprintf(`{"routing_key":"R0UTING","event_action":"acknowledge","dedup_key":"ticket-%d"}`, tk.ID) {
		t.Errorf("PagerDuty acknowledge = %s", bodies[2])
	}
	hb, _ = hook.received()
	if err := json.Unmarshal(hb[1], &wp); err != nil || wp.Event != "acknowledge" || wp.Page.Status != "acknowledged" {
		t.Errorf("webhook acknowledge = %s", hb[1])
	}
	if len(mailer.msgs) != 1 {
		t.Error("the acknowledgement was emailed")
	}
}

func TestDeliveryFailures(t *testing.T) {
	pd := &pageReceiver{statuses: []int{400}}
	pdSrv := httptest.NewServer(pd)
	defer pdSrv.Close()
	hook := &pageReceiver{statuses: []int{503}}
	hookSrv := httptest.NewServer(hook)
	defer hookSrv.Close()
	e := newPageEnv(t, oncall.Options{PagerDutyURL: pdSrv.URL})
	e.method(e.agent.UserID, "pagerduty", "BAD", "")
	e.method(e.agent.UserID, "webhook", hookSrv.URL, "whsec")
	e.method(e.agent.UserID, "email", "agent-phone@helpline.test", "")
	e.policy("Support", true, 0, pageLevel{delay: 10, users: []int64{e.agent.UserID}})
	tk := e.open(e.customer, urgentTicket("Down", e.app))
	p := e.pagesOf(tk.ID)[0]
	jobs := e.jobs.take()
	mailer := &captureMailer{err: fmt.Errorf("%w: no recipient", notify.ErrInvalidMessage)}

	// PagerDuty's 400 is permanent: failed, and the job is cancelled.
	var cancel *river.JobCancelError
	if err := e.svc.Deliver(e.ctx, jobs[0], mailer, false); !errors.As(err, &cancel) {
		t.Errorf("PagerDuty 400: %v, want a cancelled job", err)
	}
	// A permanent SMTP refusal likewise.
	if err := e.svc.Deliver(e.ctx, jobs[2], mailer, false); !errors.As(err, &cancel) {
		t.Errorf("invalid email: %v, want a cancelled job", err)
	}
	// A webhook that is down retries until the last attempt, then fails.
	if err := e.svc.Deliver(e.ctx, jobs[1], mailer, false); err == nil || errors.As(err, &cancel) {
		t.Errorf("webhook 503: %v, want a retry", err)
	}
	if err := e.svc.Deliver(e.ctx, jobs[1], mailer, true); err == nil {
		t.Error("webhook 503 on the last attempt succeeded")
	}
	got := map[string]string{}
	for _, d := range e.deliveries(p.ID) {
		got[d.Kind] = fmt.Sprintf("%s/%d", d.Status, d.Attempts)
	}
	if fmt.Sprint(got) != "map[email:failed/1 pagerduty:failed/1 webhook:failed/2]" {
		t.Errorf("delivery log = %v", got)
	}
}

// An acknowledgement waits for its trigger; a trigger whose page was
// acknowledged first is not sent.
func TestDeliveryOrder(t *testing.T) {
	hook := &pageReceiver{statuses: []int{503, 200}}
	hookSrv := httptest.NewServer(hook)
	defer hookSrv.Close()
	e := newPageEnv(t, oncall.Options{})
	e.method(e.agent.UserID, "webhook", hookSrv.URL, "whsec")
	e.method(e.agent.UserID, "email", "agent-phone@helpline.test", "")
	e.policy("Support", true, 0, pageLevel{delay: 10, users: []int64{e.agent.UserID}})
	tk := e.open(e.customer, urgentTicket("Down", e.app))
	p := e.pagesOf(tk.ID)[0]
	jobs := e.jobs.take()
	mailer := &captureMailer{}
	if err := e.svc.Deliver(e.ctx, jobs[0], mailer, false); err == nil {
		t.Fatal("the webhook's 503 succeeded")
	}
	if _, err := e.svc.Acknowledge(e.ctx, e.agent, p.ID); err != nil {
		t.Fatal(err)
	}
	ack := e.jobs.take()
	var snooze *river.JobSnoozeError
	if err := e.svc.Deliver(e.ctx, ack[0], mailer, false); !errors.As(err, &snooze) || snooze.Duration <= 0 || snooze.Duration > time.Minute {
		t.Errorf("acknowledge before its trigger: %v, want a snooze", err)
	}
	// The email trigger was still queued: it is no longer worth sending.
	if err := e.svc.Deliver(e.ctx, jobs[1], mailer, false); err != nil || len(mailer.msgs) != 0 {
		t.Errorf("email after acknowledge: %v, %d sent", err, len(mailer.msgs))
	}
	// The webhook trigger was sent and failed before the acknowledgement,
	// so its retry is cancelled too; the acknowledgement then has nothing to follow.
	if err := e.svc.Deliver(e.ctx, jobs[0], mailer, false); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Deliver(e.ctx, ack[0], mailer, false); err != nil {
		t.Fatal(err)
	}
	for _, d := range e.deliveries(p.ID) {
		if d.Status != "cancelled" || d.LastError == "" {
			t.Errorf("%s %s = %s (%q), want cancelled", d.Kind, d.Event, d.Status, d.LastError)
		}
	}
	if b, _ := hook.received(); len(b) != 1 {
		t.Errorf("webhook got %d requests, want only the first attempt", len(b))
	}
}
