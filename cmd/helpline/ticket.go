package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/ticket"
)

const ticketUsage = `Usage: helpline ticket <command> [flags]

  create [flags]                  open a ticket (-i asks for each field in turn)
  list [--status S] [--json]      list your tickets
  show NUMBER [--json]            show a ticket and its conversation
  comment NUMBER --body TEXT      reply (--body-file FILE, - for stdin; --internal for staff notes)
  share NUMBER [--rotate]         print the ticket's share URL

Run helpline ticket <command> -h for the flags of a command.
`

// ticketCmd runs `helpline ticket …` against the server at HELPLINE_URL.
func ticketCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, ticketUsage)
		return errUsage
	}
	var run func(context.Context, *client.Client, []string, io.Reader, io.Writer, io.Writer) error
	switch args[0] {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, ticketUsage)
		return nil
	case "create":
		run = ticketCreate
	case "list":
		run = ticketList
	case "show":
		run = ticketShow
	case "comment":
		run = ticketComment
	case "share":
		run = ticketShare
	default:
		fmt.Fprintf(stderr, "helpline ticket: unknown command %q\n\n%s", args[0], ticketUsage)
		return errUsage
	}
	c, err := apiClient(getenv)
	if err != nil {
		return err
	}
	err = run(ctx, c, args[1:], stdin, stdout, stderr)
	if isNetError(err) {
		return fmt.Errorf("%w (is a Helpline server running at HELPLINE_URL=%s?)", err, c.BaseURL)
	}
	return err
}

// apiClient makes a client from HELPLINE_URL and HELPLINE_TOKEN.
func apiClient(getenv func(string) string) (*client.Client, error) {
	base, token := getenv("HELPLINE_URL"), getenv("HELPLINE_TOKEN")
	if base == "" {
		base = "http://localhost:8080"
	}
	if token == "" {
		return nil, errors.New("set HELPLINE_TOKEN to an API token (create one under Account → API tokens, or with helpline admin create-token)")
	}
	return client.New(base, token), nil
}

// isNetError reports whether err came from reaching the server rather than
// from its answer.
func isNetError(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue)
}

// flagOfField names the flag a server field error is about.
var flagOfField = map[string]string{
	"organization_id":                "org",
	"app_id":                         "app",
	"urgent.access_granted":          "access-granted",
	"urgent.access_expires_at":       "access-expires",
	"urgent.users_affected":          "users-affected",
	"urgent.business_impact":         "business-impact",
	"urgent.steps_to_reproduce":      "steps",
	"urgent.seen_in_staging":         "seen-in-staging",
	"urgent.environment_differences": "env-differences",
	"urgent.started_at":              "started-at",
	"urgent.logs":                    "logs",
	"urgent.config":                  "config",
	"urgent.third_party_services":    "third-party",
	"file":                           "attach",
}

func flagOf(field string) string {
	if f, ok := flagOfField[field]; ok {
		return f
	}
	return strings.ReplaceAll(strings.TrimPrefix(field, "urgent."), "_", "-")
}

// describe turns an API error into the message the CLI prints: the server's
// message and one `  --flag: message` line per field.
func describe(err error) error {
	var e *client.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := e.Message
	if msg == "" {
		msg = e.Error()
	}
	flags := make([]string, 0, len(e.Fields))
	byFlag := map[string]string{}
	for field, m := range e.Fields {
		f := flagOf(field)
		flags = append(flags, f)
		byFlag[f] = m
	}
	sort.Strings(flags)
	for _, f := range flags {
		msg += fmt.Sprintf("\n  --%s: %s", f, byFlag[f])
	}
	return errors.New(msg)
}

// usagef prints a usage problem and returns errUsage (exit status 2).
func usagef(stderr io.Writer, cmd, format string, args ...any) error {
	fmt.Fprintf(stderr, "helpline ticket %s: %s\n", cmd, fmt.Sprintf(format, args...))
	return errUsage
}

