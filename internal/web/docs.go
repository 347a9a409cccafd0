package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/markdown"
	"github.com/helpline-dev/helpline/internal/request"
)

// registerDocs mounts the Dev Center, knowledge base, search, article
// editing, ratings and deflection pages.
func (web *Web) registerDocs(h handle) {
	h("GET /static/highlight.css", public, highlightCSS(markdown.HighlightCSS()))

	h("GET /docs", public, web.docsIndex)
	h("GET /docs/{$}", public, func(w http.ResponseWriter, r *http.Request) error {
		http.Redirect(w, r, "/docs", http.StatusMovedPermanently)
		return nil
	})
	rd := &docsReader{Web: web, html: newRenderCache(renderCacheBytes)}
	h("GET /docs/error-codes", public, rd.errorCodes)
	h("GET /kb", public, web.kbIndex)
	h("GET /docs/{slug}", public, rd.articlePage)
	h("POST /docs/{slug}/rate", public, rd.rateArticle)

	h("GET /search", public, web.searchPage)
	h("GET /search/suggest", public, web.suggest)

	// Staff: writing and reviewing articles (docs_manage.go).
	h("GET /docs/manage", staff, web.manageArticles)
	h("GET /docs/manage/new", staff, web.newArticleForm)
	h("POST /docs/manage", staff, web.createArticle)
	h("POST /docs/preview", staff, web.previewArticle)
	h("GET /docs/{slug}/edit", staff, web.editArticleForm)
	h("POST /docs/{slug}/edit", staff, web.saveArticle)
	h("GET /docs/{slug}/revisions", staff, web.articleRevisions)
	h("GET /docs/{slug}/revisions/{n}", staff, web.articleRevision)
	h("POST /docs/{slug}/revisions/{n}/restore", staff, web.restoreRevision)
	h("GET /docs/{slug}/ratings", staff, web.articleRatings)
	h("POST /docs/{slug}/delete", admin, web.deleteArticle)

	h("GET /reports/deflection", staff, web.deflectionReport)
}

// highlightCSS serves the code-highlighting style sheet, computed once at
// start; the ETag lets browsers revalidate it for free after an upgrade.
func highlightCSS(css string) func(http.ResponseWriter, *http.Request) error {
	sum := sha256.Sum256([]byte(css))
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("ETag", etag)
		http.ServeContent(w, r, "highlight.css", time.Time{}, strings.NewReader(css))
		return nil
	}
}

// DocsSections lists the Dev Center's sections, for the help center's
// links (templates reach it from any page).
func (p *Page) DocsSections() []docs.SectionInfo { return docs.Sections }

// sectionInfo describes s; an unknown section gets its slug as title.
func sectionInfo(s docs.Section) docs.SectionInfo {
	for _, si := range docs.Sections {
		if si.Slug == s {
			return si
		}
	}
	return docs.SectionInfo{Slug: s, Title: string(s)}
}

// sectionURL is where a section's articles are listed: the knowledge base
// and the error codes have their own pages, the rest are parts of /docs.
func sectionURL(s docs.Section) string {
	switch s {
	case docs.SectionKnowledgeBase:
		return "/kb"
	case docs.SectionErrorCodes:
		return "/docs/error-codes"
	}
	return "/docs#" + string(s)
}

// maxListed bounds allArticles, in case a bug makes pages repeat.
const maxListed = 10000

