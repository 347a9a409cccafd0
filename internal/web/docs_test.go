package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// docsEnv is a Helpline with readers of every kind and articles of every
// audience, each with "quokka" in it so one search finds them all.
type docsEnv struct {
	*apptest.Env
	acme, globex                    account.Organization
	dev, pat                        account.User // enterprise (premier) and standard customers
	sam, ada                        account.User // agent and admin
	public, customers, enterprise   docs.Article
	draft, kb, kbCustomers, errCode docs.Article
}

func newDocsEnv(t *testing.T) *docsEnv {
	t.Helper()
	return newDocsEnvWith(t, apptest.Options{})
}

func newDocsEnvWith(t *testing.T, opts apptest.Options) *docsEnv {
	t.Helper()
	opts.Env = map[string]string{"HELPLINE_DATA_DIR": t.TempDir()}
	env := apptest.New(t, opts)
	e := &docsEnv{Env: env}
	e.acme = env.Org(t, "Acme", account.PlanPremier)
	e.globex = env.Org(t, "Globex", account.PlanStandard)
	e.dev = env.Customer(t, "dev@acme.test", e.acme, account.OrgOwner)
	e.pat = env.Customer(t, "pat@globex.test", e.globex, account.OrgOwner)
	e.sam = env.Staff(t, "sam@helpline.test", helpline.RoleAgent)
	e.ada = env.Staff(t, "ada@helpline.test", helpline.RoleAdmin)
	e.public = e.article(t, docs.ArticleInput{Title: "Deploying quokka apps", Summary: "Ship a quokka app in five minutes.",
		Body: "## First steps\n\nRun `quokka deploy`.\n\n```go\nfmt.Println(\"quokka\")\n```\n", Section: docs.SectionGettingStarted, Tags: []string{"quokka", "deploy"}})
	e.customers = e.article(t, docs.ArticleInput{Title: "Quokka billing for customers", Summary: "Invoices for signed-in customers.",
		Body: "Only customers read about quokka billing.", Section: docs.SectionPlatform, Audience: docs.Audience("customers")})
	e.enterprise = e.article(t, docs.ArticleInput{Title: "Quokka multi-region review", Summary: "Architecture reviews for enterprise plans.",
		Body: "Enterprise quokka architecture.", Section: docs.SectionEnterprise, Audience: docs.Audience("enterprise")})
	e.draft = e.article(t, docs.ArticleInput{Title: "Quokka preview feature", Summary: "Not announced yet.",
		Body: "Secret quokka plans.", Section: docs.SectionPlatform, Status: docs.StatusDraft})
	e.kb = e.article(t, docs.ArticleInput{Title: "Why does my quokka app crash after deploy", Summary: "Crashes right after a deploy, and what to do.",
		Body: "If your quokka app crashed after a deploy, check the logs.", Section: docs.SectionKnowledgeBase, Tags: []string{"crash", "quokka"}})
	e.kbCustomers = e.article(t, docs.ArticleInput{Title: "Quokka refunds", Summary: "How customers get refunds.",
		Body: "Quokka refunds for customers.", Section: docs.SectionKnowledgeBase, Audience: docs.Audience("customers")})
	e.errCode = e.article(t, docs.ArticleInput{Title: "L99 - Quokka drain overflow", Slug: "l99-quokka-drain-overflow",
		Summary: "The quokka drain could not keep up.", Body: "## What it means\n\nLines were dropped.\n\n## What to do\n\nAdd a drain.\n",
		Section: docs.SectionErrorCodes, ErrorCode: "L99", Tags: []string{"logging"}})
	return e
}

// article creates a published public article as sam unless in says otherwise.
func (e *docsEnv) article(t *testing.T, in docs.ArticleInput) docs.Article {
	t.Helper()
	if in.Audience == "" {
		in.Audience = docs.Audiences[0]
	}
	if in.Status == "" {
		in.Status = docs.StatusPublished
	}
	a, err := e.App.Docs.CreateArticle(context.Background(), e.sam.Actor(""), in)
	if err != nil {
		t.Fatalf("create %q: %v", in.Title, err)
	}
	return a
}

