package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/logdiag"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// prefillFields are the new-ticket fields a diagnosis may fill in.
func prefillFields() []string {
	return []string{"subject", "priority", "organization_id", "app_id", "environment", "category", "description",
		"urgent.started_at", "urgent.logs", "urgent.steps_to_reproduce"}
}

// prefillTicket shows the new-ticket form filled in with what a diagnosis's
// "Open a ticket from this" or an outage-like engagement request's "Open an
// urgent ticket" posted. Nothing is saved: the customer reads, corrects and
// submits the form themselves.
func (web *Web) prefillTicket(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	if f.Get("action") != "prefill" {
		return helpline.Errorf(helpline.KindInvalid, "This address only fills in a new ticket from a log diagnosis or an engagement request. Open a ticket from Your tickets instead.")
	}
	form := url.Values{"priority": {string(ticket.Normal)}, "environment": {string(ticket.Production)}}
	for _, k := range prefillFields() {
		if v := f.Get(k); v != "" {
			form.Set(k, v)
		}
	}
	p := &Page{Form: form, Flash: prefillFlash(f.Get("from"))}
	return web.renderNewTicket(w, r, http.StatusOK, p, false)
}

// prefillFlash says where the new ticket's text came from: a log diagnosis
// (the default) or an engagement request that read like an outage.
func prefillFlash(from string) string {
	if from == "engagement" {
		return "Filled in from your engagement request, as an urgent ticket. Check every field, answer the urgent questions only you can, then open the ticket."
	}
	return "Filled in from your log diagnosis. Check every field, add what only you know, then open the ticket."
}

