package oncall

import (
	"testing"
	"time"
)

var (
	alice = Member{ID: 1, Name: "Alice"}
	bob   = Member{ID: 2, Name: "Bob"}
	carol = Member{ID: 3, Name: "Carol"}
	dave  = Member{ID: 4, Name: "Dave"}
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

func TestWhoIsOnCall(t *testing.T) {
	ny, berlin := zone(t, "America/New_York"), zone(t, "Europe/Berlin")
	// New York springs forward on 2025-03-09 and falls back on 2025-11-02;
	// Berlin falls back on 2025-10-26 and springs forward on 2025-03-30.
	nyDaily := Layer{ID: 10, Position: 1, Name: "NY daily", Rotation: RotationDaily, HandoffTime: "09:00",
		StartsAt: utc("2025-03-07T17:00:00Z"), Users: []Member{alice, bob, carol}}
	berlinWeekly := Layer{ID: 20, Position: 1, Name: "Berlin weekly", Rotation: RotationWeekly, HandoffTime: "10:00", HandoffWeekday: time.Monday,
		StartsAt: utc("2025-10-20T08:00:00Z"), Users: []Member{alice, bob}}
	ending := nyDaily
	ending.EndsAt = ptr(utc("2025-03-08T20:00:00Z"))
	// Business hours on top of the daily layer: weekdays only, by a
	// weekly layer that starts Monday 09:00 and repeats for a day.
	dayShift := Layer{ID: 30, Position: 2, Name: "Tuesday", Rotation: RotationWeekly, HandoffTime: "09:00", HandoffWeekday: time.Tuesday,
		StartsAt: utc("2025-03-11T13:00:00Z"), EndsAt: ptr(utc("2025-03-11T21:00:00Z")), Users: []Member{dave}}
	repeated := Layer{ID: 40, Position: 1, Name: "twice", Rotation: RotationDaily, HandoffTime: "00:00",
		StartsAt: utc("2025-01-01T00:00:00Z"), Users: []Member{alice, alice, bob}}
	gap := Layer{ID: 50, Position: 1, Name: "in the gap", Rotation: RotationDaily, HandoffTime: "02:30",
		StartsAt: utc("2025-03-07T07:30:00Z"), Users: []Member{alice, bob}}
	replaceAll := Override{ID: 100, User: dave, StartsAt: utc("2025-03-08T15:00:00Z"), EndsAt: utc("2025-03-08T18:00:00Z")}
	replaceBob := Override{ID: 101, User: dave, ReplacesUser: &bob, StartsAt: utc("2025-03-08T00:00:00Z"), EndsAt: utc("2025-03-10T00:00:00Z")}
	newer := Override{ID: 102, User: alice, StartsAt: utc("2025-03-08T16:00:00Z"), EndsAt: utc("2025-03-08T17:00:00Z")}

	tests := []struct {
		name       string
		loc        *time.Location
		layers     []Layer
		overrides  []Override
		at         string
		want       int64 // 0: nobody
		start, end string
	}{
		{"before the layer starts", ny, []Layer{nyDaily}, nil, "2025-03-07T16:59:59Z", 0, "", ""},
		{"first shift from starts_at to the first hand-off", ny, []Layer{nyDaily}, nil, "2025-03-07T17:00:00Z", 1, "2025-03-07T17:00:00Z", "2025-03-08T14:00:00Z"},
		{"second shift, EST", ny, []Layer{nyDaily}, nil, "2025-03-08T14:00:00Z", 2, "2025-03-08T14:00:00Z", "2025-03-09T13:00:00Z"},
		{"09:00 EDT after spring forward: a 23-hour shift ends", ny, []Layer{nyDaily}, nil, "2025-03-09T12:59:59Z", 2, "2025-03-08T14:00:00Z", "2025-03-09T13:00:00Z"},
		{"third user at 09:00 EDT", ny, []Layer{nyDaily}, nil, "2025-03-09T13:00:00Z", 3, "2025-03-09T13:00:00Z", "2025-03-10T13:00:00Z"},
		{"back to the first user", ny, []Layer{nyDaily}, nil, "2025-03-10T13:00:00Z", 1, "2025-03-10T13:00:00Z", "2025-03-11T13:00:00Z"},
		{"weekly Berlin first week ends at 10:00 CET", berlin, []Layer{berlinWeekly}, nil, "2025-10-27T08:59:59Z", 1, "2025-10-20T08:00:00Z", "2025-10-27T09:00:00Z"},
		{"weekly Berlin second week", berlin, []Layer{berlinWeekly}, nil, "2025-10-27T09:00:00Z", 2, "2025-10-27T09:00:00Z", "2025-11-03T09:00:00Z"},
		{"weekly Berlin across spring forward", berlin, []Layer{berlinWeekly}, nil, "2026-03-30T08:00:00Z", 2, "2026-03-30T08:00:00Z", "2026-04-06T08:00:00Z"},
		{"layer end clips the shift", ny, []Layer{ending}, nil, "2025-03-08T19:00:00Z", 2, "2025-03-08T14:00:00Z", "2025-03-08T20:00:00Z"},
		{"nobody after the layer ends", ny, []Layer{ending}, nil, "2025-03-08T20:00:00Z", 0, "", ""},
		{"higher layer wins", ny, []Layer{nyDaily, dayShift}, nil, "2025-03-11T14:00:00Z", 4, "2025-03-11T13:00:00Z", "2025-03-11T21:00:00Z"},
		{"lower layer where the higher one does not cover", ny, []Layer{dayShift, nyDaily}, nil, "2025-03-11T22:00:00Z", 2, "2025-03-11T13:00:00Z", "2025-03-12T13:00:00Z"},
		{"a user listed twice takes two turns", time.UTC, []Layer{repeated}, nil, "2025-01-02T12:00:00Z", 1, "2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z"},
		{"then the next user", time.UTC, []Layer{repeated}, nil, "2025-01-03T12:00:00Z", 2, "2025-01-03T00:00:00Z", "2025-01-04T00:00:00Z"},
		{"override replaces whoever is on call", ny, []Layer{nyDaily}, []Override{replaceAll}, "2025-03-08T15:00:00Z", 4, "2025-03-08T15:00:00Z", "2025-03-08T18:00:00Z"},
		{"override ends", ny, []Layer{nyDaily}, []Override{replaceAll}, "2025-03-08T18:00:00Z", 2, "2025-03-08T14:00:00Z", "2025-03-09T13:00:00Z"},
		{"override of one user applies to their shift", ny, []Layer{nyDaily}, []Override{replaceBob}, "2025-03-08T20:00:00Z", 4, "2025-03-08T00:00:00Z", "2025-03-10T00:00:00Z"},
		{"override of one user skips others' shifts", ny, []Layer{nyDaily}, []Override{replaceBob}, "2025-03-08T10:00:00Z", 1, "2025-03-07T17:00:00Z", "2025-03-08T14:00:00Z"},
		{"override of one user skips others' shifts (later)", ny, []Layer{nyDaily}, []Override{replaceBob}, "2025-03-09T15:00:00Z", 3, "2025-03-09T13:00:00Z", "2025-03-10T13:00:00Z"},
		{"newest override wins", ny, []Layer{nyDaily}, []Override{replaceAll, newer}, "2025-03-08T16:30:00Z", 1, "2025-03-08T16:00:00Z", "2025-03-08T17:00:00Z"},
		{"override with no layer", ny, nil, []Override{replaceAll}, "2025-03-08T16:00:00Z", 4, "2025-03-08T15:00:00Z", "2025-03-08T18:00:00Z"},
		{"hand-off inside the skipped hour", ny, []Layer{gap}, nil, "2025-03-09T12:00:00Z", 1, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := newResolver(tt.loc, tt.layers, tt.overrides)
			if err != nil {
				t.Fatal(err)
			}
			at := utc(tt.at)
			s, ok := r.at(at)
			var got int64
			if ok {
				got = s.User.ID
			}
			if got != tt.want {
				t.Fatalf("on call at %s = %d, want %d", tt.at, got, tt.want)
			}
			if tt.start == "" {
				return
			}
			if !s.Start.Equal(utc(tt.start)) || !s.End.Equal(utc(tt.end)) {
				t.Errorf("shift %s – %s, want %s – %s", s.Start.UTC().Format(time.RFC3339), s.End.UTC().Format(time.RFC3339), tt.start, tt.end)
			}
		})
	}
}

