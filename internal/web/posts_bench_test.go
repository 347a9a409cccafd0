package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/docs"
)

// postBody is a changelog entry of a realistic length: a few paragraphs, a
// list and highlighted code.
const postBody = `We rebuilt the build cache. Go, Node.js and Python builds now reuse
dependencies between deploys, and a cache miss no longer blocks the release.

- Go modules and the build cache are kept per app.
- ` + "`npm ci`" + ` reuses the npm cache.
- Pip wheels are cached by requirements hash.

` + "```go\nfunc main() {\n\thttp.ListenAndServe(\":\"+os.Getenv(\"PORT\"), nil)\n}\n```\n" + `
See [the build guide](/docs/builds) for the details.
`

func benchPosts(b *testing.B, n int) *apptest.Env {
	env := apptest.New(b, apptest.Options{Env: map[string]string{"HELPLINE_DATA_DIR": b.TempDir()}})
	admin := env.Staff(b, "root@helpline.test", helpline.RoleAdmin)
	day := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		postFixture(b, env, admin, docs.PostChangelog, docs.PostInput{Title: fmt.Sprintf("Faster builds, part %d", i), Body: postBody,
			Category: docs.ChangelogCategories[i%len(docs.ChangelogCategories)], PublishedAt: at(day.Add(time.Duration(i) * time.Hour))})
	}
	return env
}

// A feed reader fetching the changelog's Atom feed (50 entries rendered),
// and revalidating it with its ETag (no rendering).
func BenchmarkChangelogFeed(b *testing.B) {
	env := benchPosts(b, 60)
	w := httptest.NewRecorder()
	env.App.Handler.ServeHTTP(w, httptest.NewRequest("GET", "/changelog.atom", nil))
	etag := w.Header().Get("ETag")
	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			w := httptest.NewRecorder()
			env.App.Handler.ServeHTTP(w, httptest.NewRequest("GET", "/changelog.atom", nil))
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Faster builds, part 59") {
				b.Fatal(w.Code)
			}
		}
	})
	b.Run("not-modified", func(b *testing.B) {
		for b.Loop() {
			req := httptest.NewRequest("GET", "/changelog.atom", nil)
			req.Header.Set("If-None-Match", etag)
			w := httptest.NewRecorder()
			env.App.Handler.ServeHTTP(w, req)
			if w.Code != http.StatusNotModified {
				b.Fatal(w.Code)
			}
		}
	})
}

// A reader opening the changelog's first page (20 entries rendered whole).
func BenchmarkChangelogIndex(b *testing.B) {
	env := benchPosts(b, 60)
	for b.Loop() {
		w := httptest.NewRecorder()
		env.App.Handler.ServeHTTP(w, httptest.NewRequest("GET", "/changelog", nil))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Faster builds, part 59") {
			b.Fatal(w.Code)
		}
	}
}
