package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/docs"
)

// adminPostsPerPage is the length of the admin list of one kind.
const adminPostsPerPage = 50

type adminPostsData struct {
	Kind       postKindInfo
	Kinds      []postKindInfo
	Posts      []postView
	Prev, Next string
}

// adminPosts lists one kind's posts, drafts included, newest first.
func (web *Web) adminPosts(w http.ResponseWriter, r *http.Request) error {
	kind := docs.PostKind(r.URL.Query().Get("kind"))
	switch kind {
	case "":
		kind = docs.PostChangelog
	case docs.PostChangelog, docs.PostBlog:
	default:
		return helpline.Errorf(helpline.KindNotFound, "There are no %q posts: choose changelog or blog.", kind)
	}
	info := kindInfo(kind)
	n, err := pageNumber(r)
	if err != nil {
		return err
	}
	posts, total, err := web.Docs.FindPosts(r.Context(), actor(r), docs.PostFilter{Kind: kind, Page: helpline.Page{Limit: adminPostsPerPage, Offset: (n - 1) * adminPostsPerPage}})
	if err != nil {
		return err
	}
	d := adminPostsData{Kind: info, Kinds: []postKindInfo{kindInfo(docs.PostChangelog), kindInfo(docs.PostBlog)}}
	for _, p := range posts {
		d.Posts = append(d.Posts, web.postView(p, false))
	}
	link := func(page int) string {
		return "/admin/posts?" + url.Values{"kind": {string(kind)}, "page": {strconv.Itoa(page)}}.Encode()
	}
	if n > 1 {
		d.Prev = link(n - 1)
	}
	if n*adminPostsPerPage < total {
		d.Next = link(n + 1)
	}
	web.render(w, r, http.StatusOK, "posts_admin", &Page{Title: info.Title + " posts", Data: d})
	return nil
}

type postFormData struct {
	Kind postKindInfo
	// Post is the saved post being edited; nil on a new one.
	Post       *docs.Post
	Action     string
	Categories []string
	Audiences  []docs.Audience
	Statuses   []docs.Status
	// Preview is the body rendered, after the Preview button.
	Preview template.HTML
}

func (web *Web) postForm(kind docs.PostKind, p *docs.Post) *postFormData {
	d := &postFormData{Kind: kindInfo(kind), Post: p, Action: "/admin/posts",
		Audiences: docs.Audiences, Statuses: []docs.Status{docs.StatusPublished, docs.StatusDraft}}
	if p != nil {
		d.Action = "/admin/posts/" + string(kind) + "/" + url.PathEscape(p.Slug) + "/edit"
	}
	if kind == docs.PostChangelog {
		d.Categories = docs.ChangelogCategories
	}
	return d
}

func (web *Web) newPostForm(w http.ResponseWriter, r *http.Request) error {
	kind := docs.PostKind(r.URL.Query().Get("kind"))
	switch kind {
	case "":
		kind = docs.PostChangelog
	case docs.PostChangelog, docs.PostBlog:
	default:
		return helpline.Errorf(helpline.KindNotFound, "There are no %q posts: choose changelog or blog.", kind)
	}
	form := url.Values{"kind": {string(kind)}, "audience": {string(docs.Audiences[0])}, "status": {string(docs.StatusDraft)}}
	web.render(w, r, http.StatusOK, "post_form", &Page{Title: "New " + kindInfo(kind).One, Form: form, Data: web.postForm(kind, nil)})
	return nil
}

// postTimeLayout is how the form shows a publication time: what an
// <input type="datetime-local" step="1"> takes, in UTC.
const postTimeLayout = "2006-01-02T15:04:05"

// postInput reads the form. A publication time the form showed unchanged
// keeps its sub-second precision, so saving does not move the post.
func postInput(form url.Values, kind docs.PostKind, saved *docs.Post) (docs.PostInput, error) {
	in := docs.PostInput{
		Slug:     strings.TrimSpace(form.Get("slug")),
		Title:    form.Get("title"),
		Summary:  form.Get("summary"),
		Body:     form.Get("body"),
		Audience: docs.Audience(form.Get("audience")),
		Status:   docs.Status(form.Get("status")),
	}
	if kind == docs.PostChangelog {
		in.Category = form.Get("category")
	}
	s := strings.TrimSpace(form.Get("published_at"))
	switch {
	case s == "":
		// nil: now.
	case saved != nil && s == saved.PublishedAt.UTC().Format(postTimeLayout):
		t := saved.PublishedAt
		in.PublishedAt = &t
	default:
		t, ok := parsePostTime(s)
		if !ok {
			v := helpline.Validation{}
			v.Add("published_at", "is not a date and time: use YYYY-MM-DD HH:MM in UTC, or leave it empty for now")
			return in, v.Err()
		}
		in.PublishedAt = &t
	}
	return in, nil
}

