package api

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/csa"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/request"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// engagementRoutes are the enterprise portal's endpoints: engagements with
// their messages, meetings and deliverables, conversion to and from
// tickets, the CSA team, curated collections and the staff calendar.
func (a *API) engagementRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/engagements", handle: a.listEngagements},
		{Method: "POST", Path: "/api/v1/engagements", handle: a.requestEngagement},
		{Method: "GET", Path: "/api/v1/engagements/{id}", handle: a.getEngagement},
		{Method: "PATCH", Path: "/api/v1/engagements/{id}", handle: a.updateEngagement},
		{Method: "PUT", Path: "/api/v1/engagements/{id}/request", handle: a.updateEngagementRequest},
		{Method: "POST", Path: "/api/v1/engagements/{id}/withdraw", handle: a.withdrawEngagement},
		{Method: "POST", Path: "/api/v1/engagements/{id}/comments", handle: a.commentEngagement},
		{Method: "POST", Path: "/api/v1/engagements/{id}/meetings", handle: a.addMeeting},
		{Method: "PUT", Path: "/api/v1/engagements/{id}/meetings/{meeting_id}", handle: a.updateMeeting},
		{Method: "POST", Path: "/api/v1/engagements/{id}/deliverables", handle: a.addDeliverable},
		{Method: "GET", Path: "/api/v1/deliverables/{id}", handle: a.downloadDeliverable},
		{Method: "POST", Path: "/api/v1/engagements/{id}/ticket", handle: a.engagementToTicket},
		{Method: "POST", Path: "/api/v1/tickets/{id}/engagement", handle: a.ticketToEngagement},
		{Method: "GET", Path: "/api/v1/architects", handle: a.listArchitects},
		{Method: "GET", Path: "/api/v1/enterprise/collections", handle: a.listCollections},
		{Method: "POST", Path: "/api/v1/enterprise/collections", handle: a.createCollection},
		{Method: "PATCH", Path: "/api/v1/enterprise/collections/{id}", handle: a.updateCollection},
		{Method: "DELETE", Path: "/api/v1/enterprise/collections/{id}", handle: a.deleteCollection},
		{Method: "POST", Path: "/api/v1/enterprise/collections/{id}/items", handle: a.addCollectionItem},
		{Method: "DELETE", Path: "/api/v1/enterprise/collections/{id}/items/{article_id}", handle: a.removeCollectionItem},
		{Method: "POST", Path: "/api/v1/enterprise/collections/{id}/items/{article_id}/move", handle: a.moveCollectionItem},
		{Method: "GET", Path: "/api/v1/calendar", handle: a.calendar},
	}
}

// breakFixHint says what an API client does with a break/fix refusal.
const breakFixHint = `If this is not a current outage, send the same request again with "not_break_fix": true. ` +
	`If it is, complete urgent_ticket (the urgent questions: access_granted, users_affected, business_impact, ` +
	`steps_to_reproduce, seen_in_staging, config, third_party_services) and POST it to /api/v1/tickets: ` +
	`an urgent ticket reaches the on-call support engineer.`

// breakFixBody is the answer to an engagement request that reads like an
// outage: the error, the signals as fields, and the urgent ticket filled in
// from the request.
type breakFixBody struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
		Hint    string            `json:"hint"`
	} `json:"error"`
	UrgentTicket ticket.NewTicket `json:"urgent_ticket"`
}

func newBreakFixBody(bf *csa.BreakFixError) breakFixBody {
	var b breakFixBody
	b.Error.Code, b.Error.Message, b.Error.Hint = "break_fix", csa.BreakFixMessage, breakFixHint
	b.Error.Fields = map[string]string{}
	for _, s := range bf.Signals {
		b.Error.Fields[s.Field] = s.Reason
	}
	b.UrgentTicket = bf.Ticket
	return b
}

func engagementID(r *http.Request) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, helpline.NotFound("engagement")
	}
	return id, nil
}

func (a *API) listEngagements(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := csa.Filter{State: q.Get("state"), Kind: csa.Kind(q.Get("kind")), Owner: q.Get("owner"), Page: p}
	if s := q.Get("organization_id"); s != "" {
		if f.OrgID, err = parseID(s); err != nil {
			return helpline.Validation{"organization_id": "must be an organization ID, a positive number"}.Err()
		}
	}
	es, err := a.CSA.FindEngagements(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"engagements": es, "limit": p.Limit, "offset": p.Offset})
	return nil
}

