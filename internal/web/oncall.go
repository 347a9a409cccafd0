package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/oncall"
)

// registerOncall mounts the schedule, escalation policy and contact method pages.
func (web *Web) registerOncall(h handle) {
	h("GET /oncall", staff, web.oncallPage)
	h("POST /oncall/schedules", admin, web.createSchedule)
	h("GET /oncall/schedules/{id}", staff, web.schedulePage)
	h("POST /oncall/schedules/{id}", admin, web.updateSchedule)
	h("POST /oncall/schedules/{id}/delete", admin, web.deleteSchedule)
	h("POST /oncall/schedules/{id}/layers", admin, web.addLayer)
	h("POST /oncall/schedules/{id}/layers/{layer_id}/delete", admin, web.deleteLayer)
	h("POST /oncall/schedules/{id}/overrides", staff, web.addOverride)
	h("POST /oncall/schedules/{id}/overrides/{override_id}/delete", staff, web.deleteOverride)
	h("GET /oncall/policies", staff, web.policiesPage)
	h("POST /oncall/policies", admin, web.createPolicy)
	h("GET /oncall/policies/{id}", staff, web.policyPage)
	h("POST /oncall/policies/{id}", admin, web.updatePolicy)
	h("POST /oncall/policies/{id}/delete", admin, web.deletePolicy)
	h("GET /account/contact-methods", staff, web.contactMethodsPage)
	h("POST /account/contact-methods", staff, web.createContactMethod)
	h("POST /account/contact-methods/{id}/delete", staff, web.deleteContactMethod)
}

// localInput is the layout of <input type="datetime-local">.
const localInput = "2006-01-02T15:04"

// parseLocal reads a datetime-local value in loc; it records an error for
// field when the value is missing or malformed.
func parseLocal(v helpline.Validation, field, s string, loc *time.Location, required bool) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			v.Add(field, "is required")
		}
		return nil
	}
	t, err := time.ParseInLocation(localInput, s, loc)
	if err != nil {
		v.Add(field, "must be a date and time such as 2025-03-10T09:00")
		return nil
	}
	return &t
}

type oncallData struct {
	At        time.Time
	AtInput   string // datetime-local, UTC
	OnCall    []oncall.OnCall
	Schedules []oncall.Schedule
	Zones     []string
}

// commonZones fill the time zone field's suggestions; any IANA zone works.
var commonZones = []string{"UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
	"Europe/London", "Europe/Berlin", "Europe/Paris", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney"}

func (web *Web) oncallPage(w http.ResponseWriter, r *http.Request) error {
	return web.renderOncall(w, r, http.StatusOK, &Page{})
}

func (web *Web) renderOncall(w http.ResponseWriter, r *http.Request, status int, p *Page) error {
	d := oncallData{At: web.Now().UTC(), Zones: commonZones}
	if s := r.URL.Query().Get("at"); s != "" {
		t, err := time.ParseInLocation(localInput, s, time.UTC)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, s); err != nil {
				p.Message = "The time must look like 2025-03-10T09:00 (UTC); showing now instead."
				t = d.At
			}
		}
		d.At = t.UTC()
	}
	d.AtInput = d.At.Format(localInput)
	var err error
	if d.OnCall, err = web.Oncall.WhoAll(r.Context(), actor(r), d.At); err != nil {
		return err
	}
	if d.Schedules, err = web.Oncall.FindSchedules(r.Context(), actor(r)); err != nil {
		return err
	}
	p.Title, p.Data = "On-call", d
	web.render(w, r, status, "oncall", p)
	return nil
}

func (web *Web) createSchedule(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	sc, err := web.Oncall.CreateSchedule(r.Context(), actor(r), oncall.ScheduleInput{Name: f.Get("name"), Description: f.Get("description"), TimeZone: f.Get("time_zone")})
	if err != nil {
		he, status, ok := inputError(err)
		if !ok {
			return err
		}
		return web.renderOncall(w, r, status, &Page{Form: f, Errors: he.Fields, Message: he.Message})
	}
	web.redirect(w, r, fmt.Sprintf("/oncall/schedules/%d", sc.ID), "Schedule "+sc.Name+" created. Add a layer to put people on call.")
	return nil
}

type scheduleData struct {
	Schedule oncall.Schedule
	Loc      *time.Location
	Now      oncall.OnCall
	Shifts   []oncall.Shift
	Days     int
	Staff    []account.User
	Zones    []string
	Weekdays []string
	// Forms: each form keeps its own values and errors.
	Edit, Layer, Override *Page
}

// Local formats t in the schedule's zone.
func (d scheduleData) Local(t time.Time) string { return t.In(d.Loc).Format("Mon Jan 2 15:04") }

