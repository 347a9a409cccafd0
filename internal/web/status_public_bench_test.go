package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/helpline-dev/helpline/internal/apptest"
)

// The public status documents during an outage: served from the snapshot
// as pre-rendered bytes, through the whole middleware stack. Run in
// parallel, as a crowd does. scripts/bench-status measures the same over
// real connections next to nginx.
func benchmarkStatusDoc(b *testing.B, path string, header ...string) {
	env := apptest.New(b, apptest.Options{})
	newStatusFixture(b, env)
	warm := httptest.NewRecorder()
	env.App.Handler.ServeHTTP(warm, httptest.NewRequest("GET", path, nil))
	if warm.Code != http.StatusOK {
		b.Fatalf("GET %s: %d", path, warm.Code)
	}
	etag := warm.Header().Get("ETag")
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("GET", path, nil)
			for i := 0; i+1 < len(header); i += 2 {
				v := header[i+1]
				if v == "ETAG" {
					v = etag
				}
				req.Header.Set(header[i], v)
			}
			w := httptest.NewRecorder()
			env.App.Handler.ServeHTTP(w, req)
			if w.Code != http.StatusOK && w.Code != http.StatusNotModified {
				b.Fatalf("GET %s: %d", path, w.Code)
			}
		}
	})
}

func BenchmarkStatusSummaryJSON(b *testing.B) { benchmarkStatusDoc(b, "/api/v2/summary.json") }
func BenchmarkStatusSummaryJSON304(b *testing.B) {
	benchmarkStatusDoc(b, "/api/v2/summary.json", "If-None-Match", "ETAG")
}
func BenchmarkStatusV4(b *testing.B)          { benchmarkStatusDoc(b, "/api/v4/current-status") }
func BenchmarkStatusHistoryAtom(b *testing.B) { benchmarkStatusDoc(b, "/history.atom") }
