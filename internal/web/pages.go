package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/oncall"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// registerPages mounts the page list, a page, and the acknowledge links.
func (web *Web) registerPages(h handle) {
	h("GET /pages", staff, web.pageList)
	h("GET /pages/{id}", staff, web.pageDetail)
	// One route with an action field: /pages/{id}/acknowledge would clash
	// with the acknowledge links, /pages/ack/{token}.
	h("POST /pages/{id}", staff, web.pageAction)
	// The link in every page: no sign-in, the token is the authority. GET
	// only shows the buttons, since mail scanners open links first.
	h("GET /pages/ack/{token}", public, web.pageLink)
	h("POST /pages/ack/{token}", public, web.pageLinkAction)
	h("POST /tickets/{number}/page", admin, web.pageTicket)
}

// pageStatuses are the list's status filters.
var pageStatuses = []string{"open", oncall.StatusTriggered, oncall.StatusAcknowledged, oncall.StatusResolved}

type pageListData struct {
	Pages    []oncall.Page
	Status   string
	Statuses []string
	Prev     string
	Next     string
}

const pageListSize = 50

func (web *Web) pageList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	status := q.Get("status")
	if _, ok := q["status"]; !ok {
		status = "open" // what someone on call wants to see first
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	if offset < 0 {
		offset = 0
	}
	pages, err := web.Oncall.FindPages(r.Context(), actor(r), oncall.PageFilter{Status: status, Page: helpline.Page{Limit: pageListSize + 1, Offset: offset}})
	if err != nil {
		return err
	}
	d := pageListData{Pages: pages, Status: status, Statuses: pageStatuses}
	link := func(off int) string {
		v := url.Values{"status": {status}}
		if off > 0 {
			v.Set("offset", strconv.Itoa(off))
		}
		return "/pages?" + v.Encode()
	}
	if len(pages) > pageListSize {
		d.Pages, d.Next = pages[:pageListSize], link(offset+pageListSize)
	}
	if offset > 0 {
		d.Prev = link(max(0, offset-pageListSize))
	}
	web.render(w, r, http.StatusOK, "pages", &Page{Title: "Pages", Form: q, Data: d})
	return nil
}

// pageTimelineEntry is one step of a page's life.
type pageTimelineEntry struct {
	At   time.Time
	Text string
}

type pageDetailData struct {
	P          oncall.Page
	Deliveries []oncall.Delivery
	Timeline   []pageTimelineEntry
	TTA        string
}

// timeline tells a page's story from its fields and its delivery log.
func pageTimeline(p oncall.Page, ds []oncall.Delivery) []pageTimelineEntry {
	by := func(name string) string {
		if name == "" {
			return ""
		}
		return " by " + name
	}
	tl := []pageTimelineEntry{{p.TriggeredAt, "Triggered" + by(p.TriggeredByName) + " (" + pageWords(p.Reason) + ")"}}
	type step struct{ level, cycle int }
	seen := map[step]bool{}
	for _, d := range ds {
		if d.Event != "trigger" {
			continue
		}
		s := step{d.Level, d.Cycle}
		if seen[s] {
			continue
		}
		seen[s] = true
		if d.Level == 0 && d.Cycle == 0 {
			continue
		}
		text := fmt.Sprintf("Escalated to level %d", d.Level+1)
		if d.Cycle > 0 {
			text += fmt.Sprintf(" (repeat %d)", d.Cycle)
		}
		tl = append(tl, pageTimelineEntry{d.CreatedAt, text})
	}
	if p.AcknowledgedAt != nil {
		tl = append(tl, pageTimelineEntry{*p.AcknowledgedAt, "Acknowledged" + by(p.AcknowledgedName)})
	}
	if p.ResolvedAt != nil {
		tl = append(tl, pageTimelineEntry{*p.ResolvedAt, "Resolved" + by(p.ResolvedName)})
	}
	sort.SliceStable(tl, func(i, j int) bool { return tl[i].At.Before(tl[j].At) })
	return tl
}

func pageWords(s string) string { return strings.ReplaceAll(s, "_", " ") }

