package web

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/docs"
)

// The staff side of the Dev Center: the article list, the editor with its
// live preview, revisions, ratings and deletion.

const managePerPage = 50

type manageRow struct {
	docs.Article
	Ratings docs.RatingSummary
}

// SectionTitle names the row's section for people.
func (r manageRow) SectionTitle() string { return sectionInfo(r.Section).Title }

type manageData struct {
	Rows       []manageRow
	Sections   []docs.SectionInfo
	Statuses   []docs.Status
	Prev, Next string
	IsAdmin    bool
}

var articleStatuses = []docs.Status{docs.StatusDraft, docs.StatusPublished}

func (web *Web) manageArticles(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	q := r.URL.Query()
	offset := max(queryInt(q.Get("offset")), 0)
	p := &Page{Title: "Articles", Form: q}
	d := manageData{Sections: docs.Sections, Statuses: articleStatuses, IsAdmin: a.IsAdmin()}
	v := helpline.Validation{}
	sec, st := docs.Section(q.Get("section")), docs.Status(q.Get("status"))
	v.Check(sec == "" || sec.Valid(), "section", "choose a section from the list")
	v.Check(st == "" || st == docs.StatusDraft || st == docs.StatusPublished, "status", "choose draft or published")
	if len(v) > 0 {
		p.Data, p.Errors, p.Message = d, v, "Please correct the highlighted filters."
		web.render(w, r, http.StatusUnprocessableEntity, "docs_manage", p)
		return nil
	}
	arts, err := web.Docs.FindArticles(ctx, a, docs.ArticleFilter{Section: sec, Status: st, Page: helpline.Page{Limit: managePerPage + 1, Offset: offset}})
	if err != nil {
		return err
	}
	sums, err := web.Docs.FindRatingSummaries(ctx, a)
	if err != nil {
		return err
	}
	byID := make(map[int64]docs.RatingSummary, len(sums))
	for _, s := range sums {
		byID[s.ArticleID] = s
	}
	d.Prev, d.Next = pager("/docs/manage", q, offset, managePerPage, len(arts) > managePerPage)
	for _, art := range arts[:min(len(arts), managePerPage)] {
		d.Rows = append(d.Rows, manageRow{Article: art, Ratings: byID[art.ID]})
	}
	p.Data = d
	web.render(w, r, http.StatusOK, "docs_manage", p)
	return nil
}

// articleConflict is what the editor shows when someone saved the article
// while this editor was writing.
type articleConflict struct {
	Revision int
	By       string
	At       time.Time
	// Diff turns the saved body into the editor's.
	Diff []docs.DiffLine
}

type articleEditData struct {
	A         docs.Article // the saved article; zero for a new one
	New       bool
	Action    string
	Sections  []docs.SectionInfo
	Audiences []docs.Audience
	Statuses  []docs.Status
	Preview   template.HTML
	Conflict  *articleConflict
	IsAdmin   bool
}

func (web *Web) articleEditPage(r *http.Request, art docs.Article, isNew bool) *Page {
	d := &articleEditData{A: art, New: isNew, Sections: docs.Sections, Audiences: docs.Audiences, Statuses: articleStatuses, IsAdmin: actor(r).IsAdmin()}
	title := "Edit: " + art.Title
	d.Action = "/docs/" + url.PathEscape(art.Slug) + "/edit"
	if isNew {
		title, d.Action = "New article", "/docs/manage"
	}
	return &Page{Title: title, Data: d}
}

// articleForm is the editor's form for a saved article.
func articleForm(a docs.Article) url.Values {
	f := url.Values{
		"title": {a.Title}, "slug": {a.Slug}, "summary": {a.Summary}, "body": {a.Body},
		"tags": {strings.Join(a.Tags, ", ")}, "section": {string(a.Section)}, "audience": {string(a.Audience)},
		"status": {string(a.Status)}, "error_code": {a.ErrorCode}, "position": {""}, "last_reviewed": {""},
		"base_revision": {strconv.Itoa(a.Revision)}, "note": {""},
	}
	if a.Position != 0 {
		f.Set("position", strconv.Itoa(a.Position))
	}
	if a.LastReviewedAt != nil {
		f.Set("last_reviewed", a.LastReviewedAt.UTC().Format(time.DateOnly))
	}
	return f
}

