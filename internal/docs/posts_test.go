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

func changelog(title, category string, published time.Time) docs.PostInput {
	return docs.PostInput{Title: title, Body: "What changed in " + title + ".", Category: category,
		Audience: search.AudiencePublic, Status: docs.StatusPublished, PublishedAt: &published}
}

func TestPostsVisibilityAndPaging(t *testing.T) {
	f := newFixture(t)
	for i := range 7 {
		f.post(docs.PostChangelog, changelog("Release "+string(rune('A'+i)), docs.ChangelogCategories[i%len(docs.ChangelogCategories)], t0.Add(-time.Duration(7-i)*24*time.Hour)))
	}
	draft := changelog("Draft release", "new", t0.Add(-time.Hour))
	draft.Status = docs.StatusDraft
	f.post(docs.PostChangelog, draft)
	future := f.post(docs.PostChangelog, changelog("Scheduled release", "new", t0.Add(2*time.Hour)))
	cust := changelog("Customers release", "fix", t0.Add(-time.Hour))
	cust.Audience = search.AudienceCustomers
	f.post(docs.PostChangelog, cust)
	ent := changelog("Enterprise release", "security", t0.Add(-time.Hour))
	ent.Audience = search.AudienceEnterprise
	f.post(docs.PostChangelog, ent)
	blog := f.post(docs.PostBlog, docs.PostInput{Title: "Why we built Helpline", Body: "Because.", Status: docs.StatusPublished})
	if blog.URL != "/blog/why-we-built-helpline" || blog.Audience != search.AudiencePublic || !blog.PublishedAt.Equal(t0) || blog.AuthorName != "admin" {
		t.Errorf("blog post: %+v", blog)
	}

	titles := func(actor *helpline.Actor, pf docs.PostFilter) ([]string, int) {
		t.Helper()
		posts, total, err := f.svc.FindPosts(f.ctx, actor, pf)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range posts {
			out = append(out, p.Title)
		}
		return out, total
	}
	got, total := titles(nil, docs.PostFilter{Kind: docs.PostChangelog, Page: helpline.Page{Limit: 3}})
	if !slices.Equal(got, []string{"Release G", "Release F", "Release E"}) || total != 7 {
		t.Errorf("anonymous page 1: %v of %d", got, total)
	}
	got, total = titles(nil, docs.PostFilter{Kind: docs.PostChangelog, Page: helpline.Page{Limit: 3, Offset: 6}})
	if !slices.Equal(got, []string{"Release A"}) || total != 7 {
		t.Errorf("anonymous page 3: %v of %d", got, total)
	}
	if _, total := titles(f.customer("free", account.PlanFree), docs.PostFilter{Kind: docs.PostChangelog}); total != 8 {
		t.Errorf("customer sees %d changelog entries, want 8", total)
	}
	if got, total := titles(f.customer("ent", account.PlanEnterprise), docs.PostFilter{Kind: docs.PostChangelog}); total != 9 || got[0] != "Customers release" && got[0] != "Enterprise release" {
		t.Errorf("enterprise customer sees %v", got)
	}
	if got, total := titles(f.admin, docs.PostFilter{Kind: docs.PostChangelog}); total != 11 || got[0] != "Scheduled release" {
		t.Errorf("staff see %v (%d)", got, total)
	}
	if got, _ := titles(f.admin, docs.PostFilter{Status: docs.StatusDraft}); !slices.Equal(got, []string{"Draft release"}) {
		t.Errorf("staff drafts: %v", got)
	}
	if got, _ := titles(nil, docs.PostFilter{Kind: docs.PostChangelog, Category: "security"}); !slices.Equal(got, []string{"Release E"}) {
		t.Errorf("category: %v", got)
	}
	if _, total := titles(nil, docs.PostFilter{}); total != 8 {
		t.Errorf("all kinds: %d", total)
	}

	// A scheduled post is hidden from readers, in pages and in the index,
	// until its date.
	_, err := f.svc.FindPost(f.ctx, nil, docs.PostChangelog, future.Slug)
	wantKind(t, err, helpline.KindNotFound)
	if d, _ := f.index.doc(search.KindChangelog, future.ID); d.Audience != search.AudienceStaff {
		t.Errorf("scheduled post indexed for %s", d.Audience)
	}
	f.clock.Advance(3 * time.Hour)
	if p, err := f.svc.FindPost(f.ctx, nil, docs.PostChangelog, future.Slug); err != nil || p.URL != "/changelog/scheduled-release" {
		t.Errorf("due post: %+v %v", p, err)
	}
	if n, err := f.svc.IndexDuePosts(f.ctx); err != nil || n != 1 {
		t.Errorf("IndexDuePosts = %d, %v", n, err)
	}
	if d, _ := f.index.doc(search.KindChangelog, future.ID); d.Audience != search.AudiencePublic || !slices.Equal(d.Tags, []string{"new"}) {
		t.Errorf("due post indexed as %+v", d)
	}
	if n, _ := f.svc.IndexDuePosts(f.ctx); n != 0 {
		t.Errorf("second IndexDuePosts opened %d", n)
	}
	_, err = f.svc.FindPost(f.ctx, nil, docs.PostBlog, future.Slug)
	wantKind(t, err, helpline.KindNotFound)
}

