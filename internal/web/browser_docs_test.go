package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/helpline-dev/helpline/internal/browsertest"
	"github.com/helpline-dev/helpline/internal/docs"
)

// hostileMarkdown is what a careless or compromised staff account could
// write: each line tries to run script in a reader's browser.
const hostileMarkdown = "# Totally normal guide\n\n" +
	"<script>window.pwned=1</script>\n\n" +
	"<img src=x onerror=\"window.pwned=1\">\n\n" +
	"[click](javascript:window.pwned=1)\n\n" +
	"<a href=\"javascript:window.pwned=1\" id=\"raw\">raw link</a>\n\n" +
	"<svg onload=\"window.pwned=1\"><circle r=\"4\"/></svg>\n\n" +
	"Last line.\n"

// checkDefused asserts that nothing in the element sel of the page is
// active: no script ran, and none could run later.
func checkDefused(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	pwned, err := chromedp.Run(ctx, chromedp.Evaluate[string](`typeof window.pwned`))
	if err != nil || pwned != "undefined" {
		t.Fatalf("window.pwned is %s (%v)", pwned, err)
	}
	// The CSP would stop inline script anyway; the markup itself must be
	// harmless too, for a page without that header.
	bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const root = document.querySelector(`+"`"+sel+"`"+`);
		const out = [];
		root.querySelectorAll("*").forEach(el => {
			if (["SCRIPT", "SVG", "IMG", "IFRAME", "OBJECT", "EMBED"].includes(el.tagName.toUpperCase())) out.push("element " + el.tagName);
			for (const a of el.attributes) {
				if (a.name.startsWith("on")) out.push(el.tagName + " " + a.name);
				if (/^\s*javascript:/i.test(a.value)) out.push(el.tagName + " " + a.name + "=" + a.value);
			}
		});
		return out;
	})()`))
	if err != nil || len(bad) > 0 {
		t.Fatalf("active markup in %s: %v (%v)", sel, bad, err)
	}
	// Clicking the links does nothing: we stay on the page, nothing runs.
	before, _ := chromedp.Run(ctx, chromedp.Location())
	links, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+"`"+sel+` a:not(.anchor)`+"`"+`).length`))
	if err != nil {
		t.Fatal(err)
	}
	for i := range links {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const a = document.querySelectorAll(`+"`"+sel+` a:not(.anchor)`+"`"+`)[`+itoa(int64(i))+`]; a.click(); return true; })()`)); err != nil {
			t.Fatal(err)
		}
	}
	after, _ := chromedp.Run(ctx, chromedp.Location())
	pwned, err = chromedp.Run(ctx, chromedp.Evaluate[string](`typeof window.pwned`))
	if err != nil || pwned != "undefined" || after != before {
		t.Fatalf("after clicking the links: window.pwned is %s (%v), at %s (was %s)", pwned, err, after, before)
	}
}

