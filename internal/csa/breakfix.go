package csa

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/helpline-dev/helpline"
)

// Signs that text describes a problem happening now. They are deliberately
// plain: a false alarm costs the customer one click ("this is not an
// outage"); a missed outage costs them hours in the wrong queue. Text is
// read as lower-case words, in one pass.
var (
	// outageWords are reports on their own.
	outageWords = map[string]bool{"outage": true, "outages": true, "crash": true, "crashed": true, "crashes": true, "crashing": true,
		"unresponsive": true, "unreachable": true, "emergency": true}
	// beforeDown are the words that make "down" a state: "is down".
	beforeDown = map[string]bool{"is": true, "are": true, "was": true, "were": true, "went": true, "goes": true, "going": true, "been": true, "stays": true}
	// brokenThings are what "… is broken" reports on.
	brokenThings = map[string]bool{"site": true, "app": true, "api": true, "service": true, "production": true, "prod": true, "checkout": true}
	// errorNouns follow a status code: "503 errors".
	errorNouns = map[string]bool{"error": true, "errors": true, "response": true, "responses": true, "status": true, "statuses": true}
	// hypotheticalWords just before a sign make it a worry or a negation
	// rather than a report: "we worry it might crash", "so it does not go
	// down".
	hypotheticalWords = map[string]bool{"might": true, "could": true, "would": true, "will": true, "may": true, "won't": true, "wont": true,
		"shouldn't": true, "don't": true, "doesn't": true, "didn't": true, "not": true, "never": true, "avoid": true, "prevent": true,
		"without": true, "if": true, "risk": true, "afraid": true, "worried": true, "fear": true, "last": true, "previous": true, "past": true, "no": true}
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
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	var codes, said []string
	for i, w := range words {
		if isErrorCode(w) {
			codes = append(codes, strings.ToUpper(w))
			continue
		}
		n := signLength(words, i)
		if n == 0 || hypothetical(words[max(0, i-3):i]) {
			continue
		}
		said = append(said, fmt.Sprintf("%q", strings.Join(words[i:i+n], " ")))
	}
	var found []string
	if len(codes) > 0 {
		codes = unique(codes)
		found = append(found, "mentions the platform error code"+plural(len(codes))+" "+strings.Join(codes, ", "))
	}
	if len(said) > 0 {
		found = append(found, "says "+strings.Join(unique(said), ", "))
	}
	return strings.Join(found, " and ")
}

// isErrorCode reports whether a word is a platform error code: router
// H10–H99, runtime R10–R99, logging L10–L99.
func isErrorCode(w string) bool {
	return len(w) == 3 && (w[0] == 'h' || w[0] == 'r' || w[0] == 'l') && w[1] >= '1' && w[1] <= '9' && w[2] >= '0' && w[2] <= '9'
}

// signLength returns how many words starting at i report an outage: "is
// down", "crashed", "500s", "503 errors", "not responding", "app is broken".
func signLength(words []string, i int) int {
	w := words[i]
	next := func(k int) string {
		if i+k < len(words) {
			return words[i+k]
		}
		return ""
	}
	switch {
	case outageWords[w]:
		return 1
	case beforeDown[w] && next(1) == "down":
		return 2
	case w == "down" && next(1) == "since":
		return 2
	case w == "not" && next(1) == "responding":
		return 2
	case brokenThings[w] && next(1) == "is" && next(2) == "broken":
		return 3
	case w == "5xx" || w == "5xxs":
		return 1
	case len(w) == 4 && isStatus5xx(w[:3]) && w[3] == 's':
		return 1
	case isStatus5xx(w) && errorNouns[next(1)]:
		return 2
	}
	return 0
}

func isStatus5xx(w string) bool {
	return len(w) == 3 && w[0] == '5' && w[1] >= '0' && w[1] <= '9' && w[2] >= '0' && w[2] <= '9'
}

// hypothetical reports whether the words before a sign make it a worry or
// a negation.
func hypothetical(before []string) bool {
	for _, w := range before {
		if hypotheticalWords[w] {
			return true
		}
	}
	return false
}

func unique(ms []string) []string {
	var out []string
	for _, m := range ms {
		if !slices.Contains(out, m) {
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
