package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/browsertest"
)

// A customer signs in through the real page in Chromium and lands on the
// home page with their organization.
func TestBrowserSignIn(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme Rockets", account.PlanPremier)
	env.Customer(t, "owner@acme.test", org, account.OrgOwner)
	ctx := browsertest.New(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/account"), // protected: goes to sign-in first
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "owner@acme.test"),
		chromedp.SendKeys(chromedp.ID("password"), apptest.Password),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("tokens")),
	)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.HasSuffix(loc, "/account") {
		t.Fatalf("after sign-in at %q (%v), want back on /account", loc, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".grid .card"))); err != nil {
		t.Fatal(err)
	}
	home, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Your organizations", "Acme Rockets", "Premier", "you are owner"} {
		if !strings.Contains(home, want) {
			t.Errorf("home page lacks %q:\n%s", want, home)
		}
	}
	nav, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("header.site")))
	if err != nil || !strings.Contains(nav, "Sign out") {
		t.Errorf("header %q (%v) lacks Sign out", nav, err)
	}
}

// A wrong password shows an error next to the form and keeps the email.
func TestBrowserWrongPassword(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme Rockets", account.PlanPremier)
	env.Customer(t, "owner@acme.test", org, account.OrgOwner)
	ctx := browsertest.New(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/signin"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "owner@acme.test"),
		chromedp.SendKeys(chromedp.ID("password"), "not the password"),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("form-error")),
	)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("form-error")))
	if err != nil || !strings.Contains(msg, "Email or password is incorrect") {
		t.Fatalf("error message %q, %v", msg, err)
	}
	email, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("email")))
	if err != nil || email != "owner@acme.test" {
		t.Fatalf("email field = %q, %v; want it kept", email, err)
	}
	pw, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("password")))
	if err != nil || pw != "" {
		t.Fatalf("password field = %q, %v; want it empty", pw, err)
	}
}
