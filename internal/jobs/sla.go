package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/helpline-dev/helpline/internal/sla"
)

// SLASweepArgs is the periodic job that records SLA warnings and breaches.
type SLASweepArgs struct{}

// Kind names the job for River.
func (SLASweepArgs) Kind() string { return "sla_sweep" }

// slaSweepWorker runs one sweep. Sweeping twice is harmless: each warning
// and breach is marked by a conditional update, exactly once.
type slaSweepWorker struct {
	river.WorkerDefaults[SLASweepArgs]
	deps *Deps
}

func (w *slaSweepWorker) Work(ctx context.Context, _ *river.Job[SLASweepArgs]) error {
	_, err := w.deps.SLA.Sweep(ctx)
	return err
}

// slaRecomputeWorker moves due times after a calendar edit; it is
// idempotent, so a retry after a crash just finishes the work.
type slaRecomputeWorker struct {
	river.WorkerDefaults[sla.RecomputeArgs]
	deps *Deps
}

func (w *slaRecomputeWorker) Work(ctx context.Context, job *river.Job[sla.RecomputeArgs]) error {
	_, err := w.deps.SLA.Recompute(ctx, job.Args.CalendarID)
	return err
}

// slaWorkers adds the SLA workers and returns their periodic jobs.
func slaWorkers(workers *river.Workers, deps *Deps) []*river.PeriodicJob {
	river.AddWorker(workers, &slaSweepWorker{deps: deps})
	river.AddWorker(workers, &slaRecomputeWorker{deps: deps})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) {
			// One attempt: the next minute's sweep picks up whatever this
			// one missed.
			return SLASweepArgs{}, &river.InsertOpts{MaxAttempts: 1}
		}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}
