package status_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/status"
)

// dayD is the first day of the uptime cases, midnight UTC.
var dayD = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

type change struct {
	at time.Duration // after dayD
	st status.ComponentStatus
}

type wantDay struct {
	uptime  float64 // -1: no data
	worst   status.ComponentStatus
	minutes map[status.ComponentStatus]int
}

func TestUptimeArithmetic(t *testing.T) {
	h := time.Hour
	op, deg, part, major, maint := status.Operational, status.DegradedPerformance, status.PartialOutage, status.MajorOutage, status.UnderMaintenance
	cases := []struct {
		name    string
		changes []change // the first creates the component
		now     time.Duration
		days    int
		want    []wantDay
	}{
		{"created mid-day: earlier days have no data, today counts up to now",
			[]change{{12 * h, op}}, 2*24*h + 6*h, 4,
			[]wantDay{{-1, "", nil}, {1, op, nil}, {1, op, nil}, {1, op, nil}}},
		{"a major outage across midnight counts on both days",
			[]change{{0, op}, {23 * h, major}, {25 * h, op}}, 2*24*h + 12*h, 3,
			[]wantDay{{1 - 1.0/24, major, map[status.ComponentStatus]int{major: 60}}, {1 - 1.0/24, major, map[status.ComponentStatus]int{major: 60}}, {1, op, nil}}},
		{"a partial outage weighs 30%; the status before the range carries in",
			[]change{{-10 * 24 * h, op}, {6 * h, part}, {18 * h, op}}, 24*h + 12*h, 2,
			[]wantDay{{1 - 0.3*12/24, part, map[status.ComponentStatus]int{part: 720}}, {1, op, nil}}},
		{"degraded performance and maintenance count as up but show",
			[]change{{0, op}, {1 * h, deg}, {2 * h, maint}, {4 * h, op}}, 12 * h, 1,
			[]wantDay{{1, deg, map[status.ComponentStatus]int{deg: 60, maint: 120}}}},
		{"an outage still going counts up to now",
			[]change{{0, op}, {6 * h, major}}, 12 * h, 1,
			[]wantDay{{0.5, major, map[status.ComponentStatus]int{major: 360}}}},
		{"a 30-second blip shows a minute",
			[]change{{-24 * h, op}, {10 * h, major}, {10*h + 30*time.Second, op}}, 24 * h, 2,
			[]wantDay{{1 - 30.0/86400, major, map[status.ComponentStatus]int{major: 1}}, {-1, "", nil}}},
		{"mixed day: partial then major then degraded",
			[]change{{-24 * h, op}, {0, part}, {4 * h, major}, {6 * h, deg}, {12 * h, op}}, 20 * h, 1,
			[]wantDay{{1 - (0.3*4+2)/20, major, map[status.ComponentStatus]int{part: 240, major: 120, deg: 360}}}},
	}
	f := newFixture(t)
	for i, c := range cases {
		f.clock.Set(dayD.Add(c.changes[0].at))
		comp := f.component(status.ComponentInput{Name: fmt.Sprintf("C%d", i), Status: c.changes[0].st})
		for _, ch := range c.changes[1:] {
			f.clock.Set(dayD.Add(ch.at))
			if _, err := f.svc.UpdateComponent(f.ctx, f.admin, comp.ID, status.ComponentInput{Name: comp.Name, Status: ch.st}); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Set(dayD.Add(c.now))
		got, err := f.svc.Uptime(f.ctx, comp.ID, c.days)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.want) {
			t.Fatalf("%s: %d days, want %d", c.name, len(got), len(c.want))
		}
		first := dayD.Add(c.now).Truncate(24*h).AddDate(0, 0, 1-c.days)
		for d, w := range c.want {
			g := got[d]
			if !g.Date.Equal(first.AddDate(0, 0, d)) {
				t.Errorf("%s: day %d is %v, want %v", c.name, d, g.Date, first.AddDate(0, 0, d))
			}
			if math.Abs(g.Uptime-w.uptime) > 1e-9 || g.Worst != w.worst || !sameMinutes(g.Minutes, w.minutes) {
				t.Errorf("%s: day %d = uptime %.6f worst %q minutes %v; want %.6f %q %v", c.name, d, g.Uptime, g.Worst, g.Minutes, w.uptime, w.worst, w.minutes)
			}
		}
	}

	_, err := f.svc.Uptime(f.ctx, 999999, 90)
	wantKind(t, err, helpline.KindNotFound, "uptime of a missing component")
	_, err = f.svc.Uptime(f.ctx, 1, 0)
	wantField(t, err, "days", "zero days")
}

func sameMinutes(a, b map[status.ComponentStatus]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
