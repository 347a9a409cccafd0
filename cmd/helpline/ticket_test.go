package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/apptest"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// ticketWorld is a running server with a customer and a support engineer,
// and the CLI environments that act as each.
type ticketWorld struct {
	env              *apptest.Env
	customer, staff  map[string]string
	staffAPI         *client.Client
	customerAPI      *client.Client
	customerUsername string
}

func newTicketWorld(t *testing.T) *ticketWorld {
	t.Helper()
	env := apptest.New(t, apptest.Options{})
	org := env.Org(t, "Acme", account.PlanPremier)
	if _, err := env.App.Accounts.CreateApp(context.Background(), account.CLI(), org.ID, account.AppInput{Name: "acme-api", Region: "us", Stack: "heroku-24"}); err != nil {
		t.Fatal(err)
	}
	cust := env.Customer(t, "alice@acme.test", org, account.OrgOwner)
	staff := env.Staff(t, "sam@helpline.test", helpline.RoleAgent)
	custAPI, staffAPI := env.Client(t, cust), env.Client(t, staff)
	return &ticketWorld{
		env:              env,
		customer:         map[string]string{"HELPLINE_URL": env.URL, "HELPLINE_TOKEN": custAPI.Token},
		staff:            map[string]string{"HELPLINE_URL": env.URL, "HELPLINE_TOKEN": staffAPI.Token},
		staffAPI:         staffAPI,
		customerAPI:      custAPI,
		customerUsername: cust.Name,
	}
}