// nyDaily with three users in November: the fall-back day has a 25-hour shift.
func TestFallBackShiftIsLonger(t *testing.T) {
	ny := zone(t, "America/New_York")
	l := Layer{ID: 1, Position: 1, Rotation: RotationDaily, HandoffTime: "09:00", StartsAt: utc("2025-10-31T13:00:00Z"), Users: []Member{alice, bob}}
	r, err := newResolver(ny, []Layer{l}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := r.at(utc("2025-11-02T12:00:00Z"))
	if !ok || !s.Start.Equal(utc("2025-11-01T13:00:00Z")) || !s.End.Equal(utc("2025-11-02T14:00:00Z")) {
		t.Fatalf("shift = %+v, want 2025-11-01T13:00Z – 2025-11-02T14:00Z (25 hours)", s)
	}
	if s.End.Sub(s.Start) != 25*time.Hour {
		t.Fatalf("fall-back shift lasts %v", s.End.Sub(s.Start))
	}
}

func TestTimeline(t *testing.T) {
	ny := zone(t, "America/New_York")
	daily := Layer{ID: 10, Position: 1, Name: "daily", Rotation: RotationDaily, HandoffTime: "09:00",
		StartsAt: utc("2025-03-07T17:00:00Z"), Users: []Member{alice, bob}}
	top := Layer{ID: 11, Position: 2, Name: "top", Rotation: RotationDaily, HandoffTime: "09:00",
		StartsAt: utc("2025-03-08T16:00:00Z"), EndsAt: ptr(utc("2025-03-08T18:00:00Z")), Users: []Member{carol}}
	o := Override{ID: 7, User: dave, ReplacesUser: &alice, StartsAt: utc("2025-03-09T20:00:00Z"), EndsAt: utc("2025-03-09T22:00:00Z")}
	r, err := newResolver(ny, []Layer{daily, top}, []Override{o})
	if err != nil {
		t.Fatal(err)
	}
	got := r.timeline(utc("2025-03-07T00:00:00Z"), utc("2025-03-11T00:00:00Z"))
	want := []struct {
		user       int64
		start, end string
	}{
		{1, "2025-03-07T17:00:00Z", "2025-03-08T14:00:00Z"},
		{2, "2025-03-08T14:00:00Z", "2025-03-08T16:00:00Z"},
		{3, "2025-03-08T16:00:00Z", "2025-03-08T18:00:00Z"},
		{2, "2025-03-08T18:00:00Z", "2025-03-09T13:00:00Z"},
		{1, "2025-03-09T13:00:00Z", "2025-03-09T20:00:00Z"},
		{4, "2025-03-09T20:00:00Z", "2025-03-09T22:00:00Z"},
		{1, "2025-03-09T22:00:00Z", "2025-03-10T13:00:00Z"},
		{2, "2025-03-10T13:00:00Z", "2025-03-11T00:00:00Z"},
	}
	if len(got) != len(want) {
		for _, s := range got {
			t.Logf("%d %s – %s", s.User.ID, s.Start.UTC().Format(time.RFC3339), s.End.UTC().Format(time.RFC3339))
		}
		t.Fatalf("%d shifts, want %d", len(got), len(want))
	}
	for i, w := range want {
		s := got[i]
		if s.User.ID != w.user || !s.Start.Equal(utc(w.start)) || !s.End.Equal(utc(w.end)) {
			t.Errorf("shift %d = %d %s – %s, want %d %s – %s", i, s.User.ID, s.Start.UTC().Format(time.RFC3339), s.End.UTC().Format(time.RFC3339), w.user, w.start, w.end)
		}
	}
	// The stretch around a time merges a one-person layer across hand-offs.
	solo := Layer{ID: 12, Position: 1, Rotation: RotationDaily, HandoffTime: "09:00", StartsAt: utc("2025-03-01T14:00:00Z"), EndsAt: ptr(utc("2025-03-05T14:00:00Z")), Users: []Member{alice}}
	r, _ = newResolver(ny, []Layer{solo}, nil)
	cur, ok := r.current(utc("2025-03-03T00:00:00Z"))
	if !ok || !cur.Start.Equal(utc("2025-03-01T14:00:00Z")) || !cur.End.Equal(utc("2025-03-05T14:00:00Z")) {
		t.Fatalf("current = %+v", cur)
	}
}

func TestParsing(t *testing.T) {
	for _, s := range []string{"9:00", "09:00", "23:59", "00:00"} {
		if _, _, err := parseHandoff(s); err != nil {
			t.Errorf("parseHandoff(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "24:00", "9", "09:60", "9:5", "aa:bb", "-1:00"} {
		if _, _, err := parseHandoff(s); err == nil {
			t.Errorf("parseHandoff(%q) accepted", s)
		}
	}
	for s, want := range map[string]time.Weekday{"monday": time.Monday, "Sun": time.Sunday, "6": time.Saturday} {
		if d, ok := ParseWeekday(s); !ok || d != want {
			t.Errorf("ParseWeekday(%q) = %v, %v", s, d, ok)
		}
	}
	for _, s := range []string{"", "mo", "7", "funday"} {
		if _, ok := ParseWeekday(s); ok {
			t.Errorf("ParseWeekday(%q) accepted", s)
		}
	}
	for _, z := range []string{"", "Local", "Mars/Olympus"} {
		if _, err := LoadZone(z); err == nil {
			t.Errorf("LoadZone(%q) accepted", z)
		}
	}
}

func BenchmarkUsersOnCallResolve(b *testing.B) {
	ny, _ := LoadZone("America/New_York")
	layers := []Layer{
		{ID: 1, Position: 1, Rotation: RotationWeekly, HandoffTime: "09:00", HandoffWeekday: time.Monday, StartsAt: utc("2020-01-06T14:00:00Z"), Users: []Member{alice, bob, carol}},
		{ID: 2, Position: 2, Rotation: RotationDaily, HandoffTime: "17:00", StartsAt: utc("2020-01-06T22:00:00Z"), Users: []Member{dave, alice}},
	}
	r, _ := newResolver(ny, layers, nil)
	at := utc("2026-07-01T12:00:00Z")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.at(at)
	}
}

func BenchmarkTimeline14Days(b *testing.B) {
	ny, _ := LoadZone("America/New_York")
	layers := []Layer{
		{ID: 1, Position: 1, Rotation: RotationWeekly, HandoffTime: "09:00", HandoffWeekday: time.Monday, StartsAt: utc("2020-01-06T14:00:00Z"), Users: []Member{alice, bob, carol}},
		{ID: 2, Position: 2, Rotation: RotationDaily, HandoffTime: "17:00", StartsAt: utc("2020-01-06T22:00:00Z"), Users: []Member{dave, alice}},
	}
	r, _ := newResolver(ny, layers, nil)
	from := utc("2026-07-01T00:00:00Z")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.timeline(from, from.Add(14*24*time.Hour))
	}
}
