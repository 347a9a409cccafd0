package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/csa"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/request"
	"github.com/helpline-dev/helpline/internal/ticket"
)

const ticketsPerPage = 50

type ticketListData struct {
	Tickets    []ticket.Ticket
	Status     string
	CanOpen    bool // belongs to an organization, so may open tickets
	Prev, Next string
}

// ticketList is a customer's tickets: their organizations' and those shared
// with them, newest first. Staff work from the queue instead.
func (web *Web) ticketList(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	if a.IsStaff() {
		http.Redirect(w, r, "/queue", http.StatusSeeOther)
		return nil
	}
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = max(offset, 0)
	f := ticket.Filter{Page: helpline.Page{Limit: ticketsPerPage + 1, Offset: offset}}
	d := ticketListData{Status: q.Get("status")}
	switch d.Status {
	case "":
	case "active":
		f.Status = ticket.ActiveStatuses
	default:
		f.Status = []ticket.Status{ticket.Status(d.Status)}
	}
	p := &Page{Title: "Your tickets", Form: q}
	status := http.StatusOK
	tickets, err := web.Tickets.FindTickets(ctx, a, f)
	if err != nil {
		he, st, ok := inputError(err)
		if !ok {
			return err
		}
		p.Message, p.Errors, status = he.Message, he.Fields, st
	}
	ms, err := web.Accounts.FindMemberships(ctx, a.UserID)
	if err != nil {
		return err
	}
	d.CanOpen = len(ms) > 0
	d.Prev, d.Next = pager("/tickets", q, offset, ticketsPerPage, len(tickets) > ticketsPerPage)
	d.Tickets = tickets[:min(len(tickets), ticketsPerPage)]
	p.Data = d
	web.render(w, r, status, "tickets", p)
	return nil
}

// pager returns the links to the previous and next page of a list of per
// items, keeping its filters; "" when there is no such page.
func pager(path string, q url.Values, offset, per int, more bool) (prev, next string) {
	link := func(off int) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "offset" && len(vs) > 0 && vs[0] != "" {
				v[k] = vs[:1]
			}
		}
		if off > 0 {
			v.Set("offset", strconv.Itoa(off))
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	if offset > 0 {
		prev = link(max(offset-per, 0))
	}
	if more {
		next = link(offset + per)
	}
	return prev, next
}

type orgApps struct {
	Org  account.Organization
	Apps []account.App
}

type newTicketData struct {
	Orgs         []orgApps
	MaxFileMB    int64
	FilesDropped bool // the user chose files, which a form shown again cannot keep
}

func (web *Web) newTicketForm(w http.ResponseWriter, r *http.Request) error {
	// Most tickets are about production and are not urgent; urgent is a
	// deliberate choice.
	form := url.Values{"priority": {"normal"}, "environment": {string(ticket.Production)}}
	return web.renderNewTicket(w, r, http.StatusOK, &Page{Form: form}, false)
}

func (web *Web) renderNewTicket(w http.ResponseWriter, r *http.Request, status int, p *Page, filesDropped bool) error {
	ctx, a := r.Context(), actor(r)
	if a.IsStaff() {
		return helpline.Errorf(helpline.KindForbidden, "Staff do not open tickets; customers do. Work on them from the queue.")
	}
	ms, err := web.Accounts.FindMemberships(ctx, a.UserID)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		return helpline.Errorf(helpline.KindForbidden, "You need to belong to an organization to open tickets. Ask your organization's owner to add you.")
	}
	d := newTicketData{MaxFileMB: web.MaxAttachmentBytes >> 20, FilesDropped: filesDropped}
	for _, m := range ms {
		apps, err := web.Accounts.FindApps(ctx, a, m.Org.ID)
		if err != nil {
			return err
		}
		d.Orgs = append(d.Orgs, orgApps{Org: m.Org, Apps: apps})
	}
	if p.Form.Get("deflection") == "" {
		// Suggestions while the customer writes, measured (deflection.go).
		p.Form.Set("deflection", web.startDeflection(r))
	}
	p.Title, p.Data = "Open a ticket", d
	web.render(w, r, status, "ticket_new", p)
	return nil
}

