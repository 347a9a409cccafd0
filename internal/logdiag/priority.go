package logdiag

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Suggested priorities, as the ticket package names them.
const (
	PriorityUrgent = "urgent"
	PriorityHigh   = "high"
	PriorityNormal = "normal"
	PriorityLow    = "low"
)

// minDownRequests is how many recent requests must fail with a "down"
// code (H10, H14, H20, H99), besides most of them, for the app to look
// down: two lines do not make an outage.
const minDownRequests = 3

// priority suggests a ticket priority by the support rules: urgent only
// for a production app that is down, high for significant impairment
// while some requests still succeed, normal for occasional errors, low
// when the log shows no errors.
func (d *Diagnoser) priority(dg Diagnosis) (string, string) {
	if len(dg.Codes) == 0 && len(dg.Findings) == 0 {
		return PriorityLow, fmt.Sprintf("No platform error codes in %s: nothing here points at an incident.", plural(dg.Lines.Total, "line"))
	}
	if why := d.downReason(); why != "" {
		if d.opts.Production {
			return PriorityUrgent, why + ": a production app that is down for most of its users is urgent."
		}
		return PriorityHigh, why + "; urgent is only for production apps and this one is not marked production, so high."
	}
	if why := d.impairedReason(dg); why != "" {
		return PriorityHigh, why
	}
	if len(dg.Codes) == 0 {
		return PriorityNormal, "The log shows problems but no request failed for them: features are impaired, the app works."
	}
	top := dg.Codes[0]
	where := ""
	if len(top.Paths) == 1 {
		where = " on " + top.Paths[0]
	}
	return PriorityNormal, fmt.Sprintf("Occasional errors (%s %s%s) while %d of %d requests succeeded: a feature is impaired, the app works.",
		top.Code, times(top.Count), where, d.ok, d.requests)
}

// downReason says why the app looks down, or "" when it does not: down
// codes on most requests of the log's last 10 minutes, or a crash loop
// answered with H10 and no successful request after it.
func (d *Diagnoser) downReason() string {
	var requests, down int
	var codes [len(downCodes)]int
	for _, m := range d.window {
		if m.at == 0 || m.at <= d.lastMinute-windowMinutes {
			continue
		}
		requests += m.requests
		down += m.down
		for i, n := range m.downCodes {
			codes[i] += n
		}
	}
	if down >= minDownRequests && 2*down > requests {
		return fmt.Sprintf("%s on %d of %d requests (%d%%) in the last 10 minutes of the log: the app looks down",
			downCodeList(codes), down, requests, 100*down/requests)
	}
	c := d.crash
	if c.h10After > 0 && c.okAfter == 0 {
		return fmt.Sprintf("The app crashed %s%s and answered %s with H10 after that, with no successful request since the last crash: the app looks down",
			times(max(c.crashes, c.exits)), since(c.first), plural(c.h10After, "request"))
	}
	return ""
}

func downCodeList(counts [len(downCodes)]int) string {
	var present []string
	for i, n := range counts {
		if n > 0 {
			present = append(present, downCodes[i])
		}
	}
	slices.SortStableFunc(present, func(a, b string) int {
		return cmp.Compare(counts[downIndex(b)], counts[downIndex(a)])
	})
	return strings.Join(present, "/")
}

// impairedReason says why the app looks significantly impaired while some
// requests still succeed, or "".
func (d *Diagnoser) impairedReason(dg Diagnosis) string {
	down := 0
	var codes [len(downCodes)]int
	for i, code := range downCodes {
		if cs, ok := d.codes[code]; ok {
			down += cs.count
			codes[i] = cs.count
		}
	}
	timeouts := 0
	for _, code := range []string{"H12", "H13"} {
		if cs, ok := d.codes[code]; ok {
			timeouts += cs.count
		}
	}
	clustered := slices.ContainsFunc(dg.Findings, func(f Finding) bool { return f.Kind == "path_timeouts" })
	var webMemory []string
	memCodes := "R14"
	for name, s := range d.dynos {
		if s.memErrors > 0 && strings.HasPrefix(name, "web") {
			webMemory = append(webMemory, name)
			if s.r15 {
				memCodes = "R14/R15"
			}
		}
	}
	slices.Sort(webMemory)
	switch {
	case d.crash.h10After > 0:
		return fmt.Sprintf("The app crashed %s%s and answered %s with H10, while %d of %d requests succeeded: significantly impaired.",
			times(max(d.crash.crashes, d.crash.exits)), since(d.crash.first), plural(d.crash.h10After, "request"), d.ok, d.requests)
	case down > 0:
		return fmt.Sprintf("%s on %d of %d requests, while others still succeed: significantly impaired.", downCodeList(codes), down, d.requests)
	case len(webMemory) > 0:
		return fmt.Sprintf("%s went over the memory quota (%s): web requests slow down or time out while %d of %d still succeed, so significantly impaired.",
			dynoList(webMemory, ""), memCodes, d.ok, d.requests)
	case timeouts >= 10 && 20*timeouts >= d.requests && !clustered:
		return fmt.Sprintf("%d of %d requests timed out or were cut off (H12/H13) across the app: significantly impaired.", timeouts, d.requests)
	case d.codes["H11"] != nil:
		return fmt.Sprintf("The router turned away %s because the backlog was too deep (H11): significantly impaired.", plural(d.codes["H11"].count, "request"))
	}
	return ""
}

// subject suggests a ticket subject: the leading problem's code and
// title, where (one path) and since when, and the dynos.
func (d *Diagnoser) subject(dg Diagnosis) string {
	if len(dg.Codes) == 0 {
		if len(dg.Findings) > 0 {
			f := dg.Findings[0]
			return strings.TrimSpace(fmt.Sprintf("%s%s %s", strings.ReplaceAll(f.Kind, "_", " "), since(f.At), dynoParen(f.Dynos)))
		}
		return "Question about my app's logs (no platform errors found)"
	}
	lead := dg.Codes[0]
	dynos := lead.Dynos
	if len(dg.Findings) > 0 && len(dg.Findings[0].Codes) > 0 {
		for _, c := range dg.Codes {
			if c.Code == dg.Findings[0].Codes[0] {
				lead, dynos = c, c.Dynos
			}
		}
		if len(dynos) == 0 {
			dynos = dg.Findings[0].Dynos // H10 and H14 lines name no dyno; the crashes do
		}
	}
	var b strings.Builder
	b.WriteString(lead.Code)
	if lead.Title != "" {
		b.WriteString(" " + lead.Title)
	}
	if cs := d.codes[lead.Code]; cs != nil {
		if top := cs.paths.top(1); len(top) == 1 && 2*cs.paths.atLeast(top[0].key) >= cs.count {
			b.WriteString(" on " + top[0].key)
		}
	}
	b.WriteString(since(lead.FirstAt))
	if p := dynoParen(dynos); p != "" {
		b.WriteString(" " + p)
	}
	return b.String()
}

// dynoParen is "(web.1, web.2)", names sorted, at most three.
func dynoParen(dynos []string) string {
	if len(dynos) == 0 {
		return ""
	}
	sorted := slices.Clone(dynos)
	slices.Sort(sorted)
	more := ""
	if len(sorted) > 3 {
		more = fmt.Sprintf(", +%d", len(sorted)-3)
		sorted = sorted[:3]
	}
	return "(" + strings.Join(sorted, ", ") + more + ")"
}