// allArticles pages through every article of f the actor may read.
func (web *Web) allArticles(ctx context.Context, a *helpline.Actor, f docs.ArticleFilter) ([]docs.Article, error) {
	const per = 200
	var out []docs.Article
	for len(out) < maxListed {
		f.Page = helpline.Page{Limit: per, Offset: len(out)}
		page, err := web.Docs.FindArticles(ctx, a, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < per {
			break
		}
	}
	return out, nil
}

type docsSectionView struct {
	docs.SectionInfo
	URL      string
	Articles []docs.Article
	More     bool // more articles than listed: follow URL
}

type docsIndexData struct {
	Sections   []docsSectionView
	KB         docsSectionView
	ErrorCodes docs.SectionInfo
	Changelog  []docs.Post
	IsStaff    bool
}

// kbOnIndex is how many knowledge-base articles the Dev Center lists.
const kbOnIndex = 8

func (web *Web) docsIndex(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	d := docsIndexData{ErrorCodes: sectionInfo(docs.SectionErrorCodes), IsStaff: a.IsStaff()}
	for _, si := range docs.Sections {
		switch si.Slug {
		case docs.SectionErrorCodes:
			continue
		case docs.SectionKnowledgeBase:
			kb, err := web.Docs.FindArticles(ctx, a, docs.ArticleFilter{Section: si.Slug, Page: helpline.Page{Limit: kbOnIndex + 1}})
			if err != nil {
				return err
			}
			d.KB = docsSectionView{SectionInfo: si, URL: "/kb", Articles: kb[:min(len(kb), kbOnIndex)], More: len(kb) > kbOnIndex}
			continue
		}
		arts, err := web.allArticles(ctx, a, docs.ArticleFilter{Section: si.Slug})
		if err != nil {
			return err
		}
		if len(arts) > 0 {
			d.Sections = append(d.Sections, docsSectionView{SectionInfo: si, URL: sectionURL(si.Slug), Articles: arts})
		}
	}
	// The changelog is a bonus on this page: if it fails, the docs still show.
	posts, _, err := web.Docs.FindPosts(ctx, a, docs.PostFilter{Kind: docs.PostChangelog, Page: helpline.Page{Limit: 3}})
	if err != nil {
		request.Logger(ctx).Warn("docs index: changelog", "err", err)
	}
	d.Changelog = posts
	web.render(w, r, http.StatusOK, "docs_index", &Page{Title: "Dev Center", Data: d})
	return nil
}

// errorCodeGroup is one family of codes on the reference page.
type errorCodeGroup struct {
	ID, Title, Intro string
	Entries          []errorCodeEntry
}

type errorCodeEntry struct {
	docs.Article
	HTML template.HTML
}

// errorCodeFamilies are the reference's groups, by the code's letter.
var errorCodeFamilies = []errorCodeGroup{
	{ID: "router-errors", Title: "Router errors (H)", Intro: "Raised by the router in front of your web dynos: requests that could not reach your app, or that your app did not answer in time."},
	{ID: "runtime-errors", Title: "Runtime errors (R)", Intro: "Raised by the dyno manager about your app's processes: memory, boot and shutdown, and quotas."},
	{ID: "logging-errors", Title: "Logging errors (L)", Intro: "Raised by the log router when log lines are dropped or a drain is falling behind."},
}

// codeNumber orders H10 before H12 before H99 (and R14 before R99).
func codeNumber(code string) int {
	n, err := strconv.Atoi(strings.TrimLeft(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
	if err != nil {
		return 1 << 30
	}
	return n
}

// prefixIDs makes an entry's heading IDs unique on the reference page,
// where every entry has a "What it means": h12-request-timeout-what-it-means.
// The HTML is the renderer's, where a quote in text is always escaped, so
// these strings only occur as attributes.
func prefixIDs(h template.HTML, prefix string) template.HTML {
	return template.HTML(strings.NewReplacer(` id="`, ` id="`+prefix+"-", ` href="#`, ` href="#`+prefix+"-").Replace(string(h)))
}

type errorCodesData struct {
	Groups  []errorCodeGroup
	IsStaff bool
}

func (web *docsReader) errorCodes(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	arts, err := web.allArticles(ctx, a, docs.ArticleFilter{Section: docs.SectionErrorCodes})
	if err != nil {
		return err
	}
	groups := slices.Clone(errorCodeFamilies)
	other := errorCodeGroup{ID: "other", Title: "Other entries"}
	for _, art := range arts {
		e := errorCodeEntry{Article: art, HTML: prefixIDs(web.html.render(web.DocsMarkdown, art), art.Slug)}
		i := -1
		if art.ErrorCode != "" {
			i = strings.IndexByte("HRL", strings.ToUpper(art.ErrorCode)[0])
		}
		if i < 0 {
			other.Entries = append(other.Entries, e)
			continue
		}
		groups[i].Entries = append(groups[i].Entries, e)
	}
	for _, g := range groups {
		slices.SortStableFunc(g.Entries, func(x, y errorCodeEntry) int { return codeNumber(x.ErrorCode) - codeNumber(y.ErrorCode) })
	}
	if len(other.Entries) > 0 {
		groups = append(groups, other)
	}
	web.render(w, r, http.StatusOK, "docs_error_codes", &Page{Title: "Error codes", Data: errorCodesData{Groups: groups, IsStaff: a.IsStaff()}})
	return nil
}

const kbPerPage = 50

type kbData struct {
	Section    docs.SectionInfo
	Articles   []docs.Article
	Tag        string
	Prev, Next string
	IsStaff    bool
}

func (web *Web) kbIndex(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	q := r.URL.Query()
	offset := max(queryInt(q.Get("offset")), 0)
	d := kbData{Section: sectionInfo(docs.SectionKnowledgeBase), Tag: q.Get("tag"), IsStaff: a.IsStaff()}
	arts, err := web.Docs.FindArticles(ctx, a, docs.ArticleFilter{Section: docs.SectionKnowledgeBase, Tag: d.Tag, Page: helpline.Page{Limit: kbPerPage + 1, Offset: offset}})
	if err != nil {
		return err
	}
	d.Prev, d.Next = pager("/kb", q, offset, kbPerPage, len(arts) > kbPerPage)
	d.Articles = arts[:min(len(arts), kbPerPage)]
	web.render(w, r, http.StatusOK, "kb", &Page{Title: "Knowledge base", Data: d})
	return nil
}

func queryInt(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// articleData is an article page.
type articleData struct {
	A       docs.Article
	Section docs.SectionInfo
	// SectionURL is where the breadcrumb leads.
	SectionURL string
	HTML       template.HTML
	Related    []docs.Article
	// Reference is the entry's anchor on /docs/error-codes, for error codes.
	Reference string
	IsStaff   bool
	IsAdmin   bool
}

// relatedCount is how many articles of the same section an article lists.
const relatedCount = 5

func (web *docsReader) articleData(ctx context.Context, a *helpline.Actor, art docs.Article) (articleData, error) {
	d := articleData{A: art, Section: sectionInfo(art.Section), SectionURL: sectionURL(art.Section), HTML: web.html.render(web.DocsMarkdown, art),
		IsStaff: a.IsStaff(), IsAdmin: a.IsAdmin()}
	if art.Section == docs.SectionErrorCodes {
		d.Reference = "/docs/error-codes#" + art.Slug
		return d, nil
	}
	rel, err := web.Docs.FindArticles(ctx, a, docs.ArticleFilter{Section: art.Section, Page: helpline.Page{Limit: relatedCount + 1}})
	if err != nil {
		return d, err
	}
	for _, x := range rel {
		if x.ID != art.ID && len(d.Related) < relatedCount {
			d.Related = append(d.Related, x)
		}
	}
	return d, nil
}

func (web *docsReader) articlePage(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	art, err := web.Docs.FindArticleBySlug(ctx, a, r.PathValue("slug"))
	if err != nil {
		return err
	}
	// A suggestion from the ticket form: the customer opened it.
	if token := r.URL.Query().Get("d"); token != "" {
		if err := web.Docs.RecordOpened(ctx, a, token, art.ID); err != nil && helpline.KindOf(err) != helpline.KindNotFound {
			request.Logger(ctx).Warn("deflection: record opened", "err", err, "article", art.Slug)
		}
	}
	return web.renderArticle(w, r, http.StatusOK, &Page{}, art)
}

func (web *docsReader) renderArticle(w http.ResponseWriter, r *http.Request, status int, p *Page, art docs.Article) error {
	d, err := web.articleData(r.Context(), actor(r), art)
	if err != nil {
		return err
	}
	if d.Reference != "" {
		// The entry's home is its anchor on the reference; the layout's head
		// is shared, so the canonical link goes in a header (RFC 8288).
		w.Header().Set("Link", fmt.Sprintf(`<%s%s>; rel="canonical"`, web.baseURL(r), d.Reference))
	}
	p.Title, p.Data = art.Title, d
	web.render(w, r, status, "docs_article", p)
	return nil
}

const voterCookie = "helpline_voter"

// voterID identifies a signed-out reader's vote, so voting twice replaces
// the first vote. It is random and means nothing else.
func (web *Web) voterID(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(voterCookie); err == nil && len(c.Value) >= 16 && len(c.Value) <= 64 {
		return c.Value
	}
	id := rand.Text()
	http.SetCookie(w, &http.Cookie{Name: voterCookie, Value: id, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: web.SecureCookie || r.TLS != nil})
	return id
}

func (web *docsReader) rateArticle(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	slug := r.PathValue("slug")
	in := docs.RatingInput{Helpful: formBool(r.PostFormValue("helpful")), Comment: r.PostFormValue("comment")}
	v := helpline.Validation{}
	v.Check(in.Helpful != nil, "helpful", "choose Yes or No")
	err := v.Err()
	if err == nil {
		if a == nil {
			in.Voter = web.voterID(w, r)
		}
		_, err = web.Docs.RateArticle(ctx, a, slug, in)
	}
	if err != nil {
		he, status, ok := inputError(err)
		if !ok {
			return err
		}
		art, ferr := web.Docs.FindArticleBySlug(ctx, a, slug)
		if ferr != nil {
			return ferr
		}
		return web.renderArticle(w, r, status, &Page{Form: r.PostForm, Errors: he.Fields, Message: he.Message}, art)
	}
	msg := "Thank you: your feedback helps us improve this article."
	if !*in.Helpful {
		msg = "Thank you: we will use your feedback to improve this article. If you still need help, search again or contact support."
	}
	web.redirect(w, r, "/docs/"+url.PathEscape(slug), msg)
	return nil
}

// searchBox is the help center's search form (template "docs_search_box").
type searchBox struct {
	ID, Scope, Label, Query string
	// Suggest turns on suggest-as-you-type (docs.js).
	Suggest bool
}

// SearchBox gives a page's template the search form for scope, labelled
// label, with the query typed so far.
func (p *Page) SearchBox(id, scope, label string) searchBox {
	q := ""
	if p.Form != nil {
		q = p.Form.Get("q")
	}
	return searchBox{ID: id, Scope: scope, Label: label, Query: q, Suggest: true}
}