// formBool reads a yes/no radio or a checkbox; nil when neither was chosen.
func formBool(v string) *bool {
	var b bool
	switch strings.ToLower(v) {
	case "yes", "true", "on", "1":
		b = true
	case "no", "false", "off", "0":
	default:
		return nil
	}
	return &b
}

func formID(v string) int64 {
	id, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	return id
}

func files(r *http.Request, name string) []*multipart.FileHeader {
	if r.MultipartForm == nil {
		return nil
	}
	return r.MultipartForm.File[name]
}

// checkFiles refuses empty and oversized files before anything is saved, so
// a ticket is not opened without the files that explain it.
func (web *Web) checkFiles(fhs []*multipart.FileHeader) string {
	var problems []string
	for _, fh := range fhs {
		switch {
		case fh.Size == 0:
			problems = append(problems, fh.Filename+" is empty")
		case fh.Size > web.MaxAttachmentBytes:
			problems = append(problems, fmt.Sprintf("%s is larger than %d MB", fh.Filename, web.MaxAttachmentBytes>>20))
		}
	}
	return strings.Join(problems, "; ")
}

// attach stores an uploaded file. Its type comes from its first bytes, never
// from what the browser claimed.
func (web *Web) attach(ctx context.Context, a *helpline.Actor, ticketID int64, fh *multipart.FileHeader) (ticket.Attachment, error) {
	f, err := fh.Open()
	if err != nil {
		return ticket.Attachment{}, err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return ticket.Attachment{}, err
	}
	head = head[:n]
	return web.Tickets.AddAttachment(ctx, a, ticketID, fh.Filename, http.DetectContentType(head), io.MultiReader(bytes.NewReader(head), f))
}

// redactionNote tells the customer that secrets were taken out of what they
// pasted, so they are not surprised by [REDACTED] in their own text.
func redactionNote(n int) string {
	switch {
	case n == 1:
		return " We removed 1 secret (an API key or password) from what you pasted before saving it."
	case n > 1:
		return fmt.Sprintf(" We removed %d secrets (API keys, passwords) from what you pasted before saving it.", n)
	}
	return ""
}

func (web *Web) createTicket(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	f := r.PostForm
	in := ticket.NewTicket{
		OrgID: formID(f.Get("organization_id")), Subject: f.Get("subject"), Description: f.Get("description"),
		Priority: ticket.Priority(f.Get("priority")), AppID: formID(f.Get("app_id")),
		Environment: ticket.Environment(f.Get("environment")), Category: f.Get("category"),
	}
	if in.Priority == ticket.Urgent {
		u := func(name string) string { return f.Get("urgent." + name) }
		in.Urgent = &ticket.UrgentInput{
			AccessGranted: formBool(u("access_granted")), AccessExpiresAt: u("access_expires_at"),
			UsersAffected: u("users_affected"), BusinessImpact: u("business_impact"), StepsToReproduce: u("steps_to_reproduce"),
			SeenInStaging: formBool(u("seen_in_staging")), EnvironmentDifferences: u("environment_differences"),
			StartedAt: u("started_at"), Logs: u("logs"), Config: u("config"), ThirdPartyServices: u("third_party_services"),
		}
	}
	fhs := files(r, "attachments")
	if problem := web.checkFiles(fhs); problem != "" {
		p := &Page{Form: f, Errors: map[string]string{"attachments": problem}, Message: "Please correct the highlighted fields."}
		return web.renderNewTicket(w, r, http.StatusUnprocessableEntity, p, true)
	}
	t, err := web.Tickets.CreateTicket(ctx, a, in)
	if err != nil {
		he, status, ok := inputError(err)
		if !ok {
			return err
		}
		return web.renderNewTicket(w, r, status, &Page{Form: f, Errors: he.Fields, Message: he.Message}, len(fhs) > 0)
	}
	web.completeDeflection(r, f.Get("deflection"), t.ID)
	flash := fmt.Sprintf("Ticket #%d is open.", t.Number)
	if t.Priority == ticket.Urgent && t.Plan.PagesOnUrgent() {
		flash += " The on-call engineer has been paged."
	}
	for _, fh := range fhs {
		if _, err := web.attach(ctx, a, t.ID, fh); err != nil {
			// The ticket exists; say which file is missing rather than fail.
			msg := "it could not be saved"
			if he, _, ok := inputError(err); ok {
				msg = he.Error()
			}
			flash += fmt.Sprintf(" %s was not attached (%s); add it below.", fh.Filename, msg)
		}
	}
	web.redirect(w, r, ticketPath(t), flash+redactionNote(t.Redactions))
	return nil
}

