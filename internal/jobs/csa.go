package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// EngagementRemindersArgs is the periodic job that sends the reminders of
// customers' high-traffic events (a week and a day before).
type EngagementRemindersArgs struct{}

// Kind names the job for River.
func (EngagementRemindersArgs) Kind() string { return "engagement_reminders" }

// engagementRemindersWorker sends what is due; each reminder is claimed
// with a conditional update, so overlapping runs send it once.
type engagementRemindersWorker struct {
	river.WorkerDefaults[EngagementRemindersArgs]
	deps *Deps
}

func (w *engagementRemindersWorker) Work(ctx context.Context, _ *river.Job[EngagementRemindersArgs]) error {
	if w.deps.CSA == nil {
		return nil
	}
	_, err := w.deps.CSA.SendDueReminders(ctx)
	return err
}

// csaWorkers adds the reminder worker and returns its periodic job.
func csaWorkers(workers *river.Workers, deps *Deps) []*river.PeriodicJob {
	river.AddWorker(workers, &engagementRemindersWorker{deps: deps})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) {
			// One attempt: the next minute's run sends what this one missed.
			return EngagementRemindersArgs{}, &river.InsertOpts{MaxAttempts: 1}
		}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}
