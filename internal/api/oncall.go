package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/oncall"
)

// oncallRoutes are the schedule, escalation policy and contact method endpoints.
func (a *API) oncallRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/oncall/schedules", handle: a.listSchedules},
		{Method: "POST", Path: "/api/v1/oncall/schedules", handle: a.createSchedule},
		{Method: "GET", Path: "/api/v1/oncall/schedules/{id}", handle: a.getSchedule},
		{Method: "PATCH", Path: "/api/v1/oncall/schedules/{id}", handle: a.updateSchedule},
		{Method: "DELETE", Path: "/api/v1/oncall/schedules/{id}", handle: a.deleteSchedule},
		{Method: "POST", Path: "/api/v1/oncall/schedules/{id}/layers", handle: a.addLayer},
		{Method: "PUT", Path: "/api/v1/oncall/schedules/{id}/layers/{layer_id}", handle: a.updateLayer},
		{Method: "DELETE", Path: "/api/v1/oncall/schedules/{id}/layers/{layer_id}", handle: a.deleteLayer},
		{Method: "POST", Path: "/api/v1/oncall/schedules/{id}/overrides", handle: a.addOverride},
		{Method: "DELETE", Path: "/api/v1/oncall/schedules/{id}/overrides/{override_id}", handle: a.deleteOverride},
		{Method: "GET", Path: "/api/v1/oncall/schedules/{id}/shifts", handle: a.listShifts},
		{Method: "GET", Path: "/api/v1/oncall/who", handle: a.whoIsOnCall},
		{Method: "GET", Path: "/api/v1/oncall/policies", handle: a.listPolicies},
		{Method: "POST", Path: "/api/v1/oncall/policies", handle: a.createPolicy},
		{Method: "GET", Path: "/api/v1/oncall/policies/{id}", handle: a.getPolicy},
		{Method: "PUT", Path: "/api/v1/oncall/policies/{id}", handle: a.updatePolicy},
		{Method: "DELETE", Path: "/api/v1/oncall/policies/{id}", handle: a.deletePolicy},
		{Method: "GET", Path: "/api/v1/me/contact-methods", handle: a.listContactMethods},
		{Method: "POST", Path: "/api/v1/me/contact-methods", handle: a.createContactMethod},
		{Method: "DELETE", Path: "/api/v1/me/contact-methods/{id}", handle: a.deleteContactMethod},
	}
}

// queryTime reads an RFC 3339 time from the query; def when absent.
func queryTime(r *http.Request, name string, def time.Time, v helpline.Validation) time.Time {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		v.Add(name, "must be an RFC 3339 time such as 2025-03-10T09:00:00Z")
		return def
	}
	return t
}

func (a *API) listSchedules(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	scs, err := a.Oncall.FindSchedules(r.Context(), actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"schedules": scs})
	return nil
}

func (a *API) createSchedule(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	// Check the role before reading the body, so customers learn nothing.
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	var in oncall.ScheduleInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	sc, err := a.Oncall.CreateSchedule(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sc)
	return nil
}

func (a *API) getSchedule(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("schedule")
	}
	sc, err := a.Oncall.FindSchedule(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sc)
	return nil
}

