package csa

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
)

// Signs that text describes a problem happening now. They are deliberately
// plain: a false alarm costs the customer one click ("this is not an
// outage"); a missed outage costs them hours in the wrong queue.
var (
	// Platform error codes: router H10–H99, runtime R10–R99, logging L10–L15.
	errorCodeRE = regexp.MustCompile(`\b([HhRrLl])([1-9][0-9])\b`)
	// HTTP 5xx responses: "500s", "503 errors", "5xx".
	serverErrorRE = regexp.MustCompile(`(?i)\b(5[0-9][0-9]s|5[0-9][0-9] (?:errors?|responses?|status(?:es)?)|5xxs?)\b`)
	// Outage words.
	outageRE = regexp.MustCompile(`(?i)\b(outages?|crash(?:ed|es|ing)?|(?:is|are|was|were|went|goes|going|been|keeps going|stays) down|down (?:right now|since|for the past)|not responding|unresponsive|unreachable|(?:site|app|api|service|production|prod) is broken|emergency)\b`)
	// Words just before a match that make it hypothetical or negated: "we
	// worry it might crash", "so it does not go down".
	hypotheticalRE = regexp.MustCompile(`(?i)\b(might|could|would|will|may|won't|wont|shouldn't|don't|doesn't|didn't|not|never|avoid|prevent|without|if|risk|afraid|worried|fear|last|previous|past|no)\b`)
)

// RecentSince is how recent a performance problem's start makes it look
// like an incident rather than something to analyse.
const RecentSince = time.Hour

// DetectBreakFix returns the signs that a request describes a current
// outage or error, each with the field it was found in.
func DetectBreakFix(in Request, now time.Time) []Signal {
	var out []Signal
	for _, f := range in.texts() {
		if reason := breakFixText(f[1]); reason != "" {
			out = append(out, Signal{Field: f[0], Reason: reason})
		}
	}
	if p := in.Performance; in.Kind == KindPerformance && p != nil {
		if since, msg := parseZoned(p.Since, ""); msg == "" && now.Sub(since) < RecentSince {
			out = append(out, Signal{Field: field(KindPerformance, "since"),
				Reason: fmt.Sprintf("is %s ago: a problem that started within the hour is usually an incident", roughly(now.Sub(since)))})
		}
	}
	return out
}

// breakFixText says why text reads like an outage, or "".
func breakFixText(text string) string {
	var found []string
	if m := errorCodeRE.FindAllString(text, -1); len(m) > 0 {
		codes := uniqueUpper(m)
		found = append(found, "mentions the platform error code"+plural(len(codes))+" "+strings.Join(codes, ", "))
	}
	for _, re := range []*regexp.Regexp{serverErrorRE, outageRE} {
		for _, loc := range re.FindAllStringIndex(text, -1) {
			if hypothetical(text[:loc[0]]) {
				continue
			}
			found = append(found, fmt.Sprintf("says %q", strings.ToLower(text[loc[0]:loc[1]])))
			break
		}
	}
	return strings.Join(found, " and ")
}

// hypothetical reports whether the three words before a match make it a
// worry or a negation rather than a report.
func hypothetical(before string) bool {
	words := strings.Fields(before)
	if len(words) > 3 {
		words = words[len(words)-3:]
	}
	return hypotheticalRE.MatchString(strings.Join(words, " "))
}

func uniqueUpper(ms []string) []string {
	var out []string
	for _, m := range ms {
		m = strings.ToUpper(m)
		if !strings.Contains(strings.Join(out, ","), m) {
			out = append(out, m)
		}
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func roughly(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute"
	}
	return fmt.Sprintf("%d min", int(d/time.Minute))
}

// Unwrap lets callers that know nothing of break/fix treat the error as
// invalid input naming the fields.
func (e *BreakFixError) Unwrap() error {
	fields := map[string]string{}
	for _, s := range e.Signals {
		fields[s.Field] = s.Reason
	}
	return &helpline.Error{Kind: helpline.KindInvalid, Message: BreakFixMessage, Fields: fields}
}
