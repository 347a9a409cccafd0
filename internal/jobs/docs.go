package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// DuePostsArgs is the periodic job that opens scheduled posts to search
// once their publication date has come, and installs the shipped articles
// if the process started before the database was migrated.
type DuePostsArgs struct{}

// Kind names the job for River.
func (DuePostsArgs) Kind() string { return "docs_due_posts" }

type duePostsWorker struct {
	river.WorkerDefaults[DuePostsArgs]
	deps *Deps
}

func (w *duePostsWorker) Work(ctx context.Context, _ *river.Job[DuePostsArgs]) error {
	if w.deps.Docs == nil {
		return nil
	}
	if err := w.deps.Docs.InstallDefaults(ctx); err != nil {
		return err
	}
	n, err := w.deps.Docs.IndexDuePosts(ctx)
	if n > 0 {
		w.deps.Logger.Info("scheduled posts are now searchable", "posts", n)
	}
	return err
}

// docsWorkers adds the docs worker and returns its periodic job.
func docsWorkers(workers *river.Workers, deps *Deps) []*river.PeriodicJob {
	river.AddWorker(workers, &duePostsWorker{deps: deps})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) {
			// One attempt: the next minute's run catches up.
			return DuePostsArgs{}, &river.InsertOpts{MaxAttempts: 1}
		}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}
