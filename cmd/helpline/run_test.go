package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpline-dev/helpline/internal/dbtest"
)

// hangGuard bounds every wait on a server; it catches hangs and is not a
// timing assertion.
const hangGuard = 30 * time.Second

// testEnv returns the environment of a helpline process with a database of
// the test's own (SQLite, or PostgreSQL when HELPLINE_TEST_DATABASE_URL is set).
func testEnv(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{
		"DATABASE_URL":      dbtest.URL(t),
		"HELPLINE_DATA_DIR": t.TempDir(),
		"PORT":              "0",
	}
}

// with returns a copy of env with the given variables set.
func with(env map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(env)+len(kv)/2)
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func getenvFrom(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// result is what one run of the CLI left behind.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return "exit " + strconv.Itoa(r.code) + "\nstdout:\n" + r.stdout + "\nstderr:\n" + r.stderr
}

// runCLI runs one command to completion.
func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, getenvFrom(env), strings.NewReader(""), &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// mustRun runs a command that has to succeed.
func mustRun(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	r := runCLI(t, env, args...)
	if r.code != 0 {
		t.Fatalf("helpline %s: %s", strings.Join(args, " "), r)
	}
	return r
}

func TestTopLevelCommands(t *testing.T) {
	env := testEnv(t)
	for _, tc := range []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{
			name:     "help lists every command",
			args:     []string{"--help"},
			wantCode: 0,
			wantStdout: []string{"serve", "--demo", "migrate", "version", "admin create-org", "admin create-user",
				"admin create-token", "whoami"},
		},
		{name: "help word", args: []string{"help"}, wantCode: 0, wantStdout: []string{"admin create-token", "whoami"}},
		{name: "-h", args: []string{"-h"}, wantCode: 0, wantStdout: []string{"Usage: helpline"}},
		{name: "no command shows usage", args: nil, wantCode: 2, wantStderr: []string{"Usage: helpline"}},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: 2, wantStderr: []string{`unknown command "frobnicate"`, "Usage: helpline"}},
		{name: "version", args: []string{"version"}, wantCode: 0, wantStdout: []string{"helpline"}},
		{name: "--version", args: []string{"--version"}, wantCode: 0, wantStdout: []string{"helpline"}},
		{name: "migrate", args: []string{"migrate"}, wantCode: 0, wantStdout: []string{"migrated"}},
		{name: "migrate twice is a no-op", args: []string{"migrate"}, wantCode: 0, wantStdout: []string{"migrated"}},
		{name: "serve -h", args: []string{"serve", "-h"}, wantCode: 0, wantStderr: []string{"-demo"}},
		{name: "serve unknown flag", args: []string{"serve", "--bogus"}, wantCode: 2, wantStderr: []string{"-bogus"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, env, tc.args...)
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s", r.code, tc.wantCode, r)
			}
			for _, want := range tc.wantStdout {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout does not mention %q\n%s", want, r)
				}
			}
			for _, want := range tc.wantStderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr does not mention %q\n%s", want, r)
				}
			}
		})
	}
}

func TestVersionIsOneLine(t *testing.T) {
	r := mustRun(t, nil, "version")
	if !strings.HasPrefix(r.stdout, "helpline ") || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("version output %q, want one line starting with \"helpline \"", r.stdout)
	}
}

// adminSetup is the admin flow the project's checks use.
var adminSetup = [][]string{
	{"admin", "create-org", "--name", "Acme", "--plan", "premier"},
	{"admin", "create-user", "--email", "a@acme.test", "--name", "A", "--password", "long enough pw", "--org", "Acme", "--role", "owner"},
	{"admin", "create-user", "--email", "s@helpline.test", "--name", "S", "--password", "long enough pw", "--staff", "agent"},
}

