package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
)

// logplexFrame is one octet-counted RFC 5424 frame as a log drain posts it.
func logplexFrame(msg string) string {
	msg += "\n"
	return fmt.Sprintf("%d %s", len(msg), msg)
}

// h12Batch is n router timeouts at at, as logplex delivers them.
func h12Batch(at time.Time, n int) string {
	var b strings.Builder
	for i := range n {
		ts := at.Add(time.Duration(i) * time.Millisecond).UTC().Format("2006-01-02T15:04:05.000000+00:00")
		b.WriteString(logplexFrame(fmt.Sprintf(`<158>1 %s host heroku router - at=error code=H12 desc="Request timeout" method=GET path="/reports" host=acme-api.herokuapp.com request_id=5d3c9a0e-%04d fwd="203.0.113.9" dyno=web.1 connect=0ms service=30000ms status=503 bytes=0 protocol=https`, ts, i)))
	}
	return b.String()
}

func postLogplex(t *testing.T, env *apptest.Env, path, frameID, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", env.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/logplex-1")
	req.Header.Set("Logplex-Msg-Count", fmt.Sprint(strings.Count(body, "\n")))
	req.Header.Set("Logplex-Frame-Id", frameID)
	req.Header.Set("User-Agent", "Logplex/v123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

var drainURLRE = regexp.MustCompile(`http://[^<"\s]+/drains/(hld_[a-z0-9]+)`)

func TestDrainPagesAndIngest(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	acme := env.Org(t, "Acme", account.PlanStandard)
	env.Customer(t, "owner@acme.test", acme, account.OrgOwner)
	env.Customer(t, "dev@acme.test", acme, account.OrgMember)
	app, err := env.App.Accounts.CreateApp(ctx, account.CLI(), acme.ID, account.AppInput{Name: "acme-api"})
	if err != nil {
		t.Fatal(err)
	}
	globex := env.Org(t, "Globex", account.PlanStandard)
	env.Customer(t, "owner@globex.test", globex, account.OrgOwner)
	appPath := fmt.Sprintf("/drains/apps/%d", app.ID)

	owner := env.Browser()
	owner.SignIn(t, "owner@acme.test")
	if resp, body := owner.Get(t, "/drains"); resp.StatusCode != 200 || !strings.Contains(body, "acme-api") || !strings.Contains(body, appPath) {
		t.Fatalf("GET /drains = %d\n%s", resp.StatusCode, body)
	}
	// A typo keeps what was typed and names the field.
	resp, body := owner.Post(t, appPath, url.Values{"posted": {"1"}, "notify": {"on"}, "min_errors_per_minute": {"lots"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "must be a whole number") || !strings.Contains(body, `value="lots"`) {
		t.Fatalf("bad form = %d\n%s", resp.StatusCode, body)
	}
	resp, body = owner.Post(t, appPath, url.Values{"posted": {"1"}, "notify": {"on"}, "min_errors_per_minute": {"20"}})
	m := drainURLRE.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("create drain = %d, no drain URL\n%s", resp.StatusCode, body)
	}
	token := m[1]
	// The token is shown once.
	if _, body := owner.Get(t, appPath); strings.Contains(body, token) {
		t.Fatal("the settings page shows the token again")
	}

	// The platform posts: no session, no CSRF token, no Origin.
	if resp := postLogplex(t, env, "/drains/"+token, "f-1", h12Batch(time.Now(), 30)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("ingest = %d, want 204", resp.StatusCode)
	}
	if resp := postLogplex(t, env, "/drains/"+token, "f-1", h12Batch(time.Now(), 30)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("retry = %d, want 204", resp.StatusCode)
	}
	if resp := postLogplex(t, env, "/drains/hld_unknown", "f-2", h12Batch(time.Now(), 1)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown token = %d, want 404", resp.StatusCode)
	}
	one := h12Batch(time.Now(), 1)
	huge := strings.Repeat(one, (1<<20)/len(one)+1)
	if resp := postLogplex(t, env, "/drains/"+token, "f-3", huge); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversize = %d, want 413", resp.StatusCode)
	}

	dev := env.Browser()
	dev.SignIn(t, "dev@acme.test")
	_, notices := dev.Get(t, "/notices")
	if !strings.Contains(notices, "Error surge on acme-api: 30 H12 in the last 5 minutes") {
		t.Fatalf("member's notices lack the surge\n%s", notices)
	}
	surgePath := regexp.MustCompile(`/drains/surges/\d+`).FindString(notices)
	resp, body = dev.Get(t, surgePath)
	if resp.StatusCode != 200 || !strings.Contains(body, "Ongoing") || !strings.Contains(body, `href="/diagnose"`) || !strings.Contains(body, "H12 × 30") {
		t.Fatalf("surge page = %d\n%s", resp.StatusCode, body)
	}
	// A member sees the drain but cannot change it.
	if resp, _ := dev.Post(t, appPath+"/rotate", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("member rotate = %d, want 403", resp.StatusCode)
	}

	outsider := env.Browser()
	outsider.SignIn(t, "owner@globex.test")
	for _, path := range []string{appPath, surgePath} {
		if resp, _ := outsider.Get(t, path); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("outsider GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, _ := outsider.Post(t, appPath+"/delete", url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("outsider delete = %d, want 404", resp.StatusCode)
	}

	// Rotating retires the old URL; deleting retires the drain.
	resp, body = owner.Post(t, appPath+"/rotate", url.Values{})
	m = drainURLRE.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil || m[1] == token {
		t.Fatalf("rotate = %d\n%s", resp.StatusCode, body)
	}
	if resp := postLogplex(t, env, "/drains/"+token, "f-4", h12Batch(time.Now(), 1)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("old token = %d, want 404", resp.StatusCode)
	}
	if resp, _ := owner.Post(t, appPath+"/delete", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete = %d", resp.StatusCode)
	}
	if resp := postLogplex(t, env, "/drains/"+m[1], "f-5", h12Batch(time.Now(), 1)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("deleted drain = %d, want 404", resp.StatusCode)
	}
}
