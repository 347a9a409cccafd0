package jobs

import (
	"context"
	"fmt"
	"net/url"

	"github.com/riverqueue/river"

	"github.com/helpline-dev/helpline/internal/account"
	"github.com/helpline-dev/helpline/internal/notify"
)

type passwordResetWorker struct {
	river.WorkerDefaults[account.PasswordResetEmailArgs]
	deps *Deps
}

func (w *passwordResetWorker) Work(ctx context.Context, job *river.Job[account.PasswordResetEmailArgs]) error {
	user, secret, err := w.deps.Accounts.IssuePasswordReset(ctx, job.Args.UserID)
	if err != nil {
		return err
	}
	link := w.deps.BaseURL + "/password/reset?token=" + url.QueryEscape(secret)
	msg := notify.Message{
		To:      []string{user.Email},
		Subject: "Reset your Helpline password",
		Text: fmt.Sprintf("Hello %s,\n\nSomeone (hopefully you) asked to reset the password of your Helpline account %s.\n\n"+
			"Choose a new password here; the link works once, for %d minutes:\n\n%s\n\n"+
			"If you did not ask for this, ignore this email: your password stays as it is.\n",
			user.Name, user.Email, int(account.ResetTTL.Minutes()), link),
		HTML: notify.ResetHTML(user.Name, link, int(account.ResetTTL.Minutes())),
	}
	if err := w.deps.Mailer.Send(ctx, msg); err != nil {
		if notify.IsPermanent(err) {
			// The server refused the message for good: retrying cannot help.
			return river.JobCancel(err)
		}
		return err
	}
	return nil
}
