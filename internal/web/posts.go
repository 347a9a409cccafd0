package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/feed"
)

// registerPosts mounts the changelog, the blog and their feeds.
func (web *Web) registerPosts(h handle) {
	for _, kind := range []docs.PostKind{docs.PostChangelog, docs.PostBlog} {
		index := "/" + string(kind)
		h("GET "+index, public, web.postIndex(kind))
		h("GET "+index+"/{$}", public, func(w http.ResponseWriter, r *http.Request) error {
			http.Redirect(w, r, index, http.StatusMovedPermanently)
			return nil
		})
		h("GET "+index+"/{slug}", public, web.postPage(kind))
		for _, f := range feed.Formats {
			h("GET "+index+"."+f.Ext(), public, web.postFeed(kind, f))
		}
	}
	h("GET /admin/posts", admin, web.adminPosts)
	h("GET /admin/posts/new", admin, web.newPostForm)
	h("POST /admin/posts", admin, web.createPost)
	h("GET /admin/posts/{kind}/{slug}/edit", admin, web.editPostForm)
	h("POST /admin/posts/{kind}/{slug}/edit", admin, web.savePost)
	h("POST /admin/posts/{kind}/{slug}/delete", admin, web.deletePost)
}

// postKindInfo is how pages name a kind of post.
type postKindInfo struct {
	Kind        docs.PostKind
	Title       string // "Changelog"
	One         string // "changelog entry"
	Description string
	PerPage     int
}

func kindInfo(kind docs.PostKind) postKindInfo {
	if kind == docs.PostBlog {
		return postKindInfo{kind, "Blog", "blog post", "News, guides and stories from the Helpline team.", 10}
	}
	return postKindInfo{kind, "Changelog", "changelog entry", "New features, improvements, fixes and deprecations, newest first.", 20}
}

// Path is the kind's index, /changelog or /blog.
func (k postKindInfo) Path() string { return "/" + string(k.Kind) }

// FeedPath is the kind's feed in format f, for templates: "atom", "rss" or
// "json".
func (k postKindInfo) FeedPath(f string) string { return k.Path() + "." + f }

// postKindFromPath reads {kind} of an admin URL; anything else is a page
// that does not exist.
func postKindFromPath(r *http.Request) (docs.PostKind, error) {
	switch k := docs.PostKind(r.PathValue("kind")); k {
	case docs.PostChangelog, docs.PostBlog:
		return k, nil
	}
	return "", helpline.Errorf(helpline.KindNotFound, "There is no page at %s.", r.URL.Path)
}

// pageNumber reads ?page=N (1 when absent); a malformed number is a page
// that does not exist.
func pageNumber(r *http.Request) (int, error) {
	s := r.URL.Query().Get("page")
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, helpline.Errorf(helpline.KindNotFound, "There is no page %q: pages are numbered from 1.", s)
	}
	return n, nil
}

// checkCategory rejects a changelog category filter that is not one of
// ours, and says which ones are.
func checkCategory(kind docs.PostKind, category string) error {
	if category == "" || (kind == docs.PostChangelog && slices.Contains(docs.ChangelogCategories, category)) {
		return nil
	}
	if kind != docs.PostChangelog {
		return helpline.Errorf(helpline.KindNotFound, "The blog has no categories to filter by.")
	}
	return helpline.Errorf(helpline.KindNotFound, "There is no changelog category %q: choose %s.", category, strings.Join(docs.ChangelogCategories, ", "))
}

type postIndexData struct {
	Kind       postKindInfo
	Posts      []postView
	Category   string
	Categories []string
	Total      int
	PageNum    int
	Pages      int
	Prev, Next string
	// FeedQuery is appended to feed links: a filtered index offers the
	// filtered feed.
	FeedQuery string
}

// postView is a post with its body rendered, for templates.
type postView struct {
	docs.Post
	HTML template.HTML
	// Scheduled is a published post whose date has not come: staff see it,
	// readers will from its date.
	Scheduled bool
}

func (web *Web) postView(p docs.Post, render bool) postView {
	v := postView{Post: p, Scheduled: p.Status == docs.StatusPublished && p.PublishedAt.After(web.Now())}
	if render {
		v.HTML = web.DocsMarkdown.Render(p.Body)
	}
	return v
}

func (web *Web) postIndex(kind docs.PostKind) func(http.ResponseWriter, *http.Request) error {
	info := kindInfo(kind)
	return func(w http.ResponseWriter, r *http.Request) error {
		a := actor(r)
		n, err := pageNumber(r)
		if err != nil {
			return err
		}
		category := r.URL.Query().Get("category")
		if err := checkCategory(kind, category); err != nil {
			return err
		}
		f := docs.PostFilter{Kind: kind, Category: category, Page: helpline.Page{Limit: info.PerPage, Offset: (n - 1) * info.PerPage}}
		if a.IsStaff() {
			// The index is what readers see; drafts are on /admin/posts.
			f.Status = docs.StatusPublished
		}
		posts, total, err := web.Docs.FindPosts(r.Context(), a, f)
		if err != nil {
			return err
		}
		pages := (total + info.PerPage - 1) / info.PerPage
		if n > 1 && n > pages {
			return helpline.Errorf(helpline.KindNotFound, "There is no page %d of the %s: it has %d.", n, strings.ToLower(info.Title), max(pages, 1))
		}
		d := postIndexData{Kind: info, Category: category, Total: total, PageNum: n, Pages: pages}
		if kind == docs.PostChangelog {
			d.Categories = docs.ChangelogCategories
		}
		link := func(page int) string {
			v := url.Values{}
			if category != "" {
				v.Set("category", category)
			}
			if page > 1 {
				v.Set("page", strconv.Itoa(page))
			}
			if len(v) == 0 {
				return info.Path()
			}
			return info.Path() + "?" + v.Encode()
		}
		if n > 1 {
			d.Prev = link(n - 1)
		}
		if n < pages {
			d.Next = link(n + 1)
		}
		if category != "" {
			d.FeedQuery = "?" + url.Values{"category": {category}}.Encode()
		}
		for _, p := range posts {
			// Short entries without a summary are shown whole.
			d.Posts = append(d.Posts, web.postView(p, p.Summary == ""))
		}
		title := info.Title
		if category != "" {
			title += " · " + labelOf(category)
		}
		if n > 1 {
			title += " · page " + strconv.Itoa(n)
		}
		web.render(w, r, http.StatusOK, string(kind), &Page{Title: title, Data: d})
		return nil
	}
}

func labelOf(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

type postPageData struct {
	Kind      postKindInfo
	Post      postView
	FeedQuery string // none: a post offers the whole feed
}

func (web *Web) postPage(kind docs.PostKind) func(http.ResponseWriter, *http.Request) error {
	info := kindInfo(kind)
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := web.Docs.FindPost(r.Context(), actor(r), kind, r.PathValue("slug"))
		if err != nil {
			return err
		}
		d := postPageData{Kind: info, Post: web.postView(p, true)}
		web.render(w, r, http.StatusOK, "post", &Page{Title: p.Title, Data: d})
		return nil
	}
}
