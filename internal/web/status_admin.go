package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/status"
)

// statusTimeLayout is what <input type="datetime-local"> sends, read as UTC.
const statusTimeLayout = "2006-01-02T15:04"

func statusSteps(k status.Kind) []status.IncidentStatus {
	if k == status.KindMaintenance {
		return status.KindMaintenance.Statuses()
	}
	return status.KindIncident.Statuses()
}

// ---- dashboard ----

type adminStatusData struct {
	Components []status.Component
	Active     []status.Incident
	Upcoming   []status.Incident
	Statuses   []status.ComponentStatus
	CanEdit    bool // admins change components
}

func (web *Web) adminStatus(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	comps, err := web.Status.FindComponents(ctx)
	if err != nil {
		return err
	}
	active, _, err := web.Status.FindIncidents(ctx, status.IncidentFilter{State: "active", Page: helpline.Page{Limit: 100}})
	if err != nil {
		return err
	}
	upcoming, _, err := web.Status.FindIncidents(ctx, status.IncidentFilter{Kind: status.KindMaintenance, State: "upcoming", Page: helpline.Page{Limit: 100}})
	if err != nil {
		return err
	}
	d := adminStatusData{Components: comps, Active: active, Upcoming: upcoming, Statuses: status.ComponentStatuses, CanEdit: actor(r).IsAdmin()}
	web.render(w, r, http.StatusOK, "admin_status", &Page{Title: "Status page", Data: d})
	return nil
}

// adminStatusQuickChange sets one component's status from the dashboard.
func (web *Web) adminStatusQuickChange(w http.ResponseWriter, r *http.Request) error {
	c, err := web.statusComponent(r)
	if err != nil {
		return err
	}
	in := statusComponentInput(c)
	in.Status = status.ComponentStatus(r.PostForm.Get("status"))
	if _, err := web.Status.UpdateComponent(r.Context(), actor(r), c.ID, in); err != nil {
		if he, _, ok := inputError(err); ok {
			return helpline.Errorf(he.Kind, "%s", he.Error())
		}
		return err
	}
	web.redirect(w, r, "/admin/status", c.Name+" is now "+statusWords[in.Status]+".")
	return nil
}

// ---- components ----

type adminComponentsData struct {
	Components []status.Component
	Groups     []status.Component
	Statuses   []status.ComponentStatus
	Names      map[int64]string
	Editing    *status.Component
	Action     string
}

func (web *Web) statusComponent(r *http.Request) (status.Component, error) {
	id, err := pathID(r, "id", "component")
	if err != nil {
		return status.Component{}, err
	}
	comps, err := web.Status.FindComponents(r.Context())
	if err != nil {
		return status.Component{}, err
	}
	for _, c := range comps {
		if c.ID == id {
			return c, nil
		}
	}
	return status.Component{}, helpline.NotFound("component")
}

func statusComponentInput(c status.Component) status.ComponentInput {
	return status.ComponentInput{Name: c.Name, Description: c.Description, Group: c.Group, GroupID: c.GroupID,
		Position: c.Position, Status: c.Status, Region: c.Region, Keywords: c.Keywords}
}

func statusComponentForm(c status.Component) url.Values {
	f := url.Values{"name": {c.Name}, "description": {c.Description}, "group_id": {strconv.FormatInt(c.GroupID, 10)},
		"position": {strconv.Itoa(c.Position)}, "status": {string(c.Status)}, "region": {c.Region}, "keywords": {strings.Join(c.Keywords, ", ")}}
	if c.Group {
		f.Set("group", "on")
	}
	return f
}

// parseStatusComponent reads the component form.
func parseStatusComponent(f url.Values) (status.ComponentInput, error) {
	in := status.ComponentInput{Name: f.Get("name"), Description: f.Get("description"), Group: f.Get("group") != "",
		Status: status.ComponentStatus(f.Get("status")), Region: f.Get("region")}
	v := helpline.Validation{}
	if s := strings.TrimSpace(f.Get("group_id")); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		v.Check(err == nil && id >= 0, "group_id", "is not one of the groups: choose one, or none")
		in.GroupID = id
	}
	if s := strings.TrimSpace(f.Get("position")); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil, "position", "is not a whole number: use 0, 1, 2… (lower comes first)")
		in.Position = n
	}
	for k := range strings.SplitSeq(f.Get("keywords"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			in.Keywords = append(in.Keywords, k)
		}
	}
	return in, v.Err()
}

