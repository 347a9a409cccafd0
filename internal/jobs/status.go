package jobs

import "github.com/riverqueue/river"

// statusWorkers adds the maintenance worker and returns its periodic job.
func statusWorkers(workers *river.Workers, deps *Deps) []*river.PeriodicJob {
	return nil // TODO(status core helper)
}
