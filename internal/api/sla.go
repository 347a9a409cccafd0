package api

import (
	"net/http"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/sla"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// slaRoutes are the SLA policy, calendar and report endpoints.
func (a *API) slaRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/sla/policies", handle: a.listSLAPolicies},
		{Method: "PUT", Path: "/api/v1/sla/policies/{plan}/{priority}", handle: a.updateSLAPolicy},
		{Method: "GET", Path: "/api/v1/sla/calendars", handle: a.listSLACalendars},
		{Method: "POST", Path: "/api/v1/sla/calendars", handle: a.createSLACalendar},
		{Method: "GET", Path: "/api/v1/sla/calendars/{id}", handle: a.getSLACalendar},
		{Method: "PUT", Path: "/api/v1/sla/calendars/{id}", handle: a.updateSLACalendar},
		{Method: "DELETE", Path: "/api/v1/sla/calendars/{id}", handle: a.deleteSLACalendar},
		{Method: "GET", Path: "/api/v1/reports/sla", handle: a.slaReport},
		{Method: "GET", Path: "/api/v1/tickets/{id}/sla", handle: a.ticketSLA},
	}
}

func (a *API) listSLAPolicies(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	ps, err := a.SLA.FindPolicies(r.Context(), actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"policies": ps})
	return nil
}

func (a *API) updateSLAPolicy(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	plan, priority := account.Plan(r.PathValue("plan")), ticket.Priority(r.PathValue("priority"))
	if !plan.Valid() {
		return helpline.Errorf(helpline.KindNotFound, "no plan %q: plans are free, standard, enterprise, premier and legacy_enterprise", plan)
	}
	if !priority.Valid() {
		return helpline.Errorf(helpline.KindNotFound, "no priority %q: priorities are urgent, high, normal and low", priority)
	}
	var in sla.PolicyInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	p, err := a.SLA.UpdatePolicy(r.Context(), actor, plan, priority, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (a *API) listSLACalendars(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	cs, err := a.SLA.FindCalendars(r.Context(), actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"calendars": cs})
	return nil
}

func (a *API) createSLACalendar(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	var in sla.CalendarInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.SLA.CreateCalendar(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (a *API) getSLACalendar(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("calendar")
	}
	c, err := a.SLA.FindCalendarByID(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) updateSLACalendar(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("calendar")
	}
	var in sla.CalendarInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.SLA.UpdateCalendar(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) deleteSLACalendar(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("calendar")
	}
	if err := a.SLA.DeleteCalendar(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) slaReport(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	from, to, err := a.SLA.ReportPeriod(r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	if err != nil {
		return err
	}
	rep, err := a.SLA.Report(r.Context(), actor, from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (a *API) ticketSLA(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("ticket")
	}
	ts, err := a.SLA.FindTargets(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"targets": ts})
	return nil
}
