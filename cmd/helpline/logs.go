package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/logdiag"
	"github.com/helpline-dev/helpline/internal/redact"
)

const logsUsage = `Usage: helpline logs diagnose [FILE|-] [--json] [--production]

  Reads platform logs (heroku logs output, log drain frames, stack traces)
  from FILE, or from standard input when FILE is - or missing, and says
  what went wrong: the error codes with their times, dynos and paths, what
  the lines mean together, and a suggested ticket priority.

  --json         print the diagnosis as the API's JSON (excerpt redacted)
  --production   the logs are a production app's: only then may the
                 suggested priority be urgent

Runs on this machine, without a server or a token, with no size limit.
Article links are absolute when HELPLINE_URL is set. Exits 0 when the logs
were read (even when they are full of errors), 1 when they could not be.
`

// logsCmd diagnoses logs locally.
func logsCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, logsUsage)
		return errUsage
	}
	switch args[0] {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, logsUsage)
		return nil
	case "diagnose":
		return logsDiagnose(args[1:], getenv, stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "helpline logs: unknown command %q\n\n%s", args[0], logsUsage)
	return errUsage
}

func logsDiagnose(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("logs diagnose", stderr)
	asJSON := fs.Bool("json", false, "print the diagnosis as JSON")
	production := fs.Bool("production", false, "the logs are a production app's")
	fs.Usage = func() { fmt.Fprint(stderr, logsUsage) }
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		fmt.Fprintf(stderr, "helpline logs diagnose: give one file, or - for standard input\n")
		return errUsage
	}
	in, name := stdin, "standard input"
	if len(pos) == 1 && pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		in, name = f, pos[0]
	}
	ref, err := docs.ShippedErrorCodeReference(getenv("HELPLINE_URL"))
	if err != nil {
		return err
	}
	d, err := logdiag.Diagnose(bufio.NewReaderSize(in, 1<<20), logdiag.Options{Reference: ref, Production: *production})
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	if *asJSON {
		red, err := redact.New()
		if err != nil {
			return err
		}
		d.Excerpt, _ = red.Redact(d.Excerpt)
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(d.WithEmptyLists())
	}
	return printDiagnosis(stdout, d)
}

// printDiagnosis writes the report for people.
func printDiagnosis(w io.Writer, d logdiag.Diagnosis) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "Read %d lines", d.Lines.Total)
	if d.Lines.Unparsed > 0 {
		fmt.Fprintf(bw, " (%d not log lines we know, kept as context)", d.Lines.Unparsed)
	}
	fmt.Fprintf(bw, "; %d with an error code.\n\n", d.Lines.Errors)

	if len(d.Codes) == 0 {
		fmt.Fprint(bw, "No platform error codes.\n\n")
	} else {
		tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tCOUNT\tFIRST (UTC)\tLAST (UTC)\tDYNOS\tPATHS\tSTATUSES")
		for _, c := range d.Codes {
			first, last := "-", "-"
			if !c.FirstAt.IsZero() {
				first, last = c.FirstAt.UTC().Format("2006-01-02 15:04:05"), c.LastAt.UTC().Format("2006-01-02 15:04:05")
			}
			var statuses []string
			for _, s := range c.Statuses {
				statuses = append(statuses, fmt.Sprint(s))
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\n", plain(c.Code), c.Count, first, last,
				listOrDash(c.Dynos, 4), listOrDash(c.Paths, 4), listOrDash(statuses, 4))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(bw)
		for _, c := range d.Codes {
			title := c.Title
			if title == "" {
				title = "not in the reference"
			}
			fmt.Fprintf(bw, "%s  %s\n", plain(c.Code), plain(title))
			if c.Cause != "" {
				fmt.Fprintf(bw, "     %s\n", plain(c.Cause))
			}
			if c.ArticleURL != "" {
				fmt.Fprintf(bw, "     %s\n", plain(c.ArticleURL))
			}
		}
		fmt.Fprintln(bw)
	}
	if len(d.Findings) > 0 {
		fmt.Fprintln(bw, "What the lines say together:")
		for _, f := range d.Findings {
			fmt.Fprintf(bw, "  [%s] %s", plain(f.Severity), plain(f.Message))
			if !f.At.IsZero() {
				fmt.Fprintf(bw, " (from %s UTC)", f.At.UTC().Format("2006-01-02 15:04:05"))
			}
			fmt.Fprintln(bw)
		}
		fmt.Fprintln(bw)
	}
	if d.SuggestedPriority != "" {
		fmt.Fprintf(bw, "Suggested priority: %s", plain(d.SuggestedPriority))
		if d.PriorityReason != "" {
			fmt.Fprintf(bw, " (%s)", strings.TrimSuffix(plain(d.PriorityReason), "."))
		}
		fmt.Fprintln(bw)
	}
	if d.StartedAt != nil {
		fmt.Fprintf(bw, "First error at: %s\n", d.StartedAt.UTC().Format("2006-01-02T15:04:05Z"))
	}
	return bw.Flush()
}

func listOrDash(vs []string, n int) string {
	if len(vs) == 0 {
		return "-"
	}
	out := make([]string, 0, n+1)
	for i, v := range vs {
		if i == n {
			out = append(out, fmt.Sprintf("+%d", len(vs)-n))
			break
		}
		out = append(out, plain(v))
	}
	return strings.Join(out, ",")
}

// plain drops control characters, so a pasted escape sequence cannot
// drive the terminal, and tabs cannot break the table.
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}
