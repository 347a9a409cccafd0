package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/csa"
	"github.com/helpline-dev/helpline/internal/request"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// engagementStep is one state of the engagement's step indicator.
type engagementStep struct {
	State         csa.State
	Done, Current bool
}

// engagementActivity is one entry of the engagement's timeline.
type engagementActivity struct {
	csa.Activity
	Actor string
	Text  string // what happened, for entries that are not comments
	// Ticket links the ticket a conversion opened or came from.
	Ticket int64
}

// engagementMeeting is a meeting with its edit form.
type engagementMeeting struct {
	csa.Meeting
	Form *Page
}

type engagementData struct {
	csa.Detail
	IsStaff     bool
	Steps       []engagementStep
	Activity    []engagementActivity
	Meetings    []engagementMeeting
	Architects  []csa.Architect
	Zones       []string
	CanWithdraw bool
	// CanEdit offers the request's form: customers until the work is
	// delivered, the CSA team until it is closed.
	CanEdit   bool
	MaxFileMB int64
	// Forms are the page's forms by name, each with what was typed into it
	// and its errors when it was the one submitted, or its defaults.
	Forms map[string]*Page
	// Message is an error about no form in particular.
	Message string
}

// Thousands writes a number with thousands separators: 40,000.
func (engagementData) Thousands(n int) string { return csa.Thousands(n) }

// Owner is the owner's user ID, 0 for nobody, for the select.
func (d engagementData) Owner() int64 {
	if d.OwnerID == nil {
		return 0
	}
	return *d.OwnerID
}

func engagementID(r *http.Request) (int64, error) { return pathID(r, "id", "engagement") }

// canEditRequest mirrors csa.Service.UpdateRequest's rule, to offer the
// link only to whom it will work for.
func canEditRequest(a *helpline.Actor, st csa.State) bool {
	if a.IsStaff() {
		return (a.StaffRole == helpline.RoleCSA || a.IsAdmin()) && st.Open()
	}
	return st.Open() && st != csa.StateDelivered
}

func (web *Web) engagementPage(w http.ResponseWriter, r *http.Request) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	return web.renderEngagement(w, r, http.StatusOK, &Page{}, id)
}

