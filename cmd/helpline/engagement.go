package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/helpline-dev/helpline/client"
	"github.com/helpline-dev/helpline/internal/csa"
)

const engagementUsage = `Usage: helpline engagement <command> [flags]

Customers of enterprise plans:
  list [--state S] [--kind K] [--owner me|none|ID] [--json]
                                  list engagements (default: all; --state open for the open ones)
  show ID [--json]                an engagement: details, meetings, deliverables, activity
  request event --name N --starts-at T [--time-zone Z] --peak-rps N --peak-users N
                --app A [--app A]... --dynos F --database P (--concerns TEXT | --concerns-file F|-)
  request performance --app A [--app A]... --symptoms TEXT --metrics-file F|- --since T
  request architecture --goal TEXT (--current-design TEXT | --current-design-file F|-)
                --constraints TEXT --deadline YYYY-MM-DD
                                  every request takes [--org ID] [--not-break-fix] [--json]
  edit ID KIND …                  replace the request's form (every flag of request KIND again,
                                  without --org and --not-break-fix): the event moved, the apps changed
  comment ID (--body TEXT | --body-file F|-) [--internal]
  withdraw ID [--reason R]        take back a request nobody has started on

The CSA team (staff):
  state ID STATE [--note N]       move to requested, scheduled, in_progress, delivered or closed
                                  (closing needs --note: the customer reads it)
  assign ID USER_ID|me|none       make a solutions architect the owner, or clear it
  meeting ID --title T --starts-at T [--time-zone Z] [--duration MIN] [--notes TEXT]
  deliver ID (--file F | --article SLUG) [--title T]
  to-ticket ID --note N [--priority high|normal|low]
                                  move break/fix work to Support as a ticket
  from-ticket TICKET --kind K --note N
                                  move ticket #TICKET to the CSA team as an engagement

T is a date and time: 2026-04-02T09:00 in --time-zone (an IANA name such as
America/New_York), or with an offset, 2026-04-02T09:00:00-04:00. A request that
reads like a current outage is refused with the urgent ticket to open instead.
Run helpline engagement <command> -h for the flags of a command.
`

// engagementCmd runs `helpline engagement …` against the server at
// HELPLINE_URL.
func engagementCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, engagementUsage)
		return errUsage
	}
	var run func(context.Context, *client.Client, []string, io.Reader, io.Writer, io.Writer) error
	rest := args[1:]
	switch args[0] {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, engagementUsage)
		return nil
	case "list":
		run = engagementList
	case "show":
		run = engagementShow
	case "request":
		if len(args) < 2 || strings.HasPrefix(args[1], "-") {
			return engUsagef(stderr, "request", "say what to request: event, performance or architecture (see helpline engagement help)")
		}
		switch args[1] {
		case "event", "performance", "architecture":
			run = engagementRequest(args[1])
		default:
			return engUsagef(stderr, "request", "%q is not a kind of engagement: request event, performance or architecture", args[1])
		}
		rest = args[2:]
	case "edit":
		if len(args) < 3 || strings.HasPrefix(args[2], "-") {
			return engUsagef(stderr, "edit", "give the engagement and its kind, e.g. helpline engagement edit 12 event --starts-at … (every field of the form)")
		}
		id, err := engagementID(stderr, "edit", args[1])
		if err != nil {
			return err
		}
		switch args[2] {
		case "event", "performance", "architecture":
			run = engagementEdit(args[2], id)
		default:
			return engUsagef(stderr, "edit", "%q is not a kind of engagement: event, performance or architecture", args[2])
		}
		rest = args[3:]
	case "state":
		run = engagementState
	case "assign":
		run = engagementAssign
	case "comment":
		run = engagementComment
	case "meeting":
		run = engagementMeeting
	case "deliver":
		run = engagementDeliver
	case "to-ticket":
		run = engagementToTicket
	case "from-ticket":
		run = engagementFromTicket
	case "withdraw":
		run = engagementWithdraw
	default:
		fmt.Fprintf(stderr, "helpline engagement: unknown command %q\n\n%s", args[0], engagementUsage)
		return errUsage
	}
	c, err := apiClient(getenv)
	if err != nil {
		return err
	}
	return netHint(c, run(ctx, c, rest, stdin, stdout, stderr))
}

func engUsagef(stderr io.Writer, cmd, format string, args ...any) error {
	fmt.Fprintf(stderr, "helpline engagement %s: %s\n", cmd, fmt.Sprintf(format, args...))
	return errUsage
}

// engagementFlagOfField names the flag a server field error is about; a
// name in capitals is a positional argument.
var engagementFlagOfField = map[string]string{
	"organization_id":             "--org",
	"not_break_fix":               "--not-break-fix",
	"event.name":                  "--name",
	"event.starts_at":             "--starts-at",
	"event.time_zone":             "--time-zone",
	"event.peak_rps":              "--peak-rps",
	"event.peak_concurrent_users": "--peak-users",
	"event.apps":                  "--app",
	"event.dyno_formation":        "--dynos",
	"event.database_plan":         "--database",
	"event.concerns":              "--concerns",
	"performance.apps":            "--app",
	"performance.symptoms":        "--symptoms",
	"performance.metrics":         "--metrics-file",
	"performance.since":           "--since",
	"architecture.goal":           "--goal",
	"architecture.current_design": "--current-design",
	"architecture.constraints":    "--constraints",
	"architecture.deadline":       "--deadline",
	"duration_minutes":            "--duration",
	"article_slug":                "--article",
	"file":                        "--file",
	"owner_id":                    "USER_ID",
}

