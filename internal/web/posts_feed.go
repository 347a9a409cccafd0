package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/feed"
)

// feedSize is how many of the newest posts a feed carries.
const feedSize = 50

// postFeed serves a kind's public posts as Atom, RSS or JSON Feed.
// Feeds are public whoever asks (readers fetch them without cookies, and
// caches share them), so they are built for the anonymous reader.
func (web *Web) postFeed(kind docs.PostKind, format feed.Format) func(http.ResponseWriter, *http.Request) error {
	info := kindInfo(kind)
	return func(w http.ResponseWriter, r *http.Request) error {
		category := r.URL.Query().Get("category")
		if err := checkCategory(kind, category); err != nil {
			return err
		}
		posts, _, err := web.Docs.FindPosts(r.Context(), nil, docs.PostFilter{Kind: kind, Category: category, Page: helpline.Page{Limit: feedSize}})
		if err != nil {
			return err
		}
		base := web.baseURL(r)
		query := ""
		if category != "" {
			query = "?" + url.Values{"category": {category}}.Encode()
		}
		self := base + info.FeedPath(format.Ext()) + query

		// Validators from the posts' identities and edit times, so a
		// reader that has the feed gets a 304 without any rendering.
		var lastMod time.Time
		sum := sha256.New()
		fmt.Fprintf(sum, "v1\n%s\n%s\n", format, self)
		for _, p := range posts {
			fmt.Fprintf(sum, "%d %s %d %d\n", p.ID, p.Slug, p.UpdatedAt.UnixNano(), p.PublishedAt.UnixNano())
			lastMod = latest(lastMod, p.UpdatedAt, p.PublishedAt)
		}
		etag := `W/"` + hex.EncodeToString(sum.Sum(nil)[:16]) + `"`
		h := w.Header()
		h.Set("ETag", etag)
		h.Set("Cache-Control", "public, max-age=300")
		if !lastMod.IsZero() {
			h.Set("Last-Modified", lastMod.UTC().Format(http.TimeFormat))
		}
		if notModified(r, etag, lastMod) {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}

		home := base + info.Path() + query
		title := "Helpline " + strings.ToLower(info.Title)
		if category != "" {
			title += ": " + labelOf(category)
		}
		fd := feed.Feed{
			// The HTML index's URL names the feed; it is the same for all
			// three formats.
			ID: home, Title: title, Description: info.Description, HomeURL: home, Language: "en",
			Author: feed.Person{Name: "Helpline", URL: base + "/"},
			// An empty feed still needs a date; the ETag stays the same.
			Updated: lastMod,
		}
		if lastMod.IsZero() {
			fd.Updated = web.Now()
		}
		host := hostOf(base)
		for _, p := range posts {
			link := base + p.URL
			it := feed.Item{
				ID: postFeedID(host, p), URL: link, Title: p.Title, Summary: p.Summary,
				ContentHTML: absoluteLinks(string(web.DocsMarkdown.Render(p.Body)), base, link),
				Published:   p.PublishedAt, Updated: p.UpdatedAt,
				Author: feed.Person{Name: p.AuthorName},
			}
			if p.Category != "" {
				it.Categories = []string{p.Category}
			}
			fd.Items = append(fd.Items, it)
		}
		b, err := feed.Render(format, fd, self)
		if err != nil {
			return err
		}
		h.Set("Content-Type", format.ContentType())
		h.Set("Content-Length", strconv.Itoa(len(b)))
		_, err = w.Write(b)
		return err
	}
}

// postFeedID names a post for ever, whatever its slug or title becomes: a
// tag: URI (RFC 4151) from the site's host, the year the post was created
// and its ID.
func postFeedID(host string, p docs.Post) string {
	return fmt.Sprintf("tag:%s,%d:%s/%d", host, p.CreatedAt.UTC().Year(), p.Kind, p.ID)
}

// hostOf is base's host name without a port, which tag: URIs do not allow.
func hostOf(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Hostname() == "" {
		return "localhost"
	}
	return u.Hostname()
}

func latest(ts ...time.Time) time.Time {
	var t time.Time
	for _, x := range ts {
		if x.After(t) {
			t = x
		}
	}
	return t
}

// notModified evaluates If-None-Match, or without it If-Modified-Since, as
// RFC 9110 orders them.
func notModified(r *http.Request, etag string, lastMod time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimSpace(tag)
			// Weak comparison: W/"x" matches "x".
			if tag == "*" || strings.TrimPrefix(tag, "W/") == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !lastMod.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !lastMod.Truncate(time.Second).After(t)
	}
	return false
}

// absoluteLinks makes the rendered body's site-relative links absolute:
// feed readers show entries away from the site, and few resolve relative
// URLs. Sanitised HTML always quotes attributes with ", so the attribute
// prefixes are enough to find them.
func absoluteLinks(html, base, permalink string) string {
	var b strings.Builder
	for {
		i := strings.Index(html, `="`)
		if i < 0 {
			break
		}
		attr := html[:i]
		j := strings.LastIndexAny(attr, " \t\n")
		name := attr[j+1:]
		b.WriteString(html[:i+2])
		html = html[i+2:]
		if name != "href" && name != "src" {
			continue
		}
		switch {
		case strings.HasPrefix(html, "/") && !strings.HasPrefix(html, "//"):
			b.WriteString(base)
		case strings.HasPrefix(html, "#"):
			b.WriteString(permalink)
		}
	}
	b.WriteString(html)
	return b.String()
}
