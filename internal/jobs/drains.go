package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/helpline-dev/helpline/internal/drain"
)

// DrainTickArgs is the periodic job that closes quiet error surges, opens
// tickets a crashed process left pending, and prunes old drain counts.
type DrainTickArgs struct{}

// Kind names the job for River.
func (DrainTickArgs) Kind() string { return "drain_tick" }

// drainTickWorker runs one pass; two at once are harmless (every step is a
// conditional update). The service is read when the job runs, since the
// services exist only after the client.
type drainTickWorker struct {
	river.WorkerDefaults[DrainTickArgs]
	drains func() *drain.Service
}

func (w *drainTickWorker) Work(ctx context.Context, _ *river.Job[DrainTickArgs]) error {
	svc := w.drains()
	if svc == nil {
		return nil
	}
	_, err := svc.Tick(ctx)
	return err
}

// drainWorkers adds the drain worker and returns its periodic job.
func drainWorkers(workers *river.Workers, drains func() *drain.Service) []*river.PeriodicJob {
	river.AddWorker(workers, &drainTickWorker{drains: drains})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) {
			// One attempt: the next minute's pass does what this one missed.
			return DrainTickArgs{}, &river.InsertOpts{MaxAttempts: 1}
		}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}