func (e *docsEnv) browser(t *testing.T, email string) *apptest.Browser {
	t.Helper()
	b := e.Browser()
	if email != "" {
		b.SignIn(t, email)
	}
	return b
}

func suggestions(t *testing.T, b *apptest.Browser, q, token string) []map[string]string {
	t.Helper()
	path := "/search/suggest?q=" + url.QueryEscape(q)
	if token != "" {
		path += "&d=" + url.QueryEscape(token)
	}
	resp, body := b.Get(t, path)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("suggest %q: %d %s\n%s", q, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var out []map[string]string
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("suggest %q: %v\n%s", q, err, body)
	}
	return out
}

// Each reader sees exactly the articles of their audience, on every page
// that lists articles, in search and in suggestions.
func TestDocsAudiences(t *testing.T) {
	e := newDocsEnv(t)
	hidden := func(arts ...docs.Article) []docs.Article { return arts }
	tests := []struct {
		name    string
		email   string
		visible []docs.Article
		hidden  []docs.Article
	}{
		{"anonymous", "", hidden(e.public, e.kb, e.errCode), hidden(e.customers, e.enterprise, e.draft, e.kbCustomers)},
		{"standard customer", "pat@globex.test", hidden(e.public, e.kb, e.customers, e.kbCustomers), hidden(e.enterprise, e.draft)},
		{"enterprise customer", "dev@acme.test", hidden(e.public, e.customers, e.enterprise, e.kbCustomers), hidden(e.draft)},
		{"staff", "sam@helpline.test", hidden(e.public, e.customers, e.enterprise, e.draft, e.kbCustomers), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser(t, tt.email)
			_, index := b.Get(t, "/docs")
			_, kb := b.Get(t, "/kb")
			_, results := b.Get(t, "/search?q=quokka")
			sugg := suggestions(t, b, "quokka", "")
			suggested := map[string]bool{}
			for _, s := range sugg {
				suggested[s["title"]] = true
			}
			for _, a := range tt.visible {
				resp, body := b.Get(t, "/docs/"+a.Slug)
				if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<h1>"+a.Title+"</h1>") {
					t.Errorf("%s: /docs/%s = %d", tt.name, a.Slug, resp.StatusCode)
				}
				list := index
				if a.Section == docs.SectionKnowledgeBase {
					list = kb
				}
				if a.Section != docs.SectionErrorCodes && !strings.Contains(list, a.Title) {
					t.Errorf("%s: %q not listed", tt.name, a.Title)
				}
				if !strings.Contains(results, `href="`+a.URL+`"`) {
					t.Errorf("%s: %q not found by search", tt.name, a.Title)
				}
			}
			for _, a := range tt.hidden {
				resp, body := b.Get(t, "/docs/"+a.Slug)
				if resp.StatusCode != http.StatusNotFound || strings.Contains(body, a.Title) {
					t.Errorf("%s: hidden /docs/%s = %d", tt.name, a.Slug, resp.StatusCode)
				}
				for page, body := range map[string]string{"/docs": index, "/kb": kb, "/search": results} {
					if strings.Contains(body, a.Title) || strings.Contains(body, "/docs/"+a.Slug+`"`) {
						t.Errorf("%s: hidden %q on %s", tt.name, a.Title, page)
					}
				}
				if suggested[a.Title] {
					t.Errorf("%s: hidden %q suggested", tt.name, a.Title)
				}
			}
		})
	}

	// Staff see what readers do not: the draft badge, the audience, the
	// editing tools.
	b := e.browser(t, "sam@helpline.test")
	_, body := b.Get(t, "/docs/"+e.draft.Slug)
	for _, want := range []string{"Draft: only staff see it", "Audience: Public", `href="/docs/` + e.draft.Slug + `/edit"`, `href="/docs/` + e.draft.Slug + `/revisions"`} {
		if !strings.Contains(body, want) {
			t.Errorf("staff article page lacks %q", want)
		}
	}
	_, body = e.browser(t, "").Get(t, "/docs/"+e.public.Slug)
	if strings.Contains(body, "/edit") || strings.Contains(body, "Audience:") {
		t.Error("a reader sees the editing tools")
	}
}

