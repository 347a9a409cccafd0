package feed_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/helpline-dev/helpline/internal/feed"
)

var (
	published = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	edited    = time.Date(2026, 3, 2, 17, 5, 9, 0, time.FixedZone("CET", 3600))
)

const hostileTitle = `<script>alert("x")</script> Tom & Jerry`

// hostileHTML is what the renderer might produce around a quoted script:
// markup that must arrive in readers exactly as written.
const hostileHTML = `<p>Use <code>a &amp;&amp; b</code> &amp; <a href="https://x.test/?a=1&amp;b=2">this</a>; &lt;script&gt;alert(1)&lt;/script&gt;</p>`

func sample() feed.Feed {
	return feed.Feed{
		ID:          "https://help.example.com/changelog",
		Title:       "Helpline changelog",
		Description: "New features & fixes",
		HomeURL:     "https://help.example.com/changelog",
		Language:    "en",
		Author:      feed.Person{Name: "Helpline", URL: "https://help.example.com/"},
		Items: []feed.Item{
			{
				ID: "tag:help.example.com,2026:changelog/7", URL: "https://help.example.com/changelog/script",
				Title: hostileTitle, Summary: "Summary <b>not bold</b> & plain", ContentHTML: hostileHTML,
				Published: published, Updated: edited, Author: feed.Person{Name: "Ada"}, Categories: []string{"security"},
			},
			{
				ID: "tag:help.example.com,2026:changelog/3", URL: "https://help.example.com/changelog/older",
				Title: "Older", ContentHTML: "<p>Old news.</p>", Published: published.Add(-48 * time.Hour), Categories: []string{"fix"},
			},
		},
	}
}

func render(t *testing.T, f feed.Format, fd feed.Feed) []byte {
	t.Helper()
	b, err := feed.Render(f, fd, "https://help.example.com/changelog."+f.Ext())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wellFormed fails unless b is well-formed XML from start to end.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return
			}
			t.Fatalf("not well-formed XML: %v\n%s", err, b)
		}
	}
}

