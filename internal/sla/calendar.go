// Package sla is the arithmetic of service-level targets: business-hours
// calendars, working time between instants, and due times for a clock that
// can pause. Everything here is a pure function of its arguments; the store
// and the jobs supply the time.
package sla

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Clock is a local wall-clock time of day in minutes since midnight;
// 24*60 means the end of the day.
type Clock int

// EndOfDay is the Clock that closes a span running to midnight.
const EndOfDay Clock = 24 * 60

// ParseClock reads "HH:MM" (or "H:MM"); "24:00" is the end of the day.
func ParseClock(s string) (Clock, error) {
	hs, ms, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(hs) < 1 || len(hs) > 2 || len(ms) != 2 {
		return 0, fmt.Errorf("time of day %q: write it as HH:MM, e.g. 09:00 or 17:30", s)
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || h < 0 || m < 0 {
		return 0, fmt.Errorf("time of day %q: write it as HH:MM, e.g. 09:00 or 17:30", s)
	}
	if m > 59 {
		return 0, fmt.Errorf("time of day %q: minutes must be 00–59", s)
	}
	if h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("time of day %q: must be between 00:00 and 24:00", s)
	}
	return Clock(h*60 + m), nil
}

// String formats c as HH:MM, the form ParseClock reads.
func (c Clock) String() string {
	if c < 0 || c > EndOfDay {
		return fmt.Sprintf("Clock(%d)", int(c))
	}
	return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60)
}

// Span is a stretch of working time within one local day, [Start, End).
type Span struct{ Start, End Clock }

func (s Span) String() string { return s.Start.String() + "–" + s.End.String() }

