package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/csa"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// registerEngagementConsole mounts the CSA team's console: the engagement
// queue, collection management and the staff calendar, and the ticket
// page's hand-off to the CSA team.
func (web *Web) registerEngagementConsole(h handle) {
	h("GET /engagements", staff, web.engagementQueue)

	// Collections: any staff member reads them; the service lets only
	// solutions architects and admins change them.
	h("GET /enterprise/collections/manage", staff, web.collectionsPage)
	h("POST /enterprise/collections", staff, web.createCollection)
	h("POST /enterprise/collections/{id}", staff, web.updateCollection)
	h("POST /enterprise/collections/{id}/delete", staff, web.deleteCollection)
	h("POST /enterprise/collections/{id}/items", staff, web.addCollectionItem)
	h("POST /enterprise/collections/{id}/items/{article}/move", staff, web.moveCollectionItem)
	h("POST /enterprise/collections/{id}/items/{article}/remove", staff, web.removeCollectionItem)

	h("GET /calendar", staff, web.calendarPage)
	h("GET /calendar.ics", staff, web.calendarICS)

	h("POST /tickets/{number}/engagement", staff, web.convertTicket)
}

// The queue.

const engagementsPerPage = 50

// engagementStates are the queue's tabs: "open" is every state but closed.
var engagementStates = []string{"open", "requested", "scheduled", "in_progress", "delivered", "closed", "all"}

type engagementTab struct {
	Label, URL string
	Count      int
	Counted    bool // closed and all have no count
	Current    bool
}

type engagementRow struct {
	csa.Engagement
	// DateLabel and Date are the date that matters for the kind: an
	// event's start, since when performance suffers, a review's deadline.
	DateLabel, Date, DateHint string
}

type engagementQueueData struct {
	Tabs       []engagementTab
	Rows       []engagementRow
	Kinds      []csa.Kind
	Architects []csa.Architect
	State      string
	Filtered   bool // a kind or owner filter is set
	Prev, Next string
}

// engagementQueue is the CSA team's work list, apart from the support
// queue: requests nobody has taken first, then by the date that matters,
// then the oldest.
func (web *Web) engagementQueue(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = max(offset, 0)
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	d := engagementQueueData{State: state, Kinds: csa.Kinds, Filtered: q.Get("kind") != "" || q.Get("owner") != ""}
	f := csa.Filter{State: state, Kind: csa.Kind(q.Get("kind")), Owner: q.Get("owner"),
		Page: helpline.Page{Limit: engagementsPerPage + 1, Offset: offset}}
	v := helpline.Validation{}
	switch {
	case state == "all":
		f.State = ""
	case !validEngagementState(state):
		v.Add("state", "must be one of "+strings.Join(engagementStates, ", "))
		// The filter form starts again from the open tab; the other
		// filters are still checked.
		d.State, f.State = "open", ""
	}
	p := &Page{Title: "Engagements", Form: q}
	status := http.StatusOK
	list, err := web.CSA.FindEngagements(ctx, a, f)
	if err != nil {
		he, _, ok := inputError(err)
		if !ok {
			return err
		}
		for k, msg := range he.Fields {
			v.Add(k, msg)
		}
	}
	if len(v) > 0 {
		p.Message, p.Errors, status = "This filter cannot be shown; correct it below.", v, http.StatusUnprocessableEntity
		list = nil
	}
	counts, err := web.CSA.QueueCounts(ctx, a)
	if err != nil {
		return err
	}
	if d.Architects, err = web.CSA.FindArchitects(ctx, a); err != nil {
		return err
	}
	open := 0
	for _, n := range counts {
		open += n
	}
	for _, st := range engagementStates {
		tab := engagementTab{Label: engagementStateLabel(st), Current: st == state}
		switch st {
		case "open":
			tab.Count, tab.Counted = open, true
		case "closed", "all":
		default:
			tab.Count, tab.Counted = counts[csa.State(st)], true
		}
		tq := url.Values{}
		for _, k := range []string{"kind", "owner"} {
			if val := q.Get(k); val != "" {
				tq.Set(k, val)
			}
		}
		if st != "open" {
			tq.Set("state", st)
		}
		tab.URL = "/engagements"
		if len(tq) > 0 {
			tab.URL += "?" + tq.Encode()
		}
		d.Tabs = append(d.Tabs, tab)
	}
	d.Prev, d.Next = pager("/engagements", q, offset, engagementsPerPage, len(list) > engagementsPerPage)
	now := web.Now()
	for _, e := range list[:min(len(list), engagementsPerPage)] {
		row := engagementRow{Engagement: e}
		row.DateLabel, row.Date, row.DateHint = engagementDate(now, e)
		d.Rows = append(d.Rows, row)
	}
	p.Data = d
	web.render(w, r, status, "console_engagements", p)
	return nil
}