func (web *Web) componentsData(r *http.Request, editing *status.Component) (adminComponentsData, error) {
	comps, err := web.Status.FindComponents(r.Context())
	if err != nil {
		return adminComponentsData{}, err
	}
	d := adminComponentsData{Components: comps, Statuses: status.ComponentStatuses, Names: map[int64]string{}, Editing: editing, Action: "/admin/status/components"}
	for _, c := range comps {
		d.Names[c.ID] = c.Name
		if c.Group && (editing == nil || c.ID != editing.ID) {
			d.Groups = append(d.Groups, c)
		}
	}
	if editing != nil {
		d.Action = "/admin/status/components/" + strconv.FormatInt(editing.ID, 10)
	}
	return d, nil
}

func (web *Web) adminStatusComponents(w http.ResponseWriter, r *http.Request) error {
	d, err := web.componentsData(r, nil)
	if err != nil {
		return err
	}
	form := url.Values{"status": {string(status.Operational)}, "position": {"0"}}
	web.render(w, r, http.StatusOK, "admin_status_components", &Page{Title: "Status components", Form: form, Data: d})
	return nil
}

func (web *Web) adminStatusCreateComponent(w http.ResponseWriter, r *http.Request) error {
	d, err := web.componentsData(r, nil)
	if err != nil {
		return err
	}
	p := &Page{Title: "Status components", Data: d}
	in, err := parseStatusComponent(r.PostForm)
	if err == nil {
		_, err = web.Status.CreateComponent(r.Context(), actor(r), in)
	}
	if err != nil {
		return web.formError(w, r, "admin_status_components", p, err)
	}
	web.redirect(w, r, "/admin/status/components", "Component “"+in.Name+"” added.")
	return nil
}

func (web *Web) adminStatusComponent(w http.ResponseWriter, r *http.Request) error {
	c, err := web.statusComponent(r)
	if err != nil {
		return err
	}
	d, err := web.componentsData(r, &c)
	if err != nil {
		return err
	}
	web.render(w, r, http.StatusOK, "admin_status_components", &Page{Title: "Edit " + c.Name, Form: statusComponentForm(c), Data: d})
	return nil
}

func (web *Web) adminStatusSaveComponent(w http.ResponseWriter, r *http.Request) error {
	c, err := web.statusComponent(r)
	if err != nil {
		return err
	}
	d, err := web.componentsData(r, &c)
	if err != nil {
		return err
	}
	p := &Page{Title: "Edit " + c.Name, Data: d}
	in, err := parseStatusComponent(r.PostForm)
	if err == nil {
		_, err = web.Status.UpdateComponent(r.Context(), actor(r), c.ID, in)
	}
	if err != nil {
		return web.formError(w, r, "admin_status_components", p, err)
	}
	web.redirect(w, r, "/admin/status/components", "Component “"+in.Name+"” saved.")
	return nil
}

func (web *Web) adminStatusDeleteComponent(w http.ResponseWriter, r *http.Request) error {
	c, err := web.statusComponent(r)
	if err != nil {
		return err
	}
	if err := web.Status.DeleteComponent(r.Context(), actor(r), c.ID); err != nil {
		return err
	}
	web.redirect(w, r, "/admin/status/components", "Component “"+c.Name+"” deleted.")
	return nil
}

// ---- the component picker of incident and update forms ----

// statusPicker is the affected components of a form: one select per
// component, grouped, with "not affected" as the empty choice.
type statusPicker struct {
	Groups   []statusPickGroup
	Statuses []status.ComponentStatus
	Err      string
}

type statusPickGroup struct {
	Name  string
	Items []statusPickItem
}

type statusPickItem struct {
	ID       int64
	Name     string
	Field    string // component.{id}
	Selected string
}

func statusPickField(id int64) string { return "component." + strconv.FormatInt(id, 10) }

func newStatusPicker(comps []status.Component, form url.Values, errs map[string]string) statusPicker {
	p := statusPicker{Statuses: status.ComponentStatuses, Err: errs["components"]}
	names := map[int64]string{}
	for _, c := range comps {
		names[c.ID] = c.Name
	}
	byGroup := map[int64]int{}
	for _, c := range comps {
		if c.Group {
			continue
		}
		g, ok := byGroup[c.GroupID]
		if !ok {
			g = len(p.Groups)
			byGroup[c.GroupID] = g
			name := names[c.GroupID]
			if name == "" {
				name = "Other components"
			}
			p.Groups = append(p.Groups, statusPickGroup{Name: name})
		}
		f := statusPickField(c.ID)
		p.Groups[g].Items = append(p.Groups[g].Items, statusPickItem{ID: c.ID, Name: c.Name, Field: f, Selected: form.Get(f)})
	}
	return p
}

