package web

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/csa"
	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// registerEnterprise mounts the enterprise portal: curated resources, the
// organization's engagements, the request forms and an engagement's page.
// Deliverable files are uploads, so it takes the mux as well.
func (web *Web) registerEnterprise(mux *http.ServeMux, h handle) {
	upload := func(pattern string, a access, fn func(http.ResponseWriter, *http.Request) error) {
		mux.Handle(pattern, web.adapt(a, true, fn))
	}
	h("GET /enterprise", signedIn, web.portalPage)
	h("GET /enterprise/request/{kind}", signedIn, web.requestForm)
	h("POST /enterprise/request/{kind}", signedIn, web.requestEngagement)
	h("GET /enterprise/engagements/{id}", signedIn, web.engagementPage)
	h("GET /enterprise/engagements/{id}/edit", signedIn, web.editRequestForm)
	h("POST /enterprise/engagements/{id}/edit", signedIn, web.editRequest)
	h("POST /enterprise/engagements/{id}/comments", signedIn, web.engagementComment)
	h("POST /enterprise/engagements/{id}/withdraw", signedIn, web.engagementWithdraw)
	h("POST /enterprise/engagements/{id}/state", staff, web.engagementState)
	h("POST /enterprise/engagements/{id}/owner", staff, web.engagementOwner)
	h("POST /enterprise/engagements/{id}/meetings", staff, web.engagementAddMeeting)
	h("POST /enterprise/engagements/{id}/meetings/{meeting}", staff, web.engagementUpdateMeeting)
	upload("POST /enterprise/engagements/{id}/deliverables", staff, web.engagementAddDeliverable)
	h("POST /enterprise/engagements/{id}/ticket", staff, web.engagementToTicket)
	h("GET /enterprise/deliverables/{id}", signedIn, web.downloadDeliverable)
}

type portalData struct {
	Orgs        []account.Organization // the customer's enterprise organizations; none for staff
	IsStaff     bool
	Collections []csa.Collection
	Resources   []docs.Article
	Engagements []csa.Engagement
	Kinds       []csa.Kind
}

// portalPage is the enterprise portal. Customers of other plans are refused
// with the service's message, which names their plan.
func (web *Web) portalPage(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	p, err := web.CSA.FindPortal(ctx, a)
	if err != nil {
		return err
	}
	d := portalData{Orgs: p.Orgs, IsStaff: a.IsStaff(), Kinds: csa.Kinds, Collections: p.Collections, Resources: p.Resources}
	if !d.IsStaff {
		if d.Engagements, err = web.CSA.FindEngagements(ctx, a, csa.Filter{Page: helpline.Page{Limit: 100}}); err != nil {
			return err
		}
	}
	web.render(w, r, http.StatusOK, "enterprise", &Page{Title: "Enterprise portal", Data: d})
	return nil
}

// requestLabels name the request forms' fields, on the forms and where the
// break/fix page says which field read like an outage.
var requestLabels = map[string]string{
	"organization_id":             "Organization",
	"event.name":                  "Event name",
	"event.starts_at":             "Starts at",
	"event.time_zone":             "Time zone",
	"event.peak_rps":              "Expected peak requests per second",
	"event.peak_concurrent_users": "Expected peak concurrent users",
	"event.apps":                  "Apps involved",
	"event.dyno_formation":        "Current dyno formation",
	"event.database_plan":         "Database plan",
	"event.concerns":              "What worries you",
	"performance.apps":            "Apps",
	"performance.symptoms":        "Symptoms",
	"performance.metrics":         "Metrics or logs",
	"performance.since":           "Since when",
	"performance.time_zone":       "Time zone of that time",
	"architecture.goal":           "Goal",
	"architecture.current_design": "Current design",
	"architecture.constraints":    "Constraints",
	"architecture.deadline":       "Deadline",
}

// requestApp is one checkbox of a request form's apps.
type requestApp struct {
	ID      int64
	Name    string
	Checked bool
}

type requestOrgApps struct {
	Org  account.Organization
	Apps []requestApp
}

type requestFormData struct {
	Kind  csa.Kind
	Orgs  []requestOrgApps
	Zones []string
	// Editing is the engagement whose request the form edits; nil for a
	// new request.
	Editing *csa.Engagement
}

// Action is where the form posts.
func (d requestFormData) Action() string {
	if d.Editing != nil {
		return csa.Path(d.Editing.ID) + "/edit"
	}
	return "/enterprise/request/" + string(d.Kind)
}

