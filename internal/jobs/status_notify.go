package jobs

import "github.com/riverqueue/river"

// statusNotifyWorkers adds the subscriber fan-out and delivery workers.
func statusNotifyWorkers(workers *river.Workers, deps *Deps) []*river.PeriodicJob {
	return nil // TODO(subscriptions helper)
}