func TestAdminFlow(t *testing.T) {
	env := testEnv(t)
	wantStdout := []string{
		`created organization 1 "Acme" on the premier plan`,
		"a@acme.test (owner of Acme)",
		"s@helpline.test (staff agent)",
	}
	for i, args := range adminSetup {
		r := mustRun(t, env, args...)
		if !strings.Contains(r.stdout, wantStdout[i]) {
			t.Errorf("helpline %s: stdout %q, want it to mention %q", strings.Join(args, " "), r.stdout, wantStdout[i])
		}
	}

	for _, email := range []string{"a@acme.test", "s@helpline.test", "A@ACME.TEST"} {
		t.Run("create-token "+email, func(t *testing.T) {
			r := mustRun(t, env, "admin", "create-token", "--email", email)
			token := checkTokenOutput(t, r.stdout)
			// A second token is a different token.
			r2 := mustRun(t, env, "admin", "create-token", "--email", email, "--name", "ci")
			if token2 := checkTokenOutput(t, r2.stdout); token2 == token {
				t.Errorf("two create-token runs printed the same token %q", token)
			}
		})
	}
}

// checkTokenOutput checks that stdout is exactly one line holding a token,
// so `TOKEN=$(helpline admin create-token …)` works, and returns the token.
func checkTokenOutput(t *testing.T, stdout string) string {
	t.Helper()
	if !strings.HasSuffix(stdout, "\n") || strings.Count(stdout, "\n") != 1 {
		t.Fatalf("create-token stdout %q, want exactly one line", stdout)
	}
	token := strings.TrimSuffix(stdout, "\n")
	if !regexp.MustCompile(`^hlp_\S+$`).MatchString(token) {
		t.Fatalf("create-token stdout %q, want only a token starting with hlp_", stdout)
	}
	return token
}