// parseStatusPicks reads the affected components' statuses from a form.
func parseStatusPicks(comps []status.Component, form url.Values) []status.ComponentChange {
	var out []status.ComponentChange
	for _, c := range comps {
		if s := form.Get(statusPickField(c.ID)); s != "" && !c.Group {
			out = append(out, status.ComponentChange{ComponentID: c.ID, Name: c.Name, Status: status.ComponentStatus(s)})
		}
	}
	return out
}

// ---- new incident and new maintenance ----

type statusIncidentFormData struct {
	Kind      status.Kind
	Steps     []status.IncidentStatus
	Impacts   []status.Impact
	Picker    statusPicker
	Templates []status.Template
	Template  int64 // the template chosen to prefill
}

func (web *Web) statusIncidentForm(r *http.Request, kind status.Kind, form url.Values, errs map[string]string) (*statusIncidentFormData, error) {
	comps, err := web.Status.FindComponents(r.Context())
	if err != nil {
		return nil, err
	}
	all, err := web.Status.FindTemplates(r.Context(), actor(r))
	if err != nil {
		return nil, err
	}
	d := &statusIncidentFormData{Kind: kind, Steps: statusSteps(kind), Impacts: status.Impacts, Picker: newStatusPicker(comps, form, errs)}
	for _, t := range all {
		if t.Kind == kind || t.Kind == "" {
			d.Templates = append(d.Templates, t)
		}
	}
	return d, nil
}

// prefillTemplate fills form from ?template=ID: the no-JavaScript way to
// start from a template.
func (web *Web) prefillTemplate(r *http.Request, form url.Values) (int64, error) {
	s := r.URL.Query().Get("template")
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, helpline.NotFound("template")
	}
	all, err := web.Status.FindTemplates(r.Context(), actor(r))
	if err != nil {
		return 0, err
	}
	for _, t := range all {
		if t.ID == id {
			if t.Title != "" {
				form.Set("name", t.Title)
			}
			if t.Status != "" {
				form.Set("status", string(t.Status))
			}
			form.Set("body", t.Body)
			return id, nil
		}
	}
	return 0, helpline.NotFound("template")
}

func (web *Web) adminStatusNewIncident(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{"status": {string(status.Investigating)}, "impact": {string(status.ImpactMinor)}, "notify": {"on"}}
	chosen, err := web.prefillTemplate(r, form)
	if err != nil {
		return err
	}
	d, err := web.statusIncidentForm(r, status.KindIncident, form, nil)
	if err != nil {
		return err
	}
	d.Template = chosen
	web.render(w, r, http.StatusOK, "admin_status_incident_new", &Page{Title: "New incident", Form: form, Data: d})
	return nil
}

func (web *Web) adminStatusCreateIncident(w http.ResponseWriter, r *http.Request) error {
	return web.createStatusIncident(w, r, status.KindIncident)
}

func (web *Web) adminStatusNewMaintenance(w http.ResponseWriter, r *http.Request) error {
	start := web.Now().UTC().Add(24 * time.Hour).Truncate(time.Hour)
	form := url.Values{"notify": {"on"}, "auto_transition": {"on"},
		"scheduled_for": {start.Format(statusTimeLayout)}, "scheduled_until": {start.Add(2 * time.Hour).Format(statusTimeLayout)}}
	chosen, err := web.prefillTemplate(r, form)
	if err != nil {
		return err
	}
	form.Del("status") // maintenance starts scheduled
	d, err := web.statusIncidentForm(r, status.KindMaintenance, form, nil)
	if err != nil {
		return err
	}
	d.Template = chosen
	web.render(w, r, http.StatusOK, "admin_status_maintenance_new", &Page{Title: "Schedule maintenance", Form: form, Data: d})
	return nil
}

func (web *Web) adminStatusCreateMaintenance(w http.ResponseWriter, r *http.Request) error {
	return web.createStatusIncident(w, r, status.KindMaintenance)
}

// parseStatusTime reads a UTC time from the form; empty is nil.
func parseStatusTime(v helpline.Validation, form url.Values, field string) *time.Time {
	s := strings.TrimSpace(form.Get(field))
	if s == "" {
		return nil
	}
	t, ok := parsePostTime(s)
	if !ok {
		v.Add(field, "is not a date and time: use YYYY-MM-DD HH:MM in UTC")
		return nil
	}
	return &t
}