func parsePostTime(s string) (time.Time, bool) {
	for _, layout := range []string{postTimeLayout, "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// previewing is whether the form was sent with its Preview button (the
// article editor's convention, action=preview): show the form again with
// the body rendered, and save nothing.
func (web *Web) previewing(w http.ResponseWriter, r *http.Request, title string, d *postFormData) bool {
	if r.PostForm.Get("action") != "preview" {
		return false
	}
	d.Preview = web.DocsMarkdown.Render(r.PostForm.Get("body"))
	web.render(w, r, http.StatusOK, "post_form", &Page{Title: title, Form: r.PostForm, Data: d})
	return true
}

func (web *Web) createPost(w http.ResponseWriter, r *http.Request) error {
	kind := docs.PostKind(r.PostForm.Get("kind"))
	if kind != docs.PostChangelog && kind != docs.PostBlog {
		return helpline.Errorf(helpline.KindInvalid, "The form names no kind of post: start again from the posts page.")
	}
	d := web.postForm(kind, nil)
	page := &Page{Title: "New " + d.Kind.One, Data: d}
	if web.previewing(w, r, page.Title, d) {
		return nil
	}
	in, err := postInput(r.PostForm, kind, nil)
	if err != nil {
		return web.formError(w, r, "post_form", page, err)
	}
	p, err := web.Docs.CreatePost(r.Context(), actor(r), kind, in)
	if err != nil {
		return web.formError(w, r, "post_form", page, err)
	}
	flash := "Published."
	if p.Status == docs.StatusDraft {
		flash = "Saved as a draft: only staff can see it."
	}
	web.redirect(w, r, p.URL, flash)
	return nil
}

// editedPost finds the post an admin URL names, drafts included.
func (web *Web) editedPost(r *http.Request) (docs.Post, error) {
	kind, err := postKindFromPath(r)
	if err != nil {
		return docs.Post{}, err
	}
	return web.Docs.FindPost(r.Context(), actor(r), kind, r.PathValue("slug"))
}

func (web *Web) editPostForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.editedPost(r)
	if err != nil {
		return err
	}
	form := url.Values{
		"slug": {p.Slug}, "title": {p.Title}, "summary": {p.Summary}, "body": {p.Body}, "category": {p.Category},
		"audience": {string(p.Audience)}, "status": {string(p.Status)}, "published_at": {p.PublishedAt.UTC().Format(postTimeLayout)},
	}
	web.render(w, r, http.StatusOK, "post_form", &Page{Title: "Edit " + p.Title, Form: form, Data: web.postForm(p.Kind, &p)})
	return nil
}

func (web *Web) savePost(w http.ResponseWriter, r *http.Request) error {
	p, err := web.editedPost(r)
	if err != nil {
		return err
	}
	d := web.postForm(p.Kind, &p)
	page := &Page{Title: "Edit " + p.Title, Data: d}
	if web.previewing(w, r, page.Title, d) {
		return nil
	}
	in, err := postInput(r.PostForm, p.Kind, &p)
	if err != nil {
		return web.formError(w, r, "post_form", page, err)
	}
	saved, err := web.Docs.UpdatePost(r.Context(), actor(r), p.Kind, p.Slug, in)
	if err != nil {
		return web.formError(w, r, "post_form", page, err)
	}
	web.redirect(w, r, saved.URL, "Saved.")
	return nil
}

func (web *Web) deletePost(w http.ResponseWriter, r *http.Request) error {
	p, err := web.editedPost(r)
	if err != nil {
		return err
	}
	if err := web.Docs.DeletePost(r.Context(), actor(r), p.Kind, p.Slug); err != nil {
		return err
	}
	web.redirect(w, r, "/admin/posts?kind="+string(p.Kind), "Deleted “"+p.Title+"”.")
	return nil
}
