package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/helpline-dev/helpline/client"
)

const oncallUsage = `Usage: helpline oncall <command> [flags]

  who [--schedule NAME|ID] [--at TIME] [--json]   who is on call now, or at TIME, in every schedule or one
  schedules [--json]                              list the on-call schedules and their layers

TIME is RFC 3339 (2025-03-10T09:00:00-05:00) or "2025-03-10 14:00" in UTC.
`

// oncallCmd runs `helpline oncall …` against the server at HELPLINE_URL.
func oncallCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, oncallUsage)
		return errUsage
	}
	var run func(context.Context, *client.Client, []string, io.Writer, io.Writer) error
	switch args[0] {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, oncallUsage)
		return nil
	case "who":
		run = oncallWho
	case "schedules":
		run = oncallSchedules
	default:
		fmt.Fprintf(stderr, "helpline oncall: unknown command %q\n\n%s", args[0], oncallUsage)
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
	return describe(err)
}

// parseCLITime reads --at: RFC 3339, or a date and time in UTC.
func parseCLITime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--at %q: use RFC 3339 (2025-03-10T09:00:00Z) or \"2025-03-10 14:00\" (UTC)", s)
}

// findSchedule resolves --schedule: an ID, or a name (exact, then ignoring case).
func findSchedule(ctx context.Context, c *client.Client, ref string) (int64, error) {
	scs, err := c.ListSchedules(ctx)
	if err != nil {
		return 0, err
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		for _, sc := range scs {
			if sc.ID == id {
				return id, nil
			}
		}
	}
	for _, sc := range scs {
		if sc.Name == ref {
			return sc.ID, nil
		}
	}
	for _, sc := range scs {
		if strings.EqualFold(sc.Name, ref) {
			return sc.ID, nil
		}
	}
	names := make([]string, len(scs))
	for i, sc := range scs {
		names[i] = fmt.Sprintf("%q", sc.Name)
	}
	if len(names) == 0 {
		return 0, fmt.Errorf("no schedule %q: there are no schedules yet", ref)
	}
	return 0, fmt.Errorf("no schedule %q; the schedules are %s", ref, strings.Join(names, ", "))
}

func oncallWho(ctx context.Context, c *client.Client, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("helpline oncall who", flag.ContinueOnError)
	fs.SetOutput(stderr)
	schedule := fs.String("schedule", "", "a schedule's name or ID (default: every schedule)")
	at := fs.String("at", "", "the time to ask about (default: now)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return usageErr(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "helpline oncall who: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	var when time.Time
	if *at != "" {
		t, err := parseCLITime(*at)
		if err != nil {
			return err
		}
		when = t
	}
	var id int64
	if *schedule != "" {
		var err error
		if id, err = findSchedule(ctx, c, *schedule); err != nil {
			return err
		}
	}
	who, err := c.WhoIsOnCall(ctx, id, when)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(who)
	}
	if len(who) == 0 {
		fmt.Fprintln(stdout, "No on-call schedules yet.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCHEDULE\tON CALL\tEMAIL\tVIA\tUNTIL")
	for _, oc := range who {
		s := oc.Shift
		if s == nil {
			fmt.Fprintf(tw, "%s\t(nobody)\t\t\t\n", oc.ScheduleName)
			continue
		}
		via := "layer " + s.LayerName
		if s.OverrideID != nil {
			via = "override"
		}
		until := s.End.UTC().Format("2006-01-02 15:04 UTC")
		if loc, err := time.LoadLocation(oc.TimeZone); err == nil {
			until = s.End.In(loc).Format("2006-01-02 15:04 MST")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", oc.ScheduleName, s.User.Name, s.User.Email, via, until)
	}
	return tw.Flush()
}

func oncallSchedules(ctx context.Context, c *client.Client, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("helpline oncall schedules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return usageErr(err)
	}
	scs, err := c.ListSchedules(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(scs)
	}
	if len(scs) == 0 {
		fmt.Fprintln(stdout, "No on-call schedules yet.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tTIME ZONE\tLAYERS")
	for _, sc := range scs {
		layers := make([]string, len(sc.Layers))
		for i, l := range sc.Layers {
			when := l.HandoffTime
			if l.Rotation == "weekly" {
				when = l.HandoffWeekday + " " + when
			}
			names := make([]string, len(l.Users))
			for j, u := range l.Users {
				names[j] = u.Name
			}
			layers[i] = fmt.Sprintf("%s (%s at %s: %s)", l.Name, l.Rotation, when, strings.Join(names, ", "))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", sc.ID, sc.Name, sc.TimeZone, strings.Join(layers, "; "))
	}
	return tw.Flush()
}
