package web_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/status"
)

// herokuCLI finds the `heroku` command scripts/ensure-heroku-cli installed:
// HELPLINE_HEROKU_CLI, else the script's cache directory.
func herokuCLI(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("HELPLINE_HEROKU_CLI"); p != "" {
		return p
	}
	dir := os.Getenv("HELPLINE_HEROKU_CLI_DIR")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(cache, "helpline", "heroku-cli")
	}
	p := filepath.Join(dir, "node_modules", ".bin", "heroku")
	if _, err := os.Stat(p); err != nil {
		// scripts/test sets HELPLINE_REQUIRE_HEROKU_CLI, so the suite never
		// skips this silently; a bare `go test` may.
		if os.Getenv("HELPLINE_REQUIRE_HEROKU_CLI") != "" {
			t.Fatalf("the Heroku CLI is required but missing at %s: run scripts/ensure-heroku-cli", p)
		}
		t.Skipf("the Heroku CLI is not installed at %s: run scripts/ensure-heroku-cli (scripts/test does)", p)
	}
	return p
}

// runHerokuStatus runs the real `heroku status` against url, cut off from
// everything else: a fresh HOME, no analytics, telemetry or update checks,
// and an unreachable HTTPS proxy, so a stray call home fails at once
// instead of hanging (our server is plain HTTP and unaffected).
func runHerokuStatus(t *testing.T, cli, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, cli, "status")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"HEROKU_STATUS_HOST=" + url,
		"HEROKU_SKIP_ANALYTICS=1",
		"HEROKU_SKIP_NEW_VERSION_CHECK=true",
		"HEROKU_UPDATE_INSTRUCTIONS=none",
		"HIDE_HEROKU_RELEASE_NOTES=1",
		"DISABLE_TELEMETRY=true",
		"NO_COLOR=1",
		"HTTPS_PROXY=http://127.0.0.1:9",
		"https_proxy=http://127.0.0.1:9",
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("heroku status: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	t.Logf("heroku status:\n%s", stdout.String())
	return stdout.String()
}

// TestHerokuCLIStatus runs the platform's own CLI, installed from npm,
// against a real server: all green on a fresh page, then an incident with
// its updates.
func TestHerokuCLIStatus(t *testing.T) {
	cli := herokuCLI(t)
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	svc, admin := env.App.Status, account.CLI()
	var data status.Component
	for _, name := range []string{"Apps", "Data", "Tools"} {
		g, err := svc.CreateComponent(ctx, admin, status.ComponentInput{Name: name, Group: true})
		if err != nil {
			t.Fatal(err)
		}
		c, err := svc.CreateComponent(ctx, admin, status.ComponentInput{Name: name + " core", GroupID: g.ID})
		if err != nil {
			t.Fatal(err)
		}
		if name == "Data" {
			data = c
		}
	}

	out := runHerokuStatus(t, cli, env.URL)
	for _, system := range []string{"Apps", "Data", "Tools"} {
		if !strings.Contains(out, system+":") || !lineHas(out, system+":", "No known issues at this time.") {
			t.Errorf("heroku status does not report %s green:\n%s", system, out)
		}
	}

	inc, err := svc.CreateIncident(ctx, admin, status.IncidentInput{Name: "Postgres connection errors", Status: status.Investigating,
		Body: "Some databases refuse connections.", Components: []status.ComponentChange{{ComponentID: data.ID, Status: status.PartialOutage}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PostUpdate(ctx, admin, inc.ID, status.UpdateInput{Status: status.Identified, Body: "A failed disk; failing over."}); err != nil {
		t.Fatal(err)
	}
	out = runHerokuStatus(t, cli, env.URL)
	for _, want := range []string{
		"Postgres connection errors", env.URL + "/incidents/" + strconv.FormatInt(inc.ID, 10),
		"Some databases refuse connections.", "A failed disk; failing over.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("heroku status does not show %q:\n%s", want, out)
		}
	}
	if !lineHas(out, "Data:", "Yellow") || !lineHas(out, "Apps:", "No known issues") || !lineHas(out, "Tools:", "No known issues") {
		t.Errorf("heroku status colours:\n%s", out)
	}
	// Updates newest first, with the CLI's words for them.
	if i, j := strings.Index(out, "A failed disk"), strings.Index(out, "Some databases"); i > j || !strings.Contains(out, "issue ") || !strings.Contains(out, "update ") {
		t.Errorf("heroku status timeline:\n%s", out)
	}
}

// lineHas reports whether a line starting with prefix contains want.
func lineHas(out, prefix, want string) bool {
	for line := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(line, prefix) && strings.Contains(line, want) {
			return true
		}
	}
	return false
}
