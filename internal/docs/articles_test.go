package docs_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/search"
)

func TestVisibilityMatrix(t *testing.T) {
	f := newFixture(t)
	agent := f.staff("agent", helpline.RoleAgent)
	articles := map[string]docs.Article{}
	for _, c := range []struct {
		name     string
		audience search.Audience
		status   docs.Status
	}{
		{"public", search.AudiencePublic, docs.StatusPublished},
		{"customers", search.AudienceCustomers, docs.StatusPublished},
		{"enterprise", search.AudienceEnterprise, docs.StatusPublished},
		{"draft", search.AudiencePublic, docs.StatusDraft},
	} {
		in := article("Visibility " + c.name + " zebra")
		in.Audience, in.Status = c.audience, c.status
		articles[c.name] = f.create(agent, in)
	}
	readers := []struct {
		name  string
		actor *helpline.Actor
		sees  []string
	}{
		{"anonymous", nil, []string{"public"}},
		{"free customer", f.customer("free", account.PlanFree), []string{"public", "customers"}},
		{"standard customer", f.customer("standard", account.PlanStandard), []string{"public", "customers"}},
		{"enterprise customer", f.customer("ent", account.PlanEnterprise), []string{"public", "customers", "enterprise"}},
		{"premier customer", f.customer("premier", account.PlanPremier), []string{"public", "customers", "enterprise"}},
		{"staff", agent, []string{"public", "customers", "enterprise", "draft"}},
	}
	works := searchWorks(t, f)
	for _, r := range readers {
		t.Run(r.name, func(t *testing.T) {
			for name, a := range articles {
				got, err := f.svc.FindArticleBySlug(f.ctx, r.actor, a.Slug)
				if slices.Contains(r.sees, name) {
					if err != nil {
						t.Errorf("%s article: %v", name, err)
					} else if got.ID != a.ID || got.URL != "/docs/"+a.Slug {
						t.Errorf("%s article: got %+v", name, got)
					}
				} else {
					wantKind(t, err, helpline.KindNotFound)
				}
			}
			list, err := f.svc.FindArticles(f.ctx, r.actor, docs.ArticleFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var listed []string
			for _, a := range list {
				listed = append(listed, strings.TrimSuffix(strings.TrimPrefix(a.Slug, "visibility-"), "-zebra"))
			}
			slices.Sort(listed)
			want := slices.Sorted(slices.Values(r.sees))
			if !slices.Equal(listed, want) {
				t.Errorf("FindArticles = %v, want %v", listed, want)
			}
			res, err := f.svc.Search(f.ctx, r.actor, docs.SearchQuery{Text: "zebra"})
			if err != nil {
				t.Fatal(err)
			}
			if works {
				var found []string
				for _, hit := range res {
					for name, a := range articles {
						if hit.ID == a.ID && hit.Kind == search.KindDoc {
							found = append(found, name)
						}
					}
				}
				slices.Sort(found)
				if !slices.Equal(found, want) {
					t.Errorf("search finds %v, want %v", found, want)
				}
			}
		})
	}
	// What the index was told: readers' audiences for published articles,
	// staff only for the draft.
	for name, a := range articles {
		d, ok := f.index.doc(search.KindDoc, a.ID)
		want := a.Audience
		if name == "draft" {
			want = search.AudienceStaff
		}
		if !ok || d.Audience != want || d.URL != a.URL || d.Title != a.Title {
			t.Errorf("index has %s article as %+v (found %v), want audience %s", name, d, ok, want)
		}
	}
}

func TestArticleValidation(t *testing.T) {
	f := newFixture(t)
	agent := f.staff("agent", helpline.RoleAgent)
	taken := f.create(agent, article("Taken title"))
	code := article("H12 - Request timeout")
	code.Section, code.ErrorCode = docs.SectionErrorCodes, "h12"
	h12 := f.create(agent, code)
	if h12.ErrorCode != "H12" || h12.URL != "/docs/error-codes#h12-request-timeout" {
		t.Fatalf("error-code article: code %q, URL %q", h12.ErrorCode, h12.URL)
	}
	tags := make([]string, 21)
	for i := range tags {
		tags[i] = "tag" + string(rune('a'+i))
	}
	cases := []struct {
		name   string
		change func(*docs.ArticleInput)
		field  string
		want   string
	}{
		{"no title", func(in *docs.ArticleInput) { in.Title = "  " }, "title", "is required"},
		{"long title", func(in *docs.ArticleInput) { in.Title = strings.Repeat("é", 201) }, "title", "at most 200"},
		{"title makes no slug", func(in *docs.ArticleInput) { in.Title = "???" }, "slug", "could not be made from the title"},
		{"bad slug", func(in *docs.ArticleInput) { in.Slug = "Bad Slug" }, "slug", "lowercase letters and digits"},
		{"double dash", func(in *docs.ArticleInput) { in.Slug = "a--b" }, "slug", "single dashes"},
		{"long slug", func(in *docs.ArticleInput) { in.Slug = strings.Repeat("a", 101) }, "slug", "at most 100"},
		{"reserved slug", func(in *docs.ArticleInput) { in.Slug = "manage" }, "slug", `"manage" is a reserved page name`},
		{"ratings reserved", func(in *docs.ArticleInput) { in.Slug = "ratings" }, "slug", "reserved"},
		{"taken slug", func(in *docs.ArticleInput) { in.Slug = taken.Slug }, "slug", `is already the slug of "Taken title"`},
		{"taken derived slug", func(in *docs.ArticleInput) { in.Title = "Taken  Title!" }, "slug", "already the slug"},
		{"no section", func(in *docs.ArticleInput) { in.Section = "" }, "section", "is required: choose one of getting-started, platform"},
		{"bad section", func(in *docs.ArticleInput) { in.Section = "faq" }, "section", "must be one of getting-started, platform, architecture, error-codes, knowledge-base, help, enterprise"},
		{"bad audience", func(in *docs.ArticleInput) { in.Audience = "staff" }, "audience", "must be one of public, customers, enterprise"},
		{"bad status", func(in *docs.ArticleInput) { in.Status = "live" }, "status", "must be draft or published"},
		{"bad code", func(in *docs.ArticleInput) { in.Section, in.ErrorCode = docs.SectionErrorCodes, "X12" }, "error_code", "like H12"},
		{"long code", func(in *docs.ArticleInput) { in.Section, in.ErrorCode = docs.SectionErrorCodes, "H123" }, "error_code", "like H12"},
		{"code outside section", func(in *docs.ArticleInput) { in.ErrorCode = "H13" }, "error_code", "only for articles in the error-codes section"},
		{"taken code", func(in *docs.ArticleInput) { in.Section, in.ErrorCode = docs.SectionErrorCodes, "h12" }, "error_code", `H12 is already explained by "h12-request-timeout"`},
		{"no body", func(in *docs.ArticleInput) { in.Body = "\n \n" }, "body", "is required"},
		{"huge body", func(in *docs.ArticleInput) { in.Body = strings.Repeat("x", 64<<10+1) }, "body", "at most 64 KB"},
		{"long summary", func(in *docs.ArticleInput) { in.Summary = strings.Repeat("s", 1001) }, "summary", "at most 1000"},
		{"too many tags", func(in *docs.ArticleInput) { in.Tags = tags }, "tags", "at most 20 tags"},
		{"comma tag", func(in *docs.ArticleInput) { in.Tags = []string{"a,b"} }, "tags", "comma"},
		{"negative position", func(in *docs.ArticleInput) { in.Position = -1 }, "position", "zero or more"},
	}
	before := f.count(`SELECT count(*) FROM articles`)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := article("Valid title")
			c.change(&in)
			_, err := f.svc.CreateArticle(f.ctx, agent, in)
			if msg := fieldErr(t, err, c.field); !strings.Contains(msg, c.want) {
				t.Errorf("%s: %q, want it to say %q", c.field, msg, c.want)
			}
		})
	}
	if after := f.count(`SELECT count(*) FROM articles`); after != before {
		t.Errorf("refused articles were stored: %d articles, had %d", after, before)
	}
	if n := f.count(`SELECT count(*) FROM article_revisions`); n != before {
		t.Errorf("%d revisions for %d articles", n, before)
	}

	// Only staff write; customers and the public are told so.
	_, err := f.svc.CreateArticle(f.ctx, f.customer("c", account.PlanEnterprise), article("Mine"))
	wantKind(t, err, helpline.KindForbidden)
	_, err = f.svc.CreateArticle(f.ctx, nil, article("Mine"))
	wantKind(t, err, helpline.KindUnauthorized)
	// Only admins delete.
	wantKind(t, f.svc.DeleteArticle(f.ctx, agent, taken.Slug), helpline.KindForbidden)
}

