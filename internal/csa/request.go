package csa

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// Request is what requesting an engagement takes: the kind, and that
// kind's form.
type Request struct {
	OrgID        int64              `json:"organization_id,omitempty"`
	Kind         Kind               `json:"kind"`
	Event        *EventInput        `json:"event,omitempty"`
	Performance  *PerformanceInput  `json:"performance,omitempty"`
	Architecture *ArchitectureInput `json:"architecture,omitempty"`
	// NotBreakFix confirms that a request which reads like an outage is
	// not one; without it such a request is refused with a BreakFixError.
	NotBreakFix bool `json:"not_break_fix,omitempty"`
}

// EventInput is the high-traffic event preparation form.
type EventInput struct {
	Name string `json:"name"`
	// StartsAt is ISO 8601: with an offset (2027-03-01T09:00:00-05:00), or
	// a local time (2027-03-01T09:00) in TimeZone.
	StartsAt            string   `json:"starts_at"`
	TimeZone            string   `json:"time_zone,omitempty"` // IANA, e.g. America/New_York
	PeakRPS             int      `json:"peak_rps"`
	PeakConcurrentUsers int      `json:"peak_concurrent_users"`
	Apps                []string `json:"apps"`
	DynoFormation       string   `json:"dyno_formation"`
	DatabasePlan        string   `json:"database_plan"`
	Concerns            string   `json:"concerns"`
}

// PerformanceInput is the application performance analysis form.
type PerformanceInput struct {
	Apps     []string `json:"apps"`
	Symptoms string   `json:"symptoms"`
	Metrics  string   `json:"metrics"`
	Since    string   `json:"since"` // ISO 8601 with a time zone
}

// ArchitectureInput is the architecture review form.
type ArchitectureInput struct {
	Goal          string `json:"goal"`
	CurrentDesign string `json:"current_design"`
	Constraints   string `json:"constraints"`
	Deadline      string `json:"deadline"` // 2006-01-02
}

// Limits on what a request may hold.
const (
	MaxTitle    = 200
	MaxName     = 120
	MaxLine     = 2000 // dyno formation, database plan
	MaxMarkdown = ticket.MaxMarkdown
	MaxText     = ticket.MaxText // metrics and logs
	MaxPeakRPS  = 10_000_000
	MaxUsers    = 1_000_000_000
	// MaxLead is how far ahead an event or a deadline may be.
	MaxLead = 3 * 366 * 24 * time.Hour
)

// BreakFixError refuses a request that describes a current outage: that is
// Support's work, and an urgent ticket reaches the on-call engineer, which
// an engagement never does. Ticket is the urgent ticket, filled in from the
// request, that the customer is offered instead.
type BreakFixError struct {
	Signals []Signal
	Ticket  ticket.NewTicket
}

func (e *BreakFixError) Error() string {
	reasons := make([]string, len(e.Signals))
	for i, s := range e.Signals {
		reasons[i] = s.Field + " " + s.Reason
	}
	return "this reads like a current outage (" + strings.Join(reasons, "; ") + "): open an urgent ticket instead, or confirm it is not one"
}

// BreakFixMessage is what customers are told when a request reads like an
// outage.
const BreakFixMessage = "This reads like a problem happening now. Solutions architects do not handle outages or errors: Support does, around the clock. Open an urgent ticket with what you wrote (it is filled in for you), or confirm that this is not a current outage."

// field names a form field in errors: event.starts_at.
func field(k Kind, name string) string { return string(k) + "." + name }

func textCheck(v helpline.Validation, name, value string, min, max int) {
	n := utf8.RuneCountInString(value)
	switch {
	case n == 0:
		v.Add(name, "is required")
	case n < min:
		v.Add(name, fmt.Sprintf("needs more detail (at least %d characters)", min))
	case n > max:
		v.Add(name, fmt.Sprintf("is too long (at most %s characters)", Thousands(max)))
	}
}

// Thousands writes a count the way the forms ask for it: 40,000.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	start := 0
	if n < 0 {
		start = 1
	}
	for i := len(s) - 3; i > start; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// localLayouts are the ways a local time (one without a zone) is written.
var localLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"}

