package docs_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/search"
)

const h12File = `+++
title = "H12 - Request timeout"
slug = "h12-request-timeout"        # optional: defaults to the file name without .md
summary = "One or two sentences."
section = "error-codes"
audience = "public"
status = "published"
tags = ["router", "timeout"]
error_code = "H12"
position = 12
last_reviewed = 2026-11-01
+++
An HTTP request took longer than 30 seconds.

` + "```" + `
at=error code=H12 desc="Request timeout"
` + "```" + `
`

func TestParseMarkdownFile(t *testing.T) {
	in, err := docs.ParseMarkdownFile("content/error-codes/h12.md", []byte(h12File))
	if err != nil {
		t.Fatal(err)
	}
	reviewed := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	want := docs.ArticleInput{
		Slug: "h12-request-timeout", Title: "H12 - Request timeout", Summary: "One or two sentences.",
		Body:    "An HTTP request took longer than 30 seconds.\n\n```\nat=error code=H12 desc=\"Request timeout\"\n```\n",
		Tags:    []string{"router", "timeout"},
		Section: docs.SectionErrorCodes, Audience: search.AudiencePublic, Status: docs.StatusPublished,
		ErrorCode: "H12", Position: 12, LastReviewedAt: &reviewed,
	}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("parsed\n%+v\nwant\n%+v", in, want)
	}

	// Slug, section, audience and status default from the path.
	in, err = docs.ParseMarkdownFile("guides/getting-started/go.md", []byte("+++\r\ntitle = \"Go\"\r\n+++\r\nBody\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if in.Slug != "go" || in.Section != "getting-started" || in.Audience != search.AudiencePublic || in.Status != docs.StatusPublished || in.Body != "Body\r\n" {
		t.Errorf("defaults: %+v", in)
	}
	in, err = docs.ParseMarkdownFile("empty.md", []byte("+++\ntitle = \"Nothing\"\n+++"))
	if err != nil || in.Body != "" || in.Section != "" {
		t.Errorf("no body: %+v %v", in, err)
	}

	for _, c := range []struct{ name, data, want string }{
		{"no front matter", "# Title\n", `kb/x.md: must start with a "+++" line`},
		{"unclosed", "+++\ntitle = \"x\"\nbody\n", `kb/x.md: the front matter has no closing "+++" line`},
		{"unknown key", "+++\ntitle = \"x\"\nauthor = \"me\"\n+++\n", `kb/x.md: unknown front-matter key "author"`},
		{"bad toml", "+++\ntitle = \"x\"\nposition = twelve\n+++\n", "kb/x.md: front matter line 3"},
		{"wrong type", "+++\ntitle = 12\n+++\n", "kb/x.md: front matter"},
		{"datetime review", "+++\ntitle = \"x\"\nlast_reviewed = \"yesterday\"\n+++\n", "kb/x.md: front matter"},
	} {
		_, err := docs.ParseMarkdownFile("kb/x.md", []byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) || helpline.KindOf(err) != helpline.KindInvalid {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestMarkdownFileRoundTrip(t *testing.T) {
	reviewed := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	for _, a := range []docs.Article{
		{Slug: "h12-request-timeout", Title: "H12 - Request timeout", Summary: "A request took \"too\" long\\slow.",
			Body: "Body\n\n  indented\ttab\r\nno final newline", Tags: []string{"router", "time out"}, Section: docs.SectionErrorCodes,
			Audience: search.AudiencePublic, Status: docs.StatusPublished, ErrorCode: "H12", Position: 12, LastReviewedAt: &reviewed},
		{Slug: "draft", Title: "Ünïcode ✓ and a\nnewline\x01", Body: "+++\nnot front matter\n+++\n", Tags: []string{},
			Section: docs.SectionKnowledgeBase, Audience: search.AudienceEnterprise, Status: docs.StatusDraft},
		{Slug: "empty-body", Title: "Empty", Section: docs.SectionHelp, Audience: search.AudienceCustomers, Status: docs.StatusPublished},
	} {
		data := docs.FormatMarkdownFile(a)
		in, err := docs.ParseMarkdownFile("elsewhere/other.md", data)
		if err != nil {
			t.Fatalf("%s: %v\n%s", a.Slug, err, data)
		}
		got := docs.ArticleInput{Slug: in.Slug, Title: in.Title, Summary: in.Summary, Body: in.Body, Tags: in.Tags,
			Section: in.Section, Audience: in.Audience, Status: in.Status, ErrorCode: in.ErrorCode, Position: in.Position,
			LastReviewedAt: in.LastReviewedAt}
		want := docs.ArticleInput{Slug: a.Slug, Title: a.Title, Summary: a.Summary, Body: a.Body, Tags: a.Tags,
			Section: a.Section, Audience: a.Audience, Status: a.Status, ErrorCode: a.ErrorCode, Position: a.Position,
			LastReviewedAt: a.LastReviewedAt}
		if len(want.Tags) == 0 {
			want.Tags = nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip of %s:\n%+v\nwant\n%+v\nfile:\n%s", a.Slug, got, want, data)
		}
		// Formatting what was parsed gives the same file.
		again := docs.FormatMarkdownFile(docs.Article{Slug: in.Slug, Title: in.Title, Summary: in.Summary, Body: in.Body, Tags: in.Tags,
			Section: in.Section, Audience: in.Audience, Status: in.Status, ErrorCode: in.ErrorCode, Position: in.Position,
			LastReviewedAt: in.LastReviewedAt})
		if string(again) != string(data) {
			t.Errorf("second format differs:\n%s\nfirst:\n%s", again, data)
		}
	}
}

// TestImportExportThroughService saves a parsed file and exports it back:
// the body survives byte for byte.
func TestImportExportThroughService(t *testing.T) {
	f := newFixture(t)
	in, err := docs.ParseMarkdownFile("error-codes/h12-request-timeout.md", []byte(h12File))
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := f.svc.PutArticle(f.ctx, f.admin, in)
	if err != nil {
		t.Fatal(err)
	}
	out := docs.FormatMarkdownFile(a)
	back, err := docs.ParseMarkdownFile("error-codes/h12-request-timeout.md", out)
	if err != nil {
		t.Fatal(err)
	}
	if back.Body != in.Body || !reflect.DeepEqual(back.LastReviewedAt, in.LastReviewedAt) || back.ErrorCode != "H12" {
		t.Errorf("export differs:\n%s", out)
	}
	if _, changed, err := f.svc.PutArticle(f.ctx, f.admin, back); err != nil || changed {
		t.Errorf("re-import of the export changed the article: %v %v", changed, err)
	}
}
