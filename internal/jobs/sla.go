package jobs

import "github.com/riverqueue/river"

// slaWorkers adds the SLA workers and returns their periodic jobs.
func slaWorkers(workers *river.Workers, deps *Deps) []*river.PeriodicJob {
	return nil // TODO(sla helper)
}
