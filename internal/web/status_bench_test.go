package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/helpline-dev/helpline/internal/status"
)

// The public status page under a crowd: a visitor with no cookie (served
// from the rendered-page cache), a revalidation (304), and a signed-in
// visitor, whose session is looked up and whose page is rendered each time.
// 3 groups of 4 components with 90 days of bars, one active incident.
func BenchmarkStatusPage(b *testing.B) {
	e := newPageEnv(b)
	ctx := context.Background()
	for g := range 3 {
		group := e.component(b, status.ComponentInput{Name: fmt.Sprintf("System %d", g), Group: true, Position: g + 3})
		for c := range 4 {
			e.component(b, status.ComponentInput{Name: fmt.Sprintf("Service %d.%d", g, c), GroupID: group.ID, Position: c + 1})
		}
	}
	if _, err := e.App.Status.CreateIncident(ctx, e.agent.Actor(""), status.IncidentInput{Name: "Elevated errors", Impact: status.ImpactMajor,
		Body: "We are **investigating**.", Components: []status.ComponentChange{{ComponentID: e.pgEU.ID, Status: status.PartialOutage}}}); err != nil {
		b.Fatal(err)
	}
	h := e.App.Handler
	first := httptest.NewRecorder()
	h.ServeHTTP(first, httptest.NewRequest("GET", "/status", nil))
	if first.Code != 200 {
		b.Fatalf("/status: %d", first.Code)
	}
	etag := first.Header().Get("ETag")

	run := func(b *testing.B, req func() *http.Request, want int) {
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req())
			if w.Code != want {
				b.Fatalf("%d, want %d", w.Code, want)
			}
		}
	}
	b.Run("anonymous", func(b *testing.B) {
		b.SetBytes(int64(first.Body.Len()))
		run(b, func() *http.Request { return httptest.NewRequest("GET", "/status", nil) }, 200)
	})
	b.Run("revalidate", func(b *testing.B) {
		run(b, func() *http.Request {
			r := httptest.NewRequest("GET", "/status", nil)
			r.Header.Set("If-None-Match", etag)
			return r
		}, 304)
	})
	b.Run("signed-in", func(b *testing.B) {
		req := sessionRequest(b, e.Env, e.customer, "/status")
		run(b, func() *http.Request { return req.Clone(context.Background()) }, 200)
	})
}