// runIn runs the CLI with stdin.
func runIn(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, getenvFrom(env), strings.NewReader(stdin), &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

func mustRunIn(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	r := runIn(t, env, stdin, args...)
	if r.code != 0 {
		t.Fatalf("helpline %s: %s", strings.Join(args, " "), r)
	}
	return r
}

var openedRE = regexp.MustCompile(`Opened ticket #(\d+): (http://\S+/tickets/(\d+))\n`)

// opened returns the number of the ticket a create printed.
func opened(t *testing.T, r result) int64 {
	t.Helper()
	m := openedRE.FindStringSubmatch(r.stdout)
	if m == nil || m[1] != m[3] {
		t.Fatalf("no \"Opened ticket #N: URL\" line:\n%s", r)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

func (w *ticketWorld) find(t *testing.T, number int64) ticket.Ticket {
	t.Helper()
	tk, err := w.env.App.Tickets.FindTicketByNumber(context.Background(), account.CLI(), number)
	if err != nil {
		t.Fatalf("ticket #%d: %v", number, err)
	}
	return tk
}

func (w *ticketWorld) createNormal(t *testing.T, subject string) int64 {
	t.Helper()
	return opened(t, mustRunIn(t, w.customer, "", "ticket", "create", "--subject", subject,
		"--description", "The build fails on every push since this morning."))
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const urgentDescription = "Every request to acme-api returns H10 since the deploy at noon; the dynos crash on boot and the app is unusable."

func urgentArgs(t *testing.T, startedAt string) []string {
	logs := writeFile(t, "logs.txt", "2015-01-01T12:00:01Z app[web.1]: Error: connect ECONNREFUSED\n2015-01-01T12:00:02Z heroku[router]: at=error code=H10\n")
	config := writeFile(t, "config.env", "DATABASE_URL=postgres://u:hunter2secret@db/x\nWEB_CONCURRENCY=4\n")
	return []string{"ticket", "create", "--priority", "urgent", "--app", "acme-api",
		"--subject", "acme-api is down", "--description", urgentDescription,
		"--access-granted", "--users-affected", "100%", "--business-impact", "No customer can check out; we lose sales.",
		"--steps", "Open https://acme-api.example/ and see the error page.", "--seen-in-staging", "yes",
		"--started-at", startedAt, "--logs", logs, "--config", config, "--third-party", "Stripe for payments"}
}

func TestTicketCreateNormal(t *testing.T) {
	w := newTicketWorld(t)
	attachment := writeFile(t, "build.log", "step 3/7 failed\n")
	r := mustRunIn(t, w.customer, "", "ticket", "create", "--subject", "Build fails",
		"--description", "The build fails on every push since this morning.", "--category", "deploys", "--attach", attachment)
	n := opened(t, r)
	if !strings.Contains(r.stdout, "Attached build.log.") {
		t.Errorf("no attachment line:\n%s", r)
	}
	tk := w.find(t, n)
	if tk.Priority != ticket.Normal || tk.Subject != "Build fails" || tk.Category != "deploys" || tk.Environment != ticket.Production || tk.Urgent != nil {
		t.Errorf("stored ticket %+v, want a normal production deploys ticket", tk)
	}
	atts, err := w.env.App.Tickets.FindAttachments(context.Background(), account.CLI(), tk.ID)
	if err != nil || len(atts) != 1 || atts[0].Filename != "build.log" {
		t.Errorf("attachments %+v, %v; want build.log", atts, err)
	}

	// The description can come from stdin.
	r = mustRunIn(t, w.customer, "Read from stdin, long enough.\n", "ticket", "create", "--subject", "From stdin", "--description-file", "-")
	if got := w.find(t, opened(t, r)).Description; !strings.Contains(got, "Read from stdin") {
		t.Errorf("description %q, want the text from stdin", got)
	}
}

func TestTicketCreateUrgentFromFlags(t *testing.T) {
	w := newTicketWorld(t)
	r := mustRunIn(t, w.customer, "", urgentArgs(t, "2015-01-01T14:00:00+02:00")...)
	n := opened(t, r)
	tk := w.find(t, n)
	if tk.Priority != ticket.Urgent || tk.Urgent == nil {
		t.Fatalf("stored ticket %+v, want urgent with details", tk)
	}
	want := time.Date(2015, 1, 1, 12, 0, 0, 0, time.UTC)
	if got := tk.Urgent.StartedAt; !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("started_at %v (%v), want %v in UTC", got, got.Location(), want)
	}
	if !strings.Contains(tk.Urgent.Logs, "code=H10") || !strings.Contains(tk.Urgent.Config, "WEB_CONCURRENCY=4") {
		t.Errorf("logs %q and config %q not read from the files", tk.Urgent.Logs, tk.Urgent.Config)
	}
	if tk.Redactions > 0 {
		if !strings.Contains(r.stdout, "We removed") || strings.Contains(tk.Urgent.Config, "hunter2secret") {
			t.Errorf("%d redactions, but stdout or config does not show it:\n%s\nconfig: %q", tk.Redactions, r, tk.Urgent.Config)
		}
	} else {
		t.Logf("no redactions reported: the secret detector is not wired in yet")
		if strings.Contains(r.stdout, "We removed") {
			t.Errorf("stdout mentions removed secrets, but the ticket has none:\n%s", r)
		}
	}

	// show prints the start time in UTC.
	r = mustRunIn(t, w.customer, "", "ticket", "show", strconv.FormatInt(n, 10))
	for _, want := range []string{"acme-api is down", "Priority:     urgent", "Started at: 2015-01-01 12:00:00 UTC", "Stripe for payments", "code=H10"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show does not mention %q:\n%s", want, r)
		}
	}
}

func TestTicketCreateRefused(t *testing.T) {
	w := newTicketWorld(t)
	r := runIn(t, w.customer, "", urgentArgs(t, "2015-01-01 12:00:00")...)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r)
	}
	if !regexp.MustCompile(`(?m)^  --started-at: .*time zone`).MatchString(r.stderr) {
		t.Errorf("stderr does not explain --started-at needs a time zone:\n%s", r)
	}
	if list, err := w.customerAPI.ListTickets(context.Background(), client.TicketFilter{}); err != nil || len(list) != 0 {
		t.Errorf("tickets after a refused create: %v, %v", list, err)
	}

	// Missing fields are named by their flags.
	r = runIn(t, w.customer, "", "ticket", "create", "--priority", "urgent", "--subject", "down", "--description", "short")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r)
	}
	for _, want := range []string{"  --description: ", "  --app: ", "  --access-granted: ", "  --steps: ", "  --third-party: ", "  --started-at: "} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not mention %q:\n%s", want, r)
		}
	}
}

