package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/helpline-dev/helpline/internal/browsertest"
)

// The enterprise story in Chromium: a Premier customer opens the portal,
// requests preparation for a launch through the event form and lands on the
// engagement's page; a Standard customer is refused the portal and has no
// link to it.
func TestBrowserEnterpriseEventRequest(t *testing.T) {
	e := newPortalEnv(t)
	customer := browsertest.New(t)
	standard, cancel := chromedp.NewContext(customer, chromedp.WithNewBrowserContext())
	defer cancel()

	err := chromedp.Do(customer,
		chromedp.Navigate(e.URL+"/enterprise"),
		signIn("owner@acme.test"),
		chromedp.WaitVisible(chromedp.ID("request-event")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, customer, "enterprise-1-portal")
	if s := text(t, customer, "#collections"); !strings.Contains(s, "Preparing for a launch") || !strings.Contains(s, "Load testing before a launch") {
		t.Errorf("collections %q", s)
	}
	err = chromedp.Do(customer,
		chromedp.Click(chromedp.CSS(`#request-event a.button`)),
		chromedp.WaitVisible(chromedp.ID("request-form")),
		chromedp.SendKeys(chromedp.ID("event-name"), "Spring launch"),
		chromedp.SetValue(chromedp.ID("event-starts-at"), "2026-04-02T09:30"),
		chromedp.Clear(chromedp.ID("event-time-zone")),
		chromedp.SendKeys(chromedp.ID("event-time-zone"), "America/New_York"),
		chromedp.SendKeys(chromedp.ID("event-peak-rps"), "5,000"),
		chromedp.SendKeys(chromedp.ID("event-peak-concurrent-users"), "40000"),
		chromedp.Click(chromedp.ID("event-apps-"+itoa(e.api.ID))),
		chromedp.Click(chromedp.ID("event-apps-"+itoa(e.web.ID))),
		chromedp.SendKeys(chromedp.ID("event-dyno-formation"), "web=10:performance-l worker=4:standard-2x"),
		chromedp.SendKeys(chromedp.ID("event-database-plan"), "heroku-postgresql:premium-4"),
		chromedp.SendKeys(chromedp.ID("event-concerns"), "Checkout has never seen this much traffic: review the connection pool and autoscaling."),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, customer, "enterprise-2-form")
	err = chromedp.Do(customer,
		chromedp.Click(chromedp.CSS(`#request-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("event-details")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, customer, "enterprise-3-engagement")
	loc, err := chromedp.Run(customer, chromedp.Location())
	if err != nil || !strings.HasPrefix(loc, e.URL+"/enterprise/engagements/") {
		t.Errorf("after the request at %q (%v)", loc, err)
	}
	if flash := text(t, customer, ".flash"); !strings.Contains(flash, "Your request is in.") {
		t.Errorf("flash %q", flash)
	}
	if h := text(t, customer, "h1"); !strings.Contains(h, "Event preparation: Spring launch") {
		t.Errorf("heading %q", h)
	}
	details := text(t, customer, "#event-details")
	for _, want := range []string{"Thu Apr 2, 2026 09:30 EDT (America/New_York)", "5,000", "40,000", "acme-api, acme-web", "performance-l", "premium-4"} {
		if !strings.Contains(details, want) {
			t.Errorf("event details lack %q:\n%s", want, details)
		}
	}
	if s := text(t, customer, "#engagement-state"); s != "Requested" {
		t.Errorf("state %q", s)
	}

	// A Standard customer is refused, with their plan named, and their
	// header has no link to the portal.
	err = chromedp.Do(standard,
		chromedp.Navigate(e.URL+"/enterprise"),
		signIn("peter@initech.test"),
		chromedp.WaitVisible(chromedp.CSS("main .lead")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, standard, "enterprise-4-refused")
	title, err := chromedp.Run(standard, chromedp.Title())
	if err != nil || !strings.HasPrefix(title, "Forbidden") {
		t.Errorf("title %q (%v), want the 403 page", title, err)
	}
	if msg := text(t, standard, "main .lead"); !strings.Contains(msg, "Enterprise, Premier and Legacy Enterprise plans") || !strings.Contains(msg, "Standard plan") {
		t.Errorf("refusal %q", msg)
	}
	links, err := chromedp.Run(standard, chromedp.Evaluate[int](`document.querySelectorAll('header.site a[href="/enterprise"]').length`))
	if err != nil || links != 0 {
		t.Errorf("%d links to the portal in the standard customer's header (%v)", links, err)
	}
	links, err = chromedp.Run(customer, chromedp.Evaluate[int](`document.querySelectorAll('header.site a[href="/enterprise"]').length`))
	if err != nil || links != 1 {
		t.Errorf("%d links to the portal in the premier customer's header (%v)", links, err)
	}
}
