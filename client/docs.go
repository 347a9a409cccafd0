package client

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Article is a Dev Center or knowledge-base page.
type Article struct {
	ID             int64      `json:"id"`
	Slug           string     `json:"slug"`
	Title          string     `json:"title"`
	Summary        string     `json:"summary"`
	Body           string     `json:"body"` // Markdown
	Tags           []string   `json:"tags"`
	Section        string     `json:"section"`
	Audience       string     `json:"audience"` // public, customers or enterprise
	Status         string     `json:"status"`   // draft or published
	ErrorCode      string     `json:"error_code,omitempty"`
	Position       int        `json:"position"`
	AuthorID       int64      `json:"author_id,omitempty"`
	AuthorName     string     `json:"author_name,omitempty"`
	Revision       int        `json:"revision"`
	LastReviewedAt *time.Time `json:"last_reviewed_at,omitempty"`
	PublishedAt    *time.Time `json:"published_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	URL            string     `json:"url"` // a path, e.g. /docs/getting-started-go
}

// ArticleInput creates or saves an article. Empty fields take the server's
// defaults (audience public, status draft); the slug of a new article
// defaults to one made from its title.
type ArticleInput struct {
	Slug      string   `json:"slug,omitempty"`
	Title     string   `json:"title"`
	Summary   string   `json:"summary"`
	Body      string   `json:"body"`
	Tags      []string `json:"tags"`
	Section   string   `json:"section"`
	Audience  string   `json:"audience,omitempty"`
	Status    string   `json:"status,omitempty"`
	ErrorCode string   `json:"error_code,omitempty"`
	Position  int      `json:"position,omitempty"`
	// LastReviewedAt is a day, 2026-11-01.
	LastReviewedAt string `json:"last_reviewed_at,omitempty"`
	Note           string `json:"note,omitempty"`
	// BaseRevision is the revision the edit started from: saving over a
	// newer one is a conflict (409). Zero skips the check.
	BaseRevision int `json:"base_revision,omitempty"`
}

// ArticleFilter narrows ListArticles.
type ArticleFilter struct {
	Section string
	Status  string // draft or published; staff only
	Tag     string
	Page
}

// PutResult says what PutArticle did.
type PutResult string

const (
	PutCreated   PutResult = "created"
	PutUpdated   PutResult = "updated"
	PutUnchanged PutResult = "unchanged" // the same content: no new revision
)

// Revision is one saved version of an article.
type Revision struct {
	Revision   int       `json:"revision"`
	Title      string    `json:"title"`
	Summary    string    `json:"summary"`
	Body       string    `json:"body"`
	Tags       []string  `json:"tags"`
	Section    string    `json:"section"`
	Audience   string    `json:"audience"`
	Status     string    `json:"status"`
	ErrorCode  string    `json:"error_code,omitempty"`
	AuthorID   int64     `json:"author_id,omitempty"`
	AuthorName string    `json:"author_name,omitempty"`
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
	// CurrentRevision and Diff are set by Revision (one revision): the
	// line diff from this revision's body to the current one's.
	CurrentRevision int        `json:"current_revision,omitempty"`
	Diff            []DiffLine `json:"diff,omitempty"`
}

// DiffLine is one line of a diff: Op is " " (same), "+" or "-".
type DiffLine struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// Rating is a reader's verdict on an article.
type Rating struct {
	ID        int64     `json:"id"`
	ArticleID int64     `json:"article_id"`
	Helpful   bool      `json:"helpful"`
	Comment   string    `json:"comment"`
	UserID    int64     `json:"user_id,omitempty"`
	UserName  string    `json:"user_name,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// RatingSummary counts an article's votes.
type RatingSummary struct {
	ArticleID  int64  `json:"article_id"`
	Slug       string `json:"slug"`
	Title      string `json:"title"`
	Helpful    int    `json:"helpful"`
	NotHelpful int    `json:"not_helpful"`
	Comments   int    `json:"comments"`
}

// SearchQuery is a search of the help center (or, for staff, of tickets).
type SearchQuery struct {
	Text   string
	Scope  string // help (default), docs, kb, changelog, tickets (staff) or all
	Limit  int    // 1..50, default 10
	Offset int
}

// SearchResult is one hit.
type SearchResult struct {
	Kind  string `json:"kind"` // doc, kb, changelog, blog or ticket
	ID    int64  `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"` // a path on the server, e.g. /docs/error-codes#h12-request-timeout
	// Snippet is HTML: escaped text with the matched words in <mark></mark>.
	Snippet   string  `json:"snippet"`
	ErrorCode string  `json:"error_code,omitempty"`
	Score     float64 `json:"score"`
}

// SearchResults are a search's hits, best first.
type SearchResults struct {
	Query string `json:"query"`
	Scope string `json:"scope"`
	// Corrected is the query as searched after fixing typos, when it
	// differs from what was typed.
	Corrected string         `json:"corrected"`
	Results   []SearchResult `json:"results"`
	Limit     int            `json:"limit"`
	Offset    int            `json:"offset"`
}

// DeflectionReport is, per article, how often it kept a ticket from being
// opened over [From, To).
type DeflectionReport struct {
	From     time.Time       `json:"from"`
	To       time.Time       `json:"to"`
	Articles []DeflectionRow `json:"articles"`
}

// DeflectionRow is one article of a DeflectionReport.
type DeflectionRow struct {
	ArticleID int64  `json:"article_id"`
	Slug      string `json:"slug"`
	Title     string `json:"title"`
	Shown     int    `json:"shown"`
	Opened    int    `json:"opened"`
	Deflected int    `json:"deflected"`
	Tickets   int    `json:"tickets"`
}

func articlePath(slug string) string { return "/api/v1/articles/" + url.PathEscape(slug) }

// SearchPath is the API path of a search, for callers that want its raw
// JSON.
func SearchPath(q SearchQuery) string {
	v := url.Values{"q": {q.Text}}
	if q.Scope != "" {
		v.Set("scope", q.Scope)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	return "/api/v1/search?" + v.Encode()
}

// Search searches what the token's user may see; without a token, public
// content.
func (c *Client) Search(ctx context.Context, q SearchQuery) (SearchResults, error) {
	var out SearchResults
	err := c.Do(ctx, "GET", SearchPath(q), nil, &out)
	return out, err
}

// ListArticles lists the articles the caller may read, in section order.
func (c *Client) ListArticles(ctx context.Context, f ArticleFilter) ([]Article, error) {
	v := url.Values{}
	if f.Section != "" {
		v.Set("section", f.Section)
	}
	if f.Status != "" {
		v.Set("status", f.Status)
	}
	if f.Tag != "" {
		v.Set("tag", f.Tag)
	}
	var out struct {
		Articles []Article `json:"articles"`
	}
	err := c.Do(ctx, "GET", "/api/v1/articles"+f.Page.query(v), nil, &out)
	return out.Articles, err
}

// GetArticle returns an article the caller may read.
func (c *Client) GetArticle(ctx context.Context, slug string) (Article, error) {
	var out Article
	err := c.Do(ctx, "GET", articlePath(slug), nil, &out)
	return out, err
}

// CreateArticle saves a new article as revision 1 (staff).
func (c *Client) CreateArticle(ctx context.Context, in ArticleInput) (Article, error) {
	var out Article
	err := c.Do(ctx, "POST", "/api/v1/articles", in, &out)
	return out, err
}

// PutArticle creates the article at slug or saves a new revision of it
// (staff); the same content again is left as it is.
func (c *Client) PutArticle(ctx context.Context, slug string, in ArticleInput) (Article, PutResult, error) {
	var out struct {
		Article
		Result PutResult `json:"result"`
	}
	err := c.Do(ctx, "PUT", articlePath(slug), in, &out)
	return out.Article, out.Result, err
}

// DeleteArticle removes an article and its revisions (admins).
func (c *Client) DeleteArticle(ctx context.Context, slug string) error {
	return c.Do(ctx, "DELETE", articlePath(slug), nil, nil)
}

// Revisions lists an article's revisions, newest first (staff).
func (c *Client) Revisions(ctx context.Context, slug string) ([]Revision, error) {
	var out struct {
		Revisions []Revision `json:"revisions"`
	}
	err := c.Do(ctx, "GET", articlePath(slug)+"/revisions", nil, &out)
	return out.Revisions, err
}

// Revision returns one revision and its diff to the current body (staff).
func (c *Client) Revision(ctx context.Context, slug string, n int) (Revision, error) {
	var out Revision
	err := c.Do(ctx, "GET", fmt.Sprintf("%s/revisions/%d", articlePath(slug), n), nil, &out)
	return out, err
}

// Restore saves revision n's content as a new revision (staff).
func (c *Client) Restore(ctx context.Context, slug string, n int) (Article, error) {
	var out Article
	err := c.Do(ctx, "POST", fmt.Sprintf("%s/revisions/%d/restore", articlePath(slug), n), nil, &out)
	return out, err
}

// Rate records the token's user's verdict on an article; a second vote
// replaces the first.
func (c *Client) Rate(ctx context.Context, slug string, helpful bool, comment string) (Rating, error) {
	var out Rating
	err := c.Do(ctx, "POST", articlePath(slug)+"/ratings", map[string]any{"helpful": helpful, "comment": comment}, &out)
	return out, err
}

// Ratings returns an article's ratings, newest first, and their counts
// (staff).
func (c *Client) Ratings(ctx context.Context, slug string, p Page) ([]Rating, RatingSummary, error) {
	var out struct {
		Ratings []Rating      `json:"ratings"`
		Summary RatingSummary `json:"summary"`
	}
	err := c.Do(ctx, "GET", articlePath(slug)+"/ratings"+p.query(nil), nil, &out)
	return out.Ratings, out.Summary, err
}

// RatingSummaries lists every rated article's counts, least helpful first
// (staff).
func (c *Client) RatingSummaries(ctx context.Context) ([]RatingSummary, error) {
	var out struct {
		Articles []RatingSummary `json:"articles"`
	}
	err := c.Do(ctx, "GET", "/api/v1/reports/ratings", nil, &out)
	return out.Articles, err
}

// ErrorCodes returns the error-code reference: one article per code.
func (c *Client) ErrorCodes(ctx context.Context) ([]Article, error) {
	var out struct {
		ErrorCodes []Article `json:"error_codes"`
	}
	err := c.Do(ctx, "GET", "/api/v1/error-codes", nil, &out)
	return out.ErrorCodes, err
}

// ErrorCode returns the reference entry of a code such as H12 or r14.
func (c *Client) ErrorCode(ctx context.Context, code string) (Article, error) {
	var out Article
	err := c.Do(ctx, "GET", "/api/v1/error-codes/"+url.PathEscape(strings.TrimSpace(code)), nil, &out)
	return out, err
}

// Deflection returns the deflection report for the days from..to
// (YYYY-MM-DD, both included); empty strings mean the last 30 days (staff).
func (c *Client) Deflection(ctx context.Context, from, to string) (DeflectionReport, error) {
	q := url.Values{}
	if from != "" {
		q.Set("from", from)
	}
	if to != "" {
		q.Set("to", to)
	}
	path := "/api/v1/reports/deflection"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out DeflectionReport
	err := c.Do(ctx, "GET", path, nil, &out)
	return out, err
}
