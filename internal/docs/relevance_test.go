package docs_test

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/dbtest"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/markdown"
	"github.com/helpline-dev/helpline/internal/search"
)

// shippedErrorCodes is every code the reference must cover: the router
// (H), runtime (R) and logging (L) codes of the platform the seed describes.
var shippedErrorCodes = []string{
	"H10", "H11", "H12", "H13", "H14", "H15", "H16", "H17", "H18", "H19",
	"H20", "H21", "H22", "H23", "H24", "H25", "H26", "H27", "H28", "H31",
	"H80", "H81", "H82", "H83", "H99",
	"R10", "R12", "R13", "R14", "R15", "R16", "R17", "R99",
	"L10", "L11", "L12", "L13", "L14", "L15",
}

// shippedFile is one parsed file of content/.
type shippedFile struct {
	name string // path inside content/, e.g. error-codes/h12-request-timeout.md
	in   docs.ArticleInput
}

// readShipped parses every article shipped in content/ (the README is not
// an article).
func readShipped(t *testing.T) []shippedFile {
	t.Helper()
	content := os.DirFS("content")
	var files []shippedFile
	err := fs.WalkDir(content, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || path.Ext(name) != ".md" || path.Base(name) == "README.md" {
			return err
		}
		data, err := fs.ReadFile(content, name)
		if err != nil {
			return err
		}
		in, err := docs.ParseMarkdownFile(name, data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return nil
		}
		files = append(files, shippedFile{name: name, in: in})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 && !t.Failed() {
		t.Fatal("no shipped articles found in content/")
	}
	return files
}

// articleURL is where a shipped article lives, per the URL contract: error
// codes are anchors of the reference page, everything else /docs/{slug}.
func articleURL(in docs.ArticleInput) string {
	if in.Section == docs.SectionErrorCodes {
		return "/docs/error-codes#" + in.Slug
	}
	return "/docs/" + in.Slug
}

var (
	fenceLine   = regexp.MustCompile("(?m)^\\s*```(.*)$")
	errorCodeRe = regexp.MustCompile(`^([HRL])(\d\d)$`)
	docsLink    = regexp.MustCompile(`\]\((/docs/[^)\s]*)\)`)
)

func TestShippedContentParses(t *testing.T) {
	files := readShipped(t)
	reserved := map[string]bool{"manage": true, "new": true, "preview": true, "search": true, "ratings": true}
	slugs := map[string]string{}
	codes := map[string]string{}
	perSection := map[docs.Section]int{}
	for _, f := range files {
		in := f.in
		dir, base := path.Split(f.name)
		if want := strings.TrimSuffix(base, ".md"); in.Slug != want {
			t.Errorf("%s: slug %q, want the file name %q", f.name, in.Slug, want)
		}
		if want := docs.Section(strings.TrimSuffix(dir, "/")); in.Section != want || !in.Section.Valid() {
			t.Errorf("%s: section %q, want its folder %q (a known section)", f.name, in.Section, want)
		}
		if prev, dup := slugs[in.Slug]; dup {
			t.Errorf("%s: slug %q is also used by %s", f.name, in.Slug, prev)
		}
		slugs[in.Slug] = f.name
		if reserved[in.Slug] {
			t.Errorf("%s: slug %q is reserved", f.name, in.Slug)
		}
		if strings.TrimSpace(in.Title) == "" || strings.TrimSpace(in.Summary) == "" || len(in.Tags) == 0 {
			t.Errorf("%s: title, summary and tags are all required (search weighs them)", f.name)
		}
		if in.Audience != "" && in.Audience != search.AudiencePublic {
			t.Errorf("%s: audience %q; shipped content is public", f.name, in.Audience)
		}
		if in.Status != "" && in.Status != docs.StatusPublished {
			t.Errorf("%s: status %q; shipped content is published", f.name, in.Status)
		}
		perSection[in.Section]++

		// Every fence opens with a language tag (closing fences are bare).
		open := true
		for _, m := range fenceLine.FindAllStringSubmatch(in.Body, -1) {
			if open && strings.TrimSpace(m[1]) == "" {
				t.Errorf("%s: a fenced code block has no language tag", f.name)
			}
			open = !open
		}

		words := len(strings.Fields(in.Body))
		lo, hi := 150, 600
		if in.Section == docs.SectionErrorCodes {
			lo, hi = 120, 300
		}
		if words < lo || words > hi {
			t.Errorf("%s: %d words; keep %s articles between %d and %d", f.name, words, in.Section, lo, hi)
		}

		if in.Section != docs.SectionErrorCodes {
			if in.ErrorCode != "" {
				t.Errorf("%s: error_code %q outside the error-codes section", f.name, in.ErrorCode)
			}
			continue
		}
		checkErrorCodeEntry(t, f.name, in)
		if prev, dup := codes[in.ErrorCode]; dup {
			t.Errorf("%s: code %s is also described by %s", f.name, in.ErrorCode, prev)
		}
		codes[in.ErrorCode] = f.name
	}

	// Links between shipped articles must land on one.
	for _, f := range files {
		for _, m := range docsLink.FindAllStringSubmatch(f.in.Body, -1) {
			target := m[1]
			ok := target == "/docs/error-codes"
			if name, found := slugs[strings.TrimPrefix(target, "/docs/error-codes#")]; found && strings.HasPrefix(target, "/docs/error-codes#") {
				ok = strings.HasPrefix(name, "error-codes/")
			} else if name, found := slugs[strings.TrimPrefix(target, "/docs/")]; found {
				ok = !strings.HasPrefix(name, "error-codes/")
			}
			if !ok {
				t.Errorf("%s: link %s leads to no shipped article", f.name, target)
			}
		}
	}

	for _, code := range shippedErrorCodes {
		if codes[code] == "" {
			t.Errorf("no shipped reference entry for %s", code)
		}
	}
	if len(codes) != len(shippedErrorCodes) {
		t.Errorf("%d error-code entries shipped, want exactly the %d listed", len(codes), len(shippedErrorCodes))
	}
	for _, lang := range []string{"go", "nodejs", "python", "ruby", "java"} {
		if slugs["getting-started-"+lang] == "" {
			t.Errorf("no getting-started guide for %s", lang)
		}
	}
	for _, slug := range []string{"how-the-platform-works", "twelve-factor-app", "how-to-get-help", "what-to-include-in-a-support-ticket"} {
		if slugs[slug] == "" {
			t.Errorf("starter guide %s is missing", slug)
		}
	}
	if n := perSection[docs.SectionKnowledgeBase]; n < 20 || n > 30 {
		t.Errorf("%d knowledge-base articles, want 20 to 30", n)
	}
}

// checkErrorCodeEntry holds a reference entry to the house format.
func checkErrorCodeEntry(t *testing.T, name string, in docs.ArticleInput) {
	t.Helper()
	m := errorCodeRe.FindStringSubmatch(in.ErrorCode)
	if m == nil {
		t.Errorf("%s: error_code %q is not like H12, R14 or L10", name, in.ErrorCode)
		return
	}
	if !strings.HasPrefix(in.Slug, strings.ToLower(in.ErrorCode)+"-") {
		t.Errorf("%s: slug %q should start with %q", name, in.Slug, strings.ToLower(in.ErrorCode)+"-")
	}
	if !strings.HasPrefix(in.Title, in.ErrorCode+" - ") {
		t.Errorf("%s: title %q should read %q", name, in.Title, in.ErrorCode+" - Description")
	}
	var n int
	fmt.Sscan(m[2], &n)
	want := map[string]int{"H": 100, "R": 200, "L": 300}[m[1]] + n
	if in.Position != want {
		t.Errorf("%s: position %d, want %d (router 1xx, runtime 2xx, logging 3xx)", name, in.Position, want)
	}
	last := -1
	for _, h := range []string{"## What it means", "## Common causes", "## What to do", "## Example log line"} {
		i := strings.Index(in.Body, h)
		if i < 0 || i < last {
			t.Errorf("%s: missing or misplaced section %q", name, h)
		}
		last = i
	}
	if i := strings.Index(in.Body, "## Example log line"); i >= 0 {
		example := in.Body[i:]
		if !strings.Contains(example, "```text") || !strings.Contains(example, in.ErrorCode) {
			t.Errorf("%s: the example log line should be a text fence that shows %s", name, in.ErrorCode)
		}
	}
}

// relevanceCase is one line of testdata/relevance.txt.
type relevanceCase struct {
	line     int
	slug     string
	question string
}

func readRelevance(t *testing.T) []relevanceCase {
	t.Helper()
	f, err := os.Open("testdata/relevance.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []relevanceCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		slug, question, ok := strings.Cut(line, "|")
		if !ok {
			t.Fatalf("relevance.txt:%d: want \"expected-slug | question\", got %q", n, line)
		}
		cases = append(cases, relevanceCase{n, strings.TrimSpace(slug), strings.TrimSpace(question)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// newShippedService installs the shipped content into a fresh database
// with the real search index.
func newShippedService(t *testing.T) *docs.Service {
	t.Helper()
	d := dbtest.Open(t)
	accounts := account.NewService(d, nil, account.Options{Hasher: account.Hasher{MemoryKiB: 64, Time: 1, Threads: 1}})
	svc := docs.NewService(d, accounts, search.New(d), docs.Options{Render: markdown.NewDocs().Render})
	if err := svc.InstallDefaults(context.Background()); err != nil {
		t.Fatalf("install defaults: %v", err)
	}
	return svc
}

// TestRelevance asks the help center what customers ask and requires the
// right article among the first three results, or first when the question
// names its error code.
func TestRelevance(t *testing.T) {
	cases := readRelevance(t)
	if len(cases) < 45 {
		t.Fatalf("%d relevance questions, want at least 45", len(cases))
	}
	urls := map[string]string{}
	codes := map[string]string{}
	for _, f := range readShipped(t) {
		urls[f.in.Slug] = articleURL(f.in)
		codes[f.in.Slug] = f.in.ErrorCode
	}
	svc := newShippedService(t)
	ctx := context.Background()

	failed := 0
	for _, c := range cases {
		want, ok := urls[c.slug]
		if !ok {
			t.Errorf("relevance.txt:%d: %q is not a shipped article", c.line, c.slug)
			continue
		}
		results, err := svc.Search(ctx, nil, docs.SearchQuery{Text: c.question, Scope: docs.ScopeHelp, Page: helpline.Page{Limit: 5}})
		if err != nil {
			t.Fatalf("relevance.txt:%d: search %q: %v", c.line, c.question, err)
		}
		// A question naming the expected entry's code must get it first;
		// any other question, among the first three.
		top := 3
		if code := codes[c.slug]; code != "" && mentionsCode(c.question, code) {
			top = 1
		}
		found := false
		for i, r := range results {
			if i < top && r.URL == want {
				found = true
			}
		}
		if !found {
			failed++
			var lines []string
			for i, r := range results {
				lines = append(lines, fmt.Sprintf("  %d. %s (%s)", i+1, r.Title, r.URL))
			}
			if len(lines) == 0 {
				lines = append(lines, "  (no results)")
			}
			t.Errorf("relevance.txt:%d: %q: want %s in the top %d, got:\n%s", c.line, c.question, want, top, strings.Join(lines, "\n"))
		}
	}
	t.Logf("%d of %d questions found their article", len(cases)-failed, len(cases))
}

// mentionsCode reports whether question names code as a word of its own
// ("h12", "code=H12", "R14)"), in any case.
func mentionsCode(question, code string) bool {
	words := strings.FieldsFunc(strings.ToUpper(question), func(r rune) bool {
		return !('A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	})
	return slices.Contains(words, code)
}

// TestShippedErrorCodesInstalled checks that every code can be looked up
// after installation, by anyone, in either case.
func TestShippedErrorCodesInstalled(t *testing.T) {
	svc := newShippedService(t)
	ctx := context.Background()
	for _, code := range shippedErrorCodes {
		for _, asked := range []string{code, strings.ToLower(code)} {
			a, err := svc.FindArticleByErrorCode(ctx, nil, asked)
			if err != nil {
				t.Errorf("find %s: %v", asked, err)
				continue
			}
			if a.ErrorCode != code || a.Section != docs.SectionErrorCodes || a.URL != "/docs/error-codes#"+a.Slug {
				t.Errorf("find %s: got code %q, section %q, url %q", asked, a.ErrorCode, a.Section, a.URL)
			}
		}
	}
}
