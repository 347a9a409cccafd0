package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/sla"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// registerSLA mounts the SLA policy, calendar and report pages.
func (web *Web) registerSLA(h handle) {
	h("GET /admin/sla", admin, web.slaAdmin)
	h("GET /admin/sla/policies/{plan}/{priority}", admin, web.slaPolicyForm)
	h("POST /admin/sla/policies/{plan}/{priority}", admin, web.slaPolicySave)
	h("GET /admin/sla/calendars/new", admin, web.slaCalendarNew)
	h("POST /admin/sla/calendars", admin, web.slaCalendarCreate)
	h("GET /admin/sla/calendars/{id}", admin, web.slaCalendarForm)
	h("POST /admin/sla/calendars/{id}", admin, web.slaCalendarSave)
	h("POST /admin/sla/calendars/{id}/delete", admin, web.slaCalendarDelete)
	h("GET /reports/sla", staff, web.slaReport)
}

// slaAdminData is the policies table and the calendars.
type slaAdminData struct {
	Policies  []sla.Policy
	Calendars []sla.BusinessHours
}

func (web *Web) slaAdmin(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actor(r)
	var d slaAdminData
	var err error
	if d.Policies, err = web.SLA.FindPolicies(ctx, a); err != nil {
		return err
	}
	if d.Calendars, err = web.SLA.FindCalendars(ctx, a); err != nil {
		return err
	}
	web.render(w, r, http.StatusOK, "sla_admin", &Page{Title: "SLA policies", Data: d})
	return nil
}

// slaPolicyData is one policy's form.
type slaPolicyData struct {
	Policy    sla.Policy
	Calendars []sla.BusinessHours
	Fields    []slaField
}

type slaField struct{ Name, Label, Hint string }

var slaPolicyFields = []slaField{
	{"first_response_minutes", "First response (minutes)", "Until the first public reply from support. Empty: no target."},
	{"next_response_minutes", "Next response (minutes)", "Until support answers each follow-up of the customer. Empty: no target."},
	{"resolution_minutes", "Resolution (minutes)", "Until the ticket is solved. Empty: no target."},
	{"warn_minutes", "Warning (minutes before the breach)", "The assignee, or the team when nobody is assigned, is emailed this long before a target is breached. 0: no warning."},
}

func minutesField(m *int) string {
	if m == nil {
		return ""
	}
	return strconv.Itoa(*m)
}

func (web *Web) slaPolicyPage(r *http.Request) (*Page, error) {
	ctx, a := r.Context(), actor(r)
	plan, pr := account.Plan(r.PathValue("plan")), ticket.Priority(r.PathValue("priority"))
	if !plan.Valid() || !pr.Valid() {
		return nil, helpline.Errorf(helpline.KindNotFound, "There is no SLA policy for %s / %s.", plan, pr)
	}
	p, err := web.SLA.FindPolicy(ctx, a, plan, pr)
	if err != nil {
		return nil, err
	}
	cals, err := web.SLA.FindCalendars(ctx, a)
	if err != nil {
		return nil, err
	}
	page := &Page{Title: "SLA policy: " + plan.Label() + ", " + string(pr), Data: slaPolicyData{Policy: p, Calendars: cals, Fields: slaPolicyFields}}
	page.Form = map[string][]string{
		"first_response_minutes": {minutesField(p.FirstResponseMinutes)},
		"next_response_minutes":  {minutesField(p.NextResponseMinutes)},
		"resolution_minutes":     {minutesField(p.ResolutionMinutes)},
		"warn_minutes":           {strconv.Itoa(p.WarnMinutes)},
		"calendar_id":            {""},
	}
	if p.CalendarID != nil {
		page.Form.Set("calendar_id", strconv.FormatInt(*p.CalendarID, 10))
	}
	return page, nil
}

func (web *Web) slaPolicyForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.slaPolicyPage(r)
	if err != nil {
		return err
	}
	web.render(w, r, http.StatusOK, "sla_policy", p)
	return nil
}

// formMinutes reads an optional whole number of minutes; typos are named.
func formMinutes(v helpline.Validation, r *http.Request, field string) *int {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		v.Add(field, fmt.Sprintf("%q is not a whole number of minutes: write e.g. 60 for an hour, or leave it empty for no target", s))
		return nil
	}
	return &n
}

func (web *Web) slaPolicySave(w http.ResponseWriter, r *http.Request) error {
	p, err := web.slaPolicyPage(r)
	if err != nil {
		return err
	}
	d := p.Data.(slaPolicyData)
	v := helpline.Validation{}
	in := sla.PolicyInput{
		FirstResponseMinutes: formMinutes(v, r, "first_response_minutes"),
		NextResponseMinutes:  formMinutes(v, r, "next_response_minutes"),
		ResolutionMinutes:    formMinutes(v, r, "resolution_minutes"),
	}
	if warn := formMinutes(v, r, "warn_minutes"); warn != nil {
		in.WarnMinutes = *warn
	}
	if id := r.PostFormValue("calendar_id"); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			v.Add("calendar_id", "pick a calendar from the list")
		}
		in.CalendarID = &n
	}
	if err := v.Err(); err != nil {
		return web.formError(w, r, "sla_policy", p, err)
	}
	if _, err := web.SLA.UpdatePolicy(r.Context(), actor(r), d.Policy.Plan, d.Policy.Priority, in); err != nil {
		return web.formError(w, r, "sla_policy", p, err)
	}
	web.redirect(w, r, "/admin/sla", fmt.Sprintf("Saved the %s %s policy. Clocks that start from now on use it.", d.Policy.Plan.Label(), d.Policy.Priority))
	return nil
}

