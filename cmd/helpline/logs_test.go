package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

// The diagnosis runs offline: no server, no database, no token.
func TestLogsDiagnose(t *testing.T) {
	file := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(file, []byte(diagnoseLog), 0o600); err != nil {
		t.Fatal(err)
	}
	noServer := map[string]string{}

	r := mustRunIn(t, noServer, "", "logs", "diagnose", file)
	for _, want := range []string{"Read 7 lines", "CODE", "H12", "R14", "web.1", "/checkout", "2020-12-07 09:10:18", "Request timeout",
		"/docs/error-codes#h12-request-timeout", "Suggested priority:", "First error at: 2020-12-07T09:10:15Z"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "http") {
		t.Errorf("without HELPLINE_URL the links are relative:\n%s", r.stdout)
	}

	// From standard input, as JSON, links made absolute from HELPLINE_URL.
	for _, args := range [][]string{{"logs", "diagnose", "--json", "-"}, {"logs", "diagnose", "--json", "--production"}} {
		r = mustRunIn(t, map[string]string{"HELPLINE_URL": "https://help.example.com/"}, diagnoseLog, args...)
		var doc map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, r.stdout)
		}
		for _, k := range []string{"codes", "findings", "suggested_priority", "lines", "excerpt", "started_at"} {
			if _, ok := doc[k]; !ok {
				t.Errorf("%v: no %q", args, k)
			}
		}
		if lines, _ := doc["lines"].(map[string]any); lines["total"] != 7.0 {
			t.Errorf("%v: lines = %v", args, doc["lines"])
		}
		if !strings.Contains(r.stdout, `"article_url": "https://help.example.com/docs/error-codes#h12-request-timeout"`) ||
			!strings.Contains(r.stdout, `"first_at": "2020-12-07T09:10:18.982224Z"`) {
			t.Errorf("%v:\n%s", args, r.stdout)
		}
		if strings.Contains(r.stdout, "s3cretPassw0rd42") {
			t.Errorf("%v: the excerpt leaks the password", args)
		}
	}

	// Nothing but garbage still succeeds: unknown lines are counted.
	r = mustRunIn(t, noServer, "\x00\x01 not a log\n\n", "logs", "diagnose")
	if !strings.Contains(r.stdout, "No platform error codes") {
		t.Errorf("garbage:\n%s", r.stdout)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"logs"}, 2, "Usage: helpline logs diagnose"},
		{[]string{"logs", "tail"}, 2, `unknown command "tail"`},
		{[]string{"logs", "diagnose", "a.log", "b.log"}, 2, "give one file"},
		{[]string{"logs", "diagnose", "--nope"}, 2, "flag provided but not defined"},
		{[]string{"logs", "diagnose", filepath.Join(t.TempDir(), "missing.log")}, 1, "no such file"},
	} {
		r := runIn(t, noServer, "", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: %s", tc.args, r)
		}
	}
	if r := mustRunIn(t, noServer, "", "logs", "help"); !strings.Contains(r.stdout, "--production") {
		t.Errorf("help: %s", r)
	}
}
