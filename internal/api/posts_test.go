package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/apptest"
)

func TestPostsCRUD(t *testing.T) {
	ctx := context.Background()
	w := newDocsWorld(t, apptest.Options{})

	in := client.PostInput{Title: "Faster builds with cached layers", Summary: "Builds reuse layers.", Body: "Builds now **reuse** cached layers.", Category: "improvement", Status: "published"}
	_, err := w.agent.CreatePost(ctx, client.PostChangelog, in)
	apiErr(t, err, 403, "forbidden")
	_, err = w.standard.CreatePost(ctx, client.PostChangelog, in)
	apiErr(t, err, 403, "forbidden")
	_, err = w.anon.CreatePost(ctx, client.PostChangelog, in)
	apiErr(t, err, 401, "unauthorized")

	p, err := w.admin.CreatePost(ctx, client.PostChangelog, in)
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != "changelog" || p.Slug == "" || p.URL != "/changelog/"+p.Slug || p.Category != "improvement" || p.Status != "published" || p.PublishedAt.IsZero() {
		t.Fatalf("created = %+v", p)
	}
	older := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	fix, err := w.admin.CreatePost(ctx, client.PostChangelog, client.PostInput{Title: "Fixed log drains", Body: "Fixed.", Category: "fix", Status: "published", PublishedAt: &older})
	if err != nil || !fix.PublishedAt.Equal(older) {
		t.Fatalf("fix = %+v, %v", fix, err)
	}
	draft, err := w.admin.CreatePost(ctx, client.PostChangelog, client.PostInput{Title: "Next month's launch", Body: "Soon.", Category: "new", Status: "draft"})
	if err != nil {
		t.Fatal(err)
	}
	ent, err := w.admin.CreatePost(ctx, client.PostChangelog, client.PostInput{Title: "Private spaces for enterprise", Body: "Enterprise only.", Category: "new", Audience: "enterprise", Status: "published"})
	if err != nil {
		t.Fatal(err)
	}
	blog, err := w.admin.CreatePost(ctx, client.PostBlog, client.PostInput{Title: "How we run the router", Body: "A tour.", Status: "published"})
	if err != nil || blog.URL != "/blog/"+blog.Slug || blog.Kind != "blog" {
		t.Fatalf("blog = %+v, %v", blog, err)
	}

	// Anonymous readers see published public entries, newest first, with a
	// total for pagination; drafts and enterprise entries are hidden.
	posts, total, err := w.anon.ListPosts(ctx, client.PostChangelog, client.PostFilter{})
	if err != nil || total != 2 || len(posts) != 2 || posts[0].Slug != p.Slug || posts[1].Slug != fix.Slug {
		t.Fatalf("anonymous changelog = %d %+v, %v", total, posts, err)
	}
	posts, total, err = w.anon.ListPosts(ctx, client.PostChangelog, client.PostFilter{Page: client.Page{Limit: 1, Offset: 1}})
	if err != nil || total != 2 || len(posts) != 1 || posts[0].Slug != fix.Slug {
		t.Fatalf("page 2 = %d %+v, %v", total, posts, err)
	}
	posts, total, err = w.anon.ListPosts(ctx, client.PostChangelog, client.PostFilter{Category: "fix"})
	if err != nil || total != 1 || posts[0].Slug != fix.Slug {
		t.Fatalf("fixes = %d %+v, %v", total, posts, err)
	}
	_, _, err = w.anon.ListPosts(ctx, client.PostChangelog, client.PostFilter{Category: "misc"})
	if e := apiErr(t, err, 422, "invalid"); !strings.Contains(e.Fields["category"], "improvement") {
		t.Fatalf("unknown category: %+v", e)
	}
	_, _, err = w.standard.ListPosts(ctx, client.PostChangelog, client.PostFilter{Status: "draft"})
	if e := apiErr(t, err, 422, "invalid"); e.Fields["status"] == "" {
		t.Fatalf("customer asks for drafts: %+v", e)
	}
	posts, total, err = w.ent.ListPosts(ctx, client.PostChangelog, client.PostFilter{})
	if err != nil || total != 3 {
		t.Fatalf("enterprise changelog = %d %+v, %v", total, posts, err)
	}
	posts, total, err = w.admin.ListPosts(ctx, client.PostChangelog, client.PostFilter{Status: "draft"})
	if err != nil || total != 1 || posts[0].Slug != draft.Slug {
		t.Fatalf("drafts = %d %+v, %v", total, posts, err)
	}
	posts, total, err = w.anon.ListPosts(ctx, client.PostBlog, client.PostFilter{})
	if err != nil || total != 1 || posts[0].Slug != blog.Slug {
		t.Fatalf("blog = %d %+v, %v", total, posts, err)
	}
	for _, slug := range []string{draft.Slug, ent.Slug, blog.Slug, "no-such-post"} {
		_, err := w.standard.GetPost(ctx, client.PostChangelog, slug)
		apiErr(t, err, 404, "not_found")
	}
	got, err := w.anon.GetPost(ctx, client.PostChangelog, p.Slug)
	if err != nil || got.Body != in.Body {
		t.Fatalf("get = %+v, %v", got, err)
	}

	// Admins edit and delete.
	up := in
	up.Title = "Much faster builds"
	_, err = w.agent.UpdatePost(ctx, client.PostChangelog, p.Slug, up)
	apiErr(t, err, 403, "forbidden")
	got, err = w.admin.UpdatePost(ctx, client.PostChangelog, p.Slug, up)
	if err != nil || got.Title != "Much faster builds" || got.Slug != p.Slug {
		t.Fatalf("updated = %+v, %v", got, err)
	}
	up.Slug = "another-slug"
	_, err = w.admin.UpdatePost(ctx, client.PostChangelog, p.Slug, up)
	if e := apiErr(t, err, 422, "invalid"); e.Fields["slug"] == "" {
		t.Fatalf("slug mismatch: %+v", e)
	}
	_, err = w.admin.UpdatePost(ctx, client.PostChangelog, "no-such-post", in)
	apiErr(t, err, 404, "not_found")
	err = w.agent.DeletePost(ctx, client.PostChangelog, p.Slug)
	apiErr(t, err, 403, "forbidden")
	err = w.admin.DeletePost(ctx, client.PostBlog, p.Slug) // a changelog slug is not a blog post
	apiErr(t, err, 404, "not_found")
	if err := w.admin.DeletePost(ctx, client.PostChangelog, p.Slug); err != nil {
		t.Fatal(err)
	}
	_, err = w.admin.GetPost(ctx, client.PostChangelog, p.Slug)
	apiErr(t, err, 404, "not_found")
}

