package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/request"
	"github.com/helpline-dev/helpline/internal/status"
)

// statusMaxAge is how long browsers and CDNs may reuse a public status page
// without asking: short, so a new incident shows within half a minute.
const statusMaxAge = "public, max-age=30"

// statusHistoryPerPage is how many incidents a page of /history lists.
const statusHistoryPerPage = 20

type statusPageData struct {
	Snap        *status.Snapshot
	Incidents   []statusIncidentView // active incidents
	Maintenance []statusIncidentView // maintenance in progress
	Upcoming    []statusIncidentView
	Groups      []statusGroupView
	Recent      []statusIncidentView // resolved in the last days
}

// statusGroupView is a group and its members, or (Head.Group false) a
// top-level component on its own.
type statusGroupView struct {
	Head    statusComponentView
	Members []statusComponentView
}

type statusComponentView struct {
	status.ComponentView
	Bars      []statusBar
	UptimeTxt string
}

// statusBar is one day of the uptime bars.
type statusBar struct {
	X     int
	Class string
	Title string
}

type statusUpdateView struct {
	status.Update
	HTML template.HTML
}

type statusIncidentView struct {
	status.Incident
	Timeline []statusUpdateView // newest first
	Duration string
}

// Latest is the newest update, for the status page's summary.
func (v statusIncidentView) Latest() *statusUpdateView {
	if len(v.Timeline) == 0 {
		return nil
	}
	return &v.Timeline[0]
}

func (web *Web) statusIncidentView(i status.Incident) statusIncidentView {
	v := statusIncidentView{Incident: i}
	for _, u := range i.Updates {
		v.Timeline = append(v.Timeline, statusUpdateView{Update: u, HTML: web.Markdown.Render(u.Body)})
	}
	v.Duration = statusDuration(i)
	return v
}

// statusDuration says how long an incident lasted, or a maintenance window.
func statusDuration(i status.Incident) string {
	start := i.StartedAt
	if start.IsZero() {
		start = i.CreatedAt
	}
	if i.ResolvedAt != nil && !i.ResolvedAt.Before(start) {
		return humanDuration(i.ResolvedAt.Sub(start))
	}
	if i.Kind == status.KindMaintenance && i.ScheduledFor != nil && i.ScheduledUntil != nil {
		return humanDuration(i.ScheduledUntil.Sub(*i.ScheduledFor)) + " window"
	}
	return ""
}