// renderEngagement shows an engagement; p carries the submitted form's
// values and errors, if any.
func (web *Web) renderEngagement(w http.ResponseWriter, r *http.Request, status int, p *Page, id int64) error {
	ctx, a := r.Context(), actor(r)
	det, err := web.CSA.FindEngagement(ctx, a, id)
	if err != nil {
		return err
	}
	d := engagementData{Detail: det, IsStaff: a.IsStaff(), Zones: commonZones, MaxFileMB: web.MaxAttachmentBytes >> 20,
		CanWithdraw: !a.IsStaff() && (det.State == csa.StateRequested || det.State == csa.StateScheduled),
		CanEdit:     canEditRequest(a, det.State)}
	// Every state before an open one was passed through; a closed
	// engagement may have been closed from any state, so its history says
	// which it reached.
	current := slices.Index(csa.States, det.State)
	reached := map[csa.State]bool{csa.StateRequested: true}
	for _, act := range det.Activity {
		if act.Kind == "state_changed" {
			reached[csa.State(fmt.Sprint(act.Data["from"]))] = true
			reached[csa.State(fmt.Sprint(act.Data["to"]))] = true
		}
	}
	for i, s := range csa.States {
		d.Steps = append(d.Steps, engagementStep{State: s, Current: i == current, Done: i < current && (det.State.Open() || reached[s])})
	}
	for _, act := range det.Activity {
		d.Activity = append(d.Activity, describeEngagementActivity(act))
	}
	posted := p.Form.Get("form")
	d.Forms = map[string]*Page{}
	form := func(name string, defaults url.Values) *Page {
		if name == posted {
			d.Forms[name] = p
		} else {
			d.Forms[name] = &Page{Form: defaults}
		}
		return d.Forms[name]
	}
	form("reply", url.Values{})
	form("withdraw", url.Values{})
	if next := det.State.Next(); len(next) > 0 {
		form("state", url.Values{"state": {string(next[0])}})
	}
	form("owner", url.Values{"owner_id": {strconv.FormatInt(d.Owner(), 10)}})
	form("meeting", url.Values{"time_zone": {engagementMeetingZone(det)}, "duration_minutes": {"60"}})
	form("deliverable", url.Values{})
	form("ticket", url.Values{"priority": {string(ticket.High)}})
	for _, m := range det.Meetings {
		loc, err := time.LoadLocation(m.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		mp := form(fmt.Sprintf("meeting-%d", m.ID), url.Values{"title": {m.Title}, "starts_at": {m.StartsAt.In(loc).Format(localInput)},
			"time_zone": {m.TimeZone}, "duration_minutes": {strconv.Itoa(m.DurationMinutes)}, "notes": {m.Notes}})
		d.Meetings = append(d.Meetings, engagementMeeting{Meeting: m, Form: mp})
	}
	if posted != "" && d.Forms[posted] == nil {
		d.Message = p.Message
	}
	if d.IsStaff {
		if d.Architects, err = web.CSA.FindArchitects(ctx, a); err != nil {
			return err
		}
	}
	p.Title, p.Data = det.Title, d
	web.render(w, r, status, "engagement", p)
	return nil
}

// engagementMeetingZone suggests the customer's own zone for meetings of an event.
func engagementMeetingZone(e csa.Detail) string {
	if e.Event != nil && e.Event.TimeZone != "" {
		return e.Event.TimeZone
	}
	return "UTC"
}

// describeEngagementActivity says what a step of the history was, in words.
func describeEngagementActivity(a csa.Activity) engagementActivity {
	v := engagementActivity{Activity: a, Actor: orDefault(a.ActorName, "Helpline")}
	str := func(key string) string {
		switch x := a.Data[key].(type) {
		case nil:
			return ""
		case float64:
			return strconv.FormatInt(int64(x), 10)
		default:
			return fmt.Sprint(x)
		}
	}
	when := func(key string) string {
		if t, err := time.Parse(time.RFC3339Nano, str(key)); err == nil {
			return ticket.FormatUTC(t)
		}
		return str(key)
	}
	number := func(key string) int64 {
		n, _ := strconv.ParseInt(str(key), 10, 64)
		return n
	}
	switch a.Kind {
	case "requested":
		v.Text = "requested " + strings.ToLower(csa.Kind(str("kind")).Label())
		if _, ok := a.Data["not_break_fix"]; ok {
			v.Text += ", confirming it is not a current outage"
		}
	case "state_changed":
		v.Text = "moved it from " + stateWords(str("from")) + " to " + stateWords(str("to"))
	case "owner_changed":
		if str("owner") == "" {
			v.Text = "removed the owner"
		} else {
			v.Text = "made " + str("owner") + " the owner"
		}
	case "meeting_scheduled":
		v.Text = fmt.Sprintf("scheduled the meeting “%s” for %s", str("title"), when("starts_at"))
	case "meeting_updated":
		switch {
		case a.Data["from"] != nil:
			v.Text = fmt.Sprintf("moved the meeting “%s” to %s", str("title"), when("starts_at"))
		case a.Data["notes"] != nil:
			v.Text = fmt.Sprintf("updated the notes of the meeting “%s”", str("title"))
		default:
			v.Text = fmt.Sprintf("updated the meeting “%s”", str("title"))
		}
	case "details_updated":
		v.Text = "updated the request"
		if a.Data["starts_at"] != nil {
			v.Text += "; the event now starts " + when("starts_at")
		}
	case "deliverable_added":
		v.Text = fmt.Sprintf("added the deliverable “%s”", str("title"))
	case "converted_to_ticket":
		v.Ticket = number("ticket_number")
		v.Text = "moved the engagement to Support as ticket"
	case "converted_from_ticket":
		v.Ticket = number("ticket_number")
		v.Text = "opened the engagement from ticket"
	case "reminder_sent":
		if str("reminder") == "day" {
			v.Text = "sent the reminder a day before the event"
		} else {
			v.Text = "sent the reminder a week before the event"
		}
	case "comment":
		v.Text = "wrote"
	default:
		v.Text = stateWords(a.Kind)
	}
	return v
}

func stateWords(s string) string { return strings.ReplaceAll(s, "_", " ") }

// engagementFormError shows the engagement again with the submitted form's
// values and errors, or returns err when it is not about what was typed.
func (web *Web) engagementFormError(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	he, status, ok := inputError(err)
	if !ok {
		return err
	}
	return web.renderEngagement(w, r, status, &Page{Form: r.PostForm, Errors: he.Fields, Message: he.Message}, id)
}

func (web *Web) engagementComment(w http.ResponseWriter, r *http.Request) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	a := actor(r)
	internal := a.IsStaff() && r.PostForm.Get("internal") != ""
	act, err := web.CSA.Comment(r.Context(), a, id, csa.CommentInput{Body: r.PostForm.Get("body"), Internal: internal})
	if err != nil {
		return web.engagementFormError(w, r, id, err)
	}
	flash := "Message sent."
	if internal {
		flash = "Internal note added; only staff see it."
	}
	web.redirect(w, r, fmt.Sprintf("%s#activity-%d", csa.Path(id), act.ID), flash)
	return nil
}

func (web *Web) engagementWithdraw(w http.ResponseWriter, r *http.Request) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	if _, err := web.CSA.Withdraw(r.Context(), actor(r), id, r.PostForm.Get("reason")); err != nil {
		return web.engagementFormError(w, r, id, err)
	}
	web.redirect(w, r, csa.Path(id), "Your request is withdrawn and the engagement closed. Request a new one from the enterprise portal at any time.")
	return nil
}

func (web *Web) engagementState(w http.ResponseWriter, r *http.Request) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	to := csa.State(r.PostForm.Get("state"))
	if _, err := web.CSA.Transition(r.Context(), actor(r), id, to, r.PostForm.Get("note")); err != nil {
		return web.engagementFormError(w, r, id, err)
	}
	web.redirect(w, r, csa.Path(id), "The engagement is now "+stateWords(string(to))+".")
	return nil
}