func validEngagementState(s string) bool {
	for _, st := range engagementStates {
		if s == st {
			return true
		}
	}
	return false
}

func engagementStateLabel(s string) string {
	switch s {
	case "open":
		return "Open"
	case "all":
		return "All"
	}
	return csaStateLabel(csa.State(s))
}

func csaStateLabel(s csa.State) string {
	w := strings.ReplaceAll(string(s), "_", " ")
	if w == "" {
		return w
	}
	return strings.ToUpper(w[:1]) + w[1:]
}

// engagementDate is the date that matters for an engagement of its kind,
// with how far it is from now for dates ahead.
func engagementDate(now time.Time, e csa.Engagement) (label, date, hint string) {
	switch {
	case e.Event != nil:
		return "Event", e.Event.LocalStart(), untilHint(now, e.Event.StartsAt)
	case e.EventAt != nil:
		return "Event", ticket.FormatUTC(*e.EventAt), untilHint(now, *e.EventAt)
	case e.Performance != nil:
		return "Since", ticket.FormatUTC(e.Performance.Since), ""
	case e.Architecture != nil && e.Architecture.Deadline != "":
		hint := ""
		if d, err := time.Parse("2006-01-02", e.Architecture.Deadline); err == nil {
			hint = untilHint(now, d)
		}
		return "Deadline", e.Architecture.Deadline, hint
	}
	return "", "", ""
}

// untilHint says how far ahead t is: "in 3 d"; "passed" once it is.
func untilHint(now, t time.Time) string {
	d := t.Sub(now)
	switch {
	case d <= 0:
		return "passed"
	case d < time.Hour:
		return fmt.Sprintf("in %d min", int(d/time.Minute)+1)
	case d < 48*time.Hour:
		return fmt.Sprintf("in %d h", int(d/time.Hour))
	}
	return fmt.Sprintf("in %d d", int(d/(24*time.Hour)))
}

// Collections.

type collectionsData struct {
	Collections []csa.Collection
	// Articles are the published enterprise articles, suggested in the
	// add forms; any article may be added.
	Articles []docs.Article
	CanEdit  bool // solutions architects and admins
	// failed names the form that was sent and failed ("create",
	// "edit-ID", "add-ID"); failedPage has its values and errors.
	failed     string
	failedPage *Page
}

func (d collectionsData) form(name string, values url.Values) *Page {
	if d.failed == name && d.failedPage != nil {
		return d.failedPage
	}
	return &Page{Form: values}
}

// Create is the new-collection form.
func (d collectionsData) Create() *Page { return d.form("create", url.Values{"position": {"0"}}) }

// Edit is a collection's edit form, filled with what it is now.
func (d collectionsData) Edit(c csa.Collection) *Page {
	return d.form(fmt.Sprintf("edit-%d", c.ID), url.Values{"title": {c.Title}, "description": {c.Description}, "position": {strconv.Itoa(c.Position)}})
}

// Add is a collection's add-an-article form.
func (d collectionsData) Add(c csa.Collection) *Page {
	return d.form(fmt.Sprintf("add-%d", c.ID), url.Values{})
}

func (web *Web) collectionsPage(w http.ResponseWriter, r *http.Request) error {
	return web.renderCollections(w, r, http.StatusOK, "", nil)
}

