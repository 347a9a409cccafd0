package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/mailin"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/request"
)

// categoryView is one notification category with the user's choice.
type categoryView struct {
	notify.Category
	Enabled bool
}

// visibleCategories are the categories a user may choose: staff also get
// the staff-only ones.
func visibleCategories(isStaff bool) []notify.Category {
	var out []notify.Category
	for _, c := range notify.Categories {
		if !c.Staff || isStaff {
			out = append(out, c)
		}
	}
	return out
}

func findCategory(slug string) (notify.Category, bool) {
	for _, c := range notify.Categories {
		if c.Slug == slug {
			return c, true
		}
	}
	return notify.Category{}, false
}

func (web *Web) notificationsPage(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	prefs, err := web.Mail.Preferences(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	var d []categoryView
	for _, c := range visibleCategories(a.IsStaff()) {
		d = append(d, categoryView{Category: c, Enabled: prefs[c.Slug]})
	}
	web.render(w, r, http.StatusOK, "notifications", &Page{Title: "Email notifications", Data: d})
	return nil
}

// saveNotifications stores every checkbox of the form: a category that is
// not ticked is turned off.
func (web *Web) saveNotifications(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	for _, c := range visibleCategories(a.IsStaff()) {
		if err := web.Mail.SetPreference(r.Context(), a.UserID, c.Slug, r.PostForm.Get(c.Slug) != ""); err != nil {
			return err
		}
	}
	web.redirect(w, r, "/account/notifications", "Your email notifications are saved.")
	return nil
}

type unsubscribeData struct {
	Token    string
	Category notify.Category
	Email    string
	Done     bool
}

// unsubscribeCategory is the category of an unsubscribe request: from the
// form, else from the link's query.
func unsubscribeCategory(r *http.Request) (notify.Category, error) {
	slug := r.PostFormValue("c")
	if slug == "" {
		slug = r.URL.Query().Get("c")
	}
	c, ok := findCategory(slug)
	if !ok {
		return c, helpline.Errorf(helpline.KindInvalid, "This unsubscribe link names no known kind of email. Choose which emails you get under Account → Email notifications.")
	}
	return c, nil
}

// unsubscribeForm asks before turning anything off: mail scanners open
// links, and a GET must not unsubscribe anyone.
func (web *Web) unsubscribeForm(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	email, err := web.Mail.FindUnsubscribeEmail(r.Context(), token)
	if err != nil {
		return err
	}
	c, err := unsubscribeCategory(r)
	if err != nil {
		return err
	}
	web.render(w, r, http.StatusOK, "unsubscribe", &Page{Title: "Unsubscribe", Data: unsubscribeData{Token: token, Category: c, Email: email}})
	return nil
}

// unsubscribe turns a category off, from our own form or from a mail
// provider's one-click POST (RFC 8058: body "List-Unsubscribe=One-Click",
// no cookies, no Origin; CrossOriginProtection lets it through because it
// carries neither Sec-Fetch-Site nor Origin).
func (web *Web) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	if _, err := web.Mail.FindUnsubscribeEmail(r.Context(), token); err != nil {
		return err
	}
	c, err := unsubscribeCategory(r)
	if err != nil {
		return err
	}
	email, err := web.Mail.Unsubscribe(r.Context(), token, c.Slug)
	if err != nil {
		return err
	}
	web.render(w, r, http.StatusOK, "unsubscribe", &Page{Title: "Unsubscribed", Data: unsubscribeData{Token: token, Category: c, Email: email, Done: true}})
	return nil
}

// The status filters of the admin mail page.
var (
	outboxStatuses = []string{"queued", "sent", "failed"}
	inboxStatuses  = []string{mailin.StatusHeld, mailin.StatusComment, mailin.StatusTicket, mailin.StatusIgnored, mailin.StatusRejected, mailin.StatusDiscarded}
)

type outboxRow struct {
	notify.OutboxMessage
	TicketNumber int64
}

type inboxRow struct {
	mailin.InboxMessage
	TicketNumber int64
}

type adminMailData struct {
	OutboxRows                    []outboxRow
	InboxRows                     []inboxRow
	OutboxStatus, InboxStatus     string // "" is all
	OutboxStatuses, InboxStatuses []string
	OutboxPrev, OutboxNext        string // links to the other pages, "" for none
	InboxPrev, InboxNext          string
	OutboxOffset, InboxOffset     int
}

const mailPageSize = 50

