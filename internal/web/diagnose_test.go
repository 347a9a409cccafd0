package web_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/browsertest"
	"github.com/helpline-dev/helpline/internal/web"
)

// diagnoseLog is a real-format stretch of `heroku logs`: timeouts on one
// path of a dyno that is over its memory quota, a secret printed by the
// app next to them, and a line that is no log line at all.
const diagnoseLog = `2020-12-07T09:10:10.000000+00:00 app[web.1]: Started GET "/checkout" for 203.0.113.7
2020-12-07T09:10:15.000000+00:00 heroku[web.1]: Process running mem=646M(126.2%)
2020-12-07T09:10:15.000000+00:00 heroku[web.1]: Error R14 (Memory quota exceeded)
2020-12-07T09:10:18.982224+00:00 heroku[router]: at=error code=H12 desc="Request timeout" method=GET path="/checkout" host=acme-api.herokuapp.com request_id=8601b555-6a83-4c12-8bfa-a0c3f8e2f7ab fwd="203.0.113.7" dyno=web.1 connect=0ms service=30000ms status=503 bytes=0 protocol=https
2020-12-07T09:10:19.000000+00:00 app[web.1]: connecting to postgres://acme:s3cretPassw0rd42@db.internal:5432/acme
2020-12-07T09:10:48.100000+00:00 heroku[router]: at=error code=H12 desc="Request timeout" method=GET path="/checkout" host=acme-api.herokuapp.com request_id=9f1c2a44-1b1e-4a3e-9d55-1a2b3c4d5e6f fwd="203.0.113.7" dyno=web.1 connect=1ms service=30001ms status=503 bytes=0 protocol=https
this is not a log line
`

// multipartPart is one part of a form: a field, or a file when filename is
// set.
type multipartPart struct {
	name, filename string
	body           io.Reader
}

// postMultipart submits a multipart form as a same-origin browser would,
// streaming the parts.
func postMultipart(t *testing.T, b *apptest.Browser, target string, parts ...multipartPart) (*http.Response, string) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for _, p := range parts {
			var w io.Writer
			var err error
			if p.filename != "" {
				w, err = mw.CreateFormFile(p.name, p.filename)
			} else {
				w, err = mw.CreateFormField(p.name)
			}
			if err == nil {
				_, err = io.Copy(w, p.body)
			}
			if err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(mw.Close())
	}()
	req, err := http.NewRequest("POST", target, pr)
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
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

var excerptRE = regexp.MustCompile(`(?s)<pre id="excerpt"><code>(.*?)</code></pre>`)