func TestAdminBadInput(t *testing.T) {
	env := testEnv(t)
	for _, args := range adminSetup {
		mustRun(t, env, args...)
	}
	pw := "long enough pw"
	for _, tc := range []struct {
		name string
		env  map[string]string // nil: env
		args []string
		want []string // on stderr, each
	}{
		{
			name: "unknown plan",
			args: []string{"admin", "create-org", "--name", "Initech", "--plan", "platinum"},
			want: []string{"--plan", "free, standard, enterprise, premier, legacy_enterprise"},
		},
		{
			name: "missing plan",
			args: []string{"admin", "create-org", "--name", "Initech"},
			want: []string{"--plan"},
		},
		{
			name: "missing org name",
			args: []string{"admin", "create-org", "--plan", "free"},
			want: []string{"--name is required"},
		},
		{
			name: "duplicate org",
			args: []string{"admin", "create-org", "--name", "Acme", "--plan", "free"},
			want: []string{"--name is already taken"},
		},
		{
			name: "duplicate email",
			args: []string{"admin", "create-user", "--email", "a@acme.test", "--name", "A2", "--password", pw, "--org", "Acme"},
			want: []string{"--email is already registered"},
		},
		{
			name: "duplicate email in other case",
			args: []string{"admin", "create-user", "--email", "S@Helpline.test", "--name", "S2", "--password", pw, "--staff", "csa"},
			want: []string{"already registered"},
		},
		{
			name: "missing org",
			args: []string{"admin", "create-user", "--email", "b@acme.test", "--name", "B", "--password", pw, "--org", "Nope"},
			want: []string{`no organization named "Nope"`, "create-org"},
		},
		{
			name: "both org and staff",
			args: []string{"admin", "create-user", "--email", "b@acme.test", "--name", "B", "--password", pw, "--org", "Acme", "--staff", "agent"},
			want: []string{"--org", "--staff", "not both"},
		},
		{
			name: "neither org nor staff",
			args: []string{"admin", "create-user", "--email", "b@acme.test", "--name", "B", "--password", pw},
			want: []string{"--org", "--staff"},
		},
		{
			name: "short password",
			args: []string{"admin", "create-user", "--email", "b@acme.test", "--name", "B", "--password", "short", "--org", "Acme"},
			want: []string{"--password", "at least 10 characters"},
		},
		{
			name: "bad email",
			args: []string{"admin", "create-user", "--email", "not-an-email", "--name", "B", "--password", pw, "--org", "Acme"},
			want: []string{"--email"},
		},
		{
			name: "unknown org role",
			args: []string{"admin", "create-user", "--email", "b@acme.test", "--name", "B", "--password", pw, "--org", "Acme", "--role", "boss"},
			want: []string{"--role", "member or owner"},
		},
		{
			name: "unknown staff role",
			args: []string{"admin", "create-user", "--email", "b@helpline.test", "--name", "B", "--password", pw, "--staff", "janitor"},
			want: []string{"--staff", "agent, csa or admin"},
		},
		{
			name: "create-token for an unknown email",
			args: []string{"admin", "create-token", "--email", "nobody@acme.test"},
			want: []string{`no user with email "nobody@acme.test"`},
		},
		{
			name: "create-token without email",
			args: []string{"admin", "create-token"},
			want: []string{"--email is required"},
		},
		{
			name: "unknown admin subcommand",
			args: []string{"admin", "delete-everything"},
			want: []string{`unknown admin command "delete-everything"`, "create-org, create-user, create-token or seed-tickets"},
		},
		{
			name: "admin without subcommand",
			args: []string{"admin"},
			want: []string{"usage: helpline admin"},
		},
		{
			name: "unknown flag",
			args: []string{"admin", "create-org", "--colour", "red"},
			want: []string{"-colour"},
		},
		{
			name: "invalid DATABASE_URL for admin",
			env:  with(env, "DATABASE_URL", "mysql://x"),
			args: []string{"admin", "create-org", "--name", "Initech", "--plan", "free"},
			want: []string{"DATABASE_URL", "postgres://"},
		},
		{
			name: "invalid DATABASE_URL for migrate",
			env:  with(env, "DATABASE_URL", "mysql://x"),
			args: []string{"migrate"},
			want: []string{"DATABASE_URL", "postgres://"},
		},
		{
			name: "invalid DATABASE_URL for serve",
			env:  with(env, "DATABASE_URL", "mysql://x"),
			args: []string{"serve"},
			want: []string{"DATABASE_URL", "postgres://"},
		},
		{
			name: "unreachable PostgreSQL",
			env:  with(env, "DATABASE_URL", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=5"),
			args: []string{"migrate"},
			want: []string{"connect to postgres"},
		},
		{
			name: "invalid PORT",
			env:  with(env, "PORT", "eighty"),
			args: []string{"serve"},
			want: []string{"PORT", "port number"},
		},
		{
			name: "whoami without a token",
			args: []string{"whoami"},
			want: []string{"HELPLINE_TOKEN"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.env
			if e == nil {
				e = env
			}
			r := runCLI(t, e, tc.args...)
			if r.code == 0 {
				t.Fatalf("helpline %s: exit 0, want an error\n%s", strings.Join(tc.args, " "), r)
			}
			for _, want := range tc.want {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr does not mention %q\n%s", want, r)
				}
			}
			if strings.Contains(r.stdout, "created") || strings.Contains(r.stdout, "hlp_") {
				t.Errorf("a failed command reported success on stdout\n%s", r)
			}
		})
	}

	// Nothing the failed commands tried was created.
	r := mustRun(t, env, "admin", "create-user", "--email", "b@acme.test", "--name", "B", "--password", pw, "--org", "acme")
	if !strings.Contains(r.stdout, "b@acme.test (member of acme)") {
		t.Errorf("create-user after failures: %s", r)
	}
	if r := runCLI(t, env, "admin", "create-org", "--name", "Initech", "--plan", "free"); r.code != 0 {
		t.Errorf("create-org Initech after failed attempts: %s", r)
	}
}