// LocalInput formats t for a datetime-local field in the schedule's zone.
func (d scheduleData) LocalInput(t time.Time) string { return t.In(d.Loc).Format(localInput) }

// Weekday names a layer's hand-off day.
func (d scheduleData) Weekday(l oncall.Layer) string { return oncall.WeekdayName(l.HandoffWeekday) }

// shiftDays is how far the schedule page looks ahead.
const shiftDays = 14

func (web *Web) schedulePage(w http.ResponseWriter, r *http.Request) error {
	return web.renderSchedule(w, r, http.StatusOK, nil)
}

// renderSchedule shows a schedule; form names which form failed ("edit",
// "layer", "override") and carries its values and errors.
func (web *Web) renderSchedule(w http.ResponseWriter, r *http.Request, status int, form map[string]*Page) error {
	id, err := pathID(r, "id", "schedule")
	if err != nil {
		return err
	}
	a := actor(r)
	sc, err := web.Oncall.FindSchedule(r.Context(), a, id)
	if err != nil {
		return err
	}
	loc, err := oncall.LoadZone(sc.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	now := web.Now()
	d := scheduleData{Schedule: sc, Loc: loc, Days: shiftDays, Zones: commonZones, Weekdays: []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}}
	if d.Now, err = web.Oncall.Who(r.Context(), a, id, now); err != nil {
		return err
	}
	if d.Shifts, err = web.Oncall.Shifts(r.Context(), a, id, now, now.Add(shiftDays*24*time.Hour)); err != nil {
		return err
	}
	if d.Staff, err = web.Accounts.FindAssignees(r.Context(), a); err != nil {
		return err
	}
	d.Edit = &Page{Form: url.Values{"name": {sc.Name}, "description": {sc.Description}, "time_zone": {sc.TimeZone}}}
	d.Layer = &Page{Form: url.Values{"rotation": {"weekly"}, "handoff_time": {"09:00"}, "handoff_weekday": {"monday"},
		"starts_at": {now.In(loc).Truncate(time.Hour).Format(localInput)}}}
	d.Override = &Page{Form: url.Values{"user_id": {strconv.FormatInt(a.UserID, 10)},
		"starts_at": {now.In(loc).Truncate(time.Hour).Format(localInput)}, "ends_at": {now.In(loc).Truncate(time.Hour).Add(8 * time.Hour).Format(localInput)}}}
	p := &Page{Title: sc.Name}
	for name, fp := range form {
		switch name {
		case "edit":
			d.Edit = fp
		case "layer":
			d.Layer = fp
		case "override":
			d.Override = fp
		}
		p.Message = fp.Message
	}
	p.Data = d
	web.render(w, r, status, "oncall_schedule", p)
	return nil
}

// scheduleFormError shows the schedule page again with one form's input.
func (web *Web) scheduleFormError(w http.ResponseWriter, r *http.Request, form string, err error) error {
	he, status, ok := inputError(err)
	if !ok {
		return err
	}
	return web.renderSchedule(w, r, status, map[string]*Page{form: {Form: r.PostForm, Errors: he.Fields, Message: he.Message}})
}

func (web *Web) updateSchedule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "schedule")
	if err != nil {
		return err
	}
	f := r.PostForm
	if _, err := web.Oncall.UpdateSchedule(r.Context(), actor(r), id, oncall.ScheduleInput{Name: f.Get("name"), Description: f.Get("description"), TimeZone: f.Get("time_zone")}); err != nil {
		return web.scheduleFormError(w, r, "edit", err)
	}
	web.redirect(w, r, fmt.Sprintf("/oncall/schedules/%d", id), "Schedule saved.")
	return nil
}

func (web *Web) deleteSchedule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "schedule")
	if err != nil {
		return err
	}
	if err := web.Oncall.DeleteSchedule(r.Context(), actor(r), id); err != nil {
		return err
	}
	web.redirect(w, r, "/oncall", "Schedule deleted.")
	return nil
}

// staffByEmail resolves the users field of the layer form: one email per
// line, in turn order.
func (web *Web) staffByEmail(r *http.Request, lines string, v helpline.Validation) []int64 {
	var ids []int64
	for _, line := range strings.FieldsFunc(lines, func(c rune) bool { return c == '\n' || c == ',' || c == '\r' }) {
		email := strings.TrimSpace(line)
		if email == "" {
			continue
		}
		u, err := web.Accounts.FindUserByEmail(r.Context(), actor(r), email)
		if err != nil || u.StaffRole == helpline.RoleNone {
			v.Add("users", email+" is not a staff member")
			continue
		}
		ids = append(ids, u.ID)
	}
	return ids
}