func (web *Web) createStatusIncident(w http.ResponseWriter, r *http.Request, kind status.Kind) error {
	comps, err := web.Status.FindComponents(r.Context())
	if err != nil {
		return err
	}
	f := r.PostForm
	in := status.IncidentInput{Kind: kind, Name: f.Get("name"), Status: status.IncidentStatus(f.Get("status")),
		Impact: status.Impact(f.Get("impact")), Body: f.Get("body"), Components: parseStatusPicks(comps, f),
		Notify: f.Get("notify") != ""}
	v := helpline.Validation{}
	if kind == status.KindMaintenance {
		in.Status = status.Scheduled
		in.AutoTransition = f.Get("auto_transition") != ""
		in.ScheduledFor = parseStatusTime(v, f, "scheduled_for")
		in.ScheduledUntil = parseStatusTime(v, f, "scheduled_until")
	}
	err = v.Err()
	var inc status.Incident
	if err == nil {
		inc, err = web.Status.CreateIncident(r.Context(), actor(r), in)
	}
	if err != nil {
		he, _, ok := inputError(err)
		if !ok {
			return err
		}
		d, derr := web.statusIncidentForm(r, kind, f, he.Fields)
		if derr != nil {
			return derr
		}
		name, title := "admin_status_incident_new", "New incident"
		if kind == status.KindMaintenance {
			name, title = "admin_status_maintenance_new", "Schedule maintenance"
		}
		return web.formError(w, r, name, &Page{Title: title, Data: d}, err)
	}
	what := "Incident"
	if kind == status.KindMaintenance {
		what = "Maintenance"
	}
	web.redirect(w, r, "/admin/status/incidents/"+strconv.FormatInt(inc.ID, 10), what+" “"+inc.Name+"” posted.")
	return nil
}

// ---- one incident: timeline, updates, linked tickets ----

type adminIncidentData struct {
	Incident statusIncidentView
	Steps    []status.IncidentStatus
	Impacts  []status.Impact
	Picker   statusPicker
	Linked   []status.LinkedTicket
	// Notifications shows how far each notification's deliveries got.
	Notifications []status.NotificationProgress
}

func (web *Web) adminIncidentPage(w http.ResponseWriter, r *http.Request, code int, p *Page, errs map[string]string) error {
	id, err := pathID(r, "id", "incident")
	if err != nil {
		return err
	}
	ctx := r.Context()
	inc, err := web.Status.FindIncident(ctx, id)
	if err != nil {
		return err
	}
	comps, err := web.Status.FindComponents(ctx)
	if err != nil {
		return err
	}
	linked, err := web.Status.FindLinkedTickets(ctx, actor(r), id)
	if err != nil {
		return err
	}
	notes, err := web.Status.FindNotificationProgress(ctx, actor(r), id)
	if err != nil {
		return err
	}
	if p.Form == nil {
		// A new update starts from where the incident is.
		p.Form = url.Values{"status": {string(inc.Status)}, "impact": {string(inc.Impact)}}
		for _, c := range inc.Components {
			p.Form.Set(statusPickField(c.ComponentID), string(c.Status))
		}
	}
	p.Title = inc.Name
	p.Errors = errs
	p.Data = adminIncidentData{Incident: web.statusIncidentView(inc), Steps: statusSteps(inc.Kind), Impacts: status.Impacts,
		Picker: newStatusPicker(comps, p.Form, errs), Linked: linked, Notifications: notes}
	web.render(w, r, code, "admin_status_incident", p)
	return nil
}

func (web *Web) adminStatusIncident(w http.ResponseWriter, r *http.Request) error {
	return web.adminIncidentPage(w, r, http.StatusOK, &Page{}, nil)
}

// statusDone reports whether s ends an incident or a maintenance.
func statusDone(s status.IncidentStatus) bool {
	return s == status.Resolved || s == status.Completed || s == status.Postmortem
}

func (web *Web) adminStatusPostUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "incident")
	if err != nil {
		return err
	}
	comps, err := web.Status.FindComponents(r.Context())
	if err != nil {
		return err
	}
	f := r.PostForm
	in := status.UpdateInput{Status: status.IncidentStatus(f.Get("status")), Body: f.Get("body"),
		Components: parseStatusPicks(comps, f), Impact: status.Impact(f.Get("impact")), Notify: f.Get("notify") != ""}
	inc, err := web.Status.PostUpdate(r.Context(), actor(r), id, in)
	if err != nil {
		he, code, ok := inputError(err)
		if !ok {
			return err
		}
		return web.adminIncidentPage(w, r, code, &Page{Form: f, Message: he.Message}, he.Fields)
	}
	flash := "Update posted."
	if statusDone(in.Status) && f.Get("reply_linked") != "" {
		n, err := web.Status.ReplyToLinked(r.Context(), actor(r), inc.ID, in.Body)
		if err != nil {
			return err
		}
		flash = "Update posted, and replied on " + statusCount(n, "linked ticket") + "."
	}
	web.redirect(w, r, "/admin/status/incidents/"+strconv.FormatInt(inc.ID, 10), flash)
	return nil
}