// Hostile Markdown in an article is defused, on the published page and in
// the editor's live preview.
func TestBrowserHostileMarkdown(t *testing.T) {
	e := newDocsEnv(t)
	art := e.article(t, docs.ArticleInput{Title: "Totally normal guide", Summary: "Nothing to see.", Body: hostileMarkdown, Section: docs.SectionPlatform})
	reader := browsertest.New(t)
	err := chromedp.Do(reader,
		chromedp.Navigate(e.URL+"/docs/"+art.Slug),
		chromedp.WaitVisible(chromedp.CSS(".article-body")),
	)
	if err != nil {
		t.Fatal(err)
	}
	body := text(t, reader, ".article-body")
	if !strings.Contains(body, "Last line.") || !strings.Contains(body, "click") {
		t.Fatalf("article text %q", body)
	}
	checkDefused(t, reader, ".article-body")

	// The preview renders the same way, as staff type.
	staff, cancel := chromedp.NewContext(reader, chromedp.WithNewBrowserContext())
	defer cancel()
	err = chromedp.Do(staff,
		chromedp.Navigate(e.URL+"/docs/manage/new"),
		signIn("sam@helpline.test"),
		chromedp.WaitVisible(chromedp.ID("body")),
		chromedp.SendKeys(chromedp.ID("body"), hostileMarkdown),
		chromedp.WaitVisible(chromedp.CSS(`#preview h1`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(staff, chromedp.Poll[bool](`document.getElementById("preview").textContent.includes("Last line.")`)); err != nil {
		t.Fatalf("preview never showed the whole article: %v", err)
	}
	checkDefused(t, staff, "#preview")
}

// The live preview follows the author's typing, through the CSRF
// protection, without a page load.
func TestBrowserLivePreview(t *testing.T) {
	e := newDocsEnv(t)
	ctx := browsertest.New(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/docs/"+e.public.Slug+"/edit"),
		signIn("sam@helpline.test"),
		chromedp.WaitVisible(chromedp.ID("body")),
		chromedp.WaitVisible(chromedp.CSS(`#preview h2#first-steps`)), // the saved article, rendered by the server
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.loadMarker = true`)); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("body"), "\n## Scaling out\n\n| Dynos | Price |\n|---|---|\n| 2 | $50 |\n"),
		chromedp.WaitVisible(chromedp.CSS(`#preview h2#scaling-out`)),
		chromedp.WaitVisible(chromedp.CSS(`#preview table td`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "docs-live-preview")
	if still, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.loadMarker === true`)); err != nil || !still {
		t.Errorf("the page reloaded (%v)", err)
	}
	// Saving keeps what was typed.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#article-form button[value=save]`)),
		chromedp.WaitVisible(chromedp.CSS(`article.article h2#scaling-out`)), // the saved article, not the preview
	)
	if err != nil {
		t.Fatal(err)
	}
	if flash := text(t, ctx, ".flash"); !strings.Contains(flash, "revision 2") {
		t.Errorf("flash %q", flash)
	}
}

// A customer describing a crash on the ticket form is shown an article,
// opens it in a new tab, and the form records it as opened.
func TestBrowserTicketSuggestions(t *testing.T) {
	e := newDocsEnv(t)
	ctx := browsertest.New(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/tickets/new"),
		signIn("pat@globex.test"),
		chromedp.WaitVisible(chromedp.ID("ticket-form")),
		chromedp.SendKeys(chromedp.ID("subject"), "my app crashed H10"),
		chromedp.SendKeys(chromedp.ID("description"), "Our quokka app crashed after deploy."),
		chromedp.WaitVisible(chromedp.CSS(`#ticket-suggestions li a`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "docs-ticket-suggestions")
	if title := text(t, ctx, "#ticket-suggestions h2"); title != "These articles may answer your question" {
		t.Errorf("suggestions title %q", title)
	}
	attrs, err := chromedp.Run(ctx, chromedp.Attributes(chromedp.CSS(`#ticket-suggestions li a`)))
	if err != nil {
		t.Fatal(err)
	}
	token, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("deflection")))
	if attrs["target"] != "_blank" || attrs["rel"] != "noopener" || token == "" || !strings.HasSuffix(attrs["href"], "?d="+token) {
		t.Fatalf("suggestion link %v, token %q", attrs, token)
	}
	slug := strings.TrimPrefix(strings.TrimSuffix(attrs["href"], "?d="+token), "/docs/")

	// The article opens in a new tab; the form stays as it was.
	opened := chromedp.WaitNewTarget(ctx, func(info *target.Info) bool { return strings.Contains(info.URL, "/docs/"+slug) })
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#ticket-suggestions li a`))); err != nil {
		t.Fatal(err)
	}
	var id target.ID
	select {
	case id = <-opened:
	case <-ctx.Done():
		t.Fatal("no new tab")
	}
	tab, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(id))
	defer cancel()
	if err := chromedp.Do(tab, chromedp.WaitVisible(chromedp.CSS(".article-body"))); err != nil {
		t.Fatal(err)
	}
	if subject, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("subject"))); err != nil || subject != "my app crashed H10" {
		t.Errorf("subject after opening the article: %q (%v)", subject, err)
	}

	art, err := e.App.Docs.FindArticleBySlug(context.Background(), nil, slug)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	rows, err := e.App.Docs.FindDeflection(context.Background(), e.sam.Actor(""), now.AddDate(0, 0, -1), now.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r.ArticleID == art.ID {
			found = r.Shown >= 1 && r.Opened == 1 && r.Tickets == 0
		}
	}
	if !found {
		t.Fatalf("deflection for %s: %+v", slug, rows)
	}
}
