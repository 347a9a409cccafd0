package status_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/status"
)

// jobRecorder records the jobs the service queues instead of running them,
// so each test runs them when it wants.
type jobRecorder struct {
	mu   sync.Mutex
	jobs []river.JobArgs
}

func (j *jobRecorder) InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.jobs = append(j.jobs, args)
	return &rivertype.JobInsertResult{Job: &rivertype.JobRow{Kind: args.Kind()}}, nil
}

func (j *jobRecorder) InsertManyTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	var out []*rivertype.JobInsertResult
	for _, p := range params {
		r, _ := j.InsertTx(ctx, tx, p.Args, p.InsertOpts)
		out = append(out, r)
	}
	return out, nil
}

// take returns the recorded jobs since the last take.
func (j *jobRecorder) take() []river.JobArgs {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := j.jobs
	j.jobs = nil
	return out
}

// mailbox is a Mailer that keeps what it is given.
type mailbox struct {
	mu   sync.Mutex
	sent []notify.Message
	fail error
}

func (m *mailbox) Send(ctx context.Context, msg notify.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.sent = append(m.sent, msg)
	return nil
}

func (m *mailbox) take() []notify.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.sent
	m.sent = nil
	return out
}

type subFixture struct {
	*fixture
	jobs *jobRecorder
	mail *mailbox
}

func newSubFixture(t *testing.T) *subFixture {
	t.Helper()
	f := newFixture(t)
	rec := &jobRecorder{}
	f.svc = status.NewService(f.db, f.accounts, status.Options{Now: f.clock.Now, Jobs: rec, Tickets: f.tickets, BaseURL: "http://status.test"})
	return &subFixture{fixture: f, jobs: rec, mail: &mailbox{}}
}

// run works the recorded jobs, and the jobs they queue, until none is left.
func (f *subFixture) run() {
	f.t.Helper()
	for {
		jobs := f.jobs.take()
		if len(jobs) == 0 {
			return
		}
		for _, j := range jobs {
			var err error
			switch a := j.(type) {
			case status.FanOutArgs:
				_, err = f.svc.FanOut(f.ctx, a.NotificationID)
			case status.DeliverArgs:
				err = f.svc.Deliver(f.ctx, a, f.mail, nil, false)
			case status.ConfirmEmailArgs:
				err = f.svc.SendConfirmation(f.ctx, a, f.mail)
			case notify.SendEmailArgs:
				// the outbox's own worker sends these
			default:
				f.t.Fatalf("unexpected job %T", j)
			}
			if err != nil {
				f.t.Fatalf("job %s: %v", j.Kind(), err)
			}
		}
	}
}

var (
	confirmLinkRE = regexp.MustCompile(`http://status\.test/status/confirm/([a-z0-9]+)`)
	unsubLinkRE   = regexp.MustCompile(`http://status\.test/status/unsubscribe/([a-z0-9]+)`)
)

func linkToken(t *testing.T, re *regexp.Regexp, text string) string {
	t.Helper()
	m := re.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no link matching %s in:\n%s", re, text)
	}
	return m[1]
}

func (f *subFixture) subscribe(actor *helpline.Actor, in status.SubscribeInput) status.Subscriber {
	f.t.Helper()
	sub, _, err := f.svc.Subscribe(f.ctx, actor, in)
	if err != nil {
		f.t.Fatalf("subscribe %+v: %v", in, err)
	}
	return sub
}

func (f *subFixture) confirmed(email string, components ...int64) status.Subscriber {
	f.t.Helper()
	sub, err := f.svc.AddConfirmedSubscriber(f.ctx, f.admin, status.SubscribeInput{Email: email, ComponentIDs: components})
	if err != nil {
		f.t.Fatalf("add %s: %v", email, err)
	}
	return sub
}

// recipients lists the addresses mailed, sorted.
func recipients(msgs []notify.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.To...)
	}
	sort.Strings(out)
	return out
}