func TestPostWrites(t *testing.T) {
	f := newFixture(t)
	agent := f.staff("agent", helpline.RoleAgent)
	p := f.post(docs.PostChangelog, changelog("Faster builds", "improvement", t0))
	for _, c := range []struct {
		name   string
		kind   docs.PostKind
		change func(*docs.PostInput)
		field  string
		want   string
	}{
		{"no title", docs.PostChangelog, func(in *docs.PostInput) { in.Title = "" }, "title", "is required"},
		{"no category", docs.PostChangelog, func(in *docs.PostInput) { in.Category = "" }, "category", "must be one of new, improvement, fix, deprecation, security"},
		{"bad category", docs.PostChangelog, func(in *docs.PostInput) { in.Category = "news" }, "category", "must be one of"},
		{"blog category", docs.PostBlog, func(in *docs.PostInput) {}, "category", "leave it empty for a blog post"},
		{"taken slug", docs.PostChangelog, func(in *docs.PostInput) { in.Title = "Faster  builds!" }, "slug", `already the slug of "Faster builds"`},
		{"reserved slug", docs.PostChangelog, func(in *docs.PostInput) { in.Slug = "new" }, "slug", "reserved"},
		{"bad slug", docs.PostChangelog, func(in *docs.PostInput) { in.Slug = "-x" }, "slug", "lowercase"},
		{"no body", docs.PostChangelog, func(in *docs.PostInput) { in.Body = "" }, "body", "is required"},
		{"bad audience", docs.PostChangelog, func(in *docs.PostInput) { in.Audience = "everyone" }, "audience", "public, customers, enterprise"},
		{"bad status", docs.PostChangelog, func(in *docs.PostInput) { in.Status = "scheduled" }, "status", "draft or published"},
	} {
		in := changelog("Another release", "fix", t0)
		c.change(&in)
		_, err := f.svc.CreatePost(f.ctx, f.admin, c.kind, in)
		if msg := fieldErr(t, err, c.field); !strings.Contains(msg, c.want) {
			t.Errorf("%s: %s: %q, want %q", c.name, c.field, msg, c.want)
		}
	}
	// The same slug is fine for the other kind.
	if _, err := f.svc.CreatePost(f.ctx, f.admin, docs.PostBlog, docs.PostInput{Title: "Faster builds", Body: "Long form."}); err != nil {
		t.Errorf("blog post with a changelog slug: %v", err)
	}
	_, err := f.svc.CreatePost(f.ctx, agent, docs.PostChangelog, changelog("By an agent", "fix", t0))
	wantKind(t, err, helpline.KindForbidden)
	_, err = f.svc.CreatePost(f.ctx, f.admin, "news", changelog("Bad kind", "fix", t0))
	wantKind(t, err, helpline.KindNotFound)

	// Update keeps the date unless given, can rename, and re-indexes.
	f.clock.Advance(time.Hour)
	in := changelog("Much faster builds", "improvement", t0)
	in.PublishedAt, in.Slug, in.Status = nil, "much-faster-builds", docs.StatusDraft
	up, err := f.svc.UpdatePost(f.ctx, f.admin, docs.PostChangelog, p.Slug, in)
	if err != nil {
		t.Fatal(err)
	}
	if !up.PublishedAt.Equal(t0) || !up.UpdatedAt.Equal(t0.Add(time.Hour)) || up.URL != "/changelog/much-faster-builds" {
		t.Errorf("updated: %+v", up)
	}
	if d, _ := f.index.doc(search.KindChangelog, p.ID); d.Title != "Much faster builds" || d.Audience != search.AudienceStaff {
		t.Errorf("index after unpublishing: %+v", d)
	}
	_, err = f.svc.UpdatePost(f.ctx, f.admin, docs.PostChangelog, p.Slug, in)
	wantKind(t, err, helpline.KindNotFound)
	wantKind(t, f.svc.DeletePost(f.ctx, agent, docs.PostChangelog, up.Slug), helpline.KindForbidden)
	if err := f.svc.DeletePost(f.ctx, f.admin, docs.PostChangelog, up.Slug); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.index.doc(search.KindChangelog, p.ID); ok {
		t.Error("deleted post still indexed")
	}
	wantKind(t, f.svc.DeletePost(f.ctx, f.admin, docs.PostChangelog, up.Slug), helpline.KindNotFound)
}
