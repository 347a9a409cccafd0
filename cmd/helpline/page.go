package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/helpline-dev/helpline/client"
)

const pageUsage = `Usage: helpline page <command> [flags]

  list [--status S] [--json]      list pages (default: open ones; all, triggered, acknowledged, resolved)
  show ID [--json]                show a page, its timeline and its delivery log
  ack ID [--json]                 acknowledge a page: escalation stops
  resolve ID [--json]             resolve a page

Pages are for staff; run helpline page <command> -h for the flags of a command.
`

// pageCmd runs `helpline page …` against the server at HELPLINE_URL.
func pageCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, pageUsage)
		return errUsage
	}
	var run func(context.Context, *client.Client, []string, io.Writer, io.Writer) error
	switch args[0] {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, pageUsage)
		return nil
	case "list":
		run = pageList
	case "show":
		run = pageShow
	case "ack", "acknowledge":
		run = pageAct("ack", (*client.Client).AcknowledgePage)
	case "resolve":
		run = pageAct("resolve", (*client.Client).ResolvePage)
	default:
		fmt.Fprintf(stderr, "helpline page: unknown command %q\n\n%s", args[0], pageUsage)
		return errUsage
	}
	c, err := apiClient(getenv)
	if err != nil {
		return err
	}
	err = run(ctx, c, args[1:], stdout, stderr)
	if isNetError(err) {
		return fmt.Errorf("%w (is a Helpline server running at HELPLINE_URL=%s?)", err, c.BaseURL)
	}
	return err
}

func pageUsagef(stderr io.Writer, cmd, format string, args ...any) error {
	fmt.Fprintf(stderr, "helpline page %s: %s\n", cmd, fmt.Sprintf(format, args...))
	return errUsage
}

func pageList(ctx context.Context, c *client.Client, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("page list", stderr)
	status := fs.String("status", "open", "open, all, triggered, acknowledged or resolved")
	asJSON := fs.Bool("json", false, "print the server's JSON")
	if err := fs.Parse(args); err != nil {
		return usageErr(err)
	}
	if fs.NArg() > 0 {
		return pageUsagef(stderr, "list", "unexpected argument %q", fs.Arg(0))
	}
	st := *status
	if st == "all" {
		st = ""
	}
	if *asJSON {
		path := "/api/v1/pages"
		if st != "" {
			path += "?" + url.Values{"status": {st}}.Encode()
		}
		return printRaw(ctx, c, path, stdout)
	}
	pages, err := c.ListPages(ctx, client.PageFilter{Status: st})
	if err != nil {
		return describe(err)
	}
	if len(pages) == 0 {
		fmt.Fprintln(stdout, "No pages.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tLEVEL\tTRIGGERED\tACKNOWLEDGED BY\tSUMMARY")
	for _, p := range pages {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\n", p.ID, p.Status, p.Level+1, p.TriggeredAt.UTC().Format("2006-01-02 15:04 UTC"),
			orDash(p.AcknowledgedByName), oneLine(p.Summary, 70))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func pageArg(stderr io.Writer, cmd string, fs interface {
	NArg() int
	Arg(int) string
}) (int64, error) {
	if fs.NArg() != 1 {
		return 0, pageUsagef(stderr, cmd, "give one page ID")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return 0, pageUsagef(stderr, cmd, "%q is not a page ID", fs.Arg(0))
	}
	return id, nil
}

func pageShow(ctx context.Context, c *client.Client, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("page show", stderr)
	asJSON := fs.Bool("json", false, "print the page and its deliveries as JSON")
	if err := fs.Parse(args); err != nil {
		return usageErr(err)
	}
	id, err := pageArg(stderr, "show", fs)
	if err != nil {
		return err
	}
	p, err := c.GetPage(ctx, id)
	if err != nil {
		return describe(err)
	}
	ds, err := c.PageDeliveries(ctx, id)
	if err != nil {
		return describe(err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"page": p, "deliveries": ds})
	}
	at := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }
	fmt.Fprintf(stdout, "Page %d: %s\n", p.ID, p.Summary)
	fmt.Fprintf(stdout, "Status:    %s (severity %s, %s)\n", p.Status, p.Severity, p.Reason)
	if p.TicketNumber != 0 {
		fmt.Fprintf(stdout, "Ticket:    #%d\n", p.TicketNumber)
	}
	fmt.Fprintf(stdout, "Policy:    %s, level %d", orDash(p.PolicyName), p.Level+1)
	if p.EscalateAt != nil {
		fmt.Fprintf(stdout, ", escalates at %s", at(*p.EscalateAt))
	}
	fmt.Fprintln(stdout)
	if p.Message != "" {
		fmt.Fprintf(stdout, "Message:   %s\n", p.Message)
	}
	fmt.Fprintf(stdout, "Triggered: %s\n", at(p.TriggeredAt))
	if p.AcknowledgedAt != nil {
		fmt.Fprintf(stdout, "Acked:     %s by %s, after %s\n", at(*p.AcknowledgedAt), orDash(p.AcknowledgedByName), p.AcknowledgedAt.Sub(p.TriggeredAt).Round(time.Second))
	}
	if p.ResolvedAt != nil {
		fmt.Fprintf(stdout, "Resolved:  %s by %s\n", at(*p.ResolvedAt), orDash(p.ResolvedByName))
	}
	fmt.Fprintln(stdout, "\nDeliveries:")
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tTO\tMETHOD\tEVENT\tLEVEL\tSTATUS\tATTEMPTS\tLAST ERROR")
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%s\t%s %s\t%s\t%d\t%s\t%d\t%s\n", d.CreatedAt.UTC().Format("15:04:05"), orDash(d.UserName), d.Kind, d.Address, d.Event, d.Level+1, d.Status, d.Attempts, oneLine(d.LastError, 60))
	}
	return tw.Flush()
}

func pageAct(cmd string, do func(*client.Client, context.Context, int64) (client.OncallPage, error)) func(context.Context, *client.Client, []string, io.Writer, io.Writer) error {
	return func(ctx context.Context, c *client.Client, args []string, stdout, stderr io.Writer) error {
		fs := newFlags("page "+cmd, stderr)
		asJSON := fs.Bool("json", false, "print the page as JSON")
		if err := fs.Parse(args); err != nil {
			return usageErr(err)
		}
		id, err := pageArg(stderr, cmd, fs)
		if err != nil {
			return err
		}
		p, err := do(c, ctx, id)
		if err != nil {
			return describe(err)
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(p)
		}
		switch p.Status {
		case "acknowledged":
			fmt.Fprintf(stdout, "Page %d acknowledged by %s: escalation stopped.\n", p.ID, orDash(p.AcknowledgedByName))
		case "resolved":
			fmt.Fprintf(stdout, "Page %d resolved.\n", p.ID)
		default:
			fmt.Fprintf(stdout, "Page %d is %s.\n", p.ID, p.Status)
		}
		return nil
	}
}