func (web *Web) scheduleZone(r *http.Request, id int64) (*time.Location, error) {
	sc, err := web.Oncall.FindSchedule(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	loc, err := oncall.LoadZone(sc.TimeZone)
	if err != nil {
		return time.UTC, nil
	}
	return loc, nil
}

func (web *Web) addLayer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "schedule")
	if err != nil {
		return err
	}
	loc, err := web.scheduleZone(r, id)
	if err != nil {
		return err
	}
	f := r.PostForm
	v := helpline.Validation{}
	in := oncall.LayerInput{Name: f.Get("name"), Rotation: f.Get("rotation"), HandoffTime: f.Get("handoff_time"), HandoffWeekday: f.Get("handoff_weekday")}
	if in.Rotation != oncall.RotationWeekly {
		in.HandoffWeekday = ""
	}
	if t := parseLocal(v, "starts_at", f.Get("starts_at"), loc, true); t != nil {
		in.StartsAt = *t
	}
	in.EndsAt = parseLocal(v, "ends_at", f.Get("ends_at"), loc, false)
	in.UserIDs = web.staffByEmail(r, f.Get("users"), v)
	if err := v.Err(); err != nil {
		return web.scheduleFormError(w, r, "layer", err)
	}
	if _, err := web.Oncall.AddLayer(r.Context(), actor(r), id, in); err != nil {
		if he, ok := err.(*helpline.Error); ok && he.Fields["user_ids"] != "" {
			he.Fields["users"] = he.Fields["user_ids"]
		}
		return web.scheduleFormError(w, r, "layer", err)
	}
	web.redirect(w, r, fmt.Sprintf("/oncall/schedules/%d", id), "Layer "+strings.TrimSpace(in.Name)+" added.")
	return nil
}

func (web *Web) deleteLayer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "schedule")
	if err != nil {
		return err
	}
	layerID, err := pathID(r, "layer_id", "layer")
	if err != nil {
		return err
	}
	if err := web.Oncall.DeleteLayer(r.Context(), actor(r), id, layerID); err != nil {
		return err
	}
	web.redirect(w, r, fmt.Sprintf("/oncall/schedules/%d", id), "Layer removed.")
	return nil
}

func (web *Web) addOverride(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "schedule")
	if err != nil {
		return err
	}
	loc, err := web.scheduleZone(r, id)
	if err != nil {
		return err
	}
	f := r.PostForm
	v := helpline.Validation{}
	var in oncall.OverrideInput
	in.UserID, _ = strconv.ParseInt(f.Get("user_id"), 10, 64)
	v.Check(in.UserID > 0, "user_id", "choose who goes on call")
	if s := f.Get("replaces_user_id"); s != "" {
		rid, err := strconv.ParseInt(s, 10, 64)
		v.Check(err == nil, "replaces_user_id", "choose a user or anyone")
		in.ReplacesUserID = &rid
	}
	if t := parseLocal(v, "starts_at", f.Get("starts_at"), loc, true); t != nil {
		in.StartsAt = *t
	}
	if t := parseLocal(v, "ends_at", f.Get("ends_at"), loc, true); t != nil {
		in.EndsAt = *t
	}
	if err := v.Err(); err != nil {
		return web.scheduleFormError(w, r, "override", err)
	}
	if _, err := web.Oncall.AddOverride(r.Context(), actor(r), id, in); err != nil {
		return web.scheduleFormError(w, r, "override", err)
	}
	web.redirect(w, r, fmt.Sprintf("/oncall/schedules/%d", id), "Override added.")
	return nil
}

func (web *Web) deleteOverride(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "schedule")
	if err != nil {
		return err
	}
	oid, err := pathID(r, "override_id", "override")
	if err != nil {
		return err
	}
	if err := web.Oncall.DeleteOverride(r.Context(), actor(r), id, oid); err != nil {
		return err
	}
	web.redirect(w, r, fmt.Sprintf("/oncall/schedules/%d", id), "Override removed.")
	return nil
}

// policyFormLevels is how many level rows the policy form shows: the
// policy's levels and two spare ones.
const policyFormSpare = 2

type policyData struct {
	Policies  []oncall.Policy
	Policy    *oncall.Policy
	Schedules []oncall.Schedule
	Staff     []account.User
	Rows      []levelRow
}

// levelRow is one level's fields in the policy form.
type levelRow struct{ Index, Number int }

// Selected reports whether the level row's targets field holds value, for
// the multi-select.
func (d policyData) Selected(p *Page, row int, value string) bool {
	for _, v := range p.Form[fmt.Sprintf("level%d_targets", row)] {
		if v == value {
			return true
		}
	}
	return false
}