func TestArticlePage(t *testing.T) {
	e := newDocsEnv(t)
	b := e.browser(t, "")
	resp, body := b.Get(t, "/docs/"+e.public.Slug)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("article: %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{
		`<a href="/docs">Dev Center</a>`, `href="/docs#getting-started">Getting Started</a>`, // breadcrumbs
		"Ship a quokka app in five minutes.",                              // summary
		`<h2 id="first-steps">`, `class="anchor"`, `<pre class="chroma">`, // rendered, highlighted
		`href="/static/highlight.css"`, `action="/docs/` + e.public.Slug + `/rate"`, "Was this helpful?",
		`href="/search?q=deploy"`, // tags
	} {
		if !strings.Contains(body, want) {
			t.Errorf("article page lacks %q", want)
		}
	}
	if _, body := b.Get(t, "/docs/no-such-article"); !strings.Contains(body, "not found") {
		t.Errorf("missing article:\n%s", body)
	}

	// The highlighting style sheet: computed once, cached, revalidated.
	resp, css := b.Get(t, "/static/highlight.css")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") || !strings.Contains(css, ".chroma") ||
		resp.Header.Get("ETag") == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age") {
		t.Fatalf("highlight.css: %d %v", resp.StatusCode, resp.Header)
	}
	req, _ := http.NewRequest("GET", e.URL+"/static/highlight.css", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidate highlight.css: %v %v", resp, err)
	}
}

func TestErrorCodeReference(t *testing.T) {
	e := newDocsEnv(t)
	b := e.browser(t, "")
	resp, body := b.Get(t, "/docs/error-codes")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reference: %d", resp.StatusCode)
	}
	slug := e.errCode.Slug
	for _, want := range []string{
		`<h2 id="` + slug + `">`, `<a href="#` + slug + `">L99 - Quokka drain overflow</a>`, // entry and contents
		`id="logging-errors"`, "The quokka drain could not keep up.", "Lines were dropped.",
		// The entry's own headings are unique on the page, anchors included.
		`id="` + slug + `-what-it-means"`, `href="#` + slug + `-what-it-means"`,
		`href="/docs/` + slug + `"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("reference lacks %q", want)
		}
	}
	if ids := regexp.MustCompile(`id="([^"]+)"`).FindAllStringSubmatch(body, -1); len(ids) > 0 {
		seen := map[string]bool{}
		for _, m := range ids {
			if seen[m[1]] {
				t.Errorf("duplicate id %q on the reference", m[1])
			}
			seen[m[1]] = true
		}
	}
	// The entry's own page points to its anchor as the canonical URL.
	resp, body = b.Get(t, "/docs/"+slug)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Link") != `<`+e.URL+`/docs/error-codes#`+slug+`>; rel="canonical"` ||
		!strings.Contains(body, `href="/docs/error-codes#`+slug+`"`) {
		t.Fatalf("entry page: %d %q\n%s", resp.StatusCode, resp.Header.Get("Link"), body)
	}
	if e.errCode.URL != "/docs/error-codes#"+slug {
		t.Errorf("error code URL %q", e.errCode.URL)
	}
}

func TestDocsIndexAndHome(t *testing.T) {
	e := newDocsEnv(t)
	if _, err := e.App.Docs.CreatePost(context.Background(), e.ada.Actor(""), docs.PostChangelog, docs.PostInput{
		Title: "Quokka stacks are generally available", Body: "Now GA.", Category: "new", Audience: docs.Audiences[0], Status: docs.StatusPublished}); err != nil {
		t.Fatal(err)
	}
	b := e.browser(t, "")
	_, body := b.Get(t, "/docs")
	for _, want := range []string{`id="getting-started"`, "Ship a quokka app in five minutes.", `href="/docs/error-codes"`, `href="/kb"`,
		"Quokka stacks are generally available", `action="/search"`, `data-suggest=`, `src="/static/docs.js"`} {
		if !strings.Contains(body, want) {
			t.Errorf("/docs lacks %q", want)
		}
	}
	_, body = b.Get(t, "/")
	for _, want := range []string{`action="/search"`, `id="help-q"`, `href="/docs#getting-started"`, `href="/docs/error-codes"`, `href="/kb"`} {
		if !strings.Contains(body, want) {
			t.Errorf("home lacks %q", want)
		}
	}
	_, body = b.Get(t, "/kb")
	if !strings.Contains(body, `name="scope" value="kb"`) || !strings.Contains(body, e.kb.Title) {
		t.Errorf("/kb:\n%s", body)
	}
}

