// Command loadgen is a small wrk-style HTTP/1.1 load generator for
// scripts/bench-status: N keep-alive connections each send GET requests
// back to back for a fixed time; it prints requests per second and latency
// percentiles. It writes requests and reads responses on raw connections,
// so the generator costs little next to the servers it measures.
//
//	go run ./scripts/loadgen -c 32 -d 10s http://127.0.0.1:8080/api/v2/summary.json
//
// Output is one line: "rps=… p50_ms=… p99_ms=… requests=… errors=… bytes=…".
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	conns := flag.Int("c", 32, "connections")
	dur := flag.Duration("d", 10*time.Second, "duration of the measured run")
	warmup := flag.Duration("warmup", time.Second, "unmeasured run before it")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: loadgen [-c N] [-d 10s] URL")
		os.Exit(2)
	}
	u, err := url.Parse(flag.Arg(0))
	if err != nil || u.Scheme != "http" {
		fmt.Fprintln(os.Stderr, "loadgen: need an http:// URL")
		os.Exit(2)
	}
	res, err := run(u, *conns, *warmup, *dur)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	fmt.Println(res)
}

type result struct {
	requests, errors, bytes int64
	elapsed                 time.Duration
	latencies               []time.Duration
}

func (r result) String() string {
	slices.Sort(r.latencies)
	pct := func(p float64) float64 {
		if len(r.latencies) == 0 {
			return 0
		}
		i := min(len(r.latencies)-1, int(p*float64(len(r.latencies))))
		return float64(r.latencies[i]) / float64(time.Millisecond)
	}
	return fmt.Sprintf("rps=%.0f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d bytes=%d",
		float64(r.requests)/r.elapsed.Seconds(), pct(0.50), pct(0.99), r.requests, r.errors, r.bytes)
}

func run(u *url.URL, conns int, warmup, dur time.Duration) (result, error) {
	host := u.Host
	if u.Port() == "" {
		host += ":80"
	}
	req := []byte("GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUser-Agent: helpline-loadgen\r\nAccept: */*\r\n\r\n")
	start := time.Now()
	measureFrom, stopAt := start.Add(warmup), start.Add(warmup+dur)
	results := make([]result, conns)
	var wg sync.WaitGroup
	var firstErr error
	var once sync.Once
	for i := range conns {
		wg.Go(func() {
			r := &results[i]
			var c *client
			for {
				if c == nil {
					nc, err := net.Dial("tcp", host)
					if err != nil {
						once.Do(func() { firstErr = err })
						return
					}
					c = &client{conn: nc, br: bufio.NewReaderSize(nc, 64<<10)}
				}
				t0 := time.Now()
				if !t0.Before(stopAt) {
					c.conn.Close()
					return
				}
				n, err := c.do(req)
				t1 := time.Now()
				if t0.Before(measureFrom) {
					if err != nil {
						c.conn.Close()
						c = nil
					}
					continue
				}
				if err != nil {
					r.errors++
					c.conn.Close()
					c = nil
					continue
				}
				r.requests++
				r.bytes += n
				r.latencies = append(r.latencies, t1.Sub(t0))
			}
		})
	}
	wg.Wait()
	var total result
	total.elapsed = dur
	for _, r := range results {
		total.requests += r.requests
		total.errors += r.errors
		total.bytes += r.bytes
		total.latencies = append(total.latencies, r.latencies...)
	}
	if total.requests == 0 && firstErr != nil {
		return total, firstErr
	}
	return total, nil
}

type client struct {
	conn net.Conn
	br   *bufio.Reader
}

var errStatus = errors.New("status other than 200")

// do sends one request and reads the response; it returns the body size.
// Both servers answer with Content-Length, which is all it understands.
func (c *client) do(req []byte) (int64, error) {
	if _, err := c.conn.Write(req); err != nil {
		return 0, err
	}
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	ok := len(line) >= 12 && string(line[9:12]) == "200"
	length := int64(-1)
	closing := false
	for {
		h, err := c.br.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(h) <= 2 {
			break
		}
		name, value, _ := strings.Cut(string(h), ":")
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "content-length":
			if length, err = strconv.ParseInt(value, 10, 64); err != nil {
				return 0, err
			}
		case "connection":
			closing = strings.EqualFold(value, "close")
		}
	}
	if length < 0 {
		return 0, errors.New("response without Content-Length")
	}
	if _, err := c.br.Discard(int(length)); err != nil {
		return 0, err
	}
	if closing {
		return length, io.ErrUnexpectedEOF
	}
	if !ok {
		return length, errStatus
	}
	return length, nil
}