func (web *Web) policyData(r *http.Request, levels int) (policyData, error) {
	var d policyData
	var err error
	a := actor(r)
	if d.Schedules, err = web.Oncall.FindSchedules(r.Context(), a); err != nil {
		return d, err
	}
	if d.Staff, err = web.Accounts.FindAssignees(r.Context(), a); err != nil {
		return d, err
	}
	for i := 0; i < levels+policyFormSpare; i++ {
		d.Rows = append(d.Rows, levelRow{Index: i, Number: i + 1})
	}
	return d, nil
}

// policyForm returns the form values of a policy, for editing.
func policyForm(p oncall.Policy) url.Values {
	f := url.Values{"name": {p.Name}, "description": {p.Description}, "repeats": {strconv.Itoa(p.Repeats)}}
	if p.PagesUrgent {
		f.Set("pages_urgent", "on")
	}
	for i, l := range p.Levels {
		f.Set(fmt.Sprintf("level%d_delay", i), strconv.Itoa(l.DelayMinutes))
		for _, t := range l.Targets {
			if t.ScheduleID != nil {
				f.Add(fmt.Sprintf("level%d_targets", i), fmt.Sprintf("s%d", *t.ScheduleID))
			} else if t.UserID != nil {
				f.Add(fmt.Sprintf("level%d_targets", i), fmt.Sprintf("u%d", *t.UserID))
			}
		}
	}
	return f
}

// policyInput reads the policy form: level rows with neither a delay nor a
// target are skipped, so spare rows can stay empty.
func policyInput(f url.Values) (oncall.PolicyInput, error) {
	in := oncall.PolicyInput{Name: f.Get("name"), Description: f.Get("description"), PagesUrgent: f.Get("pages_urgent") != ""}
	v := helpline.Validation{}
	if s := strings.TrimSpace(f.Get("repeats")); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil, "repeats", "must be a number from 0 to 9")
		in.Repeats = n
	}
	for row := 0; row < 50; row++ {
		delay := strings.TrimSpace(f.Get(fmt.Sprintf("level%d_delay", row)))
		targets := f[fmt.Sprintf("level%d_targets", row)]
		if _, ok := f[fmt.Sprintf("level%d_delay", row)]; !ok {
			break
		}
		if delay == "" && len(targets) == 0 {
			continue
		}
		var l oncall.LevelInput
		n, err := strconv.Atoi(delay)
		v.Check(err == nil, fmt.Sprintf("levels[%d].delay_minutes", len(in.Levels)), "must be a number of minutes")
		l.DelayMinutes = n
		for _, t := range targets {
			id, err := strconv.ParseInt(t[1:], 10, 64)
			if err != nil || len(t) < 2 {
				continue
			}
			if t[0] == 's' {
				l.Targets = append(l.Targets, oncall.Target{ScheduleID: &id})
			} else {
				l.Targets = append(l.Targets, oncall.Target{UserID: &id})
			}
		}
		in.Levels = append(in.Levels, l)
	}
	return in, v.Err()
}

// levelErrors moves the service's levels[i].x errors onto the form rows
// they came from, skipping empty rows as policyInput did.
func levelErrors(f url.Values, fields map[string]string) map[string]string {
	out := map[string]string{}
	index := 0
	rowOf := map[int]int{}
	for row := 0; row < 50; row++ {
		if _, ok := f[fmt.Sprintf("level%d_delay", row)]; !ok {
			break
		}
		if strings.TrimSpace(f.Get(fmt.Sprintf("level%d_delay", row))) == "" && len(f[fmt.Sprintf("level%d_targets", row)]) == 0 {
			continue
		}
		rowOf[index] = row
		index++
	}
	for k, msg := range fields {
		var i int
		var rest string
		if n, _ := fmt.Sscanf(k, "levels[%d]", &i); n == 1 {
			rest = k[strings.Index(k, "]")+1:]
			row := rowOf[i]
			switch {
			case strings.HasPrefix(rest, ".delay_minutes"):
				out[fmt.Sprintf("level%d_delay", row)] = msg
			default:
				out[fmt.Sprintf("level%d_targets", row)] = msg
			}
			continue
		}
		out[k] = msg
	}
	return out
}

func (web *Web) policiesPage(w http.ResponseWriter, r *http.Request) error {
	return web.renderPolicies(w, r, http.StatusOK, &Page{Form: url.Values{"level0_delay": {"5"}}})
}