func ticketPath(t ticket.Ticket) string { return "/tickets/" + strconv.FormatInt(t.Number, 10) }

// ticketByNumber finds the ticket of the URL; tickets the user may not see
// are not found, so numbers reveal nothing.
func (web *Web) ticketByNumber(r *http.Request) (ticket.Ticket, error) {
	n, err := strconv.ParseInt(r.PathValue("number"), 10, 64)
	if err != nil || n <= 0 {
		return ticket.Ticket{}, helpline.NotFound("ticket")
	}
	return web.Tickets.FindTicketByNumber(r.Context(), actor(r), n)
}

type eventView struct {
	At    time.Time
	Actor string
	Text  string
	Link  string // the engagement the ticket moved to or came from
}

type appealView struct {
	At              time.Time
	By, Reason      string
	Outcome, Result string // decisions only
}

type grantView struct {
	ticket.Grant
	Active  bool
	Expired bool
}

type ticketData struct {
	T            ticket.Ticket
	Comments     []ticket.Comment
	Events       []eventView
	Participants []ticket.Participant
	Grants       []grantView
	AnyGrant     bool // an access grant is active
	Attachments  []ticket.Attachment
	Appeal       *appealView
	Decision     *appealView
	IsStaff      bool
	IsMember     bool // of the ticket's organization, not only a participant
	CanShare     bool
	CanRemove    bool // may remove participants
	ShareURL     string
	Viewers      []ticket.Viewer
	Agents       []account.User
	Watchers     []string               // staff watching the ticket
	Watching     bool                   // the viewer is one of them
	Emails       []notify.OutboxMessage // staff: the notifications of this ticket
	LastComment  int64
	Collision    string
	MaxFileMB    int64
	SLA          any // the ticket's SLA clocks, from web/sla.go
	Paging       any // the ticket's pages, from web/pages.go
	Incidents    any // active incidents linked to it, from web/subscriptions_incidents.go
	// CanConvert offers staff to move the ticket to the CSA team: it is
	// active and its organization is on an enterprise plan
	// (engagements_console.go).
	CanConvert bool
	Kinds      []csa.Kind
}

// AssigneeID is the assignee's user ID, 0 for nobody, for the select.
func (d ticketData) AssigneeID() int64 {
	if d.T.AssigneeID == nil {
		return 0
	}
	return *d.T.AssigneeID
}

func (web *Web) ticketPage(w http.ResponseWriter, r *http.Request) error {
	t, err := web.ticketByNumber(r)
	if err != nil {
		return err
	}
	return web.renderTicket(w, r, http.StatusOK, &Page{}, t, "")
}

