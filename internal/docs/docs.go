// Package docs is the Dev Center and knowledge base (Markdown articles with
// revisions, ratings and the error-code reference), the changelog and blog,
// and ticket deflection: the content customers read before they write.
package docs

import (
	"html/template"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/search"
)

// Section is where an article lives in the Dev Center.
type Section string

const (
	SectionGettingStarted Section = "getting-started"
	SectionPlatform       Section = "platform"
	SectionArchitecture   Section = "architecture"
	SectionErrorCodes     Section = "error-codes"
	SectionKnowledgeBase  Section = "knowledge-base"
	SectionHelp           Section = "help"
	SectionEnterprise     Section = "enterprise"
)

// SectionInfo describes a section for its index page.
type SectionInfo struct {
	Slug  Section
	Title string
	Intro string
}

// Sections lists the sections in the order the Dev Center shows them.
var Sections = []SectionInfo{
	{SectionGettingStarted, "Getting Started", "Deploy your first app in the language you know."},
	{SectionPlatform, "How the platform works", "Dynos, the router, builds, releases, config and logs."},
	{SectionArchitecture, "Architecture", "Designing apps that scale and stay up."},
	{SectionErrorCodes, "Error codes", "Every router, runtime and logging error code, what it means and what to do."},
	{SectionKnowledgeBase, "Knowledge base", "Answers from the support team to the questions we are asked most."},
	{SectionHelp, "Getting help", "Priorities, what to include in a ticket, and how support works."},
	{SectionEnterprise, "Enterprise resources", "Guidance from our solutions architects, for enterprise customers."},
}

// Valid reports whether s is a known section.
func (s Section) Valid() bool {
	for _, si := range Sections {
		if si.Slug == s {
			return true
		}
	}
	return false
}

// Audience is who may read an article or post.
type Audience = search.Audience

// Audiences an author may choose (AudienceStaff is for the index only).
var Audiences = []Audience{search.AudiencePublic, search.AudienceCustomers, search.AudienceEnterprise}

// Status is whether readers see an article or post.
type Status string

const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
)

// Article is a Dev Center or knowledge-base page.
type Article struct {
	ID        int64    `json:"id"`
	Slug      string   `json:"slug"`
	Title     string   `json:"title"`
	Summary   string   `json:"summary"`
	Body      string   `json:"body"` // Markdown
	Tags      []string `json:"tags"`
	Section   Section  `json:"section"`
	Audience  Audience `json:"audience"`
	Status    Status   `json:"status"`
	ErrorCode string   `json:"error_code,omitempty"`
	Position  int      `json:"position"`
	AuthorID  int64    `json:"author_id,omitempty"`
	// AuthorName is the author's display name, empty for shipped content.
	AuthorName     string     `json:"author_name,omitempty"`
	Revision       int        `json:"revision"`
	LastReviewedAt *time.Time `json:"last_reviewed_at,omitempty"`
	PublishedAt    *time.Time `json:"published_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	// URL is the article's path: error codes live at anchors of
	// /docs/error-codes, the rest at /docs/{slug}.
	URL string `json:"url"`
}

// ArticleInput is what creating or saving an article takes.
type ArticleInput struct {
	Slug           string     `json:"slug"` // empty on create: derived from the title
	Title          string     `json:"title"`
	Summary        string     `json:"summary"`
	Body           string     `json:"body"`
	Tags           []string   `json:"tags"`
	Section        Section    `json:"section"`
	Audience       Audience   `json:"audience"`
	Status         Status     `json:"status"`
	ErrorCode      string     `json:"error_code"`
	Position       int        `json:"position"`
	LastReviewedAt *time.Time `json:"last_reviewed_at"`
	// Note says what changed, kept with the revision.
	Note string `json:"note"`
	// BaseRevision is the revision the editor started from; a save over a
	// newer revision is a conflict instead of a silent overwrite. Zero
	// skips the check (imports).
	BaseRevision int `json:"base_revision"`
}

// ArticleFilter selects articles for a list.
type ArticleFilter struct {
	Section  Section
	Audience Audience // "" for every audience the reader may see
	Status   Status   // staff only; readers see published articles
	Tag      string
	helpline.Page
}

// Revision is one saved version of an article.
type Revision struct {
	Revision   int       `json:"revision"`
	Title      string    `json:"title"`
	Summary    string    `json:"summary"`
	Body       string    `json:"body"`
	Tags       []string  `json:"tags"`
	Section    Section   `json:"section"`
	Audience   Audience  `json:"audience"`
	Status     Status    `json:"status"`
	ErrorCode  string    `json:"error_code,omitempty"`
	AuthorID   int64     `json:"author_id,omitempty"`
	AuthorName string    `json:"author_name,omitempty"`
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
}

// DiffLine is one line of a line diff: Op is ' ' (same), '+' or '-'.
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

// RatingInput is a reader's vote; a second vote by the same voter replaces
// the first.
type RatingInput struct {
	Helpful *bool  `json:"helpful"`
	Comment string `json:"comment"`
	// Voter identifies a signed-out reader (a cookie value); ignored when
	// the actor is signed in.
	Voter string `json:"-"`
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

// PostKind is a changelog entry or a blog post.
type PostKind string

const (
	PostChangelog PostKind = "changelog"
	PostBlog      PostKind = "blog"
)

// ChangelogCategories are the categories a changelog entry may have.
var ChangelogCategories = []string{"new", "improvement", "fix", "deprecation", "security"}

// Post is a changelog entry or blog post.
type Post struct {
	ID          int64     `json:"id"`
	Kind        PostKind  `json:"kind"`
	Slug        string    `json:"slug"`
	Title       string    `json:"title"`
	Summary     string    `json:"summary"`
	Body        string    `json:"body"` // Markdown
	Category    string    `json:"category,omitempty"`
	Audience    Audience  `json:"audience"`
	Status      Status    `json:"status"`
	AuthorID    int64     `json:"author_id,omitempty"`
	AuthorName  string    `json:"author_name,omitempty"`
	PublishedAt time.Time `json:"published_at"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	URL         string    `json:"url"` // /changelog/{slug} or /blog/{slug}
}