// ticketPrefill is what a diagnosis fills in on a new ticket. d's excerpt
// is already redacted.
func ticketPrefill(d logdiag.Diagnosis, production bool, apps []account.App) url.Values {
	v := url.Values{"action": {"prefill"}, "from": {"diagnosis"}}
	subject := strings.TrimSpace(d.Subject)
	if subject == "" {
		subject = "Errors in my app's logs"
		if codes := diagnosisCodes(d); len(codes) > 0 {
			subject += ": " + strings.Join(codes, ", ")
		}
	}
	v.Set("subject", truncateRunes(subject, ticket.MaxSubject))
	prio := ticket.Normal
	if p := ticket.Priority(d.SuggestedPriority); slices.Contains(ticket.Priorities, p) {
		prio = p
	}
	v.Set("priority", string(prio))
	if app, ok := matchApp(d.Apps, apps); ok {
		v.Set("app_id", strconv.FormatInt(app.ID, 10))
		v.Set("organization_id", strconv.FormatInt(app.OrgID, 10))
	}
	if production {
		v.Set("environment", string(ticket.Production))
	}
	if len(d.Codes) > 0 {
		v.Set("category", "runtime")
	}
	excerpt := cleanText(d.Excerpt)
	v.Set("description", ticketDescription(d, excerpt))
	if d.StartedAt != nil {
		v.Set("urgent.started_at", d.StartedAt.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if excerpt != "" {
		v.Set("urgent.logs", truncateLines(excerpt, ticket.MaxText))
	}
	if steps := reproSteps(d); steps != "" {
		v.Set("urgent.steps_to_reproduce", steps)
	}
	return v
}

func diagnosisCodes(d logdiag.Diagnosis) []string {
	var codes []string
	for _, c := range d.Codes {
		codes = append(codes, c.Code)
	}
	return codes
}

// matchApp finds the customer's app a host of the logs belongs to:
// acme-api.herokuapp.com or a host named like the app.
func matchApp(hosts []string, apps []account.App) (account.App, bool) {
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		for _, a := range apps {
			if h == a.Name || strings.HasPrefix(h, a.Name+".") {
				return a, true
			}
		}
	}
	return account.App{}, false
}

// ticketDescription says what the diagnosis found, in Markdown, with as
// much of the excerpt as the description may hold.
func ticketDescription(d logdiag.Diagnosis, excerpt string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Helpline's log diagnosis read %d lines", d.Lines.Total)
	if d.Lines.Unparsed > 0 {
		fmt.Fprintf(&b, " (%d not understood)", d.Lines.Unparsed)
	}
	b.WriteString(" and found:\n\n")
	if len(d.Codes) == 0 {
		b.WriteString("- no platform error codes\n")
	}
	for _, c := range d.Codes {
		fmt.Fprintf(&b, "- **%s**", c.Code)
		if c.Title != "" {
			fmt.Fprintf(&b, " %s", c.Title)
		}
		if c.Count == 1 {
			b.WriteString(": once")
		} else {
			fmt.Fprintf(&b, ": %d times", c.Count)
		}
		if !c.FirstAt.IsZero() {
			fmt.Fprintf(&b, ", %s to %s", ticket.FormatUTC(c.FirstAt), ticket.FormatUTC(c.LastAt))
		}
		if len(c.Dynos) > 0 {
			fmt.Fprintf(&b, ", on %s", codeList(c.Dynos, 5))
		}
		if len(c.Paths) > 0 {
			fmt.Fprintf(&b, ", paths %s", codeList(c.Paths, 5))
		}
		b.WriteString("\n")
	}
	if len(d.Findings) > 0 {
		b.WriteString("\nWhat the lines say together:\n\n")
		for _, f := range d.Findings {
			fmt.Fprintf(&b, "- %s\n", f.Message)
		}
	}
	if d.PriorityReason != "" {
		fmt.Fprintf(&b, "\nSuggested priority: %s. %s\n", d.SuggestedPriority, d.PriorityReason)
	}
	if excerpt == "" {
		return b.String()
	}
	b.WriteString("\nThe errors and the lines around them:\n\n")
	fence := strings.Repeat("`", max(3, longestRun(excerpt, '`')+1))
	// Leave room for the fences and a note of what was cut.
	room := ticket.MaxMarkdown - utf8.RuneCountInString(b.String()) - 2*len(fence) - 100
	cut := truncateLines(excerpt, max(room, 0))
	b.WriteString(fence + "\n" + cut + "\n" + fence + "\n")
	if len(cut) < len(excerpt) {
		b.WriteString("\n(The excerpt is cut here; the whole of it is in the logs field.)\n")
	}
	return b.String()
}

// codeList shows values as inline code, at most n of them.
func codeList(vs []string, n int) string {
	var out []string
	for i, s := range vs {
		if i == n {
			out = append(out, fmt.Sprintf("and %d more", len(vs)-n))
			break
		}
		out = append(out, "`"+strings.ReplaceAll(s, "`", "'")+"`")
	}
	return strings.Join(out, ", ")
}

// reproSteps names the requests that fail, for the urgent form's steps to
// reproduce.
func reproSteps(d logdiag.Diagnosis) string {
	host := ""
	if len(d.Apps) > 0 {
		host = "https://" + strings.TrimSuffix(d.Apps[0], "/")
	}
	var lines []string
	for _, c := range d.Codes {
		if len(c.Paths) == 0 || len(lines) == 3 {
			continue
		}
		what := "fails with " + c.Code
		if len(c.Statuses) > 0 {
			what = fmt.Sprintf("answers %d (%s)", c.Statuses[0], c.Code)
		}
		target := host + c.Paths[0]
		if host == "" {
			target = c.Paths[0] + " on the app"
		}
		lines = append(lines, fmt.Sprintf("Request %s: the router %s.", target, what))
	}
	return strings.Join(lines, "\n")
}

// cleanText makes log text safe for a form a ticket is saved from: no NUL,
// valid UTF-8.
func cleanText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// truncateLines cuts s to at most n runes, at the end of a line when it
// has to cut.
func truncateLines(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	s = truncateRunes(s, n)
	if i := strings.LastIndexByte(s, '\n'); i > 0 {
		s = s[:i]
	}
	return s
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func longestRun(s string, c byte) int {
	best, cur := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}
