package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/drain"
	"github.com/helpline-dev/helpline/internal/request"
)

// registerDrains mounts the log drain endpoint straight on the mux (the
// platform posts there, with no session) and the drain settings pages.
func (web *Web) registerDrains(mux *http.ServeMux, h handle) {
	mux.HandleFunc("POST /drains/{token}", web.drainIngest)
	h("GET /drains", signedIn, web.drainsPage)
	h("GET /drains/apps/{id}", signedIn, web.drainAppPage)
	h("POST /drains/apps/{id}", signedIn, web.saveDrain)
	h("POST /drains/apps/{id}/rotate", signedIn, web.rotateDrain)
	h("POST /drains/apps/{id}/delete", signedIn, web.deleteDrain)
	h("GET /drains/surges/{id}", signedIn, web.surgePage)
}

// drainIngest takes a logplex POST: 204 once counted (or recognized as a
// retry), 404 for an unknown token, 413 over the body limit. It answers
// in plain text, since the caller is a machine.
func (web *Web) drainIngest(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, drain.MaxBody)
	_, err := web.Drains.Ingest(r.Context(), r.PathValue("token"), r.Header.Get("Logplex-Frame-Id"), r.Body)
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.As(err, &tooBig):
		http.Error(w, fmt.Sprintf("The body is larger than %d bytes; send smaller batches.", drain.MaxBody), http.StatusRequestEntityTooLarge)
	case helpline.KindOf(err) == helpline.KindNotFound:
		http.Error(w, "No log drain has this token: it was deleted or rotated. Copy the drain URL again from Helpline.", http.StatusNotFound)
	default:
		request.Logger(r.Context()).Error("log drain ingest failed", "err", err)
		http.Error(w, "Something went wrong on our side; send the batch again. Request ID: "+request.ID(r.Context()), http.StatusInternalServerError)
	}
}

type drainsData struct {
	Apps   []drain.AppDrain
	Surges []drain.Surge
}

// drainsPage lists the apps of the user's organizations with their drains,
// and the latest surges.
func (web *Web) drainsPage(w http.ResponseWriter, r *http.Request) error {
	var d drainsData
	var err error
	if d.Apps, err = web.Drains.FindAppDrains(r.Context(), actor(r)); err != nil {
		return err
	}
	if d.Surges, err = web.Drains.FindSurges(r.Context(), actor(r), drain.SurgeFilter{Page: helpline.Page{Limit: 20}}); err != nil {
		return err
	}
	web.render(w, r, http.StatusOK, "drains", &Page{Title: "Log drains", Data: d})
	return nil
}

type drainAppData struct {
	drain.AppDrain
	Defaults drain.Thresholds
	Surges   []drain.Surge
	// The form's values: what was typed, or the drain's, or the defaults.
	Notify, OpenTicket bool
	Fields             []drainField
	// Token and URL are shown once, right after creating or rotating.
	Token, URL string
}

func (web *Web) drainAppPage(w http.ResponseWriter, r *http.Request) error {
	return web.renderDrainApp(w, r, http.StatusOK, &Page{}, "")
}

