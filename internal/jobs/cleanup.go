package jobs

import (
	"context"

	"github.com/riverqueue/river"
)

// CleanupArgs is the hourly job that deletes expired sessions, reset links
// and sign-in failures.
type CleanupArgs struct{}

// Kind names the job for River.
func (CleanupArgs) Kind() string { return "cleanup_expired" }

type cleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	deps *Deps
}

func (w *cleanupWorker) Work(ctx context.Context, job *river.Job[CleanupArgs]) error {
	n, err := w.deps.Accounts.DeleteExpired(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		w.deps.Logger.Info("deleted expired rows", "rows", n)
	}
	return nil
}