// renderTicket shows a ticket with everything around it. p carries the
// values and errors of the form that was submitted, if any; collision warns
// that someone replied while the user was writing.
func (web *Web) renderTicket(w http.ResponseWriter, r *http.Request, status int, p *Page, t ticket.Ticket, collision string) error {
	ctx, a := r.Context(), actor(r)
	d := ticketData{T: t, IsStaff: a.IsStaff(), Collision: collision, MaxFileMB: web.MaxAttachmentBytes >> 20}
	var err error
	if d.Comments, err = web.Tickets.FindComments(ctx, a, t.ID); err != nil {
		return err
	}
	if len(d.Comments) > 0 {
		d.LastComment = d.Comments[len(d.Comments)-1].ID
	}
	events, err := web.Tickets.FindEvents(ctx, a, t.ID)
	if err != nil {
		return err
	}
	for _, e := range events {
		ev := eventView{At: e.CreatedAt, Actor: orDefault(e.ActorName, "Helpline"), Text: describeEvent(e), Link: eventLink(e)}
		if by := dataString(e, "opened_by"); e.Kind == "created" && by != "" {
			// Opened on the customer's behalf: the customer is the
			// requester, staff did it.
			ev.Actor = by
		}
		d.Events = append(d.Events, ev)
		switch e.Kind {
		case "appeal_submitted":
			d.Appeal = &appealView{At: e.CreatedAt, By: e.ActorName, Reason: dataString(e, "reason")}
		case "appeal_decided":
			d.Decision = &appealView{At: e.CreatedAt, By: e.ActorName, Reason: dataString(e, "note"),
				Outcome: dataString(e, "outcome"), Result: dataString(e, "priority")}
		}
	}
	if d.Participants, err = web.Tickets.FindParticipants(ctx, a, t.ID); err != nil {
		return err
	}
	grants, err := web.Tickets.FindGrants(ctx, a, t.ID)
	if err != nil {
		return err
	}
	now := web.Now()
	for _, g := range grants {
		gv := grantView{Grant: g, Active: g.Active(now), Expired: g.RevokedAt == nil && !now.Before(g.ExpiresAt)}
		d.AnyGrant = d.AnyGrant || gv.Active
		d.Grants = append(d.Grants, gv)
	}
	if d.Attachments, err = web.Tickets.FindAttachments(ctx, a, t.ID); err != nil {
		return err
	}
	if d.IsStaff {
		if d.Viewers, err = web.Tickets.Viewing(ctx, a, t.ID); err != nil {
			return err
		}
		if d.Agents, err = web.Accounts.FindAssignees(ctx, a); err != nil {
			return err
		}
		if d.Watchers, d.Watching, err = web.Tickets.Watchers(ctx, a, t.ID); err != nil {
			return err
		}
		if d.Emails, err = web.Mail.FindOutbox(ctx, a, t.ID, "", helpline.Page{Limit: 50}); err != nil {
			return err
		}
		d.CanConvert, d.Kinds = t.Plan.IsEnterprise() && t.Status.Active(), csa.Kinds
	} else {
		ms, err := web.Accounts.FindMemberships(ctx, a.UserID)
		if err != nil {
			return err
		}
		d.IsMember = slices.ContainsFunc(ms, func(m account.Membership) bool { return m.Org.ID == t.OrgID })
	}
	// The service's rules: staff, the requester and the organization manage
	// sharing; staff and the requester remove participants.
	d.CanShare = d.IsStaff || d.IsMember || a.UserID == t.RequesterID
	d.CanRemove = d.IsStaff || a.UserID == t.RequesterID
	if d.CanShare {
		token, err := web.Tickets.ShareToken(ctx, a, t.ID)
		if err != nil {
			return err
		}
		if token != "" {
			d.ShareURL = web.baseURL(r) + "/share/" + token
		}
	}
	if d.SLA, err = web.ticketSLA(ctx, a, t); err != nil {
		return err
	}
	if d.Paging, err = web.ticketPaging(ctx, a, t); err != nil {
		return err
	}
	d.Incidents = web.ticketIncidents(ctx, a, t)
	p.Title = fmt.Sprintf("#%d %s", t.Number, t.Subject)
	p.Data = d
	web.render(w, r, status, "ticket", p)
	return nil
}

