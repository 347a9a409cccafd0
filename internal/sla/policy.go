package sla

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/db"
	"github.com/helpline-dev/helpline/internal/ticket"
)

// Metric is one kind of SLA target.
type Metric string

const (
	FirstResponse Metric = "first_response" // until the first public staff reply
	NextResponse  Metric = "next_response"  // until staff answer a customer's follow-up
	Resolution    Metric = "resolution"     // until the ticket is solved
)

// Metrics lists the metrics in the order pages show them.
var Metrics = []Metric{FirstResponse, NextResponse, Resolution}

// Label names the metric for people.
func (m Metric) Label() string {
	switch m {
	case FirstResponse:
		return "First response"
	case NextResponse:
		return "Next response"
	case Resolution:
		return "Resolution"
	}
	return string(m)
}

// maxTargetMinutes bounds a target to a year: longer is a typo.
const maxTargetMinutes = 366 * 24 * 60

// maxWarnMinutes bounds the warning lead time to a week.
const maxWarnMinutes = 7 * 24 * 60

// Policy is the targets of one plan and priority.
type Policy struct {
	Plan     account.Plan    `json:"plan"`
	Priority ticket.Priority `json:"priority"`
	// Minutes of working time on the calendar; nil means no target.
	FirstResponseMinutes *int `json:"first_response_minutes"`
	NextResponseMinutes  *int `json:"next_response_minutes"`
	ResolutionMinutes    *int `json:"resolution_minutes"`
	// CalendarID is the business-hours calendar; nil means 24x7.
	CalendarID   *int64 `json:"calendar_id"`
	CalendarName string `json:"calendar_name"`
	// WarnMinutes is how long before a breach the warning goes out; 0
	// sends none.
	WarnMinutes int       `json:"warn_minutes"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Minutes returns the target of metric m, nil when there is none.
func (p Policy) Minutes(m Metric) *int {
	switch m {
	case FirstResponse:
		return p.FirstResponseMinutes
	case NextResponse:
		return p.NextResponseMinutes
	case Resolution:
		return p.ResolutionMinutes
	}
	return nil
}

// PolicyInput replaces a policy's targets.
type PolicyInput struct {
	FirstResponseMinutes *int   `json:"first_response_minutes"`
	NextResponseMinutes  *int   `json:"next_response_minutes"`
	ResolutionMinutes    *int   `json:"resolution_minutes"`
	CalendarID           *int64 `json:"calendar_id"`
	WarnMinutes          int    `json:"warn_minutes"`
}

func planNames() string {
	s := make([]string, len(account.Plans))
	for i, p := range account.Plans {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

func priorityNames() string {
	s := make([]string, len(ticket.Priorities))
	for i, p := range ticket.Priorities {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

// checkKey names the plan or priority that does not exist.
func checkKey(plan account.Plan, priority ticket.Priority) error {
	v := helpline.Validation{}
	v.Check(plan.Valid(), "plan", "must be one of "+planNames())
	v.Check(priority.Valid(), "priority", "must be one of "+priorityNames())
	return v.Err()
}

const policyColumns = `p.plan, p.priority, p.first_response_minutes, p.next_response_minutes, p.resolution_minutes, p.calendar_id, coalesce(c.name, ''), p.warn_minutes, p.updated_at`

func scanPolicy(row interface{ Scan(...any) error }) (Policy, error) {
	var p Policy
	var fr, nr, res sql.NullInt64
	var cal sql.NullInt64
	err := row.Scan(&p.Plan, &p.Priority, &fr, &nr, &res, &cal, &p.CalendarName, &p.WarnMinutes, &p.UpdatedAt)
	p.FirstResponseMinutes, p.NextResponseMinutes, p.ResolutionMinutes = nullInt(fr), nullInt(nr), nullInt(res)
	if cal.Valid {
		p.CalendarID = &cal.Int64
	}
	p.UpdatedAt = p.UpdatedAt.UTC()
	return p, err
}

func nullInt(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// FindPolicies returns every plan's policies, plan by plan (cheapest first),
// most pressing priority first. A plan and priority without a row (a plan
// added after the defaults) is listed with no targets. Staff only.
func (s *Service) FindPolicies(ctx context.Context, actor *helpline.Actor) ([]Policy, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+policyColumns+` FROM sla_policies p LEFT JOIN sla_calendars c ON c.id = p.calendar_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[[2]string]Policy{}
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, err
		}
		have[[2]string{string(p.Plan), string(p.Priority)}] = p
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Policy
	for _, plan := range account.Plans {
		for _, pr := range ticket.Priorities {
			p, ok := have[[2]string{string(plan), string(pr)}]
			if !ok {
				p = Policy{Plan: plan, Priority: pr}
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// FindPolicy returns one plan's policy for a priority. Staff only.
func (s *Service) FindPolicy(ctx context.Context, actor *helpline.Actor, plan account.Plan, priority ticket.Priority) (Policy, error) {
	if err := actor.RequireStaff(); err != nil {
		return Policy{}, err
	}
	if err := checkKey(plan, priority); err != nil {
		return Policy{}, err
	}
	return s.policy(ctx, s.db, plan, priority)
}

// policy reads a policy; a missing row is a policy without targets.
func (s *Service) policy(ctx context.Context, q db.Querier, plan account.Plan, priority ticket.Priority) (Policy, error) {
	p, err := scanPolicy(q.QueryRowContext(ctx, `SELECT `+policyColumns+` FROM sla_policies p LEFT JOIN sla_calendars c ON c.id = p.calendar_id WHERE p.plan = $1 AND p.priority = $2`, plan, priority))
	if errors.Is(err, sql.ErrNoRows) {
		return Policy{Plan: plan, Priority: priority}, nil
	}
	return p, err
}

// UpdatePolicy replaces the targets of a plan and priority. New targets
// apply to clocks that start afterwards; running clocks keep the policy they
// started with. Admins only; audited.
func (s *Service) UpdatePolicy(ctx context.Context, actor *helpline.Actor, plan account.Plan, priority ticket.Priority, in PolicyInput) (Policy, error) {
	if err := actor.RequireAdmin(); err != nil {
		return Policy{}, err
	}
	if err := checkKey(plan, priority); err != nil {
		return Policy{}, err
	}
	v := helpline.Validation{}
	for _, f := range []struct {
		name string
		m    *int
	}{{"first_response_minutes", in.FirstResponseMinutes}, {"next_response_minutes", in.NextResponseMinutes}, {"resolution_minutes", in.ResolutionMinutes}} {
		if f.m != nil && (*f.m < 1 || *f.m > maxTargetMinutes) {
			v.Add(f.name, fmt.Sprintf("must be between 1 and %d minutes, or empty for no target", maxTargetMinutes))
		}
	}
	if in.WarnMinutes < 0 || in.WarnMinutes > maxWarnMinutes {
		v.Add("warn_minutes", fmt.Sprintf("must be between 0 (no warning) and %d minutes", maxWarnMinutes))
	}
	var p Policy
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if in.CalendarID != nil {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sla_calendars WHERE id = $1`, *in.CalendarID).Scan(&n); err != nil {
				return err
			}
			v.Check(n > 0, "calendar_id", fmt.Sprintf("there is no calendar %d: pick one from the calendar list, or leave it empty for 24x7", *in.CalendarID))
		}
		if err := v.Err(); err != nil {
			return err
		}
		now := db.Time(s.now())
		_, err := tx.ExecContext(ctx, `INSERT INTO sla_policies (plan, priority, first_response_minutes, next_response_minutes, resolution_minutes, calendar_id, warn_minutes, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (plan, priority) DO UPDATE SET first_response_minutes = excluded.first_response_minutes, next_response_minutes = excluded.next_response_minutes,
				resolution_minutes = excluded.resolution_minutes, calendar_id = excluded.calendar_id, warn_minutes = excluded.warn_minutes, updated_at = excluded.updated_at`,
			plan, priority, in.FirstResponseMinutes, in.NextResponseMinutes, in.ResolutionMinutes, in.CalendarID, in.WarnMinutes, now)
		if err != nil {
			return err
		}
		if p, err = s.policy(ctx, tx, plan, priority); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "sla.policy_updated", "sla_policy", 0, map[string]any{
			"plan": plan, "priority": priority, "first_response_minutes": in.FirstResponseMinutes, "next_response_minutes": in.NextResponseMinutes,
			"resolution_minutes": in.ResolutionMinutes, "calendar_id": in.CalendarID, "warn_minutes": in.WarnMinutes,
		})
	})
	return p, err
}

// WeekHours are the working hours of each weekday, as spans "09:00-18:00";
// a day without spans is closed.
type WeekHours struct {
	Monday    []string `json:"monday"`
	Tuesday   []string `json:"tuesday"`
	Wednesday []string `json:"wednesday"`
	Thursday  []string `json:"thursday"`
	Friday    []string `json:"friday"`
	Saturday  []string `json:"saturday"`
	Sunday    []string `json:"sunday"`
}

// Day returns the spans of a weekday.
func (w *WeekHours) Day(d time.Weekday) *[]string {
	return [7]*[]string{&w.Sunday, &w.Monday, &w.Tuesday, &w.Wednesday, &w.Thursday, &w.Friday, &w.Saturday}[d]
}

// Weekdays lists the days Monday first, the way people read a week.
var Weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// BusinessHours is a stored calendar: when the team works.
type BusinessHours struct {
	ID       int64     `json:"id"`
	Name     string    `json:"name"`
	TimeZone string    `json:"time_zone"`
	Hours    WeekHours `json:"hours"`
	Holidays []string  `json:"holidays"` // YYYY-MM-DD, local days off
	// UsedBy names the policies that count time on it, "premier/urgent".
	UsedBy    []string  `json:"used_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CalendarInput creates or replaces a calendar.
type CalendarInput struct {
	Name     string    `json:"name"`
	TimeZone string    `json:"time_zone"`
	Hours    WeekHours `json:"hours"`
	Holidays []string  `json:"holidays"`
}

// ParseSpan reads "09:00-18:00" (an en dash works too).
func ParseSpan(s string) (Span, error) {
	a, b, ok := strings.Cut(strings.ReplaceAll(s, "–", "-"), "-")
	if !ok {
		return Span{}, fmt.Errorf("%q: write a span as HH:MM-HH:MM, e.g. 09:00-18:00", s)
	}
	start, err := ParseClock(a)
	if err != nil {
		return Span{}, err
	}
	end, err := ParseClock(b)
	if err != nil {
		return Span{}, err
	}
	if start >= end {
		return Span{}, fmt.Errorf("%q: the start must be before the end", s)
	}
	return Span{start, end}, nil
}

// ParseDate reads a holiday, YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("%q: write dates as YYYY-MM-DD, e.g. 2026-12-25", s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// compile checks a calendar's input and returns its arithmetic, naming the
// field of each problem.
func (in *CalendarInput) compile() (Calendar, helpline.Validation) {
	v := helpline.Validation{}
	in.Name = strings.TrimSpace(in.Name)
	in.TimeZone = strings.TrimSpace(in.TimeZone)
	v.Check(in.Name != "", "name", "give the calendar a name, e.g. EMEA business hours")
	v.Check(len(in.Name) <= 100, "name", "must be at most 100 characters")
	var c Calendar
	switch loc, err := time.LoadLocation(in.TimeZone); {
	case in.TimeZone == "":
		v.Add("time_zone", "give an IANA time zone, e.g. Europe/Paris, America/New_York or UTC")
	case err != nil || strings.EqualFold(in.TimeZone, "local"):
		v.Add("time_zone", fmt.Sprintf("%q is not an IANA time zone: write it like Europe/Paris, America/New_York or UTC", in.TimeZone))
	default:
		c.Location = loc
	}
	open := false
	for _, d := range Weekdays {
		field := "hours." + strings.ToLower(d.String())
		spans := in.Hours.Day(d)
		clean := []string{}
		for _, raw := range *spans {
			if strings.TrimSpace(raw) == "" {
				continue
			}
			sp, err := ParseSpan(strings.TrimSpace(raw))
			if err != nil {
				v.Add(field, err.Error())
				continue
			}
			if n := len(c.Week[d]); n > 0 && sp.Start < c.Week[d][n-1].End {
				v.Add(field, fmt.Sprintf("%s overlaps or comes before %s: list spans in time order without overlaps", sp, c.Week[d][n-1]))
				continue
			}
			c.Week[d] = append(c.Week[d], sp)
			clean = append(clean, sp.Start.String()+"-"+sp.End.String())
			open = true
		}
		*spans = clean
	}
	if !open {
		v.Add("hours", "the calendar is never open: give at least one day working hours, e.g. monday 09:00-18:00")
	}
	holidays := []string{}
	for _, h := range in.Holidays {
		if strings.TrimSpace(h) == "" {
			continue
		}
		d, err := ParseDate(h)
		if err != nil {
			v.Add("holidays", err.Error())
			continue
		}
		if !slices.Contains(c.Holidays, d) {
			c.Holidays = append(c.Holidays, d)
			holidays = append(holidays, d.String())
		}
	}
	slices.Sort(holidays)
	in.Holidays = holidays
	return c, v
}

// storedWeek is the JSON of sla_calendars.hours: seven lists of
// [start, end] pairs, Sunday first.
type storedWeek [7][][2]string

func encodeHours(w WeekHours) string {
	var sw storedWeek
	for d := range 7 {
		sw[d] = [][2]string{}
		for _, raw := range *w.Day(time.Weekday(d)) {
			a, b, _ := strings.Cut(raw, "-")
			sw[d] = append(sw[d], [2]string{a, b})
		}
	}
	b, _ := json.Marshal(sw)
	return string(b)
}

func decodeHours(s string) (WeekHours, error) {
	var sw storedWeek
	var w WeekHours
	if err := json.Unmarshal([]byte(s), &sw); err != nil {
		return w, fmt.Errorf("calendar hours %q: %w", s, err)
	}
	for d := range 7 {
		day := w.Day(time.Weekday(d))
		*day = []string{}
		for _, sp := range sw[d] {
			*day = append(*day, sp[0]+"-"+sp[1])
		}
	}
	return w, nil
}

// Calendar returns the arithmetic of a stored calendar.
func (b BusinessHours) Calendar() (Calendar, error) {
	in := CalendarInput{Name: b.Name, TimeZone: b.TimeZone, Hours: b.Hours, Holidays: b.Holidays}
	c, v := in.compile()
	if err := v.Err(); err != nil {
		return c, fmt.Errorf("calendar %d: %w", b.ID, err)
	}
	return c, nil
}

const calendarColumns = `id, name, time_zone, hours, holidays, created_at, updated_at`

func scanCalendar(row interface{ Scan(...any) error }) (BusinessHours, error) {
	var b BusinessHours
	var hours, holidays string
	if err := row.Scan(&b.ID, &b.Name, &b.TimeZone, &hours, &holidays, &b.CreatedAt, &b.UpdatedAt); err != nil {
		return b, err
	}
	b.CreatedAt, b.UpdatedAt = b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	var err error
	if b.Hours, err = decodeHours(hours); err != nil {
		return b, err
	}
	b.Holidays = []string{}
	if err := json.Unmarshal([]byte(holidays), &b.Holidays); err != nil {
		return b, fmt.Errorf("calendar %d holidays: %w", b.ID, err)
	}
	b.UsedBy = []string{}
	return b, nil
}

// usedBy fills in which policies use each calendar.
func usedBy(ctx context.Context, q db.Querier, cals []BusinessHours) error {
	rows, err := q.QueryContext(ctx, `SELECT calendar_id, plan, priority FROM sla_policies WHERE calendar_id IS NOT NULL ORDER BY plan, priority`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var plan, pr string
		if err := rows.Scan(&id, &plan, &pr); err != nil {
			return err
		}
		for i := range cals {
			if cals[i].ID == id {
				cals[i].UsedBy = append(cals[i].UsedBy, plan+"/"+pr)
			}
		}
	}
	return rows.Err()
}

// FindCalendars lists the calendars by name. Staff only.
func (s *Service) FindCalendars(ctx context.Context, actor *helpline.Actor) ([]BusinessHours, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+calendarColumns+` FROM sla_calendars ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []BusinessHours{}
	for rows.Next() {
		b, err := scanCalendar(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, usedBy(ctx, s.db, out)
}

// FindCalendarByID returns one calendar. Staff only.
func (s *Service) FindCalendarByID(ctx context.Context, actor *helpline.Actor, id int64) (BusinessHours, error) {
	if err := actor.RequireStaff(); err != nil {
		return BusinessHours{}, err
	}
	return s.findCalendar(ctx, s.db, id)
}

func (s *Service) findCalendar(ctx context.Context, q db.Querier, id int64) (BusinessHours, error) {
	b, err := scanCalendar(q.QueryRowContext(ctx, `SELECT `+calendarColumns+` FROM sla_calendars WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, helpline.NotFound("calendar")
	}
	if err != nil {
		return b, err
	}
	cals := []BusinessHours{b}
	err = usedBy(ctx, q, cals)
	return cals[0], err
}

func nameTaken(err error) error {
	if db.IsUniqueViolation(err) {
		return &helpline.Error{Kind: helpline.KindConflict, Message: "Another calendar has this name.", Fields: map[string]string{"name": "is taken by another calendar: choose another name"}}
	}
	return err
}

// CreateCalendar adds a business-hours calendar. Admins only; audited.
func (s *Service) CreateCalendar(ctx context.Context, actor *helpline.Actor, in CalendarInput) (BusinessHours, error) {
	if err := actor.RequireAdmin(); err != nil {
		return BusinessHours{}, err
	}
	if _, v := in.compile(); v.Err() != nil {
		return BusinessHours{}, v.Err()
	}
	var b BusinessHours
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		now := db.Time(s.now())
		hol, _ := json.Marshal(in.Holidays)
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO sla_calendars (name, time_zone, hours, holidays, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
			in.Name, in.TimeZone, encodeHours(in.Hours), string(hol), now).Scan(&id)
		if err != nil {
			return nameTaken(err)
		}
		if b, err = s.findCalendar(ctx, tx, id); err != nil {
			return err
		}
		return s.accounts.Audit(ctx, tx, actor, "sla.calendar_created", "sla_calendar", id, map[string]any{"name": in.Name, "time_zone": in.TimeZone, "hours": in.Hours, "holidays": in.Holidays})
	})
	return b, err
}

// UpdateCalendar replaces a calendar. Running clocks that count on it get
// new due times from a job queued in the same transaction. Admins only;
// audited.
func (s *Service) UpdateCalendar(ctx context.Context, actor *helpline.Actor, id int64, in CalendarInput) (BusinessHours, error) {
	if err := actor.RequireAdmin(); err != nil {
		return BusinessHours{}, err
	}
	if _, v := in.compile(); v.Err() != nil {
		return BusinessHours{}, v.Err()
	}
	var b BusinessHours
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		now := db.Time(s.now())
		hol, _ := json.Marshal(in.Holidays)
		res, err := tx.ExecContext(ctx, `UPDATE sla_calendars SET name = $1, time_zone = $2, hours = $3, holidays = $4, updated_at = $5 WHERE id = $6`,
			in.Name, in.TimeZone, encodeHours(in.Hours), string(hol), now, id)
		if err != nil {
			return nameTaken(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return helpline.NotFound("calendar")
		}
		if b, err = s.findCalendar(ctx, tx, id); err != nil {
			return err
		}
		if s.jobs != nil {
			if _, err := s.jobs.InsertTx(ctx, tx, RecomputeArgs{CalendarID: id}, nil); err != nil {
				return err
			}
		}
		return s.accounts.Audit(ctx, tx, actor, "sla.calendar_updated", "sla_calendar", id, map[string]any{"name": in.Name, "time_zone": in.TimeZone, "hours": in.Hours, "holidays": in.Holidays})
	})
	return b, err
}

// DeleteCalendar removes a calendar no policy uses; running clocks on it
// count around the clock from then on. Admins only; audited.
func (s *Service) DeleteCalendar(ctx context.Context, actor *helpline.Actor, id int64) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		b, err := s.findCalendar(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(b.UsedBy) > 0 {
			return helpline.Errorf(helpline.KindConflict, "Calendar %q is used by the policies %s: give them another calendar first.", b.Name, strings.Join(b.UsedBy, ", "))
		}
		var running int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM ticket_sla_targets WHERE calendar_id = $1 AND state = 'running'`, id).Scan(&running); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sla_calendars WHERE id = $1`, id); err != nil {
			return err
		}
		if running > 0 && s.jobs != nil {
			// The foreign key set their calendar to NULL (24x7); due times move.
			if _, err := s.jobs.InsertTx(ctx, tx, RecomputeArgs{CalendarID: 0}, nil); err != nil {
				return err
			}
		}
		return s.accounts.Audit(ctx, tx, actor, "sla.calendar_deleted", "sla_calendar", id, map[string]any{"name": b.Name})
	})
}