// parseZoned reads a time with an offset, or a local time in zone. It
// returns the time in UTC.
func parseZoned(value, zone string) (time.Time, string) {
	value = strings.TrimSpace(value)
	if value == "" {
		return time.Time{}, "is required"
	}
	if t, err := ticket.ParseTimestamp(value); err == nil {
		return t, ""
	}
	if zone == "" {
		return time.Time{}, "needs a time zone: pick one, or write an offset such as 2027-03-01T09:00:00-05:00"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return time.Time{}, ""
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, value, loc); err == nil {
			return t.UTC(), ""
		}
	}
	return time.Time{}, "must be a date and time such as 2027-03-01T09:00 (in the time zone) or 2027-03-01T09:00:00-05:00"
}

// checkZone validates an IANA time zone name, which may be empty.
func checkZone(v helpline.Validation, name, zone string) {
	if zone == "" {
		return
	}
	if _, err := time.LoadLocation(zone); err != nil || zone == "Local" {
		v.Add(name, "is not a known time zone: use an IANA name such as America/New_York, Europe/Berlin or UTC")
	}
}

// checkApps resolves app names against the organization's apps.
func checkApps(v helpline.Validation, name string, apps []string, orgApps []account.App) []string {
	var out []string
	for _, a := range apps {
		a = strings.TrimSpace(a)
		if a == "" || slices.Contains(out, a) {
			continue
		}
		if !slices.ContainsFunc(orgApps, func(x account.App) bool { return x.Name == a }) {
			v.Add(name, fmt.Sprintf("%q is not one of your organization's apps", a))
			continue
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		v.Add(name, "name at least one of your organization's apps")
	}
	return out
}

// validated is a request after validation: the details to store.
type validated struct {
	title        string
	event        *EventDetails
	performance  *PerformanceDetails
	architecture *ArchitectureDetails
	eventAt      *time.Time
}

// validate checks a request for the organization whose apps are orgApps.
func validate(in *Request, orgApps []account.App, now time.Time) (validated, error) {
	var out validated
	v := helpline.Validation{}
	if !in.Kind.Valid() {
		v.Add("kind", "must be event, performance or architecture")
		return out, v.Err()
	}
	given := 0
	for _, p := range []bool{in.Event != nil, in.Performance != nil, in.Architecture != nil} {
		if p {
			given++
		}
	}
	switch {
	case given > 1:
		v.Add(string(in.Kind), fmt.Sprintf("send only the %s form (the object named like the kind)", in.Kind))
		return out, v.Err()
	case in.Kind == KindEvent && in.Event == nil, in.Kind == KindPerformance && in.Performance == nil, in.Kind == KindArchitecture && in.Architecture == nil:
		v.Add(string(in.Kind), fmt.Sprintf("is required: a kind of %s takes its form in %q", in.Kind, in.Kind))
		return out, v.Err()
	}
	switch in.Kind {
	case KindEvent:
		e := in.Event
		trimAll(&e.Name, &e.StartsAt, &e.TimeZone, &e.DynoFormation, &e.DatabasePlan, &e.Concerns)
		f := func(n string) string { return field(KindEvent, n) }
		textCheck(v, f("name"), e.Name, 3, MaxName)
		checkZone(v, f("time_zone"), e.TimeZone)
		at, msg := parseZoned(e.StartsAt, e.TimeZone)
		switch {
		case msg != "":
			v.Add(f("starts_at"), msg)
		case at.IsZero():
			// the zone is wrong; its own message says so
		case !at.After(now):
			v.Add(f("starts_at"), "is in the past: event preparation is for events ahead (check the date and the time zone)")
		case at.Sub(now) > MaxLead:
			v.Add(f("starts_at"), "is more than three years away")
		}
		v.Check(e.PeakRPS >= 1 && e.PeakRPS <= MaxPeakRPS, f("peak_rps"), "must be the expected peak in requests per second, a number from 1 to 10,000,000")
		v.Check(e.PeakConcurrentUsers >= 1 && e.PeakConcurrentUsers <= MaxUsers, f("peak_concurrent_users"), "must be the expected number of users at once, a number from 1 to 1,000,000,000")
		apps := checkApps(v, f("apps"), e.Apps, orgApps)
		textCheck(v, f("dyno_formation"), e.DynoFormation, 3, MaxLine)
		textCheck(v, f("database_plan"), e.DatabasePlan, 3, MaxLine)
		textCheck(v, f("concerns"), e.Concerns, 10, MaxMarkdown)
		if err := v.Err(); err != nil {
			return out, err
		}
		out.title = "Event preparation: " + e.Name
		out.event = &EventDetails{Name: e.Name, StartsAt: at, TimeZone: e.TimeZone, PeakRPS: e.PeakRPS, PeakConcurrentUsers: e.PeakConcurrentUsers,
			Apps: apps, DynoFormation: e.DynoFormation, DatabasePlan: e.DatabasePlan, Concerns: e.Concerns}
		out.eventAt = &at
	case KindPerformance:
		p := in.Performance
		trimAll(&p.Symptoms, &p.Metrics, &p.Since)
		f := func(n string) string { return field(KindPerformance, n) }
		apps := checkApps(v, f("apps"), p.Apps, orgApps)
		textCheck(v, f("symptoms"), p.Symptoms, 20, MaxMarkdown)
		textCheck(v, f("metrics"), p.Metrics, 1, MaxText)
		since, msg := parseZoned(p.Since, "")
		switch {
		case msg != "":
			v.Add(f("since"), msg)
		case since.After(now.Add(5 * time.Minute)):
			v.Add(f("since"), "is in the future; check the time zone")
		}
		if err := v.Err(); err != nil {
			return out, err
		}
		out.title = "Performance analysis: " + strings.Join(apps, ", ")
		out.performance = &PerformanceDetails{Apps: apps, Symptoms: p.Symptoms, Metrics: p.Metrics, Since: since}
	case KindArchitecture:
		a := in.Architecture
		trimAll(&a.Goal, &a.CurrentDesign, &a.Constraints, &a.Deadline)
		f := func(n string) string { return field(KindArchitecture, n) }
		textCheck(v, f("goal"), a.Goal, 10, MaxMarkdown)
		textCheck(v, f("current_design"), a.CurrentDesign, 20, MaxMarkdown)
		textCheck(v, f("constraints"), a.Constraints, 3, MaxMarkdown)
		switch d, err := time.Parse("2006-01-02", a.Deadline); {
		case a.Deadline == "":
			v.Add(f("deadline"), "is required: the date you need the review by, e.g. 2027-03-01")
		case err != nil:
			v.Add(f("deadline"), "must be a date written 2027-03-01")
		case d.Before(now.Truncate(24 * time.Hour)):
			v.Add(f("deadline"), "is in the past")
		case d.Sub(now) > MaxLead:
			v.Add(f("deadline"), "is more than three years away")
		}
		if err := v.Err(); err != nil {
			return out, err
		}
		goal, _, _ := strings.Cut(a.Goal, "\n")
		out.title = "Architecture review: " + truncate(strings.TrimSpace(goal), 120)
		out.architecture = &ArchitectureDetails{Goal: a.Goal, CurrentDesign: a.CurrentDesign, Constraints: a.Constraints, Deadline: a.Deadline}
	}
	return out, nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// texts are the request's free-text fields by form field name, the ones
// break/fix detection reads.
func (in *Request) texts() [][2]string {
	switch {
	case in.Kind == KindEvent && in.Event != nil:
		e := in.Event
		return [][2]string{{field(KindEvent, "name"), e.Name}, {field(KindEvent, "concerns"), e.Concerns}}
	case in.Kind == KindPerformance && in.Performance != nil:
		p := in.Performance
		return [][2]string{{field(KindPerformance, "symptoms"), p.Symptoms}, {field(KindPerformance, "metrics"), p.Metrics}}
	case in.Kind == KindArchitecture && in.Architecture != nil:
		a := in.Architecture
		return [][2]string{{field(KindArchitecture, "goal"), a.Goal}, {field(KindArchitecture, "current_design"), a.CurrentDesign},
			{field(KindArchitecture, "constraints"), a.Constraints}}
	}
	return nil
}

// RequestEngagement records a customer's request for the CSA team. A
// request that reads like a current outage is refused with a
// *BreakFixError unless the customer confirmed it is not one.
func (s *Service) RequestEngagement(ctx context.Context, actor *helpline.Actor, in Request) (Engagement, error) {
	if actor == nil {
		return Engagement{}, helpline.Errorf(helpline.KindUnauthorized, "sign in first")
	}
	if actor.IsStaff() {
		return Engagement{}, helpline.Errorf(helpline.KindForbidden, "customers request engagements; staff turn a ticket into one from the ticket")
	}
	org, err := s.requestOrg(ctx, actor, in.OrgID)
	if err != nil {
		return Engagement{}, err
	}
	apps, err := s.accounts.FindApps(ctx, actor, org.ID)
	if err != nil {
		return Engagement{}, err
	}
	now := s.nowUTC()
	val, err := validate(&in, apps, now)
	if err != nil {
		return Engagement{}, err
	}
	signals := DetectBreakFix(in, now)
	if len(signals) > 0 && !in.NotBreakFix {
		return Engagement{}, &BreakFixError{Signals: signals, Ticket: urgentTicket(org.ID, in, val, apps)}
	}
	s.redactDetails(&val)
	var breakFix string
	if len(signals) > 0 {
		b, _ := json.Marshal(signals)
		breakFix = string(b)
	}
	details, err := detailsJSON(val)
	if err != nil {
		return Engagement{}, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO engagements (org_id, requester_id, kind, title, state, queue_rank, details, event_at, break_fix, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
			org.ID, actor.UserID, in.Kind, val.title, StateRequested, StateRequested.rank(), details, val.eventAt, breakFix, now).Scan(&id)
		if err != nil {
			return err
		}
		data := map[string]any{"kind": in.Kind}
		if len(signals) > 0 {
			data["not_break_fix"] = signals
		}
		if _, err := s.event(ctx, tx, actor, id, "requested", false, "", data); err != nil {
			return err
		}
		if val.eventAt != nil {
			if err := s.scheduleReminders(ctx, tx, id, *val.eventAt); err != nil {
				return err
			}
		}
		e, err := s.findEngagement(ctx, tx, id)
		if err != nil {
			return err
		}
		return s.announceRequest(ctx, tx, e)
	})
	if err != nil {
		return Engagement{}, err
	}
	return s.FindEngagementByID(ctx, actor, id)
}

// requestOrg is the enterprise organization a request is for: the one
// named, or the only one the customer belongs to.
func (s *Service) requestOrg(ctx context.Context, actor *helpline.Actor, orgID int64) (account.Organization, error) {
	orgs, err := s.PortalOrgs(ctx, actor)
	if err != nil {
		return account.Organization{}, err
	}
	switch {
	case orgID != 0:
		for _, o := range orgs {
			if o.ID == orgID {
				return o, nil
			}
		}
		return account.Organization{}, helpline.Validation{"organization_id": "is not an enterprise organization you belong to"}.Err()
	case len(orgs) == 1:
		return orgs[0], nil
	}
	return account.Organization{}, helpline.Validation{"organization_id": "you belong to several enterprise organizations: pick one"}.Err()
}

// redactDetails removes secrets from everything the customer typed.
func (s *Service) redactDetails(val *validated) {
	red := func(ps ...*string) {
		for _, p := range ps {
			*p, _ = s.redact(*p)
		}
	}
	switch {
	case val.event != nil:
		red(&val.event.DynoFormation, &val.event.DatabasePlan, &val.event.Concerns)
	case val.performance != nil:
		red(&val.performance.Symptoms, &val.performance.Metrics)
	case val.architecture != nil:
		red(&val.architecture.Goal, &val.architecture.CurrentDesign, &val.architecture.Constraints)
	}
}

func detailsJSON(val validated) (string, error) {
	var v any = struct{}{}
	switch {
	case val.event != nil:
		v = val.event
	case val.performance != nil:
		v = val.performance
	case val.architecture != nil:
		v = val.architecture
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// urgentTicket fills in the urgent ticket a break/fix request is offered:
// the customer's words, the first app and, for a performance problem, when
// it started and the metrics as its logs. The customer completes the rest.
func urgentTicket(orgID int64, in Request, val validated, apps []account.App) ticket.NewTicket {
	t := ticket.NewTicket{OrgID: orgID, Priority: ticket.Urgent, Environment: ticket.Production, Category: "runtime", Urgent: &ticket.UrgentInput{}}
	var b strings.Builder
	fmt.Fprintf(&b, "_Written as a request for %s; moved to an urgent ticket because it reads like an outage._\n", strings.ToLower(in.Kind.Label()))
	for _, f := range in.texts() {
		if strings.TrimSpace(f[1]) == "" || f[0] == field(KindPerformance, "metrics") {
			continue
		}
		fmt.Fprintf(&b, "\n**%s**\n\n%s\n", fieldLabel(f[0]), f[1])
	}
	t.Description = truncate(b.String(), ticket.MaxMarkdown)
	first := func(names []string) {
		if len(names) == 0 {
			return
		}
		t.App = names[0]
		for _, a := range apps {
			if a.Name == names[0] {
				t.AppID = a.ID
			}
		}
	}
	switch {
	case val.event != nil:
		first(val.event.Apps)
		t.Subject = "Outage: " + val.event.Name
	case val.performance != nil:
		first(val.performance.Apps)
		line, _, _ := strings.Cut(val.performance.Symptoms, "\n")
		t.Subject = truncate(strings.TrimSpace(line), ticket.MaxSubject)
		t.Urgent.StartedAt = val.performance.Since.UTC().Format(time.RFC3339)
		t.Urgent.Logs = val.performance.Metrics
	case val.architecture != nil:
		line, _, _ := strings.Cut(val.architecture.Goal, "\n")
		t.Subject = truncate(strings.TrimSpace(line), ticket.MaxSubject)
	}
	if t.AppID != 0 {
		t.App = ""
	}
	return t
}

// fieldLabel names a form field for people: performance.symptoms → Symptoms.
func fieldLabel(name string) string {
	_, f, _ := strings.Cut(name, ".")
	f = strings.ReplaceAll(f, "_", " ")
	if f == "" {
		return name
	}
	return strings.ToUpper(f[:1]) + f[1:]
}

// UpdateRequest changes what an engagement is about: the event moves, the
// apps change, a CSA fills in the form of an engagement that came from a
// ticket. The kind and the organization stay. Customers edit until the work
// is delivered; the CSA team at any time before it is closed. A moved event
// gets new reminders. Edits are not refused for reading like an outage
// (the engagement is already with the CSA team), but the signals are kept
// for the CSA.
func (s *Service) UpdateRequest(ctx context.Context, actor *helpline.Actor, id int64, in Request) (Engagement, error) {
	e, err := s.FindEngagementByID(ctx, actor, id)
	if err != nil {
		return Engagement{}, err
	}
	switch {
	case actor.IsStaff():
		if err := requireArchitect(actor); err != nil {
			return Engagement{}, err
		}
		if e.State == StateClosed {
			return Engagement{}, helpline.Errorf(helpline.KindConflict, "This engagement is closed.")
		}
	case e.State == StateDelivered || e.State == StateClosed:
		return Engagement{}, helpline.Errorf(helpline.KindConflict, "This engagement is %s; request a new one, or write to your solutions architect.", words(e.State))
	}
	v := helpline.Validation{}
	if in.Kind == "" {
		in.Kind = e.Kind
	}
	v.Check(in.Kind == e.Kind, "kind", fmt.Sprintf("is %s and cannot change: request another engagement", e.Kind))
	v.Check(in.OrgID == 0 || in.OrgID == e.OrgID, "organization_id", "cannot change")
	if err := v.Err(); err != nil {
		return Engagement{}, err
	}
	apps, err := s.accounts.FindApps(ctx, account.CLI(), e.OrgID)
	if err != nil {
		return Engagement{}, err
	}
	now := s.nowUTC()
	val, err := validate(&in, apps, now)
	if err != nil {
		return Engagement{}, err
	}
	var breakFix string
	if signals := DetectBreakFix(in, now); len(signals) > 0 {
		b, _ := json.Marshal(signals)
		breakFix = string(b)
	}
	s.redactDetails(&val)
	details, err := detailsJSON(val)
	if err != nil {
		return Engagement{}, err
	}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE engagements SET title = $1, details = $2, event_at = $3, break_fix = $4 WHERE id = $5`,
			val.title, details, val.eventAt, breakFix, id); err != nil {
			return err
		}
		data := map[string]any{}
		moved := val.eventAt != nil && (e.EventAt == nil || !e.EventAt.Equal(*val.eventAt))
		if moved {
			data["starts_at"] = *val.eventAt
			if e.EventAt != nil {
				data["from"] = *e.EventAt
			}
			if err := s.scheduleReminders(ctx, tx, id, *val.eventAt); err != nil {
				return err
			}
		}
		eid, err := s.event(ctx, tx, actor, id, "details_updated", false, "", data)
		if err != nil {
			return err
		}
		after, err := s.findEngagement(ctx, tx, id)
		if err != nil {
			return err
		}
		text := fmt.Sprintf("%s updated the request %q.", actor.Name, after.Title)
		if moved {
			text += " The event now starts " + after.Event.LocalStart() + "."
		}
		var to []int64
		switch {
		case actor.IsStaff():
			to = s.except(actor, e.RequesterID)
		case e.OwnerID != nil:
			to = s.except(actor, *e.OwnerID)
		default:
			if to, err = s.architectIDs(ctx, tx); err != nil {
				return err
			}
		}
		return s.mail(ctx, tx, after, fmt.Sprintf("event.%d", eid), "Request updated", text, to)
	})
	if err != nil {
		return Engagement{}, err
	}
	return s.FindEngagementByID(ctx, actor, id)
}
