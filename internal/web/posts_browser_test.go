package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/browsertest"
)

// An admin writes a changelog entry in Chromium: the preview follows the
// typing, the saved entry shows the Markdown rendered and hostile markup
// inert, and the changelog offers its feeds to the browser.
func TestBrowserPostEditor(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	env.Staff(t, "root@helpline.test", helpline.RoleAdmin)
	ctx := browsertest.New(t)

	body := "Deploys are **faster** now.\n\n" +
		"<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script>\n\n" +
		"[click](javascript:window.pwned=3)\n"
	err := chromedp.Do(ctx,
		// Signed out, the editor sends us to sign in and back.
		chromedp.Navigate(env.URL+"/admin/posts/new?kind=changelog"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "root@helpline.test"),
		chromedp.SendKeys(chromedp.ID("password"), apptest.Password),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("title")),
		chromedp.SendKeys(chromedp.ID("title"), "Faster deploys"),
		chromedp.SetValue(chromedp.ID("category"), "improvement"),
		chromedp.SetValue(chromedp.ID("status"), "published"),
		chromedp.SendKeys(chromedp.ID("body"), body),
		// The live preview, before anything is saved.
		chromedp.WaitVisible(chromedp.CSS("#preview strong")),
	)
	if err != nil {
		t.Fatal(err)
	}
	preview, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("preview")))
	if err != nil || !strings.Contains(preview, "Deploys are faster now.") {
		t.Errorf("preview %q (%v)", preview, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS("article.post-page")),
	)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.HasSuffix(loc, "/changelog/faster-deploys") {
		t.Errorf("after saving at %s", loc)
	}
	pwned, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.pwned !== undefined`))
	if err != nil {
		t.Fatal(err)
	}
	unsafe, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('main script, main [onerror], main a[href^="javascript:"]').length`))
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("article.post-page")))
	if err != nil {
		t.Fatal(err)
	}
	if pwned || unsafe != 0 {
		t.Errorf("hostile markup is live on the entry's page: pwned=%v, %d unsafe elements", pwned, unsafe)
	}
	if !strings.Contains(text, "Deploys are faster now.") || !strings.Contains(strings.ToLower(text), "improvement") {
		t.Errorf("entry page text:\n%s", text)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/changelog"),
		chromedp.WaitVisible(chromedp.CSS(".post-list")),
	)
	if err != nil {
		t.Fatal(err)
	}
	feeds, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('link[rel="alternate"]')).map(l => l.type + " " + l.href)`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"application/atom+xml " + env.URL + "/changelog.atom", "application/rss+xml " + env.URL + "/changelog.rss", "application/feed+json " + env.URL + "/changelog.json"}
	if strings.Join(feeds, "\n") != strings.Join(want, "\n") {
		t.Errorf("feed links %q, want %q", feeds, want)
	}
}