func TestAtom(t *testing.T) {
	b := render(t, feed.Atom, sample())
	wellFormed(t, b)
	out := string(b)
	for _, want := range []string{
		`<?xml version="1.0" encoding="UTF-8"?>`,
		`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">`,
		`<id>https://help.example.com/changelog</id>`,
		`<link rel="self" type="application/atom+xml" href="https://help.example.com/changelog.atom"></link>`,
		`<link rel="alternate" type="text/html" href="https://help.example.com/changelog"></link>`,
		// The feed's updated is its newest edit, in UTC.
		`<updated>2026-03-02T16:05:09Z</updated>`,
		`<id>tag:help.example.com,2026:changelog/7</id>`,
		`<title type="text">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Tom &amp; Jerry</title>`,
		`<published>2026-03-01T09:30:00Z</published>`,
		`<category term="security"></category>`,
		`<summary type="text">Summary &lt;b&gt;not bold&lt;/b&gt; &amp; plain</summary>`,
		`<content type="html">&lt;p&gt;Use &lt;code&gt;a &amp;amp;&amp;amp; b&lt;/code&gt;`,
		// An item never edited is updated when published.
		`<published>2026-02-27T09:30:00Z</published>` + "\n    <updated>2026-02-27T09:30:00Z</updated>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Atom lacks %s\n%s", want, out)
		}
	}
	if strings.Contains(out, "<script>") || strings.Contains(out, "<p>") {
		t.Errorf("Atom has unescaped markup:\n%s", out)
	}

	// What an XML parser reads back is exactly what went in.
	var doc struct {
		Entries []struct {
			Title   string `xml:"title"`
			Content struct {
				Type string `xml:"type,attr"`
				Text string `xml:",chardata"`
			} `xml:"content"`
			Author struct {
				Name string `xml:"name"`
			} `xml:"author"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Entries) != 2 || doc.Entries[0].Title != hostileTitle || doc.Entries[0].Content.Text != hostileHTML || doc.Entries[0].Content.Type != "html" {
		t.Errorf("Atom read back: %+v", doc.Entries)
	}
	if doc.Entries[0].Author.Name != "Ada" || doc.Entries[1].Author.Name != "" {
		t.Errorf("entry authors: %+v (an entry without one inherits the feed's)", doc.Entries)
	}
}

func TestRSS(t *testing.T) {
	b := render(t, feed.RSS, sample())
	wellFormed(t, b)
	out := string(b)
	for _, want := range []string{
		`<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">`,
		`<title>Helpline changelog</title>`,
		`<link>https://help.example.com/changelog</link>`,
		`<description>New features &amp; fixes</description>`,
		`<atom:link href="https://help.example.com/changelog.rss" rel="self" type="application/rss+xml"></atom:link>`,
		`<lastBuildDate>Mon, 02 Mar 2026 16:05:09 +0000</lastBuildDate>`,
		`<pubDate>Sun, 01 Mar 2026 09:30:00 +0000</pubDate>`,
		`<guid isPermaLink="false">tag:help.example.com,2026:changelog/7</guid>`,
		`<title>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Tom &amp; Jerry</title>`,
		`<dc:creator>Ada</dc:creator>`,
		`<dc:creator>Helpline</dc:creator>`,
		`<category>security</category>`,
		`<description>&lt;p&gt;Use &lt;code&gt;a &amp;amp;&amp;amp; b`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("RSS lacks %s\n%s", want, out)
		}
	}
	if strings.Contains(out, "<script>") || strings.Contains(out, "<p>") {
		t.Errorf("RSS has unescaped markup:\n%s", out)
	}
	var doc struct {
		Channel struct {
			Items []struct {
				PubDate     string `xml:"pubDate"`
				Description string `xml:"description"`
			} `xml:"item"`
		} `xml:"channel"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Channel.Items) != 2 || doc.Channel.Items[0].Description != hostileHTML {
		t.Fatalf("RSS read back: %+v", doc.Channel.Items)
	}
	if d, err := time.Parse(time.RFC1123Z, doc.Channel.Items[0].PubDate); err != nil || !d.Equal(published) {
		t.Errorf("pubDate %q: %v, %v", doc.Channel.Items[0].PubDate, d, err)
	}
}

func TestJSON(t *testing.T) {
	b := render(t, feed.JSON, sample())
	var doc struct {
		Version     string `json:"version"`
		Title       string `json:"title"`
		HomePageURL string `json:"home_page_url"`
		FeedURL     string `json:"feed_url"`
		Items       []struct {
			ID            string   `json:"id"`
			URL           string   `json:"url"`
			Title         string   `json:"title"`
			ContentHTML   string   `json:"content_html"`
			Summary       string   `json:"summary"`
			DatePublished string   `json:"date_published"`
			DateModified  string   `json:"date_modified"`
			Tags          []string `json:"tags"`
			Authors       []struct {
				Name string `json:"name"`
			} `json:"authors"`
		} `json:"items"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if doc.Version != "https://jsonfeed.org/version/1.1" || doc.FeedURL != "https://help.example.com/changelog.json" || doc.HomePageURL != "https://help.example.com/changelog" {
		t.Errorf("JSON Feed top level: %+v", doc)
	}
	if len(doc.Items) != 2 {
		t.Fatalf("items: %+v", doc.Items)
	}
	it := doc.Items[0]
	if it.ID != "tag:help.example.com,2026:changelog/7" || it.Title != hostileTitle || it.ContentHTML != hostileHTML ||
		it.DatePublished != "2026-03-01T09:30:00Z" || it.DateModified != "2026-03-02T16:05:09Z" ||
		len(it.Tags) != 1 || it.Tags[0] != "security" || len(it.Authors) != 1 || it.Authors[0].Name != "Ada" {
		t.Errorf("item: %+v", it)
	}
	if bytes.Contains(b, []byte("<script>")) {
		t.Errorf("JSON Feed has raw markup (escape it for whoever opens it as text):\n%s", b)
	}
}