func humanDuration(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	switch {
	case m < 1:
		return "under a minute"
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m < 48*60:
		if m%60 == 0 {
			return fmt.Sprintf("%d h", m/60)
		}
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
	return fmt.Sprintf("%d days %d h", m/(24*60), m%(24*60)/60)
}

// statusWords names component statuses the way the page says them.
var statusWords = map[status.ComponentStatus]string{
	status.Operational:         "operational",
	status.DegradedPerformance: "degraded performance",
	status.PartialOutage:       "partial outage",
	status.MajorOutage:         "major outage",
	status.UnderMaintenance:    "under maintenance",
}

// statusBars turns a component's days into bars with tooltips such as
// "2026-11-03: 99.2% — partial outage 12 min".
func statusBars(days []status.DayUptime) []statusBar {
	bars := make([]statusBar, 0, len(days))
	for i, d := range days {
		b := statusBar{X: i, Class: "up-" + string(d.Worst)}
		date := d.Date.UTC().Format("2006-01-02")
		var parts []string
		// Worst first, so the tooltip leads with what mattered.
		for _, s := range slices.Backward(status.ComponentStatuses) {
			if s == status.Operational {
				continue
			}
			if m := d.Minutes[s]; m > 0 {
				parts = append(parts, fmt.Sprintf("%s %d min", statusWords[s], m))
			}
		}
		switch {
		case d.Worst == "":
			b.Class = "up-none"
			b.Title = date + ": no data"
		case len(parts) == 0:
			b.Title = date + ": " + statusPct(d.Uptime) + " — no downtime"
		default:
			b.Title = date + ": " + statusPct(d.Uptime) + " — " + strings.Join(parts, ", ")
		}
		bars = append(bars, b)
	}
	return bars
}

// statusPct shows an uptime fraction with as many decimals as it needs:
// 100%, 99.2%, 99.95%.
func statusPct(f float64) string {
	p := f * 100
	if p >= 100 {
		return "100%"
	}
	s := strconv.FormatFloat(p, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

func (web *Web) statusPageData(snap *status.Snapshot) statusPageData {
	d := statusPageData{Snap: snap}
	for _, i := range snap.Active {
		if i.Kind == status.KindMaintenance {
			d.Maintenance = append(d.Maintenance, web.statusIncidentView(i))
		} else {
			d.Incidents = append(d.Incidents, web.statusIncidentView(i))
		}
	}
	for _, i := range snap.Upcoming {
		d.Upcoming = append(d.Upcoming, web.statusIncidentView(i))
	}
	// Recent also carries the newest incidents for the feeds, active ones
	// included: the page lists only those that ended.
	for _, i := range snap.Recent {
		if len(d.Recent) == 5 {
			break
		}
		if statusDone(i.Status) {
			d.Recent = append(d.Recent, web.statusIncidentView(i))
		}
	}
	// Groups come before their members; members whose group is missing
	// stand on their own rather than vanish.
	index := map[int64]int{}
	for _, c := range snap.Components {
		v := statusComponentView{ComponentView: c, Bars: statusBars(c.Uptime90)}
		if len(c.Uptime90) > 0 {
			v.UptimeTxt = statusPct(c.UptimePct) + " uptime" // a fraction, like each day's
		}
		if g, ok := index[c.GroupID]; ok && c.GroupID != 0 && !c.Group {
			d.Groups[g].Members = append(d.Groups[g].Members, v)
			continue
		}
		if c.Group {
			index[c.ID] = len(d.Groups)
		}
		d.Groups = append(d.Groups, statusGroupView{Head: v})
	}
	return d
}

// statusKey names what a public page shows: the snapshot's version, and
// the hour it was built in, since time alone moves the uptime bars (today's
// minutes, the day at midnight). The cache rebuilds an unchanged snapshot
// every minute; the hour keeps ETags equal across processes nearly always.
func statusKey(snap *status.Snapshot) string {
	return strconv.FormatInt(snap.Version, 10) + "-" + snap.BuiltAt.UTC().Format("2006010215")
}

// statusETag is a strong validator of a public page for one snapshot
// version; signed-in pages carry the user too, since the header differs.
func statusETag(kind string, snap *status.Snapshot, r *http.Request, extra string) string {
	tag := kind + statusKey(snap) + extra
	if u := currentUser(r.Context()); u != nil {
		tag += "-u" + strconv.FormatInt(u.ID, 10)
	}
	return `"` + tag + `"`
}

// statusNotModified sets the caching headers of a public page and reports
// whether the client's copy is current (then it has answered 304).
func statusNotModified(w http.ResponseWriter, r *http.Request, etag string, modified time.Time) bool {
	h := w.Header()
	if currentUser(r.Context()) != nil {
		// The header names the user: no shared cache may keep it.
		h.Set("Cache-Control", "private, no-cache")
	} else {
		h.Set("Cache-Control", statusMaxAge)
	}
	h.Set("ETag", etag)
	if !modified.IsZero() {
		h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	if notModified(r, etag, modified) {
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	return false
}

// renderPublic renders a public status page to bytes; the caller has set
// the caching headers, which web.render would overwrite with no-store.
func (web *Web) renderPublic(r *http.Request, name string, p *Page) ([]byte, error) {
	p.User = currentUser(r.Context())
	if p.Form == nil {
		p.Form = url.Values{}
	}
	var buf bytes.Buffer
	if err := web.pages[name].ExecuteTemplate(&buf, "layout.html", p); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

func writeStatusHTML(w http.ResponseWriter, r *http.Request, body []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		if _, err := w.Write(body); err != nil {
			request.Logger(r.Context()).Debug("status page write", "err", err)
		}
	}
}

// statusPage is /status.
func (sp *statusPages) statusPage(w http.ResponseWriter, r *http.Request) error {
	snap, err := sp.StatusCache.Snapshot(r.Context())
	if err != nil {
		return err
	}
	if statusNotModified(w, r, statusETag("s", snap, r, ""), snap.UpdatedAt) {
		return nil
	}
	key := statusKey(snap)
	sp.mu.Lock()
	cached := sp.key == key
	body, page := sp.body, sp.page
	sp.mu.Unlock()
	if !cached {
		var buf bytes.Buffer
		if err := sp.pages["status"].ExecuteTemplate(&buf, "status_body", sp.statusPageData(snap)); err != nil {
			return fmt.Errorf("render status body: %w", err)
		}
		body, page = template.HTML(buf.String()), nil
		sp.mu.Lock()
		// Keep the newest version when renders of two versions race.
		if sp.page == nil && sp.body == "" || snap.Version >= sp.version {
			sp.version, sp.key, sp.body, sp.page = snap.Version, key, body, nil
		}
		sp.mu.Unlock()
	}
	if currentUser(r.Context()) != nil {
		out, err := sp.renderPublic(r, "status", &Page{Title: "Status", Data: body})
		if err != nil {
			return err
		}
		writeStatusHTML(w, r, out)
		return nil
	}
	if page == nil {
		if page, err = sp.renderPublic(r, "status", &Page{Title: "Status", Data: body}); err != nil {
			return err
		}
		sp.mu.Lock()
		if sp.key == key {
			sp.page = page
		}
		sp.mu.Unlock()
	}
	writeStatusHTML(w, r, page)
	return nil
}

// incidentPage is /incidents/{id}: from the snapshot when the incident is
// recent, else from the database.
func (sp *statusPages) incidentPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "incident")
	if err != nil {
		return err
	}
	snap, err := sp.StatusCache.Snapshot(r.Context())
	if err != nil {
		return err
	}
	var found *status.Incident
	for _, list := range [][]status.Incident{snap.Active, snap.Upcoming, snap.Recent} {
		for i := range list {
			if list[i].ID == id {
				found = &list[i]
			}
		}
	}
	if found == nil {
		inc, err := sp.Status.FindIncident(r.Context(), id)
		if err != nil {
			return err
		}
		found = &inc
	}
	if statusNotModified(w, r, statusETag("i", snap, r, "-"+strconv.FormatInt(id, 10)), found.UpdatedAt) {
		return nil
	}
	body, err := sp.renderPublic(r, "incident", &Page{Title: found.Name, Data: sp.statusIncidentView(*found)})
	if err != nil {
		return err
	}
	writeStatusHTML(w, r, body)
	return nil
}

type statusHistoryData struct {
	Months     []statusMonth
	Page       int
	Prev, Next string
}

type statusMonth struct {
	Name      string // November 2026
	Incidents []statusIncidentView
}

// historyPage is /history: incidents and maintenance, newest first, by
// month, a page at a time.
func (sp *statusPages) historyPage(w http.ResponseWriter, r *http.Request) error {
	n, err := pageNumber(r)
	if err != nil {
		return err
	}
	snap, err := sp.StatusCache.Snapshot(r.Context())
	if err != nil {
		return err
	}
	if statusNotModified(w, r, statusETag("h", snap, r, "-p"+strconv.Itoa(n)), snap.UpdatedAt) {
		return nil
	}
	list, total, err := sp.Status.FindIncidents(r.Context(), status.IncidentFilter{
		Page: helpline.Page{Limit: statusHistoryPerPage, Offset: (n - 1) * statusHistoryPerPage}})
	if err != nil {
		return err
	}
	if n > 1 && len(list) == 0 {
		return helpline.Errorf(helpline.KindNotFound, "There is no page %d of the history: it has %d.", n, max(1, (total+statusHistoryPerPage-1)/statusHistoryPerPage))
	}
	d := statusHistoryData{Page: n}
	for _, i := range list {
		month := statusStart(i).Format("January 2006")
		if len(d.Months) == 0 || d.Months[len(d.Months)-1].Name != month {
			d.Months = append(d.Months, statusMonth{Name: month})
		}
		m := &d.Months[len(d.Months)-1]
		m.Incidents = append(m.Incidents, sp.statusIncidentView(i))
	}
	if n > 1 {
		d.Prev = "/history?page=" + strconv.Itoa(n-1)
	}
	if n*statusHistoryPerPage < total {
		d.Next = "/history?page=" + strconv.Itoa(n+1)
	}
	title := "Incident history"
	if n > 1 {
		title += fmt.Sprintf(" (page %d)", n)
	}
	body, err := sp.renderPublic(r, "history", &Page{Title: title, Data: d})
	if err != nil {
		return err
	}
	writeStatusHTML(w, r, body)
	return nil
}

// statusStart is when an incident began, or a maintenance window opens.
func statusStart(i status.Incident) time.Time {
	switch {
	case i.Kind == status.KindMaintenance && i.ScheduledFor != nil:
		return i.ScheduledFor.UTC()
	case !i.StartedAt.IsZero():
		return i.StartedAt.UTC()
	}
	return i.CreatedAt.UTC()
}
