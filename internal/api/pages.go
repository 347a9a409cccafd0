package api

import (
	"context"
	"net/http"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/oncall"
)

// pageRoutes are the page endpoints.
func (a *API) pageRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/pages", handle: a.listPages},
		{Method: "GET", Path: "/api/v1/pages/{id}", handle: a.getPage},
		{Method: "GET", Path: "/api/v1/pages/{id}/deliveries", handle: a.listPageDeliveries},
		{Method: "POST", Path: "/api/v1/pages/{id}/acknowledge", handle: a.pageCommand(a.Oncall.Acknowledge)},
		{Method: "POST", Path: "/api/v1/pages/{id}/resolve", handle: a.pageCommand(a.Oncall.Resolve)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/page", handle: a.pageTicket},
	}
}

func (a *API) listPages(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	f := oncall.PageFilter{Status: r.URL.Query().Get("status"), Page: p}
	if s := r.URL.Query().Get("ticket_id"); s != "" {
		if f.TicketID, err = parseID(s); err != nil {
			return helpline.Validation{"ticket_id": "must be a ticket ID, a positive number"}.Err()
		}
	}
	pages, err := a.Oncall.FindPages(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"pages": pages, "limit": p.Limit, "offset": p.Offset})
	return nil
}

func (a *API) getPage(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("page")
	}
	p, err := a.Oncall.FindPageByID(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (a *API) listPageDeliveries(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("page")
	}
	ds, err := a.Oncall.FindDeliveries(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": ds})
	return nil
}

// pageCommand acknowledges or resolves a page. It takes no body: who
// acts is the token's owner.
func (a *API) pageCommand(do func(ctx context.Context, actor *helpline.Actor, id int64) (oncall.Page, error)) handler {
	return func(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
		if err := actor.RequireStaff(); err != nil {
			return err
		}
		id, err := pathID(r, "id")
		if err != nil {
			return helpline.NotFound("page")
		}
		p, err := do(r.Context(), actor, id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, p)
		return nil
	}
}

func (a *API) pageTicket(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("ticket")
	}
	var in oncall.ManualPage
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	p, created, err := a.Oncall.PageTicket(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	status := http.StatusOK // the ticket's open page, unchanged
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, p)
	return nil
}