func (web *Web) renderCollections(w http.ResponseWriter, r *http.Request, status int, failed string, fp *Page) error {
	ctx, a := r.Context(), actor(r)
	cs, err := web.CSA.FindCollections(ctx, a)
	if err != nil {
		return err
	}
	arts, err := web.CSA.FindResources(ctx, a)
	if err != nil {
		return err
	}
	d := collectionsData{Collections: cs, Articles: arts, failed: failed, failedPage: fp,
		CanEdit: a.StaffRole == helpline.RoleCSA || a.StaffRole == helpline.RoleAdmin}
	p := &Page{Title: "Enterprise collections", Data: d}
	if fp != nil && failed == "" {
		// A move or a removal: no form to show the message in, so it
		// names the fields itself.
		p.Message = fp.Message
		if len(fp.Errors) > 0 {
			var parts []string
			for field, msg := range fp.Errors {
				parts = append(parts, strings.ReplaceAll(field, "_", " ")+" "+msg)
			}
			sort.Strings(parts)
			p.Message = "Nothing was changed: " + strings.Join(parts, "; ") + "."
		}
	}
	web.render(w, r, status, "collections_manage", p)
	return nil
}

// collectionFormError shows the page again with the failed form's input.
func (web *Web) collectionFormError(w http.ResponseWriter, r *http.Request, form string, err error) error {
	he, status, ok := inputError(err)
	if !ok {
		return err
	}
	return web.renderCollections(w, r, status, form, &Page{Form: r.PostForm, Errors: he.Fields, Message: he.Message})
}

// collectionInput reads the create and edit forms. A position that is not
// a number is sent as -1, which the service refuses with its own message,
// so every field's error shows at once.
func collectionInput(f url.Values) csa.CollectionInput {
	in := csa.CollectionInput{Title: f.Get("title"), Description: f.Get("description")}
	if s := strings.TrimSpace(f.Get("position")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			n = -1
		}
		in.Position = n
	}
	return in
}

func collectionAnchor(id int64) string {
	return fmt.Sprintf("/enterprise/collections/manage#collection-%d", id)
}

func (web *Web) createCollection(w http.ResponseWriter, r *http.Request) error {
	c, err := web.CSA.CreateCollection(r.Context(), actor(r), collectionInput(r.PostForm))
	if err != nil {
		return web.collectionFormError(w, r, "create", err)
	}
	web.redirect(w, r, collectionAnchor(c.ID), fmt.Sprintf("Collection “%s” created. Add articles to it below.", c.Title))
	return nil
}

func (web *Web) updateCollection(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "collection")
	if err != nil {
		return err
	}
	c, err := web.CSA.UpdateCollection(r.Context(), actor(r), id, collectionInput(r.PostForm))
	if err != nil {
		return web.collectionFormError(w, r, fmt.Sprintf("edit-%d", id), err)
	}
	web.redirect(w, r, collectionAnchor(c.ID), fmt.Sprintf("Collection “%s” saved.", c.Title))
	return nil
}

func (web *Web) deleteCollection(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	id, err := pathID(r, "id", "collection")
	if err != nil {
		return err
	}
	c, err := web.CSA.FindCollection(ctx, a, id)
	if err != nil {
		return err
	}
	if err := web.CSA.DeleteCollection(ctx, a, id); err != nil {
		return web.collectionFormError(w, r, "", err)
	}
	web.redirect(w, r, "/enterprise/collections/manage", fmt.Sprintf("Collection “%s” deleted. Its articles stay in the Dev Center.", c.Title))
	return nil
}

func (web *Web) addCollectionItem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "collection")
	if err != nil {
		return err
	}
	f := r.PostForm
	c, err := web.CSA.AddItem(r.Context(), actor(r), id, csa.ItemInput{ArticleSlug: f.Get("article_slug"), Note: f.Get("note")})
	if err != nil {
		return web.collectionFormError(w, r, fmt.Sprintf("add-%d", id), err)
	}
	title := strings.TrimSpace(f.Get("article_slug"))
	if n := len(c.Items); n > 0 {
		title = c.Items[n-1].Title
	}
	web.redirect(w, r, collectionAnchor(c.ID), fmt.Sprintf("Added “%s” to “%s”.", title, c.Title))
	return nil
}

func (web *Web) moveCollectionItem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "collection")
	if err != nil {
		return err
	}
	articleID, err := pathID(r, "article", "article in this collection")
	if err != nil {
		return err
	}
	dir := r.PostForm.Get("direction")
	delta := 0 // anything else is refused by the service
	switch dir {
	case "up":
		delta = -1
	case "down":
		delta = 1
	}
	c, err := web.CSA.MoveItem(r.Context(), actor(r), id, articleID, delta)
	if err != nil {
		return web.collectionFormError(w, r, "", err)
	}
	web.redirect(w, r, collectionAnchor(c.ID), fmt.Sprintf("Moved “%s” %s.", itemTitle(c, articleID), dir))
	return nil
}