// Date is a local calendar day, independent of any time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// valid reports whether d names a real day (no 31 April).
func (d Date) valid() bool {
	if d.Month < time.January || d.Month > time.December || d.Day < 1 {
		return false
	}
	return d.Day <= time.Date(d.Year, d.Month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Calendar is when a support team works: weekly hours in a time zone, minus
// holidays.
//
// Spans are local wall-clock times. A span begins at the first instant the
// local clock reads its Start on that day and ends at the first instant it
// reads its End (End 24:00 is the next local midnight), so each span is one
// interval of real time. On a daylight-saving day a span counts the real time
// that elapses in it: 00:00–24:00 is 23 or 25 hours, while 09:00–17:00 is
// still 8 hours and still starts at local 09:00. A Start inside a skipped hour
// begins the span when the clocks jump.
//
// The methods expect a calendar that passes Validate; a nil Location is read
// as UTC.
type Calendar struct {
	Location *time.Location
	Week     [7][]Span // by time.Weekday; sorted, non-overlapping; empty = closed
	Holidays []Date    // whole local days off
}

// TwentyFourSeven is a calendar that is always open.
func TwentyFourSeven() Calendar {
	c := Calendar{Location: time.UTC}
	for d := range c.Week {
		c.Week[d] = []Span{{0, EndOfDay}}
	}
	return c
}

// Validate reports every problem with c, naming the day and span to fix.
func (c Calendar) Validate() error {
	var errs []error
	if c.Location == nil {
		errs = append(errs, errors.New("calendar has no time zone: set Location, e.g. Europe/Paris or UTC"))
	}
	open := false
	for wd, spans := range c.Week {
		day := time.Weekday(wd)
		for i, s := range spans {
			switch {
			case s.Start < 0 || s.End > EndOfDay:
				errs = append(errs, fmt.Errorf("%s span %d (%s): times must be between 00:00 and 24:00", day, i+1, s))
				continue
			case s.Start >= s.End:
				errs = append(errs, fmt.Errorf("%s span %d (%s): start must be before end", day, i+1, s))
				continue
			}
			open = true
			if i > 0 && s.Start < spans[i-1].End {
				errs = append(errs, fmt.Errorf("%s spans %d (%s) and %d (%s) overlap or are out of order: list them in time order without overlaps", day, i, spans[i-1], i+1, s))
			}
		}
	}
	if !open {
		errs = append(errs, errors.New("calendar is never open: give at least one day working hours"))
	}
	for _, h := range c.Holidays {
		if !h.valid() {
			errs = append(errs, fmt.Errorf("holiday %s is not a date", h))
		}
	}
	return errors.Join(errs...)
}

// maxClosedDays bounds Add's search for open time: a calendar closed for this
// many consecutive days (never open, or two years of holidays) has no answer.
const maxClosedDays = 2 * 366

// IsOpen reports whether t falls inside working hours.
func (c Calendar) IsOpen(t time.Time) bool {
	if c.alwaysOpen() {
		return true
	}
	z := zoneCursor{loc: c.loc()}
	// Spans of earlier local days end by this day's midnight, at or before t.
	day := z.localDay(t)
	if c.closed(day) {
		return false
	}
	for _, s := range c.Week[weekday(day)] {
		a, b := z.spanInstants(day, s)
		if !t.Before(a) && t.Before(b) {
			return true
		}
	}
	return false
}

// Add returns the instant at which d of working time has passed after start,
// in start's location. Time outside working hours does not count, and start
// may be outside them; when the last of d is used exactly at the end of a
// span, Add returns that end rather than the next opening. d <= 0 returns
// start. Rather than search forever, Add returns the zero Time once it meets
// two years of consecutive closed days (a calendar that is never open).
func (c Calendar) Add(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	at, _, ok := c.walk(start, time.Time{}, d)
	if !ok {
		return time.Time{}
	}
	return at.In(start.Location())
}

// Between returns the working time in [from, to); 0 if to is not after from.
func (c Calendar) Between(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	_, used, _ := c.walk(from, to, maxDuration)
	return used
}

const maxDuration = time.Duration(1<<63 - 1)

// Pause is an interval in which the SLA clock stops (a ticket waiting on the
// customer, or on hold). A zero To means it has not ended.
type Pause struct{ From, To time.Time }

// Due returns when target working time, not counting pauses, is reached from
// start. If a pause is still open, paused is true and due is computed as if
// the clock resumed at that pause's start, so Remaining at the pause's start
// is what is left ("paused, 3h left"); due is then only a projection. If the
// target was already reached before the open pause, due is that (past)
// breach instant. Pauses may be in any order and overlap. Like Add, Due
// returns the zero Time on a calendar that is never open.
func (c Calendar) Due(start time.Time, target time.Duration, pauses []Pause) (due time.Time, paused bool) {
	for _, p := range pauses {
		if p.To.IsZero() {
			paused = true
		}
	}
	if target <= 0 {
		return start, paused
	}
	left, cur := target, start
	for _, p := range sortedPauses(pauses) {
		if !p.To.IsZero() && (!p.To.After(cur) || !p.To.After(p.From)) {
			continue // over before cur, or empty
		}
		if p.From.After(cur) {
			at, used, _ := c.walk(cur, p.From, left)
			if used >= left {
				return at.In(start.Location()), paused
			}
			left -= used
			cur = p.From
		}
		if p.To.IsZero() {
			break // resume at the open pause's start; later pauses lie inside it
		}
		cur = p.To
	}
	at, _, ok := c.walk(cur, time.Time{}, left)
	if !ok {
		return time.Time{}, paused
	}
	return at.In(start.Location()), paused
}

// Remaining returns the working time left at now towards target, counted from
// start and not counting pauses; it is negative once the target is breached.
func (c Calendar) Remaining(start time.Time, target time.Duration, pauses []Pause, now time.Time) time.Duration {
	var worked time.Duration
	cur := start
	for _, p := range sortedPauses(pauses) {
		if !p.From.Before(now) {
			break // sorted: this and later pauses have not begun
		}
		if !p.To.IsZero() && (!p.To.After(cur) || !p.To.After(p.From)) {
			continue
		}
		to := p.To
		if to.IsZero() || to.After(now) {
			to = now
		}
		if p.From.After(cur) {
			worked += c.Between(cur, p.From)
		}
		cur = to
	}
	worked += c.Between(cur, now)
	return target - worked
}

// sortedPauses returns pauses in order of From, copying only when the caller's
// slice is out of order (it must not be modified).
func sortedPauses(pauses []Pause) []Pause {
	byFrom := func(a, b Pause) int { return a.From.Compare(b.From) }
	if slices.IsSortedFunc(pauses, byFrom) {
		return pauses
	}
	s := slices.Clone(pauses)
	slices.SortStableFunc(s, byFrom)
	return s
}

// walk consumes up to need of working time from from, stopping at limit
// (zero = no limit). It returns where it stopped and the working time used;
// ok is false when the bounded search for open time without a limit failed.
func (c Calendar) walk(from, limit time.Time, need time.Duration) (at time.Time, used time.Duration, ok bool) {
	hasLimit := !limit.IsZero()
	if c.alwaysOpen() {
		if hasLimit && limit.Sub(from) < need {
			return limit, limit.Sub(from), true
		}
		return from.Add(need), need, true
	}
	z := zoneCursor{loc: c.loc()}
	cur := from
	day := z.localDay(from)
	var lastDay int64
	if hasLimit {
		// A repeated hour can carry the next local day's midnight before limit,
		// never two days' worth.
		lastDay = z.localDay(limit) + 1
	}
	for closedRun := 0; ; day++ {
		if hasLimit && day > lastDay {
			return cur, used, true
		}
		if closedRun > maxClosedDays && !hasLimit {
			return time.Time{}, used, false
		}
		if c.closed(day) {
			closedRun++
			continue // no zone lookups: whole closed days are cheap
		}
		progress := false
		for _, s := range c.Week[weekday(day)] {
			a, b := z.spanInstants(day, s)
			if !b.After(a) {
				continue // inside a skipped hour, or invalid
			}
			progress = true
			if !b.After(cur) {
				continue
			}
			if hasLimit && !a.Before(limit) {
				return cur, used, true
			}
			if a.Before(cur) {
				a = cur
			}
			if hasLimit && b.After(limit) {
				b = limit
			}
			avail := b.Sub(a)
			if avail >= need-used {
				return a.Add(need - used), need, true
			}
			used += avail
			cur = b
		}
		if progress {
			closedRun = 0
		} else {
			closedRun++
		}
	}
}

func (c Calendar) loc() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

// alwaysOpen reports whether every day is 00:00–24:00 with no holidays; the
// days then tile time in any zone, so plain time arithmetic is exact.
func (c Calendar) alwaysOpen() bool {
	if len(c.Holidays) > 0 {
		return false
	}
	for _, spans := range c.Week {
		if len(spans) != 1 || spans[0] != (Span{0, EndOfDay}) {
			return false
		}
	}
	return true
}

// closed reports whether the local day (days since 1970-01-01) has no hours.
func (c Calendar) closed(day int64) bool {
	if len(c.Week[weekday(day)]) == 0 {
		return true
	}
	if len(c.Holidays) == 0 {
		return false
	}
	d := civil(day)
	return slices.Contains(c.Holidays, d)
}

// weekday of a day counted from 1970-01-01, a Thursday.
func weekday(day int64) time.Weekday {
	return time.Weekday(((day+4)%7 + 7) % 7)
}

// civil converts days since 1970-01-01 to a date (Howard Hinnant's
// civil_from_days), avoiding time.Date on the hot path.
func civil(day int64) Date {
	z := day + 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
		y++
	}
	return Date{Year: int(y), Month: time.Month(m), Day: int(d)}
}

// zoneCursor turns local wall-clock times into instants, remembering the last
// zone period so that days without a clock change need no lookup. It lives
// for one call; it is never shared.
type zoneCursor struct {
	loc              *time.Location
	ok               bool
	hasStart, hasEnd bool
	start, end       int64 // unix seconds bounding the cached period
	offset           int64 // seconds east of UTC in the cached period
}

// zoneMargin exceeds twice the largest UTC offset any zone has used (about
// 16 h), so that an instant this far into a period cannot have an earlier
// instant with a later wall clock.
const zoneMargin = 36 * 3600

// localDay returns the local date of t as days since 1970-01-01.
func (z *zoneCursor) localDay(t time.Time) int64 {
	_, off := t.In(z.loc).Zone()
	return floorDiv(t.Unix()+int64(off), 86400)
}

// spanInstants returns the real interval of span s on the local day.
func (z *zoneCursor) spanInstants(day int64, s Span) (time.Time, time.Time) {
	base := day * 86400
	return time.Unix(z.instant(base+int64(s.Start)*60), 0), time.Unix(z.instant(base+int64(s.End)*60), 0)
}

// instant returns the first instant (unix seconds) at which the local clock
// reads wall or later, wall being local seconds since 1970-01-01 as if UTC.
// In a skipped hour that is the moment the clocks jump; in a repeated hour,
// the first pass.
func (z *zoneCursor) instant(wall int64) int64 {
	if z.ok {
		x := wall - z.offset
		if (!z.hasStart || x >= z.start+zoneMargin) && (!z.hasEnd || x < z.end) {
			return x
		}
	}
	// No instant before wall-zoneMargin can read wall or later. Walk the zone
	// periods from there; within one, the wall clock rises with time.
	t := wall - zoneMargin
	for range 16 {
		tt := time.Unix(t, 0).In(z.loc)
		_, off := tt.Zone()
		s, e := tt.ZoneBounds()
		x := max(wall-int64(off), t)
		if e.IsZero() || x < e.Unix() {
			z.ok, z.offset = true, int64(off)
			z.hasStart, z.start = !s.IsZero(), s.Unix()
			z.hasEnd, z.end = !e.IsZero(), e.Unix()
			return x
		}
		t = e.Unix()
	}
	// Unreachable with real zone data (a few periods per 72 h); stay bounded.
	return wall - z.offset
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