func TestDoubleOptIn(t *testing.T) {
	f := newSubFixture(t)
	p := f.platform()

	sub := f.subscribe(nil, status.SubscribeInput{Email: " Alice@Example.com ", ComponentIDs: []int64{p.postgresEU.ID}})
	if sub.Email != "alice@example.com" || sub.ConfirmedAt != nil {
		t.Fatalf("subscriber %+v: want alice@example.com, unconfirmed", sub)
	}
	// Nothing reaches an unconfirmed subscriber.
	f.incident(status.IncidentInput{Name: "Postgres EU degraded", Components: []status.ComponentChange{{ComponentID: p.postgresEU.ID, Status: status.DegradedPerformance}}})
	f.run()
	msgs := f.mail.take()
	if len(msgs) != 1 || msgs[0].Subject != "Confirm your status updates subscription" {
		t.Fatalf("mailed %d: %+v, want only the confirmation", len(msgs), msgs)
	}
	confirmMsg := msgs[0]
	if confirmMsg.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" || !unsubLinkRE.MatchString(confirmMsg.Headers["List-Unsubscribe"]) {
		t.Errorf("confirmation headers %v", confirmMsg.Headers)
	}
	token := linkToken(t, confirmLinkRE, confirmMsg.Text)
	if !strings.Contains(confirmMsg.HTML, "/status/confirm/"+token) {
		t.Errorf("the HTML part lacks the link:\n%s", confirmMsg.HTML)
	}
	if n := f.count(`SELECT COUNT(*) FROM status_subscriber_tokens WHERE token_hash = $1`, token); n != 0 {
		t.Errorf("the token is stored readable")
	}

	// Subscribing again within ten minutes changes the choice but sends no
	// second email; after ten minutes it does.
	f.subscribe(nil, status.SubscribeInput{Email: "alice@example.com", ComponentIDs: []int64{p.postgresEU.ID, p.redis.ID}})
	f.run()
	if msgs := f.mail.take(); len(msgs) != 0 {
		t.Errorf("resent within ten minutes: %d emails", len(msgs))
	}
	f.clock.Advance(11 * time.Minute)
	f.subscribe(nil, status.SubscribeInput{Email: "alice@example.com", ComponentIDs: []int64{p.redis.ID}})
	f.run()
	if msgs := f.mail.take(); len(msgs) != 1 {
		t.Errorf("after ten minutes: %d emails, want the confirmation again", len(msgs))
	}

	if _, err := f.svc.Confirm(f.ctx, "not-a-token"); helpline.KindOf(err) != helpline.KindNotFound {
		t.Errorf("confirm with a bad token: %v, want not found", err)
	}
	got, err := f.svc.Confirm(f.ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if got.ConfirmedAt == nil || fmt.Sprint(got.ComponentIDs) != fmt.Sprint([]int64{p.redis.ID}) {
		t.Errorf("confirmed %+v, want confirmed with Redis only", got)
	}
	if _, err := f.svc.Confirm(f.ctx, token); err != nil {
		t.Errorf("following the link twice: %v", err)
	}

	// A confirmed address: a stranger's new choice waits for the link.
	f.clock.Advance(11 * time.Minute)
	f.subscribe(nil, status.SubscribeInput{Email: "alice@example.com"})
	f.run()
	msgs = f.mail.take()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "confirm the components") {
		t.Fatalf("re-subscribing a confirmed address: %+v", msgs)
	}
	if n := f.count(`SELECT COUNT(*) FROM status_subscribers WHERE email = 'alice@example.com' AND all_components = FALSE`); n != 1 {
		t.Errorf("the choice changed before confirming")
	}
	if _, err := f.svc.Confirm(f.ctx, linkToken(t, confirmLinkRE, msgs[0].Text)); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT COUNT(*) FROM status_subscribers WHERE email = 'alice@example.com' AND all_components = TRUE`); n != 1 {
		t.Errorf("the confirmed choice was not applied")
	}

	// Now confirmed, Alice hears about the next incident.
	f.clock.Advance(time.Minute)
	inc := f.incident(status.IncidentInput{Name: "Redis latency", Components: []status.ComponentChange{{ComponentID: p.redis.ID, Status: status.DegradedPerformance}}})
	f.run()
	msgs = f.mail.take()
	if len(msgs) != 1 || msgs[0].To[0] != "alice@example.com" || msgs[0].Subject != "[Investigating] Redis latency" {
		t.Fatalf("after confirming: %+v", msgs)
	}
	m := msgs[0]
	if m.Headers["Message-ID"] == "" || !strings.Contains(m.Text, fmt.Sprintf("http://status.test/incidents/%d", inc.ID)) || m.HTML == "" {
		t.Errorf("notification email: %+v", m)
	}

	t.Run("validation", func(t *testing.T) {
		for _, c := range []struct {
			in    status.SubscribeInput
			field string
		}{
			{status.SubscribeInput{}, "email"},
			{status.SubscribeInput{Email: "not an address"}, "email"},
			{status.SubscribeInput{Email: "a@example.com", URL: "https://example.com/h"}, "url"},
			{status.SubscribeInput{URL: "ftp://example.com/h"}, "url"},
			{status.SubscribeInput{Email: "a@example.com", ComponentIDs: []int64{999999}}, "component_ids"},
		} {
			_, _, err := f.svc.Subscribe(f.ctx, nil, c.in)
			wantField(t, err, c.field, fmt.Sprintf("%+v", c.in))
		}
	})
}

func TestUnsubscribe(t *testing.T) {
	f := newSubFixture(t)
	p := f.platform()
	f.confirmed("bob@example.com")
	f.confirmed("carol@example.com")
	f.incident(status.IncidentInput{Name: "Router errors", Components: []status.ComponentChange{{ComponentID: p.router.ID, Status: status.PartialOutage}}})
	f.run()
	msgs := f.mail.take()
	if got := recipients(msgs); fmt.Sprint(got) != "[bob@example.com carol@example.com]" {
		t.Fatalf("mailed %v", got)
	}
	var bobs notify.Message
	for _, m := range msgs {
		if m.To[0] == "bob@example.com" {
			bobs = m
		}
		if m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post %q", m.Headers["List-Unsubscribe-Post"])
		}
	}
	token := linkToken(t, unsubLinkRE, bobs.Headers["List-Unsubscribe"])
	if !strings.Contains(bobs.Text, token) || !strings.Contains(bobs.HTML, token) {
		t.Errorf("the unsubscribe link is not in both parts")
	}
	if err := f.svc.Unsubscribe(f.ctx, token); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Unsubscribe(f.ctx, token); helpline.KindOf(err) != helpline.KindNotFound {
		t.Errorf("unsubscribing twice: %v, want not found", err)
	}
	f.clock.Advance(time.Minute)
	f.incident(status.IncidentInput{Name: "Router errors again", Components: []status.ComponentChange{{ComponentID: p.router.ID, Status: status.PartialOutage}}})
	f.run()
	if got := recipients(f.mail.take()); fmt.Sprint(got) != "[carol@example.com]" {
		t.Errorf("after Bob unsubscribed, mailed %v", got)
	}
}

func TestComponentMatching(t *testing.T) {
	f := newSubFixture(t)
	p := f.platform()
	f.confirmed("all@example.com")
	f.confirmed("pg@example.com", p.postgresEU.ID)
	f.confirmed("data@example.com", p.data.ID)
	f.confirmed("redis@example.com", p.redis.ID)
	f.confirmed("router@example.com", p.router.ID)
	f.confirmed("both@example.com", p.redis.ID, p.postgresEU.ID)

	inc := f.incident(status.IncidentInput{Name: "Postgres EU down", Components: []status.ComponentChange{{ComponentID: p.postgresEU.ID, Status: status.MajorOutage}}})
	f.run()
	if got := recipients(f.mail.take()); fmt.Sprint(got) != "[all@example.com both@example.com data@example.com pg@example.com]" {
		t.Errorf("incident on Postgres (EU) mailed %v", got)
	}
	// An update without notify is silent; resolving notifies again.
	f.post(inc.ID, status.UpdateInput{Status: status.Identified, Body: "Found it."})
	f.run()
	if got := f.mail.take(); len(got) != 0 {
		t.Errorf("a silent update mailed %d", len(got))
	}
	f.post(inc.ID, status.UpdateInput{Status: status.Monitoring, Body: "Fixed, watching.", Notify: true})
	f.run()
	if got := f.mail.take(); len(got) != 4 || got[0].Subject != "[Monitoring] Postgres EU down" {
		t.Errorf("a notify update: %d emails, first %q", len(got), got[0].Subject)
	}
	f.post(inc.ID, status.UpdateInput{Status: status.Resolved, Body: "All good."})
	f.run()
	if got := f.mail.take(); len(got) != 4 || got[0].Subject != "[Resolved] Postgres EU down" {
		t.Errorf("resolution: %d emails", len(got))
	}

	// Fanning out again adds nothing: one message per subscriber.
	var nid int64
	if err := f.db.QueryRowContext(f.ctx, `SELECT MIN(id) FROM status_notifications`).Scan(&nid); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ExecContext(f.ctx, `UPDATE status_notifications SET fanned_out_at = NULL, last_subscriber_id = 0 WHERE id = $1`, nid); err != nil {
		t.Fatal(err)
	}
	n, err := f.svc.FanOut(f.ctx, nid)
	if err != nil || n != 0 {
		t.Errorf("fanning out again queued %d (%v), want 0", n, err)
	}
	f.run()
	if got := f.mail.take(); len(got) != 0 {
		t.Errorf("a repeated fan-out mailed %d", len(got))
	}
}

func TestFanOutBatchesAndResumes(t *testing.T) {
	f := newSubFixture(t)
	p := f.platform()
	total := status.FanOutBatch + 5
	// Straight to the table: this tests the fan-out, not Subscribe.
	tx, err := f.db.BeginTx(f.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < total; i++ {
		if _, err := tx.ExecContext(f.ctx, `INSERT INTO status_subscribers (kind, email, all_components, confirmed_at, created_at) VALUES ('email', $1, TRUE, $2, $2)`,
			fmt.Sprintf("s%d@example.com", i), f.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	f.incident(status.IncidentInput{Name: "Big one", Components: []status.ComponentChange{{ComponentID: p.router.ID, Status: status.MajorOutage}}})
	jobs := f.jobs.take()
	if len(jobs) != 1 {
		t.Fatalf("the operator's step queued %d jobs, want the one fan-out", len(jobs))
	}
	fan := jobs[0].(status.FanOutArgs)
	// A crash after the first batch: the progress row says where to resume.
	if _, err := f.db.ExecContext(f.ctx, `UPDATE status_notifications SET last_subscriber_id = 0`); err != nil {
		t.Fatal(err)
	}
	n, err := f.svc.FanOut(f.ctx, fan.NotificationID)
	if err != nil || n != total {
		t.Fatalf("fan-out queued %d (%v), want %d", n, err, total)
	}
	if got := len(f.jobs.take()); got != total {
		t.Errorf("%d delivery jobs, want %d", got, total)
	}
	if _, err := f.db.ExecContext(f.ctx, `UPDATE status_notifications SET fanned_out_at = NULL, last_subscriber_id = (SELECT MIN(id) + 10 FROM status_subscribers)`); err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.FanOut(f.ctx, fan.NotificationID); err != nil || n != 0 {
		t.Errorf("resumed fan-out queued %d (%v), want 0", n, err)
	}
	if n := f.count(`SELECT COUNT(*) FROM status_deliveries`); n != total {
		t.Errorf("%d deliveries, want %d", n, total)
	}
}

func TestDeliveryFailures(t *testing.T) {
	f := newSubFixture(t)
	p := f.platform()
	f.confirmed("dave@example.com")
	f.incident(status.IncidentInput{Name: "Router errors", Components: []status.ComponentChange{{ComponentID: p.router.ID, Status: status.PartialOutage}}})
	fan := f.jobs.take()[0].(status.FanOutArgs)
	if _, err := f.svc.FanOut(f.ctx, fan.NotificationID); err != nil {
		t.Fatal(err)
	}
	deliver := f.jobs.take()[0].(status.DeliverArgs)

	f.mail.fail = errors.New("dial tcp: connection refused")
	if err := f.svc.Deliver(f.ctx, deliver, f.mail, nil, false); err == nil {
		t.Fatal("a failed send returned no error: River would not retry")
	}
	if n := f.count(`SELECT COUNT(*) FROM status_deliveries WHERE status = 'retrying' AND attempts = 1`); n != 1 {
		t.Errorf("the delivery is not marked retrying")
	}
	f.mail.fail = nil
	if err := f.svc.Deliver(f.ctx, deliver, f.mail, nil, false); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Deliver(f.ctx, deliver, f.mail, nil, false); err != nil {
		t.Fatal(err)
	}
	msgs := f.mail.take()
	if len(msgs) != 1 {
		t.Errorf("%d messages, want 1 however often the job runs", len(msgs))
	}
	if n := f.count(`SELECT COUNT(*) FROM status_deliveries WHERE status = 'sent' AND sent_at IS NOT NULL`); n != 1 {
		t.Errorf("the delivery is not marked sent")
	}
}

func TestSignedInSubscriptions(t *testing.T) {
	f := newSubFixture(t)
	p := f.platform()
	acme := f.org("Acme")
	erin := f.customer("erin", acme)
	frank := f.customer("frank", acme)

	// Her own address: signing in proved it, no email needed.
	sub := f.subscribe(erin, status.SubscribeInput{Email: "erin@example.com", ComponentIDs: []int64{p.redis.ID}})
	if sub.ConfirmedAt == nil || sub.UserID != erin.UserID || sub.ID == 0 {
		t.Fatalf("own address: %+v, want confirmed and hers", sub)
	}
	hook, secret, err := f.svc.Subscribe(f.ctx, erin, status.SubscribeInput{URL: "https://hooks.example.com/status"})
	if err != nil || secret == "" || hook.ConfirmedAt == nil {
		t.Fatalf("webhook: %+v %q %v", hook, secret, err)
	}
	f.run()
	if got := f.mail.take(); len(got) != 0 {
		t.Errorf("mailed %d for signed-in subscriptions", len(got))
	}
	f.subscribe(nil, status.SubscribeInput{Email: "stranger@example.com"})

	mine, err := f.svc.FindSubscriptions(f.ctx, erin)
	if err != nil || len(mine) != 2 {
		t.Fatalf("Erin's subscriptions: %+v %v", mine, err)
	}
	if theirs, _ := f.svc.FindSubscriptions(f.ctx, frank); len(theirs) != 0 {
		t.Errorf("Frank sees %d subscriptions", len(theirs))
	}
	if all, _ := f.svc.FindSubscriptions(f.ctx, f.agent); len(all) != 3 {
		t.Errorf("staff see %d subscriptions, want 3", len(all))
	}
	if _, err := f.svc.FindSubscriptions(f.ctx, nil); helpline.KindOf(err) != helpline.KindUnauthorized {
		t.Errorf("anonymous list: %v", err)
	}

	_, err = f.svc.SetSubscriptionComponents(f.ctx, frank, sub.ID, nil)
	wantKind(t, err, helpline.KindNotFound, "Frank changes Erin's subscription")
	wantKind(t, f.svc.DeleteSubscription(f.ctx, frank, sub.ID), helpline.KindNotFound, "Frank deletes Erin's subscription")
	_, err = f.svc.SetSubscriptionComponents(f.ctx, erin, sub.ID, []int64{424242})
	wantField(t, err, "component_ids", "unknown component")
	got, err := f.svc.SetSubscriptionComponents(f.ctx, erin, sub.ID, []int64{p.router.ID, p.redis.ID})
	if err != nil || fmt.Sprint(got.ComponentIDs) != fmt.Sprint([]int64{p.router.ID, p.redis.ID}) {
		t.Errorf("set components: %+v %v", got, err)
	}
	if err := f.svc.DeleteSubscription(f.ctx, erin, hook.ID); err != nil {
		t.Fatal(err)
	}
	if mine, _ := f.svc.FindSubscriptions(f.ctx, erin); len(mine) != 1 {
		t.Errorf("after deleting the webhook: %d subscriptions", len(mine))
	}

	// Someone else subscribing Erin's address learns nothing about it.
	other := f.subscribe(nil, status.SubscribeInput{Email: "erin@example.com"})
	if other.ID != 0 || other.ConfirmedAt != nil {
		t.Errorf("an anonymous caller sees %+v", other)
	}
}

func TestTargetedNotifications(t *testing.T) {
	f := newSubFixture(t)
	acme, globex, hobby := f.org("Acme"), f.org("Globex"), f.org("Hobby")
	wile := f.customer("wile", acme)
	road := f.customer("road", acme)
	hank := f.customer("hank", globex)
	harper := f.customer("harper", hobby)
	mustApp := func(org account.Organization, in account.AppInput) {
		if _, err := f.accounts.CreateApp(f.ctx, account.CLI(), org.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	mustApp(acme, account.AppInput{Name: "acme-web", Region: "eu", Addons: []string{"heroku-postgresql:standard-0"}})
	mustApp(acme, account.AppInput{Name: "acme-api", Region: "us", Addons: []string{"heroku-redis:premium-0"}})
	mustApp(globex, account.AppInput{Name: "globex-billing", Region: "us", Addons: []string{"heroku-postgresql:premium-2"}})
	mustApp(hobby, account.AppInput{Name: "weekend-project", Region: "eu"})

	_, err := f.svc.NotifyOrganizations(f.ctx, wile, status.TargetInput{Title: "x", Region: "eu"})
	wantKind(t, err, helpline.KindForbidden, "a customer sends a targeted notification")
	_, err = f.svc.NotifyOrganizations(f.ctx, f.agent, status.TargetInput{Region: "eu"})
	wantField(t, err, "title", "no title")
	_, err = f.svc.NotifyOrganizations(f.ctx, f.agent, status.TargetInput{Title: "Maintenance"})
	wantField(t, err, "apps", "no filter")
	_, err = f.svc.NotifyOrganizations(f.ctx, f.agent, status.TargetInput{Title: "Maintenance", Apps: []string{"acme-web", "nope-app"}})
	wantField(t, err, "apps", "an unknown app")
	_, err = f.svc.NotifyOrganizations(f.ctx, f.agent, status.TargetInput{Title: "Maintenance", Region: "mars"})
	wantField(t, err, "region", "an unknown region")

	n, err := f.svc.NotifyOrganizations(f.ctx, f.agent, status.TargetInput{
		Title: "Postgres maintenance in eu", Body: "Tonight, 02:00 to 03:00 UTC.", Addon: "heroku-postgresql", Region: "eu", Email: true, URL: "/status"})
	if err != nil || n != 1 {
		t.Fatalf("targeted: %d orgs, %v; want Acme only", n, err)
	}
	if got := f.count(`SELECT COUNT(*) FROM user_notices`); got != 2 {
		t.Errorf("%d notices, want one per Acme member", got)
	}
	var emailJobs int
	for _, j := range f.jobs.take() {
		if _, ok := j.(notify.SendEmailArgs); ok {
			emailJobs++
		}
	}
	if got := f.count(`SELECT COUNT(*) FROM mail_outbox WHERE category = $1 AND to_email IN ('wile@example.com', 'road@example.com') AND status = 'queued'`, status.NoticeCategory); got != 2 || emailJobs != 2 {
		t.Errorf("%d outbox emails, %d jobs; want 2 each", got, emailJobs)
	}

	cases := []struct {
		in   status.TargetInput
		orgs int
	}{
		{status.TargetInput{Addon: "heroku-postgresql"}, 2},                    // every plan
		{status.TargetInput{Addon: "heroku-postgresql:premium-2"}, 1},          // one plan
		{status.TargetInput{Region: "eu"}, 2},                                  // Acme and Hobby
		{status.TargetInput{Apps: []string{"acme-api"}, Region: "eu"}, 0},      // every filter must match
		{status.TargetInput{Apps: []string{"weekend-project", "acme-api"}}, 2}, // either app
		{status.TargetInput{Addon: "heroku-redis", Region: "us"}, 1},           // Acme's api
	}
	for _, c := range cases {
		c.in.Title = "t"
		got, err := f.svc.NotifyOrganizations(f.ctx, f.agent, c.in)
		if err != nil || got != c.orgs {
			t.Errorf("%+v: %d orgs (%v), want %d", c.in, got, err, c.orgs)
		}
	}

	// Notices: newest first, unread counted, only one's own.
	notices, unread, err := f.svc.FindNotices(f.ctx, wile, false, helpline.Page{})
	if err != nil {
		t.Fatal(err)
	}
	// Wile (Acme) got: the first, heroku-postgresql, eu, either app, heroku-redis.
	if len(notices) != 5 || unread != 5 || notices[len(notices)-1].Title != "Postgres maintenance in eu" || notices[0].ID < notices[1].ID {
		t.Fatalf("Wile's notices: %d, unread %d: %+v", len(notices), unread, notices)
	}
	if _, unread, _ := f.svc.FindNotices(f.ctx, hank, false, helpline.Page{}); unread != 2 {
		t.Errorf("Hank has %d unread, want 2", unread)
	}
	first := notices[len(notices)-1]
	wantKind(t, f.svc.MarkNoticesRead(f.ctx, hank, first.ID), helpline.KindNotFound, "Hank marks Wile's notice")
	wantKind(t, f.svc.MarkNoticesRead(f.ctx, nil, first.ID), helpline.KindUnauthorized, "anonymous marks a notice")
	if err := f.svc.MarkNoticesRead(f.ctx, wile, first.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.MarkNoticesRead(f.ctx, wile, first.ID); err != nil {
		t.Errorf("marking a read notice again: %v", err)
	}
	unreadList, unread, _ := f.svc.FindNotices(f.ctx, wile, true, helpline.Page{})
	if unread != 4 || len(unreadList) != 4 {
		t.Errorf("after reading one: %d unread listed, count %d", len(unreadList), unread)
	}
	if _, unread, _ := f.svc.FindNotices(f.ctx, road, false, helpline.Page{}); unread != 5 {
		t.Errorf("Road's notices changed with Wile's: %d unread", unread)
	}
	if err := f.svc.MarkNoticesRead(f.ctx, wile, 0); err != nil {
		t.Fatal(err)
	}
	if _, unread, _ := f.svc.FindNotices(f.ctx, wile, false, helpline.Page{}); unread != 0 {
		t.Errorf("after reading all: %d unread", unread)
	}
	if _, unread, _ := f.svc.FindNotices(f.ctx, harper, false, helpline.Page{}); unread != 2 {
		t.Errorf("Harper has %d unread, want 2 (eu, either app)", unread)
	}
	_, _, err = f.svc.FindNotices(f.ctx, nil, false, helpline.Page{})
	wantKind(t, err, helpline.KindUnauthorized, "anonymous notices")
}

func TestCleanupSubscriptions(t *testing.T) {
	f := newSubFixture(t)
	f.subscribe(nil, status.SubscribeInput{Email: "never@example.com"})
	f.confirmed("kept@example.com")
	f.run()
	if n := f.count(`SELECT COUNT(*) FROM status_subscriber_tokens`); n != 2 {
		t.Fatalf("%d tokens after the confirmation email, want 2", n)
	}
	f.clock.Advance(31 * 24 * time.Hour)
	if _, err := f.svc.CleanupSubscriptions(f.ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT COUNT(*) FROM status_subscribers WHERE email = 'never@example.com'`); n != 0 {
		t.Errorf("an address unconfirmed for 31 days is kept")
	}
	if n := f.count(`SELECT COUNT(*) FROM status_subscribers WHERE email = 'kept@example.com'`); n != 1 {
		t.Errorf("a confirmed address was removed")
	}
}