// parseArgs parses flags that may come before or after the positional
// arguments (`show 1001 --json` and `show --json 1001`).
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageErr(err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// After "--" everything is positional.
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// ticketNumber reads the single NUMBER argument (1001 or #1001).
func ticketNumber(stderr io.Writer, cmd string, pos []string) (int64, error) {
	if len(pos) != 1 {
		return 0, usagef(stderr, cmd, "give one ticket number, e.g. helpline ticket %s 1001", cmd)
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(pos[0], "#"), 10, 64)
	if err != nil || n <= 0 {
		return 0, usagef(stderr, cmd, "%q is not a ticket number; give the number shown as #1001, e.g. 1001", pos[0])
	}
	return n, nil
}

// ticketID finds the ID of the ticket a person knows as #number.
func ticketID(ctx context.Context, c *client.Client, number int64) (int64, error) {
	list, err := c.ListTickets(ctx, client.TicketFilter{Text: fmt.Sprintf("#%d", number)})
	if err != nil {
		return 0, describe(err)
	}
	for _, t := range list {
		if t.Number == number {
			return t.ID, nil
		}
	}
	return 0, fmt.Errorf("ticket #%d not found, or you cannot see it (helpline ticket list shows yours)", number)
}

// sources reads FILE arguments, where "-" means stdin (which only one
// argument may use).
type sources struct {
	stdin    io.Reader
	stdinFor string
}

// claim notes that flag name reads stdin; a second claim is a usage error.
func (s *sources) claim(stderr io.Writer, cmd, name, value string) error {
	if value != "-" {
		return nil
	}
	if s.stdinFor != "" {
		return usagef(stderr, cmd, "both --%s and --%s read stdin (-); only one can", s.stdinFor, name)
	}
	s.stdinFor = name
	return nil
}

func (s *sources) read(name, value string) (string, error) {
	if value == "-" {
		b, err := io.ReadAll(s.stdin)
		if err != nil {
			return "", fmt.Errorf("--%s: reading stdin: %w", name, err)
		}
		return string(b), nil
	}
	b, err := os.ReadFile(value)
	if err != nil {
		return "", fmt.Errorf("--%s: %w", name, err)
	}
	return string(b), nil
}

// yesNo is a flag that takes yes or no and remembers whether it was given.
type yesNo struct{ v *bool }

func (y *yesNo) String() string {
	if y == nil || y.v == nil {
		return ""
	}
	if *y.v {
		return "yes"
	}
	return "no"
}

func (y *yesNo) Set(s string) error {
	b, ok := parseYesNo(s)
	if !ok {
		return errors.New("use yes or no")
	}
	y.v = &b
	return nil
}

func parseYesNo(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y", "true":
		return true, true
	case "no", "n", "false":
		return false, true
	}
	return false, false
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ", ") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

// urgentFlags are the flags that only an urgent ticket takes.
var urgentFlags = []string{"access-granted", "access-expires", "users-affected", "business-impact", "steps",
	"seen-in-staging", "env-differences", "started-at", "logs", "config", "third-party"}

