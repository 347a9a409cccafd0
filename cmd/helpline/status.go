package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/helpline-dev/helpline/client"
)

const statusUsage = `Usage: helpline status [--json]
       helpline status <command> [flags]

  (no command) [--json]       the platform's status: overall, components, active incidents and
                              scheduled maintenance (no token needed; --json: the raw summary.json)
  incident create --name N --body B [--status S] [--impact I] [--component NAME=STATUS]... [--notify]
  incident update ID --status S --body B [--impact I] [--component NAME=STATUS]... [--notify]
  incident list [--state active|unresolved|upcoming|resolved] [--kind incident|maintenance] [--json]
  maintenance schedule --name N --from TIME --until TIME --body B [--component NAME]... [--auto] [--notify]
  notify --title T --body B [--addon A] [--region R] [--app NAME]... [--email]

TIME is RFC 3339 with a zone (2026-05-01T10:00:00Z). Components are named as on the
status page. Everything but the plain status needs a staff token (HELPLINE_TOKEN);
run helpline status <command> -h for the flags of a command.
`

// statusCmd shows and manages the status page.
func statusCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && !isHelp(args[0])) {
		return statusShow(ctx, statusClient(getenv, ""), args, stdout, stderr)
	}
	var run func(context.Context, *client.Client, []string, io.Writer, io.Writer) error
	rest := args[1:]
	switch args[0] {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, statusUsage)
		return nil
	case "notify":
		run = statusNotify
	case "incident", "maintenance":
		if len(args) < 2 {
			return statusUsagef(stderr, args[0], "give a command; see helpline status help")
		}
		switch args[0] + " " + args[1] {
		case "incident create":
			run = incidentCreate
		case "incident update":
			run = incidentUpdate
		case "incident list":
			run = incidentList
		case "maintenance schedule":
			run = maintenanceSchedule
		default:
			fmt.Fprintf(stderr, "helpline status: unknown command %q\n\n%s", args[0]+" "+args[1], statusUsage)
			return errUsage
		}
		rest = args[2:]
	default:
		fmt.Fprintf(stderr, "helpline status: unknown command %q\n\n%s", args[0], statusUsage)
		return errUsage
	}
	c, err := apiClient(getenv)
	if err != nil {
		return err
	}
	return netHint(c, run(ctx, c, rest, stdout, stderr))
}

func isHelp(arg string) bool {
	switch arg {
	case "-h", "--help", "-help":
		return true
	}
	return false
}

// statusClient is a client of HELPLINE_URL with the given token ("" for
// the public summary).
func statusClient(getenv func(string) string, token string) *client.Client {
	base := getenv("HELPLINE_URL")
	if base == "" {
		base = "http://localhost:8080"
	}
	return client.New(base, token)
}

// netHint says where the CLI looked when the server could not be reached.
func netHint(c *client.Client, err error) error {
	if isNetError(err) {
		return fmt.Errorf("%w (is a Helpline server running at HELPLINE_URL=%s?)", err, c.BaseURL)
	}
	return err
}

func statusUsagef(stderr io.Writer, cmd, format string, args ...any) error {
	fmt.Fprintf(stderr, "helpline status %s: %s\n", cmd, fmt.Sprintf(format, args...))
	return errUsage
}

// statusFlagOfField names the flag a server field error is about.
var statusFlagOfField = map[string]string{
	"components":      "component",
	"scheduled_for":   "from",
	"scheduled_until": "until",
	"auto_transition": "auto",
	"apps":            "app",
}

// describeStatus turns an API error into the server's message and one
// `  --flag: message` line per field.
func describeStatus(err error) error {
	var e *client.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := e.Message
	if msg == "" {
		msg = e.Error()
	}
	lines := make([]string, 0, len(e.Fields))
	for field, m := range e.Fields {
		// components.0.status is about the first --component.
		head, rest, _ := strings.Cut(field, ".")
		flag, ok := statusFlagOfField[head]
		if !ok {
			flag = strings.ReplaceAll(head, "_", "-")
		}
		if rest != "" {
			m = rest + " " + m
		}
		lines = append(lines, fmt.Sprintf("\n  --%s: %s", flag, m))
	}
	sort.Strings(lines)
	return errors.New(msg + strings.Join(lines, ""))
}

// ---- helpline status: the public summary ----