// articleInput reads the editor's form; what the service cannot check
// (numbers and dates as typed) is checked here.
func articleInput(f url.Values) (docs.ArticleInput, error) {
	v := helpline.Validation{}
	in := docs.ArticleInput{
		Slug: strings.TrimSpace(f.Get("slug")), Title: f.Get("title"), Summary: f.Get("summary"), Body: f.Get("body"),
		Section: docs.Section(f.Get("section")), Audience: docs.Audience(f.Get("audience")), Status: docs.Status(f.Get("status")),
		ErrorCode: strings.TrimSpace(f.Get("error_code")), Note: f.Get("note"), Tags: []string{},
	}
	for _, t := range strings.Split(f.Get("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			in.Tags = append(in.Tags, t)
		}
	}
	if s := strings.TrimSpace(f.Get("position")); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil, "position", fmt.Sprintf("%q is not a whole number: write e.g. 12, or leave it empty", s))
		in.Position = n
	}
	if s := strings.TrimSpace(f.Get("last_reviewed")); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		v.Check(err == nil, "last_reviewed", fmt.Sprintf("%q is not a date: write it as YYYY-MM-DD, e.g. 2026-11-01, or leave it empty", s))
		if err == nil {
			in.LastReviewedAt = &t
		}
	}
	if s := strings.TrimSpace(f.Get("base_revision")); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil && n >= 0, "base_revision", "the form is damaged: open the editor again")
		in.BaseRevision = n
	}
	return in, v.Err()
}

// wantsPreview reports whether the editor's Preview button sent the form:
// without JavaScript, that is how an author sees the rendered article.
func wantsPreview(r *http.Request) bool { return r.PostForm.Get("action") == "preview" }

func (web *Web) showPreview(w http.ResponseWriter, r *http.Request, p *Page) error {
	p.Form = r.PostForm
	p.Data.(*articleEditData).Preview = web.DocsMarkdown.Render(r.PostForm.Get("body"))
	web.render(w, r, http.StatusOK, "docs_edit", p)
	return nil
}

func (web *Web) newArticleForm(w http.ResponseWriter, r *http.Request) error {
	p := web.articleEditPage(r, docs.Article{}, true)
	p.Form = url.Values{"section": {r.URL.Query().Get("section")}, "audience": {string(docs.Audiences[0])}, "status": {string(docs.StatusDraft)}}
	web.render(w, r, http.StatusOK, "docs_edit", p)
	return nil
}

func (web *Web) createArticle(w http.ResponseWriter, r *http.Request) error {
	p := web.articleEditPage(r, docs.Article{}, true)
	if wantsPreview(r) {
		return web.showPreview(w, r, p)
	}
	in, err := articleInput(r.PostForm)
	if err != nil {
		return web.formError(w, r, "docs_edit", p, err)
	}
	art, err := web.Docs.CreateArticle(r.Context(), actor(r), in)
	if err != nil {
		return web.formError(w, r, "docs_edit", p, err)
	}
	web.redirect(w, r, "/docs/"+url.PathEscape(art.Slug), "Created "+art.Title+"."+draftNote(art))
	return nil
}

func draftNote(a docs.Article) string {
	if a.Status == docs.StatusDraft {
		return " It is a draft: only staff see it until it is published."
	}
	return ""
}

func (web *Web) editArticleForm(w http.ResponseWriter, r *http.Request) error {
	art, err := web.Docs.FindArticleBySlug(r.Context(), actor(r), r.PathValue("slug"))
	if err != nil {
		return err
	}
	p := web.articleEditPage(r, art, false)
	p.Form = articleForm(art)
	p.Data.(*articleEditData).Preview = web.DocsMarkdown.Render(art.Body)
	web.render(w, r, http.StatusOK, "docs_edit", p)
	return nil
}

func (web *Web) saveArticle(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	slug := r.PathValue("slug")
	cur, err := web.Docs.FindArticleBySlug(ctx, a, slug)
	if err != nil {
		return err
	}
	p := web.articleEditPage(r, cur, false)
	if wantsPreview(r) {
		return web.showPreview(w, r, p)
	}
	in, err := articleInput(r.PostForm)
	if err != nil {
		return web.formError(w, r, "docs_edit", p, err)
	}
	art, err := web.Docs.UpdateArticle(ctx, a, slug, in)
	if helpline.KindOf(err) == helpline.KindConflict {
		// Someone saved first. Keep the author's text, show what differs
		// from the saved version, and let a second save replace it on
		// purpose.
		if latest, ferr := web.Docs.FindArticleBySlug(ctx, a, slug); ferr == nil && latest.Revision != in.BaseRevision {
			d := p.Data.(*articleEditData)
			d.A = latest
			d.Conflict = &articleConflict{Revision: latest.Revision, By: latest.AuthorName, At: latest.UpdatedAt, Diff: docs.Diff(latest.Body, in.Body)}
			r.PostForm.Set("base_revision", strconv.Itoa(latest.Revision))
		}
	}
	if err != nil {
		return web.formError(w, r, "docs_edit", p, err)
	}
	msg := fmt.Sprintf("Saved %s as revision %d.", art.Title, art.Revision)
	if art.Revision == cur.Revision {
		msg = "Nothing changed: " + art.Title + " stays at revision " + strconv.Itoa(art.Revision) + "."
	}
	web.redirect(w, r, "/docs/"+url.PathEscape(art.Slug), msg+draftNote(art))
	return nil
}

// maxPreviewBytes bounds a preview: articles are text, and rendering is
// the costly part.
const maxPreviewBytes = 1 << 20

