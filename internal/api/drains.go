package api

import (
	"net/http"
	"strconv"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/drain"
)

// drainRoutes are apps' log drains and the error surges they detect. The
// platform itself posts logs to /drains/{token}, outside the API.
func (a *API) drainRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/apps/{id}/drain", handle: a.getDrain},
		{Method: "POST", Path: "/api/v1/apps/{id}/drain", handle: a.createOrRotateDrain},
		{Method: "PATCH", Path: "/api/v1/apps/{id}/drain", handle: a.updateDrain},
		{Method: "DELETE", Path: "/api/v1/apps/{id}/drain", handle: a.deleteDrain},
		{Method: "GET", Path: "/api/v1/drains/surges", handle: a.listSurges},
		{Method: "GET", Path: "/api/v1/drains/surges/{id}", handle: a.getSurge},
	}
}

// drainAnswer is a drain, with its token and URL right after creating or
// rotating (the only time they are shown).
type drainAnswer struct {
	Drain drain.Drain `json:"drain"`
	Token string      `json:"token,omitempty"`
	URL   string      `json:"url,omitempty"`
}

func (a *API) drainURL(r *http.Request, token string) string {
	base := a.BaseURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return drain.URL(base, token)
}

func (a *API) getDrain(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("app")
	}
	ad, err := a.Drains.FindAppDrain(r.Context(), actor, id)
	if err != nil {
		return err
	}
	if ad.Drain == nil {
		return helpline.Errorf(helpline.KindNotFound, "%s has no log drain; create one with POST /api/v1/apps/%d/drain", ad.App.Name, id)
	}
	writeJSON(w, http.StatusOK, drainAnswer{Drain: *ad.Drain})
	return nil
}

// createOrRotateDrain creates the app's drain (201) or, when it has one,
// gives it a new token (200); settings in the body apply either way.
func (a *API) createOrRotateDrain(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("app")
	}
	var in drain.Settings
	if r.ContentLength != 0 {
		if err := a.decode(w, r, &in); err != nil {
			return err
		}
	}
	ad, err := a.Drains.FindAppDrain(r.Context(), actor, id)
	if err != nil {
		return err
	}
	if ad.Drain == nil {
		d, token, err := a.Drains.CreateDrain(r.Context(), actor, id, in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, drainAnswer{Drain: d, Token: token, URL: a.drainURL(r, token)})
		return nil
	}
	if in != (drain.Settings{}) {
		if _, err := a.Drains.UpdateDrain(r.Context(), actor, id, in); err != nil {
			return err
		}
	}
	d, token, err := a.Drains.RotateToken(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, drainAnswer{Drain: d, Token: token, URL: a.drainURL(r, token)})
	return nil
}

func (a *API) updateDrain(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("app")
	}
	if _, err := a.Drains.FindAppDrain(r.Context(), actor, id); err != nil {
		return err
	}
	var in drain.Settings
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	d, err := a.Drains.UpdateDrain(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, drainAnswer{Drain: d})
	return nil
}

func (a *API) deleteDrain(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("app")
	}
	if err := a.Drains.DeleteDrain(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listSurges(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	f := drain.SurgeFilter{Page: p}
	if s := r.URL.Query().Get("app_id"); s != "" {
		if f.AppID, err = strconv.ParseInt(s, 10, 64); err != nil || f.AppID <= 0 {
			return helpline.Validation{"app_id": "must be an app's ID, a positive number"}.Err()
		}
	}
	surges, err := a.Drains.FindSurges(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"surges": surges, "limit": p.Limit, "offset": p.Offset})
	return nil
}

func (a *API) getSurge(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("surge")
	}
	sg, err := a.Drains.FindSurgeByID(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sg)
	return nil
}
