package jobs

import "github.com/riverqueue/river"

// pageWorkers adds the paging workers (deliveries, escalation) and returns
// their periodic jobs.
func pageWorkers(workers *river.Workers, deps *Deps) []*river.PeriodicJob {
	return nil // TODO(paging helper)
}
