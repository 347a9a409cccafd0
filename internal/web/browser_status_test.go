package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/browsertest"
	"github.com/helpline-dev/helpline/internal/status"
)

// An operator posts an incident through the form in one tab; a visitor,
// not signed in, sees it on the public page in another, and the page fits
// a phone's width.
func TestBrowserStatusPage(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	admin := env.Staff(t, "root@helpline.test", helpline.RoleAdmin)
	env.Staff(t, "agent@helpline.test", helpline.RoleAgent)
	ctx := context.Background()
	svc := env.App.Status
	data, err := svc.CreateComponent(ctx, admin.Actor(""), status.ComponentInput{Name: "Data", Group: true, Status: status.Operational})
	if err != nil {
		t.Fatal(err)
	}
	pg, err := svc.CreateComponent(ctx, admin.Actor(""), status.ComponentInput{Name: "Postgres (EU) with a rather long component name for phones", GroupID: data.ID, Status: status.Operational, Region: "eu"})
	if err != nil {
		t.Fatal(err)
	}

	operator := browsertest.New(t)
	// The visitor's tab has its own cookies: it is not signed in.
	visitor, cancel := chromedp.NewContext(operator, chromedp.WithNewBrowserContext())
	defer cancel()

	err = chromedp.Do(visitor,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(env.URL+"/status"),
		chromedp.WaitVisible(chromedp.CSS(".sbanner")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if s := text(t, visitor, ".sbanner h1"); !strings.Contains(s, "All Systems Operational") {
		t.Errorf("banner before: %q", s)
	}

	err = chromedp.Do(operator,
		chromedp.Navigate(env.URL+"/admin/status/incidents/new"),
		signIn("agent@helpline.test"),
		chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), "Database connections failing"),
		chromedp.SetValue(chromedp.ID("impact"), "critical"),
		chromedp.SetValue(chromedp.ID("c"+itoa(pg.ID)), "major_outage"),
		chromedp.SendKeys(chromedp.ID("body"), "New connections to **Postgres (EU)** fail; we are failing over."),
		chromedp.Click(chromedp.CSS(`form[action="/admin/status/incidents"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/updates"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if s := text(t, operator, "h1"); s != "Database connections failing" {
		t.Errorf("operator page heading %q", s)
	}

	err = chromedp.Do(visitor,
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(".sincident")),
	)
	if err != nil {
		t.Fatal(err)
	}
	card := text(t, visitor, ".sincident")
	for _, want := range []string{"Database connections failing", "Critical impact", "we are failing over"} {
		if !strings.Contains(card, want) {
			t.Errorf("public incident card lacks %q:\n%s", want, card)
		}
	}
	if s := text(t, visitor, ".sbanner h1"); strings.Contains(s, "All Systems Operational") {
		t.Errorf("banner after: %q", s)
	}
	signedOut, err := chromedp.Run(visitor, chromedp.Evaluate[bool](`!!document.querySelector('a[href="/signin"]')`))
	if err != nil || !signedOut {
		t.Errorf("the visitor's tab is signed in (%v)", err)
	}

	// Nothing is wider than the phone, on every public page.
	for _, path := range []string{"/status", "/history", "/incidents/1"} {
		err := chromedp.Do(visitor,
			chromedp.Navigate(env.URL+path),
			chromedp.WaitVisible(chromedp.CSS(".spage")),
		)
		if err != nil {
			t.Fatal(err)
		}
		fits, err := chromedp.Run(visitor, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if !fits {
			w, _ := chromedp.Run(visitor, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			t.Errorf("%s scrolls sideways at 390 px: %d px wide", path, w)
		}
	}

	// The uptime bars fill the phone's width, a bar a day with its tooltip.
	err = chromedp.Do(visitor, chromedp.Navigate(env.URL+"/status"), chromedp.WaitVisible(chromedp.CSS("svg.sbars")))
	if err != nil {
		t.Fatal(err)
	}
	width, err := chromedp.Run(visitor, chromedp.Evaluate[float64](`document.querySelector('svg.sbars').getBoundingClientRect().width`))
	if err != nil || width < 250 || width > 390 {
		t.Errorf("uptime bars are %v px wide at 390 px (%v)", width, err)
	}
	tip, err := chromedp.Run(visitor, chromedp.Evaluate[string](`document.querySelector('svg.sbars rect:last-of-type title').textContent`))
	if err != nil || !strings.Contains(tip, "major outage") {
		t.Errorf("today's bar says %q (%v)", tip, err)
	}
	if dir := os.Getenv("HELPLINE_SCREENSHOTS"); dir != "" {
		browsertest.Screenshot(t, visitor, filepath.Join(dir, "status-phone.png"))
	}
	screenshot(t, visitor, "status") // at a desktop width
}