func TestSearchPage(t *testing.T) {
	e := newDocsEnv(t)
	for i := range 25 {
		e.article(t, docs.ArticleInput{Title: fmt.Sprintf("Wombat guide %02d", i), Summary: "About wombats.", Body: "Wombats dig burrows.", Section: docs.SectionKnowledgeBase})
	}
	b := e.browser(t, "pat@globex.test")
	resp, body := b.Get(t, "/search?q=wombat&scope=kb")
	if resp.StatusCode != http.StatusOK || strings.Count(body, `class="result"`) != 20 || !strings.Contains(body, "offset=20") || !strings.Contains(body, "<mark>") {
		t.Fatalf("page 1: %d, %d results\n%s", resp.StatusCode, strings.Count(body, `class="result"`), body)
	}
	if !strings.Contains(body, `value="wombat"`) || !strings.Contains(body, `aria-current="page">Knowledge base`) || strings.Contains(body, "scope=tickets") {
		t.Errorf("form, tabs:\n%s", body)
	}
	_, body = b.Get(t, "/search?q=wombat&scope=kb&offset=20")
	if strings.Count(body, `class="result"`) != 5 || strings.Contains(body, "offset=40") {
		t.Errorf("page 2: %d results", strings.Count(body, `class="result"`))
	}
	// A misspelling is corrected, and the page says so.
	_, body = b.Get(t, "/search?q=wombta")
	if !strings.Contains(body, "Showing results for") || !strings.Contains(body, "Wombat guide") {
		t.Errorf("typo:\n%s", body)
	}
	// Nothing found says what to try; empty searches nothing.
	if _, body = b.Get(t, "/search?q=xylophonezzz"); !strings.Contains(body, "Nothing found for") {
		t.Errorf("no results:\n%s", body)
	}
	if resp, body = b.Get(t, "/search"); resp.StatusCode != http.StatusOK || strings.Contains(body, `class="result"`) {
		t.Errorf("empty search: %d", resp.StatusCode)
	}
	// Mistakes are shown on the form, with the query kept.
	long := strings.Repeat("wombat ", 80)
	resp, body = b.Get(t, "/search?q="+url.QueryEscape(long))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "at most 500 characters") || !strings.Contains(body, `value="`+long) {
		t.Errorf("long query: %d\n%s", resp.StatusCode, body)
	}
	resp, body = b.Get(t, "/search?q=wombat&scope=tickets")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "staff only") || !strings.Contains(body, `value="wombat"`) {
		t.Errorf("customer tickets scope: %d\n%s", resp.StatusCode, body)
	}

	// Staff have the ticket and everything tabs, and find tickets there.
	if _, err := e.App.Tickets.CreateTicket(context.Background(), e.pat.Actor(""), ticket.NewTicket{Subject: "Wombat burrow collapsed",
		Description: "Our wombat service is down.", Priority: ticket.Normal, Environment: ticket.Production, Category: "runtime"}); err != nil {
		t.Fatal(err)
	}
	_, body = e.browser(t, "sam@helpline.test").Get(t, "/search?q=wombat&scope=tickets")
	if !strings.Contains(body, "scope=all") || !strings.Contains(body, `aria-current="page">Tickets`) || !strings.Contains(body, "Wombat burrow collapsed") || !strings.Contains(body, "kind-ticket") {
		t.Errorf("staff ticket search:\n%s", body)
	}
	if _, body = b.Get(t, "/search?q=wombat&scope=all"); strings.Contains(body, "Wombat burrow collapsed") {
		t.Error("a customer finds a ticket in all")
	}
}

