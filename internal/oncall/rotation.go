package oncall

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Rotations a layer can hand off by.
const (
	RotationDaily  = "daily"
	RotationWeekly = "weekly"
)

// Layer is one rotation of a schedule: its users take turns, handing off at
// a wall-clock time in the schedule's zone every day or every week.
type Layer struct {
	ID         int64  `json:"id"`
	ScheduleID int64  `json:"schedule_id"`
	Position   int    `json:"position"` // higher positions win where layers overlap
	Name       string `json:"name"`
	Rotation   string `json:"rotation"`
	// HandoffTime is HH:MM in the schedule's time zone.
	HandoffTime string `json:"handoff_time"`
	// HandoffWeekday is the day weekly rotations hand off on.
	HandoffWeekday time.Weekday `json:"-"`
	StartsAt       time.Time    `json:"starts_at"`
	EndsAt         *time.Time   `json:"ends_at"`
	Users          []Member     `json:"users"`
	CreatedAt      time.Time    `json:"created_at"`
}

// MarshalJSON spells the hand-off weekday by name ("monday").
func (l Layer) MarshalJSON() ([]byte, error) {
	type plain Layer
	return json.Marshal(struct {
		plain
		HandoffWeekday string `json:"handoff_weekday"`
	}{plain(l), WeekdayName(l.HandoffWeekday)})
}