func (web *Web) removeCollectionItem(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	id, err := pathID(r, "id", "collection")
	if err != nil {
		return err
	}
	articleID, err := pathID(r, "article", "article in this collection")
	if err != nil {
		return err
	}
	before, err := web.CSA.FindCollection(ctx, a, id)
	if err != nil {
		return err
	}
	c, err := web.CSA.RemoveItem(ctx, a, id, articleID)
	if err != nil {
		return web.collectionFormError(w, r, "", err)
	}
	web.redirect(w, r, collectionAnchor(c.ID), fmt.Sprintf("Removed “%s” from “%s”. The article itself is unchanged.", itemTitle(before, articleID), c.Title))
	return nil
}

func itemTitle(c csa.Collection, articleID int64) string {
	for _, it := range c.Items {
		if it.ArticleID == articleID {
			return it.Title
		}
	}
	return "the article"
}

// The calendar.

// calendarAhead is how far the calendar looks by default.
const calendarAhead = 30

const dateInput = "2006-01-02"

// calendarRow is an entry with its badge and time in words; the template
// reads the entry through a named field (promoted fields cost a search
// on every lookup).
type calendarRow struct {
	Entry           csa.CalendarEntry
	KindLabel, Time string
}

func newCalendarRow(e csa.CalendarEntry) calendarRow {
	return calendarRow{Entry: e, KindLabel: calendarKindLabel(e.Kind), Time: calendarTime(e)}
}

// calendarKindLabel names an entry's kind for its badge.
func calendarKindLabel(kind string) string {
	switch kind {
	case "event":
		return "Customer event"
	case "meeting":
		return "Engagement meeting"
	case "maintenance":
		return "Maintenance"
	}
	return kind
}

// calendarTime is when an entry happens, in UTC.
func calendarTime(c csa.CalendarEntry) string {
	start := c.StartsAt.UTC()
	if c.EndsAt == nil {
		return start.Format("15:04") + " UTC"
	}
	end := c.EndsAt.UTC()
	if end.Format(dateInput) == start.Format(dateInput) {
		return start.Format("15:04") + "–" + end.Format("15:04") + " UTC"
	}
	return start.Format("15:04") + " UTC – " + end.Format("Mon Jan 2 15:04") + " UTC"
}

type calendarDay struct {
	Date    time.Time
	Today   bool
	Entries []calendarRow
}

type calendarData struct {
	Days  []calendarDay
	Count int
	ICS   string // the export of the same range
}

// calendarRange reads the from and to dates (UTC, to included); from
// defaults to today and to to calendarAhead days after from. It returns
// the half-open interval the service takes.
func (web *Web) calendarRange(q url.Values) (from, until time.Time, err error) {
	today := web.Now().UTC().Truncate(24 * time.Hour)
	from, to := today, today.AddDate(0, 0, calendarAhead)
	v := helpline.Validation{}
	parse := func(field string, into *time.Time) {
		s := strings.TrimSpace(q.Get(field))
		if s == "" {
			return
		}
		t, err := time.Parse(dateInput, s)
		if err != nil {
			v.Add(field, "must be a date such as "+today.Format(dateInput))
			return
		}
		*into = t
	}
	parse("from", &from)
	if strings.TrimSpace(q.Get("to")) == "" {
		to = from.AddDate(0, 0, calendarAhead)
	}
	parse("to", &to)
	if len(v) == 0 && to.Before(from) {
		v.Add("to", "must be on or after the from date")
	}
	if err := v.Err(); err != nil {
		return from, until, err
	}
	return from, to.AddDate(0, 0, 1), nil
}

