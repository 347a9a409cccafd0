// Package client is a Go client of Helpline's JSON API. The helpline CLI and
// the API tests use it.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client talks to one Helpline server as the owner of one API token.
type Client struct {
	BaseURL    string
	Token      string
	HTTPClient *http.Client
}

// New returns a client for the server at baseURL.
func New(baseURL, token string) *Client {
	return &Client{BaseURL: strings.TrimSuffix(baseURL, "/"), Token: token, HTTPClient: &http.Client{Timeout: 30 * time.Second}}
}

// Error is an error answer of the API.
type Error struct {
	Status  int               `json:"-"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Hint says what to do next, when the server has more to say than
	// the message (a break/fix refusal does).
	Hint string `json:"hint,omitempty"`
	// UrgentTicket is set on a break/fix refusal of an engagement request
	// (Code "break_fix"): the urgent ticket the server filled in from the
	// request, to complete and open with CreateTicket. See BreakFix.
	UrgentTicket *NewTicket `json:"-"`
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s (%d): %s", e.Code, e.Status, e.Message)
	for k, v := range e.Fields {
		s += fmt.Sprintf("; %s %s", k, v)
	}
	return s
}

// Do sends a request with an optional JSON body and decodes a JSON answer
// into out (when not nil). Non-2xx answers return *Error.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	if body == nil {
		return c.do(ctx, method, path, "", nil, out)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return c.do(ctx, method, path, "application/json", bytes.NewReader(b), out)
}

func (c *Client) do(ctx context.Context, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return decodeError(resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// decodeError reads an error answer: the API's {"error": {...}} shape, with
// the urgent ticket of a break/fix refusal beside it.
func decodeError(resp *http.Response) error {
	var e struct {
		Error        Error      `json:"error"`
		UrgentTicket *NewTicket `json:"urgent_ticket"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e.Error.Code == "" {
		return &Error{Status: resp.StatusCode, Code: "http", Message: resp.Status}
	}
	e.Error.Status, e.Error.UrgentTicket = resp.StatusCode, e.UrgentTicket
	return &e.Error
}

// Page asks for one page of a list.
type Page struct {
	Limit, Offset int
}

func (p Page) query(extra url.Values) string {
	q := url.Values{}
	for k, v := range extra {
		q[k] = v
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Offset > 0 {
		q.Set("offset", strconv.Itoa(p.Offset))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}
