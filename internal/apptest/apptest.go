// Package apptest starts a whole Helpline (database, jobs, HTTP) for a test,
// on the database dbtest picks, behind a real httptest server.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/app"
	"github.com/helpline-dev/helpline/internal/config"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/notify"
)

// FastHasher keeps tests quick; production uses account.DefaultHasher.
var FastHasher = account.Hasher{MemoryKiB: 64, Time: 1, Threads: 1}

// Password is the password of every user the helpers create.
const Password = "correct horse battery"

// Env is a running Helpline for one test.
type Env struct {
	App    *app.App
	Server *httptest.Server
	URL    string
}

// Options adjust the environment.
type Options struct {
	Mailer notify.Mailer // default: a mailer that logs to the test
	// RetryPolicy overrides the job queue's backoff (default: River's).
	RetryPolicy river.ClientRetryPolicy
	Env         map[string]string
	StartJobs   bool
	// Now is the application's clock (default: time.Now); tests move it to
	// reach SLA warnings and escalations without sleeping.
	Now func() time.Time
	// DB shares another Env's database: a second server process.
	DB *db.DB
}

// New starts Helpline for t and stops it when t ends.
func New(t testing.TB, opts Options) *Env {
	t.Helper()
	ctx := context.Background()
	d := opts.DB
	if d == nil {
		d = dbtest.Open(t)
	}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	env := map[string]string{"HELPLINE_BASE_URL": base, "HELPLINE_DATA_DIR": t.TempDir()}
	for k, v := range opts.Env {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	mailer := opts.Mailer
	if mailer == nil {
		mailer = notify.LogMailer{Logger: logger}
	}
	a, err := app.New(ctx, cfg, logger, app.Options{DB: d, Mailer: mailer, Hasher: FastHasher, RetryPolicy: opts.RetryPolicy, Now: opts.Now})
	if err != nil {
		t.Fatal(err)
	}
	if opts.StartJobs {
		if err := a.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	srv.Config.Handler = a.Handler
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Stop(stopCtx)
	})
	return &Env{App: a, Server: srv, URL: base}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Org creates an organization.
func (e *Env) Org(t testing.TB, name string, plan account.Plan) account.Organization {
	t.Helper()
	org, err := e.App.Accounts.CreateOrganization(context.Background(), account.CLI(), account.OrgInput{Name: name, Plan: plan})
	if err != nil {
		t.Fatal(err)
	}
	return org
}

// Customer creates a customer in org with Password.
func (e *Env) Customer(t testing.TB, email string, org account.Organization, role account.OrgRole) account.User {
	t.Helper()
	u, err := e.App.Accounts.CreateUser(context.Background(), account.CLI(), account.UserInput{
		Email: email, Name: strings.Split(email, "@")[0], Password: Password, OrgID: org.ID, OrgRole: role})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Staff creates a staff user with Password.
func (e *Env) Staff(t testing.TB, email string, role helpline.StaffRole) account.User {
	t.Helper()
	u, err := e.App.Accounts.CreateUser(context.Background(), account.CLI(), account.UserInput{
		Email: email, Name: strings.Split(email, "@")[0], Password: Password, StaffRole: role})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Client returns an API client authenticated as u with a fresh token.
func (e *Env) Client(t testing.TB, u account.User) *client.Client {
	t.Helper()
	_, secret, err := e.App.Accounts.CreateTokenFor(context.Background(), account.CLI(), u.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return client.New(e.URL, secret)
}

// Browser is a cookie-keeping HTTP client for form tests without Chromium.
// It sends Sec-Fetch-Site: same-origin like a browser submitting our forms.
type Browser struct {
	*http.Client
	env *Env
}

// Browser returns a fresh cookie jar client that does not follow redirects.
func (e *Env) Browser() *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}, env: e}
}

// Get fetches a page and returns its status and body.
func (b *Browser) Get(t testing.TB, path string) (*http.Response, string) {
	t.Helper()
	resp, err := b.Client.Get(b.env.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	return resp, readBody(t, resp)
}

// Post submits a form as a same-origin browser would.
func (b *Browser) Post(t testing.TB, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("POST", b.env.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, readBody(t, resp)
}

// SignIn signs the browser in as email with Password.
func (b *Browser) SignIn(t testing.TB, email string) {
	t.Helper()
	resp, body := b.Post(t, "/signin", url.Values{"email": {email}, "password": {Password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d\n%s", email, resp.StatusCode, body)
	}
}

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FastRetry retries failed jobs after a fixed short delay, so tests of
// outages do not wait for River's exponential backoff.
type FastRetry struct{ Delay time.Duration }

// NextRetry implements river.ClientRetryPolicy.
func (f FastRetry) NextRetry(job *rivertype.JobRow) time.Time { return time.Now().Add(f.Delay) }
