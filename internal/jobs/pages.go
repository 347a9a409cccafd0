package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/helpline-dev/helpline/internal/oncall"
)

// EscalatePagesArgs is the periodic job that escalates unacknowledged pages.
type EscalatePagesArgs struct{}

// Kind names the job for River.
func (EscalatePagesArgs) Kind() string { return "escalate_pages" }

// EscalationInterval is how often pages are checked for escalation: a
// level's delay is honoured to within this.
const EscalationInterval = 30 * time.Second

// pageWorkers adds the paging workers (deliveries, escalation) and returns
// their periodic jobs.
func pageWorkers(workers *river.Workers, deps *Deps) []*river.PeriodicJob {
	river.AddWorker(workers, &deliverPageWorker{deps: deps})
	river.AddWorker(workers, &escalatePagesWorker{deps: deps})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(EscalationInterval), func() (river.JobArgs, *river.InsertOpts) {
			// One attempt: the next run, 30 s later, does the work anyway.
			return EscalatePagesArgs{}, &river.InsertOpts{Queue: "pages", MaxAttempts: 1}
		}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}

// deliverPageWorker sends one delivery of a page; the delivery row says
// whether it went out already, so a retried job never sends it twice.
type deliverPageWorker struct {
	river.WorkerDefaults[oncall.DeliverPageArgs]
	deps *Deps
}

func (w *deliverPageWorker) Work(ctx context.Context, job *river.Job[oncall.DeliverPageArgs]) error {
	return w.deps.Oncall.Deliver(ctx, job.Args, w.deps.Mailer, job.Attempt >= job.MaxAttempts)
}

// Timeout bounds one delivery: the HTTP client gives up after 15 s, SMTP
// may take longer on a slow server.
func (w *deliverPageWorker) Timeout(*river.Job[oncall.DeliverPageArgs]) time.Duration {
	return time.Minute
}

// escalatePagesWorker moves unacknowledged pages to their next level.
type escalatePagesWorker struct {
	river.WorkerDefaults[EscalatePagesArgs]
	deps *Deps
}

func (w *escalatePagesWorker) Work(ctx context.Context, job *river.Job[EscalatePagesArgs]) error {
	_, err := w.deps.Oncall.Escalate(ctx)
	return err
}
