package sla

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the same zone rules on every machine
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// local parses "2006-01-02 15:04" in loc; fixtures avoid ambiguous times.
func local(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func utc(t testing.TB, s string) time.Time { return local(t, time.UTC, s) }

func clock(h, m int) Clock { return Clock(h*60 + m) }

// weekdays returns a calendar open Monday to Friday with the given spans.
func weekdays(loc *time.Location, spans ...Span) Calendar {
	c := Calendar{Location: loc}
	for d := time.Monday; d <= time.Friday; d++ {
		c.Week[d] = spans
	}
	return c
}

var nineToFive = Span{clock(9, 0), clock(17, 0)}

func TestParseClock(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    Clock
		wantErr string
	}{
		{"09:00", 540, ""},
		{"9:00", 540, ""},
		{"17:30", 1050, ""},
		{"00:00", 0, ""},
		{"24:00", EndOfDay, ""},
		{" 08:15 ", 495, ""},
		{"24:01", 0, "between 00:00 and 24:00"},
		{"25:00", 0, "between 00:00 and 24:00"},
		{"09:60", 0, "minutes must be 00–59"},
		{"0900", 0, "HH:MM"},
		{"9:5", 0, "HH:MM"},
		{"-1:00", 0, "HH:MM"},
		{"ab:cd", 0, "HH:MM"},
		{"", 0, "HH:MM"},
	} {
		got, err := ParseClock(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseClock(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestClockString(t *testing.T) {
	for _, tt := range []struct {
		c    Clock
		want string
	}{
		{0, "00:00"}, {540, "09:00"}, {1050, "17:30"}, {EndOfDay, "24:00"}, {-1, "Clock(-1)"}, {1441, "Clock(1441)"},
	} {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("Clock(%d).String() = %q, want %q", int(tt.c), got, tt.want)
		}
		if tt.c >= 0 && tt.c <= EndOfDay {
			if back, err := ParseClock(tt.want); err != nil || back != tt.c {
				t.Errorf("ParseClock(%q) = %d, %v; want %d", tt.want, back, err, tt.c)
			}
		}
	}
}

func TestValidate(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	withMonday := func(spans ...Span) Calendar {
		c := weekdays(ny, nineToFive)
		c.Week[time.Monday] = spans
		return c
	}
	for _, tt := range []struct {
		name string
		cal  Calendar
		want []string // substrings of the error; none = valid
	}{
		{"business hours", weekdays(ny, nineToFive), nil},
		{"24x7", TwentyFourSeven(), nil},
		{"two spans", weekdays(ny, Span{540, 720}, Span{780, 1080}), nil},
		{"touching spans", weekdays(ny, Span{540, 720}, Span{720, 1080}), nil},
		{"one day only", Calendar{Location: ny, Week: [7][]Span{time.Sunday: {{0, EndOfDay}}}}, nil},
		{"holidays", Calendar{Location: ny, Week: weekdays(ny, nineToFive).Week, Holidays: []Date{{2025, 12, 25}, {2024, 2, 29}}}, nil},
		{"nil location", weekdays(nil, nineToFive), []string{"no time zone"}},
		{"start after end", withMonday(Span{1020, 540}), []string{"Monday span 1 (17:00–09:00): start must be before end"}},
		{"empty span", withMonday(Span{540, 540}), []string{"Monday span 1 (09:00–09:00)"}},
		{"past midnight", withMonday(Span{540, 1500}), []string{"Monday span 1 (09:00–Clock(1500)): times must be between"}},
		{"negative", withMonday(Span{-60, 540}), []string{"Monday span 1"}},
		{"overlap", withMonday(Span{540, 720}, Span{660, 780}), []string{"Monday spans 1 (09:00–12:00) and 2 (11:00–13:00) overlap or are out of order"}},
		{"unsorted", withMonday(Span{780, 1080}, Span{540, 720}), []string{"Monday spans 1 (13:00–18:00) and 2 (09:00–12:00)"}},
		{"never open", Calendar{Location: ny}, []string{"never open"}},
		{"only invalid spans", Calendar{Location: ny, Week: [7][]Span{time.Friday: {{600, 600}}}}, []string{"Friday span 1", "never open"}},
		{"bad holiday", Calendar{Location: ny, Week: weekdays(ny, nineToFive).Week, Holidays: []Date{{2025, 2, 29}, {2025, 13, 1}}}, []string{"holiday 2025-02-29", "holiday 2025-13-01"}},
		{"all problems at once", Calendar{Week: withMonday(Span{600, 540}).Week}, []string{"no time zone", "Monday span 1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cal.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want errors containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

// calendars used across tests; built per test so nothing is shared mutable.
type fixtures struct {
	ny, auckland, stJohns, kolkata, london *time.Location
	business                               Calendar // New York, Mon–Fri 09:00–17:00
	holidays                               Calendar // business plus Christmas and New Year
	lunch                                  Calendar // New York, Mon–Fri 09:00–12:00 and 13:00–18:00
	sundays                                Calendar // New York, Sunday 00:00–24:00 only
}

func newFixtures(t testing.TB) fixtures {
	f := fixtures{
		ny:       mustLoc(t, "America/New_York"),
		auckland: mustLoc(t, "Pacific/Auckland"),
		stJohns:  mustLoc(t, "America/St_Johns"),
		kolkata:  mustLoc(t, "Asia/Kolkata"),
		london:   mustLoc(t, "Europe/London"),
	}
	f.business = weekdays(f.ny, nineToFive)
	f.holidays = weekdays(f.ny, nineToFive)
	f.holidays.Holidays = []Date{{2025, time.December, 25}, {2025, time.December, 26}, {2026, time.January, 1}}
	f.lunch = weekdays(f.ny, Span{clock(9, 0), clock(12, 0)}, Span{clock(13, 0), clock(18, 0)})
	f.sundays = Calendar{Location: f.ny, Week: [7][]Span{time.Sunday: {{0, EndOfDay}}}}
	return f
}

func TestAdd(t *testing.T) {
	f := newFixtures(t)
	sundaySpan := func(s Span) Calendar { return Calendar{Location: f.ny, Week: [7][]Span{time.Sunday: {s}}} }
	for _, tt := range []struct {
		name  string
		cal   Calendar
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"within a day", f.business, local(t, f.ny, "2025-01-06 10:00"), 3 * time.Hour, local(t, f.ny, "2025-01-06 13:00")},
		{"friday into monday", f.business, local(t, f.ny, "2025-01-03 16:00"), 4 * time.Hour, local(t, f.ny, "2025-01-06 12:00")},
		{"friday into monday across spring forward", f.business, local(t, f.ny, "2025-03-07 16:00"), 4 * time.Hour, local(t, f.ny, "2025-03-10 12:00")},
		{"friday into monday across fall back", f.business, local(t, f.ny, "2025-10-31 16:00"), 4 * time.Hour, local(t, f.ny, "2025-11-03 12:00")},
		{"start on saturday", f.business, local(t, f.ny, "2025-01-04 10:00"), time.Hour, local(t, f.ny, "2025-01-06 10:00")},
		{"start before opening", f.business, local(t, f.ny, "2025-01-06 07:00"), 30 * time.Minute, local(t, f.ny, "2025-01-06 09:30")},
		{"start after closing", f.business, local(t, f.ny, "2025-01-06 20:00"), 30 * time.Minute, local(t, f.ny, "2025-01-07 09:30")},
		{"ends exactly at closing", f.business, local(t, f.ny, "2025-01-06 13:00"), 4 * time.Hour, local(t, f.ny, "2025-01-06 17:00")},
		{"start at closing", f.business, local(t, f.ny, "2025-01-06 17:00"), time.Minute, local(t, f.ny, "2025-01-07 09:01")},
		{"a working week", f.business, local(t, f.ny, "2025-01-06 09:00"), 40 * time.Hour, local(t, f.ny, "2025-01-10 17:00")},
		{"a week and an hour", f.business, local(t, f.ny, "2025-01-06 09:00"), 41 * time.Hour, local(t, f.ny, "2025-01-13 10:00")},
		{"sub-second start", f.business, local(t, f.ny, "2025-01-06 09:00").Add(1500 * time.Millisecond), 90 * time.Second, local(t, f.ny, "2025-01-06 09:01").Add(31500 * time.Millisecond)},
		{"sub-second start before opening", f.business, local(t, f.ny, "2025-01-06 09:00").Add(-500 * time.Millisecond), 90 * time.Second, local(t, f.ny, "2025-01-06 09:01").Add(30 * time.Second)},
		{"zero duration outside hours", f.business, local(t, f.ny, "2025-01-04 10:00"), 0, local(t, f.ny, "2025-01-04 10:00")},
		{"negative duration", f.business, local(t, f.ny, "2025-01-06 10:00"), -time.Hour, local(t, f.ny, "2025-01-06 10:00")},
		{"over christmas", f.holidays, local(t, f.ny, "2025-12-24 16:00"), 2 * time.Hour, local(t, f.ny, "2025-12-29 10:00")},
		{"start on a holiday", f.holidays, local(t, f.ny, "2025-12-25 10:00"), time.Hour, local(t, f.ny, "2025-12-29 10:00")},
		{"over new year", f.holidays, local(t, f.ny, "2025-12-31 16:00"), 2 * time.Hour, local(t, f.ny, "2026-01-02 10:00")},
		{"year boundary without holidays", f.business, local(t, f.ny, "2025-12-31 16:00"), 2 * time.Hour, local(t, f.ny, "2026-01-01 10:00")},
		{"leap day", f.business, local(t, f.ny, "2024-02-28 16:00"), 2 * time.Hour, local(t, f.ny, "2024-02-29 10:00")},
		{"across lunch", f.lunch, local(t, f.ny, "2025-01-06 11:00"), 2 * time.Hour, local(t, f.ny, "2025-01-06 14:00")},
		{"start at lunch", f.lunch, local(t, f.ny, "2025-01-06 12:30"), time.Hour, local(t, f.ny, "2025-01-06 14:00")},
		{"morning span exactly", f.lunch, local(t, f.ny, "2025-01-06 09:00"), 3 * time.Hour, local(t, f.ny, "2025-01-06 12:00")},
		{"lunch day into next", f.lunch, local(t, f.ny, "2025-01-06 17:00"), 2 * time.Hour, local(t, f.ny, "2025-01-07 10:00")},
		// 2025-03-09 has 23 hours in New York, 2025-11-02 has 25.
		{"23-hour day", f.sundays, local(t, f.ny, "2025-03-09 00:00"), 23 * time.Hour, local(t, f.ny, "2025-03-10 00:00")},
		{"23-hour day plus a minute", f.sundays, local(t, f.ny, "2025-03-09 00:00"), 23*time.Hour + time.Minute, local(t, f.ny, "2025-03-16 00:01")},
		{"25-hour day", f.sundays, local(t, f.ny, "2025-11-02 00:00"), 25 * time.Hour, local(t, f.ny, "2025-11-03 00:00")},
		{"25-hour day, third hour is the repeated 01:00 EST", f.sundays, local(t, f.ny, "2025-11-02 00:00"), 2 * time.Hour, utc(t, "2025-11-02 06:00")},
		{"span across the skipped hour", sundaySpan(Span{clock(1, 0), clock(4, 0)}), local(t, f.ny, "2025-03-09 00:00"), 2 * time.Hour, local(t, f.ny, "2025-03-09 04:00")},
		{"span starting in the skipped hour opens at the jump", sundaySpan(Span{clock(2, 30), clock(4, 0)}), local(t, f.ny, "2025-03-08 12:00"), 30 * time.Minute, local(t, f.ny, "2025-03-09 03:30")},
		{"span ending in the repeated hour ends at its first pass", sundaySpan(Span{0, clock(1, 30)}), local(t, f.ny, "2025-11-02 00:00"), 90 * time.Minute, utc(t, "2025-11-02 05:30")},
		{"auckland friday into monday across DST end", weekdays(f.auckland, nineToFive), local(t, f.auckland, "2025-04-04 16:00"), 4 * time.Hour, local(t, f.auckland, "2025-04-07 12:00")},
		{"auckland monday is sunday in UTC", weekdays(f.auckland, nineToFive), utc(t, "2025-01-05 19:00"), time.Hour, utc(t, "2025-01-05 21:00")},
		{"st johns half-hour offset", weekdays(f.stJohns, nineToFive), local(t, f.stJohns, "2025-01-03 16:30"), time.Hour, utc(t, "2025-01-06 13:00")},
		{"st johns across spring forward", weekdays(f.stJohns, nineToFive), local(t, f.stJohns, "2025-03-07 16:30"), time.Hour, utc(t, "2025-03-10 12:00")},
		{"kolkata", weekdays(f.kolkata, nineToFive), utc(t, "2025-01-03 11:00"), time.Hour, utc(t, "2025-01-06 04:00")},
		{"24x7 is plain arithmetic", TwentyFourSeven(), utc(t, "2025-03-07 16:00"), 100 * time.Hour, utc(t, "2025-03-11 20:00")},
		{"24x7 in a DST zone is plain arithmetic", func() Calendar { c := TwentyFourSeven(); c.Location = f.ny; return c }(), local(t, f.ny, "2025-03-08 12:00"), 24 * time.Hour, utc(t, "2025-03-09 17:00")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.cal.Add(tt.start, tt.d)
			if !got.Equal(tt.want) {
				t.Fatalf("Add(%s, %s) = %s, want %s", tt.start, tt.d, got, tt.want)
			}
			if got.Location() != tt.start.Location() {
				t.Errorf("Add returned location %s, want start's %s", got.Location(), tt.start.Location())
			}
			if tt.d > 0 {
				if b := tt.cal.Between(tt.start, got); b != tt.d {
					t.Errorf("Between(start, Add(start, d)) = %s, want %s", b, tt.d)
				}
			}
		})
	}
}

func TestBetween(t *testing.T) {
	f := newFixtures(t)
	for _, tt := range []struct {
		name     string
		cal      Calendar
		from, to time.Time
		want     time.Duration
	}{
		{"within a day", f.business, local(t, f.ny, "2025-01-06 10:00"), local(t, f.ny, "2025-01-06 12:30"), 150 * time.Minute},
		{"friday to monday", f.business, local(t, f.ny, "2025-01-03 16:00"), local(t, f.ny, "2025-01-06 12:00"), 4 * time.Hour},
		{"a calendar week", f.business, local(t, f.ny, "2025-01-05 00:00"), local(t, f.ny, "2025-01-12 00:00"), 40 * time.Hour},
		{"a week over spring forward is still 40h", f.business, local(t, f.ny, "2025-03-08 00:00"), local(t, f.ny, "2025-03-15 00:00"), 40 * time.Hour},
		{"a week over fall back is still 40h", f.business, local(t, f.ny, "2025-11-01 00:00"), local(t, f.ny, "2025-11-08 00:00"), 40 * time.Hour},
		{"weekend only", f.business, local(t, f.ny, "2025-01-03 17:00"), local(t, f.ny, "2025-01-06 09:00"), 0},
		{"to before from", f.business, local(t, f.ny, "2025-01-06 12:00"), local(t, f.ny, "2025-01-06 10:00"), 0},
		{"empty", f.business, local(t, f.ny, "2025-01-06 12:00"), local(t, f.ny, "2025-01-06 12:00"), 0},
		{"christmas week", f.holidays, local(t, f.ny, "2025-12-22 00:00"), local(t, f.ny, "2025-12-29 00:00"), 24 * time.Hour},
		{"over new year", f.holidays, local(t, f.ny, "2025-12-31 12:00"), local(t, f.ny, "2026-01-02 12:00"), 8 * time.Hour},
		{"lunch day", f.lunch, local(t, f.ny, "2025-01-06 00:00"), local(t, f.ny, "2025-01-07 00:00"), 8 * time.Hour},
		{"in lunch", f.lunch, local(t, f.ny, "2025-01-06 12:10"), local(t, f.ny, "2025-01-06 12:50"), 0},
		{"23-hour sunday", f.sundays, local(t, f.ny, "2025-03-08 12:00"), local(t, f.ny, "2025-03-10 12:00"), 23 * time.Hour},
		{"25-hour sunday", f.sundays, local(t, f.ny, "2025-11-01 12:00"), local(t, f.ny, "2025-11-03 12:00"), 25 * time.Hour},
		{"ordinary sunday", f.sundays, local(t, f.ny, "2025-01-04 12:00"), local(t, f.ny, "2025-01-06 12:00"), 24 * time.Hour},
		{"auckland 25-hour sunday", Calendar{Location: f.auckland, Week: [7][]Span{time.Sunday: {{0, EndOfDay}}}}, local(t, f.auckland, "2025-04-05 12:00"), local(t, f.auckland, "2025-04-07 12:00"), 25 * time.Hour},
		{"auckland 23-hour sunday", Calendar{Location: f.auckland, Week: [7][]Span{time.Sunday: {{0, EndOfDay}}}}, local(t, f.auckland, "2025-09-27 12:00"), local(t, f.auckland, "2025-09-29 12:00"), 23 * time.Hour},
		{"auckland week over DST end", weekdays(f.auckland, nineToFive), local(t, f.auckland, "2025-04-05 00:00"), local(t, f.auckland, "2025-04-12 00:00"), 40 * time.Hour},
		{"st johns day in UTC", weekdays(f.stJohns, nineToFive), utc(t, "2025-01-06 00:00"), utc(t, "2025-01-07 00:00"), 8 * time.Hour},
		{"st johns partial", weekdays(f.stJohns, nineToFive), utc(t, "2025-01-06 12:00"), utc(t, "2025-01-06 13:00"), 30 * time.Minute},
		{"kolkata partial", weekdays(f.kolkata, nineToFive), utc(t, "2025-01-06 03:00"), utc(t, "2025-01-06 04:00"), 30 * time.Minute},
		{"24x7", TwentyFourSeven(), utc(t, "2025-01-01 00:00"), utc(t, "2026-01-01 00:00"), 365 * 24 * time.Hour},
		{"a year of business hours", f.business, utc(t, "2025-01-01 00:00"), utc(t, "2026-01-01 00:00"), 261 * 8 * time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cal.Between(tt.from, tt.to); got != tt.want {
				t.Errorf("Between(%s, %s) = %s, want %s", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestIsOpen(t *testing.T) {
	f := newFixtures(t)
	nyEveryDay := Calendar{Location: f.ny}
	for d := range nyEveryDay.Week {
		nyEveryDay.Week[d] = []Span{nineToFive}
	}
	sundaySpan := func(s Span) Calendar { return Calendar{Location: f.ny, Week: [7][]Span{time.Sunday: {s}}} }
	for _, tt := range []struct {
		name string
		cal  Calendar
		at   time.Time
		want bool
	}{
		{"opening minute", f.business, local(t, f.ny, "2025-01-06 09:00"), true},
		{"before opening", f.business, local(t, f.ny, "2025-01-06 09:00").Add(-time.Nanosecond), false},
		{"last instant", f.business, local(t, f.ny, "2025-01-06 17:00").Add(-time.Nanosecond), true},
		{"closing", f.business, local(t, f.ny, "2025-01-06 17:00"), false},
		{"saturday", f.business, local(t, f.ny, "2025-01-04 12:00"), false},
		{"holiday", f.holidays, local(t, f.ny, "2025-12-25 12:00"), false},
		{"day after holiday is closed too", f.holidays, local(t, f.ny, "2025-12-26 12:00"), false},
		{"monday after christmas", f.holidays, local(t, f.ny, "2025-12-29 12:00"), true},
		{"lunch", f.lunch, local(t, f.ny, "2025-01-06 12:00"), false},
		{"afternoon", f.lunch, local(t, f.ny, "2025-01-06 17:59"), true},
		{"DST day keeps local 09:00 (13:00Z, not 14:00Z)", nyEveryDay, utc(t, "2025-03-09 13:00"), true},
		{"DST day before local 09:00", nyEveryDay, utc(t, "2025-03-09 12:59"), false},
		{"fall back day keeps local 09:00 (14:00Z)", nyEveryDay, utc(t, "2025-11-02 14:00"), true},
		{"fall back day before local 09:00", nyEveryDay, utc(t, "2025-11-02 13:59"), false},
		{"jump instant opens a span starting in the gap", sundaySpan(Span{clock(2, 30), clock(4, 0)}), utc(t, "2025-03-09 07:00"), true},
		{"first pass of the repeated hour", sundaySpan(Span{0, clock(1, 30)}), utc(t, "2025-11-02 05:15"), true},
		{"second pass of the repeated hour is after the span", sundaySpan(Span{0, clock(1, 30)}), utc(t, "2025-11-02 06:15"), false},
		{"auckland monday while UTC is sunday", weekdays(f.auckland, nineToFive), utc(t, "2025-01-05 21:00"), true},
		{"auckland friday evening while UTC is friday morning", weekdays(f.auckland, nineToFive), utc(t, "2025-01-10 05:00"), false},
		{"st johns 09:00 is 12:30Z", weekdays(f.stJohns, nineToFive), utc(t, "2025-01-06 12:30"), true},
		{"st johns 08:59 is 12:29Z", weekdays(f.stJohns, nineToFive), utc(t, "2025-01-06 12:29"), false},
		{"kolkata 09:00 is 03:30Z", weekdays(f.kolkata, nineToFive), utc(t, "2025-01-06 03:30"), true},
		{"kolkata 08:59 is 03:29Z", weekdays(f.kolkata, nineToFive), utc(t, "2025-01-06 03:29"), false},
		{"24x7", TwentyFourSeven(), utc(t, "2025-01-04 03:00"), true},
		{"never open", Calendar{Location: f.ny}, utc(t, "2025-01-06 15:00"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cal.IsOpen(tt.at); got != tt.want {
				t.Errorf("IsOpen(%s) = %t, want %t", tt.at, got, tt.want)
			}
		})
	}
}

func TestNeverOpenCalendarTerminates(t *testing.T) {
	start := time.Date(2025, 1, 6, 10, 0, 0, 0, time.UTC)
	allHolidays := weekdays(time.UTC, nineToFive)
	for d := range 3 * 366 {
		day := start.AddDate(0, 0, d)
		allHolidays.Holidays = append(allHolidays.Holidays, Date{day.Year(), day.Month(), day.Day()})
	}
	for name, c := range map[string]Calendar{
		"empty week":              {Location: time.UTC},
		"only invalid spans":      {Location: time.UTC, Week: [7][]Span{{{600, 600}}, {{700, 600}}}},
		"three years of holidays": allHolidays,
	} {
		t.Run(name, func(t *testing.T) {
			if got := c.Add(start, time.Hour); !got.IsZero() {
				t.Errorf("Add = %s, want the zero time", got)
			}
			if got, _ := c.Due(start, time.Hour, nil); !got.IsZero() {
				t.Errorf("Due = %s, want the zero time", got)
			}
			if got := c.Between(start, start.AddDate(1, 0, 0)); got != 0 {
				t.Errorf("Between = %s, want 0", got)
			}
		})
	}
}

func TestDueAndRemaining(t *testing.T) {
	f := newFixtures(t)
	at := func(s string) time.Time { return local(t, f.ny, s) }
	monday9 := at("2025-01-06 09:00")
	for _, tt := range []struct {
		name       string
		start      time.Time
		target     time.Duration
		pauses     []Pause
		wantDue    time.Time
		wantPaused bool
		now        time.Time
		wantLeft   time.Duration
	}{
		{"no pauses", monday9, 4 * time.Hour, nil, at("2025-01-06 13:00"), false, at("2025-01-06 12:00"), time.Hour},
		{"breached", monday9, 4 * time.Hour, nil, at("2025-01-06 13:00"), false, at("2025-01-06 15:00"), -2 * time.Hour},
		{"before start", monday9, 4 * time.Hour, nil, at("2025-01-06 13:00"), false, at("2025-01-06 08:00"), 4 * time.Hour},
		{"zero target", monday9, 0, nil, monday9, false, monday9, 0},
		{"one pause", monday9, 4 * time.Hour, []Pause{{at("2025-01-06 10:00"), at("2025-01-06 11:00")}}, at("2025-01-06 14:00"), false, at("2025-01-06 12:00"), 2 * time.Hour},
		{"now inside a closed pause", monday9, 4 * time.Hour, []Pause{{at("2025-01-06 10:00"), at("2025-01-06 11:00")}}, at("2025-01-06 14:00"), false, at("2025-01-06 10:30"), 3 * time.Hour},
		{"pause over the weekend changes nothing", at("2025-01-03 16:00"), 4 * time.Hour, []Pause{{at("2025-01-03 18:00"), at("2025-01-06 08:00")}}, at("2025-01-06 12:00"), false, at("2025-01-06 10:00"), 2 * time.Hour},
		{"pause from before start", monday9, 4 * time.Hour, []Pause{{at("2025-01-06 08:00"), at("2025-01-06 10:00")}}, at("2025-01-06 14:00"), false, at("2025-01-06 11:00"), 3 * time.Hour},
		{"pause entirely before start", monday9, 4 * time.Hour, []Pause{{at("2025-01-03 10:00"), at("2025-01-03 11:00")}}, at("2025-01-06 13:00"), false, at("2025-01-06 12:00"), time.Hour},
		{"overlapping pauses out of order", monday9, 4 * time.Hour, []Pause{{at("2025-01-06 10:30"), at("2025-01-06 12:00")}, {at("2025-01-06 10:00"), at("2025-01-06 11:00")}}, at("2025-01-06 15:00"), false, at("2025-01-06 13:00"), 2 * time.Hour},
		{"nested pause", monday9, 4 * time.Hour, []Pause{{at("2025-01-06 10:00"), at("2025-01-06 12:00")}, {at("2025-01-06 10:30"), at("2025-01-06 11:00")}}, at("2025-01-06 15:00"), false, at("2025-01-06 15:00"), 0},
		{"pause pushes due past closing", monday9, 7 * time.Hour, []Pause{{at("2025-01-06 10:00"), at("2025-01-06 12:00")}}, at("2025-01-07 10:00"), false, at("2025-01-07 10:00"), 0},
		{"due exactly at a pause start", monday9, time.Hour, []Pause{{at("2025-01-06 10:00"), at("2025-01-06 11:00")}}, at("2025-01-06 10:00"), false, at("2025-01-06 10:00"), 0},
		{"three pauses", monday9, 10 * time.Hour, []Pause{
			{at("2025-01-06 10:00"), at("2025-01-06 11:00")},
			{at("2025-01-06 16:00"), at("2025-01-07 10:00")},
			{at("2025-01-07 12:00"), at("2025-01-07 12:30")},
		}, at("2025-01-07 14:30"), false, at("2025-01-07 12:15"), 2 * time.Hour},
		{"open pause", monday9, 4 * time.Hour, []Pause{{From: at("2025-01-06 11:00")}}, at("2025-01-06 13:00"), true, at("2025-01-08 15:00"), 2 * time.Hour},
		{"open pause from before start", monday9, 4 * time.Hour, []Pause{{From: at("2025-01-06 08:00")}}, at("2025-01-06 13:00"), true, at("2025-01-08 15:00"), 4 * time.Hour},
		{"open pause after a closed one", monday9, 4 * time.Hour, []Pause{{at("2025-01-06 10:00"), at("2025-01-06 11:00")}, {From: at("2025-01-06 12:00")}}, at("2025-01-06 14:00"), true, at("2025-01-07 09:00"), 2 * time.Hour},
		{"open pause after breach", monday9, time.Hour, []Pause{{From: at("2025-01-06 11:00")}}, at("2025-01-06 10:00"), true, at("2025-01-06 12:00"), -time.Hour},
		{"open pause out of hours", at("2025-01-03 16:00"), 4 * time.Hour, []Pause{{From: at("2025-01-03 20:00")}}, at("2025-01-06 12:00"), true, at("2025-01-06 12:00"), 3 * time.Hour},
		{"pause not yet begun at now", monday9, 4 * time.Hour, []Pause{{at("2025-01-06 12:00"), at("2025-01-06 14:00")}}, at("2025-01-06 15:00"), false, at("2025-01-06 11:00"), 2 * time.Hour},
		{"empty and inverted pauses are ignored", monday9, 4 * time.Hour, []Pause{{at("2025-01-06 10:00"), at("2025-01-06 10:00")}, {at("2025-01-06 11:00"), at("2025-01-06 10:30")}}, at("2025-01-06 13:00"), false, at("2025-01-06 12:00"), time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.pauses)
			due, paused := f.business.Due(tt.start, tt.target, tt.pauses)
			if !due.Equal(tt.wantDue) || paused != tt.wantPaused {
				t.Errorf("Due = %s, %t; want %s, %t", due, paused, tt.wantDue, tt.wantPaused)
			}
			if left := f.business.Remaining(tt.start, tt.target, tt.pauses, tt.now); left != tt.wantLeft {
				t.Errorf("Remaining at %s = %s, want %s", tt.now, left, tt.wantLeft)
			}
			if !slices.Equal(before, tt.pauses) {
				t.Errorf("pauses were modified: %v, was %v", tt.pauses, before)
			}
		})
	}
}

// Calendars for the property tests. Span edges avoid the hours that repeat
// when clocks fall back, where the wall-clock oracle below and a span's
// first-pass end legitimately differ.
func propertyCalendars(t testing.TB) map[string]Calendar {
	f := newFixtures(t)
	london := Calendar{Location: f.london, Holidays: []Date{{2025, 12, 25}, {2026, 4, 3}, {2024, 3, 29}}}
	for d := time.Monday; d <= time.Friday; d++ {
		london.Week[d] = []Span{{clock(0, 30), clock(4, 0)}, {clock(9, 0), clock(12, 0)}, {clock(13, 0), clock(17, 30)}, {clock(22, 0), EndOfDay}}
	}
	london.Week[time.Sunday] = []Span{{0, EndOfDay}}
	auckland := weekdays(f.auckland, Span{clock(8, 0), clock(20, 0)})
	auckland.Week[time.Saturday] = []Span{{clock(4, 0), clock(4, 15)}}
	auckland.Week[time.Sunday] = []Span{{0, clock(0, 30)}, {clock(22, 0), EndOfDay}}
	oneDay := Calendar{Location: f.stJohns, Week: [7][]Span{time.Wednesday: {{clock(9, 0), clock(9, 30)}}}}
	ny24 := f.sundays
	for d := range ny24.Week {
		ny24.Week[d] = []Span{{0, EndOfDay}}
	}
	ny24.Holidays = []Date{{2025, 7, 4}} // not alwaysOpen: exercises the slow path over DST
	return map[string]Calendar{
		"new york business":    f.holidays,
		"new york lunch":       f.lunch,
		"new york sundays":     f.sundays,
		"new york 24x7 w/ hol": ny24,
		"london":               london,
		"auckland":             auckland,
		"st johns wednesday":   oneDay,
		"kolkata":              weekdays(f.kolkata, nineToFive),
		"24x7":                 TwentyFourSeven(),
	}
}

// openByWallClock is an independent oracle: t is open when its local date is
// not a holiday and its local clock falls in one of the day's spans.
func openByWallClock(c Calendar, t time.Time) bool {
	lt := t.In(c.Location)
	y, m, d := lt.Date()
	if slices.Contains(c.Holidays, Date{y, m, d}) {
		return false
	}
	now := Clock(lt.Hour()*60 + lt.Minute())
	for _, s := range c.Week[lt.Weekday()] {
		if s.Start <= now && now < s.End {
			return true
		}
	}
	return false
}

// randomStart picks a minute between 2024 and 2027, half the time within a
// few days of a clock change so that DST days are well covered.
func randomStart(r *rand.Rand, loc *time.Location) time.Time {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	t := base.Add(time.Duration(r.IntN(3*366*24*60)) * time.Minute)
	if r.IntN(2) == 0 {
		if _, end := t.In(loc).ZoneBounds(); !end.IsZero() {
			t = end.Add(time.Duration(r.IntN(6*24*60)-3*24*60) * time.Minute)
		}
	}
	return t
}

func TestAddBetweenProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for name, c := range propertyCalendars(t) {
		t.Run(name, func(t *testing.T) {
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			for range 2000 {
				s := randomStart(r, c.Location)
				d := time.Duration(1+r.IntN(14*24*60)) * time.Minute
				if r.IntN(4) == 0 {
					d += time.Duration(r.Int64N(int64(time.Minute))) // sub-minute remainders
				}
				got := c.Add(s, d)
				if b := c.Between(s, got); b != d {
					t.Fatalf("Between(%s, Add(%s, %s) = %s) = %s", s, s, d, got, b)
				}
				// got is the first instant with d behind it, and never in a closed period.
				if b := c.Between(s, got.Add(-time.Nanosecond)); b != d-time.Nanosecond {
					t.Fatalf("Between(%s, %s - 1ns) = %s, want %s", s, got, b, d-time.Nanosecond)
				}
				if !c.IsOpen(got) && !c.IsOpen(got.Add(-time.Nanosecond)) {
					t.Fatalf("Add(%s, %s) = %s, inside a closed period", s, d, got)
				}
				// Splitting a duration does not change where it ends.
				d1 := time.Duration(r.Int64N(int64(d)))
				if two := c.Add(c.Add(s, d1), d-d1); !two.Equal(got) {
					t.Fatalf("Add(Add(%s, %s), %s) = %s, want %s", s, d1, d-d1, two, got)
				}
				if c.alwaysOpen() && !got.Equal(s.Add(d)) {
					t.Fatalf("24x7 Add(%s, %s) = %s, want %s", s, d, got, s.Add(d))
				}
			}
		})
	}
}

func TestBetweenMatchesWallClockOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for name, c := range propertyCalendars(t) {
		t.Run(name, func(t *testing.T) {
			for range 150 {
				from := randomStart(r, c.Location)
				to := from.Add(time.Duration(r.IntN(4*24*60)) * time.Minute)
				var want time.Duration
				for m := from; m.Before(to); m = m.Add(time.Minute) {
					open := openByWallClock(c, m)
					if open {
						want += time.Minute
					}
					if open != c.IsOpen(m) {
						t.Fatalf("IsOpen(%s) = %t, oracle says %t", m, !open, open)
					}
				}
				if got := c.Between(from, to); got != want {
					t.Fatalf("Between(%s, %s) = %s, oracle says %s", from, to, got, want)
				}
			}
		})
	}
}

func TestDueMatchesRemaining(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for name, c := range propertyCalendars(t) {
		t.Run(name, func(t *testing.T) {
			for range 500 {
				start := randomStart(r, c.Location)
				target := time.Duration(1+r.IntN(5*24*60)) * time.Minute
				var pauses []Pause
				at := start.Add(-time.Duration(r.IntN(24*60)) * time.Minute)
				for range r.IntN(4) {
					at = at.Add(time.Duration(r.IntN(3*24*60)) * time.Minute)
					end := at.Add(time.Duration(1+r.IntN(2*24*60)) * time.Minute)
					pauses = append(pauses, Pause{at, end})
					at = end
				}
				open := len(pauses) > 0 && r.IntN(3) == 0
				if open {
					pauses[len(pauses)-1].To = time.Time{}
				}
				r.Shuffle(len(pauses), func(i, j int) { pauses[i], pauses[j] = pauses[j], pauses[i] })

				due, paused := c.Due(start, target, pauses)
				if paused != open {
					t.Fatalf("Due paused = %t, want %t", paused, open)
				}
				if open {
					// The time left stays frozen for as long as the pause lasts.
					var from time.Time
					for _, p := range pauses {
						if p.To.IsZero() {
							from = p.From
						}
					}
					if from.Before(start) {
						from = start
					}
					left := c.Remaining(start, target, pauses, from)
					if later := c.Remaining(start, target, pauses, from.Add(1000*time.Hour)); later != left {
						t.Fatalf("Remaining changed during the open pause: %s then %s", left, later)
					}
					if left > 0 && !c.Add(from, left).Equal(due) {
						t.Fatalf("Due = %s, want Add(pause start, %s) = %s", due, left, c.Add(from, left))
					}
					continue
				}
				if left := c.Remaining(start, target, pauses, due); left != 0 {
					t.Fatalf("Remaining at Due (%s) = %s, want 0 (start %s, target %s, pauses %v)", due, left, start, target, pauses)
				}
				if left := c.Remaining(start, target, pauses, due.Add(-time.Nanosecond)); left != time.Nanosecond {
					t.Fatalf("Remaining just before Due = %s, want 1ns", left)
				}
			}
		})
	}
}

func TestCivil(t *testing.T) {
	for day := int64(-800_000); day < 800_000; day += 7 {
		want := time.Unix(day*86400, 0).UTC()
		got := civil(day)
		if got != (Date{want.Year(), want.Month(), want.Day()}) || weekday(day) != want.Weekday() {
			t.Fatalf("civil(%d) = %s %s, want %s", day, got, weekday(day), want)
		}
	}
}

func BenchmarkAdd(b *testing.B) {
	c := weekdays(mustLoc(b, "America/New_York"), nineToFive)
	start := local(b, c.Location, "2025-01-03 15:00") // Friday
	want := local(b, c.Location, "2025-01-06 11:00")
	for b.Loop() {
		if got := c.Add(start, 4*time.Hour); !got.Equal(want) {
			b.Fatal(got)
		}
	}
}

func BenchmarkDue(b *testing.B) {
	c := weekdays(mustLoc(b, "America/New_York"), nineToFive)
	at := func(s string) time.Time { return local(b, c.Location, s) }
	pauses := []Pause{
		{at("2025-01-06 10:00"), at("2025-01-06 11:00")},
		{at("2025-01-06 16:00"), at("2025-01-07 10:00")},
		{at("2025-01-07 12:00"), at("2025-01-07 12:30")},
	}
	start, want := at("2025-01-06 09:00"), at("2025-01-07 14:30")
	for b.Loop() {
		if got, _ := c.Due(start, 10*time.Hour, pauses); !got.Equal(want) {
			b.Fatal(got)
		}
	}
}

func BenchmarkRemainingAfterAMonth(b *testing.B) {
	c := weekdays(mustLoc(b, "America/New_York"), nineToFive)
	start := local(b, c.Location, "2025-01-06 09:00")
	now := local(b, c.Location, "2025-02-06 09:00")
	for b.Loop() {
		c.Remaining(start, 8*time.Hour, nil, now)
	}
}
