package client

import (
	"context"
	"io"
	"time"
)

// Diagnosis is what a server makes of a log.
type Diagnosis struct {
	Codes             []DiagnosisCode    `json:"codes"`
	Findings          []DiagnosisFinding `json:"findings"`
	SuggestedPriority string             `json:"suggested_priority"`
	PriorityReason    string             `json:"priority_reason"`
	Lines             struct {
		Total    int `json:"total"`
		Unparsed int `json:"unparsed"`
		Errors   int `json:"errors"`
	} `json:"lines"`
	StartedAt *time.Time `json:"started_at,omitempty"`
	Excerpt   string     `json:"excerpt"` // redacted
	Apps      []string   `json:"apps,omitempty"`
	Subject   string     `json:"subject"`
}

// DiagnosisCode is one error code's part in a log.
type DiagnosisCode struct {
	Code       string    `json:"code"`
	Title      string    `json:"title"`
	Count      int       `json:"count"`
	FirstAt    time.Time `json:"first_at"`
	LastAt     time.Time `json:"last_at"`
	Dynos      []string  `json:"dynos"`
	Paths      []string  `json:"paths"`
	Statuses   []int     `json:"statuses"`
	ArticleURL string    `json:"article_url"`
	Cause      string    `json:"cause"`
}

// DiagnosisFinding is a conclusion drawn from several lines.
type DiagnosisFinding struct {
	Kind     string    `json:"kind"`
	Severity string    `json:"severity"`
	Message  string    `json:"message"`
	Codes    []string  `json:"codes"`
	Dynos    []string  `json:"dynos,omitempty"`
	Paths    []string  `json:"paths,omitempty"`
	At       time.Time `json:"at"`
	Lines    []int     `json:"lines,omitempty"`
}

// Diagnose sends a log, streaming, and returns the server's diagnosis.
// production allows an urgent suggestion. Logs over 64 MB are refused
// (413): diagnose those locally with `helpline logs diagnose`.
func (c *Client) Diagnose(ctx context.Context, log io.Reader, production bool) (Diagnosis, error) {
	path := "/api/v1/diagnose"
	if production {
		path += "?production=true"
	}
	var out Diagnosis
	err := c.do(ctx, "POST", path, "text/plain; charset=utf-8", log, &out)
	return out, err
}
