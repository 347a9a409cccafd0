package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/helpline-dev/helpline/client"
)

const slaUsage = `Usage: helpline sla <command> [flags]

  report [--from D] [--to D] [--json]   targets met per plan and priority, and response times
                                        (days YYYY-MM-DD, both included; default the last 30 days)
  policies [--json]                     the targets of every plan and priority

Staff only.
`

// slaCmd runs `helpline sla …` against the server at HELPLINE_URL.
func slaCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, slaUsage)
		return errUsage
	}
	var run func(context.Context, *client.Client, []string, io.Writer, io.Writer) error
	switch args[0] {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, slaUsage)
		return nil
	case "report":
		run = slaReport
	case "policies":
		run = slaPolicies
	default:
		fmt.Fprintf(stderr, "helpline sla: unknown command %q\n\n%s", args[0], slaUsage)
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

func slaReport(ctx context.Context, c *client.Client, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sla report", stderr)
	from := fs.String("from", "", "first day, YYYY-MM-DD (default 30 days ago)")
	to := fs.String("to", "", "last day, YYYY-MM-DD (default today)")
	asJSON := fs.Bool("json", false, "print the server's JSON")
	if err := fs.Parse(args); err != nil {
		return usageErr(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "helpline sla report: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if *asJSON {
		q := url.Values{}
		if *from != "" {
			q.Set("from", *from)
		}
		if *to != "" {
			q.Set("to", *to)
		}
		path := "/api/v1/reports/sla"
		if len(q) > 0 {
			path += "?" + q.Encode()
		}
		return printRaw(ctx, c, path, stdout)
	}
	rep, err := c.SLAReport(ctx, *from, *to)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "SLA report %s to %s\n\n", rep.From.UTC().Format("2006-01-02"), rep.To.UTC().AddDate(0, 0, -1).Format("2006-01-02"))
	if len(rep.Rows) == 0 {
		fmt.Fprintln(stdout, "No tickets in this period.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PLAN\tPRIORITY\tFIRST RESPONSE MET\tNEXT RESPONSE MET\tRESOLUTION MET\tTICKETS\tMEDIAN FIRST RESPONSE\tP90\tMEDIAN ACK")
	for _, r := range rep.Rows {
		met := map[string]string{}
		for _, m := range r.Metrics {
			met[m.Metric] = shareCell(m.Met, m.Targets, m.ShareMet)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", r.Plan, r.Priority, dash(met["first_response"]), dash(met["next_response"]), dash(met["resolution"]),
			r.FirstResponse.Tickets, seconds(r.FirstResponse.MedianSeconds), seconds(r.FirstResponse.P90Seconds), seconds(r.Acknowledge.MedianSeconds))
	}
	return tw.Flush()
}

func shareCell(met, targets int, share *float64) string {
	if share == nil {
		return ""
	}
	return fmt.Sprintf("%.0f%% (%d/%d)", *share*100, met, targets)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// seconds shows a duration for people, "-" when there is none.
func seconds(s *int64) string {
	if s == nil {
		return "-"
	}
	d := time.Duration(*s) * time.Second
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
}

func slaPolicies(ctx context.Context, c *client.Client, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sla policies", stderr)
	asJSON := fs.Bool("json", false, "print the server's JSON")
	if err := fs.Parse(args); err != nil {
		return usageErr(err)
	}
	if *asJSON {
		return printRaw(ctx, c, "/api/v1/sla/policies", stdout)
	}
	ps, err := c.SLAPolicies(ctx)
	if err != nil {
		return describe(err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PLAN\tPRIORITY\tFIRST RESPONSE\tNEXT RESPONSE\tRESOLUTION\tHOURS\tWARN")
	for _, p := range ps {
		cal := "24x7"
		if p.CalendarName != "" {
			cal = p.CalendarName
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Plan, p.Priority, minutes(p.FirstResponseMinutes), minutes(p.NextResponseMinutes), minutes(p.ResolutionMinutes),
			cal, strings.TrimSuffix(minutes(&p.WarnMinutes), " 0m"))
	}
	return tw.Flush()
}

func minutes(m *int) string {
	if m == nil || *m == 0 {
		return "-"
	}
	h, r := *m/60, *m%60
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", r)
	case r == 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%02dm", h, r)
}
