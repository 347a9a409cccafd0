package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/api"
	"github.com/helpline-dev/helpline/internal/apptest"
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

func TestDiagnoseAPI(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	anon := client.New(env.URL, "")

	d, err := anon.Diagnose(ctx, strings.NewReader(diagnoseLog), false)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(d.Codes, func(c client.DiagnosisCode) bool { return c.Code == "H12" })
	if i < 0 {
		t.Fatalf("no H12 in %+v", d.Codes)
	}
	h12 := d.Codes[i]
	if h12.Count != 2 || h12.Title != "Request timeout" || h12.ArticleURL != "/docs/error-codes#h12-request-timeout" || h12.Cause == "" ||
		h12.FirstAt.Format("2006-01-02T15:04:05.000000Z07:00") != "2020-12-07T09:10:18.982224Z" ||
		!slices.Contains(h12.Dynos, "web.1") || !slices.Contains(h12.Paths, "/checkout") || !slices.Contains(h12.Statuses, 503) {
		t.Errorf("H12 = %+v", h12)
	}
	if d.Lines.Total != 7 || d.Lines.Errors != 3 {
		t.Errorf("lines = %+v", d.Lines)
	}
	if d.SuggestedPriority == "urgent" {
		t.Errorf("urgent without production: %s", d.PriorityReason)
	}
	if d.StartedAt == nil || d.Excerpt == "" {
		t.Errorf("started_at %v, excerpt %q", d.StartedAt, d.Excerpt)
	}
	if strings.Contains(d.Excerpt, "s3cretPassw0rd42") {
		t.Errorf("the excerpt leaks the password:\n%s", d.Excerpt)
	}

	// The JSON has the shape, lists as [] even when empty.
	raw := postDiagnose(t, env.URL+"/api/v1/diagnose?production=true", "text/plain", strings.NewReader(diagnoseLog))
	if raw.StatusCode != http.StatusOK {
		t.Fatalf("status %d", raw.StatusCode)
	}
	var doc map[string]any
	if err := json.NewDecoder(raw.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	raw.Body.Close()
	for _, k := range []string{"codes", "findings", "suggested_priority", "lines", "excerpt", "started_at"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("no %q in %v", k, doc)
		}
	}
	lines, _ := doc["lines"].(map[string]any)
	if _, ok := lines["total"]; !ok {
		t.Errorf("lines = %v", lines)
	}
	if _, ok := lines["unparsed"]; !ok {
		t.Errorf("lines = %v", lines)
	}
	codes, _ := doc["codes"].([]any)
	if len(codes) == 0 {
		t.Fatalf("codes = %v", doc["codes"])
	}
	code, _ := codes[0].(map[string]any)
	for _, k := range []string{"code", "count", "first_at", "last_at", "dynos", "paths", "article_url", "cause"} {
		if _, ok := code[k]; !ok {
			t.Errorf("no %q in a code: %v", k, code)
		}
	}

	empty := postDiagnose(t, env.URL+"/api/v1/diagnose", "application/octet-stream", strings.NewReader(""))
	body, _ := io.ReadAll(empty.Body)
	empty.Body.Close()
	if empty.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"codes": []`)) || !bytes.Contains(body, []byte(`"findings": []`)) {
		t.Errorf("empty log: %d %s", empty.StatusCode, body)
	}

	for _, tc := range []struct{ name, url, ct, want string }{
		{"bad production", "/api/v1/diagnose?production=maybe", "text/plain", "production"},
		{"JSON body", "/api/v1/diagnose", "application/json", "text/plain"},
	} {
		resp := postDiagnose(t, env.URL+tc.url, tc.ct, strings.NewReader(diagnoseLog))
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), tc.want) {
			t.Errorf("%s: %d %s", tc.name, resp.StatusCode, body)
		}
	}
}

func TestDiagnoseAPITooLarge(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	// One byte over the limit, generated as it is sent.
	big := io.LimitReader(repeatReader(diagnoseLog), api.MaxDiagnoseBytes+1)
	_, err := client.New(env.URL, "").Diagnose(context.Background(), big, false)
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("over the limit: %v", err)
	}
}

func postDiagnose(t *testing.T, url, contentType string, body io.Reader) *http.Response {
	t.Helper()
	resp, err := http.Post(url, contentType, body)
	if err != nil {
		t.Fatal(err)
	}
	return resp
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