// Member is a user as schedules and policies show them.
type Member struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Override puts a user on call instead of whoever is (or, with ReplacesUser,
// instead of that one user only) between two times.
type Override struct {
	ID           int64     `json:"id"`
	ScheduleID   int64     `json:"schedule_id"`
	User         Member    `json:"user"`
	ReplacesUser *Member   `json:"replaces_user"`
	StartsAt     time.Time `json:"starts_at"`
	EndsAt       time.Time `json:"ends_at"`
	CreatedBy    *int64    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// Shift is a stretch of the final schedule with one person on call, and what
// put them there: a layer or an override.
type Shift struct {
	User       Member    `json:"user"`
	LayerID    *int64    `json:"layer_id,omitempty"`
	LayerName  string    `json:"layer_name,omitempty"`
	OverrideID *int64    `json:"override_id,omitempty"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
}

// weekdayNames are the API's names of handoff weekdays.
var weekdayNames = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// WeekdayName is the lower-case English name of d, as the API spells it.
func WeekdayName(d time.Weekday) string { return weekdayNames[d%7] }

// ParseWeekday reads a weekday name ("monday", "Mon") or number (0 Sunday … 6 Saturday).
func ParseWeekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if n, err := strconv.Atoi(s); err == nil {
		return time.Weekday(n), n >= 0 && n <= 6
	}
	for i, name := range weekdayNames {
		if len(s) >= 3 && strings.HasPrefix(name, s) {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// parseHandoff reads HH:MM (24-hour).
func parseHandoff(s string) (hour, minute int, err error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(h) == 0 || len(h) > 2 || len(m) != 2 {
		return 0, 0, fmt.Errorf("must be HH:MM, e.g. 09:00")
	}
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return 0, 0, fmt.Errorf("must be HH:MM between 00:00 and 23:59")
	}
	return hour, minute, nil
}

// handoffs enumerates a layer's hand-off instants: the n-th is on civil day
// base+n*period at HH:MM local time, so hand-offs keep their wall-clock time
// across daylight-saving changes.
type handoffs struct {
	loc          *time.Location
	hour, minute int
	period, base int64 // in days since 1970-01-01
}

func newHandoffs(l *Layer, loc *time.Location) (handoffs, error) {
	hour, minute, err := parseHandoff(l.HandoffTime)
	if err != nil {
		return handoffs{}, err
	}
	h := handoffs{loc: loc, hour: hour, minute: minute, period: 1}
	if l.Rotation == RotationWeekly {
		h.period = 7
		// 1970-01-01 was a Thursday.
		h.base = (int64(l.HandoffWeekday) - int64(time.Thursday) + 7) % 7
	}
	return h, nil
}

func (h handoffs) at(n int64) time.Time {
	day := time.Unix((h.base+n*h.period)*86400, 0).UTC()
	return time.Date(day.Year(), day.Month(), day.Day(), h.hour, h.minute, 0, 0, h.loc)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// last returns the index of the last hand-off at or before t.
func (h handoffs) last(t time.Time) int64 {
	lt := t.In(h.loc)
	civil := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
	n := floorDiv(civil-h.base, h.period)
	// The guess is right except where a skipped local time moves a
	// hand-off across midnight; walk to the exact answer.
	for !h.at(n + 1).After(t) {
		n++
	}
	for h.at(n).After(t) {
		n--
	}
	return n
}

// layerShift returns who a layer puts on call at t and the shift's bounds:
// the first shift runs from StartsAt to the first hand-off after it, then
// one shift per hand-off, the users taking turns in order.
func layerShift(l *Layer, h handoffs, t time.Time) (user Member, start, end time.Time, ok bool) {
	if len(l.Users) == 0 || t.Before(l.StartsAt) || (l.EndsAt != nil && !t.Before(*l.EndsAt)) {
		return Member{}, time.Time{}, time.Time{}, false
	}
	first := h.last(l.StartsAt) + 1 // the first hand-off strictly after StartsAt
	n := h.last(t)
	var index int64
	if n < first {
		start, end = l.StartsAt, h.at(first)
	} else {
		index = n - first + 1
		start, end = h.at(n), h.at(n+1)
	}
	if l.EndsAt != nil && end.After(*l.EndsAt) {
		end = *l.EndsAt
	}
	return l.Users[index%int64(len(l.Users))], start, end, true
}

// resolver answers who is on call in a schedule: layers (highest position
// first) and then overrides.
type resolver struct {
	layers    []Layer // highest position first
	handoffs  []handoffs
	overrides []Override // newest first: the newest applicable one wins
}

func newResolver(loc *time.Location, layers []Layer, overrides []Override) (*resolver, error) {
	r := &resolver{layers: append([]Layer(nil), layers...), overrides: append([]Override(nil), overrides...)}
	sort.SliceStable(r.layers, func(i, j int) bool { return r.layers[i].Position > r.layers[j].Position })
	sort.SliceStable(r.overrides, func(i, j int) bool { return r.overrides[i].ID > r.overrides[j].ID })
	r.handoffs = make([]handoffs, len(r.layers))
	for i := range r.layers {
		h, err := newHandoffs(&r.layers[i], loc)
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", r.layers[i].ID, err)
		}
		r.handoffs[i] = h
	}
	return r, nil
}

// at returns who is on call at t and what put them there; the shift's bounds
// are those of the layer shift or override alone (see timeline for the
// final schedule).
func (r *resolver) at(t time.Time) (Shift, bool) {
	var s Shift
	found := false
	for i := range r.layers {
		l := &r.layers[i]
		if u, start, end, ok := layerShift(l, r.handoffs[i], t); ok {
			id := l.ID
			s = Shift{User: u, LayerID: &id, LayerName: l.Name, Start: start, End: end}
			found = true
			break
		}
	}
	for i := range r.overrides {
		o := &r.overrides[i]
		if t.Before(o.StartsAt) || !t.Before(o.EndsAt) {
			continue
		}
		if o.ReplacesUser != nil && (!found || s.User.ID != o.ReplacesUser.ID) {
			continue
		}
		id := o.ID
		s = Shift{User: o.User, OverrideID: &id, Start: o.StartsAt, End: o.EndsAt}
		return s, true
	}
	return s, found
}

// timeline returns the final schedule between from and to: consecutive
// stretches with someone on call, adjacent stretches of the same person from
// the same source merged. Gaps with nobody on call are left out.
func (r *resolver) timeline(from, to time.Time) []Shift {
	if !from.Before(to) {
		return nil
	}
	// Who is on call changes only at these instants.
	cuts := []time.Time{from}
	add := func(t time.Time) {
		if t.After(from) && t.Before(to) {
			cuts = append(cuts, t)
		}
	}
	for i := range r.layers {
		l, h := &r.layers[i], r.handoffs[i]
		add(l.StartsAt)
		if l.EndsAt != nil {
			add(*l.EndsAt)
		}
		lo, hi := from, to
		if l.StartsAt.After(lo) {
			lo = l.StartsAt
		}
		if l.EndsAt != nil && l.EndsAt.Before(hi) {
			hi = *l.EndsAt
		}
		if !lo.Before(hi) {
			continue
		}
		for n := h.last(lo) + 1; ; n++ {
			t := h.at(n)
			if !t.Before(hi) {
				break
			}
			add(t)
		}
	}
	for _, o := range r.overrides {
		add(o.StartsAt)
		add(o.EndsAt)
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].Before(cuts[j]) })
	var out []Shift
	for i, c := range cuts {
		if i > 0 && c.Equal(cuts[i-1]) {
			continue
		}
		end := to
		for j := i + 1; j < len(cuts); j++ {
			if cuts[j].After(c) {
				end = cuts[j]
				break
			}
		}
		s, ok := r.at(c)
		if !ok {
			continue
		}
		s.Start, s.End = c, end
		if k := len(out) - 1; k >= 0 && out[k].End.Equal(s.Start) && sameSource(out[k], s) {
			out[k].End = s.End
			continue
		}
		out = append(out, s)
	}
	return out
}

func sameSource(a, b Shift) bool {
	if a.User.ID != b.User.ID {
		return false
	}
	switch {
	case a.LayerID != nil && b.LayerID != nil:
		return *a.LayerID == *b.LayerID
	case a.OverrideID != nil && b.OverrideID != nil:
		return *a.OverrideID == *b.OverrideID
	}
	return false
}

// whoWindow bounds the search for the start and end of the current stretch
// of someone on call: long enough for any weekly rotation, short enough to
// stay cheap.
const whoWindow = 35 * 24 * time.Hour

// current returns the stretch of the final schedule that contains t.
func (r *resolver) current(t time.Time) (Shift, bool) {
	if _, ok := r.at(t); !ok {
		return Shift{}, false
	}
	for _, s := range r.timeline(t.Add(-whoWindow), t.Add(whoWindow)) {
		if !s.Start.After(t) && s.End.After(t) {
			return s, true
		}
	}
	return Shift{}, false
}