// slaCalendarData is a calendar's form; Calendar.ID is 0 for a new one.
type slaCalendarData struct {
	Calendar sla.BusinessHours
	Days     []slaDay
}

type slaDay struct{ Key, Label string }

func calendarDays() []slaDay {
	var out []slaDay
	for _, d := range sla.Weekdays {
		out = append(out, slaDay{Key: strings.ToLower(d.String()), Label: d.String()})
	}
	return out
}

func calendarForm(b sla.BusinessHours) map[string][]string {
	f := map[string][]string{"name": {b.Name}, "time_zone": {b.TimeZone}, "holidays": {strings.Join(b.Holidays, "\n")}}
	for _, d := range sla.Weekdays {
		f["hours."+strings.ToLower(d.String())] = []string{strings.Join(*b.Hours.Day(d), ", ")}
	}
	return f
}

// calendarInput reads the form: spans separated by commas, holidays by
// commas or lines.
func calendarInput(r *http.Request) sla.CalendarInput {
	in := sla.CalendarInput{Name: r.PostFormValue("name"), TimeZone: r.PostFormValue("time_zone")}
	for _, d := range sla.Weekdays {
		day := in.Hours.Day(d)
		*day = []string{}
		for _, s := range strings.Split(r.PostFormValue("hours."+strings.ToLower(d.String())), ",") {
			if s = strings.TrimSpace(s); s != "" {
				*day = append(*day, s)
			}
		}
	}
	in.Holidays = strings.FieldsFunc(r.PostFormValue("holidays"), func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == ' ' })
	return in
}

func (web *Web) slaCalendarNew(w http.ResponseWriter, r *http.Request) error {
	b := sla.BusinessHours{TimeZone: "UTC"}
	for _, d := range sla.Weekdays[:5] {
		*b.Hours.Day(d) = []string{"09:00-17:00"}
	}
	web.render(w, r, http.StatusOK, "sla_calendar", &Page{Title: "New calendar", Form: calendarForm(b), Data: slaCalendarData{Days: calendarDays()}})
	return nil
}

func (web *Web) slaCalendarCreate(w http.ResponseWriter, r *http.Request) error {
	p := &Page{Title: "New calendar", Data: slaCalendarData{Days: calendarDays()}}
	b, err := web.SLA.CreateCalendar(r.Context(), actor(r), calendarInput(r))
	if err != nil {
		return web.formError(w, r, "sla_calendar", p, err)
	}
	web.redirect(w, r, "/admin/sla", fmt.Sprintf("Created the calendar %s.", b.Name))
	return nil
}

func (web *Web) slaCalendarPage(r *http.Request) (*Page, error) {
	id, err := pathID(r, "id", "calendar")
	if err != nil {
		return nil, err
	}
	b, err := web.SLA.FindCalendarByID(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	return &Page{Title: "Calendar: " + b.Name, Form: calendarForm(b), Data: slaCalendarData{Calendar: b, Days: calendarDays()}}, nil
}

func (web *Web) slaCalendarForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.slaCalendarPage(r)
	if err != nil {
		return err
	}
	web.render(w, r, http.StatusOK, "sla_calendar", p)
	return nil
}

func (web *Web) slaCalendarSave(w http.ResponseWriter, r *http.Request) error {
	p, err := web.slaCalendarPage(r)
	if err != nil {
		return err
	}
	id := p.Data.(slaCalendarData).Calendar.ID
	b, err := web.SLA.UpdateCalendar(r.Context(), actor(r), id, calendarInput(r))
	if err != nil {
		return web.formError(w, r, "sla_calendar", p, err)
	}
	web.redirect(w, r, "/admin/sla", fmt.Sprintf("Saved the calendar %s. Due times of open tickets on it are being recomputed.", b.Name))
	return nil
}

func (web *Web) slaCalendarDelete(w http.ResponseWriter, r *http.Request) error {
	p, err := web.slaCalendarPage(r)
	if err != nil {
		return err
	}
	b := p.Data.(slaCalendarData).Calendar
	if err := web.SLA.DeleteCalendar(r.Context(), actor(r), b.ID); err != nil {
		if he, status, ok := inputError(err); ok {
			p.Message = he.Message
			web.render(w, r, status, "sla_calendar", p)
			return nil
		}
		return err
	}
	web.redirect(w, r, "/admin/sla", fmt.Sprintf("Deleted the calendar %s.", b.Name))
	return nil
}

// slaReportData is the report page.
type slaReportData struct {
	Report sla.Report
	Last   time.Time // the period's last day, included
	Rows   []slaReportRow
}