func orDefault(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func dataString(e ticket.Event, key string) string {
	v, ok := e.Data[key]
	if !ok || v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// describeEvent says what happened, in the words of the timeline.
func describeEvent(e ticket.Event) string {
	s := func(key string) string { return strings.ReplaceAll(dataString(e, key), "_", " ") }
	withReason := func(text, key string) string {
		if r := dataString(e, key); r != "" {
			return text + ": “" + r + "”"
		}
		return text
	}
	switch e.Kind {
	case "created":
		if dataString(e, "opened_by") != "" {
			if id := dataID(e, "from_engagement"); id != 0 {
				return fmt.Sprintf("opened this ticket from enterprise engagement %d on the customer's behalf", id)
			}
			return "opened this ticket on the customer's behalf"
		}
		return "opened the ticket as " + s("priority")
	case "handed_off":
		text := fmt.Sprintf("moved this ticket to the CSA team as engagement %d", dataID(e, "engagement_id"))
		if title := dataString(e, "title"); title != "" {
			text += " “" + title + "”"
		}
		return text
	case "status_changed":
		return "changed the status from " + s("from") + " to " + s("to")
	case "assigned":
		if s("assignee") == "" {
			return "unassigned the ticket"
		}
		return "assigned it to " + dataString(e, "assignee")
	case "priority_changed":
		return withReason("changed the priority from "+s("from")+" to "+s("to"), "reason")
	case "appeal_submitted":
		return withReason("appealed the priority change, asking for "+s("requested"), "reason")
	case "appeal_decided":
		if dataString(e, "outcome") == string(ticket.AppealOverturned) {
			return withReason("overturned the change; the priority is "+s("priority")+" again", "note")
		}
		return withReason("upheld the change; the priority stays "+s("priority"), "note")
	case "share_link_created":
		return "created a share link"
	case "share_link_rotated":
		return "replaced the share link; the old one no longer works"
	case "share_link_revoked":
		return "stopped the share link"
	case "participant_joined":
		return "joined through the share link"
	case "participant_removed":
		return "removed a participant"
	case "attachment_added":
		return "attached " + dataString(e, "filename")
	case "access_granted":
		return "allowed staff to access the app until " + dataString(e, "expires_at")
	case "access_revoked":
		return "revoked staff access to the app"
	case "sla_recomputed":
		return "restarted the SLA clocks (" + s("reason") + ", " + s("from") + " → " + s("to") + ")"
	case "sla_warning":
		return "SLA warning: the " + s("metric") + " target is due at " + dataString(e, "due_at")
	case "sla_breached":
		return "SLA breached: the " + s("metric") + " target was due at " + dataString(e, "due_at")
	case "page_triggered":
		return withReason("paged on-call through "+dataString(e, "policy")+" ("+s("reason")+")", "message")
	case "page_not_sent":
		return "paged nobody: " + dataString(e, "reason")
	case "page_escalated":
		return "escalated the page to level " + dataString(e, "level")
	case "page_acknowledged":
		return "acknowledged the page"
	case "page_resolved":
		return withReason("resolved the page", "reason")
	}
	return strings.ReplaceAll(e.Kind, "_", " ")
}

// dataID reads a numeric ID from an event's data (JSON numbers decode as
// float64, which fmt would print as 1e+06).
func dataID(e ticket.Event, key string) int64 {
	switch v := e.Data[key].(type) {
	case float64:
		return int64(v)
	case json.Number:
		n, _ := v.Int64()
		return n
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

// eventLink is the page an event points at: the engagement a ticket moved
// to, or the one it was opened from.
func eventLink(e ticket.Event) string {
	var id int64
	switch {
	case e.Kind == "handed_off":
		id = dataID(e, "engagement_id")
	case e.Kind == "created" && dataString(e, "opened_by") != "":
		id = dataID(e, "from_engagement")
	}
	if id <= 0 {
		return ""
	}
	return csa.Path(id)
}

// baseURL is where share links point: the configured public URL, or this
// request's own origin.
func (web *Web) baseURL(r *http.Request) string {
	if web.BaseURL != "" {
		return strings.TrimSuffix(web.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// ticketFormError shows the ticket again with a form's values and errors, or
// returns err when it is not about what the user typed.
func (web *Web) ticketFormError(w http.ResponseWriter, r *http.Request, t ticket.Ticket, err error) error {
	he, status, ok := inputError(err)
	if !ok {
		return err
	}
	// Show the ticket as it is now, not as it was before the failed change.
	if fresh, ferr := web.Tickets.FindTicketByID(r.Context(), actor(r), t.ID); ferr == nil {
		t = fresh
	}
	return web.renderTicket(w, r, status, &Page{Form: r.PostForm, Errors: he.Fields, Message: he.Message}, t, "")
}

func (web *Web) addComment(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	t, err := web.ticketByNumber(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	if f.Get("send_anyway") != "1" {
		// A reply written by someone else since this form was shown: the
		// writer should read it before sending, so answers do not cross.
		replies, err := web.Tickets.RepliesSince(ctx, a, t.ID, formID(f.Get("seen")))
		if err != nil {
			return err
		}
		if len(replies) > 0 {
			var names []string
			for _, c := range replies {
				if !slices.Contains(names, c.AuthorName) {
					names = append(names, c.AuthorName)
				}
			}
			msg := joinNames(names) + " replied while you were writing — read it, then send again."
			return web.renderTicket(w, r, http.StatusConflict, &Page{Form: f}, t, msg)
		}
	}
	internal := a.IsStaff() && f.Get("internal") != ""
	c, err := web.Tickets.AddComment(ctx, a, t.ID, ticket.NewComment{Body: f.Get("body"), Internal: internal})
	if err != nil {
		return web.ticketFormError(w, r, t, err)
	}
	flash := "Reply sent."
	if internal {
		flash = "Internal note added; only staff see it."
	}
	if st := ticket.Status(f.Get("status")); a.IsStaff() && st != "" {
		if _, err := web.Tickets.UpdateTicket(ctx, a, t.ID, ticket.Update{Status: &st}); err != nil {
			he, _, ok := inputError(err)
			if !ok {
				return err
			}
			flash += " The status was not changed: " + he.Error()
		} else {
			flash += " Status: " + strings.ReplaceAll(string(st), "_", " ") + "."
		}
	}
	web.redirect(w, r, fmt.Sprintf("%s#comment-%d", ticketPath(t), c.ID), flash+redactionNote(c.Redactions))
	return nil
}

// joinNames lists names as people write them: "A", "A and B", "A, B and C".
func joinNames(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func (web *Web) updateTicket(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	t, err := web.ticketByNumber(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	var u ticket.Update
	if st := ticket.Status(f.Get("status")); st != "" && st != t.Status {
		u.Status = &st
	}
	if f.Has("assignee_id") {
		id, current := formID(f.Get("assignee_id")), int64(0)
		if t.AssigneeID != nil {
			current = *t.AssigneeID
		}
		if id != current {
			u.AssigneeID = &id
		}
	}
	if u.Status == nil && u.AssigneeID == nil {
		web.redirect(w, r, ticketPath(t), "Nothing to change.")
		return nil
	}
	if _, err := web.Tickets.UpdateTicket(ctx, a, t.ID, u); err != nil {
		return web.ticketFormError(w, r, t, err)
	}
	flash := "Ticket updated."
	if !a.IsStaff() {
		flash = "Marked as solved. If the problem comes back, reply here and the ticket reopens."
	}
	web.redirect(w, r, ticketPath(t), flash)
	return nil
}

func (web *Web) changePriority(w http.ResponseWriter, r *http.Request) error {
	t, err := web.ticketByNumber(r)
	if err != nil {
		return err
	}
	to := ticket.Priority(r.PostForm.Get("priority"))
	if _, err := web.Tickets.ChangePriority(r.Context(), actor(r), t.ID, to, r.PostForm.Get("reason")); err != nil {
		return web.ticketFormError(w, r, t, err)
	}
	web.redirect(w, r, ticketPath(t), "Priority changed to "+string(to)+". The customer sees your reason and may appeal once.")
	return nil
}

func (web *Web) appeal(w http.ResponseWriter, r *http.Request) error {
	t, err := web.ticketByNumber(r)
	if err != nil {
		return err
	}
	if _, err := web.Tickets.Appeal(r.Context(), actor(r), t.ID, r.PostForm.Get("reason")); err != nil {
		return web.ticketFormError(w, r, t, err)
	}
	web.redirect(w, r, ticketPath(t), "Your appeal is sent. Support reviews it and makes a final decision.")
	return nil
}

func (web *Web) decideAppeal(w http.ResponseWriter, r *http.Request) error {
	t, err := web.ticketByNumber(r)
	if err != nil {
		return err
	}
	outcome := ticket.AppealState(r.PostForm.Get("outcome"))
	t2, err := web.Tickets.DecideAppeal(r.Context(), actor(r), t.ID, outcome, r.PostForm.Get("note"))
	if err != nil {
		return web.ticketFormError(w, r, t, err)
	}
	flash := "Appeal upheld: the priority stays " + string(t2.Priority) + "."
	if outcome == ticket.AppealOverturned {
		flash = "Appeal overturned: the priority is " + string(t2.Priority) + " again."
	}
	web.redirect(w, r, ticketPath(t), flash)
	return nil
}

func (web *Web) share(w http.ResponseWriter, r *http.Request) error {
	t, err := web.ticketByNumber(r)
	if err != nil {
		return err
	}
	rotate := r.PostForm.Get("rotate") == "1"
	if _, err := web.Tickets.Share(r.Context(), actor(r), t.ID, rotate); err != nil {
		return err
	}
	flash := "Send the link below to your teammates: anyone with an account who opens it joins this ticket."
	if rotate {
		flash = "Here is a new link; the old one no longer works. People who joined keep access."
	}
	web.redirect(w, r, ticketPath(t)+"#sharing", flash)
	return nil
}

func (web *Web) unshare(w http.ResponseWriter, r *http.Request) error {
	t, err := web.ticketByNumber(r)
	if err != nil {
		return err
	}
	if err := web.Tickets.RevokeShare(r.Context(), actor(r), t.ID); err != nil {
		return err
	}
	web.redirect(w, r, ticketPath(t)+"#sharing", "The share link no longer works. People who joined keep access until you remove them.")
	return nil
}

func (web *Web) removeParticipant(w http.ResponseWriter, r *http.Request) error {
	t, err := web.ticketByNumber(r)
	if err != nil {
		return err
	}
	userID, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		return helpline.NotFound("participant")
	}
	if err := web.Tickets.RemoveParticipant(r.Context(), actor(r), t.ID, userID); err != nil {
		return err
	}
	web.redirect(w, r, ticketPath(t)+"#sharing", "Removed from the ticket.")
	return nil
}

func (web *Web) revokeAccess(w http.ResponseWriter, r *http.Request) error {
	t, err := web.ticketByNumber(r)
	if err != nil {
		return err
	}
	if err := web.Tickets.RevokeAccess(r.Context(), actor(r), t.ID); err != nil {
		return web.ticketFormError(w, r, t, err)
	}
	web.redirect(w, r, ticketPath(t), "Staff access to the app is revoked.")
	return nil
}

// watch starts or stops the viewer watching the ticket.
func (web *Web) watch(w http.ResponseWriter, r *http.Request) error {
	t, err := web.ticketByNumber(r)
	if err != nil {
		return err
	}
	on := r.PostForm.Get("on") == "1"
	if err := web.Tickets.Watch(r.Context(), actor(r), t.ID, on); err != nil {
		return err
	}
	msg := "You no longer watch this ticket."
	if on {
		msg = "You watch this ticket: customer replies come to you by email."
	}
	web.redirect(w, r, ticketPath(t)+"#update", msg)
	return nil
}

func (web *Web) uploadAttachments(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	t, err := web.ticketByNumber(r)
	if err != nil {
		return err
	}
	fhs := files(r, "file")
	problem := web.checkFiles(fhs)
	if len(fhs) == 0 {
		problem = "choose a file to attach"
	}
	if problem != "" {
		return web.ticketFormError(w, r, t, &helpline.Error{Kind: helpline.KindInvalid, Message: "The file was not attached.", Fields: map[string]string{"file": problem}})
	}
	var names []string
	for _, fh := range fhs {
		att, err := web.attach(ctx, a, t.ID, fh)
		if err != nil {
			return web.ticketFormError(w, r, t, err)
		}
		names = append(names, att.Filename)
	}
	web.redirect(w, r, ticketPath(t)+"#attachments", "Attached "+joinNames(names)+".")
	return nil
}

// downloadAttachment sends a file as a download. Types a browser would run
// as a page on our origin (HTML, SVG, XML, scripts) go out as plain bytes.
func (web *Web) downloadAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return helpline.NotFound("attachment")
	}
	att, f, err := web.Tickets.OpenAttachment(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	defer f.Close()
	request.ServeDownload(w, r, att.Filename, att.ContentType, f)
	return nil
}

// joinShare adds the signed-in user to the ticket of a share link.
func (web *Web) joinShare(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	t, err := web.Tickets.Join(r.Context(), a, r.PathValue("token"))
	if err != nil {
		return err
	}
	flash := fmt.Sprintf("You joined ticket #%d.", t.Number)
	if a.IsStaff() {
		flash = ""
	}
	web.redirect(w, r, ticketPath(t), flash)
	return nil
}