func (web *Web) engagementOwner(w http.ResponseWriter, r *http.Request) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	e, err := web.CSA.Assign(r.Context(), actor(r), id, formID(r.PostForm.Get("owner_id")))
	if err != nil {
		return web.engagementFormError(w, r, id, err)
	}
	flash := "Nobody owns the engagement now."
	if e.OwnerName != "" {
		flash = e.OwnerName + " owns the engagement."
	}
	web.redirect(w, r, csa.Path(id), flash)
	return nil
}

// meetingInputFromForm reads a meeting form; a duration that is not a number is
// an error of its own, and -1 makes the service report the others.
func meetingInputFromForm(f url.Values) (csa.MeetingInput, helpline.Validation) {
	v := helpline.Validation{}
	in := csa.MeetingInput{Title: f.Get("title"), StartsAt: f.Get("starts_at"), TimeZone: f.Get("time_zone"),
		DurationMinutes: formWholeNumber(v, f, "duration_minutes", -1), Notes: f.Get("notes")}
	return in, v
}

func (web *Web) engagementAddMeeting(w http.ResponseWriter, r *http.Request) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	in, v := meetingInputFromForm(r.PostForm)
	m, err := web.CSA.AddMeeting(r.Context(), actor(r), id, in)
	if err = withPageFields(err, v); err != nil {
		return web.engagementFormError(w, r, id, err)
	}
	web.redirect(w, r, csa.Path(id)+"#meetings", fmt.Sprintf("“%s” is scheduled for %s; the customer is told by email.", m.Title, m.LocalStart()))
	return nil
}

func (web *Web) engagementUpdateMeeting(w http.ResponseWriter, r *http.Request) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	mid, err := pathID(r, "meeting", "meeting")
	if err != nil {
		return err
	}
	in, v := meetingInputFromForm(r.PostForm)
	m, err := web.CSA.UpdateMeeting(r.Context(), actor(r), id, mid, in)
	if err = withPageFields(err, v); err != nil {
		return web.engagementFormError(w, r, id, err)
	}
	web.redirect(w, r, fmt.Sprintf("%s#meeting-%d", csa.Path(id), m.ID), fmt.Sprintf("“%s” is saved.", m.Title))
	return nil
}

// engagementAddDeliverable hands over an article, or a file whose type comes
// from its first bytes, never from what the browser claimed.
func (web *Web) engagementAddDeliverable(w http.ResponseWriter, r *http.Request) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	ctx, a, f := r.Context(), actor(r), r.PostForm
	fhs := files(r, "file")
	slug := strings.TrimSpace(f.Get("article_slug"))
	var d csa.Deliverable
	switch {
	case len(fhs) > 0 && slug != "":
		err = helpline.Validation{"article_slug": "give an article or a file, not both: each is a deliverable of its own"}.Err()
	case len(fhs) > 1:
		err = helpline.Validation{"file": "choose one file; add each file as a deliverable of its own"}.Err()
	case len(fhs) == 1:
		if problem := web.checkFiles(fhs); problem != "" {
			err = helpline.Validation{"file": problem}.Err()
			break
		}
		var file io.ReadCloser
		if file, err = fhs[0].Open(); err != nil {
			return err
		}
		defer file.Close()
		head := make([]byte, 512)
		n, rerr := io.ReadFull(file, head)
		if rerr != nil && rerr != io.ErrUnexpectedEOF && rerr != io.EOF {
			return rerr
		}
		head = head[:n]
		d, err = web.CSA.AddFileDeliverable(ctx, a, id, f.Get("title"), fhs[0].Filename, http.DetectContentType(head), io.MultiReader(bytes.NewReader(head), file))
	case slug == "":
		err = helpline.Validation{"article_slug": "is required: the slug of a Dev Center article (as in /docs/<slug>), or choose a file instead"}.Err()
	default:
		d, err = web.CSA.AddArticleDeliverable(ctx, a, id, csa.DeliverableInput{Title: f.Get("title"), ArticleSlug: slug})
	}
	if err != nil {
		return web.engagementFormError(w, r, id, err)
	}
	web.redirect(w, r, csa.Path(id)+"#deliverables", fmt.Sprintf("“%s” is handed over; the customer is told by email.", d.Title))
	return nil
}

func (web *Web) engagementToTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	t, err := web.CSA.ConvertToTicket(r.Context(), actor(r), id, csa.ToTicketInput{Priority: ticket.Priority(r.PostForm.Get("priority")), Note: r.PostForm.Get("note")})
	if err != nil {
		return web.engagementFormError(w, r, id, err)
	}
	web.redirect(w, r, ticketPath(t), fmt.Sprintf("Engagement %d is now ticket #%d, with the customer's text; the engagement is closed and points here.", id, t.Number))
	return nil
}

// downloadDeliverable serves a deliverable file to its organization and
// staff, always as a download.
func (web *Web) downloadDeliverable(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "deliverable")
	if err != nil {
		return err
	}
	d, f, err := web.CSA.OpenDeliverable(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	defer f.Close()
	request.ServeDownload(w, r, d.Filename, d.ContentType, f)
	return nil
}