// syncBuffer is a buffer a running server writes to while the test reads it;
// changed is signalled on every write.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{}, 1)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	select {
	case b.changed <- struct{}{}:
	default:
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runningServer is `helpline serve` running in the test's process.
type runningServer struct {
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan int // receives run's exit code
	code           int
	exited         bool
	URL            string // from the greeting
}

var greeting = regexp.MustCompile(`Helpline .* is running at (http://localhost:\d+) on `)

// startServer runs `helpline serve args…` until stop, and waits for it to
// print its address and answer /readyz (which it does only after greeting,
// so stdout is complete when this returns).
func startServer(t *testing.T, env map[string]string, args ...string) *runningServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &runningServer{stdout: newSyncBuffer(), stderr: newSyncBuffer(), cancel: cancel, done: make(chan int, 1)}
	go func() {
		s.done <- run(ctx, append([]string{"serve"}, args...), getenvFrom(env), strings.NewReader(""), s.stdout, s.stderr)
	}()
	t.Cleanup(func() {
		if !s.exited {
			s.cancel()
			select {
			case <-s.done:
			case <-time.After(hangGuard):
				t.Errorf("server did not stop within %s of cleanup", hangGuard)
			}
		}
	})
	m := s.waitFor(t, greeting)
	s.URL = m[1]
	res, body := get(t, s.URL+"/readyz")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "ready") {
		t.Fatalf("GET /readyz: %d %s", res.StatusCode, body)
	}
	return s
}

// waitFor waits until stdout matches re and returns the submatches.
func (s *runningServer) waitFor(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	guard := time.After(hangGuard)
	for {
		if m := re.FindStringSubmatch(s.stdout.String()); m != nil {
			return m
		}
		select {
		case <-s.stdout.changed:
		case code := <-s.done:
			s.exited, s.code = true, code
			t.Fatalf("server exited with %d before printing %s\nstdout:\n%s\nstderr:\n%s", code, re, s.stdout, s.stderr)
		case <-guard:
			t.Fatalf("server printed no match for %s within %s\nstdout:\n%s\nstderr:\n%s", re, hangGuard, s.stdout, s.stderr)
		}
	}
}

// stop cancels the server's context and checks it shuts down cleanly.
func (s *runningServer) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		s.exited, s.code = true, code
		if code != 0 {
			t.Fatalf("serve exited with %d after its context was cancelled, want 0 (graceful shutdown)\nstderr:\n%s", code, s.stderr)
		}
	case <-time.After(hangGuard):
		t.Fatalf("serve did not return within %s of its context being cancelled\nstderr:\n%s", hangGuard, s.stderr)
	}
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	c := &http.Client{Timeout: hangGuard}
	res, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	return res, string(b)
}

func TestTokenWorksAgainstServer(t *testing.T) {
	env := testEnv(t)
	for _, args := range adminSetup {
		mustRun(t, env, args...)
	}
	token := checkTokenOutput(t, mustRun(t, env, "admin", "create-token", "--email", "a@acme.test").stdout)
	staffToken := checkTokenOutput(t, mustRun(t, env, "admin", "create-token", "--email", "s@helpline.test").stdout)

	s := startServer(t, env)
	if !strings.Contains(s.stdout.String(), s.URL) || strings.Contains(s.stdout.String(), "/setup?token=") {
		t.Errorf("greeting on a database with users:\n%s", s.stdout)
	}

	for _, tc := range []struct {
		name     string
		token    string
		wantCode int
		want     []string // on stdout when wantCode is 0, else on stderr
	}{
		{"customer owner", token, 0, []string{"a@acme.test", "owner of Acme"}},
		{"staff agent", staffToken, 0, []string{"s@helpline.test", "staff: agent"}},
		{"unknown token", "hlp_not-a-real-token", 1, []string{"helpline:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, with(env, "HELPLINE_URL", s.URL, "HELPLINE_TOKEN", tc.token), "whoami")
			if r.code != tc.wantCode {
				t.Fatalf("whoami: exit %d, want %d\n%s", r.code, tc.wantCode, r)
			}
			out := r.stdout
			if tc.wantCode != 0 {
				out = r.stderr
			}
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("whoami does not mention %q\n%s", want, r)
				}
			}
		})
	}

	s.stop(t)

	// Once stopped, the address no longer answers and whoami says so.
	r := runCLI(t, with(env, "HELPLINE_URL", s.URL, "HELPLINE_TOKEN", token), "whoami")
	if r.code == 0 || r.stderr == "" {
		t.Errorf("whoami against a stopped server: %s", r)
	}
}

