package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/status"
)

// statusRoutes are the operator API of the status page, subscriptions and
// notifications. The public reads the page's JSON under /api/v2, not here.
// The status service validates values and names the fields; the handlers
// check roles before reading a body and parse what JSON cannot (times).
func (a *API) statusRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/status/components", handle: a.listStatusComponents},
		{Method: "POST", Path: "/api/v1/status/components", handle: a.createStatusComponent},
		{Method: "PUT", Path: "/api/v1/status/components/{id}", handle: a.updateStatusComponent},
		{Method: "DELETE", Path: "/api/v1/status/components/{id}", handle: a.deleteStatusComponent},
		{Method: "GET", Path: "/api/v1/status/incidents", handle: a.listIncidents},
		{Method: "POST", Path: "/api/v1/status/incidents", handle: a.createIncident},
		{Method: "GET", Path: "/api/v1/status/incidents/{id}", handle: a.getIncident},
		{Method: "POST", Path: "/api/v1/status/incidents/{id}/updates", handle: a.postIncidentUpdate},
		{Method: "GET", Path: "/api/v1/status/incidents/{id}/tickets", handle: a.listIncidentTickets},
		{Method: "POST", Path: "/api/v1/status/incidents/{id}/tickets", handle: a.linkIncidentTicket},
		{Method: "POST", Path: "/api/v1/status/incidents/{id}/reply", handle: a.replyToIncidentTickets},
		{Method: "GET", Path: "/api/v1/status/templates", handle: a.listStatusTemplates},
		{Method: "POST", Path: "/api/v1/status/templates", handle: a.createStatusTemplate},
		{Method: "PUT", Path: "/api/v1/status/templates/{id}", handle: a.updateStatusTemplate},
		{Method: "DELETE", Path: "/api/v1/status/templates/{id}", handle: a.deleteStatusTemplate},
		{Method: "POST", Path: "/api/v1/status/subscriptions", Public: true, handle: a.subscribe},
		{Method: "GET", Path: "/api/v1/status/subscriptions", handle: a.listSubscriptions},
		{Method: "PUT", Path: "/api/v1/status/subscriptions/{id}", handle: a.updateSubscription},
		{Method: "DELETE", Path: "/api/v1/status/subscriptions/{id}", handle: a.deleteSubscription},
		{Method: "POST", Path: "/api/v1/status/notifications", handle: a.notifyOrganizations},
		{Method: "GET", Path: "/api/v1/me/notices", handle: a.listNotices},
		{Method: "POST", Path: "/api/v1/me/notices/{id}/read", handle: a.readNotice},
		{Method: "POST", Path: "/api/v1/me/notices/read-all", handle: a.readAllNotices},
	}
}

// statusPathID reads {id}; a malformed one is the named thing not found.
func statusPathID(r *http.Request, what string) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, helpline.NotFound(what)
	}
	return id, nil
}

// parseTime reads an RFC 3339 time into UTC; nil or empty is no time.
func parseTime(v helpline.Validation, field string, s *string) *time.Time {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(*s))
	if err != nil {
		v.Add(field, "must be an RFC 3339 time with a time zone, such as 2026-05-01T10:00:00Z")
		return nil
	}
	t = t.UTC()
	return &t
}

// ---- components (admins write) ----

func (a *API) listStatusComponents(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	cs, err := a.Status.FindComponents(r.Context())
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []status.Component{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"components": cs})
	return nil
}

func (a *API) componentInput(w http.ResponseWriter, r *http.Request) (status.ComponentInput, error) {
	var in status.ComponentInput
	err := a.decode(w, r, &in)
	return in, err
}