// engagementFlag names the flag (or argument) of a field; overrides come
// first, for fields that mean an argument in one command and a flag in
// another (state).
func engagementFlag(field string, overrides map[string]string) string {
	if f, ok := overrides[field]; ok {
		return f
	}
	if f, ok := engagementFlagOfField[field]; ok {
		return f
	}
	_, name, found := strings.Cut(field, ".")
	if !found {
		name = field
	}
	return "--" + strings.ReplaceAll(name, "_", "-")
}

// describeEngagement turns an API error into the server's message and one
// `  --flag: message` line per field.
func describeEngagement(err error, overrides map[string]string) error {
	var e *client.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := e.Message
	if msg == "" {
		msg = e.Error()
	}
	return errors.New(msg + fieldLines(e.Fields, overrides))
}

func fieldLines(fields map[string]string, overrides map[string]string) string {
	lines := make([]string, 0, len(fields))
	for field, m := range fields {
		lines = append(lines, fmt.Sprintf("\n  %s: %s", engagementFlag(field, overrides), m))
	}
	sort.Strings(lines)
	return strings.Join(lines, "")
}

// engagementID reads the ID argument of cmd.
func engagementID(stderr io.Writer, cmd string, arg string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return 0, engUsagef(stderr, cmd, "%q is not an engagement ID; helpline engagement list shows them", arg)
	}
	return id, nil
}

// positional parses the flags and checks there are n positional
// arguments, named by names for the message.
func positional(stderr io.Writer, fs *flag.FlagSet, cmd string, args []string, names ...string) ([]string, error) {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != len(names) {
		return nil, engUsagef(stderr, cmd, "give %s, e.g. helpline engagement %s %s", strings.Join(names, " and "), cmd, strings.Join(examples(names), " "))
	}
	return pos, nil
}

func examples(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		switch n {
		case "ID":
			out[i] = "12"
		case "STATE":
			out[i] = "scheduled"
		case "USER_ID":
			out[i] = "me"
		case "TICKET":
			out[i] = "1001"
		default:
			out[i] = n
		}
	}
	return out
}

// printJSON prints v indented.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// doRaw sends a request and prints the server's JSON answer, indented.
func doRaw(ctx context.Context, c *client.Client, method, path string, body any, stdout io.Writer) error {
	var raw json.RawMessage
	if err := c.Do(ctx, method, path, body, &raw); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return err
	}
	b.WriteByte('\n')
	_, err := stdout.Write(b.Bytes())
	return err
}

