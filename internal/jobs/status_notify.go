package jobs

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/helpline-dev/helpline/internal/status"
)

// statusNotifyWorkers adds the subscriber fan-out and delivery workers, the
// confirmation email, and the daily cleanup of links and unconfirmed
// addresses.
func statusNotifyWorkers(workers *river.Workers, deps *Deps) []*river.PeriodicJob {
	client := &http.Client{Timeout: 15 * time.Second}
	river.AddWorker(workers, &statusFanOutWorker{deps: deps})
	river.AddWorker(workers, &statusDeliverWorker{deps: deps, post: webhookPoster(client)})
	river.AddWorker(workers, &statusConfirmWorker{deps: deps})
	river.AddWorker(workers, &statusSubscriptionsCleanupWorker{deps: deps})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour), func() (river.JobArgs, *river.InsertOpts) {
			return StatusSubscriptionsCleanupArgs{}, &river.InsertOpts{MaxAttempts: 3}
		}, nil),
	}
}

// StatusSubscriptionsCleanupArgs is the daily job that removes expired
// subscription links and addresses that never confirmed.
type StatusSubscriptionsCleanupArgs struct{}

// Kind names the job for River.
func (StatusSubscriptionsCleanupArgs) Kind() string { return "status_subscriptions_cleanup" }

type statusSubscriptionsCleanupWorker struct {
	river.WorkerDefaults[StatusSubscriptionsCleanupArgs]
	deps *Deps
}

func (w *statusSubscriptionsCleanupWorker) Work(ctx context.Context, job *river.Job[StatusSubscriptionsCleanupArgs]) error {
	_, err := w.deps.Status.CleanupSubscriptions(ctx)
	return err
}

// webhookPoster POSTs JSON with client and drains the answer.
func webhookPoster(client *http.Client) status.WebhookPoster {
	return func(ctx context.Context, url string, body []byte, headers map[string]string) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Helpline")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return resp.StatusCode, nil
	}
}

// statusFanOutWorker turns a notification into delivery jobs, a batch per
// transaction; a retry resumes after the last batch.
type statusFanOutWorker struct {
	river.WorkerDefaults[status.FanOutArgs]
	deps *Deps
}

func (w *statusFanOutWorker) Work(ctx context.Context, job *river.Job[status.FanOutArgs]) error {
	_, err := w.deps.Status.FanOut(ctx, job.Args.NotificationID)
	return err
}

// Timeout leaves room for a hundred thousand subscribers; a fan-out cut
// short resumes where it stopped anyway.
func (w *statusFanOutWorker) Timeout(*river.Job[status.FanOutArgs]) time.Duration {
	return 30 * time.Minute
}

// statusDeliverWorker sends one notification to one subscriber; the
// delivery row says whether it went out already.
type statusDeliverWorker struct {
	river.WorkerDefaults[status.DeliverArgs]
	deps *Deps
	post status.WebhookPoster
}

func (w *statusDeliverWorker) Work(ctx context.Context, job *river.Job[status.DeliverArgs]) error {
	return w.deps.Status.Deliver(ctx, job.Args, w.deps.Mailer, w.post, job.Attempt >= job.MaxAttempts)
}

// Timeout bounds one delivery: the HTTP client gives up after 15 s, SMTP
// may take longer on a slow server.
func (w *statusDeliverWorker) Timeout(*river.Job[status.DeliverArgs]) time.Duration {
	return time.Minute
}

// statusConfirmWorker emails a new subscriber the confirmation link.
type statusConfirmWorker struct {
	river.WorkerDefaults[status.ConfirmEmailArgs]
	deps *Deps
}

func (w *statusConfirmWorker) Work(ctx context.Context, job *river.Job[status.ConfirmEmailArgs]) error {
	return w.deps.Status.SendConfirmation(ctx, job.Args, w.deps.Mailer)
}
