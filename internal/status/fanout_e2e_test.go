package status_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/smtptest"
	"github.com/helpline-dev/helpline/internal/status"
)

// waitUntil polls cond; the bound catches a hung test, it is not a speed
// assertion.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// e2eComponents makes a group with two members.
func e2eComponents(t *testing.T, svc *status.Service, admin *helpline.Actor) (eu, us status.Component) {
	t.Helper()
	ctx := context.Background()
	apps, err := svc.CreateComponent(ctx, admin, status.ComponentInput{Name: "Apps", Group: true})
	if err != nil {
		t.Fatal(err)
	}
	eu, err = svc.CreateComponent(ctx, admin, status.ComponentInput{Name: "Common Runtime (EU)", GroupID: apps.ID, Region: "eu"})
	if err != nil {
		t.Fatal(err)
	}
	us, err = svc.CreateComponent(ctx, admin, status.ComponentInput{Name: "Common Runtime (US)", GroupID: apps.ID, Region: "us"})
	if err != nil {
		t.Fatal(err)
	}
	return eu, us
}

// TestFanOutThroughSMTPOutage is the test: 1,000 subscribers, the
// SMTP server down when the notification goes out and refusing a message
// with a 4xx once it is up, River retrying; afterwards every subscriber has
// exactly one message.
func TestFanOutThroughSMTPOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 1,000 emails")
	}
	ctx := context.Background()
	addr := smtptest.FreeAddr(t)
	mailer, err := notify.NewSMTPMailer("smtp://user:pass@"+addr+"?tls=none", "status@helpline.test")
	if err != nil {
		t.Fatal(err)
	}
	env := apptest.New(t, apptest.Options{Mailer: mailer, RetryPolicy: apptest.FastRetry{Delay: 500 * time.Millisecond}, StartJobs: true})
	svc := env.App.Status
	admin := env.Staff(t, "ops@helpline.test", helpline.RoleAdmin).Actor("")
	eu, us := e2eComponents(t, svc, admin)

	const subscribers = 1000
	want := map[string]bool{}
	for i := 0; i < subscribers; i++ {
		email := fmt.Sprintf("sub%04d@example.com", i)
		var comps []int64
		if i%2 == 1 {
			comps = []int64{eu.ID} // half chose the affected component, half everything
		}
		if _, err := svc.AddConfirmedSubscriber(ctx, admin, status.SubscribeInput{Email: email, ComponentIDs: comps}); err != nil {
			t.Fatal(err)
		}
		want[email] = true
	}
	// Subscribers of another component, and an unconfirmed one, hear nothing.
	for i := 0; i < 10; i++ {
		if _, err := svc.AddConfirmedSubscriber(ctx, admin, status.SubscribeInput{Email: fmt.Sprintf("us%d@example.com", i), ComponentIDs: []int64{us.ID}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := svc.Subscribe(ctx, nil, status.SubscribeInput{Email: "unconfirmed@example.com"}); err != nil {
		t.Fatal(err)
	}

	inc, err := svc.CreateIncident(ctx, admin, status.IncidentInput{Name: "Elevated H12 errors in EU", Body: "We are investigating elevated H12 errors.",
		Components: []status.ComponentChange{{ComponentID: eu.ID, Status: status.PartialOutage}}})
	if err != nil {
		t.Fatal(err)
	}
	count := func(query string) int {
		var n int
		if err := env.App.DB.QueryRowContext(ctx, query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The server is down: deliveries fail and are retried.
	waitUntil(t, "deliveries to fail while SMTP is down", func() bool {
		return count(`SELECT COUNT(*) FROM status_deliveries WHERE status = 'retrying'`) >= 50
	})
	server := smtptest.StartOn(t, addr)
	server.FailNext(451, "4.3.0 try again later")

	waitUntil(t, "every delivery to be sent", func() bool {
		return count(`SELECT COUNT(*) FROM status_deliveries WHERE status = 'sent'`) == subscribers
	})
	// Let any straggler that would be a duplicate arrive before counting.
	time.Sleep(time.Second)
	if n := count(`SELECT COUNT(*) FROM status_deliveries WHERE attempts > 1`); n == 0 {
		t.Errorf("no delivery was retried: the outage was not exercised")
	}
	if n := count(`SELECT COUNT(*) FROM status_deliveries`); n != subscribers {
		t.Errorf("%d deliveries, want %d", n, subscribers)
	}

	perRecipient := map[string]int{}
	ids := map[string]bool{}
	for _, m := range server.Messages() {
		if m.To[0] == "unconfirmed@example.com" {
			// Its confirmation email, retried through the outage too.
			if got := m.Header("Subject"); got != "Confirm your status updates subscription" {
				t.Errorf("the unconfirmed subscriber got %q", got)
			}
			continue
		}
		for _, to := range m.To {
			perRecipient[to]++
		}
		if got := m.Header("Subject"); got != "[Investigating] Elevated H12 errors in EU" {
			t.Errorf("subject %q", got)
		}
		ids[m.Header("Message-Id")] = true
	}
	for email := range want {
		if perRecipient[email] != 1 {
			t.Errorf("%s received %d messages, want 1", email, perRecipient[email])
		}
	}
	for email, n := range perRecipient {
		if !want[email] {
			t.Errorf("%s received %d messages, want none", email, n)
		}
	}
	if len(ids) != subscribers {
		t.Errorf("%d distinct Message-IDs, want %d", len(ids), subscribers)
	}
	progress, err := svc.FindNotificationProgress(ctx, admin, inc.ID)
	if err != nil || len(progress) != 1 || progress[0].Sent != subscribers || progress[0].FannedOut == nil {
		t.Errorf("progress %+v %v", progress, err)
	}
}

// TestWebhookDelivery: a real HTTP receiver checks the headers, the body
// and the signature, answering 503 first so the delivery is retried.
func TestWebhookDelivery(t *testing.T) {
	ctx := context.Background()
	type received struct {
		header http.Header
		body   []byte
	}
	var mu sync.Mutex
	var got []received
	calls := 0
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		got = append(got, received{r.Header.Clone(), body})
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(hook.Close)

	env := apptest.New(t, apptest.Options{RetryPolicy: apptest.FastRetry{Delay: 200 * time.Millisecond}, StartJobs: true})
	svc := env.App.Status
	admin := env.Staff(t, "ops@helpline.test", helpline.RoleAdmin).Actor("")
	eu, _ := e2eComponents(t, svc, admin)
	// Only someone signed in may point the server at a URL.
	if _, _, err := svc.Subscribe(ctx, nil, status.SubscribeInput{URL: hook.URL + "/status-hook"}); !strings.Contains(fmt.Sprint(err), "sign in") {
		t.Fatalf("anonymous webhook subscription: %v, want a sign-in error", err)
	}
	sub, secret, err := svc.Subscribe(ctx, admin, status.SubscribeInput{URL: hook.URL + "/status-hook", ComponentIDs: []int64{eu.ID}})
	if err != nil || secret == "" || sub.Kind != status.SubscriberWebhook {
		t.Fatalf("subscribe: %+v %q %v", sub, secret, err)
	}
	inc, err := svc.CreateIncident(ctx, admin, status.IncidentInput{Name: "Elevated H12 errors in EU", Body: "We are investigating.",
		Components: []status.ComponentChange{{ComponentID: eu.ID, Status: status.PartialOutage}}})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the webhook", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) > 0
	})
	time.Sleep(500 * time.Millisecond) // a duplicate would arrive by now
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || calls != 2 {
		t.Fatalf("received %d deliveries in %d calls, want 1 after one 503", len(got), calls)
	}
	r := got[0]
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if ev := r.header.Get("X-Helpline-Event"); ev != "incident_created" {
		t.Errorf("X-Helpline-Event %q", ev)
	}
	ts := r.header.Get("X-Helpline-Timestamp")
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		t.Errorf("X-Helpline-Timestamp %q: %v", ts, err)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(r.body)
	if sig := r.header.Get("X-Helpline-Signature"); sig != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
		t.Errorf("X-Helpline-Signature %q does not verify", sig)
	}
	var body struct {
		Event    string `json:"event"`
		Incident struct {
			ID         int64  `json:"id"`
			Name       string `json:"name"`
			Status     string `json:"status"`
			Impact     string `json:"impact"`
			URL        string `json:"url"`
			Components []struct {
				ComponentID int64  `json:"component_id"`
				Status      string `json:"status"`
			} `json:"components"`
		} `json:"incident"`
		Update struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
			Body   string `json:"body"`
		} `json:"update"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
	if body.Event != "incident_created" || body.Incident.ID != inc.ID || body.Incident.Name != "Elevated H12 errors in EU" ||
		body.Incident.Status != "investigating" || body.Incident.URL != fmt.Sprintf("%s/incidents/%d", env.URL, inc.ID) ||
		len(body.Incident.Components) != 1 || body.Incident.Components[0].ComponentID != eu.ID || body.Incident.Components[0].Status != "partial_outage" ||
		body.Update.ID != inc.Updates[0].ID || body.Update.Status != "investigating" || body.Update.Body != "We are investigating." {
		t.Errorf("body %s", r.body)
	}
	var sent, attempts, code int
	if err := env.App.DB.QueryRowContext(ctx, `SELECT CASE WHEN status = 'sent' THEN 1 ELSE 0 END, attempts, response_status FROM status_deliveries`).Scan(&sent, &attempts, &code); err != nil {
		t.Fatal(err)
	}
	if sent != 1 || attempts != 2 || code != http.StatusNoContent {
		t.Errorf("delivery: sent %d, attempts %d, response %d", sent, attempts, code)
	}
}