// previewArticle renders the editor's body for the live preview: an HTML
// fragment, sanitised like the published article.
func (web *Web) previewArticle(w http.ResponseWriter, r *http.Request) error {
	body := r.PostForm.Get("body")
	if len(body) > maxPreviewBytes {
		return helpline.Errorf(helpline.KindInvalid, "The article is too long to preview: keep it under 1 MB.")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := io.WriteString(w, string(web.DocsMarkdown.Render(body)))
	return err
}

type revisionsData struct {
	A         docs.Article
	Revisions []docs.Revision
}

func (web *Web) articleRevisions(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	art, err := web.Docs.FindArticleBySlug(ctx, a, r.PathValue("slug"))
	if err != nil {
		return err
	}
	revs, err := web.Docs.FindRevisions(ctx, a, art.Slug)
	if err != nil {
		return err
	}
	web.render(w, r, http.StatusOK, "docs_revisions", &Page{Title: "Revisions: " + art.Title, Data: revisionsData{A: art, Revisions: revs}})
	return nil
}

// fieldChange is a metadata field that differs between a revision and the
// current article.
type fieldChange struct{ Field, Old, New string }

type revisionData struct {
	A              docs.Article
	R              docs.Revision
	Current        bool
	Changes        []fieldChange
	Diff           []docs.DiffLine
	Added, Removed int
}

func revisionNumber(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n <= 0 {
		return 0, helpline.NotFound("revision")
	}
	return n, nil
}

func (web *Web) articleRevision(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	n, err := revisionNumber(r)
	if err != nil {
		return err
	}
	art, err := web.Docs.FindArticleBySlug(ctx, a, r.PathValue("slug"))
	if err != nil {
		return err
	}
	rev, err := web.Docs.FindRevision(ctx, a, art.Slug, n)
	if err != nil {
		return err
	}
	d := revisionData{A: art, R: rev, Current: rev.Revision == art.Revision, Diff: docs.Diff(rev.Body, art.Body)}
	for _, l := range d.Diff {
		switch l.Op {
		case "+":
			d.Added++
		case "-":
			d.Removed++
		}
	}
	for _, c := range []fieldChange{
		{"Title", rev.Title, art.Title},
		{"Summary", rev.Summary, art.Summary},
		{"Tags", strings.Join(rev.Tags, ", "), strings.Join(art.Tags, ", ")},
		{"Section", sectionInfo(rev.Section).Title, sectionInfo(art.Section).Title},
		{"Audience", string(rev.Audience), string(art.Audience)},
		{"Status", string(rev.Status), string(art.Status)},
		{"Error code", rev.ErrorCode, art.ErrorCode},
	} {
		if c.Old != c.New {
			d.Changes = append(d.Changes, c)
		}
	}
	web.render(w, r, http.StatusOK, "docs_revision", &Page{Title: fmt.Sprintf("Revision %d: %s", n, art.Title), Data: d})
	return nil
}

func (web *Web) restoreRevision(w http.ResponseWriter, r *http.Request) error {
	n, err := revisionNumber(r)
	if err != nil {
		return err
	}
	art, err := web.Docs.RestoreRevision(r.Context(), actor(r), r.PathValue("slug"), n)
	if err != nil {
		return err
	}
	web.redirect(w, r, "/docs/"+url.PathEscape(art.Slug), fmt.Sprintf("Restored revision %d of %s as revision %d.", n, art.Title, art.Revision))
	return nil
}

const ratingsPerPage = 50

type ratingsData struct {
	A          docs.Article
	Ratings    []docs.Rating
	Summary    docs.RatingSummary
	Prev, Next string
}

func (web *Web) articleRatings(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	art, err := web.Docs.FindArticleBySlug(ctx, a, r.PathValue("slug"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	offset := max(queryInt(q.Get("offset")), 0)
	ratings, sum, err := web.Docs.FindRatings(ctx, a, art.Slug, helpline.Page{Limit: ratingsPerPage + 1, Offset: offset})
	if err != nil {
		return err
	}
	d := ratingsData{A: art, Summary: sum}
	d.Prev, d.Next = pager("/docs/"+url.PathEscape(art.Slug)+"/ratings", q, offset, ratingsPerPage, len(ratings) > ratingsPerPage)
	d.Ratings = ratings[:min(len(ratings), ratingsPerPage)]
	web.render(w, r, http.StatusOK, "docs_ratings", &Page{Title: "Ratings: " + art.Title, Data: d})
	return nil
}

func (web *Web) deleteArticle(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	art, err := web.Docs.FindArticleBySlug(ctx, a, r.PathValue("slug"))
	if err != nil {
		return err
	}
	if err := web.Docs.DeleteArticle(ctx, a, art.Slug); err != nil {
		return err
	}
	web.redirect(w, r, "/docs/manage", "Deleted "+art.Title+" and its revisions.")
	return nil
}
