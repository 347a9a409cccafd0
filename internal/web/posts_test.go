package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/docs"
)

// postFixture creates a post as an admin, published at a whole second so
// feeds (which carry seconds) can be compared with it exactly.
func postFixture(t testing.TB, env *apptest.Env, admin account.User, kind docs.PostKind, in docs.PostInput) docs.Post {
	t.Helper()
	if in.Audience == "" {
		in.Audience = "public"
	}
	if in.Status == "" {
		in.Status = docs.StatusPublished
	}
	if in.Body == "" {
		in.Body = "Body of " + in.Title + "."
	}
	if kind == docs.PostChangelog && in.Category == "" {
		in.Category = "improvement"
	}
	p, err := env.App.Docs.CreatePost(context.Background(), admin.Actor(""), kind, in)
	if err != nil {
		t.Fatalf("create %s %q: %v", kind, in.Title, err)
	}
	return p
}

func at(t time.Time) *time.Time { return &t }

// get fetches path with extra request headers.
func get(t *testing.T, env *apptest.Env, path string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", env.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

var feedTypes = map[string]string{
	"atom": "application/atom+xml; charset=utf-8",
	"rss":  "application/rss+xml; charset=utf-8",
	"json": "application/feed+json; charset=utf-8",
}

func TestPostFeeds(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Options{})
	admin := env.Staff(t, "root@helpline.test", helpline.RoleAdmin)
	ent := env.Org(t, "Bigco", account.PlanEnterprise)
	env.Customer(t, "cto@bigco.test", ent, account.OrgOwner)

	day := time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)
	older := postFixture(t, env, admin, docs.PostChangelog, docs.PostInput{Title: "Older & wiser", Category: "fix", PublishedAt: at(day)})
	hostile := postFixture(t, env, admin, docs.PostChangelog, docs.PostInput{
		Title: `Faster builds <script>alert(1)</script> & more`, Slug: "faster-builds", Summary: "Builds are 2× faster.",
		Body:     "Read [the guide](/docs/getting-started-go) or jump to [details](#details).\n\n## Details\n\n<script>alert(2)</script> a & b",
		Category: "new", PublishedAt: at(day.Add(24 * time.Hour)),
	})
	secret := postFixture(t, env, admin, docs.PostChangelog, docs.PostInput{Title: "Enterprise SSO", Audience: "enterprise", PublishedAt: at(day.Add(48 * time.Hour))})
	members := postFixture(t, env, admin, docs.PostChangelog, docs.PostInput{Title: "Customer console", Audience: "customers", PublishedAt: at(day.Add(49 * time.Hour))})
	draft := postFixture(t, env, admin, docs.PostChangelog, docs.PostInput{Title: "Unannounced thing", Status: docs.StatusDraft, PublishedAt: at(day.Add(50 * time.Hour))})
	blog := postFixture(t, env, admin, docs.PostBlog, docs.PostInput{Title: "How we run support", Summary: "A look inside.", PublishedAt: at(day)})
	scheduled := postFixture(t, env, admin, docs.PostChangelog, docs.PostInput{Title: "Coming next week", PublishedAt: at(time.Now().Add(7 * 24 * time.Hour).Truncate(time.Second))})

	public := []docs.Post{hostile, older} // newest first
	hidden := []string{secret.Title, members.Title, draft.Title, blog.Title, scheduled.Title}

	type fetched struct {
		etag, lastMod string
		guids         []string
	}
	check := func(t *testing.T, format string, want []docs.Post) fetched {
		t.Helper()
		path := "/changelog." + format
		resp, body := get(t, env, path, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d\n%s", path, resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != feedTypes[format] {
			t.Errorf("%s Content-Type %q", path, ct)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=300" {
			t.Errorf("%s Cache-Control %q", path, cc)
		}
		f, err := gofeed.NewParser().ParseString(body)
		if err != nil {
			t.Fatalf("%s does not parse: %v\n%s", path, err, body)
		}
		if f.Title != "Helpline changelog" || f.Link != env.URL+"/changelog" {
			t.Errorf("%s: title %q link %q", path, f.Title, f.Link)
		}
		self := env.URL + path
		switch format {
		case "json":
			var raw struct {
				Version string `json:"version"`
				FeedURL string `json:"feed_url"`
			}
			if err := json.Unmarshal([]byte(body), &raw); err != nil || raw.FeedURL != self || raw.Version != "https://jsonfeed.org/version/1.1" {
				t.Errorf("%s: feed_url %q version %q (%v)", path, raw.FeedURL, raw.Version, err)
			}
		default:
			if f.FeedLink != self {
				t.Errorf("%s self link %q, want %q", path, f.FeedLink, self)
			}
		}
		for _, h := range hidden {
			if strings.Contains(body, h) {
				t.Errorf("%s shows %q, which is not a public published changelog entry", path, h)
			}
		}
		if strings.Contains(body, "<script>") {
			t.Errorf("%s has a raw script tag:\n%s", path, body)
		}
		if len(f.Items) != len(want) {
			t.Fatalf("%s: %d items, want %d", path, len(f.Items), len(want))
		}
		var out fetched
		for i, it := range f.Items {
			p := want[i]
			if it.Title != p.Title || it.Link != env.URL+p.URL {
				t.Errorf("%s item %d: title %q link %q, want %q %q", path, i, it.Title, it.Link, p.Title, env.URL+p.URL)
			}
			if it.PublishedParsed == nil || !it.PublishedParsed.Equal(p.PublishedAt.Truncate(time.Second)) {
				t.Errorf("%s item %d published %v, want %v", path, i, it.PublishedParsed, p.PublishedAt)
			}
			if !strings.HasPrefix(it.GUID, "tag:127.0.0.1,") || !strings.HasSuffix(it.GUID, fmt.Sprintf(":changelog/%d", p.ID)) {
				t.Errorf("%s item %d id %q", path, i, it.GUID)
			}
			if len(it.Categories) != 1 || it.Categories[0] != p.Category {
				t.Errorf("%s item %d categories %v", path, i, it.Categories)
			}
			out.guids = append(out.guids, it.GUID)
		}
		content := f.Items[0].Content
		if format == "rss" {
			content = f.Items[0].Description
		}
		// Links in entries are absolute: readers show them away from the site.
		if !strings.Contains(content, `href="`+env.URL+`/docs/getting-started-go"`) || !strings.Contains(content, `href="`+env.URL+want[0].URL+`#details"`) {
			t.Errorf("%s: entry links are not absolute:\n%s", path, content)
		}
		if strings.Contains(content, "<script>") || !strings.Contains(content, "a &amp; b") {
			t.Errorf("%s: entry content not sanitised:\n%s", path, content)
		}
		out.etag, out.lastMod = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
		if out.etag == "" || out.lastMod == "" {
			t.Errorf("%s: ETag %q Last-Modified %q", path, out.etag, out.lastMod)
		}
		return out
	}

	before := map[string]fetched{}
	for format := range feedTypes {
		before[format] = check(t, format, public)
	}

	// A signed-in reader gets the same public feed.
	b := env.Browser()
	b.SignIn(t, "cto@bigco.test")
	if _, body := b.Get(t, "/changelog.atom"); strings.Contains(body, secret.Title) || strings.Contains(body, members.Title) {
		t.Error("a signed-in enterprise customer's feed carries non-public entries")
	}

	// Conditional requests.
	for format, f := range before {
		path := "/changelog." + format
		if resp, body := get(t, env, path, http.Header{"If-None-Match": {f.etag}}); resp.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("%s If-None-Match: %d", path, resp.StatusCode)
		}
		if resp, _ := get(t, env, path, http.Header{"If-Modified-Since": {f.lastMod}}); resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s If-Modified-Since: %d", path, resp.StatusCode)
		}
		if resp, _ := get(t, env, path, http.Header{"If-None-Match": {`"something-else"`}, "If-Modified-Since": {f.lastMod}}); resp.StatusCode != 200 {
			t.Errorf("%s with a stale ETag: %d (If-None-Match wins over If-Modified-Since)", path, resp.StatusCode)
		}
	}

	// An edit that changes the title and the slug keeps the entry's id.
	edited, err := env.App.Docs.UpdatePost(ctx, admin.Actor(""), docs.PostChangelog, hostile.Slug, docs.PostInput{
		Slug: "much-faster-builds", Title: "Much faster builds", Summary: hostile.Summary, Body: hostile.Body,
		Category: hostile.Category, Audience: hostile.Audience, Status: hostile.Status, PublishedAt: &hostile.PublishedAt,
	})
	if err != nil {
		t.Fatal(err)
	}
	if edited.URL == hostile.URL {
		t.Fatalf("the slug did not change: %s", edited.URL)
	}
	for format, f := range before {
		after := check(t, format, []docs.Post{edited, older})
		if after.guids[0] != f.guids[0] || after.guids[1] != f.guids[1] {
			t.Errorf("%s: ids changed with an edit: %v → %v", format, f.guids, after.guids)
		}
		if after.etag == f.etag {
			t.Errorf("%s: the ETag did not change with an edit", format)
		}
		if resp, _ := get(t, env, "/changelog."+format, http.Header{"If-None-Match": {f.etag}}); resp.StatusCode != 200 {
			t.Errorf("%s with the ETag from before the edit: %d", format, resp.StatusCode)
		}
	}

	// Unpublishing takes an entry out, and changes the ETag.
	if _, err := env.App.Docs.UpdatePost(ctx, admin.Actor(""), docs.PostChangelog, older.Slug, docs.PostInput{
		Title: older.Title, Body: older.Body, Category: older.Category, Audience: "customers", Status: older.Status, PublishedAt: &older.PublishedAt,
	}); err != nil {
		t.Fatal(err)
	}
	after := check(t, "atom", []docs.Post{edited})
	if resp, _ := get(t, env, "/changelog.atom", http.Header{"If-None-Match": {before["atom"].etag}}); resp.StatusCode != 200 || after.etag == before["atom"].etag {
		t.Errorf("after an entry left the feed: %d", resp.StatusCode)
	}

	// The blog's feeds carry the blog only; a category filter narrows a feed.
	for format := range feedTypes {
		resp, body := get(t, env, "/blog."+format, nil)
		f, err := gofeed.NewParser().ParseString(body)
		if resp.StatusCode != 200 || err != nil || len(f.Items) != 1 || f.Items[0].Title != blog.Title || f.Items[0].Link != env.URL+blog.URL {
			t.Errorf("/blog.%s: %d %v\n%s", format, resp.StatusCode, err, body)
		}
	}
	_, body := get(t, env, "/changelog.atom?category=fix", nil)
	if f, err := gofeed.NewParser().ParseString(body); err != nil || len(f.Items) != 0 || f.FeedLink != env.URL+"/changelog.atom?category=fix" {
		t.Errorf("filtered feed: %v\n%s", err, body)
	}
	if resp, _ := get(t, env, "/changelog.rss?category=nonsense", nil); resp.StatusCode != 404 {
		t.Errorf("unknown category feed: %d", resp.StatusCode)
	}
}