// Label names a field of the form.
func (requestFormData) Label(name string) string { return requestLabels[name] }

// AppsField is the form field holding the kind's apps ("" for none).
func (d requestFormData) AppsField() string {
	switch d.Kind {
	case csa.KindEvent, csa.KindPerformance:
		return string(d.Kind) + ".apps"
	}
	return ""
}

// requestKind is the kind in the URL; any other is a page that does not
// exist.
func requestKind(r *http.Request) (csa.Kind, error) {
	k := csa.Kind(r.PathValue("kind"))
	if !k.Valid() {
		return "", helpline.Errorf(helpline.KindNotFound, "There is no such engagement to request. The enterprise portal offers event preparation, performance analysis and architecture reviews.")
	}
	return k, nil
}

// errStaffRequest refuses the request forms to staff.
func errStaffRequest() error {
	return helpline.Errorf(helpline.KindForbidden, "Customers request engagements from the enterprise portal; staff turn a ticket into an engagement from the ticket's page.")
}

func (web *Web) requestForm(w http.ResponseWriter, r *http.Request) error {
	kind, err := requestKind(r)
	if err != nil {
		return err
	}
	form := url.Values{"event.time_zone": {"UTC"}, "performance.time_zone": {"UTC"}}
	return web.renderRequest(w, r, http.StatusOK, &Page{Form: form}, kind)
}

func (web *Web) renderRequest(w http.ResponseWriter, r *http.Request, status int, p *Page, kind csa.Kind) error {
	ctx, a := r.Context(), actor(r)
	if a.IsStaff() {
		return errStaffRequest()
	}
	orgs, err := web.CSA.PortalOrgs(ctx, a)
	if err != nil {
		return err
	}
	return web.renderRequestForm(w, r, status, p, requestFormData{Kind: kind, Zones: commonZones}, orgs)
}

// renderRequestForm shows a request form with the apps of orgs to pick.
func (web *Web) renderRequestForm(w http.ResponseWriter, r *http.Request, status int, p *Page, d requestFormData, orgs []account.Organization) error {
	ctx, a := r.Context(), actor(r)
	kind := d.Kind
	picked := p.Form[d.AppsField()]
	for _, o := range orgs {
		apps, err := web.Accounts.FindApps(ctx, a, o.ID)
		if err != nil {
			return err
		}
		oc := requestOrgApps{Org: o}
		for _, app := range apps {
			oc.Apps = append(oc.Apps, requestApp{ID: app.ID, Name: app.Name, Checked: slices.Contains(picked, app.Name)})
		}
		d.Orgs = append(d.Orgs, oc)
	}
	p.Title, p.Data = "Request: "+kind.Label(), d
	if d.Editing != nil {
		p.Title = "Edit: " + d.Editing.Title
	}
	web.render(w, r, status, "enterprise_request", p)
	return nil
}

// editRequestForm shows an engagement's request, filled in, to edit: the
// customer's (an event moved) or a CSA's (filling in an engagement that
// came from a ticket).
func (web *Web) editRequestForm(w http.ResponseWriter, r *http.Request) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	e, err := web.CSA.FindEngagementByID(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return web.renderEditRequest(w, r, http.StatusOK, &Page{Form: requestValues(e)}, e)
}

func (web *Web) renderEditRequest(w http.ResponseWriter, r *http.Request, status int, p *Page, e csa.Engagement) error {
	org := account.Organization{ID: e.OrgID, Name: e.OrgName, Plan: e.Plan}
	return web.renderRequestForm(w, r, status, p, requestFormData{Kind: e.Kind, Zones: commonZones, Editing: &e}, []account.Organization{org})
}

// editRequest saves an edited request.
func (web *Web) editRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := engagementID(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actor(r)
	e, err := web.CSA.FindEngagementByID(ctx, a, id)
	if err != nil {
		return err
	}
	in, v := requestFromForm(e.Kind, r.PostForm)
	in.OrgID = 0
	_, err = web.CSA.UpdateRequest(ctx, a, id, in)
	if err = withPageFields(err, v); err != nil {
		he, status, ok := inputError(err)
		if !ok {
			return err
		}
		return web.renderEditRequest(w, r, status, &Page{Form: r.PostForm, Errors: he.Fields, Message: he.Message}, e)
	}
	web.redirect(w, r, csa.Path(id), "The request is updated.")
	return nil
}