func TestCreateArticleNormalizes(t *testing.T) {
	f := newFixture(t)
	in := article("  Don't Panic: R14 & Memory  ")
	in.Tags = []string{" Memory ", "memory", "", "R14", "Dynos"}
	in.Body = "Body with trailing spaces   \n\n"
	reviewed := time.Date(2026, 2, 1, 15, 4, 5, 0, time.FixedZone("CET", 3600))
	in.LastReviewedAt = &reviewed
	a := f.create(f.admin, in)
	if a.Slug != "dont-panic-r14-memory" || a.Title != "Don't Panic: R14 & Memory" {
		t.Errorf("slug %q, title %q", a.Slug, a.Title)
	}
	if !slices.Equal(a.Tags, []string{"memory", "r14", "dynos"}) {
		t.Errorf("tags %q", a.Tags)
	}
	if a.Body != in.Body {
		t.Errorf("body changed: %q", a.Body)
	}
	if a.Revision != 1 || a.AuthorID != f.admin.UserID || a.AuthorName != "admin" || a.PublishedAt == nil || !a.PublishedAt.Equal(t0) {
		t.Errorf("revision %d, author %d %q, published %v", a.Revision, a.AuthorID, a.AuthorName, a.PublishedAt)
	}
	if a.LastReviewedAt == nil || !a.LastReviewedAt.Equal(reviewed) || a.LastReviewedAt.Location() != time.UTC {
		t.Errorf("last reviewed %v, want %v in UTC", a.LastReviewedAt, reviewed)
	}
	d, ok := f.index.doc(search.KindDoc, a.ID)
	if !ok || !strings.Contains(d.Body, "What ") || !strings.Contains(d.Body, "Body with trailing spaces") ||
		!slices.Equal(d.Tags, a.Tags) || d.Audience != search.AudiencePublic || d.URL != "/docs/dont-panic-r14-memory" {
		t.Errorf("indexed %+v", d)
	}
	// A draft gets no publication date until it is published.
	draft := article("Draft first")
	draft.Status = ""
	dr := f.create(f.admin, draft)
	if dr.Status != docs.StatusDraft || dr.PublishedAt != nil {
		t.Errorf("default status %q, published %v", dr.Status, dr.PublishedAt)
	}
	f.clock.Advance(time.Hour)
	draft.Status = docs.StatusPublished
	pub, err := f.svc.UpdateArticle(f.ctx, f.admin, dr.Slug, draft)
	if err != nil {
		t.Fatal(err)
	}
	if pub.PublishedAt == nil || !pub.PublishedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("published at %v", pub.PublishedAt)
	}
}