// readText reads a FILE argument, where "-" is stdin.
func readText(stdin io.Reader, name, value string) (string, error) {
	if value == "-" {
		b, err := io.ReadAll(stdin)
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

// textOrFile is a TEXT flag with a FILE alternative (- for stdin).
type textOrFile struct {
	name       string
	text, file *string
}

func newTextOrFile(fs *flag.FlagSet, name, usage string) textOrFile {
	return textOrFile{name: name, text: fs.String(name, "", usage),
		file: fs.String(name+"-file", "", "read --"+name+" from `FILE` (- for stdin)")}
}

func (t textOrFile) value(stdin io.Reader) (string, error) {
	switch {
	case *t.text != "" && *t.file != "":
		return "", fmt.Errorf("give --%s or --%s-file, not both", t.name, t.name)
	case *t.file != "":
		return readText(stdin, t.name+"-file", *t.file)
	}
	return *t.text, nil
}

// ---- list and show ----

var engagementKindLabels = map[string]string{
	"event":        "High-traffic event preparation",
	"performance":  "Application performance analysis",
	"architecture": "Architecture review",
}

func kindLabel(k string) string {
	if l, ok := engagementKindLabels[k]; ok {
		return l
	}
	return k
}

func engagementList(ctx context.Context, c *client.Client, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("engagement list", stderr)
	state := fs.String("state", "", "open, requested, scheduled, in_progress, delivered or closed (default all)")
	kind := fs.String("kind", "", "event, performance or architecture")
	owner := fs.String("owner", "", "me, none (nobody owns it yet) or an owner's user ID")
	asJSON := fs.Bool("json", false, "print the server's JSON")
	if err := fs.Parse(args); err != nil {
		return usageErr(err)
	}
	if fs.NArg() > 0 {
		return engUsagef(stderr, "list", "unexpected argument %q", fs.Arg(0))
	}
	f := client.EngagementFilter{State: *state, Kind: *kind, Owner: *owner}
	if *asJSON {
		q := url.Values{}
		for k, v := range map[string]string{"state": f.State, "kind": f.Kind, "owner": f.Owner} {
			if v != "" {
				q.Set(k, v)
			}
		}
		path := "/api/v1/engagements"
		if len(q) > 0 {
			path += "?" + q.Encode()
		}
		return describeEngagement(doRaw(ctx, c, "GET", path, nil, stdout), nil)
	}
	list, err := c.ListEngagements(ctx, f)
	if err != nil {
		return describeEngagement(err, nil)
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, "No engagements.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tKIND\tORGANIZATION\tOWNER\tEVENT\tTITLE")
	for _, e := range list {
		when := "-"
		if e.EventAt != nil {
			when = utc(*e.EventAt)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.State, e.Kind, oneLine(e.OrganizationName, 30), orDash(e.OwnerName), when, oneLine(e.Title, 60))
	}
	return tw.Flush()
}

func engagementShow(ctx context.Context, c *client.Client, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("engagement show", stderr)
	asJSON := fs.Bool("json", false, "print the server's JSON")
	pos, err := positional(stderr, fs, "show", args, "ID")
	if err != nil {
		return err
	}
	id, err := engagementID(stderr, "show", pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return describeEngagement(doRaw(ctx, c, "GET", fmt.Sprintf("/api/v1/engagements/%d", id), nil, stdout), nil)
	}
	d, err := c.GetEngagement(ctx, id)
	if err != nil {
		return describeEngagement(err, nil)
	}
	printEngagement(stdout, d)
	return nil
}

// localTime is t in zone, for people; UTC when the zone is unknown.
func localTime(t time.Time, zone string) string {
	if loc, err := time.LoadLocation(zone); err == nil && zone != "" && zone != "UTC" {
		return t.In(loc).Format("2006-01-02 15:04 MST") + " (" + zone + "; " + utc(t) + ")"
	}
	return utc(t)
}

func printEngagement(w io.Writer, d client.EngagementDetail) {
	e := d.Engagement
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(w, "%-14s%s\n", label+":", value)
		}
	}
	block := func(label, text string) {
		if strings.TrimSpace(text) == "" {
			return
		}
		fmt.Fprintf(w, "%s:\n%s\n", label, indent(plainBlock(text), "  "))
	}
	fmt.Fprintf(w, "Engagement %d: %s\n", e.ID, plainLine(e.Title))
	line("State", strings.ReplaceAll(e.State, "_", " "))
	line("Kind", kindLabel(e.Kind))
	line("Organization", fmt.Sprintf("%s (%s)", plainLine(e.OrganizationName), e.Plan))
	line("Requested", fmt.Sprintf("by %s, %s", plainLine(e.RequesterName), utc(e.CreatedAt)))
	line("Owner", orDash(plainLine(e.OwnerName)))
	if e.FromTicketNumber != nil {
		line("From ticket", fmt.Sprintf("#%d", *e.FromTicketNumber))
	}
	if e.TicketNumber != nil {
		line("Now ticket", fmt.Sprintf("#%d (Support handles it)", *e.TicketNumber))
	}
	if e.ClosedAt != nil {
		line("Closed", utc(*e.ClosedAt))
	}
	fmt.Fprintln(w)
	switch {
	case e.Event != nil:
		ev := e.Event
		line("Event", plainLine(ev.Name))
		line("Starts", localTime(ev.StartsAt, ev.TimeZone))
		line("Peak", fmt.Sprintf("%s requests per second, %s users at once", csa.Thousands(ev.PeakRPS), csa.Thousands(ev.PeakConcurrentUsers)))
		line("Apps", plainLine(strings.Join(ev.Apps, ", ")))
		line("Dynos", plainLine(ev.DynoFormation))
		line("Database", plainLine(ev.DatabasePlan))
		block("Concerns", ev.Concerns)
	case e.Performance != nil:
		p := e.Performance
		line("Apps", plainLine(strings.Join(p.Apps, ", ")))
		line("Since", utc(p.Since))
		block("Symptoms", p.Symptoms)
		block("Metrics or logs", p.Metrics)
	case e.Architecture != nil:
		a := e.Architecture
		line("Deadline", a.Deadline)
		block("Goal", a.Goal)
		block("Current design", a.CurrentDesign)
		block("Constraints", a.Constraints)
	}
	block("Summary", e.Summary)
	if len(e.BreakFixSignals) > 0 {
		fmt.Fprintln(w, "Confirmed not an outage, despite:")
		for _, s := range e.BreakFixSignals {
			fmt.Fprintf(w, "  %s %s\n", s.Field, plainLine(s.Reason))
		}
	}
	if len(d.Reminders) > 0 {
		fmt.Fprintln(w, "\nReminders")
		for _, r := range d.Reminders {
			sent := "due"
			if r.SentAt != nil {
				sent = "sent " + utc(*r.SentAt)
			}
			fmt.Fprintf(w, "  a %s before: %s, %s\n", r.Kind, utc(r.DueAt), sent)
		}
	}
	if len(d.Meetings) > 0 {
		fmt.Fprintln(w, "\nMeetings")
		for _, m := range d.Meetings {
			fmt.Fprintf(w, "  %d  %s, %s, %d min\n", m.ID, plainLine(m.Title), localTime(m.StartsAt, m.TimeZone), m.DurationMinutes)
			if strings.TrimSpace(m.Notes) != "" {
				fmt.Fprintln(w, indent(plainBlock(m.Notes), "      "))
			}
		}
	}
	if len(d.Deliverables) > 0 {
		fmt.Fprintln(w, "\nDeliverables")
		for _, dl := range d.Deliverables {
			if dl.Kind == "article" {
				fmt.Fprintf(w, "  %d  %s: article %s\n", dl.ID, plainLine(dl.Title), dl.ArticleURL)
			} else {
				fmt.Fprintf(w, "  %d  %s: file %s (%s, %d bytes), GET /api/v1/deliverables/%d\n", dl.ID, plainLine(dl.Title), plainLine(dl.Filename), dl.ContentType, dl.Size, dl.ID)
			}
		}
	}
	if len(d.Apps) > 0 {
		names := make([]string, len(d.Apps))
		for i, a := range d.Apps {
			names[i] = fmt.Sprintf("%s (%s, %s)", a.Name, a.Region, a.Stack)
		}
		fmt.Fprintf(w, "\nThe organization's apps: %s\n", plainLine(strings.Join(names, ", ")))
	}
	if len(d.RecentTickets) > 0 {
		fmt.Fprintln(w, "\nThe organization's recent tickets")
		for _, t := range d.RecentTickets {
			fmt.Fprintf(w, "  #%d  %s  %s  %s\n", t.Number, t.Status, t.Priority, oneLine(plainLine(t.Subject), 60))
		}
	}
	if len(d.Activity) > 0 {
		fmt.Fprintln(w, "\nActivity")
		for _, a := range d.Activity {
			who := plainLine(a.ActorName)
			switch {
			case a.ActorID == nil:
				who = "Helpline"
			case a.ActorRole == "csa":
				who += " (solutions architect)"
			case a.ActorRole != "":
				who += " (staff)"
			}
			mark := ""
			if a.Internal {
				mark = " [internal]"
			}
			fmt.Fprintf(w, "\n-- %s, %s%s: %s\n", who, utc(a.CreatedAt), mark, activityWords(a))
			if strings.TrimSpace(a.Body) != "" {
				fmt.Fprintln(w, indent(plainBlock(a.Body), "   "))
			}
		}
	}
}

