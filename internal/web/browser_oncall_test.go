package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/browsertest"
	"github.com/helpline-dev/helpline/internal/demo"
)

// On the demo data in Chromium, an agent sees the urgent Premier ticket's
// SLA clock in the queue, who is on call, and acknowledges the page the
// ticket raised.
func TestBrowserSLAAndPaging(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	a := env.App
	if _, err := demo.Load(context.Background(), demo.Services{Accounts: a.Accounts, Tickets: a.Tickets, Inbox: a.Inbox, Oncall: a.Oncall, SLA: a.SLA}); err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.New(t)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/queue"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "agent@helpline.test"),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("td.sla-due")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if q := text("main"); !strings.Contains(q, "Due") || !strings.Contains(q, " left") {
		t.Errorf("the queue shows no SLA time left:\n%s", q)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(env.URL+"/oncall"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	if s := text("main"); !strings.Contains(s, "Support primary") {
		t.Errorf("/oncall lacks the demo schedule:\n%s", s)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/pages"),
		chromedp.WaitVisible(chromedp.CSS(`main a[href^="/pages/"]`)),
		chromedp.Click(chromedp.CSS(`main a[href^="/pages/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[value="acknowledge"] + button`)),
		chromedp.Click(chromedp.CSS(`input[value="acknowledge"] + button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`input[value="acknowledge"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if s := text("main"); !strings.Contains(s, "Acknowledged by Sam Support") || strings.Contains(s, "not acknowledged") {
		t.Errorf("the page does not say the agent acknowledged it:\n%s", s)
	}
}
