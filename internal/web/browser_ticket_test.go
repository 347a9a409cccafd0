package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/browsertest"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// screenshot saves the page when HELPLINE_SCREENSHOTS names a directory, for
// looking at the pages while working on them.
func screenshot(t *testing.T, ctx context.Context, name string) {
	if dir := os.Getenv("HELPLINE_SCREENSHOTS"); dir != "" {
		// A desktop width, where the ticket page has its two columns.
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
			t.Fatal(err)
		}
		browsertest.Screenshot(t, ctx, filepath.Join(dir, name+".png"))
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func signIn(email string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), apptest.Password),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
	)
}

// The ticket story, in Chromium: a premier customer opens an urgent ticket
// through the form, an agent finds it at the top of the queue and lowers
// it, the customer appeals, the agent decides, and a teammate from another
// organization joins through the share link.
func TestBrowserTicketStory(t *testing.T) {
	env := apptest.New(t, apptest.Options{Env: map[string]string{"HELPLINE_DATA_DIR": t.TempDir()}})
	bg := context.Background()
	acme := env.Org(t, "Acme Rockets", account.PlanPremier)
	globex := env.Org(t, "Globex", account.PlanStandard)
	initech := env.Org(t, "Initech", account.PlanFree)
	env.Customer(t, "owner@acme.test", acme, account.OrgOwner)
	gus := env.Customer(t, "gus@globex.test", globex, account.OrgOwner)
	env.Customer(t, "ada@initech.test", initech, account.OrgMember)
	env.Staff(t, "sam@helpline.test", "agent")
	app, err := env.App.Accounts.CreateApp(bg, account.CLI(), acme.ID, account.AppInput{Name: "rocket-api"})
	if err != nil {
		t.Fatal(err)
	}
	older, err := env.App.Tickets.CreateTicket(bg, gus.Actor(""), ticket.NewTicket{
		Subject: "Question about build cache", Description: "How long is the build cache kept?", Priority: ticket.Normal,
		Environment: ticket.Production, Category: "deploys"})
	if err != nil {
		t.Fatal(err)
	}

	// One Chromium; each person gets their own browser context (separate
	// cookies), which is much faster than a browser each.
	customer := browsertest.New(t)
	if err := chromedp.Do(customer); err != nil {
		t.Fatal(err)
	}
	agent, cancelAgent := chromedp.NewContext(customer, chromedp.WithNewBrowserContext())
	defer cancelAgent()
	teammate, cancelTeammate := chromedp.NewContext(customer, chromedp.WithNewBrowserContext())
	defer cancelTeammate()

	// The customer fills in the urgent form but forgets the third-party services.
	err = chromedp.Do(customer,
		chromedp.Navigate(env.URL+"/tickets/new"),
		signIn("owner@acme.test"),
		chromedp.WaitVisible(chromedp.ID("ticket-form")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if hidden, err := chromedp.Run(customer, chromedp.Evaluate[bool](`document.getElementById("urgent").hidden`)); err != nil || !hidden {
		t.Errorf("urgent section hidden = %v (%v) before choosing urgent; the script should hide it", hidden, err)
	}
	description := "Since the 12:00 UTC deploy every request to rocket-api returns H10 (app crashed). Rolling back did not help."
	err = chromedp.Do(customer,
		chromedp.SendKeys(chromedp.ID("subject"), "rocket-api is down"),
		chromedp.Click(chromedp.ID("priority-urgent")),
		chromedp.WaitVisible(chromedp.ID("urgent")),
		chromedp.SetValue(chromedp.ID("app-id"), itoa(app.ID)),
		chromedp.SetValue(chromedp.ID("category"), "runtime"),
		chromedp.SetValue(chromedp.ID("description"), description),
		chromedp.Click(chromedp.ID("urgent-access-granted")),
		chromedp.SendKeys(chromedp.ID("urgent-users-affected"), "all users (100%)"),
		chromedp.SendKeys(chromedp.ID("urgent-started-at"), "2015-01-01 12:00:00 UTC"),
		chromedp.SetValue(chromedp.ID("urgent-business-impact"), "No one can launch rockets; we lose every order."),
		chromedp.SetValue(chromedp.ID("urgent-steps-to-reproduce"), "Open https://rocket-api.example/ and see the error page."),
		chromedp.Click(chromedp.ID("urgent-seen-in-staging-yes")),
		chromedp.SetValue(chromedp.ID("urgent-logs"), "2015-01-01T12:00:03Z heroku[router]: at=error code=H10 desc=\"App crashed\""),
		chromedp.SetValue(chromedp.ID("urgent-config"), "WEB_CONCURRENCY=4"),
		chromedp.Click(chromedp.CSS(`#ticket-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("form-error")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, customer, "1-new-ticket-error")
	if msg := text(t, customer, "#urgent-third-party-services-error"); !strings.Contains(msg, "is required") {
		t.Errorf("third-party services error %q", msg)
	}
	for id, want := range map[string]string{
		"subject": "rocket-api is down", "app-id": itoa(app.ID), "category": "runtime", "description": description,
		"urgent-users-affected": "all users (100%)", "urgent-started-at": "2015-01-01 12:00:00 UTC", "urgent-config": "WEB_CONCURRENCY=4",
	} {
		if got, err := chromedp.Run(customer, chromedp.Value(chromedp.ID(id))); err != nil || got != want {
			t.Errorf("%s = %q (%v) after the error, want %q", id, got, err, want)
		}
	}
	checked, err := chromedp.Run(customer, chromedp.Evaluate[[]bool](`["priority-urgent", "urgent-access-granted", "urgent-seen-in-staging-yes"].map(id => document.getElementById(id).checked)`))
	if err != nil || len(checked) != 3 || !checked[0] || !checked[1] || !checked[2] {
		t.Errorf("radios and checkbox after the error: %v (%v)", checked, err)
	}

	err = chromedp.Do(customer,
		chromedp.SetValue(chromedp.ID("urgent-third-party-services"), "Stripe for payments"),
		chromedp.Click(chromedp.CSS(`#ticket-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("ticket-priority")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if flash := text(t, customer, ".flash"); !strings.Contains(flash, "Ticket #1002 is open.") || !strings.Contains(flash, "paged") {
		t.Errorf("flash %q", flash)
	}
	screenshot(t, customer, "2-ticket")

	// The agent finds it at the top of the queue, above the older ticket.
	err = chromedp.Do(agent,
		chromedp.Navigate(env.URL+"/queue"),
		signIn("sam@helpline.test"),
		chromedp.WaitVisible(chromedp.CSS("table.queue")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, agent, "3-queue")
	first, second := text(t, agent, "table.queue tbody tr:nth-child(1)"), text(t, agent, "table.queue tbody tr:nth-child(2)")
	if !strings.Contains(first, "rocket-api is down") || !strings.Contains(first, "Premier") || !strings.Contains(first, "Urgent") ||
		!strings.Contains(second, older.Subject) {
		t.Fatalf("queue rows:\n%s\n%s", first, second)
	}
	err = chromedp.Do(agent,
		chromedp.Click(chromedp.CSS(`table.queue tbody tr:nth-child(1) a`)),
		chromedp.WaitVisible(chromedp.ID("ticket-priority")),
		chromedp.Click(chromedp.CSS("#priority summary")),
		chromedp.SetValue(chromedp.ID("new-priority"), "high"),
		chromedp.SendKeys(chromedp.ID("reason"), "The app answers again after the restart; high while we find the cause."),
		chromedp.Click(chromedp.CSS(`form[action$="/priority#priority"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if p := text(t, agent, ".badges"); !strings.Contains(p, "High") || !strings.Contains(p, "originally urgent") {
		t.Errorf("badges after the change: %q", p)
	}

	// The customer appeals.
	err = chromedp.Do(customer,
		chromedp.Navigate(env.URL+"/tickets/1002"),
		chromedp.WaitVisible(chromedp.ID("priority-reason")),
		chromedp.Click(chromedp.CSS("#priority summary")),
		chromedp.SendKeys(chromedp.ID("appeal-reason"), "It crashed again five minutes later; nobody can use it."),
		chromedp.Click(chromedp.CSS(`form[action$="/appeal#priority"] button`)),
		chromedp.WaitVisible(chromedp.ID("appeal-status")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if s := text(t, customer, "#appeal-status"); !strings.Contains(s, "nobody can use it") || !strings.Contains(s, "pending") {
		t.Errorf("appeal status %q", s)
	}

	// The agent overturns the change.
	err = chromedp.Do(agent,
		chromedp.Navigate(env.URL+"/tickets/1002"),
		chromedp.WaitVisible(chromedp.ID("appeal-status")),
		chromedp.Click(chromedp.ID("outcome-overturned")),
		chromedp.SendKeys(chromedp.ID("note"), "Confirmed in the router logs: it is down again. Urgent it is."),
		chromedp.Click(chromedp.CSS(`form[action$="/appeal/decision#priority"] button`)),
		chromedp.WaitVisible(chromedp.ID("appeal-decision")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, agent, "4-decided")

	// The customer sees the outcome and shares the ticket.
	err = chromedp.Do(customer,
		chromedp.Navigate(env.URL+"/tickets/1002"),
		chromedp.WaitVisible(chromedp.ID("appeal-decision")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if s := text(t, customer, "#appeal-decision"); !strings.Contains(s, "Appeal overturned") || !strings.Contains(s, "Urgent it is.") {
		t.Errorf("decision %q", s)
	}
	if p := text(t, customer, "#ticket-priority"); p != "urgent" && p != "Urgent" {
		t.Errorf("priority after overturning: %q", p)
	}
	err = chromedp.Do(customer,
		chromedp.Click(chromedp.ID("share-ticket")),
		chromedp.WaitVisible(chromedp.ID("share-url")),
	)
	if err != nil {
		t.Fatal(err)
	}
	shareURL, err := chromedp.Run(customer, chromedp.Value(chromedp.ID("share-url")))
	if err != nil || !strings.HasPrefix(shareURL, env.URL+"/share/") {
		t.Fatalf("share URL %q (%v)", shareURL, err)
	}

	// A teammate from another organization follows the link and signs in.
	err = chromedp.Do(teammate,
		chromedp.Navigate(shareURL),
		signIn("ada@initech.test"),
		chromedp.WaitVisible(chromedp.ID("ticket-priority")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if flash := text(t, teammate, ".flash"); flash != "You joined ticket #1002." {
		t.Errorf("teammate flash %q", flash)
	}
	if h := text(t, teammate, "h1"); !strings.Contains(h, "rocket-api is down") {
		t.Errorf("teammate heading %q", h)
	}
	screenshot(t, teammate, "5-joined")
}
