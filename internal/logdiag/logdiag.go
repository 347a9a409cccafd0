// Package logdiag reads platform logs as customers paste them (heroku logs
// output, log-drain syslog frames, runtime errors, state changes, stack
// traces) and diagnoses them: which error codes, when, where, what they
// likely mean together, and how urgent it looks. It is pure: no I/O beyond
// the reader it is given, no database, no clock.
package logdiag

import "time"

// Kind is what a log line says.
type Kind string

const (
	KindRouter       Kind = "router"        // heroku[router]: at=… code=H12 … (logfmt)
	KindRuntimeError Kind = "runtime_error" // Error R14 (Memory quota exceeded)
	KindLoggingError Kind = "logging_error" // Error L10 (output buffer overflow): …
	KindMemory       Kind = "memory"        // Process running mem=646M(126.2%)
	KindState        Kind = "state_change"  // State changed from starting to crashed
	KindExit         Kind = "exit"          // Process exited with status 1
	KindBoot         Kind = "boot"          // Starting process with command `…`
	KindStack        Kind = "stack"         // a line of an application stack trace
	KindApp          Kind = "app"           // anything else from the app: kept as context
	KindUnparsed     Kind = "unparsed"      // not a log line at all
)

// Field is one key=value pair of a logfmt line, in the order it appeared.
type Field struct {
	Key, Value string
}

// Line is one parsed log line.
type Line struct {
	N       int       // 1-based line (or frame) number in the input
	Time    time.Time // UTC; zero when the line had no timestamp
	Source  string    // "heroku" or "app"
	Process string    // "router", "web.1", "worker.2", "api" …
	Kind    Kind
	Code    string  // H12, R14, L10 … when the line carries one
	Fields  []Field // router and other logfmt lines
	Message string  // the text after the source[process]: prefix
	Raw     string  // the line as read, without its newline

	// Extracted values, when the line has them.
	Dyno     string  // the dyno serving a router request, or the process of a runtime line
	Path     string  // router path=
	Method   string  // router method=
	Status   int     // router status=
	Service  int     // router service= in ms
	MemoryMB float64 // memory samples: mem= in MB
	MemPct   float64 // memory samples: the percentage of quota
	From, To string  // state changes
	ExitCode int     // exits
}

// Get returns the value of a logfmt field and whether it was present.
func (l Line) Get(key string) (string, bool) {
	for _, f := range l.Fields {
		if f.Key == key {
			return f.Value, true
		}
	}
	return "", false
}

// CodeSummary is one error code's part in a log.
type CodeSummary struct {
	Code       string    `json:"code"`
	Title      string    `json:"title"` // "Request timeout"
	Count      int       `json:"count"`
	FirstAt    time.Time `json:"first_at"`
	LastAt     time.Time `json:"last_at"`
	Dynos      []string  `json:"dynos"`
	Paths      []string  `json:"paths"`
	Statuses   []int     `json:"statuses"`
	ArticleURL string    `json:"article_url"`
	Cause      string    `json:"cause"`
}

// Finding is a conclusion drawn from several lines.
type Finding struct {
	Kind     string    `json:"kind"`     // crash_loop, memory_timeouts, boot_timeout, path_timeouts, …
	Severity string    `json:"severity"` // info, warning, critical
	Message  string    `json:"message"`  // one or two sentences a person can act on
	Codes    []string  `json:"codes"`
	Dynos    []string  `json:"dynos,omitempty"`
	Paths    []string  `json:"paths,omitempty"`
	At       time.Time `json:"at"` // when it started
	Lines    []int     `json:"lines,omitempty"`
}

// LineCounts says how much of the input was understood.
type LineCounts struct {
	Total    int `json:"total"`
	Unparsed int `json:"unparsed"`
	Errors   int `json:"errors"` // lines with an error code
}

// Diagnosis is the whole answer, in the JSON shape the API returns.
type Diagnosis struct {
	Codes             []CodeSummary `json:"codes"`
	Findings          []Finding     `json:"findings"`
	SuggestedPriority string        `json:"suggested_priority"` // urgent, high, normal or low
	PriorityReason    string        `json:"priority_reason"`
	Lines             LineCounts    `json:"lines"`
	// StartedAt is the first error's time (ISO 8601 UTC), for an urgent
	// ticket's start time.
	StartedAt *time.Time `json:"started_at,omitempty"`
	// Excerpt is the errors and their surrounding lines, for a ticket.
	// The caller redacts it before it leaves the process.
	Excerpt string   `json:"excerpt"`
	Apps    []string `json:"apps,omitempty"` // app host names seen (router host=)
	Subject string   `json:"subject"`        // a suggested ticket subject
}

// Reference looks up an error code's reference entry: its title, its
// article's URL and the likely cause in one sentence. ok is false for
// codes the reference does not know.
type Reference func(code string) (title, url, cause string, ok bool)

// WithEmptyLists returns d with its empty lists as [] rather than null in
// JSON, so clients can always iterate.
func (d Diagnosis) WithEmptyLists() Diagnosis {
	if d.Codes == nil {
		d.Codes = []CodeSummary{}
	}
	if d.Findings == nil {
		d.Findings = []Finding{}
	}
	for i := range d.Codes {
		c := &d.Codes[i]
		if c.Dynos == nil {
			c.Dynos = []string{}
		}
		if c.Paths == nil {
			c.Paths = []string{}
		}
		if c.Statuses == nil {
			c.Statuses = []int{}
		}
	}
	for i := range d.Findings {
		if d.Findings[i].Codes == nil {
			d.Findings[i].Codes = []string{}
		}
	}
	return d
}