func TestFindArticlesFilters(t *testing.T) {
	f := newFixture(t)
	mk := func(title string, section docs.Section, position int, tags ...string) {
		in := article(title)
		in.Section, in.Position, in.Tags = section, position, tags
		f.create(f.admin, in)
	}
	mk("Twelve factor", docs.SectionArchitecture, 1, "design")
	mk("Go", docs.SectionGettingStarted, 2, "go")
	mk("Node", docs.SectionGettingStarted, 1, "node", "js_stuff")
	mk("Routing", docs.SectionPlatform, 1, "router")
	drafted := article("Draft")
	drafted.Status = docs.StatusDraft
	f.create(f.admin, drafted)
	titles := func(f2 docs.ArticleFilter, actor *helpline.Actor) []string {
		list, err := f.svc.FindArticles(f.ctx, actor, f2)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range list {
			out = append(out, a.Title)
		}
		return out
	}
	if got := titles(docs.ArticleFilter{}, nil); !slices.Equal(got, []string{"Node", "Go", "Routing", "Twelve factor"}) {
		t.Errorf("section order: %v", got)
	}
	if got := titles(docs.ArticleFilter{Section: docs.SectionGettingStarted}, nil); !slices.Equal(got, []string{"Node", "Go"}) {
		t.Errorf("section filter: %v", got)
	}
	if got := titles(docs.ArticleFilter{Tag: "Router"}, nil); !slices.Equal(got, []string{"Routing"}) {
		t.Errorf("tag filter: %v", got)
	}
	// LIKE wildcards in a tag are literal.
	if got := titles(docs.ArticleFilter{Tag: "js%"}, nil); len(got) != 0 {
		t.Errorf("tag js%%: %v", got)
	}
	if got := titles(docs.ArticleFilter{Tag: "js_stuff"}, nil); !slices.Equal(got, []string{"Node"}) {
		t.Errorf("tag js_stuff: %v", got)
	}
	if got := titles(docs.ArticleFilter{Status: docs.StatusDraft}, f.admin); !slices.Equal(got, []string{"Draft"}) {
		t.Errorf("staff drafts: %v", got)
	}
	// A reader asking for drafts gets published articles only.
	if got := titles(docs.ArticleFilter{Status: docs.StatusDraft}, nil); len(got) != 4 {
		t.Errorf("reader drafts: %v", got)
	}
	if got := titles(docs.ArticleFilter{Page: helpline.Page{Limit: 2, Offset: 1}}, nil); !slices.Equal(got, []string{"Go", "Routing"}) {
		t.Errorf("page: %v", got)
	}
}