func statusCount(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// adminStatusReplyLinked posts one reply on every open linked ticket.
func (web *Web) adminStatusReplyLinked(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "incident")
	if err != nil {
		return err
	}
	body := r.PostForm.Get("reply_body")
	v := helpline.Validation{}
	v.Check(strings.TrimSpace(body) != "", "reply_body", "is empty: write the reply the linked tickets get")
	err = v.Err()
	n := 0
	if err == nil {
		n, err = web.Status.ReplyToLinked(r.Context(), actor(r), id, body)
	}
	if err != nil {
		he, code, ok := inputError(err)
		if !ok {
			return err
		}
		errs := map[string]string{}
		for k, msg := range he.Fields {
			if k == "body" {
				k = "reply_body"
			}
			errs[k] = msg
		}
		if len(errs) == 0 {
			errs["reply_body"] = he.Message
		}
		return web.adminIncidentPage(w, r, code, &Page{Form: r.PostForm, Message: he.Message}, errs)
	}
	web.redirect(w, r, "/admin/status/incidents/"+strconv.FormatInt(id, 10), "Replied on "+statusCount(n, "linked ticket")+".")
	return nil
}

// ---- templates ----

type adminTemplatesData struct {
	Templates []status.Template
	Editing   *status.Template
	Action    string
	Kinds     []status.Kind
	Incident  []status.IncidentStatus
	Maint     []status.IncidentStatus
}

func (web *Web) templatesData(r *http.Request) (adminTemplatesData, url.Values, error) {
	all, err := web.Status.FindTemplates(r.Context(), actor(r))
	if err != nil {
		return adminTemplatesData{}, nil, err
	}
	d := adminTemplatesData{Templates: all, Action: "/admin/status/templates", Kinds: []status.Kind{status.KindIncident, status.KindMaintenance},
		Incident: status.KindIncident.Statuses(), Maint: status.KindMaintenance.Statuses()}
	form := url.Values{"kind": {string(status.KindIncident)}, "status": {string(status.Investigating)}}
	if r.PathValue("id") != "" {
		id, err := pathID(r, "id", "template")
		if err != nil {
			return d, nil, err
		}
		for i := range all {
			if all[i].ID == id {
				t := all[i]
				d.Editing = &t
				d.Action = "/admin/status/templates/" + strconv.FormatInt(id, 10)
				form = url.Values{"name": {t.Name}, "kind": {string(t.Kind)}, "status": {string(t.Status)}, "title": {t.Title}, "body": {t.Body}}
			}
		}
		if d.Editing == nil {
			return d, nil, helpline.NotFound("template")
		}
	}
	return d, form, nil
}

func (web *Web) adminStatusTemplates(w http.ResponseWriter, r *http.Request) error {
	d, form, err := web.templatesData(r)
	if err != nil {
		return err
	}
	web.render(w, r, http.StatusOK, "admin_status_templates", &Page{Title: "Status templates", Form: form, Data: d})
	return nil
}

func (web *Web) adminStatusSaveTemplate(w http.ResponseWriter, r *http.Request) error {
	d, _, err := web.templatesData(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	t := status.Template{Name: f.Get("name"), Kind: status.Kind(f.Get("kind")), Status: status.IncidentStatus(f.Get("status")), Title: f.Get("title"), Body: f.Get("body")}
	if d.Editing != nil {
		t.ID = d.Editing.ID
	}
	if _, err := web.Status.SaveTemplate(r.Context(), actor(r), t); err != nil {
		return web.formError(w, r, "admin_status_templates", &Page{Title: "Status templates", Data: d}, err)
	}
	web.redirect(w, r, "/admin/status/templates", "Template “"+t.Name+"” saved.")
	return nil
}

func (web *Web) adminStatusDeleteTemplate(w http.ResponseWriter, r *http.Request) error {
	d, _, err := web.templatesData(r)
	if err != nil {
		return err
	}
	if err := web.Status.DeleteTemplate(r.Context(), actor(r), d.Editing.ID); err != nil {
		return err
	}
	web.redirect(w, r, "/admin/status/templates", "Template “"+d.Editing.Name+"” deleted.")
	return nil
}
