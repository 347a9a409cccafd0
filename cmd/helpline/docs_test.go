package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/helpline-dev/helpline/client"
)

func TestKBSearch(t *testing.T) {
	w := newTicketWorld(t)
	ctx := context.Background()
	a, err := w.staffAPI.CreateArticle(ctx, client.ArticleInput{Title: "Zebrafish deploys stall", Section: "knowledge-base", Status: "published", Tags: []string{"deploys"},
		Body: "When a zebrafish deploy stalls, check the release phase & its logs."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.staffAPI.CreateArticle(ctx, client.ArticleInput{Title: "Zebrafish for customers", Section: "knowledge-base", Audience: "customers", Status: "published",
		Body: "Only signed-in zebrafish readers see this."}); err != nil {
		t.Fatal(err)
	}
	anon := map[string]string{"HELPLINE_URL": w.env.URL}

	r := mustRunIn(t, anon, "", "kb", "search", "zebrafish", "deploy")
	if !strings.Contains(r.stdout, " 1. Zebrafish deploys stall  [kb]") || !strings.Contains(r.stdout, w.env.URL+a.URL) {
		t.Fatalf("anonymous search:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "<mark>") || strings.Contains(r.stdout, "&amp;") || strings.Contains(r.stdout, "\x1b[") || !strings.Contains(r.stdout, "zebrafish") {
		t.Fatalf("snippet not turned into plain text:\n%q", r.stdout)
	}
	if strings.Contains(r.stdout, "for customers") {
		t.Fatalf("anonymous search shows a customers article:\n%s", r.stdout)
	}
	// With a token the customer sees their audience; flags may follow words.
	r = mustRunIn(t, w.customer, "", "kb", "search", "zebrafish", "--limit", "5", "--scope", "kb")
	if !strings.Contains(r.stdout, "Zebrafish for customers") {
		t.Fatalf("customer search:\n%s", r.stdout)
	}
	r = mustRunIn(t, anon, "", "kb", "search", "--json", "zebrafish")
	var res client.SearchResults
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || len(res.Results) != 1 || res.Results[0].URL != a.URL {
		t.Fatalf("json %q: %+v, %v", r.stdout, res, err)
	}
	r = mustRunIn(t, anon, "", "kb", "search", "zebrafsh")
	if !strings.Contains(r.stdout, `Showing results for "zebrafish"`) {
		t.Fatalf("typo:\n%s", r.stdout)
	}
	r = mustRunIn(t, anon, "", "kb", "search", "xylophonequartz")
	if !strings.Contains(r.stdout, "No results") {
		t.Fatalf("nothing found:\n%s", r.stdout)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"kb", "search"}, 2, "give the words"},
		{[]string{"kb", "search", "x", "--limit", "0"}, 2, "--limit"},
		{[]string{"kb", "find", "x"}, 2, "unknown command"},
		{[]string{"kb", "search", "x", "--scope", "tickets"}, 1, "sign in"},
		{[]string{"kb", "search", "x", "--scope", "everything"}, 1, "scope"},
	} {
		r := runIn(t, anon, "", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("helpline %s: %s", strings.Join(tc.args, " "), r)
		}
	}
	r = runIn(t, w.customer, "", "kb", "search", "x", "--scope", "tickets")
	if r.code != 1 || !strings.Contains(r.stderr, "staff") {
		t.Errorf("customer ticket search: %s", r)
	}
}

func TestSnippetText(t *testing.T) {
	bold := style{on: "[", off: "]"}
	for _, tc := range []struct {
		in   string
		st   style
		want string
	}{
		{"the <mark>router</mark> timed out &amp; gave up", bold, "the [router] timed out & gave up"},
		{"the <mark>router</mark> timed out", style{}, "the router timed out"},
		{"line\none\x1b[31m red \x07bell", bold, "line one[31m red bell"},
		{"&lt;script&gt; <b>x</b> <mark>open", bold, "<script> x [open]"},
		{"  <mark>a</mark> <mark>b</mark>  ", bold, "[a] [b]"},
	} {
		if got := snippetText(tc.in, tc.st); got != tc.want {
			t.Errorf("snippetText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSafeName(t *testing.T) {
	for name, want := range map[string]bool{
		"knowledge-base": true, "h12-request-timeout": true,
		"": false, ".": false, "..": false, "../etc": false, "a/b": false, `a\b`: false, ".hidden": false, "c:": false,
	} {
		if got := safeName(name); got != want {
			t.Errorf("safeName(%q) = %v", name, got)
		}
	}
}

var exportedRE = regexp.MustCompile(`Exported (\d+) articles? to `)

func TestDocsExportImport(t *testing.T) {
	w := newTicketWorld(t)
	ctx := context.Background()
	pub, err := w.staffAPI.CreateArticle(ctx, client.ArticleInput{Title: "Rotating zebrafish credentials", Section: "knowledge-base", Status: "published", Tags: []string{"postgres"},
		Summary: "Rotate without downtime.", Body: "# Rotating\n\nAttach a second credential, then promote it.\n", LastReviewedAt: "2026-03-01"})
	if err != nil {
		t.Fatal(err)
	}
	draft, err := w.staffAPI.CreateArticle(ctx, client.ArticleInput{Title: "Upcoming region", Section: "platform", Status: "draft", Body: "Soon."})
	if err != nil {
		t.Fatal(err)
	}

	// Export: published articles, or with --all the drafts too.
	dir := filepath.Join(t.TempDir(), "docs")
	r := mustRunIn(t, w.staff, "", "docs", "export", dir)
	if !exportedRE.MatchString(r.stdout) {
		t.Fatalf("export:\n%s", r)
	}
	pubFile := filepath.Join(dir, "knowledge-base", pub.Slug+".md")
	data, err := os.ReadFile(pubFile)
	if err != nil || !strings.HasPrefix(string(data), "+++\n") || !strings.Contains(string(data), "Attach a second credential") {
		t.Fatalf("%s: %q, %v", pubFile, data, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "platform", draft.Slug+".md")); !os.IsNotExist(err) {
		t.Fatalf("the draft was exported without --all: %v", err)
	}
	r = mustRunIn(t, w.staff, "", "docs", "export", "--all", dir)
	if _, err := os.Stat(filepath.Join(dir, "platform", draft.Slug+".md")); err != nil {
		t.Fatalf("--all: %v\n%s", err, r)
	}
	total := countFiles(t, dir)
	if m := exportedRE.FindStringSubmatch(r.stdout); m == nil || m[1] != strconv.Itoa(total) {
		t.Fatalf("export says %q, wrote %d files", r.stdout, total)
	}
	// A customer exports what they may read: no drafts even with --all.
	custDir := filepath.Join(t.TempDir(), "mine")
	mustRunIn(t, w.customer, "", "docs", "export", "--all", custDir)
	if _, err := os.Stat(filepath.Join(custDir, "platform", draft.Slug+".md")); !os.IsNotExist(err) {
		t.Fatalf("a customer exported a draft: %v", err)
	}

	// Import what was exported: nothing changes. Then edit one file: one
	// update, the rest unchanged. README.md and hidden folders are skipped.
	writeAt(t, filepath.Join(dir, "README.md"), "not an article")
	writeAt(t, filepath.Join(dir, ".git", "notes.md"), "not an article either")
	r = mustRunIn(t, w.staff, "", "docs", "import", dir)
	if want := "Imported " + strconv.Itoa(total) + " files: 0 created, 0 updated, " + strconv.Itoa(total) + " unchanged"; !strings.Contains(r.stdout, want) {
		t.Fatalf("re-import:\n%s\nwant %q", r, want)
	}
	edited := strings.Replace(string(data), "then promote it.", "then promote it with pg:promote.", 1)
	writeAt(t, pubFile, edited)
	writeAt(t, filepath.Join(dir, "knowledge-base", "new-answer.md"), "+++\ntitle = \"A new answer\"\ntags = [\"kb\"]\n+++\nThe answer.\n")
	r = mustRunIn(t, w.staff, "", "docs", "import", "--dry-run", dir)
	if !strings.Contains(r.stdout, "1 created, 1 updated, "+strconv.Itoa(total-1)+" unchanged") || !strings.Contains(r.stdout, "nothing saved") {
		t.Fatalf("dry run:\n%s", r)
	}
	if got, _ := w.staffAPI.GetArticle(ctx, pub.Slug); got.Revision != 1 {
		t.Fatalf("the dry run saved: revision %d", got.Revision)
	}
	r = mustRunIn(t, w.staff, "", "docs", "import", dir)
	if !strings.Contains(r.stdout, "Imported "+strconv.Itoa(total+1)+" files: 1 created, 1 updated, "+strconv.Itoa(total-1)+" unchanged") {
		t.Fatalf("import after an edit:\n%s", r)
	}
	got, err := w.staffAPI.GetArticle(ctx, pub.Slug)
	if err != nil || got.Revision != 2 || !strings.Contains(got.Body, "pg:promote") || got.Summary != pub.Summary || len(got.Tags) != 1 {
		t.Fatalf("after import: %+v, %v", got, err)
	}
	if got, err := w.staffAPI.GetArticle(ctx, "new-answer"); err != nil || got.Section != "knowledge-base" || got.Title != "A new answer" {
		t.Fatalf("new file: %+v, %v", got, err)
	}

	// A broken file is named, the rest are still imported, and the exit
	// status says something failed.
	writeAt(t, filepath.Join(dir, "knowledge-base", "broken.md"), "+++\ntitle = \"Unterminated\n+++\nBody\n")
	writeAt(t, pubFile, strings.Replace(edited, "pg:promote", "pg:promote --confirm", 1))
	r = runIn(t, w.staff, "", "docs", "import", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "knowledge-base/broken.md") || !strings.Contains(r.stdout, "1 updated") || !strings.Contains(r.stdout, "1 failed") {
		t.Fatalf("import with a broken file: %s", r)
	}
	// A file the server refuses is named with the field to fix.
	if err := os.Remove(filepath.Join(dir, "knowledge-base", "broken.md")); err != nil {
		t.Fatal(err)
	}
	writeAt(t, filepath.Join(dir, "knowledge-base", "bad-audience.md"), "+++\ntitle = \"Bad\"\naudience = \"vip\"\n+++\nBody\n")
	r = runIn(t, w.staff, "", "docs", "import", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "bad-audience.md") || !strings.Contains(r.stderr, "audience") {
		t.Fatalf("import with a refused file: %s", r)
	}
	if err := os.Remove(filepath.Join(dir, "knowledge-base", "bad-audience.md")); err != nil {
		t.Fatal(err)
	}

	// Customers may not import; a missing folder is a usage error.
	r = runIn(t, w.customer, "", "docs", "import", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "staff") {
		t.Fatalf("customer import: %s", r)
	}
	r = runIn(t, w.staff, "", "docs", "import", filepath.Join(dir, "nope"))
	if r.code != 2 || !strings.Contains(r.stderr, "not a folder") {
		t.Fatalf("missing folder: %s", r)
	}
	r = runIn(t, map[string]string{"HELPLINE_URL": w.env.URL}, "", "docs", "import", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "HELPLINE_TOKEN") {
		t.Fatalf("no token: %s", r)
	}

	// show prints an article, or an error code's entry.
	r = mustRunIn(t, w.customer, "", "docs", "show", pub.Slug)
	if !strings.HasPrefix(r.stdout, "Rotating zebrafish credentials\n"+w.env.URL+pub.URL+"\n") || !strings.Contains(r.stdout, "pg:promote") {
		t.Fatalf("show:\n%s", r.stdout)
	}
	r = mustRunIn(t, map[string]string{"HELPLINE_URL": w.env.URL}, "", "docs", "show", "h12")
	if !strings.Contains(r.stdout, "H12") || !strings.Contains(r.stdout, "/docs/error-codes#h12-request-timeout") {
		t.Fatalf("show h12:\n%s", r.stdout)
	}
	r = mustRunIn(t, w.customer, "", "docs", "show", "--json", pub.Slug)
	var a client.Article
	if err := json.Unmarshal([]byte(r.stdout), &a); err != nil || a.Slug != pub.Slug {
		t.Fatalf("show --json %q: %v", r.stdout, err)
	}
	r = runIn(t, w.customer, "", "docs", "show", draft.Slug)
	if r.code != 1 || !strings.Contains(r.stderr, "not found") {
		t.Fatalf("customer shows a draft: %s", r)
	}
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func writeAt(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
