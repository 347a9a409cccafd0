package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/search"
)

// docsRoutes are articles, error codes, ratings, search and deflection.
func (a *API) docsRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/search", Public: true, handle: a.search},
		{Method: "GET", Path: "/api/v1/articles", Public: true, handle: a.listArticles},
		{Method: "POST", Path: "/api/v1/articles", handle: a.createArticle},
		{Method: "GET", Path: "/api/v1/articles/{slug}", Public: true, handle: a.getArticle},
		{Method: "PUT", Path: "/api/v1/articles/{slug}", handle: a.putArticle},
		{Method: "DELETE", Path: "/api/v1/articles/{slug}", handle: a.deleteArticle},
		{Method: "GET", Path: "/api/v1/articles/{slug}/revisions", handle: a.listRevisions},
		{Method: "GET", Path: "/api/v1/articles/{slug}/revisions/{n}", handle: a.getRevision},
		{Method: "POST", Path: "/api/v1/articles/{slug}/revisions/{n}/restore", handle: a.restoreRevision},
		{Method: "POST", Path: "/api/v1/articles/{slug}/ratings", handle: a.rateArticle},
		{Method: "GET", Path: "/api/v1/articles/{slug}/ratings", handle: a.listRatings},
		{Method: "GET", Path: "/api/v1/error-codes", Public: true, handle: a.listErrorCodes},
		{Method: "GET", Path: "/api/v1/error-codes/{code}", Public: true, handle: a.getErrorCode},
		{Method: "GET", Path: "/api/v1/reports/deflection", handle: a.deflectionReport},
		{Method: "GET", Path: "/api/v1/reports/ratings", handle: a.ratingsReport},
	}
}

// searchPage reads limit (1..50, default 10) and offset for a search: a
// result page is read by a person, so it is smaller than a list's.
func searchPage(r *http.Request, v helpline.Validation) helpline.Page {
	p := helpline.Page{Limit: 10}
	q := r.URL.Query()
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil && n >= 1 && n <= 50, "limit", "must be a number from 1 to 50")
		p.Limit = n
	}
	if s := q.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil && n >= 0, "offset", "must be a number, 0 or more")
		p.Offset = n
	}
	return p
}