// requestValues is an engagement's request as the form's fields.
func requestValues(e csa.Engagement) url.Values {
	v := url.Values{"event.time_zone": {"UTC"}, "performance.time_zone": {"UTC"}}
	switch {
	case e.Event != nil:
		ev := e.Event
		zone := ev.TimeZone
		loc, err := time.LoadLocation(zone)
		if zone == "" || err != nil {
			zone, loc = "UTC", time.UTC
		}
		v.Set("event.name", ev.Name)
		v.Set("event.starts_at", ev.StartsAt.In(loc).Format(localInput))
		v.Set("event.time_zone", zone)
		v.Set("event.peak_rps", strconv.Itoa(ev.PeakRPS))
		v.Set("event.peak_concurrent_users", strconv.Itoa(ev.PeakConcurrentUsers))
		v["event.apps"] = ev.Apps
		v.Set("event.dyno_formation", ev.DynoFormation)
		v.Set("event.database_plan", ev.DatabasePlan)
		v.Set("event.concerns", ev.Concerns)
	case e.Performance != nil:
		pf := e.Performance
		v["performance.apps"] = pf.Apps
		v.Set("performance.symptoms", pf.Symptoms)
		v.Set("performance.metrics", pf.Metrics)
		v.Set("performance.since", pf.Since.UTC().Format(localInput))
	case e.Architecture != nil:
		ar := e.Architecture
		v.Set("architecture.goal", ar.Goal)
		v.Set("architecture.current_design", ar.CurrentDesign)
		v.Set("architecture.constraints", ar.Constraints)
		v.Set("architecture.deadline", ar.Deadline)
	}
	return v
}

// requestFromForm reads a request form into the service's input. What only
// the page can check (numbers that are not numbers, a time it cannot read)
// comes back as field errors; the request then carries values the service
// refuses, so its own messages for the other fields come too.
func requestFromForm(kind csa.Kind, f url.Values) (csa.Request, helpline.Validation) {
	v := helpline.Validation{}
	in := csa.Request{Kind: kind, OrgID: formID(f.Get("organization_id")), NotBreakFix: f.Get("not_break_fix") == "1"}
	switch kind {
	case csa.KindEvent:
		in.Event = &csa.EventInput{
			Name: f.Get("event.name"), StartsAt: f.Get("event.starts_at"), TimeZone: f.Get("event.time_zone"),
			PeakRPS:             formWholeNumber(v, f, "event.peak_rps", 0),
			PeakConcurrentUsers: formWholeNumber(v, f, "event.peak_concurrent_users", 0),
			Apps:                f["event.apps"], DynoFormation: f.Get("event.dyno_formation"),
			DatabasePlan: f.Get("event.database_plan"), Concerns: f.Get("event.concerns"),
		}
	case csa.KindPerformance:
		in.Performance = &csa.PerformanceInput{Apps: f["performance.apps"], Symptoms: f.Get("performance.symptoms"),
			Metrics: f.Get("performance.metrics"), Since: formZonedTime(v, "performance.since", f.Get("performance.since"), "performance.time_zone", f.Get("performance.time_zone"))}
	case csa.KindArchitecture:
		in.Architecture = &csa.ArchitectureInput{Goal: f.Get("architecture.goal"), CurrentDesign: f.Get("architecture.current_design"),
			Constraints: f.Get("architecture.constraints"), Deadline: f.Get("architecture.deadline")}
	}
	return in, v
}

// formWholeNumber reads a whole number people may write with separators (5,000
// or 5 000). A value that is not a number records an error for name and
// returns bad, a value the service refuses.
func formWholeNumber(v helpline.Validation, f url.Values, name string, bad int) int {
	s := strings.NewReplacer(",", "", "_", "", " ", "", "\u00a0", "", "'", "").Replace(strings.TrimSpace(f.Get(name)))
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			v.Add(name, "is far too large")
		} else {
			v.Add(name, "must be a whole number, such as 5000")
		}
		return bad
	}
	return n
}

