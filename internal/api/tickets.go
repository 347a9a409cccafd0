package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/request"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// ticketView is a ticket with its conversation, as GET /tickets/{id} shows it.
type ticketView struct {
	ticket.Ticket
	URL         string              `json:"url"`
	Comments    []ticket.Comment    `json:"comments"`
	Attachments []ticket.Attachment `json:"attachments"`
	Grants      []ticket.Grant      `json:"access_grants"`
}

func (a *API) ticketURL(t ticket.Ticket) string {
	return a.BaseURL + "/tickets/" + itoa(t.Number)
}

func (a *API) createTicket(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	var in ticket.NewTicket
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	t, err := a.Tickets.CreateTicket(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ticketView{Ticket: t, URL: a.ticketURL(t), Comments: []ticket.Comment{}, Attachments: []ticket.Attachment{}, Grants: []ticket.Grant{}})
	return nil
}

// filter reads the list filters from the query.
func filter(r *http.Request) (ticket.Filter, error) {
	p, err := page(r)
	if err != nil {
		return ticket.Filter{}, err
	}
	q := r.URL.Query()
	f := ticket.Filter{Priority: ticket.Priority(q.Get("priority")), Plan: account.Plan(q.Get("plan")), Assignee: q.Get("assignee"), Text: q.Get("q"), Page: p}
	switch q.Get("appeal") {
	case "":
	case "pending":
		f.AppealPending = true
	default:
		return f, &helpline.Error{Kind: helpline.KindInvalid, Message: "Please correct the highlighted fields.", Fields: map[string]string{"appeal": "must be pending"}}
	}
	for _, s := range q["status"] {
		for _, part := range strings.Split(s, ",") {
			if part != "" {
				f.Status = append(f.Status, ticket.Status(part))
			}
		}
	}
	v := helpline.Validation{}
	if s := q.Get("app_id"); s != "" {
		id, err := parseID(s)
		v.Check(err == nil, "app_id", "must be an app ID")
		f.AppID = id
	}
	if s := q.Get("organization_id"); s != "" {
		id, err := parseID(s)
		v.Check(err == nil, "organization_id", "must be an organization ID")
		f.OrgID = id
	}
	return f, v.Err()
}

func (a *API) listTickets(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	f, err := filter(r)
	if err != nil {
		return err
	}
	ts, err := a.Tickets.FindTickets(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tickets": ts, "limit": f.Limit, "offset": f.Offset})
	return nil
}

func (a *API) queue(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	f, err := filter(r)
	if err != nil {
		return err
	}
	ts, err := a.Tickets.FindQueue(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tickets": ts, "limit": f.Limit, "offset": f.Offset})
	return nil
}

func (a *API) getTicket(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("ticket")
	}
	return a.writeTicket(w, r, actor, id, http.StatusOK)
}

func (a *API) writeTicket(w http.ResponseWriter, r *http.Request, actor *helpline.Actor, id int64, status int) error {
	ctx := r.Context()
	t, err := a.Tickets.FindTicketByID(ctx, actor, id)
	if err != nil {
		return err
	}
	v := ticketView{Ticket: t, URL: a.ticketURL(t)}
	if v.Comments, err = a.Tickets.FindComments(ctx, actor, id); err != nil {
		return err
	}
	if v.Attachments, err = a.Tickets.FindAttachments(ctx, actor, id); err != nil {
		return err
	}
	if v.Grants, err = a.Tickets.FindGrants(ctx, actor, id); err != nil {
		return err
	}
	writeJSON(w, status, v)
	return nil
}

func (a *API) addComment(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("ticket")
	}
	var in ticket.NewComment
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.Tickets.AddComment(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (a *API) share(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("ticket")
	}
	var in struct {
		Rotate bool `json:"rotate"`
	}
	if r.ContentLength != 0 {
		if err := a.decode(w, r, &in); err != nil {
			return err
		}
	}
	token, err := a.Tickets.Share(r.Context(), actor, id, in.Rotate)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": a.BaseURL + "/share/" + token, "token": token})
	return nil
}

func (a *API) unshare(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("ticket")
	}
	if err := a.Tickets.RevokeShare(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) join(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	t, err := a.Tickets.Join(r.Context(), actor, r.PathValue("token"))
	if err != nil {
		return err
	}
	return a.writeTicket(w, r, actor, t.ID, http.StatusOK)
}

func (a *API) listEvents(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("ticket")
	}
	es, err := a.Tickets.FindEvents(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": es})
	return nil
}

func (a *API) listParticipants(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("ticket")
	}
	ps, err := a.Tickets.FindParticipants(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"participants": ps})
	return nil
}