// plainBlock is text without terminal control characters; lines and
// their indentation are kept.
func plainBlock(s string) string {
	lines := strings.Split(strings.ReplaceAll(strings.TrimRight(s, "\n"), "\t", "    "), "\n")
	for i, l := range lines {
		l = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return -1
			}
			return r
		}, l)
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	return strings.Join(lines, "\n")
}

func activityWords(a client.EngagementActivity) string {
	str := func(k string) string {
		switch v := a.Data[k].(type) {
		case string:
			return plainLine(v)
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return ""
	}
	switch a.Kind {
	case "comment":
		return "wrote"
	case "requested":
		return "requested it"
	case "state_changed":
		return fmt.Sprintf("moved it from %s to %s", strings.ReplaceAll(str("from"), "_", " "), strings.ReplaceAll(str("to"), "_", " "))
	case "owner_changed":
		if str("owner") == "" {
			return "cleared the owner"
		}
		return "made " + str("owner") + " the owner"
	case "meeting_scheduled":
		return "scheduled the meeting " + strconv.Quote(str("title"))
	case "meeting_updated":
		return "updated the meeting " + strconv.Quote(str("title"))
	case "deliverable_added":
		return "added the deliverable " + strconv.Quote(str("title"))
	case "reminder_sent":
		return "sent the " + str("reminder") + " reminder"
	case "converted_to_ticket":
		return "moved it to Support as ticket #" + str("ticket_number")
	case "converted_from_ticket":
		return "opened it from ticket #" + str("ticket_number")
	}
	return strings.ReplaceAll(a.Kind, "_", " ")
}

// ---- request ----

// splitList reads a repeatable flag given as --app a --app b, or --app a,b.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

func engagementRequest(kind string) func(context.Context, *client.Client, []string, io.Reader, io.Writer, io.Writer) error {
	return engagementForm(kind, 0)
}

// engagementEdit replaces engagement id's form with the flags, which take
// every field again (PUT /api/v1/engagements/{id}/request).
func engagementEdit(kind string, id int64) func(context.Context, *client.Client, []string, io.Reader, io.Writer, io.Writer) error {
	return engagementForm(kind, id)
}

// engagementForm reads a kind's form from flags and requests an
// engagement, or, with editID, replaces that engagement's form.
func engagementForm(kind string, editID int64) func(context.Context, *client.Client, []string, io.Reader, io.Writer, io.Writer) error {
	return func(ctx context.Context, c *client.Client, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
		cmd := "request " + kind
		if editID != 0 {
			cmd = fmt.Sprintf("edit %d %s", editID, kind)
		}
		fs := newFlags("engagement "+cmd, stderr)
		var org *int64
		var notBreakFix *bool
		if editID == 0 {
			org = fs.Int64("org", 0, "organization `ID`, when you belong to several enterprise organizations")
			notBreakFix = fs.Bool("not-break-fix", false, "confirm this is not a current outage (after a break/fix refusal)")
		}
		asJSON := fs.Bool("json", false, "print the server's JSON")
		var apps multiFlag
		req := client.EngagementRequest{Kind: kind}
		var read func() error
		switch kind {
		case "event":
			in := &client.EventInput{}
			req.Event = in
			fs.StringVar(&in.Name, "name", "", "the event's name, e.g. \"Spring launch\"")
			fs.StringVar(&in.StartsAt, "starts-at", "", "when it starts: 2026-04-02T09:00 in --time-zone, or with an offset")
			fs.StringVar(&in.TimeZone, "time-zone", "", "IANA time `ZONE` of --starts-at, e.g. America/New_York")
			fs.IntVar(&in.PeakRPS, "peak-rps", 0, "expected peak requests per second")
			fs.IntVar(&in.PeakConcurrentUsers, "peak-users", 0, "expected users at once at the peak")
			fs.Var(&apps, "app", "an app `NAME` involved (repeatable)")
			fs.StringVar(&in.DynoFormation, "dynos", "", "the current dyno formation, e.g. \"web=10:performance-l worker=4:standard-2x\"")
			fs.StringVar(&in.DatabasePlan, "database", "", "the database plan, e.g. heroku-postgresql:premium-4")
			concerns := newTextOrFile(fs, "concerns", "what worries you")
			read = func() (err error) {
				in.Apps = splitList(apps)
				in.Concerns, err = concerns.value(stdin)
				return err
			}
		case "performance":
			in := &client.PerformanceInput{}
			req.Performance = in
			fs.Var(&apps, "app", "an app `NAME` to analyse (repeatable)")
			fs.StringVar(&in.Symptoms, "symptoms", "", "what you see: slow responses, memory growth, timeouts…")
			metrics := fs.String("metrics-file", "", "metrics or log excerpts from `FILE` (- for stdin)")
			fs.StringVar(&in.Since, "since", "", "since when, with a time zone, e.g. 2026-02-17T09:00:00Z")
			read = func() (err error) {
				in.Apps = splitList(apps)
				if *metrics != "" {
					in.Metrics, err = readText(stdin, "metrics-file", *metrics)
				}
				return err
			}
		case "architecture":
			in := &client.ArchitectureInput{}
			req.Architecture = in
			fs.StringVar(&in.Goal, "goal", "", "what you want to achieve")
			design := newTextOrFile(fs, "current-design", "how it is built today")
			fs.StringVar(&in.Constraints, "constraints", "", "what the design must respect: budget, compliance, downtime…")
			fs.StringVar(&in.Deadline, "deadline", "", "the day you need the review by, YYYY-MM-DD")
			read = func() (err error) {
				in.CurrentDesign, err = design.value(stdin)
				return err
			}
		}
		if err := fs.Parse(args); err != nil {
			return usageErr(err)
		}
		if fs.NArg() > 0 {
			return engUsagef(stderr, cmd, "unexpected argument %q: every field is a flag (quote text with spaces)", fs.Arg(0))
		}
		if err := read(); err != nil {
			return err
		}
		var e client.Engagement
		var err error
		if editID != 0 {
			if *asJSON {
				return describeEngagement(doRaw(ctx, c, "PUT", fmt.Sprintf("/api/v1/engagements/%d/request", editID), req, stdout), nil)
			}
			if e, err = c.UpdateEngagementRequest(ctx, editID, req); err != nil {
				return describeEngagement(err, nil)
			}
			fmt.Fprintf(stdout, "Updated engagement %d: %s\n", e.ID, e.Title)
			return nil
		}
		req.OrganizationID, req.NotBreakFix = *org, *notBreakFix
		if *asJSON {
			err = doRaw(ctx, c, "POST", "/api/v1/engagements", req, stdout)
		} else {
			e, err = c.RequestEngagement(ctx, req)
		}
		if bf, ok := client.BreakFix(err); ok {
			if *asJSON {
				_ = printJSON(stdout, map[string]any{"error": map[string]any{"code": bf.Code, "message": bf.Message, "fields": bf.Fields, "hint": bf.Hint}, "urgent_ticket": bf.UrgentTicket})
			}
			return breakFixAdvice(bf, args)
		}
		if err != nil {
			return describeEngagement(err, nil)
		}
		if *asJSON {
			return nil
		}
		fmt.Fprintf(stdout, "Requested engagement %d: %s\n", e.ID, e.Title)
		fmt.Fprintln(stdout, "A solutions architect will reply within two business days; follow it with helpline engagement show", e.ID)
		return nil
	}
}

// breakFixAdvice explains a break/fix refusal: each sign by its flag, the
// urgent ticket to open, and how to confirm it is not an outage.
func breakFixAdvice(bf *client.Error, args []string) error {
	var b strings.Builder
	b.WriteString(bf.Message)
	b.WriteString(fieldLines(bf.Fields, nil))
	b.WriteString("\n\nIf something is broken now, open an urgent ticket: it reaches the on-call support engineer.\n  ")
	cmd := []string{"helpline", "ticket", "create", "-i", "--priority", "urgent"}
	if t := bf.UrgentTicket; t != nil {
		if t.OrganizationID != 0 {
			cmd = append(cmd, "--org", strconv.FormatInt(t.OrganizationID, 10))
		}
		if app := strings.TrimSpace(strings.Split(flagValue(args, "app"), ",")[0]); app != "" {
			cmd = append(cmd, "--app", app)
		}
		if t.Subject != "" {
			cmd = append(cmd, "--subject", t.Subject)
		}
		if t.Urgent != nil && t.Urgent.StartedAt != "" {
			cmd = append(cmd, "--started-at", t.Urgent.StartedAt)
		}
		if f := flagValue(args, "metrics-file"); f != "" && f != "-" {
			cmd = append(cmd, "--logs", f)
		}
	}
	for i, a := range cmd {
		cmd[i] = shellQuote(a)
	}
	b.WriteString(strings.Join(cmd, " "))
	b.WriteString("\n  (-i asks for the rest: what happens, users affected, business impact, logs…)")
	b.WriteString("\nIf this is not a current outage, run the same command again with --not-break-fix.")
	return errors.New(b.String())
}

// flagValue is the first value of flag name in a command's arguments.
func flagValue(args []string, name string) string {
	for i, a := range args {
		switch {
		case (a == "--"+name || a == "-"+name) && i+1 < len(args):
			return args[i+1]
		case strings.HasPrefix(a, "--"+name+"=") || strings.HasPrefix(a, "-"+name+"="):
			_, v, _ := strings.Cut(a, "=")
			return v
		}
	}
	return ""
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=+,@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ---- the CSA team's commands ----

// printEngagementResult prints an engagement after a change, or its JSON.
func printEngagementResult(w io.Writer, e client.Engagement, asJSON bool, format string, args ...any) error {
	if asJSON {
		return printJSON(w, e)
	}
	fmt.Fprintf(w, format+"\n", args...)
	return nil
}

func engagementState(ctx context.Context, c *client.Client, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("engagement state", stderr)
	note := fs.String("note", "", "why, for the customer (required to close)")
	asJSON := fs.Bool("json", false, "print the engagement as JSON")
	pos, err := positional(stderr, fs, "state", args, "ID", "STATE")
	if err != nil {
		return err
	}
	id, err := engagementID(stderr, "state", pos[0])
	if err != nil {
		return err
	}
	e, err := c.SetEngagementState(ctx, id, strings.ReplaceAll(pos[1], "-", "_"), *note)
	if err != nil {
		return describeEngagement(err, map[string]string{"state": "STATE"})
	}
	return printEngagementResult(stdout, e, *asJSON, "Engagement %d is now %s.", e.ID, strings.ReplaceAll(e.State, "_", " "))
}

func engagementAssign(ctx context.Context, c *client.Client, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("engagement assign", stderr)
	asJSON := fs.Bool("json", false, "print the engagement as JSON")
	pos, err := positional(stderr, fs, "assign", args, "ID", "USER_ID")
	if err != nil {
		return err
	}
	id, err := engagementID(stderr, "assign", pos[0])
	if err != nil {
		return err
	}
	var owner int64
	switch pos[1] {
	case "none":
	case "me":
		me, err := c.Me(ctx)
		if err != nil {
			return describeEngagement(err, nil)
		}
		owner = me.User.ID
	default:
		if owner, err = strconv.ParseInt(pos[1], 10, 64); err != nil || owner <= 0 {
			return engUsagef(stderr, "assign", "%q is not a user ID: give a solutions architect's ID (GET /api/v1/architects lists them), me or none", pos[1])
		}
	}
	e, err := c.AssignEngagement(ctx, id, owner)
	if err != nil {
		return describeEngagement(err, nil)
	}
	if e.OwnerID == nil {
		return printEngagementResult(stdout, e, *asJSON, "Engagement %d has no owner now.", e.ID)
	}
	return printEngagementResult(stdout, e, *asJSON, "%s owns engagement %d.", plainLine(e.OwnerName), e.ID)
}

func engagementComment(ctx context.Context, c *client.Client, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("engagement comment", stderr)
	body := newTextOrFile(fs, "body", "the message (Markdown)")
	internal := fs.Bool("internal", false, "an internal note, seen only by staff (staff only)")
	pos, err := positional(stderr, fs, "comment", args, "ID")
	if err != nil {
		return err
	}
	id, err := engagementID(stderr, "comment", pos[0])
	if err != nil {
		return err
	}
	if *body.text == "-" {
		*body.text, *body.file = "", "-"
	}
	if *body.text == "" && *body.file == "" {
		return engUsagef(stderr, "comment", "give the message with --body TEXT, --body-file FILE or --body-file - (stdin)")
	}
	text, err := body.value(stdin)
	if err != nil {
		return err
	}
	a, err := c.CommentEngagement(ctx, id, text, *internal)
	if err != nil {
		return describeEngagement(err, nil)
	}
	if a.Internal {
		fmt.Fprintf(stdout, "Added an internal note to engagement %d.\n", id)
	} else {
		fmt.Fprintf(stdout, "Wrote on engagement %d.\n", id)
	}
	return nil
}

func engagementMeeting(ctx context.Context, c *client.Client, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("engagement meeting", stderr)
	var in client.MeetingInput
	fs.StringVar(&in.Title, "title", "", "what the meeting is, e.g. Kick-off")
	fs.StringVar(&in.StartsAt, "starts-at", "", "when: 2026-03-05T10:00 in --time-zone, or with an offset")
	fs.StringVar(&in.TimeZone, "time-zone", "", "IANA time `ZONE` (default UTC)")
	fs.IntVar(&in.DurationMinutes, "duration", 60, "length in `MINUTES`, 5 to 480")
	fs.StringVar(&in.Notes, "notes", "", "agenda or notes (Markdown)")
	asJSON := fs.Bool("json", false, "print the meeting as JSON")
	pos, err := positional(stderr, fs, "meeting", args, "ID")
	if err != nil {
		return err
	}
	id, err := engagementID(stderr, "meeting", pos[0])
	if err != nil {
		return err
	}
	m, err := c.AddMeeting(ctx, id, in)
	if err != nil {
		return describeEngagement(err, nil)
	}
	if *asJSON {
		return printJSON(stdout, m)
	}
	fmt.Fprintf(stdout, "Scheduled meeting %d of engagement %d: %s, %s, %d min.\n", m.ID, id, plainLine(m.Title), localTime(m.StartsAt, m.TimeZone), m.DurationMinutes)
	return nil
}

func engagementDeliver(ctx context.Context, c *client.Client, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("engagement deliver", stderr)
	file := fs.String("file", "", "upload `FILE` (a report, a load-test plan)")
	article := fs.String("article", "", "hand over the published Dev Center article `SLUG` (as in /docs/SLUG)")
	title := fs.String("title", "", "the deliverable's title (default: the file name or the article's title)")
	asJSON := fs.Bool("json", false, "print the deliverable as JSON")
	pos, err := positional(stderr, fs, "deliver", args, "ID")
	if err != nil {
		return err
	}
	id, err := engagementID(stderr, "deliver", pos[0])
	if err != nil {
		return err
	}
	var d client.Deliverable
	switch {
	case (*file == "") == (*article == ""):
		return engUsagef(stderr, "deliver", "give --file FILE or --article SLUG (one of them)")
	case *file != "":
		f, err := os.Open(*file)
		if err != nil {
			return fmt.Errorf("--file: %w", err)
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return fmt.Errorf("--file: %s is a directory; deliver files one by one", *file)
		}
		d, err = c.DeliverFile(ctx, id, *title, filepath.Base(*file), f)
		if err != nil {
			return describeEngagement(err, nil)
		}
	default:
		if d, err = c.DeliverArticle(ctx, id, *title, *article); err != nil {
			return describeEngagement(err, nil)
		}
	}
	if *asJSON {
		return printJSON(stdout, d)
	}
	if d.Kind == "file" {
		fmt.Fprintf(stdout, "Delivered %q (%s, %d bytes) on engagement %d.\n", plainLine(d.Title), plainLine(d.Filename), d.Size, id)
	} else {
		fmt.Fprintf(stdout, "Delivered %q (%s) on engagement %d.\n", plainLine(d.Title), d.ArticleURL, id)
	}
	return nil
}

func engagementToTicket(ctx context.Context, c *client.Client, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("engagement to-ticket", stderr)
	note := fs.String("note", "", "why, for the customer (kept on both)")
	priority := fs.String("priority", "high", "high, normal or low (the customer can raise it to urgent)")
	asJSON := fs.Bool("json", false, "print the ticket as JSON")
	pos, err := positional(stderr, fs, "to-ticket", args, "ID")
	if err != nil {
		return err
	}
	id, err := engagementID(stderr, "to-ticket", pos[0])
	if err != nil {
		return err
	}
	t, err := c.EngagementToTicket(ctx, id, *priority, *note)
	if err != nil {
		return describeEngagement(err, nil)
	}
	if *asJSON {
		return printJSON(stdout, t)
	}
	fmt.Fprintf(stdout, "Engagement %d is now ticket #%d (%s priority): %s\n", id, t.Number, t.Priority, t.URL)
	return nil
}

func engagementFromTicket(ctx context.Context, c *client.Client, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("engagement from-ticket", stderr)
	kind := fs.String("kind", "", "event, performance or architecture")
	note := fs.String("note", "", "the public reply on the ticket: why, and where the work continues")
	asJSON := fs.Bool("json", false, "print the engagement as JSON")
	pos, err := positional(stderr, fs, "from-ticket", args, "TICKET")
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(pos[0], "#"), 10, 64)
	if err != nil || n <= 0 {
		return engUsagef(stderr, "from-ticket", "%q is not a ticket number; give the number shown as #1001, e.g. 1001", pos[0])
	}
	tid, err := ticketID(ctx, c, n)
	if err != nil {
		return err
	}
	e, err := c.TicketToEngagement(ctx, tid, *kind, *note)
	if err != nil {
		return describeEngagement(err, nil)
	}
	return printEngagementResult(stdout, e, *asJSON, "Ticket #%d is solved; it continues as engagement %d: %s", n, e.ID, plainLine(e.Title))
}

func engagementWithdraw(ctx context.Context, c *client.Client, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("engagement withdraw", stderr)
	reason := fs.String("reason", "", "why, for the CSA team")
	asJSON := fs.Bool("json", false, "print the engagement as JSON")
	pos, err := positional(stderr, fs, "withdraw", args, "ID")
	if err != nil {
		return err
	}
	id, err := engagementID(stderr, "withdraw", pos[0])
	if err != nil {
		return err
	}
	e, err := c.WithdrawEngagement(ctx, id, *reason)
	if err != nil {
		return describeEngagement(err, nil)
	}
	return printEngagementResult(stdout, e, *asJSON, "Withdrew engagement %d.", e.ID)
}

// ---- helpline calendar ----

const calendarUsage = `Usage: helpline calendar [--from D] [--to D] [--json]

The staff calendar: customers' high-traffic events, engagement meetings and
scheduled maintenance, soonest first. D is a day (2026-03-01; --to includes
that day) or an RFC 3339 time; default from now to 30 days later. Staff only.
`

func calendarCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("calendar", stderr)
	fs.Usage = func() { fmt.Fprint(stderr, calendarUsage) }
	from := fs.String("from", "", "start: a day or an RFC 3339 time (default now)")
	to := fs.String("to", "", "end: a day (included) or an RFC 3339 time (default 30 days after --from)")
	asJSON := fs.Bool("json", false, "print the server's JSON")
	if len(args) > 0 && args[0] == "help" {
		fmt.Fprint(stdout, calendarUsage)
		return nil
	}
	if err := fs.Parse(args); err != nil {
		return usageErr(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "helpline calendar: unexpected argument %q\n\n%s", fs.Arg(0), calendarUsage)
		return errUsage
	}
	c, err := apiClient(getenv)
	if err != nil {
		return err
	}
	overrides := map[string]string{"from": "--from", "to": "--to"}
	if *asJSON {
		q := url.Values{}
		if *from != "" {
			q.Set("from", *from)
		}
		if *to != "" {
			q.Set("to", *to)
		}
		path := "/api/v1/calendar"
		if len(q) > 0 {
			path += "?" + q.Encode()
		}
		return netHint(c, describeEngagement(doRaw(ctx, c, "GET", path, nil, stdout), overrides))
	}
	cal, err := c.Calendar(ctx, *from, *to)
	if err != nil {
		return netHint(c, describeEngagement(err, overrides))
	}
	fmt.Fprintf(stdout, "%s to %s\n", utc(cal.From), utc(cal.To))
	if len(cal.Entries) == 0 {
		fmt.Fprintln(stdout, "Nothing on the calendar.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tKIND\tTITLE\tORGANIZATION\tOWNER\tDETAIL")
	for _, e := range cal.Entries {
		org := plainLine(e.OrganizationName)
		if e.Plan != "" {
			org += " (" + e.Plan + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", utc(e.StartsAt), e.Kind, oneLine(plainLine(e.Title), 40), orDash(org), orDash(plainLine(e.OwnerName)), oneLine(plainLine(e.Detail), 60))
	}
	return tw.Flush()
}

// ---- helpline enterprise ----

const enterpriseUsage = `Usage: helpline enterprise resources [--json]

  resources [--json]    the enterprise portal's curated collections and every
                        enterprise article (customers of enterprise plans, and staff)
`

func enterpriseCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, enterpriseUsage)
		return errUsage
	}
	switch args[0] {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, enterpriseUsage)
		return nil
	case "resources":
	default:
		fmt.Fprintf(stderr, "helpline enterprise: unknown command %q\n\n%s", args[0], enterpriseUsage)
		return errUsage
	}
	fs := newFlags("enterprise resources", stderr)
	asJSON := fs.Bool("json", false, "print the server's JSON")
	if err := fs.Parse(args[1:]); err != nil {
		return usageErr(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "helpline enterprise resources: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	c, err := apiClient(getenv)
	if err != nil {
		return err
	}
	if *asJSON {
		return netHint(c, describeEngagement(doRaw(ctx, c, "GET", "/api/v1/enterprise/collections", nil, stdout), nil))
	}
	res, err := c.EnterpriseResources(ctx)
	if err != nil {
		return netHint(c, describeEngagement(err, nil))
	}
	if len(res.Collections) == 0 && len(res.Resources) == 0 {
		fmt.Fprintln(stdout, "No enterprise resources yet.")
		return nil
	}
	for _, col := range res.Collections {
		fmt.Fprintln(stdout, plainLine(col.Title))
		if col.Description != "" {
			fmt.Fprintln(stdout, indent(plainBlock(col.Description), "  "))
		}
		for _, it := range col.Items {
			draft := ""
			if !it.Published {
				draft = " [draft]"
			}
			fmt.Fprintf(stdout, "  %s  %s%s\n", it.URL, plainLine(it.Title), draft)
			if it.Note != "" {
				fmt.Fprintf(stdout, "      %s\n", plainLine(it.Note))
			}
		}
		fmt.Fprintln(stdout)
	}
	if len(res.Resources) > 0 {
		fmt.Fprintln(stdout, "All enterprise articles")
		for _, a := range res.Resources {
			fmt.Fprintf(stdout, "  %s  %s\n", a.URL, plainLine(a.Title))
		}
	}
	return nil
}
