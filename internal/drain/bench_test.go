package drain_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline/internal/drain"
)

// BenchmarkIngest posts a typical logplex batch (100 frames: 90 requests,
// 10 H12s) per iteration, each with a new frame id, below the threshold.
func BenchmarkIngest(b *testing.B) {
	f := newFixture(b)
	_, token, err := f.svc.CreateDrain(f.ctx, f.owner, f.app.ID, drain.Settings{})
	if err != nil {
		b.Fatal(err)
	}
	batch := body(t0, 90, "") + body(t0, 10, "H12")
	b.SetBytes(int64(len(batch)))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		f.clock.Set(t0.Add(time.Duration(i/1000) * time.Minute))
		if _, err := f.svc.Ingest(f.ctx, token, fmt.Sprintf("frame-%d", i), strings.NewReader(batch)); err != nil {
			b.Fatal(err)
		}
	}
}
