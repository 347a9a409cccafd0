package logdiag

import "io"

// Options tune a diagnosis.
type Options struct {
	Reference Reference
	// Production says the app serves production traffic: only then may
	// the suggested priority be urgent (the support rules).
	Production bool
}

// Diagnoser accumulates lines and concludes.
type Diagnoser struct {
	opts Options
}

// NewDiagnoser returns an empty Diagnoser.
func NewDiagnoser(opts Options) *Diagnoser { return &Diagnoser{opts: opts} }

// Add takes the next line, in input order.
func (d *Diagnoser) Add(l Line) {} // TODO(diagnosis helper)

// Result returns the diagnosis of the lines added so far.
func (d *Diagnoser) Result() Diagnosis { return Diagnosis{} }

// Diagnose reads r to the end and diagnoses it.
func Diagnose(r io.Reader, opts Options) (Diagnosis, error) {
	d := NewDiagnoser(opts)
	s := NewScanner(r)
	for s.Scan() {
		d.Add(s.Line())
	}
	return d.Result(), s.Err()
}
