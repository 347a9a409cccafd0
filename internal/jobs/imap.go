package jobs

import (
	"context"

	"github.com/riverqueue/river"
)

// IMAPPollArgs is the periodic job that reads the hosted mailbox. River runs
// periodic jobs on its elected leader only, so several server processes do
// not read the mailbox at once.
type IMAPPollArgs struct{}

// Kind names the job for River.
func (IMAPPollArgs) Kind() string { return "imap_poll" }

type imapPollWorker struct {
	river.WorkerDefaults[IMAPPollArgs]
	deps *Deps
}

func (w *imapPollWorker) Work(ctx context.Context, job *river.Job[IMAPPollArgs]) error {
	n, err := w.deps.IMAP.Poll(ctx)
	if n > 0 {
		w.deps.Logger.Info("read mailbox", "messages", n)
	}
	return err
}
