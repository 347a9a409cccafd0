package browsertest_test

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/helpline-dev/helpline/internal/browsertest"
)

var echoPages = template.Must(template.New("form").Parse(`<!doctype html>
<title>Echo</title>
<form method="post" action="/echo">
  <label for="message">Message</label>
  <input id="message" name="message">
  <button type="submit">Send</button>
</form>
{{define "echo"}}<!doctype html>
<title>Echo</title>
<p id="echo">{{.}}</p>
{{end}}`))

// TestNewDrivesAForm proves the harness on this machine: Chromium starts,
// types into a form, submits it and reads the server's answer.
func TestNewDrivesAForm(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if err := echoPages.Execute(w, nil); err != nil {
			t.Errorf("form page: %v", err)
		}
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		if err := echoPages.ExecuteTemplate(w, "echo", r.PostFormValue("message")); err != nil {
			t.Errorf("echo page: %v", err)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	ctx := browsertest.New(t)
	const typed = "My deploy fails: exit 137 & <no logs>"
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL),
		chromedp.SendKeys(chromedp.ID("message"), typed),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("echo")),
	)
	if err != nil {
		t.Fatalf("driving the form: %v", err)
	}
	got, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("echo")))
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	if got != typed {
		t.Errorf("echoed text = %q, want %q", got, typed)
	}
}
