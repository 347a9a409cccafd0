package client

import (
	"context"
	"net/url"
	"time"
)

// Post kinds: the changelog and the blog have the same endpoints.
const (
	PostChangelog = "changelog"
	PostBlog      = "blog"
)

// Post is a changelog entry or a blog post.
type Post struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	Slug        string    `json:"slug"`
	Title       string    `json:"title"`
	Summary     string    `json:"summary"`
	Body        string    `json:"body"` // Markdown
	Category    string    `json:"category,omitempty"`
	Audience    string    `json:"audience"`
	Status      string    `json:"status"`
	AuthorID    int64     `json:"author_id,omitempty"`
	AuthorName  string    `json:"author_name,omitempty"`
	PublishedAt time.Time `json:"published_at"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	URL         string    `json:"url"` // /changelog/{slug} or /blog/{slug}
}

// PostInput creates or saves a post.
type PostInput struct {
	Slug     string `json:"slug,omitempty"`
	Title    string `json:"title"`
	Summary  string `json:"summary"`
	Body     string `json:"body"`
	Category string `json:"category,omitempty"` // changelog: new, improvement, fix, deprecation, security
	Audience string `json:"audience,omitempty"` // default public
	Status   string `json:"status,omitempty"`   // default draft
	// PublishedAt is empty for now.
	PublishedAt *time.Time `json:"published_at,omitempty"`
}

// PostFilter narrows ListPosts.
type PostFilter struct {
	Category string
	Status   string // staff only
	Page
}

func postPath(kind, slug string) string {
	p := "/api/v1/" + url.PathEscape(kind)
	if slug != "" {
		p += "/" + url.PathEscape(slug)
	}
	return p
}

// ListPosts lists the changelog or the blog (kind PostChangelog or
// PostBlog), newest first, and how many posts match in all.
func (c *Client) ListPosts(ctx context.Context, kind string, f PostFilter) ([]Post, int, error) {
	v := url.Values{}
	if f.Category != "" {
		v.Set("category", f.Category)
	}
	if f.Status != "" {
		v.Set("status", f.Status)
	}
	var out struct {
		Posts []Post `json:"posts"`
		Total int    `json:"total"`
	}
	err := c.Do(ctx, "GET", postPath(kind, "")+f.Page.query(v), nil, &out)
	return out.Posts, out.Total, err
}

// GetPost returns one post the caller may read.
func (c *Client) GetPost(ctx context.Context, kind, slug string) (Post, error) {
	var out Post
	err := c.Do(ctx, "GET", postPath(kind, slug), nil, &out)
	return out, err
}

// CreatePost publishes or drafts a post (admins).
func (c *Client) CreatePost(ctx context.Context, kind string, in PostInput) (Post, error) {
	var out Post
	err := c.Do(ctx, "POST", postPath(kind, ""), in, &out)
	return out, err
}

// UpdatePost saves a post (admins).
func (c *Client) UpdatePost(ctx context.Context, kind, slug string, in PostInput) (Post, error) {
	var out Post
	err := c.Do(ctx, "PUT", postPath(kind, slug), in, &out)
	return out, err
}

// DeletePost removes a post (admins).
func (c *Client) DeletePost(ctx context.Context, kind, slug string) error {
	return c.Do(ctx, "DELETE", postPath(kind, slug), nil, nil)
}