func statusShow(ctx context.Context, c *client.Client, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("status", stderr)
	asJSON := fs.Bool("json", false, "print the raw "+client.SummaryPath)
	if err := fs.Parse(args); err != nil {
		return usageErr(err)
	}
	if fs.NArg() > 0 {
		return statusUsagef(stderr, "", "unexpected argument %q; see helpline status help", fs.Arg(0))
	}
	if *asJSON {
		var raw json.RawMessage
		err := c.Do(ctx, "GET", client.SummaryPath, nil, &raw)
		if err != nil {
			return netHint(c, describeStatus(err))
		}
		if len(raw) > 0 && raw[len(raw)-1] != '\n' {
			raw = append(raw, '\n')
		}
		_, err = stdout.Write(raw)
		return err
	}
	sum, err := c.StatusSummary(ctx)
	if err != nil {
		return netHint(c, describeStatus(err))
	}
	printSummary(stdout, sum)
	return nil
}

// humanStatus spells a status value in words: degraded_performance is
// "Degraded performance".
func humanStatus(s string) string {
	s = strings.ReplaceAll(plainLine(s), "_", " ")
	if s == "" {
		return "-"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func utc(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func printSummary(w io.Writer, sum client.StatusSummary) {
	desc := plainLine(sum.Status.Description)
	if desc == "" {
		desc = "Status unknown"
	}
	fmt.Fprintln(w, desc)

	// Components by group: the summary is flat, members name their group.
	members := map[client.SummaryID][]client.SummaryComponent{}
	groups := map[client.SummaryID]bool{}
	for _, c := range sum.Components {
		if c.Group {
			groups[c.ID] = true
		}
	}
	var top []client.SummaryComponent
	for _, c := range sum.Components {
		if c.GroupID != "" && groups[c.GroupID] {
			members[c.GroupID] = append(members[c.GroupID], c)
		} else {
			top = append(top, c)
		}
	}
	if len(top) > 0 {
		fmt.Fprintln(w, "\nComponents")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, c := range top {
			fmt.Fprintf(tw, "  %s\t%s\n", plainLine(c.Name), humanStatus(c.Status))
			for _, m := range members[c.ID] {
				fmt.Fprintf(tw, "    %s\t%s\n", plainLine(m.Name), humanStatus(m.Status))
			}
		}
		tw.Flush()
	}

	fmt.Fprintln(w)
	if len(sum.Incidents) == 0 {
		fmt.Fprintln(w, "No active incidents.")
	} else {
		fmt.Fprintln(w, "Active incidents")
		for _, inc := range sum.Incidents {
			fmt.Fprintf(w, "  %s [%s impact] %s\n", plainLine(inc.Name), plainLine(inc.Impact), humanStatus(inc.Status))
			printLatest(w, inc)
		}
	}

	fmt.Fprintln(w)
	if len(sum.ScheduledMaintenances) == 0 {
		fmt.Fprintln(w, "No maintenance scheduled.")
		return
	}
	fmt.Fprintln(w, "Scheduled maintenance")
	for _, m := range sum.ScheduledMaintenances {
		window := ""
		if m.ScheduledFor != nil {
			window = utc(*m.ScheduledFor)
			if m.ScheduledUntil != nil {
				window += " to " + utc(*m.ScheduledUntil)
			}
			window = ", " + window
		}
		fmt.Fprintf(w, "  %s (%s%s)\n", plainLine(m.Name), humanStatus(m.Status), window)
		printLatest(w, m)
	}
}

// printLatest prints an incident's latest update and its link.
func printLatest(w io.Writer, inc client.SummaryIncident) {
	if len(inc.IncidentUpdates) > 0 {
		// Statuspage lists updates newest first; do not rely on it.
		u := inc.IncidentUpdates[0]
		for _, o := range inc.IncidentUpdates[1:] {
			if o.CreatedAt.After(u.CreatedAt) {
				u = o
			}
		}
		fmt.Fprintf(w, "    %s  %s: %s\n", utc(u.CreatedAt), humanStatus(u.Status), oneLine(plainLine(u.Body), 200))
	}
	if link := plainLine(inc.Shortlink); link != "" {
		fmt.Fprintf(w, "    %s\n", link)
	}
}

// ---- operator commands (staff token) ----

// resolveComponents turns --component NAME[=STATUS] flags into changes.
// Names match the status page's, ignoring case; "Group/Name" picks one of
// two components of the same name; a number is an ID. Without =STATUS a
// component gets def, or is an error when def is empty.
func resolveComponents(ctx context.Context, c *client.Client, specs []string, def string) ([]client.ComponentChange, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	all, err := c.StatusComponents(ctx)
	if err != nil {
		return nil, describeStatus(err)
	}
	byID := map[int64]client.StatusComponent{}
	for _, sc := range all {
		byID[sc.ID] = sc
	}
	fullName := func(sc client.StatusComponent) string {
		if g, ok := byID[sc.GroupID]; ok && sc.GroupID != 0 {
			return g.Name + "/" + sc.Name
		}
		return sc.Name
	}
	var out []client.ComponentChange
	for _, spec := range specs {
		name, st := spec, def
		if i := strings.LastIndex(spec, "="); i >= 0 {
			name, st = spec[:i], strings.TrimSpace(spec[i+1:])
		}
		name = strings.TrimSpace(name)
		if st == "" {
			return nil, fmt.Errorf("--component %q: give the component's status as NAME=STATUS, e.g. %q", spec, name+"=partial_outage")
		}
		var found []client.StatusComponent
		for _, sc := range all {
			if strings.EqualFold(sc.Name, name) || strings.EqualFold(fullName(sc), name) || strconv.FormatInt(sc.ID, 10) == name {
				found = append(found, sc)
			}
		}
		switch len(found) {
		case 1:
			out = append(out, client.ComponentChange{ComponentID: found[0].ID, Name: found[0].Name, Status: st})
		case 0:
			names := make([]string, len(all))
			for i, sc := range all {
				names[i] = fullName(sc)
			}
			if len(names) == 0 {
				return nil, fmt.Errorf("--component %q: there are no components yet; an admin adds them under /admin/status", name)
			}
			return nil, fmt.Errorf("--component %q: no such component; valid names: %s", name, strings.Join(names, ", "))
		default:
			names := make([]string, len(found))
			for i, sc := range found {
				names[i] = fullName(sc)
			}
			return nil, fmt.Errorf("--component %q: several components have that name; say which: %s", name, strings.Join(names, ", "))
		}
	}
	return out, nil
}

func incidentArg(stderr io.Writer, cmd string, pos []string) (int64, error) {
	if len(pos) != 1 {
		return 0, statusUsagef(stderr, cmd, "give one incident ID")
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(pos[0], "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, statusUsagef(stderr, cmd, "%q is not an incident ID", pos[0])
	}
	return id, nil
}

func incidentCreate(ctx context.Context, c *client.Client, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("status incident create", stderr)
	name := fs.String("name", "", "the incident's title")
	st := fs.String("status", "investigating", "investigating, identified, monitoring or resolved")
	impact := fs.String("impact", "", "none, minor, major or critical")
	body := fs.String("body", "", "the first update: what customers see")
	var comps multiFlag
	fs.Var(&comps, "component", "an affected component as NAME=STATUS (repeatable)")
	notify := fs.Bool("notify", false, "notify the subscribers")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return statusUsagef(stderr, "incident create", "unexpected argument %q", pos[0])
	}
	changes, err := resolveComponents(ctx, c, comps, "")
	if err != nil {
		return err
	}
	inc, err := c.CreateIncident(ctx, client.IncidentInput{Kind: "incident", Name: *name, Status: *st, Impact: *impact, Body: *body, Components: changes, Notify: *notify})
	if err != nil {
		return describeStatus(err)
	}
	fmt.Fprintf(stdout, "Opened incident #%d: %s (%s)\n  %s%s\n", inc.ID, plainLine(inc.Name), inc.Status, c.BaseURL, inc.URL)
	return nil
}

func incidentUpdate(ctx context.Context, c *client.Client, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("status incident update", stderr)
	st := fs.String("status", "", "the new status: investigating, identified, monitoring, resolved, postmortem (maintenance: in_progress, verifying, completed)")
	body := fs.String("body", "", "what happened: what customers see")
	impact := fs.String("impact", "", "a new impact (default: unchanged)")
	var comps multiFlag
	fs.Var(&comps, "component", "a component's status from now on, as NAME=STATUS (repeatable)")
	notify := fs.Bool("notify", false, "notify the subscribers")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	id, err := incidentArg(stderr, "incident update", pos)
	if err != nil {
		return err
	}
	changes, err := resolveComponents(ctx, c, comps, "")
	if err != nil {
		return err
	}
	inc, err := c.PostIncidentUpdate(ctx, id, client.IncidentUpdateInput{Status: *st, Body: *body, Impact: *impact, Components: changes, Notify: *notify})
	if err != nil {
		return describeStatus(err)
	}
	fmt.Fprintf(stdout, "Updated incident #%d: %s (%s)\n  %s%s\n", inc.ID, plainLine(inc.Name), inc.Status, c.BaseURL, inc.URL)
	return nil
}

func incidentList(ctx context.Context, c *client.Client, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("status incident list", stderr)
	state := fs.String("state", "", "active, unresolved, upcoming or resolved (default: all)")
	kind := fs.String("kind", "", "incident or maintenance (default: both)")
	limit := fs.Int("limit", 50, "how many, 1 to 200")
	asJSON := fs.Bool("json", false, "print the server's JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return statusUsagef(stderr, "incident list", "unexpected argument %q", pos[0])
	}
	if *limit < 1 || *limit > 200 {
		return statusUsagef(stderr, "incident list", "--limit must be from 1 to 200, not %d", *limit)
	}
	f := client.IncidentFilter{Kind: *kind, State: *state, Page: client.Page{Limit: *limit}}
	if *asJSON {
		return printRaw(ctx, c, client.IncidentsPath(f), stdout)
	}
	is, total, err := c.ListIncidents(ctx, f)
	if err != nil {
		return describeStatus(err)
	}
	if len(is) == 0 {
		fmt.Fprintln(stdout, "No incidents.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tSTATUS\tIMPACT\tSTARTED\tNAME")
	for _, inc := range is {
		started := inc.StartedAt
		if inc.ScheduledFor != nil {
			started = *inc.ScheduledFor
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", inc.ID, inc.Kind, inc.Status, orDash(inc.Impact), utc(started), oneLine(plainLine(inc.Name), 70))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if total > len(is) {
		fmt.Fprintf(stdout, "(%d of %d; use --limit)\n", len(is), total)
	}
	return nil
}

// parseFlagTime reads an RFC 3339 --flag.
func parseFlagTime(flag, s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("--%s %q: give an RFC 3339 time with a zone, such as 2026-05-01T10:00:00Z", flag, s)
	}
	t = t.UTC()
	return &t, nil
}

func maintenanceSchedule(ctx context.Context, c *client.Client, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("status maintenance schedule", stderr)
	name := fs.String("name", "", "the maintenance's title")
	from := fs.String("from", "", "when the window starts (RFC 3339)")
	until := fs.String("until", "", "when the window ends (RFC 3339)")
	body := fs.String("body", "", "what will happen: what customers see")
	var comps multiFlag
	fs.Var(&comps, "component", "a component under maintenance, NAME or NAME=STATUS (repeatable)")
	auto := fs.Bool("auto", false, "start and complete the maintenance on time")
	notify := fs.Bool("notify", false, "notify the subscribers")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return statusUsagef(stderr, "maintenance schedule", "unexpected argument %q", pos[0])
	}
	start, err := parseFlagTime("from", *from)
	if err != nil {
		return err
	}
	end, err := parseFlagTime("until", *until)
	if err != nil {
		return err
	}
	changes, err := resolveComponents(ctx, c, comps, "under_maintenance")
	if err != nil {
		return err
	}
	inc, err := c.CreateIncident(ctx, client.IncidentInput{Kind: "maintenance", Name: *name, Status: "scheduled", Body: *body,
		Components: changes, Notify: *notify, ScheduledFor: start, ScheduledUntil: end, AutoTransition: *auto})
	if err != nil {
		return describeStatus(err)
	}
	window := ""
	if inc.ScheduledFor != nil && inc.ScheduledUntil != nil {
		window = ", " + utc(*inc.ScheduledFor) + " to " + utc(*inc.ScheduledUntil)
	}
	fmt.Fprintf(stdout, "Scheduled maintenance #%d: %s%s\n  %s%s\n", inc.ID, plainLine(inc.Name), window, c.BaseURL, inc.URL)
	return nil
}

func statusNotify(ctx context.Context, c *client.Client, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("status notify", stderr)
	title := fs.String("title", "", "the notification's title")
	body := fs.String("body", "", "the notification's text")
	addon := fs.String("addon", "", "only organizations with an app using this add-on")
	region := fs.String("region", "", "only organizations with an app in this region")
	var apps multiFlag
	fs.Var(&apps, "app", "only the organizations owning this app (repeatable)")
	email := fs.Bool("email", false, "also email the organizations' members")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return statusUsagef(stderr, "notify", "unexpected argument %q", pos[0])
	}
	n, err := c.NotifyOrganizations(ctx, client.TargetedNotification{Title: *title, Body: *body, Addon: *addon, Region: *region, Apps: apps, Email: *email})
	if err != nil {
		return describeStatus(err)
	}
	orgs := "organizations"
	if n == 1 {
		orgs = "organization"
	}
	fmt.Fprintf(stdout, "Notified %d %s.\n", n, orgs)
	return nil
}