func TestDiagnosePaste(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	b := env.Browser()

	resp, body := b.Get(t, "/diagnose")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /diagnose: %d", resp.StatusCode)
	}
	mustContain(t, body, `enctype="multipart/form-data"`, `name="logs"`, `name="file"`, `name="production"`)

	// Pasted into the textarea, sent as the browser sends this form.
	resp, body = postMultipart(t, b, env.URL+"/diagnose", multipartPart{name: "logs", body: strings.NewReader(diagnoseLog)})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("paste: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, `id="report"`, `<a href="/docs/error-codes#h12-request-timeout">H12</a>`, "Request timeout",
		"2020-12-07 09:10:18 UTC", "<code>web.1</code>", "<code>/checkout</code>", "503", "R14", "Suggested priority",
		"Read 7 lines of the pasted text", `id="sign-in-hint"`)
	if strings.Contains(body, `id="open-ticket"`) {
		t.Error("a signed-out visitor is offered a ticket")
	}
	m := excerptRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no excerpt")
	}
	excerpt := html.UnescapeString(m[1])
	if strings.Contains(excerpt, "s3cretPassw0rd42") || !strings.Contains(excerpt, "code=H12") {
		t.Errorf("excerpt not redacted or without the errors:\n%s", excerpt)
	}
	// The textarea keeps what was pasted.
	if !strings.Contains(body, html.EscapeString(`path="/checkout" host=acme-api.herokuapp.com`)) {
		t.Error("the textarea lost the paste")
	}

	// A form sent without multipart (no enctype) works too.
	resp, body = b.Post(t, "/diagnose", url.Values{"logs": {diagnoseLog}, "production": {"yes"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<a href="/docs/error-codes#h12-request-timeout">H12</a>`) ||
		!strings.Contains(body, `name="production" value="yes" checked`) {
		t.Errorf("urlencoded paste: %d", resp.StatusCode)
	}

	// Nothing to diagnose: the field says so.
	resp, body = postMultipart(t, b, env.URL+"/diagnose", multipartPart{name: "logs", body: strings.NewReader("  \n")})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty: %d", resp.StatusCode)
	}
	mustContain(t, fieldHTML(t, body, "logs"), `aria-invalid="true"`, "paste some log lines or choose a file")
}

func TestDiagnoseUploadTooLarge(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	b := env.Browser()
	big := io.LimitReader(repeatReader(diagnoseLog), web.MaxDiagnoseBytes+1)
	resp, body := postMultipart(t, b, env.URL+"/diagnose",
		multipartPart{name: "logs", body: strings.NewReader("keep me")},
		multipartPart{name: "file", filename: "huge.log", body: big})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("over the limit: %d", resp.StatusCode)
	}
	mustContain(t, body, "larger than 64 MB", "helpline logs diagnose", ">\nkeep me</textarea>")
}

// repeatReader repeats s forever.
type repeatReader string

func (r repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], r)
	}
	return n, nil
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// An uploaded file, diagnosed for a signed-in customer, opens the ticket
// form filled in.
func TestDiagnoseUploadOpensTicket(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme", account.PlanPremier)
	env.Customer(t, "dev@acme.test", org, account.OrgOwner)
	app, err := env.App.Accounts.CreateApp(context.Background(), account.CLI(), org.ID, account.AppInput{Name: "acme-api"})
	if err != nil {
		t.Fatal(err)
	}
	b := env.Browser()
	b.SignIn(t, "dev@acme.test")

	resp, body := postMultipart(t, b, env.URL+"/diagnose",
		multipartPart{name: "production", body: strings.NewReader("yes")},
		multipartPart{name: "logs", body: strings.NewReader("")},
		multipartPart{name: "file", filename: "production.log", body: strings.NewReader(diagnoseLog)})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("upload: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, "Read 7 lines of production.log", `id="open-ticket"`, "Open a ticket from this")

	form := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(body, -1) {
		form.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	for k, want := range map[string]string{
		"action": "prefill", "app_id": itoa(app.ID), "organization_id": itoa(org.ID), "environment": "production",
		"urgent.started_at": "2020-12-07T09:10:15Z", "category": "runtime",
	} {
		if got := form.Get(k); got != want {
			t.Errorf("prefill %s = %q, want %q", k, got, want)
		}
	}
	if form.Get("subject") == "" || form.Get("priority") == "" || !strings.Contains(form.Get("description"), "H12") {
		t.Errorf("prefill: %v", form)
	}
	if logs := form.Get("urgent.logs"); !strings.Contains(logs, "code=H12") || strings.Contains(logs, "s3cretPassw0rd42") {
		t.Errorf("prefill logs:\n%s", logs)
	}

	// The ticket form shows it all filled in; nothing is submitted.
	resp, body = b.Post(t, "/tickets/new", form)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("prefill: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, "Filled in from your log diagnosis",
		`value="`+html.EscapeString(form.Get("subject"))+`"`,
		`value="`+form.Get("priority")+`" checked`,
		`<option value="`+itoa(app.ID)+`" selected>acme-api</option>`,
		`<option value="runtime" selected>`,
		`value="2020-12-07T09:10:15Z"`,
		"code=H12 desc=&#34;Request timeout&#34;")
	var n int
	if err := env.App.DB.QueryRowContext(context.Background(), `SELECT count(*) FROM tickets`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d tickets opened (%v); the form must not submit itself", n, err)
	}

	// The prefill address only fills in.
	resp, _ = b.Post(t, "/tickets/new", url.Values{"subject": {"x"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("without action=prefill: %d", resp.StatusCode)
	}

	// The upload diagnosed the file, not an empty paste; an empty file is
	// an error on the file.
	resp, body = postMultipart(t, b, env.URL+"/diagnose", multipartPart{name: "file", filename: "empty.log", body: bytes.NewReader(nil)})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "empty.log is empty") {
		t.Errorf("empty file: %d", resp.StatusCode)
	}
}

// The diagnosis story in Chromium: a customer pastes logs, reads the
// report, opens a ticket from it and finds the form filled in.
func TestBrowserDiagnoseToTicket(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme", account.PlanPremier)
	env.Customer(t, "dev@acme.test", org, account.OrgOwner)
	app, err := env.App.Accounts.CreateApp(context.Background(), account.CLI(), org.ID, account.AppInput{Name: "acme-api"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.New(t)
	err = chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/signin?next=/diagnose"),
		signIn("dev@acme.test"),
		chromedp.WaitVisible(chromedp.ID("diagnose-form")),
		chromedp.SetValue(chromedp.ID("logs"), diagnoseLog),
		chromedp.Click(chromedp.ID("production")),
		chromedp.Click(chromedp.CSS(`#diagnose-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("report")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "diagnose-report")
	if s := text(t, ctx, "#codes"); !strings.Contains(s, "H12") || !strings.Contains(s, "Request timeout") || !strings.Contains(s, "/checkout") {
		t.Errorf("codes table:\n%s", s)
	}
	if got, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("logs"))); err != nil || !strings.Contains(got, "code=H12") {
		t.Errorf("the textarea lost the paste: %q (%v)", got, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#open-ticket button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("ticket-form")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "diagnose-ticket")
	for id, want := range map[string]string{"app-id": itoa(app.ID), "category": "runtime", "environment": "production", "urgent-started-at": "2020-12-07T09:10:15Z"} {
		if got, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID(id))); err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", id, got, err, want)
		}
	}
	for _, id := range []string{"subject", "description", "urgent-logs"} {
		if got, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID(id))); err != nil || got == "" {
			t.Errorf("%s is empty (%v)", id, err)
		}
	}
	if got, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("urgent-logs"))); err != nil || strings.Contains(got, "s3cretPassw0rd42") {
		t.Errorf("logs leak the password (%v):\n%s", err, got)
	}
	var n int
	if err := env.App.DB.QueryRowContext(context.Background(), `SELECT count(*) FROM tickets`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d tickets opened (%v); the form must not submit itself", n, err)
	}
}

// A newcomer without logs gets a real-looking one to diagnose.
func TestDiagnoseExample(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	b := env.Browser()
	resp, body := b.Get(t, "/diagnose?example=1")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /diagnose?example=1: %d", resp.StatusCode)
	}
	mustContain(t, body, "Error R14 (Memory quota exceeded)", "code=H12", `name="production" value="yes" checked`)
	resp, body = postMultipart(t, b, env.URL+"/diagnose",
		multipartPart{name: "production", body: strings.NewReader("yes")},
		multipartPart{name: "logs", body: strings.NewReader(exampleLog(t))})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("diagnose the example: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, "R14", "H12", "/docs/error-codes#r14-memory-quota-exceeded")
}

func exampleLog(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("static/example.log")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