// adminMail shows the outgoing and incoming email. Both lists page on
// their own; each link keeps the other list's filter and offset.
func (web *Web) adminMail(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	q := r.URL.Query()
	d := adminMailData{OutboxStatuses: outboxStatuses, InboxStatuses: inboxStatuses}
	d.OutboxStatus = q.Get("outbox_status")
	if d.OutboxStatus == "all" {
		d.OutboxStatus = ""
	}
	d.InboxStatus = q.Get("inbox_status")
	if !q.Has("inbox_status") {
		d.InboxStatus = mailin.StatusHeld
	}
	if d.InboxStatus == "all" {
		d.InboxStatus = ""
	}
	if d.OutboxStatus != "" && !contains(outboxStatuses, d.OutboxStatus) {
		return helpline.Errorf(helpline.KindInvalid, "There is no outgoing status %q; choose one of the list.", d.OutboxStatus)
	}
	if d.InboxStatus != "" && !contains(inboxStatuses, d.InboxStatus) {
		return helpline.Errorf(helpline.KindInvalid, "There is no incoming status %q; choose one of the list.", d.InboxStatus)
	}
	d.OutboxOffset, _ = strconv.Atoi(q.Get("outbox_offset"))
	d.InboxOffset, _ = strconv.Atoi(q.Get("inbox_offset"))
	d.OutboxOffset, d.InboxOffset = max(d.OutboxOffset, 0), max(d.InboxOffset, 0)

	out, err := web.Mail.FindOutbox(ctx, a, 0, d.OutboxStatus, helpline.Page{Limit: mailPageSize + 1, Offset: d.OutboxOffset})
	if err != nil {
		return err
	}
	in, err := web.Inbox.FindInbox(ctx, a, d.InboxStatus, helpline.Page{Limit: mailPageSize + 1, Offset: d.InboxOffset})
	if err != nil {
		return err
	}
	link := func(outOffset, inOffset int) string {
		v := url.Values{}
		v.Set("outbox_status", orDefault(d.OutboxStatus, "all"))
		v.Set("inbox_status", orDefault(d.InboxStatus, "all"))
		if outOffset > 0 {
			v.Set("outbox_offset", strconv.Itoa(outOffset))
		}
		if inOffset > 0 {
			v.Set("inbox_offset", strconv.Itoa(inOffset))
		}
		return "/admin/mail?" + v.Encode()
	}
	if len(out) > mailPageSize {
		out, d.OutboxNext = out[:mailPageSize], link(d.OutboxOffset+mailPageSize, d.InboxOffset)+"#outgoing"
	}
	if d.OutboxOffset > 0 {
		d.OutboxPrev = link(max(d.OutboxOffset-mailPageSize, 0), d.InboxOffset) + "#outgoing"
	}
	if len(in) > mailPageSize {
		in, d.InboxNext = in[:mailPageSize], link(d.OutboxOffset, d.InboxOffset+mailPageSize)+"#incoming"
	}
	if d.InboxOffset > 0 {
		d.InboxPrev = link(d.OutboxOffset, max(d.InboxOffset-mailPageSize, 0)) + "#incoming"
	}
	numbers := web.ticketNumbers(ctx, a)
	for _, m := range out {
		d.OutboxRows = append(d.OutboxRows, outboxRow{OutboxMessage: m, TicketNumber: numbers(m.TicketID)})
	}
	for _, m := range in {
		d.InboxRows = append(d.InboxRows, inboxRow{InboxMessage: m, TicketNumber: numbers(m.TicketID)})
	}
	web.render(w, r, http.StatusOK, "admin_mail", &Page{Title: "Mail", Data: d})
	return nil
}

// ticketNumbers returns a function that finds the number of a ticket by its
// ID, for links, remembering the ones it found; 0 means none or gone.
func (web *Web) ticketNumbers(ctx context.Context, a *helpline.Actor) func(id *int64) int64 {
	seen := map[int64]int64{}
	return func(id *int64) int64 {
		if id == nil {
			return 0
		}
		if n, ok := seen[*id]; ok {
			return n
		}
		t, err := web.Tickets.FindTicketByID(ctx, a, *id)
		if err != nil {
			seen[*id] = 0
			return 0
		}
		seen[*id] = t.Number
		return t.Number
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// adminMailOriginal sends a received message as it arrived, as a .eml file.
func (web *Web) adminMailOriginal(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return helpline.NotFound("message")
	}
	raw, err := web.Inbox.Original(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	request.ServeDownload(w, r, fmt.Sprintf("message-%d.eml", id), "message/rfc822", bytes.NewReader(raw))
	return nil
}

// adminMailDiscard marks a held message as dealt with.
func (web *Web) adminMailDiscard(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return helpline.NotFound("message")
	}
	if err := web.Inbox.Discard(r.Context(), actor(r), id); err != nil {
		return err
	}
	web.redirect(w, r, "/admin/mail#incoming", fmt.Sprintf("Message %d discarded.", id))
	return nil
}

// adminMailReprocess routes a held message again, after staff created the
// sender's account or gave them access to the ticket.
func (web *Web) adminMailReprocess(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return helpline.NotFound("message")
	}
	res, err := web.Inbox.Reprocess(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	web.redirect(w, r, "/admin/mail#incoming", fmt.Sprintf("Message %d processed again: %s (%s).", id, res.Status, res.Reason))
	return nil
}
