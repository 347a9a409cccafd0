package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/helpline-dev/helpline/internal/app"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/config"
	"github.com/helpline-dev/helpline/internal/dbtest"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHealthReadinessMetrics(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	if status, body := get(t, env.URL+"/healthz"); status != 200 || body != "ok\n" {
		t.Fatalf("healthz: %d %q", status, body)
	}
	if status, body := get(t, env.URL+"/readyz"); status != 200 || !strings.Contains(body, `"status":"ready"`) {
		t.Fatalf("readyz: %d %q", status, body)
	}
	get(t, env.URL+"/api/v1/organizations/42") // a 401 on a parameterised route
	status, body := get(t, env.URL+"/metrics")
	if status != 200 {
		t.Fatalf("metrics: %d", status)
	}
	for _, want := range []string{
		`helpline_http_requests_total{code="200",method="GET",route="GET /readyz"} 1`,
		`helpline_http_requests_total{code="401",method="GET",route="GET /api/v1/organizations/{id}"} 1`,
		`helpline_http_request_duration_seconds_bucket{method="GET",route="GET /healthz",le="+Inf"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// A process on a database that is not migrated is not ready, so a load
// balancer keeps traffic away until `helpline migrate` has run.
func TestNotReadyBeforeMigration(t *testing.T) {
	d := dbtest.OpenUnmigrated(t)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), app.Options{DB: d, Hasher: apptest.FastHasher})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	if status, body := get(t, srv.URL+"/readyz"); status != http.StatusServiceUnavailable || !strings.Contains(body, "migrat") {
		t.Fatalf("readyz before migration: %d %q", status, body)
	}
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if status, _ := get(t, srv.URL+"/readyz"); status != http.StatusOK {
		t.Fatalf("readyz after migration: %d", status)
	}
}
