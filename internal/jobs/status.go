package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// StatusMaintenanceArgs is the periodic job that starts and completes
// scheduled maintenance on time.
type StatusMaintenanceArgs struct{}

// Kind names the job for River.
func (StatusMaintenanceArgs) Kind() string { return "status_maintenance" }

// statusMaintenanceWorker runs one pass. Two processes running it at once
// is harmless: each start and completion is a conditional update that only
// one of them wins.
type statusMaintenanceWorker struct {
	river.WorkerDefaults[StatusMaintenanceArgs]
	deps *Deps
}

func (w *statusMaintenanceWorker) Work(ctx context.Context, _ *river.Job[StatusMaintenanceArgs]) error {
	if w.deps.Status == nil {
		return nil
	}
	_, err := w.deps.Status.RunMaintenance(ctx)
	return err
}

// statusWorkers adds the maintenance worker and returns its periodic job.
func statusWorkers(workers *river.Workers, deps *Deps) []*river.PeriodicJob {
	river.AddWorker(workers, &statusMaintenanceWorker{deps: deps})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) {
			// One attempt: the next minute's pass picks up what this one
			// missed.
			return StatusMaintenanceArgs{}, &river.InsertOpts{MaxAttempts: 1}
		}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}