type slaReportRow struct {
	sla.ReportRow
	Shares                 []slaShare
	Median, P90, AckMedian string
}

type slaShare struct {
	sla.MetricStats
	Label, Share string
}

// humanSeconds shows a duration in a report cell.
func humanSeconds(s *int64) string {
	if s == nil {
		return "—"
	}
	d := time.Duration(*s) * time.Second
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", *s)
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%.1f d", d.Hours()/24)
}

func (web *Web) slaReport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := &Page{Title: "SLA report", Form: q}
	from, to, err := web.SLA.ReportPeriod(q.Get("from"), q.Get("to"))
	if err != nil {
		he, status, ok := inputError(err)
		if !ok {
			return err
		}
		p.Message, p.Errors = he.Message, he.Fields
		web.render(w, r, status, "sla_report", p)
		return nil
	}
	rep, err := web.SLA.Report(r.Context(), actor(r), from, to)
	if err != nil {
		return err
	}
	if q.Get("from") == "" {
		p.Form.Set("from", from.Format("2006-01-02"))
	}
	if q.Get("to") == "" {
		p.Form.Set("to", to.AddDate(0, 0, -1).Format("2006-01-02"))
	}
	d := slaReportData{Report: rep, Last: to.AddDate(0, 0, -1)}
	for _, row := range rep.Rows {
		v := slaReportRow{ReportRow: row, Median: humanSeconds(row.FirstResponse.MedianSeconds), P90: humanSeconds(row.FirstResponse.P90Seconds), AckMedian: humanSeconds(row.Acknowledge.MedianSeconds)}
		for _, m := range row.Metrics {
			sh := slaShare{MetricStats: m, Label: m.Metric.Label()}
			if m.ShareMet != nil {
				sh.Share = fmt.Sprintf("%.0f%%", *m.ShareMet*100)
			}
			v.Shares = append(v.Shares, sh)
		}
		d.Rows = append(d.Rows, v)
	}
	p.Data = d
	web.render(w, r, http.StatusOK, "sla_report", p)
	return nil
}

// slaTargetView is one clock as the ticket page shows it.
type slaTargetView struct {
	Metric    string
	Policy    string // "Premier, high, 24x7"
	Due       *time.Time
	Status    string // "1 h 20 min left", "breached 12 min ago", "paused, 40 min left", "met on time"
	Breached  bool
	Running   bool
	Reason    string
	EndReason string
}

// slaPanel is the ticket page's SLA card, for staff.
type slaPanel struct{ Targets []slaTargetView }

// ticketSLA is what the ticket page shows of the ticket's SLA clocks
// (template "ticket_sla" in partials_sla.html).
func (web *Web) ticketSLA(ctx context.Context, a *helpline.Actor, t ticket.Ticket) (any, error) {
	if !a.IsStaff() || web.SLA == nil {
		return nil, nil
	}
	ts, err := web.SLA.FindTargets(ctx, a, t.ID)
	if err != nil {
		return nil, err
	}
	out := &slaPanel{}
	for _, tg := range ts {
		if tg.State == sla.StateCancelled && tg.BreachedAt == nil && len(ts) > 4 {
			continue // keep the list short once clocks restarted
		}
		hours := "24x7"
		if tg.CalendarID != nil {
			hours = tg.CalendarName
		}
		v := slaTargetView{Metric: tg.Metric.Label(), Policy: fmt.Sprintf("%s, %s, %d min, %s", tg.Plan.Label(), tg.Priority, tg.TargetMinutes, hours),
			Due: tg.DueAt, Breached: tg.BreachedAt != nil, Running: tg.State == sla.StateRunning, Reason: tg.Reason, EndReason: tg.EndReason}
		switch tg.State {
		case sla.StateRunning:
			left := time.Duration(0)
			if tg.RemainingSeconds != nil {
				left = time.Duration(*tg.RemainingSeconds) * time.Second
			}
			v.Breached = v.Breached || left < 0
			v.Status = sla.FormatLeft(left)
			if tg.Paused {
				v.Status = "paused, " + v.Status
			}
		case sla.StateMet:
			v.Status = "met on time"
			if tg.BreachedAt != nil {
				v.Status = "met late"
			}
		default:
			v.Status = "stopped (" + strings.ReplaceAll(tg.EndReason, "_", " ") + ")"
			if tg.BreachedAt != nil {
				v.Status = "breached, then stopped (" + strings.ReplaceAll(tg.EndReason, "_", " ") + ")"
			}
		}
		out.Targets = append(out.Targets, v)
	}
	return out, nil
}

// queueDue is the queue's "Due" cell of a ticket.
type queueDue struct {
	Text     string
	Breached bool
	Paused   bool
}

// dueCell says how long a queued ticket has until its earliest due time.
func dueCell(now time.Time, t ticket.Ticket) queueDue {
	switch {
	case t.SLADueAt != nil:
		d := t.SLADueAt.Sub(now)
		return queueDue{Text: sla.FormatLeft(d), Breached: d < 0}
	case t.Status == ticket.StatusPending || t.Status == ticket.StatusOnHold:
		return queueDue{Text: "paused", Paused: true}
	}
	return queueDue{Text: "—"}
}