func (a *API) search(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	v := helpline.Validation{}
	q := r.URL.Query()
	text := strings.TrimSpace(q.Get("q"))
	v.Check(text != "", "q", "is required: the words or error code to search for")
	v.Check(len(text) <= 500, "q", "must be at most 500 characters")
	scope := docs.Scope(q.Get("scope"))
	if scope == "" {
		scope = docs.ScopeHelp
	}
	scopes := []docs.Scope{docs.ScopeHelp, docs.ScopeDocs, docs.ScopeKB, docs.ScopeChangelog, docs.ScopeTickets, docs.ScopeAll}
	known := false
	names := make([]string, len(scopes))
	for i, s := range scopes {
		known = known || s == scope
		names[i] = string(s)
	}
	v.Check(known, "scope", "must be one of "+strings.Join(names, ", "))
	p := searchPage(r, v)
	if err := v.Err(); err != nil {
		return err
	}
	// Tickets are staff business: say so rather than answer an empty list.
	if scope == docs.ScopeTickets {
		if err := actor.RequireStaff(); err != nil {
			return err
		}
	}
	results, err := a.Docs.Search(r.Context(), actor, docs.SearchQuery{Text: text, Scope: scope, Page: p})
	if err != nil {
		return err
	}
	out := struct {
		Query     string          `json:"query"`
		Scope     docs.Scope      `json:"scope"`
		Corrected string          `json:"corrected,omitempty"`
		Results   []search.Result `json:"results"`
		Limit     int             `json:"limit"`
		Offset    int             `json:"offset"`
	}{Query: text, Scope: scope, Results: results, Limit: p.Limit, Offset: p.Offset}
	if out.Results == nil {
		out.Results = []search.Result{}
	}
	for _, res := range results {
		if res.Corrected != "" {
			out.Corrected = res.Corrected
			break
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) listArticles(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	v := helpline.Validation{}
	q := r.URL.Query()
	f := docs.ArticleFilter{Section: docs.Section(q.Get("section")), Status: docs.Status(q.Get("status")), Tag: strings.TrimSpace(q.Get("tag")), Page: p}
	v.Check(f.Section == "" || f.Section.Valid(), "section", "must be one of "+sectionNames())
	checkStatusFilter(v, actor, f.Status)
	if err := v.Err(); err != nil {
		return err
	}
	as, err := a.Docs.FindArticles(r.Context(), actor, f)
	if err != nil {
		return err
	}
	if as == nil {
		as = []docs.Article{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"articles": as, "limit": p.Limit, "offset": p.Offset})
	return nil
}

func sectionNames() string {
	names := make([]string, len(docs.Sections))
	for i, s := range docs.Sections {
		names[i] = string(s.Slug)
	}
	return strings.Join(names, ", ")
}

// articleBody is the JSON of an article to save. It spells out the fields
// of docs.ArticleInput rather than embedding it, so that type errors name
// the JSON field ("title", not "ArticleInput.title"), and it reads the
// review date as a day or a time.
type articleBody struct {
	Slug           string        `json:"slug"`
	Title          string        `json:"title"`
	Summary        string        `json:"summary"`
	Body           string        `json:"body"`
	Tags           []string      `json:"tags"`
	Section        docs.Section  `json:"section"`
	Audience       docs.Audience `json:"audience"`
	Status         docs.Status   `json:"status"`
	ErrorCode      string        `json:"error_code"`
	Position       int           `json:"position"`
	LastReviewedAt *string       `json:"last_reviewed_at"`
	Note           string        `json:"note"`
	BaseRevision   int           `json:"base_revision"`
}

func (b *articleBody) input() (docs.ArticleInput, error) {
	in := docs.ArticleInput{Slug: strings.TrimSpace(b.Slug), Title: b.Title, Summary: b.Summary, Body: b.Body, Tags: b.Tags,
		Section: b.Section, Audience: b.Audience, Status: b.Status, ErrorCode: b.ErrorCode, Position: b.Position,
		Note: b.Note, BaseRevision: b.BaseRevision}
	if b.LastReviewedAt != nil && *b.LastReviewedAt != "" {
		t, ok := parseDay(*b.LastReviewedAt)
		if !ok {
			return in, helpline.Validation{"last_reviewed_at": "must be a date such as 2026-11-01 (or an RFC 3339 time)"}.Err()
		}
		in.LastReviewedAt = &t
	}
	return in, nil
}

// parseDay reads a day (2026-11-01, midnight UTC) or an RFC 3339 time.
func parseDay(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, true
	}
	t, err := time.Parse(time.RFC3339, s)
	return t.UTC(), err == nil
}

func (a *API) createArticle(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	// Check the role before reading the body, so customers learn nothing.
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	var body articleBody
	if err := a.decode(w, r, &body); err != nil {
		return err
	}
	in, err := body.input()
	if err != nil {
		return err
	}
	art, err := a.Docs.CreateArticle(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, art)
	return nil
}

func (a *API) getArticle(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	art, err := a.Docs.FindArticleBySlug(r.Context(), actor, r.PathValue("slug"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, art)
	return nil
}

// savedArticle is an article as PUT saved it, and what the save did.
type savedArticle struct {
	docs.Article
	// Result is created, updated or unchanged (the same content again keeps
	// its revision), so that an import can count what it did.
	Result string `json:"result"`
}

func (a *API) putArticle(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	slug := r.PathValue("slug")
	var body articleBody
	if err := a.decode(w, r, &body); err != nil {
		return err
	}
	in, err := body.input()
	if err != nil {
		return err
	}
	if in.Slug != "" && in.Slug != slug {
		return helpline.Validation{"slug": "must be the slug in the URL (" + slug + "), or left out; to rename an article, create it under the new slug"}.Err()
	}
	in.Slug = slug
	// PutArticle says whether it wrote; whether the article was there
	// before tells a creation from an update.
	existed := true
	if _, err := a.Docs.FindArticleBySlug(r.Context(), actor, slug); helpline.KindOf(err) == helpline.KindNotFound {
		existed = false
	} else if err != nil {
		return err
	}
	art, changed, err := a.Docs.PutArticle(r.Context(), actor, in)
	if err != nil {
		return err
	}
	out, status := savedArticle{Article: art, Result: "unchanged"}, http.StatusOK
	switch {
	case !existed:
		out.Result, status = "created", http.StatusCreated
	case changed:
		out.Result = "updated"
	}
	writeJSON(w, status, out)
	return nil
}

func (a *API) deleteArticle(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := a.Docs.DeleteArticle(r.Context(), actor, r.PathValue("slug")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listRevisions(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	revs, err := a.Docs.FindRevisions(r.Context(), actor, r.PathValue("slug"))
	if err != nil {
		return err
	}
	if revs == nil {
		revs = []docs.Revision{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"revisions": revs})
	return nil
}

// revisionNumber parses {n}; a malformed one is simply not found.
func revisionNumber(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n <= 0 {
		return 0, helpline.NotFound("revision")
	}
	return n, nil
}

func (a *API) getRevision(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	n, err := revisionNumber(r)
	if err != nil {
		return err
	}
	slug := r.PathValue("slug")
	rev, err := a.Docs.FindRevision(r.Context(), actor, slug, n)
	if err != nil {
		return err
	}
	cur, err := a.Docs.FindArticleBySlug(r.Context(), actor, slug)
	if err != nil {
		return err
	}
	diff := docs.Diff(rev.Body, cur.Body)
	if diff == nil {
		diff = []docs.DiffLine{}
	}
	writeJSON(w, http.StatusOK, struct {
		docs.Revision
		CurrentRevision int             `json:"current_revision"`
		Diff            []docs.DiffLine `json:"diff"`
	}{rev, cur.Revision, diff})
	return nil
}

func (a *API) restoreRevision(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	n, err := revisionNumber(r)
	if err != nil {
		return err
	}
	art, err := a.Docs.RestoreRevision(r.Context(), actor, r.PathValue("slug"), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, art)
	return nil
}

func (a *API) rateArticle(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	var in docs.RatingInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if in.Helpful == nil {
		return helpline.Validation{"helpful": "is required: true or false"}.Err()
	}
	rt, err := a.Docs.RateArticle(r.Context(), actor, r.PathValue("slug"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rt)
	return nil
}

func (a *API) listRatings(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	rs, sum, err := a.Docs.FindRatings(r.Context(), actor, r.PathValue("slug"), p)
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []docs.Rating{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ratings": rs, "summary": sum, "limit": p.Limit, "offset": p.Offset})
	return nil
}

func (a *API) ratingsReport(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	sums, err := a.Docs.FindRatingSummaries(r.Context(), actor)
	if err != nil {
		return err
	}
	if sums == nil {
		sums = []docs.RatingSummary{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"articles": sums})
	return nil
}

func (a *API) listErrorCodes(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	// The reference is one list, not a paged one: read it all.
	codes := []docs.Article{}
	f := docs.ArticleFilter{Section: docs.SectionErrorCodes, Page: helpline.Page{Limit: 200}}
	if actor.IsStaff() {
		f.Status = docs.StatusPublished // the reference, not staff's drafts
	}
	for {
		as, err := a.Docs.FindArticles(r.Context(), actor, f)
		if err != nil {
			return err
		}
		for _, art := range as {
			if art.ErrorCode != "" {
				codes = append(codes, art)
			}
		}
		if len(as) < f.Limit {
			break
		}
		f.Offset += len(as)
	}
	writeJSON(w, http.StatusOK, map[string]any{"error_codes": codes})
	return nil
}

func (a *API) getErrorCode(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	art, err := a.Docs.FindArticleByErrorCode(r.Context(), actor, strings.ToUpper(strings.TrimSpace(r.PathValue("code"))))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, art)
	return nil
}

func (a *API) deflectionReport(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	// The same days as the SLA report: YYYY-MM-DD, both included, the last
	// 30 days by default.
	from, to, err := a.SLA.ReportPeriod(r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	if err != nil {
		return err
	}
	rows, err := a.Docs.FindDeflection(r.Context(), actor, from, to)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []docs.DeflectionRow{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "articles": rows})
	return nil
}

// checkStatusFilter validates a list's status filter: drafts are for staff.
func checkStatusFilter(v helpline.Validation, actor *helpline.Actor, st docs.Status) {
	switch st {
	case "", docs.StatusPublished:
	case docs.StatusDraft:
		v.Check(actor.IsStaff(), "status", "only staff see drafts; leave status out")
	default:
		v.Add("status", "must be draft or published")
	}
}