func (a *API) updateSchedule(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("schedule")
	}
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	var in struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
		TimeZone    *string `json:"time_zone"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	sc, err := a.Oncall.FindSchedule(r.Context(), actor, id)
	if err != nil {
		return err
	}
	up := oncall.ScheduleInput{Name: sc.Name, Description: sc.Description, TimeZone: sc.TimeZone}
	if in.Name != nil {
		up.Name = *in.Name
	}
	if in.Description != nil {
		up.Description = *in.Description
	}
	if in.TimeZone != nil {
		up.TimeZone = *in.TimeZone
	}
	sc, err = a.Oncall.UpdateSchedule(r.Context(), actor, id, up)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sc)
	return nil
}

func (a *API) deleteSchedule(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("schedule")
	}
	if err := a.Oncall.DeleteSchedule(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) addLayer(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("schedule")
	}
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	var in oncall.LayerInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	l, err := a.Oncall.AddLayer(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, l)
	return nil
}

func (a *API) updateLayer(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("schedule")
	}
	layerID, err := pathID(r, "layer_id")
	if err != nil {
		return helpline.NotFound("layer")
	}
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	var in oncall.LayerInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	l, err := a.Oncall.UpdateLayer(r.Context(), actor, id, layerID, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (a *API) deleteLayer(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("schedule")
	}
	layerID, err := pathID(r, "layer_id")
	if err != nil {
		return helpline.NotFound("layer")
	}
	if err := a.Oncall.DeleteLayer(r.Context(), actor, id, layerID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) addOverride(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("schedule")
	}
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	var in oncall.OverrideInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	o, err := a.Oncall.AddOverride(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o)
	return nil
}

func (a *API) deleteOverride(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("schedule")
	}
	oid, err := pathID(r, "override_id")
	if err != nil {
		return helpline.NotFound("override")
	}
	if err := a.Oncall.DeleteOverride(r.Context(), actor, id, oid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listShifts(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("schedule")
	}
	v := helpline.Validation{}
	from := queryTime(r, "from", time.Now(), v)
	to := queryTime(r, "to", from.Add(14*24*time.Hour), v)
	if err := v.Err(); err != nil {
		return err
	}
	shifts, err := a.Oncall.Shifts(r.Context(), actor, id, from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": from.UTC(), "to": to.UTC(), "shifts": shifts})
	return nil
}

func (a *API) whoIsOnCall(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	v := helpline.Validation{}
	at := queryTime(r, "at", time.Now(), v)
	var scheduleID int64
	if s := r.URL.Query().Get("schedule"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		v.Check(err == nil && id > 0, "schedule", "must be a schedule ID")
		scheduleID = id
	}
	if err := v.Err(); err != nil {
		return err
	}
	var out []oncall.OnCall
	if scheduleID != 0 {
		oc, err := a.Oncall.Who(r.Context(), actor, scheduleID, at)
		if err != nil {
			return err
		}
		out = []oncall.OnCall{oc}
	} else {
		var err error
		if out, err = a.Oncall.WhoAll(r.Context(), actor, at); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"at": at.UTC(), "on_call": out})
	return nil
}

func (a *API) listPolicies(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	ps, err := a.Oncall.FindPolicies(r.Context(), actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"policies": ps})
	return nil
}

func (a *API) createPolicy(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	var in oncall.PolicyInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	p, err := a.Oncall.CreatePolicy(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

func (a *API) getPolicy(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("escalation policy")
	}
	p, err := a.Oncall.FindPolicy(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (a *API) updatePolicy(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("escalation policy")
	}
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	var in oncall.PolicyInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	p, err := a.Oncall.UpdatePolicy(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (a *API) deletePolicy(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("escalation policy")
	}
	if err := a.Oncall.DeletePolicy(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listContactMethods(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	ms, err := a.Oncall.FindContactMethods(r.Context(), actor, actor.UserID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"contact_methods": ms})
	return nil
}

func (a *API) createContactMethod(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	if err := actor.RequireStaff(); err != nil {
		return err
	}
	var in oncall.ContactMethodInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	m, err := a.Oncall.CreateContactMethod(r.Context(), actor, actor.UserID, in)
	if err != nil {
		return err
	}
	// The webhook signing secret is returned this once.
	writeJSON(w, http.StatusCreated, struct {
		oncall.ContactMethod
		Secret string `json:"secret,omitempty"`
	}{m, m.Secret})
	return nil
}

func (a *API) deleteContactMethod(w http.ResponseWriter, r *http.Request, actor *helpline.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return helpline.NotFound("contact method")
	}
	if err := a.Oncall.DeleteContactMethod(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
