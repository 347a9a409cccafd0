package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/helpline-dev/helpline"
	"github.com/helpline-dev/helpline/internal/notify"
)

// sendEmailWorker delivers one outbox message. The outbox row says whether
// it went out already, so a retried job never sends it twice; a permanent
// refusal is recorded on the row and shown to staff.
type sendEmailWorker struct {
	river.WorkerDefaults[notify.SendEmailArgs]
	deps *Deps
}

func (w *sendEmailWorker) Work(ctx context.Context, job *river.Job[notify.SendEmailArgs]) error {
	m, err := w.deps.Mail.FindOutboxMessage(ctx, job.Args.OutboxID)
	if helpline.KindOf(err) == helpline.KindNotFound {
		return nil // the ticket was deleted
	}
	if err != nil {
		return err
	}
	if m.Status != "queued" {
		return nil
	}
	if err := w.deps.Mailer.Send(ctx, m.Mail()); err != nil {
		permanent := notify.IsPermanent(err)
		if merr := w.deps.Mail.MarkAttempt(ctx, m.ID, err, permanent || job.Attempt >= job.MaxAttempts); merr != nil {
			return merr
		}
		if permanent {
			return river.JobCancel(err)
		}
		return err
	}
	return w.deps.Mail.MarkSent(ctx, m.ID)
}
