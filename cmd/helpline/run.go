package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/helpline-dev/helpline/internal/config"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

const usage = `Helpline: an open-source developer support platform.

Usage: helpline <command> [flags]

Server:
  serve [--demo]        run the web UI, the API and the background jobs
  migrate               migrate the database and exit
  version               print the version

Administration (works on the database directly: DATABASE_URL / HELPLINE_DATA_DIR):
  admin create-org      --name NAME --plan free|standard|enterprise|premier|legacy_enterprise
  admin create-user     --email E --name N --password P (--org NAME --role member|owner | --staff agent|csa|admin)
  admin create-token    --email E [--name NAME]   prints only the token
  admin seed-tickets    --count N                 adds synthetic tickets for load tests

Client (talks to a server: HELPLINE_URL, HELPLINE_TOKEN):
  whoami                show who the token belongs to
  ticket create         open a ticket: --subject S --description D [--priority P] (-i asks for each field)
  ticket list           list your tickets [--status S] [--json]
  ticket show NUMBER    show a ticket and its conversation [--json]
  ticket comment NUMBER reply: --body TEXT | --body-file FILE|- [--internal]
  ticket share NUMBER   print the ticket's share URL [--rotate]
  sla report            SLA attainment per plan and priority [--from D --to D] [--json]
  oncall who            who is on call now [--schedule NAME|ID] [--at TIME] [--json]
  page list             open pages [--status S] [--json]
  page ack ID           acknowledge a page (stops its escalation)
  page resolve ID       resolve a page
  kb search QUERY...    search the help center [--scope S] [--limit N] [--json] (no token: public content)
  docs export DIR       write articles as DIR/<section>/<slug>.md [--all: drafts too]
  docs import DIR       create or update articles from DIR's Markdown files [--dry-run] (staff)
  docs show SLUG|CODE   print an article or an error code's entry (H12) [--json]
  status                the platform's status: components, incidents, maintenance [--json] (no token)
  status incident       create, update or list incidents (staff); see helpline status help
  status maintenance    schedule maintenance: schedule --name N --from T --until T --body B (staff)
  status notify         notify the organizations of matching apps: --title T [--addon A] [--region R] [--app N] (staff)
  engagement list       enterprise engagements [--state S] [--kind K] [--owner me|none|ID] [--json]
  engagement show ID    an engagement: details, meetings, deliverables, activity [--json]
  engagement request    ask the solutions architects for help: event, performance or architecture
  engagement …          state, assign, comment, meeting, deliver, to-ticket, from-ticket, withdraw;
                        see helpline engagement help
  calendar              customers' events, meetings and maintenance ahead [--from D] [--to D] [--json] (staff)
  enterprise resources  the enterprise portal's collections and articles [--json]

Local (no server or token needed):
  logs diagnose [FILE|-]  say what went wrong in platform logs (stdin when - or no FILE) [--json] [--production]

Configuration is read from environment variables; see the README.
`

// errUsage marks errors whose message was already printed with the usage
// text; they exit with status 2.
var errUsage = errors.New("usage")

// usageErr turns a flag parsing error into errUsage: the flag package has
// printed it already. -h stays flag.ErrHelp.
func usageErr(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return errUsage
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return 0
	case "version", "--version":
		fmt.Fprintln(stdout, "helpline", buildVersion())
		return 0
	case "serve":
		err = serve(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		err = migrate(ctx, getenv, stdout, stderr)
	case "admin":
		err = admin(ctx, rest, getenv, stdout, stderr)
	case "whoami":
		err = whoami(ctx, getenv, stdout)
	case "ticket":
		err = ticketCmd(ctx, rest, getenv, stdin, stdout, stderr)
	case "sla":
		err = slaCmd(ctx, rest, getenv, stdout, stderr)
	case "oncall":
		err = oncallCmd(ctx, rest, getenv, stdout, stderr)
	case "page":
		err = pageCmd(ctx, rest, getenv, stdout, stderr)
	case "docs":
		err = docsCmd(ctx, rest, getenv, stdout, stderr)
	case "kb":
		err = kbCmd(ctx, rest, getenv, stdout, stderr)
	case "status":
		err = statusCmd(ctx, rest, getenv, stdout, stderr)
	case "engagement", "engagements":
		err = engagementCmd(ctx, rest, getenv, stdin, stdout, stderr)
	case "calendar":
		err = calendarCmd(ctx, rest, getenv, stdout, stderr)
	case "enterprise":
		err = enterpriseCmd(ctx, rest, getenv, stdout, stderr)
	case "logs":
		err = logsCmd(ctx, rest, getenv, stdin, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "helpline: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.Is(err, errUsage) {
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "helpline:", err)
		return 1
	}
	return 0
}

func buildVersion() string {
	v := version
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 7 {
				v += " (" + s.Value[:7] + ")"
			}
		}
	}
	return v
}

// loadConfig reads the configuration and makes the process's logger.
func loadConfig(getenv func(string) string, stderr io.Writer) (config.Config, *slog.Logger, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return cfg, nil, fmt.Errorf("configuration:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(stderr, opts)
	if cfg.Production {
		h = slog.NewJSONHandler(stderr, opts)
	}
	return cfg, slog.New(h), nil
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("helpline "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