func TestSuggest(t *testing.T) {
	e := newDocsEnv(t)
	b := e.browser(t, "")
	if got := suggestions(t, b, "qu", ""); len(got) != 0 {
		t.Errorf("two letters suggest %v", got)
	}
	got := suggestions(t, b, "my quokka app crashed", "")
	if len(got) == 0 || len(got) > 5 {
		t.Fatalf("suggestions %v", got)
	}
	for _, s := range got {
		if s["title"] == "" || s["url"] == "" || (s["kind"] != "doc" && s["kind"] != "kb") || s["label"] == "" || strings.Contains(s["url"], "?d=") {
			t.Errorf("suggestion %v", s)
		}
	}
}

func TestArticleEditing(t *testing.T) {
	e := newDocsEnv(t)
	b := e.browser(t, "sam@helpline.test")
	ctx := context.Background()

	resp, body := b.Get(t, "/docs/manage/new")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-preview-source="body"`) {
		t.Fatalf("new form: %d", resp.StatusCode)
	}
	// Mistakes are named and nothing typed is lost.
	form := url.Values{"title": {"Scaling quokka workers"}, "summary": {"More dynos."}, "body": {"## Scale\n\nRun `quokka scale web=4`."},
		"section": {"platform"}, "audience": {"public"}, "status": {"published"}, "tags": {"scale, dynos"}, "position": {"first"}, "last_reviewed": {"2026-13-01"}}
	resp, body = b.Post(t, "/docs/manage", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `&#34;first&#34; is not a whole number`) || !strings.Contains(body, "YYYY-MM-DD") ||
		!strings.Contains(body, "Run `quokka scale web=4`.") || !strings.Contains(body, `value="scale, dynos"`) {
		t.Fatalf("bad create: %d\n%s", resp.StatusCode, body)
	}
	// The Preview button works without JavaScript.
	form.Set("action", "preview")
	if resp, body = b.Post(t, "/docs/manage", form); resp.StatusCode != http.StatusOK || !strings.Contains(body, `<h2 id="scale">`) || !strings.Contains(body, "Run `quokka scale web=4`.") {
		t.Fatalf("preview: %d\n%s", resp.StatusCode, body)
	}
	form.Del("action")
	form.Set("position", "3")
	form.Set("last_reviewed", "2026-11-01")
	resp, _ = b.Post(t, "/docs/manage", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	slug := strings.TrimPrefix(resp.Header.Get("Location"), "/docs/")
	art, err := e.App.Docs.FindArticleBySlug(ctx, e.sam.Actor(""), slug)
	if err != nil || art.Title != "Scaling quokka workers" || art.Position != 3 || len(art.Tags) != 2 || art.LastReviewedAt == nil || art.Revision != 1 {
		t.Fatalf("created %+v, %v", art, err)
	}
	_, body = b.Get(t, "/docs/"+slug)
	if !strings.Contains(body, "Created Scaling quokka workers.") || !strings.Contains(body, "Last reviewed") {
		t.Errorf("after create:\n%s", body)
	}

	// Ada saves while Sam is editing revision 1: Sam's save is a conflict
	// that keeps his text and shows what differs.
	resp, body = b.Get(t, "/docs/"+slug+"/edit")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="base_revision" value="1"`) || !strings.Contains(body, `value="2026-11-01"`) {
		t.Fatalf("edit form: %d\n%s", resp.StatusCode, body)
	}
	in := docs.ArticleInput{Title: art.Title, Summary: art.Summary, Body: "## Scale\n\nRun `quokka scale web=8`.", Section: art.Section, Audience: art.Audience,
		Status: art.Status, Tags: art.Tags, Position: art.Position, BaseRevision: 1, Note: "Ada's change"}
	if _, err := e.App.Docs.UpdateArticle(ctx, e.ada.Actor(""), slug, in); err != nil {
		t.Fatal(err)
	}
	edit := url.Values{"title": {"Scaling quokka workers"}, "summary": {"More dynos."}, "body": {"## Scale\n\nSam's new text about autoscaling."},
		"section": {"platform"}, "audience": {"public"}, "status": {"published"}, "tags": {"scale"}, "base_revision": {"1"}, "note": {"Autoscaling"}}
	resp, body = b.Post(t, "/docs/"+slug+"/edit", edit)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Sam&#39;s new text about autoscaling.") || !strings.Contains(body, `id="conflict"`) ||
		!strings.Contains(body, `name="base_revision" value="2"`) || !strings.Contains(body, "diff-del") || !strings.Contains(body, "web=8") {
		t.Fatalf("conflict: %d\n%s", resp.StatusCode, body)
	}
	// Saving again, on purpose, replaces Ada's revision.
	edit.Set("base_revision", "2")
	if resp, body = b.Post(t, "/docs/"+slug+"/edit", edit); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", resp.StatusCode, body)
	}
	art, _ = e.App.Docs.FindArticleBySlug(ctx, e.sam.Actor(""), slug)
	if art.Revision != 3 || !strings.Contains(art.Body, "autoscaling") {
		t.Fatalf("saved %+v", art)
	}

	// The live preview's endpoint: a sanitised fragment, for staff only.
	resp, body = b.Post(t, "/docs/preview", url.Values{"body": {"# Hi\n\n<script>alert(1)</script>"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<h1 id="hi">`) || strings.Contains(body, "<script") || strings.Contains(body, "<html") {
		t.Fatalf("preview: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := e.browser(t, "pat@globex.test").Post(t, "/docs/preview", url.Values{"body": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("customer preview: %d", resp.StatusCode)
	}
	// A cross-site form post is refused.
	req, _ := http.NewRequest("POST", e.URL+"/docs/preview", strings.NewReader("body=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err := b.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site preview: %v %v", resp, err)
	}

	// The list shows drafts too, filtered.
	_, body = b.Get(t, "/docs/manage?status=draft")
	if !strings.Contains(body, e.draft.Title) || strings.Contains(body, e.public.Title) {
		t.Errorf("manage drafts:\n%s", body)
	}
	if resp, body = b.Get(t, "/docs/manage?section=nowhere"); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "choose a section") {
		t.Errorf("bad filter: %d", resp.StatusCode)
	}
}

