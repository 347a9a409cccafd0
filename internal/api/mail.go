package api

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/mailin"
	"github.com/helpline-dev/helpline/internal/notify"
	"github.com/helpline-dev/helpline/internal/request"
)

// notificationCategory is one kind of email with the caller's choice.
type notificationCategory struct {
	Slug    string `json:"slug"`
	Label   string `json:"label"`
	Enabled bool   `json:"enabled"`
}

// writeNotifications answers with the categories the actor may choose:
// staff also get the staff-only ones.
func (a *API) writeNotifications(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	prefs, err := a.Mail.Preferences(r.Context(), actor.UserID)
	if err != nil {
		return err
	}
	out := []notificationCategory{}
	for _, c := range notify.Categories {
		if !c.Staff || actor.IsStaff() {
			out = append(out, notificationCategory{Slug: c.Slug, Label: c.Label, Enabled: prefs[c.Slug]})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"categories": out})
	return nil
}

func (a *API) getNotifications(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	return a.writeNotifications(w, r, actor)
}

// setNotifications takes {"ticket_replies": false, ...}; categories not in
// the body keep their setting. Nothing is changed unless every key is valid.
func (a *API) setNotifications(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	var in map[string]any
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	fields := map[string]string{}
	for key, v := range in {
		i := slices.IndexFunc(notify.Categories, func(c notify.Category) bool { return c.Slug == key })
		switch {
		case i < 0:
			fields[key] = "is not a notification category"
		case notify.Categories[i].Staff && !actor.IsStaff():
			fields[key] = "is only for staff"
		default:
			if _, ok := v.(bool); !ok {
				fields[key] = "must be true or false"
			}
		}
	}
	if len(fields) > 0 {
		return &helpline.Error{Kind: helpline.KindInvalid, Message: "Please correct the highlighted fields.", Fields: fields}
	}
	for key, v := range in {
		if err := a.Mail.SetPreference(r.Context(), actor.UserID, key, v.(bool)); err != nil {
			return err
		}
	}
	return a.writeNotifications(w, r, actor)
}

var outboxStatuses = []string{"queued", "sent", "failed"}

var inboxStatuses = []string{mailin.StatusComment, mailin.StatusTicket, mailin.StatusHeld, mailin.StatusIgnored, mailin.StatusRejected, mailin.StatusDiscarded}

// listOutbox lists sent, queued and failed emails, newest first. Staff only.
func (a *API) listOutbox(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	p, err := page(r)
	v := helpline.Validation{}
	if err != nil {
		v = validationOf(err)
	}
	q := r.URL.Query()
	status := q.Get("status")
	v.Check(status == "" || slices.Contains(outboxStatuses, status), "status", "must be one of "+strings.Join(outboxStatuses, ", "))
	var ticketID int64
	if s := q.Get("ticket_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		v.Check(err == nil && id > 0, "ticket_id", "must be a ticket ID, a number from 1")
		ticketID = id
	}
	if err := v.Err(); err != nil {
		return err
	}
	msgs, err := a.Mail.FindOutbox(r.Context(), actor, ticketID, status, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": msgs, "limit": p.Limit, "offset": p.Offset})
	return nil
}

// listInbox lists received emails, newest first. Staff only.
func (a *API) listInbox(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	p, err := page(r)
	v := helpline.Validation{}
	if err != nil {
		v = validationOf(err)
	}
	status := r.URL.Query().Get("status")
	v.Check(status == "" || slices.Contains(inboxStatuses, status), "status", "must be one of "+strings.Join(inboxStatuses, ", "))
	if err := v.Err(); err != nil {
		return err
	}
	msgs, err := a.Inbox.FindInbox(r.Context(), actor, status, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": msgs, "limit": p.Limit, "offset": p.Offset})
	return nil
}

// validationOf carries the field errors of err into a new validation, so
// several checks report together.
func validationOf(err error) helpline.Validation {
	v := helpline.Validation{}
	var he *helpline.Error
	if errors.As(err, &he) {
		for k, msg := range he.Fields {
			v[k] = msg
		}
	}
	return v
}

// discardInbox marks a held message as dealt with. Staff only.
func (a *API) discardInbox(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("message")
	}
	if err := a.Inbox.Discard(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// inboxOriginal sends a received message as it arrived. Staff, and the
// customer who sent it, may download it.
func (a *API) inboxOriginal(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("message")
	}
	raw, err := a.Inbox.Original(r.Context(), actor, id)
	if err != nil {
		return err
	}
	request.ServeDownload(w, r, fmt.Sprintf("message-%d.eml", id), "message/rfc822", bytes.NewReader(raw))
	return nil
}

// reprocessInbox routes a held message again. Staff only.
func (a *API) reprocessInbox(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("message")
	}
	res, err := a.Inbox.Reprocess(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": res.ID, "status": res.Status, "reason": res.Reason, "ticket_id": res.TicketID, "comment_id": res.CommentID})
	return nil
}