func TestServeGreeting(t *testing.T) {
	demoLoaded := regexp.MustCompile(`Demo data loaded\. Sign in at http://localhost:\d+/signin with any of these \(password "helpline-demo"\)`)
	setupLink := regexp.MustCompile(`(http://localhost:\d+/setup\?token=\S+)`)

	t.Run("demo on an empty database, then again", func(t *testing.T) {
		env := testEnv(t)
		s := startServer(t, env, "--demo")
		out := s.stdout.String()
		for _, want := range []string{"admin@helpline.test", "staff: admin", "owner@acme.test", "helpline-demo"} {
			if !strings.Contains(out, want) {
				t.Errorf("first --demo start does not mention %q:\n%s", want, out)
			}
		}
		if !demoLoaded.MatchString(out) || strings.Contains(out, "/setup?token=") {
			t.Errorf("first --demo start:\n%s", out)
		}
		s.stop(t)

		// HELPLINE_DEMO=1 is the same as --demo; the data is not loaded twice.
		for _, start := range []struct {
			env  map[string]string
			args []string
		}{
			{env, []string{"--demo"}},
			{with(env, "HELPLINE_DEMO", "1"), nil},
		} {
			s := startServer(t, start.env, start.args...)
			out := s.stdout.String()
			if demoLoaded.MatchString(out) || strings.Contains(out, "owner@acme.test") {
				t.Errorf("second demo start loaded the demo data again:\n%s", out)
			}
			if !strings.Contains(out, `Demo data is loaded: sign in`) || !strings.Contains(out, "helpline-demo") {
				t.Errorf("second demo start does not say the demo data is there:\n%s", out)
			}
			s.stop(t)
		}

		// The demo users are real: the CLI finds them.
		checkTokenOutput(t, mustRun(t, env, "admin", "create-token", "--email", "admin@helpline.test").stdout)
	})

	t.Run("no demo on an empty database prints a setup link", func(t *testing.T) {
		env := testEnv(t)
		s := startServer(t, env)
		out := s.stdout.String()
		m := setupLink.FindStringSubmatch(out)
		if m == nil || !strings.HasPrefix(m[1], s.URL+"/setup?token=") {
			t.Fatalf("serve on an empty database prints no setup link on %s:\n%s", s.URL, out)
		}
		if strings.Contains(out, "helpline-demo") {
			t.Errorf("serve without --demo mentions demo data:\n%s", out)
		}
		if res, body := get(t, m[1]); res.StatusCode != http.StatusOK {
			t.Errorf("GET setup link: %d\n%s", res.StatusCode, body)
		}
		if res, _ := get(t, s.URL+"/setup?token=wrong"); res.StatusCode == http.StatusOK {
			t.Errorf("GET /setup with a wrong token: 200, want a refusal")
		}
		s.stop(t)

		// With a user, the next start prints no setup link.
		mustRun(t, env, "admin", "create-user", "--email", "root@helpline.test", "--name", "Root", "--password", "long enough pw", "--staff", "admin")
		s = startServer(t, env)
		if out := s.stdout.String(); strings.Contains(out, "/setup?token=") {
			t.Errorf("serve with a user still prints a setup link:\n%s", out)
		}
		s.stop(t)
	})
}