func TestRevisionsDiffAndRestore(t *testing.T) {
	e := newDocsEnv(t)
	ctx := context.Background()
	a := e.public
	in := docs.ArticleInput{Title: a.Title, Summary: a.Summary, Body: "## First steps\n\nRun `quokka launch`.\n", Section: a.Section, Audience: a.Audience,
		Status: a.Status, Tags: a.Tags, BaseRevision: a.Revision, Note: "Renamed the command"}
	if _, err := e.App.Docs.UpdateArticle(ctx, e.ada.Actor(""), a.Slug, in); err != nil {
		t.Fatal(err)
	}
	b := e.browser(t, "sam@helpline.test")
	_, body := b.Get(t, "/docs/"+a.Slug+"/revisions")
	if !strings.Contains(body, "Renamed the command") || !strings.Contains(body, `/revisions/1"`) || !strings.Contains(body, "ada") {
		t.Fatalf("revisions:\n%s", body)
	}
	_, body = b.Get(t, "/docs/"+a.Slug+"/revisions/1")
	if !regexp.MustCompile(`class="diff-del">-\s+Run `+"`quokka deploy`").MatchString(body) || !regexp.MustCompile(`class="diff-add">\+\s+Run `+"`quokka launch`").MatchString(body) {
		t.Fatalf("diff:\n%s", body)
	}
	if resp, _ := b.Get(t, "/docs/"+a.Slug+"/revisions/99"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing revision: %d", resp.StatusCode)
	}
	resp, _ := b.Post(t, "/docs/"+a.Slug+"/revisions/1/restore", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore: %d", resp.StatusCode)
	}
	got, _ := e.App.Docs.FindArticleBySlug(ctx, nil, a.Slug)
	if got.Revision != 3 || !strings.Contains(got.Body, "quokka deploy") {
		t.Fatalf("restored %+v", got)
	}
	// Readers have no access to the history.
	if resp, _ := e.browser(t, "pat@globex.test").Get(t, "/docs/"+a.Slug+"/revisions"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("customer revisions: %d", resp.StatusCode)
	}
}