// calendarPage shows what is coming, by day: customers' high-traffic
// events, engagement meetings and scheduled maintenance.
func (web *Web) calendarPage(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	q := r.URL.Query()
	from, until, err := web.calendarRange(q)
	var entries []csa.CalendarEntry
	if err == nil {
		entries, err = web.CSA.FindCalendar(ctx, a, from, until)
	}
	form := url.Values{"from": {from.Format(dateInput)}, "to": {until.AddDate(0, 0, -1).Format(dateInput)}}
	p := &Page{Title: "Calendar", Form: form}
	status := http.StatusOK
	if err != nil {
		he, st, ok := inputError(err)
		if !ok {
			return err
		}
		p.Form, p.Message, p.Errors, status = q, he.Message, he.Fields, st
	}
	d := calendarData{Count: len(entries), ICS: "/calendar.ics"}
	if status == http.StatusOK && (q.Get("from") != "" || q.Get("to") != "") {
		d.ICS += "?" + form.Encode()
	}
	today := web.Now().UTC().Format(dateInput)
	for _, e := range entries {
		day := e.StartsAt.UTC().Truncate(24 * time.Hour)
		if n := len(d.Days); n == 0 || !d.Days[n-1].Date.Equal(day) {
			d.Days = append(d.Days, calendarDay{Date: day, Today: day.Format(dateInput) == today})
		}
		last := &d.Days[len(d.Days)-1]
		last.Entries = append(last.Entries, newCalendarRow(e))
	}
	p.Data = d
	web.render(w, r, status, "calendar", p)
	return nil
}

// calendarICS exports the calendar's range as iCalendar, for a calendar
// app.
func (web *Web) calendarICS(w http.ResponseWriter, r *http.Request) error {
	from, until, err := web.calendarRange(r.URL.Query())
	if err != nil {
		return err
	}
	entries, err := web.CSA.FindCalendar(r.Context(), actor(r), from, until)
	if err != nil {
		return err
	}
	base := web.baseURL(r)
	host := "helpline"
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	cal := icsCalendar{Name: "Helpline staff calendar", Stamp: web.Now(), Events: make([]icsEvent, 0, len(entries))}
	for _, e := range entries {
		cal.Events = append(cal.Events, calendarEvent(e, base, host))
	}
	var buf bytes.Buffer
	if _, err := cal.WriteTo(&buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="helpline-calendar.ics"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = buf.WriteTo(w)
	return err
}

// calendarEvent is a calendar entry as a VEVENT. Its UID, the entry's kind
// and ID, stays the same from one export to the next.
func calendarEvent(e csa.CalendarEntry, base, host string) icsEvent {
	label := calendarKindLabel(e.Kind)
	ev := icsEvent{Start: e.StartsAt, Summary: label + ": " + e.Title, Categories: label}
	// A customer's event has a start only: an hour marks it.
	ev.End = e.StartsAt.Add(time.Hour)
	if e.EndsAt != nil && e.EndsAt.After(e.StartsAt) {
		ev.End = *e.EndsAt
	}
	ev.UID = fmt.Sprintf("%s-%d@%s", e.Kind, e.ID, host)
	if e.OrgName != "" {
		ev.Summary += " (" + e.OrgName + ")"
	}
	var lines []string
	if e.OrgName != "" {
		lines = append(lines, e.OrgName+" · "+e.Plan.Label())
	}
	if e.Kind != "maintenance" {
		owner := e.OwnerName
		if owner == "" {
			owner = "nobody yet"
		}
		lines = append(lines, "Owner: "+owner)
	}
	if e.Detail != "" {
		lines = append(lines, e.Detail)
	}
	if e.URL != "" {
		ev.URL = base + e.URL
		lines = append(lines, ev.URL)
	}
	ev.Description = strings.Join(lines, "\n")
	return ev
}

// Ticket to engagement, from the staff ticket page.

// convertTicket moves a ticket that is not break/fix to the CSA team: the
// ticket is solved with the note as a public reply and an engagement opens
// for its requester.
func (web *Web) convertTicket(w http.ResponseWriter, r *http.Request) error {
	t, err := web.ticketByNumber(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	e, err := web.CSA.ConvertTicket(r.Context(), actor(r), t.ID, csa.FromTicketInput{Kind: csa.Kind(f.Get("kind")), Note: f.Get("note")})
	if err != nil {
		return web.ticketFormError(w, r, t, err)
	}
	flash := fmt.Sprintf("Ticket #%d is solved with your note and moved to the CSA team as this engagement.", t.Number)
	if e.OwnerID != nil && *e.OwnerID == actor(r).UserID {
		flash += " You own it."
	}
	web.redirect(w, r, csa.Path(e.ID), flash)
	return nil
}