func (web *Web) renderPolicies(w http.ResponseWriter, r *http.Request, status int, p *Page) error {
	d, err := web.policyData(r, 1)
	if err != nil {
		return err
	}
	if d.Policies, err = web.Oncall.FindPolicies(r.Context(), actor(r)); err != nil {
		return err
	}
	p.Title, p.Data = "Escalation policies", d
	web.render(w, r, status, "oncall_policies", p)
	return nil
}

func (web *Web) createPolicy(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	in, err := policyInput(f)
	if err == nil {
		var pol oncall.Policy
		if pol, err = web.Oncall.CreatePolicy(r.Context(), actor(r), in); err == nil {
			web.redirect(w, r, fmt.Sprintf("/oncall/policies/%d", pol.ID), "Escalation policy "+pol.Name+" created.")
			return nil
		}
	}
	he, status, ok := inputError(err)
	if !ok {
		return err
	}
	return web.renderPolicies(w, r, status, &Page{Form: f, Errors: levelErrors(f, he.Fields), Message: he.Message})
}

func (web *Web) policyPage(w http.ResponseWriter, r *http.Request) error {
	return web.renderPolicy(w, r, http.StatusOK, nil)
}

func (web *Web) renderPolicy(w http.ResponseWriter, r *http.Request, status int, p *Page) error {
	id, err := pathID(r, "id", "escalation policy")
	if err != nil {
		return err
	}
	pol, err := web.Oncall.FindPolicy(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	if p == nil {
		p = &Page{Form: policyForm(pol)}
	}
	d, err := web.policyData(r, len(pol.Levels))
	if err != nil {
		return err
	}
	d.Policy = &pol
	p.Title, p.Data = pol.Name, d
	web.render(w, r, status, "oncall_policies", p)
	return nil
}

func (web *Web) updatePolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "escalation policy")
	if err != nil {
		return err
	}
	f := r.PostForm
	in, err := policyInput(f)
	if err == nil {
		if _, err = web.Oncall.UpdatePolicy(r.Context(), actor(r), id, in); err == nil {
			web.redirect(w, r, fmt.Sprintf("/oncall/policies/%d", id), "Escalation policy saved.")
			return nil
		}
	}
	he, status, ok := inputError(err)
	if !ok {
		return err
	}
	return web.renderPolicy(w, r, status, &Page{Form: f, Errors: levelErrors(f, he.Fields), Message: he.Message})
}

func (web *Web) deletePolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "escalation policy")
	if err != nil {
		return err
	}
	if err := web.Oncall.DeletePolicy(r.Context(), actor(r), id); err != nil {
		return err
	}
	web.redirect(w, r, "/oncall/policies", "Escalation policy deleted.")
	return nil
}

type contactMethodsData struct {
	Methods []oncall.ContactMethod
	// New is the method just created, with its webhook secret shown once.
	New *oncall.ContactMethod
}

func (web *Web) contactMethodsPage(w http.ResponseWriter, r *http.Request) error {
	return web.renderContactMethods(w, r, http.StatusOK, &Page{Form: url.Values{"kind": {"email"}}}, nil)
}

func (web *Web) renderContactMethods(w http.ResponseWriter, r *http.Request, status int, p *Page, created *oncall.ContactMethod) error {
	a := actor(r)
	ms, err := web.Oncall.FindContactMethods(r.Context(), a, a.UserID)
	if err != nil {
		return err
	}
	p.Title, p.Data = "Contact methods", contactMethodsData{Methods: ms, New: created}
	web.render(w, r, status, "contact_methods", p)
	return nil
}

func (web *Web) createContactMethod(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	f := r.PostForm
	m, err := web.Oncall.CreateContactMethod(r.Context(), a, a.UserID, oncall.ContactMethodInput{Kind: f.Get("kind"), Label: f.Get("label"), Address: f.Get("address")})
	if err != nil {
		he, status, ok := inputError(err)
		if !ok {
			return err
		}
		return web.renderContactMethods(w, r, status, &Page{Form: f, Errors: he.Fields, Message: he.Message}, nil)
	}
	if m.Secret != "" {
		// Rendered rather than redirected: the secret is shown this once
		// and never stored in a cookie.
		return web.renderContactMethods(w, r, http.StatusOK, &Page{Form: url.Values{"kind": {"email"}}, Flash: "Contact method added."}, &m)
	}
	web.redirect(w, r, "/account/contact-methods", "Contact method added.")
	return nil
}

func (web *Web) deleteContactMethod(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "contact method")
	if err != nil {
		return err
	}
	if err := web.Oncall.DeleteContactMethod(r.Context(), actor(r), id); err != nil {
		return err
	}
	web.redirect(w, r, "/account/contact-methods", "Contact method deleted.")
	return nil
}