func (web *Web) renderDrainApp(w http.ResponseWriter, r *http.Request, status int, p *Page, token string) error {
	id, err := pathID(r, "id", "app")
	if err != nil {
		return err
	}
	ad, err := web.Drains.FindAppDrain(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	d := drainAppData{AppDrain: ad, Defaults: drain.DefaultThresholds}
	if d.Surges, err = web.Drains.FindSurges(r.Context(), actor(r), drain.SurgeFilter{AppID: id, Page: helpline.Page{Limit: 20}}); err != nil {
		return err
	}
	d.Notify, d.OpenTicket = true, false
	t := drain.DefaultThresholds
	if ad.Drain != nil {
		d.Notify, d.OpenTicket, t = ad.Drain.Notify, ad.Drain.OpenTicket, ad.Drain.Thresholds
	}
	posted := p.Form != nil && p.Form.Get("posted") != ""
	if posted {
		d.Notify, d.OpenTicket = p.Form.Get("notify") != "", p.Form.Get("open_ticket") != ""
	}
	for _, f := range []drainField{
		{Name: "min_errors_per_minute", Label: "Errors in one minute, at least", Value: strconv.Itoa(t.MinErrorsPerMinute)},
		{Name: "baseline_factor", Label: "Times the previous 30 minutes' rate", Value: strconv.Itoa(t.BaselineFactor)},
		{Name: "unavailable_percent", Label: "Unavailable (H10, H14, H20, H99): % of requests", Value: strconv.Itoa(t.UnavailablePercent)},
		{Name: "unavailable_minutes", Label: "Unavailable: minutes in a row", Value: strconv.Itoa(t.UnavailableMinutes)},
	} {
		if posted {
			f.Value = p.Form.Get(f.Name)
		}
		f.Error = p.Err(f.Name)
		d.Fields = append(d.Fields, f)
	}
	if token != "" {
		d.Token, d.URL = token, drain.URL(web.baseURL(r), token)
	}
	p.Title, p.Data = "Log drain of "+ad.App.Name, d
	web.render(w, r, status, "drains_app", p)
	return nil
}

// drainField is one number of the settings form.
type drainField struct {
	Name, Label, Value, Error string
}

// drainSettings reads the settings form; empty numbers keep the current
// value (or the default).
func drainSettings(r *http.Request) (drain.Settings, error) {
	f := r.PostForm
	notify, ticket := f.Get("notify") != "", f.Get("open_ticket") != ""
	in := drain.Settings{Notify: &notify, OpenTicket: &ticket}
	v := helpline.Validation{}
	num := func(name string) *int {
		s := strings.TrimSpace(f.Get(name))
		if s == "" {
			return nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			v.Add(name, "must be a whole number")
			return nil
		}
		return &n
	}
	in.MinErrorsPerMinute = num("min_errors_per_minute")
	in.BaselineFactor = num("baseline_factor")
	in.UnavailablePercent = num("unavailable_percent")
	in.UnavailableMinutes = num("unavailable_minutes")
	return in, v.Err()
}

// saveDrain creates the app's drain (showing its URL once) or saves its
// settings.
func (web *Web) saveDrain(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "app")
	if err != nil {
		return err
	}
	in, err := drainSettings(r)
	if err == nil {
		var ad drain.AppDrain
		if ad, err = web.Drains.FindAppDrain(r.Context(), actor(r), id); err != nil {
			return err
		}
		if ad.Drain == nil {
			var token string
			if _, token, err = web.Drains.CreateDrain(r.Context(), actor(r), id, in); err == nil {
				return web.renderDrainApp(w, r, http.StatusOK, &Page{Flash: "The log drain is ready: add its URL to your app now."}, token)
			}
		} else if _, err = web.Drains.UpdateDrain(r.Context(), actor(r), id, in); err == nil {
			web.redirect(w, r, fmt.Sprintf("/drains/apps/%d", id), "The drain's settings are saved.")
			return nil
		}
	}
	if he, status, ok := inputError(err); ok {
		return web.renderDrainApp(w, r, status, &Page{Form: r.PostForm, Errors: he.Fields, Message: he.Message}, "")
	}
	return err
}

func (web *Web) rotateDrain(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "app")
	if err != nil {
		return err
	}
	_, token, err := web.Drains.RotateToken(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return web.renderDrainApp(w, r, http.StatusOK, &Page{Flash: "The drain has a new URL; the old one no longer works. Update your app's drain now."}, token)
}

func (web *Web) deleteDrain(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "app")
	if err != nil {
		return err
	}
	if err := web.Drains.DeleteDrain(r.Context(), actor(r), id); err != nil {
		return err
	}
	web.redirect(w, r, "/drains", "The log drain is deleted; remove it from your app too.")
	return nil
}

func (web *Web) surgePage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "surge")
	if err != nil {
		return err
	}
	sg, err := web.Drains.FindSurgeByID(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	web.render(w, r, http.StatusOK, "drains_surge", &Page{Title: sg.Title(), Data: sg})
	return nil
}
