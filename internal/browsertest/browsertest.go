// Package browsertest runs page tests in a real headless Chromium with chromedp.
//
// Each test gets its own browser process, started by New and stopped when the
// test ends. Install the browser with scripts/ensure-chromium.
package browsertest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// timeout bounds a whole test's use of the browser. It is a guard against a
// hung browser, which would otherwise hang the suite; it is not a timing check.
const timeout = 60 * time.Second

// closeTimeout bounds the graceful close at the end of a test. After it the
// browser is killed.
const closeTimeout = 10 * time.Second

// New starts a fresh headless Chromium for t and returns a chromedp context
// whose tab is ready for actions. The browser stops when t ends, or when the
// test has used it for a minute.
//
// New fails the test, and never skips it, when no Chromium is installed: a
// skipped page test would hide failures in CI.
func New(t testing.TB) context.Context {
	t.Helper()
	path, err := chromiumPath()
	if err != nil {
		t.Fatalf("browsertest: %v; run scripts/ensure-chromium to install Debian's chromium package, or set HELPLINE_CHROMIUM to a Chromium binary", err)
	}

	// chromedp's defaults are Puppeteer's quiet, automation-friendly flags
	// (no extensions, no crash reporter, no phishing or safe-browsing
	// updates, no background throttling). The flags after them are ours and
	// must be on the command line whatever the defaults become; a flag that
	// is set again keeps its place and takes the new value.
	opts := slices.Concat(chromedp.DefaultExecAllocatorOptions[:], []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // tests run as root in containers
		chromedp.Flag("disable-gpu", true),
		// Turn off Chromium's own traffic: field trials, component and
		// safe-browsing downloads, sync, QUIC probes.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		// Chromium 156 still calls Google at start despite the flags above
		// (on-device model component, network time, account list). Names
		// other than loopback resolve to nothing, so those calls and a page's
		// stray external URL fail inside the browser, without a DNS query.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE ::1"),
		chromedp.UserDataDir(t.TempDir()),
	})

	tctx, cancelTimeout := context.WithTimeout(context.Background(), timeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(tctx, opts...)
	ctx, cancelBrowser := chromedp.NewContext(actx)

	// An empty Do starts the browser and opens its tab, so that a browser
	// that cannot start fails here, with its path in the message.
	if err := chromedp.Do(ctx); err != nil {
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
		t.Fatalf("browsertest: starting Chromium %s: %v", path, err)
	}

	// Subscribe before returning, so that no message of the test's pages is
	// lost; read them on a goroutine that ends when the browser does.
	messages := chromedp.Console(ctx)
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type != chromedp.ConsoleError && !m.IsException() {
				continue
			}
			if m.URL != "" {
				t.Logf("browser %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1)
			} else {
				t.Logf("browser %s: %s", m.Type, m.Text)
			}
		}
	}()

	// Cleanups run last-in first-out, so the browser stops before t.TempDir
	// removes its profile.
	t.Cleanup(func() {
		// Close gracefully first, so that Chromium's helper processes exit
		// too; then cancel, which kills whatever is left and waits for it.
		cctx, cancel := context.WithTimeout(ctx, closeTimeout)
		err := chromedp.Cancel(cctx)
		cancel()
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
		<-logged
		if errors.Is(tctx.Err(), context.DeadlineExceeded) {
			// Explains the "context deadline exceeded" of the action that hung.
			t.Logf("browsertest: the browser was stopped: the test used it for more than %v", timeout)
		} else if err != nil {
			t.Logf("browsertest: closing Chromium: %v", err)
		}
	})
	return ctx
}

// chromiumPath finds the browser: HELPLINE_CHROMIUM first, then the names
// Debian and other distributions give it.
func chromiumPath() (string, error) {
	if p := os.Getenv("HELPLINE_CHROMIUM"); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			return "", errors.New("HELPLINE_CHROMIUM=" + p + " is not an executable")
		}
		return found, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if found, err := exec.LookPath(name); err == nil {
			return found, nil
		}
	}
	return "", errors.New("no Chromium found (looked for HELPLINE_CHROMIUM, chromium and chromium-browser on PATH, /usr/bin/chromium)")
}

// Screenshot writes a PNG of the whole page of ctx, beyond the viewport, to
// path. It is for looking at a page while writing its test.
func Screenshot(t testing.TB, ctx context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browsertest: screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("browsertest: screenshot: %v", err)
	}
	t.Logf("browsertest: wrote %s", path)
}
