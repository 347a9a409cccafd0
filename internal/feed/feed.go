// Package feed writes Atom 1.0, RSS 2.0 and JSON Feed 1.1 documents from one
// neutral description of a feed, so the three formats always say the same
// thing. It knows nothing of HTTP or of where the items come from.
package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"time"
)

// Feed is what every format says about a feed. URLs are absolute.
type Feed struct {
	// ID identifies the feed for ever (Atom's id): a tag: URI or the URL of
	// the HTML page it mirrors.
	ID          string
	Title       string
	Description string
	// HomeURL is the HTML page the feed mirrors.
	HomeURL  string
	Language string // "en"
	// Author is the author of items that do not name their own.
	Author Person
	// Updated is when anything in the feed last changed; zero means the
	// newest item's Updated (or Published).
	Updated time.Time
	Items   []Item
}

// Person is an author.
type Person struct {
	Name string
	URL  string
}

// Item is one entry of a feed.
type Item struct {
	// ID identifies the item for ever: it must not change when the item is
	// edited or moved, or readers show it again as new.
	ID    string
	URL   string // the item's permalink
	Title string // plain text
	// Summary is plain text; ContentHTML is sanitised HTML (the formats
	// escape it as they must).
	Summary     string
	ContentHTML string
	Published   time.Time
	// Updated is the last edit; zero means Published.
	Updated    time.Time
	Author     Person // empty: the feed's Author
	Categories []string
}

// Format is one of the three feed formats.
type Format string

const (
	Atom Format = "atom"
	RSS  Format = "rss"
	JSON Format = "json"
)

// Formats lists the formats, in the order pages offer them.
var Formats = []Format{Atom, RSS, JSON}

// ContentType is the media type a format is served with.
func (f Format) ContentType() string {
	switch f {
	case Atom:
		return "application/atom+xml; charset=utf-8"
	case RSS:
		return "application/rss+xml; charset=utf-8"
	case JSON:
		return "application/feed+json; charset=utf-8"
	}
	return "application/octet-stream"
}

// Ext is the file extension of a format's URL, without the dot.
func (f Format) Ext() string { return string(f) }

// Render writes the feed in format f; self is the absolute URL the document
// is served at, which every format links to.
func Render(f Format, fd Feed, self string) ([]byte, error) {
	switch f {
	case Atom:
		return renderAtom(fd, self)
	case RSS:
		return renderRSS(fd, self)
	case JSON:
		return renderJSON(fd, self)
	}
	return nil, fmt.Errorf("feed: unknown format %q", f)
}

// LastUpdated is fd.Updated, or when its newest item last changed.
func (fd Feed) LastUpdated() time.Time {
	if !fd.Updated.IsZero() {
		return fd.Updated
	}
	var t time.Time
	for _, it := range fd.Items {
		if u := it.updated(); u.After(t) {
			t = u
		}
	}
	return t
}

func (it Item) updated() time.Time {
	if it.Updated.IsZero() || it.Updated.Before(it.Published) {
		return it.Published
	}
	return it.Updated
}

func (it Item) author(fd Feed) Person {
	if it.Author.Name != "" {
		return it.Author
	}
	return fd.Author
}

// rfc3339 is Atom's and JSON Feed's date format, in UTC to the second.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// rfc1123Z is RSS's date format: RFC 822 with a four-digit year.
func rfc1123Z(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }

// Atom 1.0 (RFC 4287).

const atomNS = "http://www.w3.org/2005/Atom"