// An empty feed is still a valid feed.
func TestPostFeedsEmpty(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	for format := range feedTypes {
		resp, body := get(t, env, "/blog."+format, nil)
		if _, err := gofeed.NewParser().ParseString(body); resp.StatusCode != 200 || err != nil {
			t.Errorf("empty /blog.%s: %d %v\n%s", format, resp.StatusCode, err, body)
		}
		if resp, _ := get(t, env, "/blog."+format, http.Header{"If-None-Match": {resp.Header.Get("ETag")}}); resp.StatusCode != http.StatusNotModified {
			t.Errorf("empty /blog.%s revalidation: %d", format, resp.StatusCode)
		}
	}
}

func TestPostPages(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	admin := env.Staff(t, "root@helpline.test", helpline.RoleAdmin)
	env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	std := env.Org(t, "Smallco", account.PlanStandard)
	ent := env.Org(t, "Bigco", account.PlanEnterprise)
	env.Customer(t, "dev@smallco.test", std, account.OrgOwner)
	env.Customer(t, "cto@bigco.test", ent, account.OrgOwner)

	day := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	// 23 public entries: two pages of 20 and 3. Every third one is a fix.
	var entries []docs.Post
	for i := range 23 {
		cat := "new"
		if i%3 == 0 {
			cat = "fix"
		}
		entries = append(entries, postFixture(t, env, admin, docs.PostChangelog, docs.PostInput{
			Title: fmt.Sprintf("Entry %02d", i), Slug: fmt.Sprintf("entry-%02d", i), Category: cat, PublishedAt: at(day.Add(time.Duration(i) * time.Hour)),
		}))
	}
	secret := postFixture(t, env, admin, docs.PostChangelog, docs.PostInput{Title: "Enterprise SSO", Slug: "sso", Audience: "enterprise", Category: "new", PublishedAt: at(day.Add(100 * time.Hour))})
	members := postFixture(t, env, admin, docs.PostChangelog, docs.PostInput{Title: "Customer console", Slug: "console", Audience: "customers", Category: "new", PublishedAt: at(day.Add(101 * time.Hour))})
	draft := postFixture(t, env, admin, docs.PostChangelog, docs.PostInput{Title: "Unannounced", Slug: "unannounced", Status: docs.StatusDraft, Category: "new", PublishedAt: at(day.Add(102 * time.Hour))})
	post := postFixture(t, env, admin, docs.PostBlog, docs.PostInput{Title: "How we run support", Slug: "how-we-run-support", Summary: "A look <inside>.", Body: "## Triage\n\nWe read every ticket.", PublishedAt: at(day)})
	scheduled := postFixture(t, env, admin, docs.PostChangelog, docs.PostInput{Title: "Coming next week", Slug: "coming", Category: "new", PublishedAt: at(time.Now().Add(7 * 24 * time.Hour))})

	anon := env.Browser()
	resp, body := anon.Get(t, "/changelog")
	if resp.StatusCode != 200 {
		t.Fatalf("/changelog: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, "Entry 22", "Entry 03", `href="/changelog?page=2"`, "Page 1 of 2",
		`type="application/atom+xml"`, `href="/changelog.atom"`, `href="/changelog.rss"`, `href="/changelog.json"`,
		`class="cat cat-fix"`, `href="/changelog?category=fix"`, "Jan 1, 2026")
	if strings.Contains(body, "Entry 02") || strings.Contains(body, "?page=0") {
		t.Error("page 1 shows entry 02, which belongs on page 2")
	}
	if strings.Index(body, "Entry 22") > strings.Index(body, "Entry 21") {
		t.Error("entries are not newest first")
	}
	for _, h := range []string{secret.Title, members.Title, draft.Title, post.Title, scheduled.Title} {
		if strings.Contains(body, h) {
			t.Errorf("anonymous /changelog shows %q", h)
		}
	}
	_, body = anon.Get(t, "/changelog?page=2")
	mustContain(t, body, "Entry 02", "Entry 00", `href="/changelog"`, "Page 2 of 2")
	if strings.Contains(body, "Entry 03") || strings.Contains(body, "page=3") {
		t.Error("page 2 is wrong")
	}
	for path, status := range map[string]int{
		"/changelog?page=3":             404,
		"/changelog?page=0":             404,
		"/changelog?page=x":             404,
		"/changelog?category=bogus":     404,
		"/blog?category=fix":            404,
		"/changelog/" + secret.Slug:     404,
		"/changelog/" + members.Slug:    404,
		"/changelog/" + draft.Slug:      404,
		"/changelog/" + scheduled.Slug:  404, // not yet
		"/changelog/" + post.Slug:       404, // a blog post is not a changelog entry
		"/changelog/" + entries[5].Slug: 200,
		"/blog/" + post.Slug:            200,
		"/admin/posts":                  303, // sign in first
		"/changelog/":                   301,
		"/blog/":                        301,
	} {
		if resp, _ := anon.Get(t, path); resp.StatusCode != status {
			t.Errorf("anonymous GET %s: %d, want %d", path, resp.StatusCode, status)
		}
	}

	// The category filter, with its pagination.
	_, body = anon.Get(t, "/changelog?category=fix")
	mustContain(t, body, "Entry 21", "Entry 00", `aria-current="page">Fix`, `href="/changelog.atom?category=fix"`)
	if strings.Contains(body, "Entry 22") || strings.Contains(body, "Page 1 of") {
		t.Error("the fix filter shows a new entry, or pages it does not have")
	}

	// An entry's page.
	_, body = anon.Get(t, "/changelog/"+entries[5].Slug)
	mustContain(t, body, "<h1>Entry 05</h1>", "Body of Entry 05.", `href="/changelog"`, `datetime="2026-01-01T13:00:00Z"`, `href="/changelog.atom"`)
	if strings.Contains(body, "/edit") {
		t.Error("readers see the edit link")
	}

	// Audiences: a standard customer sees customers-only entries, an
	// enterprise customer enterprise ones too.
	stdB := env.Browser()
	stdB.SignIn(t, "dev@smallco.test")
	_, body = stdB.Get(t, "/changelog")
	if !strings.Contains(body, members.Title) || strings.Contains(body, secret.Title) || strings.Contains(body, draft.Title) {
		t.Errorf("standard customer's changelog:\n%s", body)
	}
	if resp, _ := stdB.Get(t, "/changelog/"+secret.Slug); resp.StatusCode != 404 {
		t.Errorf("standard customer opening the enterprise entry: %d", resp.StatusCode)
	}
	entB := env.Browser()
	entB.SignIn(t, "cto@bigco.test")
	_, body = entB.Get(t, "/changelog")
	mustContain(t, body, members.Title, secret.Title, "Enterprise only")
	if resp, _ := entB.Get(t, "/changelog/"+secret.Slug); resp.StatusCode != 200 {
		t.Errorf("enterprise customer opening the enterprise entry: %d", resp.StatusCode)
	}
	if resp, _ := entB.Get(t, "/changelog/"+draft.Slug); resp.StatusCode != 404 {
		t.Errorf("customer opening a draft: %d", resp.StatusCode)
	}

	// The blog.
	_, body = anon.Get(t, "/blog")
	mustContain(t, body, post.Title, "A look &lt;inside&gt;.", "by root", `href="/blog/how-we-run-support"`, `href="/blog.atom"`)
	_, body = anon.Get(t, "/blog/"+post.Slug)
	mustContain(t, body, "<h1>How we run support</h1>", "We read every ticket.", "by root", `href="/blog"`)

	// Staff see drafts on their page, with a badge, and admins an edit link.
	adminB := env.Browser()
	adminB.SignIn(t, "root@helpline.test")
	resp, body = adminB.Get(t, "/changelog/"+draft.Slug)
	if resp.StatusCode != 200 {
		t.Fatalf("admin opening a draft: %d", resp.StatusCode)
	}
	mustContain(t, body, "Draft", `href="/admin/posts/changelog/unannounced/edit"`)
	if _, body = adminB.Get(t, "/changelog"); strings.Contains(body, draft.Title) {
		t.Error("the changelog index shows a draft to staff: drafts are on /admin/posts")
	}
	_, body = adminB.Get(t, "/changelog/"+scheduled.Slug)
	mustContain(t, body, "Scheduled")
	_, body = adminB.Get(t, "/admin/posts")
	mustContain(t, body, "Coming next week", ">Scheduled<", "Unannounced", ">Draft<")
}

func TestPostAdmin(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	admin := env.Staff(t, "root@helpline.test", helpline.RoleAdmin)
	env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	draft := postFixture(t, env, admin, docs.PostBlog, docs.PostInput{Title: "Half written", Slug: "half-written", Status: docs.StatusDraft})
	entry := postFixture(t, env, admin, docs.PostChangelog, docs.PostInput{Title: "Old title", Slug: "old-title", Category: "fix", PublishedAt: at(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))})

	// Agents may read, not write.
	agent := env.Browser()
	agent.SignIn(t, "agent@helpline.test")
	for _, path := range []string{"/admin/posts", "/admin/posts/new?kind=blog", "/admin/posts/changelog/old-title/edit"} {
		if resp, _ := agent.Get(t, path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("agent GET %s: %d, want 403", path, resp.StatusCode)
		}
	}
	for _, path := range []string{"/admin/posts", "/admin/posts/changelog/old-title/edit", "/admin/posts/changelog/old-title/delete"} {
		if resp, _ := agent.Post(t, path, url.Values{"kind": {"changelog"}, "title": {"x"}, "body": {"x"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("agent POST %s: %d, want 403", path, resp.StatusCode)
		}
	}

	b := env.Browser()
	b.SignIn(t, "root@helpline.test")
	_, body := b.Get(t, "/admin/posts?kind=blog")
	mustContain(t, body, "Half written", "Draft", `href="/admin/posts/blog/half-written/edit"`, `href="/admin/posts/new?kind=blog"`)
	_, body = b.Get(t, "/admin/posts")
	mustContain(t, body, "Old title", `href="/admin/posts/changelog/old-title/edit"`)
	if resp, _ := b.Get(t, "/admin/posts?kind=news"); resp.StatusCode != 404 {
		t.Errorf("unknown kind: %d", resp.StatusCode)
	}
	if resp, _ := b.Get(t, "/admin/posts/news/x/edit"); resp.StatusCode != 404 {
		t.Errorf("edit of an unknown kind: %d", resp.StatusCode)
	}

	resp, body := b.Get(t, "/admin/posts/new?kind=changelog")
	if resp.StatusCode != 200 {
		t.Fatalf("new form: %d", resp.StatusCode)
	}
	mustContain(t, body, `name="kind" value="changelog"`, `name="category"`, `name="published_at"`, `value="preview"`)

	// Mistakes keep what was typed.
	typed := url.Values{"kind": {"changelog"}, "title": {""}, "summary": {"Kept <summary>"}, "body": {"Kept **body** & text"}, "category": {"security"}, "audience": {"customers"}, "status": {"published"}}
	resp, body = b.Post(t, "/admin/posts", typed)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("no title: %d\n%s", resp.StatusCode, body)
	}
	mustContain(t, body, `aria-invalid="true"`, "Kept &lt;summary&gt;", "Kept **body** &amp; text", `value="security" selected`, `value="customers" selected`)
	bad := url.Values{}
	for k, v := range typed {
		bad[k] = v
	}
	bad.Set("title", "Dated")
	bad.Set("published_at", "next tuesday")
	resp, body = b.Post(t, "/admin/posts", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad date: %d", resp.StatusCode)
	}
	mustContain(t, body, "YYYY-MM-DD", `value="next tuesday"`, `value="Dated"`, "Kept **body** &amp; text")

	// Preview renders the body and saves nothing.
	prev := url.Values{}
	for k, v := range typed {
		prev[k] = v
	}
	prev.Set("title", "Previewed")
	prev.Set("action", "preview")
	resp, body = b.Post(t, "/admin/posts", prev)
	if resp.StatusCode != 200 {
		t.Fatalf("preview: %d", resp.StatusCode)
	}
	mustContain(t, body, "<strong>body</strong>", `value="Previewed"`)
	if posts, _, _ := env.App.Docs.FindPosts(context.Background(), admin.Actor(""), docs.PostFilter{Kind: docs.PostChangelog}); len(posts) != 1 {
		t.Errorf("preview saved a post: %d posts", len(posts))
	}

	// Create.
	good := url.Values{"kind": {"changelog"}, "title": {"Security headers"}, "summary": {"HSTS everywhere."}, "body": {"We now send **HSTS**."},
		"category": {"security"}, "audience": {"public"}, "status": {"published"}, "published_at": {"2026-03-04T05:06:07"}, "action": {"save"}}
	resp, _ = b.Post(t, "/admin/posts", good)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/changelog/security-headers" {
		t.Fatalf("create: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = b.Get(t, "/changelog/security-headers")
	mustContain(t, body, "Security headers", "<strong>HSTS</strong>", `datetime="2026-03-04T05:06:07Z"`, "Published.")

	// Edit: the form is filled in; saving keeps the publication time.
	_, body = b.Get(t, "/admin/posts/changelog/old-title/edit")
	mustContain(t, body, `value="Old title"`, `value="2026-01-02T03:04:05"`, `value="fix" selected`, "Body of Old title.", "/admin/posts/changelog/old-title/delete")
	edit := url.Values{"slug": {"new-title"}, "title": {"New title"}, "summary": {""}, "body": {"Changed."}, "category": {"fix"},
		"audience": {"public"}, "status": {"published"}, "published_at": {"2026-01-02T03:04:05"}}
	resp, _ = b.Post(t, "/admin/posts/changelog/old-title/edit", edit)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/changelog/new-title" {
		t.Fatalf("save: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	saved, err := env.App.Docs.FindPost(context.Background(), admin.Actor(""), docs.PostChangelog, "new-title")
	if err != nil || saved.ID != entry.ID || saved.Title != "New title" || !saved.PublishedAt.Equal(entry.PublishedAt) {
		t.Errorf("after saving: %+v %v (published %v, was %v)", saved, err, saved.PublishedAt, entry.PublishedAt)
	}
	edit.Set("category", "misc")
	resp, body = b.Post(t, "/admin/posts/changelog/new-title/edit", edit)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad category: %d", resp.StatusCode)
	}
	mustContain(t, body, `value="New title"`, "Changed.")

	// Delete.
	resp, _ = b.Post(t, "/admin/posts/changelog/new-title/delete", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/posts?kind=changelog" {
		t.Fatalf("delete: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := b.Get(t, "/changelog/new-title"); resp.StatusCode != 404 {
		t.Errorf("deleted entry: %d", resp.StatusCode)
	}
	if resp, _ := b.Get(t, "/admin/posts/blog/"+draft.Slug+"/edit"); resp.StatusCode != 200 {
		t.Errorf("edit form of a draft: %d", resp.StatusCode)
	}
}