func (a *API) removeParticipant(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("ticket")
	}
	userID, err := pathID(r, "user_id")
	if err != nil {
		return helpline.NotFound("participant")
	}
	if err := a.Tickets.RemoveParticipant(r.Context(), actor, id, userID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) revokeAccess(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("ticket")
	}
	if err := a.Tickets.RevokeAccess(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// uploadAttachment takes one file as multipart/form-data in the field
// "file". Its type is sniffed from its bytes, not taken from the client.
func (a *API) uploadAttachment(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("ticket")
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		return helpline.Errorf(helpline.KindInvalid, "send the file as multipart/form-data in the field \"file\"")
	}
	r.Body = http.MaxBytesReader(w, r.Body, a.MaxAttachmentBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return helpline.Errorf(helpline.KindInvalid, "malformed multipart body: %v", err)
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return &helpline.Error{Kind: helpline.KindInvalid, Message: "No file was sent.", Fields: map[string]string{"file": "is required"}}
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return errTooLarge{limit: tooBig.Limit}
			}
			return helpline.Errorf(helpline.KindInvalid, "malformed multipart body: %v", err)
		}
		if part.FormName() != "file" {
			continue
		}
		head := make([]byte, 512)
		n, _ := io.ReadFull(part, head)
		att, err := a.Tickets.AddAttachment(r.Context(), actor, id, part.FileName(), http.DetectContentType(head[:n]), io.MultiReader(bytes.NewReader(head[:n]), part))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, att)
		return nil
	}
}

func (a *API) downloadAttachment(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("attachment")
	}
	att, f, err := a.Tickets.OpenAttachment(r.Context(), actor, id)
	if err != nil {
		return err
	}
	defer f.Close()
	request.ServeDownload(w, r, att.Filename, att.ContentType, f)
	return nil
}

// ticketCommand makes a handler that decodes a JSON body, applies it to the
// ticket in the path and answers with the ticket as it is now.
func ticketCommand[In any](a *API, do func(ctx context.Context, actor *helpline.Actor, id int64, in In) error) handler {
	return func(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
		id, err := pathID(r, "id")
		if err != nil {
			return helpline.NotFound("ticket")
		}
		var in In
		if err := a.decode(w, r, &in); err != nil {
			return err
		}
		if err := do(r.Context(), actor, id, in); err != nil {
			return err
		}
		return a.writeTicket(w, r, actor, id, http.StatusOK)
	}
}

type priorityInput struct {
	Priority ticket.Priority `json:"priority"`
	Reason   string          `json:"reason"`
}

type appealInput struct {
	Reason string `json:"reason"`
}

type decisionInput struct {
	Outcome ticket.AppealState `json:"outcome"`
	Note    string             `json:"note"`
}

func (a *API) updateTicket(ctx context.Context, actor *helpline.Actor, id int64, in ticket.Update) error {
	_, err := a.Tickets.UpdateTicket(ctx, actor, id, in)
	return err
}

func (a *API) changePriority(ctx context.Context, actor *helpline.Actor, id int64, in priorityInput) error {
	_, err := a.Tickets.ChangePriority(ctx, actor, id, in.Priority, in.Reason)
	return err
}

func (a *API) appeal(ctx context.Context, actor *helpline.Actor, id int64, in appealInput) error {
	_, err := a.Tickets.Appeal(ctx, actor, id, in.Reason)
	return err
}

func (a *API) decideAppeal(ctx context.Context, actor *helpline.Actor, id int64, in decisionInput) error {
	_, err := a.Tickets.DecideAppeal(ctx, actor, id, in.Outcome, in.Note)
	return err
}

// watch makes the caller (staff) a watcher of the ticket, or stops it.
func (a *API) watch(on bool) handler {
	return func(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
		id, err := pathID(r, "id")
		if err != nil {
			return helpline.NotFound("ticket")
		}
		if err := a.Tickets.Watch(r.Context(), actor, id, on); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