func ticketCreate(ctx context.Context, c *client.Client, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("ticket create", stderr)
	subject := fs.String("subject", "", "a one-line summary (required)")
	description := fs.String("description", "", "what is wrong, in detail (- reads stdin)")
	descriptionFile := fs.String("description-file", "", "read the description from `FILE` (- for stdin)")
	priority := fs.String("priority", string(ticket.Normal), "urgent, high, normal or low")
	app := fs.String("app", "", "the `NAME` of the affected app (required for urgent)")
	environment := fs.String("environment", string(ticket.Production), "production, staging or development")
	category := fs.String("category", "", "deploys, runtime, data, addons, networking, account, security or other")
	org := fs.Int64("org", 0, "organization `ID`, when you belong to several")
	accessGranted := fs.Bool("access-granted", false, "urgent: let support staff access the app and its add-ons for this ticket")
	accessExpires := fs.String("access-expires", "", "urgent: when that access ends, ISO 8601 with a time zone (default a week)")
	usersAffected := fs.String("users-affected", "", "urgent: how many users are affected, e.g. 2000 or 80%")
	businessImpact := fs.String("business-impact", "", "urgent: how it hurts your business or data")
	steps := fs.String("steps", "", "urgent: steps we can take to reproduce it")
	var seenInStaging yesNo
	fs.Var(&seenInStaging, "seen-in-staging", "urgent: yes or no, does it also happen in staging or testing")
	envDifferences := fs.String("env-differences", "", "urgent: how staging and production are configured differently (when not seen in staging)")
	startedAt := fs.String("started-at", "", "urgent: when it began, with a time zone, e.g. \"2015-01-01 12:00:00 UTC\"")
	logs := fs.String("logs", "", "urgent: timestamped logs and stack traces from `FILE` (- for stdin)")
	config := fs.String("config", "", "urgent: the relevant configuration from `FILE` (- for stdin)")
	thirdParty := fs.String("third-party", "", "urgent: third-party services involved, especially ones that are not add-ons")
	var attach multiFlag
	fs.Var(&attach, "attach", "upload `FILE` after the ticket is opened (repeatable)")
	var interactive bool
	fs.BoolVar(&interactive, "interactive", false, "ask for each missing field on stdin")
	fs.BoolVar(&interactive, "i", false, "short for --interactive")
	if err := fs.Parse(args); err != nil {
		return usageErr(err)
	}
	if fs.NArg() > 0 {
		return usagef(stderr, "create", "unexpected argument %q: every field is a flag, e.g. --subject \"...\"", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	src := &sources{stdin: stdin}
	if *description != "" && given["description-file"] {
		return usagef(stderr, "create", "give --description or --description-file, not both")
	}
	if *description == "-" {
		*descriptionFile, *description = "-", ""
	}
	for _, f := range []struct{ name, value string }{{"description-file", *descriptionFile}, {"logs", *logs}, {"config", *config}} {
		if err := src.claim(stderr, "create", f.name, f.value); err != nil {
			return err
		}
	}
	if interactive && src.stdinFor != "" {
		return usagef(stderr, "create", "--interactive reads the form from stdin, so --%s cannot read stdin too; give a file", src.stdinFor)
	}
	if !interactive && ticket.Priority(*priority) != ticket.Urgent {
		var extra []string
		for _, f := range urgentFlags {
			if given[f] {
				extra = append(extra, "--"+f)
			}
		}
		if len(extra) > 0 {
			return usagef(stderr, "create", "%s only apply to urgent tickets; add --priority urgent or leave them out", strings.Join(extra, ", "))
		}
	}
	for _, name := range attach {
		if st, err := os.Stat(name); err != nil {
			return fmt.Errorf("--attach: %w", err)
		} else if st.IsDir() {
			return fmt.Errorf("--attach: %s is a directory; attach files one by one", name)
		}
	}

	nt := client.NewTicket{
		OrganizationID: *org, Subject: *subject, Description: *description, Priority: *priority,
		App: *app, Environment: *environment, Category: *category,
	}
	u := &client.UrgentInput{
		AccessExpiresAt: *accessExpires, UsersAffected: *usersAffected, BusinessImpact: *businessImpact,
		StepsToReproduce: *steps, SeenInStaging: seenInStaging.v, EnvironmentDifferences: *envDifferences,
		StartedAt: *startedAt, ThirdPartyServices: *thirdParty,
	}
	if given["access-granted"] {
		u.AccessGranted = accessGranted
	}
	var err error
	if *descriptionFile != "" {
		if nt.Description, err = src.read("description-file", *descriptionFile); err != nil {
			return err
		}
	}
	if *logs != "" {
		if u.Logs, err = src.read("logs", *logs); err != nil {
			return err
		}
	}
	if *config != "" {
		if u.Config, err = src.read("config", *config); err != nil {
			return err
		}
	}
	nt.Urgent = u

	var t client.Ticket
	if interactive {
		f := &form{ctx: ctx, c: c, in: bufio.NewReader(stdin), out: stdout, nt: &nt, answered: map[string]bool{}}
		for name := range given {
			f.answered[name] = true
		}
		if given["description-file"] {
			f.answered["description"] = true
		}
		if t, err = f.run(); err != nil {
			return err
		}
		fmt.Fprintln(stdout)
	} else {
		if nt.Priority != string(ticket.Urgent) {
			nt.Urgent = nil
		}
		if t, err = c.CreateTicket(ctx, nt); err != nil {
			return describe(err)
		}
	}
	fmt.Fprintf(stdout, "Opened ticket #%d: %s\n", t.Number, t.URL)
	if t.Redactions > 0 {
		fmt.Fprintf(stdout, "We removed %d %s from what you sent.\n", t.Redactions, plural(t.Redactions, "secret", "secrets"))
	}
	for _, name := range attach {
		if err := attachFile(ctx, c, t.ID, name); err != nil {
			return fmt.Errorf("ticket #%d is open, but attaching %s failed: %w\n(attach it on the ticket's page: %s)", t.Number, name, describe(err), t.URL)
		}
		fmt.Fprintf(stdout, "Attached %s.\n", filepath.Base(name))
	}
	return nil
}

func attachFile(ctx context.Context, c *client.Client, id int64, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = c.Attach(ctx, id, filepath.Base(name), f)
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// formField is one question of the interactive create form.
type formField struct {
	flag     string // the flag that gives it, and what server errors map to
	label    string
	why      string // one line on why an urgent ticket needs it
	multi    bool   // read lines until a line holding only "."
	ifEmpty  string // what an empty answer to an optional question means
	urgent   bool   // asked only for urgent tickets
	optional func(nt *client.NewTicket) bool
	skip     func(nt *client.NewTicket) bool
	prompt   func(f *form) string // extra lines shown before the question
	def      func(nt *client.NewTicket) string
	set      func(nt *client.NewTicket, answer string) error
}

func always(*client.NewTicket) bool { return true }

func notUrgent(nt *client.NewTicket) bool { return nt.Priority != string(ticket.Urgent) }

func timestamp(s string) error {
	_, err := ticket.ParseTimestamp(s)
	return err
}

func yesNoField(dst func(nt *client.NewTicket) **bool) func(*client.NewTicket, string) error {
	return func(nt *client.NewTicket, s string) error {
		b, ok := parseYesNo(s)
		if !ok {
			return errors.New("answer yes or no")
		}
		*dst(nt) = &b
		return nil
	}
}

func choices[T ~string](list []T) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

func categorySlugs() []string {
	out := make([]string, len(ticket.Categories))
	for i, c := range ticket.Categories {
		out[i] = c.Slug
	}
	return out
}

// createForm lists the questions in the order they are asked.
var createForm = []formField{
	{flag: "org", label: "Organization (ID or name)",
		// Asked only when needed: the user belongs to several, or the server asks.
		skip:   func(*client.NewTicket) bool { return true },
		prompt: (*form).orgChoices,
		// set is form.setOrg, which knows the memberships.
	},
	{flag: "subject", label: "Subject", set: func(nt *client.NewTicket, s string) error { nt.Subject = s; return nil }},
	{flag: "description", label: "Description", multi: true, set: func(nt *client.NewTicket, s string) error { nt.Description = s; return nil }},
	{flag: "priority", label: "Priority",
		prompt: func(*form) string {
			var b strings.Builder
			for _, p := range ticket.Priorities {
				fmt.Fprintf(&b, "  %-7s %s\n", p, p.Meaning())
			}
			return b.String()
		},
		def: func(*client.NewTicket) string { return string(ticket.Normal) },
		set: func(nt *client.NewTicket, s string) error {
			p := ticket.Priority(strings.ToLower(s))
			if !p.Valid() {
				return errors.New("pick urgent, high, normal or low")
			}
			nt.Priority = string(p)
			return nil
		}},
	{flag: "app", label: "App name",
		optional: notUrgent,
		prompt:   (*form).appChoices,
		set:      func(nt *client.NewTicket, s string) error { nt.App = s; return nil }},
	{flag: "environment", label: "Environment (" + choices(ticket.Environments) + ")",
		def: func(*client.NewTicket) string { return string(ticket.Production) },
		set: func(nt *client.NewTicket, s string) error {
			for _, e := range ticket.Environments {
				if string(e) == strings.ToLower(s) {
					nt.Environment = string(e)
					return nil
				}
			}
			return errors.New("pick " + choices(ticket.Environments))
		}},
	{flag: "category", label: "Category (" + strings.Join(categorySlugs(), ", ") + ")",
		def: func(*client.NewTicket) string { return "other" },
		set: func(nt *client.NewTicket, s string) error {
			for _, c := range categorySlugs() {
				if c == strings.ToLower(s) {
					nt.Category = c
					return nil
				}
			}
			return errors.New("pick one of " + strings.Join(categorySlugs(), ", "))
		}},
	{flag: "access-granted", urgent: true, label: "May support staff access the app and its add-ons? (yes/no)",
		why: "Staff may access the app and its add-ons only to work on this ticket; urgent problems usually need it.",
		set: yesNoField(func(nt *client.NewTicket) **bool { return &nt.Urgent.AccessGranted })},
	{flag: "access-expires", urgent: true, label: "Access ends at (ISO 8601 with a time zone)", ifEmpty: "a week from now",
		why:      "The access ends on its own at this time, at most 30 days from now.",
		optional: always,
		set: func(nt *client.NewTicket, s string) error {
			if s != "" {
				if err := timestamp(s); err != nil {
					return err
				}
			}
			nt.Urgent.AccessExpiresAt = s
			return nil
		}},
	{flag: "users-affected", urgent: true, label: "Users affected (a number or a percentage)",
		why: "How many of your users are hurt tells us how urgent this is.",
		set: func(nt *client.NewTicket, s string) error { nt.Urgent.UsersAffected = s; return nil }},
	{flag: "business-impact", urgent: true, label: "Business impact",
		why: "The impact on your business or your data decides how we weigh this against other emergencies.",
		set: func(nt *client.NewTicket, s string) error { nt.Urgent.BusinessImpact = s; return nil }},
	{flag: "steps", urgent: true, label: "Steps to reproduce",
		why: "Steps we can follow let an engineer see the problem instead of guessing at it.",
		set: func(nt *client.NewTicket, s string) error { nt.Urgent.StepsToReproduce = s; return nil }},
	{flag: "seen-in-staging", urgent: true, label: "Does it also happen in staging or testing? (yes/no)",
		why: "Whether staging shows it too tells us whether to look at the code or at this environment.",
		set: yesNoField(func(nt *client.NewTicket) **bool { return &nt.Urgent.SeenInStaging })},
	{flag: "env-differences", urgent: true, label: "How do staging and production differ in configuration?",
		why:  "When only production fails, the differences between the environments often point at the cause.",
		skip: func(nt *client.NewTicket) bool { return nt.Urgent.SeenInStaging == nil || *nt.Urgent.SeenInStaging },
		set:  func(nt *client.NewTicket, s string) error { nt.Urgent.EnvironmentDifferences = s; return nil }},
	{flag: "started-at", urgent: true, label: "When did it begin? (with a time zone, e.g. 2015-01-01 12:00:00 UTC)",
		why: "A time with its zone (UTC preferred) lines your report up with our logs; an unclear zone delays the answer.",
		set: func(nt *client.NewTicket, s string) error {
			if err := timestamp(s); err != nil {
				return err
			}
			nt.Urgent.StartedAt = s
			return nil
		}},
	{flag: "logs", urgent: true, label: "Logs and stack traces", multi: true,
		why: "Timestamped application and platform logs show what failed and when; we remove secrets we recognise.",
		set: func(nt *client.NewTicket, s string) error { nt.Urgent.Logs = s; return nil }},
	{flag: "config", urgent: true, label: "Relevant configuration", multi: true,
		why: "Configuration often explains a failure; leave out credentials (we remove the ones we recognise).",
		set: func(nt *client.NewTicket, s string) error { nt.Urgent.Config = s; return nil }},
	{flag: "third-party", urgent: true, label: "Third-party services involved (or none)",
		why: "Services outside the platform, especially ones that are not add-ons, may be where the fault is.",
		set: func(nt *client.NewTicket, s string) error { nt.Urgent.ThirdPartyServices = s; return nil }},
}

// form asks for a ticket's fields on stdin and opens it, asking again for
// the fields the server refuses.
type form struct {
	ctx      context.Context
	c        *client.Client
	in       *bufio.Reader
	out      io.Writer
	nt       *client.NewTicket
	answered map[string]bool // flags given or questions answered
	me       *client.Me
}

var errFormEnded = errors.New("stdin ended before the form was complete; nothing was sent")

// line reads one answer line; io.EOF only when there is nothing left.
func (f *form) line() (string, error) {
	s, err := f.in.ReadString('\n')
	if err == io.EOF && s != "" {
		err = nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimRight(s, "\r\n"), nil
}

// lines reads a multi-line answer ending with a line holding only ".".
func (f *form) lines() (string, error) {
	var b strings.Builder
	for {
		s, err := f.line()
		if err == io.EOF && b.Len() > 0 {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		if s == "." {
			return b.String(), nil
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
}

func (f *form) memberships() []client.Membership {
	if f.me == nil {
		me, err := f.c.Me(f.ctx)
		if err != nil {
			return nil
		}
		f.me = &me
	}
	return f.me.Memberships
}

func (f *form) orgChoices() string {
	var b strings.Builder
	for _, m := range f.memberships() {
		fmt.Fprintf(&b, "  %-6d %s (%s)\n", m.Organization.ID, m.Organization.Name, m.Organization.Plan)
	}
	return b.String()
}

func (f *form) appChoices() string {
	orgID := f.nt.OrganizationID
	if ms := f.memberships(); orgID == 0 && len(ms) == 1 {
		orgID = ms[0].Organization.ID
	}
	if orgID == 0 {
		return ""
	}
	apps, err := f.c.ListApps(f.ctx, orgID)
	if err != nil || len(apps) == 0 {
		return ""
	}
	names := make([]string, len(apps))
	for i, a := range apps {
		names[i] = a.Name
	}
	return "  Your apps: " + strings.Join(names, ", ") + "\n"
}

// setOrg reads an organization ID or name.
func (f *form) setOrg(nt *client.NewTicket, s string) error {
	for _, m := range f.memberships() {
		if strconv.FormatInt(m.Organization.ID, 10) == s || strings.EqualFold(m.Organization.Name, s) {
			nt.OrganizationID = m.Organization.ID
			return nil
		}
	}
	if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
		nt.OrganizationID = id // let the server judge
		return nil
	}
	return errors.New("give the ID or the name of one of your organizations")
}

// ask asks one question until it gets an answer it can use.
func (f *form) ask(q formField, problem string) error {
	fmt.Fprintln(f.out)
	if problem != "" {
		fmt.Fprintf(f.out, "! %s\n", problem)
	}
	if q.why != "" {
		fmt.Fprintf(f.out, "  Why we ask: %s\n", q.why)
	}
	if q.prompt != nil {
		fmt.Fprint(f.out, q.prompt(f))
	}
	set := q.set
	if q.flag == "org" {
		set = f.setOrg
	}
	for {
		def := ""
		if q.def != nil {
			def = q.def(f.nt)
		}
		switch {
		case q.multi:
			fmt.Fprintf(f.out, "%s (end with a line holding only .):\n", q.label)
		case def != "":
			fmt.Fprintf(f.out, "%s [%s]: ", q.label, def)
		case q.optional != nil && q.optional(f.nt) && q.ifEmpty != "":
			fmt.Fprintf(f.out, "%s [Enter for %s]: ", q.label, q.ifEmpty)
		case q.optional != nil && q.optional(f.nt):
			fmt.Fprintf(f.out, "%s (optional, Enter to skip): ", q.label)
		default:
			fmt.Fprintf(f.out, "%s: ", q.label)
		}
		var answer string
		var err error
		if q.multi {
			answer, err = f.lines()
		} else {
			answer, err = f.line()
			answer = strings.TrimSpace(answer)
		}
		if err == io.EOF {
			fmt.Fprintln(f.out)
			return errFormEnded
		}
		if err != nil {
			return err
		}
		if strings.TrimSpace(answer) == "" {
			switch {
			case def != "":
				answer = def
			case q.optional != nil && q.optional(f.nt):
				answer = ""
			default:
				fmt.Fprintln(f.out, "  This is required.")
				continue
			}
		}
		if err := set(f.nt, answer); err != nil {
			fmt.Fprintf(f.out, "  %s\n", err)
			continue
		}
		f.answered[q.flag] = true
		return nil
	}
}

func (f *form) run() (client.Ticket, error) {
	if f.nt.Urgent == nil {
		f.nt.Urgent = &client.UrgentInput{}
	}
	problems := map[string]string{} // flag → the server's message
	if !f.answered["org"] && len(f.memberships()) > 1 {
		problems["org"] = "You belong to several organizations: pick the one this ticket is for."
	}
	for {
		for _, q := range createForm {
			msg, refused := problems[q.flag]
			if q.urgent && notUrgent(f.nt) {
				continue
			}
			if !refused && (f.answered[q.flag] || (q.skip != nil && q.skip(f.nt))) {
				continue
			}
			if err := f.ask(q, msg); err != nil {
				return client.Ticket{}, err
			}
		}
		nt := *f.nt
		if notUrgent(&nt) {
			nt.Urgent = nil
		}
		t, err := f.c.CreateTicket(f.ctx, nt)
		var e *client.Error
		if err == nil || !errors.As(err, &e) || e.Status != http.StatusUnprocessableEntity || len(e.Fields) == 0 {
			return t, describe(err)
		}
		problems = map[string]string{}
		known := map[string]bool{}
		for _, q := range createForm {
			known[q.flag] = true
		}
		fmt.Fprintf(f.out, "\n%s\n", e.Message)
		for field, msg := range e.Fields {
			fl := flagOf(field)
			if !known[fl] {
				return client.Ticket{}, describe(err)
			}
			problems[fl] = msg
		}
	}
}

func ticketList(ctx context.Context, c *client.Client, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("ticket list", stderr)
	status := fs.String("status", "", "only tickets in these statuses, e.g. open or new,open,pending")
	asJSON := fs.Bool("json", false, "print the server's JSON")
	if err := fs.Parse(args); err != nil {
		return usageErr(err)
	}
	if fs.NArg() > 0 {
		return usagef(stderr, "list", "unexpected argument %q", fs.Arg(0))
	}
	if *asJSON {
		q := url.Values{}
		if *status != "" {
			q.Set("status", *status)
		}
		path := "/api/v1/tickets"
		if len(q) > 0 {
			path += "?" + q.Encode()
		}
		return printRaw(ctx, c, path, stdout)
	}
	list, err := c.ListTickets(ctx, client.TicketFilter{Status: *status})
	if err != nil {
		return describe(err)
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, "No tickets.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tSTATUS\tPRIORITY\tSUBJECT\tUPDATED")
	for _, t := range list {
		fmt.Fprintf(tw, "#%d\t%s\t%s\t%s\t%s\n", t.Number, t.Status, t.Priority, oneLine(t.Subject, 60), t.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return tw.Flush()
}

// oneLine shortens s to at most n runes on one line.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// printRaw prints the JSON answer to a GET, indented.
func printRaw(ctx context.Context, c *client.Client, path string, stdout io.Writer) error {
	var raw json.RawMessage
	if err := c.Do(ctx, "GET", path, nil, &raw); err != nil {
		return describe(err)
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return err
	}
	b.WriteByte('\n')
	_, err := stdout.Write(b.Bytes())
	return err
}

func ticketShow(ctx context.Context, c *client.Client, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("ticket show", stderr)
	asJSON := fs.Bool("json", false, "print the server's JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	number, err := ticketNumber(stderr, "show", pos)
	if err != nil {
		return err
	}
	id, err := ticketID(ctx, c, number)
	if err != nil {
		return err
	}
	if *asJSON {
		return printRaw(ctx, c, fmt.Sprintf("/api/v1/tickets/%d", id), stdout)
	}
	t, err := c.GetTicket(ctx, id)
	if err != nil {
		return describe(err)
	}
	printTicket(stdout, t)
	return nil
}

func printTicket(w io.Writer, t client.Ticket) {
	fmt.Fprintf(w, "#%d %s\n", t.Number, t.Subject)
	fmt.Fprintf(w, "Status:       %s\n", t.Status)
	prio := t.Priority
	if t.OriginalPriority != "" && t.OriginalPriority != t.Priority {
		prio += ", originally " + t.OriginalPriority
		if t.PriorityReason != "" {
			prio += " (" + t.PriorityReason + ")"
		}
	}
	fmt.Fprintf(w, "Priority:     %s\n", prio)
	switch t.AppealState {
	case "pending":
		fmt.Fprintln(w, "Appeal:       pending: support will review it before making a final decision")
	case "upheld":
		fmt.Fprintln(w, "Appeal:       upheld: the changed priority stands")
	case "overturned":
		fmt.Fprintln(w, "Appeal:       overturned: the original priority was restored")
	case "":
	default:
		fmt.Fprintf(w, "Appeal:       %s\n", t.AppealState)
	}
	fmt.Fprintf(w, "Organization: %s (%s)\n", t.OrganizationName, t.Plan)
	fmt.Fprintf(w, "Requester:    %s\n", t.RequesterName)
	if t.AppName != "" {
		fmt.Fprintf(w, "App:          %s\n", t.AppName)
	}
	fmt.Fprintf(w, "Environment:  %s\n", t.Environment)
	fmt.Fprintf(w, "Category:     %s\n", t.Category)
	if t.AssigneeName != "" {
		fmt.Fprintf(w, "Assignee:     %s\n", t.AssigneeName)
	}
	fmt.Fprintf(w, "Opened:       %s\n", ticket.FormatUTC(t.CreatedAt))
	fmt.Fprintf(w, "Updated:      %s\n", ticket.FormatUTC(t.UpdatedAt))
	if t.URL != "" {
		fmt.Fprintf(w, "URL:          %s\n", t.URL)
	}
	fmt.Fprintf(w, "\n%s\n", strings.TrimRight(t.Description, "\n"))

	if u := t.Urgent; u != nil {
		fmt.Fprintln(w, "\nUrgent details")
		access := "no"
		if u.AccessGranted {
			access = "yes, until " + ticket.FormatUTC(u.AccessExpiresAt)
		}
		staging := "no"
		if u.SeenInStaging {
			staging = "yes"
		}
		for _, kv := range [][2]string{
			{"Started at", ticket.FormatUTC(u.StartedAt)},
			{"Access granted", access},
			{"Users affected", u.UsersAffected},
			{"Business impact", u.BusinessImpact},
			{"Steps to reproduce", u.StepsToReproduce},
			{"Seen in staging", staging},
			{"Environment differences", u.EnvironmentDifferences},
			{"Third-party services", u.ThirdPartyServices},
			{"Logs", u.Logs},
			{"Config", u.Config},
		} {
			if kv[1] == "" {
				continue
			}
			if strings.Contains(strings.TrimRight(kv[1], "\n"), "\n") {
				fmt.Fprintf(w, "  %s:\n%s\n", kv[0], indent(kv[1], "    "))
			} else {
				fmt.Fprintf(w, "  %s: %s\n", kv[0], strings.TrimSpace(kv[1]))
			}
		}
	}
	if len(t.Attachments) > 0 {
		fmt.Fprintln(w, "\nAttachments")
		for _, a := range t.Attachments {
			fmt.Fprintf(w, "  %s (%s, %d bytes)\n", a.Filename, a.ContentType, a.Size)
		}
	}
	if len(t.Comments) > 0 {
		fmt.Fprintln(w, "\nComments")
		for _, cm := range t.Comments {
			who := cm.AuthorName
			if cm.AuthorRole != "" {
				who += " (support)"
			}
			mark := ""
			if cm.Internal {
				mark = " [internal]"
			}
			fmt.Fprintf(w, "\n-- %s, %s%s\n%s\n", who, ticket.FormatUTC(cm.CreatedAt), mark, indent(cm.Body, "   "))
		}
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

func ticketComment(ctx context.Context, c *client.Client, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("ticket comment", stderr)
	body := fs.String("body", "", "the reply (- reads stdin)")
	bodyFile := fs.String("body-file", "", "read the reply from `FILE` (- for stdin)")
	internal := fs.Bool("internal", false, "an internal note, seen only by staff (staff only)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	number, err := ticketNumber(stderr, "comment", pos)
	if err != nil {
		return err
	}
	switch {
	case *body != "" && *bodyFile != "":
		return usagef(stderr, "comment", "give --body or --body-file, not both")
	case *body == "" && *bodyFile == "":
		return usagef(stderr, "comment", "give the reply with --body TEXT, --body-file FILE or --body-file - (stdin)")
	case *body == "-":
		*bodyFile = "-"
	}
	text := *body
	if *bodyFile != "" {
		if text, err = (&sources{stdin: stdin}).read("body-file", *bodyFile); err != nil {
			return err
		}
	}
	id, err := ticketID(ctx, c, number)
	if err != nil {
		return err
	}
	cm, err := c.AddComment(ctx, id, text, *internal)
	if err != nil {
		return describe(err)
	}
	if cm.Internal {
		fmt.Fprintf(stdout, "Added an internal note to #%d.\n", number)
	} else {
		fmt.Fprintf(stdout, "Replied on #%d.\n", number)
	}
	if cm.Redactions > 0 {
		fmt.Fprintf(stdout, "We removed %d %s from what you sent.\n", cm.Redactions, plural(cm.Redactions, "secret", "secrets"))
	}
	return nil
}

func ticketShare(ctx context.Context, c *client.Client, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("ticket share", stderr)
	rotate := fs.Bool("rotate", false, "replace the link; the old one stops working")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	number, err := ticketNumber(stderr, "share", pos)
	if err != nil {
		return err
	}
	id, err := ticketID(ctx, c, number)
	if err != nil {
		return err
	}
	u, err := c.Share(ctx, id, *rotate)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintln(stdout, u)
	return nil
}
