package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/docs"
)

// A signed-out reader opening a long guide: the article, its related
// articles, Markdown with highlighted code, and the template.
func BenchmarkArticlePage(b *testing.B) {
	env := apptest.New(b, apptest.Options{Env: map[string]string{"HELPLINE_DATA_DIR": b.TempDir()}})
	staff := env.Staff(b, "sam@helpline.test", "agent")
	body := strings.Repeat("## Step\n\nRun `quokka deploy` and read the [logs](https://example.com).\n\n```go\nfunc main() {\n\tfmt.Println(\"hello\")\n}\n```\n\n| Dynos | Price |\n|---|---|\n| 2 | $50 |\n\n", 10)
	art, err := env.App.Docs.CreateArticle(context.Background(), staff.Actor(""), docs.ArticleInput{
		Title: "Deploying quokka apps", Summary: "Ship it.", Body: body, Section: docs.SectionGettingStarted,
		Audience: docs.Audiences[0], Status: docs.StatusPublished, Tags: []string{"deploy"}})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/docs/"+art.Slug, nil)
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		w := httptest.NewRecorder()
		env.App.Handler.ServeHTTP(w, req)
		took = append(took, time.Since(start))
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
	reportPercentiles(b, took)
}

// reportPercentiles adds the median and 99th percentile of the requests'
// durations to the benchmark's results.
func reportPercentiles(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	at := func(p float64) float64 { return float64(took[int(float64(len(took)-1)*p)].Nanoseconds()) }
	b.ReportMetric(at(.50), "p50-ns")
	b.ReportMetric(at(.99), "p99-ns")
}

// The whole error-code reference: every shipped entry rendered on one page.
func BenchmarkErrorCodesPage(b *testing.B) {
	env := apptest.New(b, apptest.Options{Env: map[string]string{"HELPLINE_DATA_DIR": b.TempDir()}})
	req := httptest.NewRequest("GET", "/docs/error-codes", nil)
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		w := httptest.NewRecorder()
		env.App.Handler.ServeHTTP(w, req)
		took = append(took, time.Since(start))
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
	reportPercentiles(b, took)
}
