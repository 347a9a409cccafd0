package csa_test

import (
	"fmt"
	"testing"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/csa"
)

// seedEngagements requests n event engagements, a third of them owned and
// scheduled, a tenth closed.
func seedEngagements(b *testing.B, f *fixture, n int) []csa.Engagement {
	b.Helper()
	out := make([]csa.Engagement, n)
	for i := range n {
		in := eventRequest(t0, 10+i%300)
		in.Event.Name = fmt.Sprintf("Launch %d", i)
		out[i] = f.request(b, in)
		switch {
		case i%10 == 0:
			if _, err := f.svc.Transition(f.ctx, f.architect, out[i].ID, csa.StateClosed, "Declined: the date moved."); err != nil {
				b.Fatal(err)
			}
		case i%3 == 0:
			if _, err := f.svc.Assign(f.ctx, f.architect, out[i].ID, f.architect.UserID); err != nil {
				b.Fatal(err)
			}
		}
	}
	return out
}

// The CSA queue: the first page of open engagements among 2,000.
func BenchmarkEngagementQueue(b *testing.B) {
	f := newFixture(b)
	seedEngagements(b, f, 2000)
	b.ResetTimer()
	for b.Loop() {
		list, err := f.svc.FindEngagements(f.ctx, f.architect, csa.Filter{State: "open", Page: helpline.Page{Limit: 50}})
		if err != nil || len(list) != 50 {
			b.Fatal(len(list), err)
		}
	}
}

// An engagement page's data for staff: history, meetings, deliverables,
// reminders, the organization's apps and recent tickets.
func BenchmarkFindEngagement(b *testing.B) {
	f := newFixture(b)
	es := seedEngagements(b, f, 200)
	e := es[1]
	for i := range 20 {
		if _, err := f.svc.Comment(f.ctx, f.dev, e.ID, csa.CommentInput{Body: fmt.Sprintf("Question %d about the launch", i)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.svc.FindEngagement(f.ctx, f.architect, e.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// Requesting an event preparation: validation, break/fix detection,
// redaction, the insert, reminders and the emails.
func BenchmarkRequestEngagement(b *testing.B) {
	f := newFixture(b)
	i := 0
	for b.Loop() {
		in := eventRequest(t0, 30)
		in.Event.Name = fmt.Sprintf("Launch %d", i)
		i++
		f.request(b, in)
	}
}

// Break/fix detection over a long request.
func BenchmarkDetectBreakFix(b *testing.B) {
	in := eventRequest(t0, 30)
	for range 40 {
		in.Event.Concerns += "We expect a spike at 9:00 when the campaign email goes out, and want autoscaling reviewed before then. "
	}
	b.SetBytes(int64(len(in.Event.Concerns)))
	for b.Loop() {
		if s := csa.DetectBreakFix(in, t0); len(s) != 0 {
			b.Fatal(s)
		}
	}
}