// TestParsers reads all three formats with a real feed reader's parser:
// what it sees is what we meant.
func TestParsers(t *testing.T) {
	fd := sample()
	for _, f := range feed.Formats {
		t.Run(string(f), func(t *testing.T) {
			parsed, err := gofeed.NewParser().ParseString(string(render(t, f, fd)))
			if err != nil {
				t.Fatal(err)
			}
			if parsed.Title != fd.Title || parsed.Link != fd.HomeURL || len(parsed.Items) != 2 {
				t.Fatalf("feed: title %q link %q items %d", parsed.Title, parsed.Link, len(parsed.Items))
			}
			if f != feed.JSON && parsed.FeedLink != "https://help.example.com/changelog."+f.Ext() {
				t.Errorf("self link %q", parsed.FeedLink)
			}
			for i, it := range parsed.Items {
				want := fd.Items[i]
				if it.GUID != want.ID || it.Title != want.Title || it.Link != want.URL {
					t.Errorf("item %d: guid %q title %q link %q", i, it.GUID, it.Title, it.Link)
				}
				if it.PublishedParsed == nil || !it.PublishedParsed.Equal(want.Published) {
					t.Errorf("item %d published %v, want %v", i, it.PublishedParsed, want.Published)
				}
				body := it.Content
				if body == "" {
					body = it.Description // RSS puts the entry there
				}
				if body != want.ContentHTML {
					t.Errorf("item %d content %q", i, body)
				}
				if len(it.Categories) != 1 || it.Categories[0] != want.Categories[0] {
					t.Errorf("item %d categories %v", i, it.Categories)
				}
			}
			if f != feed.RSS && (parsed.Items[0].UpdatedParsed == nil || !parsed.Items[0].UpdatedParsed.Equal(edited)) {
				t.Errorf("updated %v, want %v", parsed.Items[0].UpdatedParsed, edited)
			}
		})
	}
}

// Characters XML cannot carry (a NUL pasted into a post) must not make the
// whole feed unreadable.
func TestControlCharacters(t *testing.T) {
	fd := sample()
	fd.Items[0].Title = "Bad \x00 byte\x1b"
	fd.Items[0].ContentHTML = "<p>\x00</p>"
	for _, f := range []feed.Format{feed.Atom, feed.RSS} {
		b := render(t, f, fd)
		wellFormed(t, b)
		if _, err := gofeed.NewParser().ParseString(string(b)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestEmptyFeed(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fd := feed.Feed{ID: "https://x.test/blog", Title: "Blog", HomeURL: "https://x.test/blog", Updated: now}
	if !strings.Contains(string(render(t, feed.JSON, fd)), `"items": []`) {
		t.Error("JSON Feed without items must still have an items array")
	}
	b := render(t, feed.Atom, fd)
	if !strings.Contains(string(b), "<updated>2026-01-01T00:00:00Z</updated>") {
		t.Errorf("empty Atom feed:\n%s", b)
	}
	b = render(t, feed.RSS, fd)
	if !strings.Contains(string(b), "<description>Blog</description>") || strings.Contains(string(b), "<pubDate>") {
		t.Errorf("empty RSS feed (description is required, pubDate has no post to date):\n%s", b)
	}
}

func TestLastUpdated(t *testing.T) {
	fd := sample()
	if got := fd.LastUpdated(); !got.Equal(edited) {
		t.Errorf("LastUpdated %v, want the newest edit %v", got, edited)
	}
	fd.Updated = published
	if got := fd.LastUpdated(); !got.Equal(published) {
		t.Errorf("LastUpdated %v, want the feed's own %v", got, published)
	}
}

func TestContentTypes(t *testing.T) {
	for f, want := range map[feed.Format]string{
		feed.Atom: "application/atom+xml; charset=utf-8",
		feed.RSS:  "application/rss+xml; charset=utf-8",
		feed.JSON: "application/feed+json; charset=utf-8",
	} {
		if got := f.ContentType(); got != want {
			t.Errorf("%s: %q", f, got)
		}
	}
	if _, err := feed.Render("opml", sample(), ""); err == nil {
		t.Error("an unknown format renders")
	}
}

// BenchmarkRender renders a full feed (50 items of about 4 KB of HTML), as
// a feed request does after a change.
func BenchmarkRender(b *testing.B) {
	fd := sample()
	item := fd.Items[0]
	item.ContentHTML = strings.Repeat(hostileHTML, 20)
	fd.Items = nil
	for range 50 {
		fd.Items = append(fd.Items, item)
	}
	for _, f := range feed.Formats {
		b.Run(string(f), func(b *testing.B) {
			for b.Loop() {
				if _, err := feed.Render(f, fd, "https://help.example.com/changelog."+f.Ext()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