func TestPostBadInput(t *testing.T) {
	w := newDocsWorld(t, apptest.Options{})
	tok := w.admin.Token
	for _, tc := range []struct {
		name, method, path, body string
		want                     string
	}{
		{"malformed JSON", "POST", "/api/v1/changelog", `{"title": "x"`, "malformed JSON"},
		{"unknown field", "POST", "/api/v1/blog", `{"title": "T", "body": "B", "tags": ["x"]}`, `"tags": "is not a known field"`},
		{"wrong type", "POST", "/api/v1/changelog", `{"title": ["T"], "body": "B", "category": "fix"}`, `"title": "must be a string`},
		{"bad time", "POST", "/api/v1/changelog", `{"title": "T", "body": "B", "category": "fix", "published_at": "soon"}`, `"published_at"`},
		{"unknown category", "POST", "/api/v1/changelog", `{"title": "T", "body": "B", "category": "misc"}`, `"category"`},
		{"unknown audience", "POST", "/api/v1/blog", `{"title": "T", "body": "B", "audience": "vip"}`, `"audience"`},
		{"no title", "POST", "/api/v1/blog", `{"body": "B"}`, `"title"`},
		{"bad limit", "GET", "/api/v1/blog?limit=500", "", `"limit"`},
		{"bad offset", "GET", "/api/v1/changelog?offset=x", "", `"offset"`},
		{"unknown status", "GET", "/api/v1/changelog?status=live", "", `"status"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctype := ""
			if tc.body != "" {
				ctype = "application/json"
			}
			status, body, _ := raw(t, w.env, tok, tc.method, tc.path, ctype, tc.body)
			if status != 422 || !strings.Contains(body, tc.want) {
				t.Fatalf("%d %s, want 422 with %s", status, body, tc.want)
			}
		})
	}
}