type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	ID       string      `xml:"id"`
	Title    atomText    `xml:"title"`
	Subtitle *atomText   `xml:"subtitle,omitempty"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   *atomPerson `xml:"author,omitempty"`
	Entries  []atomEntry `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Text string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Links      []atomLink     `xml:"link"`
	Author     *atomPerson    `xml:"author,omitempty"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    *atomText      `xml:"content,omitempty"`
}

func atomAuthor(p Person) *atomPerson {
	if p.Name == "" {
		return nil
	}
	return &atomPerson{Name: p.Name, URI: p.URL}
}

func renderAtom(fd Feed, self string) ([]byte, error) {
	af := atomFeed{
		Lang:    fd.Language,
		ID:      fd.ID,
		Title:   atomText{Type: "text", Text: fd.Title},
		Updated: rfc3339(fd.LastUpdated()),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Href: fd.HomeURL},
		},
		Author: atomAuthor(fd.Author),
	}
	if fd.Description != "" {
		af.Subtitle = &atomText{Type: "text", Text: fd.Description}
	}
	for _, it := range fd.Items {
		e := atomEntry{
			ID:        it.ID,
			Title:     atomText{Type: "text", Text: it.Title},
			Published: rfc3339(it.Published),
			Updated:   rfc3339(it.updated()),
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: it.URL}},
			// An entry without an author inherits the feed's; RFC 4287
			// wants one or the other.
			Author:  atomAuthor(it.Author),
			Content: &atomText{Type: "html", Text: it.ContentHTML},
		}
		if it.Summary != "" {
			e.Summary = &atomText{Type: "text", Text: it.Summary}
		}
		for _, c := range it.Categories {
			e.Categories = append(e.Categories, atomCategory{Term: c})
		}
		af.Entries = append(af.Entries, e)
	}
	return marshalXML(af)
}

// RSS 2.0, with atom:link rel="self" as the RSS Advisory Board recommends
// and dc:creator for authors (RSS's own author element wants an email).

type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	AtomNS  string     `xml:"xmlns:atom,attr"`
	DCNS    string     `xml:"xmlns:dc,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language,omitempty"`
	AtomLink      atomLinkX `xml:"atom:link"`
	LastBuildDate string    `xml:"lastBuildDate"`
	PubDate       string    `xml:"pubDate,omitempty"`
	Items         []rssItem `xml:"item"`
}

// atomLinkX is atom:link spelled with the prefix the rss element declares
// (encoding/xml would otherwise redeclare the namespace on the element).
type atomLinkX struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type rssItem struct {
	Title       string   `xml:"title"`
	Link        string   `xml:"link"`
	GUID        rssGUID  `xml:"guid"`
	PubDate     string   `xml:"pubDate"`
	Creator     string   `xml:"dc:creator,omitempty"`
	Categories  []string `xml:"category"`
	Description string   `xml:"description"`
}

func renderRSS(fd Feed, self string) ([]byte, error) {
	description := fd.Description
	if description == "" {
		description = fd.Title // required by RSS 2.0
	}
	ch := rssChannel{
		Title:         fd.Title,
		Link:          fd.HomeURL,
		Description:   description,
		Language:      fd.Language,
		AtomLink:      atomLinkX{Href: self, Rel: "self", Type: "application/rss+xml"},
		LastBuildDate: rfc1123Z(fd.LastUpdated()),
	}
	var newest time.Time
	for _, it := range fd.Items {
		if it.Published.After(newest) {
			newest = it.Published
		}
		// The description is the whole entry, escaped HTML, which is what
		// readers show; the summary has no place of its own in RSS.
		ch.Items = append(ch.Items, rssItem{
			Title:       it.Title,
			Link:        it.URL,
			GUID:        rssGUID{IsPermaLink: "false", Value: it.ID},
			PubDate:     rfc1123Z(it.Published),
			Creator:     it.author(fd).Name,
			Categories:  it.Categories,
			Description: it.ContentHTML,
		})
	}
	if !newest.IsZero() {
		ch.PubDate = rfc1123Z(newest)
	}
	return marshalXML(rssDoc{Version: "2.0", AtomNS: atomNS, DCNS: "http://purl.org/dc/elements/1.1/", Channel: ch})
}

func marshalXML(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// JSON Feed 1.1 (https://jsonfeed.org/version/1.1).

type jsonFeed struct {
	Version     string       `json:"version"`
	Title       string       `json:"title"`
	HomePageURL string       `json:"home_page_url,omitempty"`
	FeedURL     string       `json:"feed_url"`
	Description string       `json:"description,omitempty"`
	Language    string       `json:"language,omitempty"`
	Authors     []jsonAuthor `json:"authors,omitempty"`
	Items       []jsonItem   `json:"items"`
}

type jsonAuthor struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type jsonItem struct {
	ID    string `json:"id"`
	URL   string `json:"url,omitempty"`
	Title string `json:"title"`
	// Always present: an item needs content_html or content_text.
	ContentHTML   string       `json:"content_html"`
	Summary       string       `json:"summary,omitempty"`
	DatePublished string       `json:"date_published"`
	DateModified  string       `json:"date_modified"`
	Authors       []jsonAuthor `json:"authors,omitempty"`
	Tags          []string     `json:"tags,omitempty"`
}

func jsonAuthors(p Person) []jsonAuthor {
	if p.Name == "" {
		return nil
	}
	return []jsonAuthor{{Name: p.Name, URL: p.URL}}
}

func renderJSON(fd Feed, self string) ([]byte, error) {
	jf := jsonFeed{
		Version:     "https://jsonfeed.org/version/1.1",
		Title:       fd.Title,
		HomePageURL: fd.HomeURL,
		FeedURL:     self,
		Description: fd.Description,
		Language:    fd.Language,
		Authors:     jsonAuthors(fd.Author),
		Items:       []jsonItem{},
	}
	for _, it := range fd.Items {
		jf.Items = append(jf.Items, jsonItem{
			ID:            it.ID,
			URL:           it.URL,
			Title:         it.Title,
			ContentHTML:   it.ContentHTML,
			Summary:       it.Summary,
			DatePublished: rfc3339(it.Published),
			DateModified:  rfc3339(it.updated()),
			Authors:       jsonAuthors(it.Author),
			Tags:          it.Categories,
		})
	}
	b, err := json.MarshalIndent(jf, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