func (a *API) createStatusComponent(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	in, err := a.componentInput(w, r)
	if err != nil {
		return err
	}
	c, err := a.Status.CreateComponent(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (a *API) updateStatusComponent(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	id, err := statusPathID(r, "component")
	if err != nil {
		return err
	}
	in, err := a.componentInput(w, r)
	if err != nil {
		return err
	}
	c, err := a.Status.UpdateComponent(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) deleteStatusComponent(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	id, err := statusPathID(r, "component")
	if err != nil {
		return err
	}
	if err := a.Status.DeleteComponent(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ---- incidents and maintenance (staff) ----

func (a *API) listIncidents(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := status.IncidentFilter{Kind: status.Kind(q.Get("kind")), State: q.Get("state"), Page: p}
	is, total, err := a.Status.FindIncidents(r.Context(), f)
	if err != nil {
		return err
	}
	if is == nil {
		is = []status.Incident{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"incidents": is, "total": total, "limit": p.Limit, "offset": p.Offset})
	return nil
}

// incidentBody is the JSON of a new incident or maintenance. The window is
// read as strings so that a bad time is named by its field (a time.Time
// would fail the whole body).
type incidentBody struct {
	Kind           status.Kind              `json:"kind"`
	Name           string                   `json:"name"`
	Status         status.IncidentStatus    `json:"status"`
	Impact         status.Impact            `json:"impact"`
	Body           string                   `json:"body"`
	Components     []status.ComponentChange `json:"components"`
	Notify         bool                     `json:"notify"`
	ScheduledFor   *string                  `json:"scheduled_for"`
	ScheduledUntil *string                  `json:"scheduled_until"`
	AutoTransition bool                     `json:"auto_transition"`
}

func (b incidentBody) input() (status.IncidentInput, error) {
	v := helpline.Validation{}
	in := status.IncidentInput{Kind: b.Kind, Name: b.Name, Status: b.Status, Impact: b.Impact, Body: b.Body,
		Components: b.Components, Notify: b.Notify, AutoTransition: b.AutoTransition,
		ScheduledFor: parseTime(v, "scheduled_for", b.ScheduledFor), ScheduledUntil: parseTime(v, "scheduled_until", b.ScheduledUntil)}
	return in, v.Err()
}

func (a *API) createIncident(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	var body incidentBody
	if err := a.decode(w, r, &body); err != nil {
		return err
	}
	in, err := body.input()
	if err != nil {
		return err
	}
	inc, err := a.Status.CreateIncident(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, inc)
	return nil
}

func (a *API) getIncident(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	id, err := statusPathID(r, "incident")
	if err != nil {
		return err
	}
	inc, err := a.Status.FindIncident(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, inc)
	return nil
}

func (a *API) postIncidentUpdate(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	id, err := statusPathID(r, "incident")
	if err != nil {
		return err
	}
	var in status.UpdateInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	inc, err := a.Status.PostUpdate(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, inc)
	return nil
}

// ---- incidents and tickets (staff) ----

func (a *API) writeLinkedTickets(w http.ResponseWriter, r *http.Request, actor *helpline.Actor, id int64, code int) error {
	ts, err := a.Status.FindLinkedTickets(r.Context(), actor, id)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []status.LinkedTicket{}
	}
	writeJSON(w, code, map[string]any{"tickets": ts})
	return nil
}

func (a *API) listIncidentTickets(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	id, err := statusPathID(r, "incident")
	if err != nil {
		return err
	}
	return a.writeLinkedTickets(w, r, actor, id, http.StatusOK)
}

func (a *API) linkIncidentTicket(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	id, err := statusPathID(r, "incident")
	if err != nil {
		return err
	}
	var in struct {
		TicketID int64 `json:"ticket_id"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if in.TicketID <= 0 {
		return helpline.Validation{"ticket_id": "is required: the ID of the ticket to link"}.Err()
	}
	if err := a.Status.LinkTicket(r.Context(), actor, id, in.TicketID); err != nil {
		return err
	}
	return a.writeLinkedTickets(w, r, actor, id, http.StatusOK)
}

func (a *API) replyToIncidentTickets(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	id, err := statusPathID(r, "incident")
	if err != nil {
		return err
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	n, err := a.Status.ReplyToLinked(r.Context(), actor, id, in.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"replied": n})
	return nil
}

// ---- templates (staff read, admins write) ----

func (a *API) listStatusTemplates(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	ts, err := a.Status.FindTemplates(r.Context(), actor)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []status.Template{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"templates": ts})
	return nil
}

// templateBody is a template without its ID, which the URL gives.
type templateBody struct {
	Name   string                `json:"name"`
	Kind   status.Kind           `json:"kind"`
	Status status.IncidentStatus `json:"status"`
	Title  string                `json:"title"`
	Body   string                `json:"body"`
}

func (a *API) saveStatusTemplate(w http.ResponseWriter, r *http.Request, actor *helpline.Actor, id int64) (status.Template, error) {
	var b templateBody
	if err := a.decode(w, r, &b); err != nil {
		return status.Template{}, err
	}
	return a.Status.SaveTemplate(r.Context(), actor, status.Template{ID: id, Name: b.Name, Kind: b.Kind, Status: b.Status, Title: b.Title, Body: b.Body})
}

func (a *API) createStatusTemplate(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	t, err := a.saveStatusTemplate(w, r, actor, 0)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (a *API) updateStatusTemplate(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	id, err := statusPathID(r, "template")
	if err != nil {
		return err
	}
	t, err := a.saveStatusTemplate(w, r, actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (a *API) deleteStatusTemplate(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	id, err := statusPathID(r, "template")
	if err != nil {
		return err
	}
	if err := a.Status.DeleteTemplate(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ---- subscriptions (anyone subscribes; users manage their own) ----

func (a *API) subscribe(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	var in status.SubscribeInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	sub, secret, err := a.Status.Subscribe(r.Context(), actor, in)
	if err != nil {
		return err
	}
	// A webhook's signing secret is shown this once.
	writeJSON(w, http.StatusCreated, struct {
		status.Subscriber
		Secret string `json:"secret,omitempty"`
	}{sub, secret})
	return nil
}

func (a *API) listSubscriptions(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	subs, err := a.Status.FindSubscriptions(r.Context(), actor)
	if err != nil {
		return err
	}
	if subs == nil {
		subs = []status.Subscriber{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"subscriptions": subs})
	return nil
}

func (a *API) updateSubscription(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := statusPathID(r, "subscription")
	if err != nil {
		return err
	}
	var in struct {
		ComponentIDs []int64 `json:"component_ids"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	sub, err := a.Status.SetSubscriptionComponents(r.Context(), actor, id, in.ComponentIDs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}

func (a *API) deleteSubscription(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := statusPathID(r, "subscription")
	if err != nil {
		return err
	}
	if err := a.Status.DeleteSubscription(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ---- targeted notifications and the notification center ----

func (a *API) notifyOrganizations(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	var in status.TargetInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	n, err := a.Status.NotifyOrganizations(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"organizations": n})
	return nil
}

func (a *API) listNotices(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	unreadOnly := false
	if s := r.URL.Query().Get("unread"); s != "" {
		if unreadOnly, err = strconv.ParseBool(s); err != nil {
			return helpline.Validation{"unread": "must be true or false"}.Err()
		}
	}
	ns, unread, err := a.Status.FindNotices(r.Context(), actor, unreadOnly, p)
	if err != nil {
		return err
	}
	if ns == nil {
		ns = []status.Notice{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"notices": ns, "unread": unread, "limit": p.Limit, "offset": p.Offset})
	return nil
}

func (a *API) readNotice(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := statusPathID(r, "notice")
	if err != nil {
		return err
	}
	if err := a.Status.MarkNoticesRead(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) readAllNotices(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := a.Status.MarkNoticesRead(r.Context(), actor, 0); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