// formZonedTime turns a datetime-local value in the zone of zoneField into the
// ISO 8601 time with an offset that the service takes. A value that already
// has an offset passes through; an empty one stays empty (the service says
// it is required).
func formZonedTime(v helpline.Validation, field, value, zoneField, zone string) string {
	value = strings.TrimSpace(value)
	if value == "" {
		return ""
	}
	if _, err := ticket.ParseTimestamp(value); err == nil {
		return value
	}
	zone = strings.TrimSpace(zone)
	if zone == "" {
		zone = "UTC"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" {
		v.Add(zoneField, "is not a known time zone: use an IANA name such as America/New_York, Europe/Berlin or UTC")
		return value
	}
	for _, l := range []string{localInput, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(l, value, loc); err == nil {
			return t.Format(time.RFC3339)
		}
	}
	v.Add(field, "must be a date and time such as 2026-03-01T09:00")
	return value
}

// withPageFields adds the page's own field errors to the service's error, the
// page's first: they say what the service could not see (a number that is
// not one).
func withPageFields(err error, v helpline.Validation) error {
	if len(v) == 0 {
		return err
	}
	var he *helpline.Error
	switch {
	case err == nil:
		return v.Err()
	case !errors.As(err, &he) || he.Kind != helpline.KindInvalid:
		return err
	}
	fields := maps.Clone(v)
	for k, m := range he.Fields {
		fields.Add(k, m)
	}
	return &helpline.Error{Kind: helpline.KindInvalid, Message: he.Message, Fields: fields}
}

// requestEngagement sends a request. One that reads like a current outage
// gets the break/fix page instead: an urgent ticket filled in from it, or
// the same request confirmed as not an outage.
func (web *Web) requestEngagement(w http.ResponseWriter, r *http.Request) error {
	kind, err := requestKind(r)
	if err != nil {
		return err
	}
	if actor(r).IsStaff() {
		return errStaffRequest()
	}
	f := r.PostForm
	in, v := requestFromForm(kind, f)
	e, err := web.CSA.RequestEngagement(r.Context(), actor(r), in)
	var bf *csa.BreakFixError
	if errors.As(err, &bf) && len(v) == 0 {
		return web.renderBreakFix(w, r, kind, bf)
	}
	if err = withPageFields(err, v); err != nil {
		he, status, ok := inputError(err)
		if !ok {
			return err
		}
		return web.renderRequest(w, r, status, &Page{Form: f, Errors: he.Fields, Message: he.Message}, kind)
	}
	web.redirect(w, r, csa.Path(e.ID), "Your request is in. A solutions architect will reply here within two business days; you will get an email too.")
	return nil
}

type breakFixSignal struct {
	Field, Label, Reason string
}

type breakFixData struct {
	Kind    csa.Kind
	Message string
	Signals []breakFixSignal
	// Ticket is the new-ticket form's prefill; Request the request again,
	// confirmed as not an outage.
	Ticket  url.Values
	Request url.Values
}

// renderBreakFix explains why the request was not sent and offers the two
// ways on: the urgent ticket, with the customer's text carried over, or the
// request confirmed as not an outage.
func (web *Web) renderBreakFix(w http.ResponseWriter, r *http.Request, kind csa.Kind, bf *csa.BreakFixError) error {
	d := breakFixData{Kind: kind, Message: csa.BreakFixMessage, Ticket: breakFixTicket(bf.Ticket), Request: url.Values{}}
	for _, s := range bf.Signals {
		d.Signals = append(d.Signals, breakFixSignal{Field: s.Field, Label: orDefault(requestLabels[s.Field], s.Field), Reason: s.Reason})
	}
	for k, vs := range r.PostForm {
		if k != "not_break_fix" {
			d.Request[k] = vs
		}
	}
	d.Request.Set("not_break_fix", "1")
	web.render(w, r, http.StatusUnprocessableEntity, "enterprise_breakfix", &Page{Title: "This reads like an outage", Data: d})
	return nil
}

// breakFixTicket is what "Open an urgent ticket" posts to the new-ticket
// prefill (diagnose_ticket.go).
func breakFixTicket(t ticket.NewTicket) url.Values {
	v := url.Values{"action": {"prefill"}, "from": {"engagement"}, "priority": {string(ticket.Urgent)}}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("subject", t.Subject)
	if t.OrgID != 0 {
		set("organization_id", strconv.FormatInt(t.OrgID, 10))
	}
	if t.AppID != 0 {
		set("app_id", strconv.FormatInt(t.AppID, 10))
	}
	set("environment", string(t.Environment))
	set("category", t.Category)
	set("description", t.Description)
	if t.Urgent != nil {
		set("urgent.started_at", t.Urgent.StartedAt)
		set("urgent.logs", t.Urgent.Logs)
	}
	return v
}
