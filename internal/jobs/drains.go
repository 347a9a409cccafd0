package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// DrainTickArgs is the periodic job that closes quiet error surges, opens
// tickets a crashed process left pending, and prunes old drain counts.
type DrainTickArgs struct{}

// Kind names the job for River.
func (DrainTickArgs) Kind() string { return "drain_tick" }

// drainTickWorker runs one pass; two at once are harmless (every step is a
// conditional update).
type drainTickWorker struct {
	river.WorkerDefaults[DrainTickArgs]
	deps *Deps
}

func (w *drainTickWorker) Work(ctx context.Context, _ *river.Job[DrainTickArgs]) error {
	if w.deps.Drains == nil {
		return nil
	}
	_, err := w.deps.Drains.Tick(ctx)
	return err
}

// drainWorkers adds the drain worker and returns its periodic job.
func drainWorkers(workers *river.Workers, deps *Deps) []*river.PeriodicJob {
	river.AddWorker(workers, &drainTickWorker{deps: deps})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) {
			// One attempt: the next minute's pass does what this one missed.
			return DrainTickArgs{}, &river.InsertOpts{MaxAttempts: 1}
		}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}
