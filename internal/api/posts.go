package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/docs"
)

// postRoutes are the changelog and the blog: the same endpoints under
// /api/v1/changelog and /api/v1/blog.
func (a *API) postRoutes() []Route {
	var routes []Route
	for _, kind := range []docs.PostKind{docs.PostChangelog, docs.PostBlog} {
		base := "/api/v1/" + string(kind)
		routes = append(routes,
			Route{Method: "GET", Path: base, Public: true, handle: a.listPosts(kind)},
			Route{Method: "POST", Path: base, handle: a.createPost(kind)},
			Route{Method: "GET", Path: base + "/{slug}", Public: true, handle: a.getPost(kind)},
			Route{Method: "PUT", Path: base + "/{slug}", handle: a.updatePost(kind)},
			Route{Method: "DELETE", Path: base + "/{slug}", handle: a.deletePost(kind)},
		)
	}
	return routes
}

func (a *API) listPosts(kind docs.PostKind) handler {
	return func(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
		p, err := page(r)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		f := docs.PostFilter{Kind: kind, Category: q.Get("category"), Status: docs.Status(q.Get("status")), Page: p}
		v := helpline.Validation{}
		if kind == docs.PostChangelog {
			v.Check(f.Category == "" || slices.Contains(docs.ChangelogCategories, f.Category), "category", "must be one of "+strings.Join(docs.ChangelogCategories, ", "))
		}
		checkStatusFilter(v, actor, f.Status)
		if err := v.Err(); err != nil {
			return err
		}
		posts, total, err := a.Docs.FindPosts(r.Context(), actor, f)
		if err != nil {
			return err
		}
		if posts == nil {
			posts = []docs.Post{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"posts": posts, "total": total, "limit": p.Limit, "offset": p.Offset})
		return nil
	}
}

// postBody is the JSON of a post to save. Like articleBody it spells out
// the fields, so that errors name JSON fields, and reads the publication
// time as a day or a time.
type postBody struct {
	Slug        string        `json:"slug"`
	Title       string        `json:"title"`
	Summary     string        `json:"summary"`
	Body        string        `json:"body"`
	Category    string        `json:"category"`
	Audience    docs.Audience `json:"audience"`
	Status      docs.Status   `json:"status"`
	PublishedAt *string       `json:"published_at"`
}

func (b *postBody) input() (docs.PostInput, error) {
	in := docs.PostInput{Slug: strings.TrimSpace(b.Slug), Title: b.Title, Summary: b.Summary, Body: b.Body, Category: b.Category, Audience: b.Audience, Status: b.Status}
	if b.PublishedAt != nil && *b.PublishedAt != "" {
		t, ok := parseDay(*b.PublishedAt)
		if !ok {
			return in, helpline.Validation{"published_at": "must be an RFC 3339 time such as 2026-11-01T09:00:00Z, or a date such as 2026-11-01"}.Err()
		}
		in.PublishedAt = &t
	}
	return in, nil
}

// readPost checks the role, then reads a post's JSON.
func (a *API) readPost(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) (docs.PostInput, error) {
	// Check the role before reading the body, so customers learn nothing.
	if err := actor.RequireAdmin(); err != nil {
		return docs.PostInput{}, err
	}
	var body postBody
	if err := a.decode(w, r, &body); err != nil {
		return docs.PostInput{}, err
	}
	return body.input()
}

func (a *API) createPost(kind docs.PostKind) handler {
	return func(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
		in, err := a.readPost(w, r, actor)
		if err != nil {
			return err
		}
		p, err := a.Docs.CreatePost(r.Context(), actor, kind, in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, p)
		return nil
	}
}

func (a *API) getPost(kind docs.PostKind) handler {
	return func(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
		p, err := a.Docs.FindPost(r.Context(), actor, kind, r.PathValue("slug"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, p)
		return nil
	}
}

func (a *API) updatePost(kind docs.PostKind) handler {
	return func(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
		in, err := a.readPost(w, r, actor)
		if err != nil {
			return err
		}
		slug := r.PathValue("slug")
		if in.Slug != "" && in.Slug != slug {
			return helpline.Validation{"slug": "must be the slug in the URL (" + slug + "), or left out"}.Err()
		}
		in.Slug = slug
		p, err := a.Docs.UpdatePost(r.Context(), actor, kind, slug, in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, p)
		return nil
	}
}

func (a *API) deletePost(kind docs.PostKind) handler {
	return func(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
		if err := a.Docs.DeletePost(r.Context(), actor, kind, r.PathValue("slug")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