// PostInput is what creating or saving a post takes.
type PostInput struct {
	Slug        string     `json:"slug"`
	Title       string     `json:"title"`
	Summary     string     `json:"summary"`
	Body        string     `json:"body"`
	Category    string     `json:"category"`
	Audience    Audience   `json:"audience"`
	Status      Status     `json:"status"`
	PublishedAt *time.Time `json:"published_at"` // nil: now
}

// PostFilter selects posts, newest first.
type PostFilter struct {
	Kind     PostKind
	Category string
	Status   Status // staff only
	helpline.Page
}

// Scope names what a search covers.
type Scope string

const (
	ScopeHelp      Scope = "help"      // docs, knowledge base, changelog and blog (the default)
	ScopeDocs      Scope = "docs"      // Dev Center articles and error codes
	ScopeKB        Scope = "kb"        // knowledge base
	ScopeChangelog Scope = "changelog" // changelog and blog
	ScopeTickets   Scope = "tickets"   // tickets: staff only
	ScopeAll       Scope = "all"       // everything the searcher may see
)

// SearchQuery is a search from the help center, the API or the CLI.
type SearchQuery struct {
	Text  string
	Scope Scope
	helpline.Page
}

// DeflectionRow is one article's part in keeping tickets from being opened.
type DeflectionRow struct {
	ArticleID int64  `json:"article_id"`
	Slug      string `json:"slug"`
	Title     string `json:"title"`
	Shown     int    `json:"shown"`     // sessions that suggested it
	Opened    int    `json:"opened"`    // sessions that opened it
	Deflected int    `json:"deflected"` // opened, and no ticket followed
	Tickets   int    `json:"tickets"`   // opened, and a ticket followed anyway
}

// Service is the content store and its rules.
type Service struct {
	db       *db.DB
	accounts *account.Service
	index    search.Index
	now      func() time.Time
	render   func(string) template.HTML
}

// Options configure a Service.
type Options struct {
	Now func() time.Time
	// Render turns an article's Markdown into sanitised HTML; the search
	// index gets its text.
	Render func(string) template.HTML
}

// NewService returns the docs service.
func NewService(d *db.DB, accounts *account.Service, index search.Index, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{db: d, accounts: accounts, index: index, now: opts.Now, render: opts.Render}
}

func (s *Service) nowUTC() time.Time { return db.Time(s.now()) }