func TestTicketCreateInteractive(t *testing.T) {
	w := newTicketWorld(t)
	// The description is too short for the server, which asks for it again.
	input := strings.Join([]string{
		"Cannot add a custom domain", // subject
		"too short", ".",             // description
		"", // priority: normal
		"", // app: none
		"", // environment: production
		"networking",
		// asked again after the server's 422
		"Adding www.acme.test fails with", "an unknown error.", ".",
	}, "\n") + "\n"
	r := mustRunIn(t, w.customer, input, "ticket", "create", "-i")
	for _, want := range []string{ticket.Urgent.Meaning(), ticket.Low.Meaning(), "needs more detail", "Priority [normal]: "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the form does not show %q:\n%s", want, r)
		}
	}
	tk := w.find(t, opened(t, r))
	if tk.Subject != "Cannot add a custom domain" || tk.Category != "networking" || tk.Priority != ticket.Normal ||
		tk.Description != "Adding www.acme.test fails with\nan unknown error.\n" {
		t.Errorf("stored ticket %+v", tk)
	}
}

func TestTicketCreateInteractiveUrgent(t *testing.T) {
	w := newTicketWorld(t)
	logs := writeFile(t, "logs.txt", "2015-01-01T12:00:01Z heroku[router]: at=error code=H10\n")
	input := strings.Join([]string{
		urgentDescription, ".",
		"maybe", "urgent", // priority: asked again until it is one of the four
		"acme-api",
		"", "", // environment, category
		"yes", // access
		"",    // access expiry: a week
		"many",
		"No customer can check out; we lose sales.",
		"Open the home page and see the error page.",
		"no",
		"Staging runs one dyno, production runs ten behind a CDN.",
		"2015-01-01 12:00", "2015-01-01 12:00:00 UTC", // the first has no zone
		"config line 1", "config line 2", ".",
		"none",
		// the server refuses "many": users affected needs a number
		"about 2,000 users",
	}, "\n") + "\n"
	r := mustRunIn(t, w.customer, input, "ticket", "create", "--interactive", "--subject", "acme-api is down", "--logs", logs)
	for _, want := range []string{
		"Why we ask: Staff may access the app",
		"Why we ask: A time with its zone",
		"pick urgent, high, normal or low",
		"needs a time zone",
		"give a number or a percentage",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the form does not show %q:\n%s", want, r)
		}
	}
	if strings.Contains(r.stdout, "Subject: ") || strings.Contains(r.stdout, "Logs and stack traces") {
		t.Errorf("the form asked for a field given as a flag:\n%s", r)
	}
	tk := w.find(t, opened(t, r))
	if tk.Priority != ticket.Urgent || tk.Urgent == nil || tk.Urgent.UsersAffected != "about 2,000 users" ||
		!tk.Urgent.StartedAt.Equal(time.Date(2015, 1, 1, 12, 0, 0, 0, time.UTC)) || tk.Urgent.SeenInStaging ||
		!strings.Contains(tk.Urgent.Logs, "code=H10") || tk.Urgent.Config != "config line 1\nconfig line 2\n" {
		t.Errorf("stored ticket %+v, urgent %+v", tk, tk.Urgent)
	}

	// A form that stdin does not finish sends nothing.
	r = runIn(t, w.customer, "half a subject\n", "ticket", "create", "-i")
	if r.code != 1 || !strings.Contains(r.stderr, "nothing was sent") {
		t.Errorf("unfinished form: %s", r)
	}
}