// duration says how long something took, the way people say it.
func pageDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return fmt.Sprintf("%d h %d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

func (web *Web) pageDetail(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	id, err := pathID(r, "id", "page")
	if err != nil {
		return err
	}
	var d pageDetailData
	if d.P, err = web.Oncall.FindPageByID(ctx, a, id); err != nil {
		return err
	}
	if d.Deliveries, err = web.Oncall.FindDeliveries(ctx, a, id); err != nil {
		return err
	}
	d.Timeline = pageTimeline(d.P, d.Deliveries)
	if d.P.AcknowledgedAt != nil {
		d.TTA = pageDuration(d.P.TimeToAcknowledge())
	}
	web.render(w, r, http.StatusOK, "pages_detail", &Page{Title: fmt.Sprintf("Page %d", id), Data: d})
	return nil
}

// pageAction acknowledges or resolves a page from the staff console.
func (web *Web) pageAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "page")
	if err != nil {
		return err
	}
	var flash string
	switch r.PostForm.Get("action") {
	case "acknowledge":
		_, err = web.Oncall.Acknowledge(r.Context(), actor(r), id)
		flash = "Acknowledged: escalation stopped."
	case "resolve":
		_, err = web.Oncall.Resolve(r.Context(), actor(r), id)
		flash = "Resolved."
	default:
		return helpline.Errorf(helpline.KindInvalid, "Press Acknowledge or Resolve.")
	}
	if err != nil {
		return err
	}
	target := fmt.Sprintf("/pages/%d", id)
	// The buttons on a ticket bring people back to the ticket.
	if n, err := strconv.ParseInt(r.PostForm.Get("ticket"), 10, 64); err == nil && n > 0 {
		target = fmt.Sprintf("/tickets/%d#paging", n)
	}
	web.redirect(w, r, target, flash)
	return nil
}

type pageLinkData struct {
	L      oncall.PageLink
	Token  string
	Action string // the button the link asked for: acknowledge or resolve
	TTA    string
}

func (web *Web) pageLink(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	l, err := web.Oncall.FindPageByToken(r.Context(), token)
	if err != nil {
		return err
	}
	d := pageLinkData{L: l, Token: token, Action: "acknowledge"}
	if r.URL.Query().Get("action") == "resolve" {
		d.Action = "resolve"
	}
	if l.Page.AcknowledgedAt != nil {
		d.TTA = pageDuration(l.Page.TimeToAcknowledge())
	}
	// The token is in the URL: keep it out of other sites' Referer logs.
	w.Header().Set("Referrer-Policy", "no-referrer")
	web.render(w, r, http.StatusOK, "pages_ack", &Page{Title: "Page " + strconv.FormatInt(l.Page.ID, 10), Data: d})
	return nil
}

func (web *Web) pageLinkAction(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	var err error
	var flash string
	switch r.PostForm.Get("action") {
	case "acknowledge":
		_, err = web.Oncall.AcknowledgeByToken(r.Context(), token)
		flash = "Acknowledged: escalation stopped. Nobody else will be paged."
	case "resolve":
		_, err = web.Oncall.ResolveByToken(r.Context(), token)
		flash = "Resolved."
	default:
		return helpline.Errorf(helpline.KindInvalid, "Press Acknowledge or Resolve.")
	}
	if err != nil {
		return err
	}
	web.redirect(w, r, "/pages/ack/"+url.PathEscape(token), flash)
	return nil
}

func (web *Web) pageTicket(w http.ResponseWriter, r *http.Request) error {
	t, err := web.ticketByNumber(r)
	if err != nil {
		return err
	}
	in := oncall.ManualPage{Message: r.PostForm.Get("message"), Severity: r.PostForm.Get("severity")}
	if s := r.PostForm.Get("policy_id"); s != "" {
		if in.PolicyID, err = strconv.ParseInt(s, 10, 64); err != nil {
			return web.ticketFormError(w, r, t, helpline.Validation{"policy_id": "choose an escalation policy"}.Err())
		}
	}
	p, created, err := web.Oncall.PageTicket(r.Context(), actor(r), t.ID, in)
	if err != nil {
		return web.ticketFormError(w, r, t, err)
	}
	flash := fmt.Sprintf("Paged %s.", p.PolicyName)
	if !created {
		flash = "This ticket already has an open page; nobody was paged again."
	}
	web.redirect(w, r, ticketPath(t)+"#paging", flash)
	return nil
}

// ticketPagingData is what the "ticket_paging" partial shows.
type ticketPagingData struct {
	Pages      []oncall.Page // newest first
	Open       *oncall.Page
	Latest     *oncall.Page
	TTA        string // of the latest page
	IsAdmin    bool
	Policies   []oncall.PolicyChoice
	Severities []string
}

// ticketPaging is what the ticket page shows of the ticket's pages
// (template "ticket_paging" in partials_pages.html).
func (web *Web) ticketPaging(ctx context.Context, a *helpline.Actor, t ticket.Ticket) (any, error) {
	if !a.IsStaff() || web.Oncall == nil {
		return nil, nil
	}
	pages, err := web.Oncall.FindPages(ctx, a, oncall.PageFilter{TicketID: t.ID, Page: helpline.Page{Limit: 20}})
	if err != nil {
		return nil, err
	}
	d := &ticketPagingData{Pages: pages, IsAdmin: a.IsAdmin(), Severities: oncall.Severities}
	if len(pages) > 0 {
		d.Latest = &pages[0]
		if pages[0].Open() {
			d.Open = &pages[0]
		}
		if pages[0].AcknowledgedAt != nil {
			d.TTA = pageDuration(pages[0].TimeToAcknowledge())
		}
	}
	if d.IsAdmin && d.Open == nil {
		if d.Policies, err = web.Oncall.PolicyChoices(ctx, a); err != nil {
			return nil, err
		}
	}
	return d, nil
}