func TestErrorCodeLookup(t *testing.T) {
	f := newFixture(t)
	in := article("R14 - Memory quota exceeded")
	in.Section, in.ErrorCode = docs.SectionErrorCodes, "R14"
	a := f.create(f.admin, in)
	for _, code := range []string{"R14", "r14", " r14 "} {
		got, err := f.svc.FindArticleByErrorCode(f.ctx, nil, code)
		if err != nil || got.ID != a.ID {
			t.Errorf("%q: %v %v", code, got.ID, err)
		}
	}
	for _, code := range []string{"R15", "r", "", "R14' OR 1=1"} {
		_, err := f.svc.FindArticleByErrorCode(f.ctx, nil, code)
		wantKind(t, err, helpline.KindNotFound)
	}
	if d, ok := f.index.doc(search.KindDoc, a.ID); !ok || d.ErrorCode != "R14" || d.URL != "/docs/error-codes#r14-memory-quota-exceeded" {
		t.Errorf("indexed %+v", d)
	}
}

func TestSectionChangeMovesIndexKind(t *testing.T) {
	f := newFixture(t)
	a := f.create(f.admin, article("Moving article"))
	in := article("Moving article")
	in.Section = docs.SectionKnowledgeBase
	if _, err := f.svc.UpdateArticle(f.ctx, f.admin, a.Slug, in); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.index.doc(search.KindDoc, a.ID); ok {
		t.Error("the doc entry stayed in the index")
	}
	if d, ok := f.index.doc(search.KindKB, a.ID); !ok || d.Title != "Moving article" {
		t.Errorf("kb entry: %+v %v", d, ok)
	}
	if err := f.svc.DeleteArticle(f.ctx, f.admin, a.Slug); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.index.doc(search.KindKB, a.ID); ok {
		t.Error("a deleted article stayed in the index")
	}
	_, err := f.svc.FindArticleBySlug(f.ctx, f.admin, a.Slug)
	wantKind(t, err, helpline.KindNotFound)
	wantKind(t, f.svc.DeleteArticle(f.ctx, f.admin, a.Slug), helpline.KindNotFound)
	if n := f.count(`SELECT count(*) FROM article_revisions`); n != 0 {
		t.Errorf("%d revisions left", n)
	}
}

func TestSlugify(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"H12 - Request timeout", "h12-request-timeout"},
		{"  Getting Started with Node.js  ", "getting-started-with-node-js"},
		{"Don't use 'quotes'", "dont-use-quotes"},
		{"Café & Crème brûlée", "cafe-creme-brulee"},
		{"???", ""},
		{"a--b__c", "a-b-c"},
		{strings.Repeat("word ", 40), strings.TrimSuffix(strings.Repeat("word-", 19), "-") + "-word"},
	} {
		got := docs.Slugify(c.in)
		if got != c.want {
			t.Errorf("Slugify(%q) = %q, want %q", c.in, got, c.want)
		}
		if len(got) > docs.MaxSlug {
			t.Errorf("Slugify(%q) is %d long", c.in, len(got))
		}
	}
}