func TestTicketList(t *testing.T) {
	w := newTicketWorld(t)
	a := w.createNormal(t, "First problem")
	b := w.createNormal(t, "Second problem")
	r := mustRunIn(t, w.customer, "", "ticket", "list")
	for _, want := range []string{"NUMBER", "STATUS", "PRIORITY", "SUBJECT", "UPDATED", "#" + strconv.FormatInt(a, 10), "#" + strconv.FormatInt(b, 10), "First problem", "Second problem", "normal", "new", " UTC"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("list does not show %q:\n%s", want, r)
		}
	}

	r = mustRunIn(t, w.customer, "", "ticket", "list", "--json")
	var out struct {
		Tickets []client.Ticket `json:"tickets"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out.Tickets) != 2 {
		t.Errorf("list --json: %v, %d tickets\n%s", err, len(out.Tickets), r)
	}

	r = mustRunIn(t, w.customer, "", "ticket", "list", "--status", "solved")
	if strings.TrimSpace(r.stdout) != "No tickets." {
		t.Errorf("list --status solved:\n%s", r)
	}
	r = runIn(t, w.customer, "", "ticket", "list", "--status", "bogus")
	if r.code != 1 || !strings.Contains(r.stderr, "--status: must be") {
		t.Errorf("list --status bogus:\n%s", r)
	}
}

func TestTicketShowAndComment(t *testing.T) {
	w := newTicketWorld(t)
	ctx := context.Background()
	n := w.createNormal(t, "Slow queries")
	num := strconv.FormatInt(n, 10)
	id := w.find(t, n).ID

	mustRunIn(t, w.customer, "", "ticket", "comment", num, "--body", "It got worse after the upgrade.")
	mustRunIn(t, w.customer, "Here is the query plan.\n", "ticket", "comment", "#"+num, "--body-file", "-")
	if _, err := w.staffAPI.AddComment(ctx, id, "Probably the missing index; do not tell them yet.", true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.staffAPI.ChangePriority(ctx, id, "low", "A slow query is not an outage."); err != nil {
		t.Fatal(err)
	}
	r := mustRunIn(t, w.staff, "", "ticket", "comment", num, "--body", "Checking with the database team.", "--internal")
	if !strings.Contains(r.stdout, "internal note") {
		t.Errorf("staff comment --internal:\n%s", r)
	}

	r = mustRunIn(t, w.customer, "", "ticket", "show", num)
	for _, want := range []string{"#" + num + " Slow queries", "Priority:     low, originally normal (A slow query is not an outage.)",
		"The build fails on every push", "It got worse after the upgrade.", "Here is the query plan.", w.customerUsername + ", "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("customer's show does not mention %q:\n%s", want, r)
		}
	}
	for _, hidden := range []string{"missing index", "database team", "[internal]"} {
		if strings.Contains(r.stdout, hidden) {
			t.Errorf("customer's show reveals the internal note (%q):\n%s", hidden, r)
		}
	}

	r = mustRunIn(t, w.staff, "", "ticket", "show", num)
	if !regexp.MustCompile(`\[internal\]\n\s+Probably the missing index`).MatchString(r.stdout) || !strings.Contains(r.stdout, "database team") {
		t.Errorf("staff's show does not show the internal notes marked [internal]:\n%s", r)
	}

	r = mustRunIn(t, w.customer, "", "ticket", "show", "--json", num)
	var raw map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil || raw["number"] != float64(n) {
		t.Errorf("show --json: %v\n%s", err, r)
	}

	// A customer cannot write internal notes.
	r = runIn(t, w.customer, "", "ticket", "comment", num, "--body", "psst", "--internal")
	if r.code != 1 || !strings.Contains(r.stderr, "--internal: only staff") {
		t.Errorf("customer comment --internal:\n%s", r)
	}
	// A ticket that does not exist.
	r = runIn(t, w.customer, "", "ticket", "show", "999999")
	if r.code != 1 || !strings.Contains(r.stderr, "#999999 not found") {
		t.Errorf("show of a missing ticket:\n%s", r)
	}
}

func TestTicketShare(t *testing.T) {
	w := newTicketWorld(t)
	num := strconv.FormatInt(w.createNormal(t, "Share me"), 10)
	shareRE := regexp.MustCompile(`^` + regexp.QuoteMeta(w.env.URL) + `/share/([a-z2-7]{16,})\n$`)
	r := mustRunIn(t, w.customer, "", "ticket", "share", num)
	m := shareRE.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("share printed %q, want one URL ending in a token", r.stdout)
	}
	if again := mustRunIn(t, w.customer, "", "ticket", "share", num); again.stdout != r.stdout {
		t.Errorf("a second share changed the link: %q then %q", r.stdout, again.stdout)
	}
	rotated := mustRunIn(t, w.customer, "", "ticket", "share", num, "--rotate")
	if m2 := shareRE.FindStringSubmatch(rotated.stdout); m2 == nil || m2[1] == m[1] {
		t.Errorf("share --rotate printed %q, want a new link", rotated.stdout)
	}
}

func TestTicketUsage(t *testing.T) {
	w := newTicketWorld(t)
	for _, tc := range []struct {
		name       string
		env        map[string]string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"no subcommand", w.customer, []string{"ticket"}, 2, "Usage: helpline ticket"},
		{"unknown subcommand", w.customer, []string{"ticket", "frob"}, 2, `unknown command "frob"`},
		{"unknown flag", w.customer, []string{"ticket", "create", "--bogus"}, 2, "-bogus"},
		{"stray argument", w.customer, []string{"ticket", "create", "oops"}, 2, `unexpected argument "oops"`},
		{"show without a number", w.customer, []string{"ticket", "show"}, 2, "give one ticket number"},
		{"show a word", w.customer, []string{"ticket", "show", "abc"}, 2, "not a ticket number"},
		{"comment without a body", w.customer, []string{"ticket", "comment", "1001"}, 2, "--body"},
		{"bad yes/no", w.customer, []string{"ticket", "create", "--seen-in-staging", "maybe"}, 2, "use yes or no"},
		{"urgent flags on a normal ticket", w.customer, []string{"ticket", "create", "--subject", "x", "--started-at", "2015-01-01T12:00:00Z"}, 2, "--started-at only apply to urgent"},
		{"stdin twice", w.customer, []string{"ticket", "create", "--priority", "urgent", "--logs", "-", "--config", "-"}, 2, "only one can"},
		{"interactive and stdin", w.customer, []string{"ticket", "create", "-i", "--description-file", "-"}, 2, "--interactive reads the form from stdin"},
		{"no token", map[string]string{"HELPLINE_URL": w.env.URL}, []string{"ticket", "list"}, 1, "set HELPLINE_TOKEN"},
		{"no server", map[string]string{"HELPLINE_URL": "http://127.0.0.1:1", "HELPLINE_TOKEN": "x"}, []string{"ticket", "list"}, 1, "is a Helpline server running"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runIn(t, tc.env, "", tc.args...)
			if r.code != tc.wantCode || !strings.Contains(r.stderr, tc.wantStderr) {
				t.Errorf("exit %d, want %d with %q on stderr\n%s", r.code, tc.wantCode, tc.wantStderr, r)
			}
		})
	}
	r := mustRunIn(t, w.customer, "", "ticket", "help")
	if !strings.Contains(r.stdout, "share NUMBER") {
		t.Errorf("ticket help:\n%s", r)
	}
	r = mustRunIn(t, nil, "", "--help")
	if !strings.Contains(r.stdout, "ticket create") {
		t.Errorf("helpline --help does not list ticket create:\n%s", r)
	}
}