func (a *API) requestEngagement(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	var in csa.Request
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	e, err := a.CSA.RequestEngagement(r.Context(), actor, in)
	if err != nil {
		return err // a *csa.BreakFixError is answered by writeError
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (a *API) getEngagement(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	d, err := a.CSA.FindEngagement(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// engagementUpdate is a PATCH of an engagement: a state change (with its
// note) and/or a new owner (0 clears it).
type engagementUpdate struct {
	State   *csa.State `json:"state"`
	Note    string     `json:"note"`
	OwnerID *int64     `json:"owner_id"`
}

func (a *API) updateEngagement(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	var in engagementUpdate
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	v := helpline.Validation{}
	switch {
	case in.State == nil && in.OwnerID == nil && in.Note != "":
		v.Add("note", "goes with a state change: give state too, or post a comment instead")
	case in.State == nil && in.OwnerID == nil:
		v.Add("state", "give state, owner_id or both")
	}
	if in.OwnerID != nil && *in.OwnerID < 0 {
		v.Add("owner_id", "must be a user ID, or 0 to clear the owner")
	}
	if err := v.Err(); err != nil {
		return err
	}
	ctx := r.Context()
	var e csa.Engagement
	// The owner first: an engagement being closed cannot be assigned after.
	if in.OwnerID != nil {
		if e, err = a.CSA.Assign(ctx, actor, id, *in.OwnerID); err != nil {
			return err
		}
	}
	if in.State != nil {
		if e, err = a.CSA.Transition(ctx, actor, id, *in.State, in.Note); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

// updateEngagementRequest replaces the engagement's form (the event moved).
func (a *API) updateEngagementRequest(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	var in csa.Request
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	e, err := a.CSA.UpdateRequest(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (a *API) withdrawEngagement(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if r.ContentLength != 0 {
		if err := a.decode(w, r, &in); err != nil {
			return err
		}
	}
	e, err := a.CSA.Withdraw(r.Context(), actor, id, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (a *API) commentEngagement(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	var in csa.CommentInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	act, err := a.CSA.Comment(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, act)
	return nil
}

func (a *API) addMeeting(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	var in csa.MeetingInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	m, err := a.CSA.AddMeeting(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (a *API) updateMeeting(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	meetingID, err := pathID(r, "meeting_id")
	if err != nil {
		return helpline.NotFound("meeting")
	}
	var in csa.MeetingInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	m, err := a.CSA.UpdateMeeting(r.Context(), actor, id, meetingID, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// addDeliverable hands over an article (a JSON body) or a file
// (multipart/form-data with "file" and an optional "title"). A file's type
// is sniffed from its bytes, not taken from the client.
func (a *API) addDeliverable(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "", "application/json", "multipart/form-data":
	default:
		return helpline.Errorf(helpline.KindInvalid, "send an article as application/json with \"article_slug\", or a file as multipart/form-data in the field \"file\" (not %s)", mt)
	}
	if mt != "multipart/form-data" {
		var in csa.DeliverableInput
		if err := a.decode(w, r, &in); err != nil {
			return err
		}
		d, err := a.CSA.AddArticleDeliverable(ctx, actor, id, in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, d)
		return nil
	}
	// Refuse before reading the upload: who cannot see the engagement, or
	// is not staff, learns it without sending the whole file.
	if _, err := a.CSA.FindEngagementByID(ctx, actor, id); err != nil {
		return err
	}
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, a.MaxAttachmentBytes+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errTooLarge{limit: tooBig.Limit}
		}
		return helpline.Errorf(helpline.KindInvalid, "malformed multipart body: %v", err)
	}
	defer r.MultipartForm.RemoveAll()
	files := r.MultipartForm.File["file"]
	switch {
	case len(files) == 0:
		return &helpline.Error{Kind: helpline.KindInvalid, Message: "No file was sent.", Fields: map[string]string{"file": "is required (or send JSON with article_slug to hand over an article)"}}
	case len(files) > 1:
		return &helpline.Error{Kind: helpline.KindInvalid, Message: "Send one file per request.", Fields: map[string]string{"file": "must be sent once"}}
	}
	var title string
	if vs := r.MultipartForm.Value["title"]; len(vs) > 0 {
		title = vs[0]
	}
	f, err := files[0].Open()
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	d, err := a.CSA.AddFileDeliverable(ctx, actor, id, title, files[0].Filename, http.DetectContentType(head[:n]), io.MultiReader(bytes.NewReader(head[:n]), f))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (a *API) downloadDeliverable(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("deliverable")
	}
	d, f, err := a.CSA.OpenDeliverable(r.Context(), actor, id)
	if err != nil {
		return err
	}
	defer f.Close()
	request.ServeDownload(w, r, d.Filename, d.ContentType, f)
	return nil
}

func (a *API) engagementToTicket(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	var in csa.ToTicketInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	t, err := a.CSA.ConvertToTicket(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	return a.writeTicket(w, r, actor, t.ID, http.StatusCreated)
}

// ticketToEngagement moves the ticket with the ID in the path (like every
// /tickets/{id} route, its ID, not its number) to the CSA team.
func (a *API) ticketToEngagement(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("ticket")
	}
	var in csa.FromTicketInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	e, err := a.CSA.ConvertTicket(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

func (a *API) listArchitects(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	as, err := a.CSA.FindArchitects(r.Context(), actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"architects": as})
	return nil
}

func collectionID(r *http.Request) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, helpline.NotFound("collection")
	}
	return id, nil
}

func (a *API) listCollections(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	p, err := a.CSA.FindPortal(r.Context(), actor)
	if err != nil {
		return err
	}
	if p.Resources == nil {
		p.Resources = []docs.Article{}
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (a *API) createCollection(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	var in csa.CollectionInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.CSA.CreateCollection(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// collectionUpdate is a PATCH of a collection: fields left out keep their
// value.
type collectionUpdate struct {
	Title       *string `json:"title"`
	Description *string `json:"description"`
	Position    *int    `json:"position"`
}

func (a *API) updateCollection(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := collectionID(r)
	if err != nil {
		return err
	}
	var in collectionUpdate
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	old, err := a.CSA.FindCollection(ctx, actor, id)
	if err != nil {
		return err
	}
	set := csa.CollectionInput{Title: old.Title, Description: old.Description, Position: old.Position}
	if in.Title != nil {
		set.Title = *in.Title
	}
	if in.Description != nil {
		set.Description = *in.Description
	}
	if in.Position != nil {
		set.Position = *in.Position
	}
	c, err := a.CSA.UpdateCollection(ctx, actor, id, set)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) deleteCollection(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := collectionID(r)
	if err != nil {
		return err
	}
	if err := a.CSA.DeleteCollection(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) addCollectionItem(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := collectionID(r)
	if err != nil {
		return err
	}
	var in csa.ItemInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.CSA.AddItem(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func collectionItem(r *http.Request) (id, articleID int64, err error) {
	if id, err = collectionID(r); err != nil {
		return 0, 0, err
	}
	if articleID, err = pathID(r, "article_id"); err != nil {
		return 0, 0, helpline.NotFound("article in this collection")
	}
	return id, articleID, nil
}

func (a *API) removeCollectionItem(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, articleID, err := collectionItem(r)
	if err != nil {
		return err
	}
	c, err := a.CSA.RemoveItem(r.Context(), actor, id, articleID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) moveCollectionItem(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, articleID, err := collectionItem(r)
	if err != nil {
		return err
	}
	var in struct {
		Direction string `json:"direction"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	var delta int
	switch in.Direction {
	case "up":
		delta = -1
	case "down":
		delta = 1
	default:
		return helpline.Validation{"direction": "must be up or down"}.Err()
	}
	c, err := a.CSA.MoveItem(r.Context(), actor, id, articleID, delta)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// CalendarDays is the calendar's default span.
const CalendarDays = 30

// calendarBound reads from or to: an RFC 3339 time, or a day. A day for
// "to" means the end of that day, so that from=2026-03-01&to=2026-03-31
// covers all of March 31.
func calendarBound(r *http.Request, name string, v helpline.Validation) (time.Time, bool) {
	s := strings.TrimSpace(r.URL.Query().Get(name))
	if s == "" {
		return time.Time{}, false
	}
	if d, err := time.Parse("2006-01-02", s); err == nil {
		if name == "to" {
			d = d.AddDate(0, 0, 1)
		}
		return d, true
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		v.Add(name, "must be a day such as 2026-03-01 or an RFC 3339 time such as 2026-03-01T09:00:00Z")
		return time.Time{}, false
	}
	return t.UTC(), true
}

func (a *API) calendar(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	v := helpline.Validation{}
	from, ok := calendarBound(r, "from", v)
	if !ok {
		from = a.now().UTC()
	}
	to, ok := calendarBound(r, "to", v)
	if !ok {
		to = from.AddDate(0, 0, CalendarDays)
	}
	if err := v.Err(); err != nil {
		return err
	}
	entries, err := a.CSA.FindCalendar(r.Context(), actor, from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries, "from": from, "to": to})
	return nil
}