func TestArticleRatings(t *testing.T) {
	e := newDocsEnv(t)
	slug := e.public.Slug
	anon := e.browser(t, "")
	// Forgetting to choose keeps the comment.
	resp, body := anon.Post(t, "/docs/"+slug+"/rate", url.Values{"comment": {"Needs a Rust example"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Needs a Rust example") || !strings.Contains(body, "choose Yes or No") {
		t.Fatalf("no choice: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = anon.Post(t, "/docs/"+slug+"/rate", url.Values{"helpful": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("rate: %d", resp.StatusCode)
	}
	var voter *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "helpline_voter" {
			voter = c
		}
	}
	if voter == nil || !voter.HttpOnly || voter.SameSite != http.SameSiteLaxMode || len(voter.Value) < 16 {
		t.Fatalf("voter cookie %+v", voter)
	}
	if _, body = anon.Get(t, "/docs/"+slug); !strings.Contains(body, "Thank you") {
		t.Errorf("no thanks:\n%s", body)
	}
	// Changing one's mind replaces the vote.
	anon.Post(t, "/docs/"+slug+"/rate", url.Values{"helpful": {"no"}, "comment": {"Missing the Windows steps"}})
	pat := e.browser(t, "pat@globex.test")
	pat.Post(t, "/docs/"+slug+"/rate", url.Values{"helpful": {"yes"}})
	// Hidden articles cannot be rated.
	if resp, _ := anon.Post(t, "/docs/"+e.customers.Slug+"/rate", url.Values{"helpful": {"yes"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("rate hidden: %d", resp.StatusCode)
	}

	staff := e.browser(t, "sam@helpline.test")
	_, body = staff.Get(t, "/docs/"+slug+"/ratings")
	if !strings.Contains(body, "1 helpful") || !strings.Contains(body, "1 not helpful") || !strings.Contains(body, "Missing the Windows steps") {
		t.Fatalf("ratings:\n%s", body)
	}
	_, body = staff.Get(t, "/docs/manage")
	if !strings.Contains(body, "▲ 1") || !strings.Contains(body, "▼ 1") {
		t.Errorf("manage counts:\n%s", body)
	}
	if resp, _ := pat.Get(t, "/docs/"+slug+"/ratings"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("customer ratings: %d", resp.StatusCode)
	}
}

func TestDocsStaffAccess(t *testing.T) {
	e := newDocsEnv(t)
	anon := e.browser(t, "")
	if resp, _ := anon.Get(t, "/docs/manage"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
		t.Errorf("anonymous manage: %d", resp.StatusCode)
	}
	pat := e.browser(t, "pat@globex.test")
	for _, path := range []string{"/docs/manage", "/docs/manage/new", "/docs/" + e.public.Slug + "/edit", "/reports/deflection"} {
		if resp, _ := pat.Get(t, path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("customer %s: %d", path, resp.StatusCode)
		}
	}
	if resp, _ := pat.Post(t, "/docs/"+e.public.Slug+"/edit", url.Values{"title": {"Hacked"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("customer save: %d", resp.StatusCode)
	}
	// Agents edit; only admins delete.
	sam := e.browser(t, "sam@helpline.test")
	if resp, _ := sam.Post(t, "/docs/"+e.public.Slug+"/delete", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("agent delete: %d", resp.StatusCode)
	}
	_, body := sam.Get(t, "/docs/"+e.public.Slug+"/edit")
	if strings.Contains(body, "/delete") {
		t.Error("agents see the delete button")
	}
	ada := e.browser(t, "ada@helpline.test")
	if _, body := ada.Get(t, "/docs/"+e.public.Slug+"/edit"); !strings.Contains(body, `action="/docs/`+e.public.Slug+`/delete"`) {
		t.Error("admins lack the delete button")
	}
	if resp, _ := ada.Post(t, "/docs/"+e.public.Slug+"/delete", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin delete: %d", resp.StatusCode)
	}
	if resp, _ := anon.Get(t, "/docs/"+e.public.Slug); resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleted article: %d", resp.StatusCode)
	}
}

// tokenRE finds the ticket form's deflection token.
var tokenRE = regexp.MustCompile(`name="deflection" id="deflection" value="([^"]+)"`)

// The deflection flow through HTTP: the ticket form starts a session, the
// suggestions carry its token, opening one is recorded, and the session
// ends with a ticket or without one.
func TestDeflectionFlow(t *testing.T) {
	// A form counts as deflected once left alone for a while: the test
	// moves the app's clock past that.
	var later atomic.Int64
	e := newDocsEnvWith(t, apptest.Options{Now: func() time.Time { return time.Now().Add(time.Duration(later.Load())) }})
	ctx := context.Background()
	pat := e.browser(t, "pat@globex.test")
	openForm := func() string {
		t.Helper()
		resp, body := pat.Get(t, "/tickets/new")
		m := tokenRE.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil || !strings.Contains(body, `id="ticket-suggestions"`) || !strings.Contains(body, "/static/docs.js") {
			t.Fatalf("ticket form: %d\n%s", resp.StatusCode, body)
		}
		return m[1]
	}
	open := func(token string) {
		t.Helper()
		var link string
		for _, s := range suggestions(t, pat, "my quokka app crashed after deploy", token) {
			if s["title"] == e.kb.Title {
				link = s["url"]
			}
		}
		if link != "/docs/"+e.kb.Slug+"?d="+url.QueryEscape(token) {
			t.Fatalf("suggestion link %q", link)
		}
		if resp, _ := pat.Get(t, link); resp.StatusCode != http.StatusOK {
			t.Fatalf("open %s: %d", link, resp.StatusCode)
		}
	}

	// First form: the customer reads the article and still opens a ticket.
	first := openForm()
	open(first)
	resp, body := pat.Post(t, "/tickets", url.Values{"subject": {"Quokka app crashed"}, "description": {"It crashed after deploy and the article did not help."},
		"priority": {"normal"}, "environment": {"production"}, "category": {"runtime"}, "deflection": {first}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ticket: %d\n%s", resp.StatusCode, body)
	}
	// Second form: the article answers, no ticket.
	open(openForm())
	// A form shown again after a mistake keeps its token.
	third := openForm()
	_, body = pat.Post(t, "/tickets", url.Values{"subject": {""}, "description": {"x"}, "priority": {"normal"}, "environment": {"production"}, "deflection": {third}})
	if m := tokenRE.FindStringSubmatch(body); m == nil || m[1] != third {
		t.Errorf("token after an error: %v", m)
	}
	// Someone else's token records nothing for them.
	dev := e.browser(t, "dev@acme.test")
	if resp, _ := dev.Get(t, "/docs/"+e.kb.Slug+"?d="+url.QueryEscape(first)); resp.StatusCode != http.StatusOK {
		t.Errorf("foreign token: %d", resp.StatusCode)
	}

	later.Store(int64(time.Hour))
	from := time.Now().UTC().AddDate(0, 0, -1)
	rows, err := e.App.Docs.FindDeflection(ctx, e.sam.Actor(""), from, from.AddDate(0, 0, 3))
	if err != nil {
		t.Fatal(err)
	}
	var row docs.DeflectionRow
	for _, r := range rows {
		if r.ArticleID == e.kb.ID {
			row = r
		}
	}
	if row.Shown < 2 || row.Opened != 2 || row.Deflected != 1 || row.Tickets != 1 {
		t.Fatalf("deflection row %+v (all %+v)", row, rows)
	}

	sam := e.browser(t, "sam@helpline.test")
	resp, body = sam.Get(t, "/reports/deflection")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, e.kb.Title) || !strings.Contains(body, "50%") || !strings.Contains(body, "Reading the columns") {
		t.Fatalf("report: %d\n%s", resp.StatusCode, body)
	}
	resp, body = sam.Get(t, "/reports/deflection?from=2026-02-30&to=yesterday")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `value="2026-02-30"`) || !strings.Contains(body, "YYYY-MM-DD") {
		t.Fatalf("bad dates: %d\n%s", resp.StatusCode, body)
	}
	if resp, body = sam.Get(t, "/reports/deflection?from=2026-03-02&to=2026-03-01"); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "before From") {
		t.Fatalf("reversed dates: %d\n%s", resp.StatusCode, body)
	}
}
