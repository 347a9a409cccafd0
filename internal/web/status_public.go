package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/helpline-dev/helpline/internal/feed"
	"github.com/helpline-dev/helpline/internal/request"
	"github.com/helpline-dev/helpline/internal/status"
)

// registerStatusJSON mounts the public JSON (Statuspage v2, the platform
// CLI's v4) and the incident feeds straight on the mux: no session lookup
// on the hottest URLs of an outage.
func (web *Web) registerStatusJSON(mux *http.ServeMux) {
	sp := &statusPublic{Web: web}
	for _, ep := range statusEndpoints {
		mux.Handle("GET "+ep.path, sp.serve(ep))
	}
}

// statusEndpoint is one public document rendered from the snapshot.
type statusEndpoint struct {
	i           int // index into statusBodies.bodies
	path        string
	contentType string
	render      func(sp *statusPublic, snap *status.Snapshot, base string) ([]byte, error)
}

const jsonContentType = "application/json; charset=utf-8"

var statusEndpoints = func() []statusEndpoint {
	eps := []statusEndpoint{
		{path: "/api/v2/summary.json", render: v2Summary},
		{path: "/api/v2/status.json", render: v2Status},
		{path: "/api/v2/components.json", render: v2Components},
		{path: "/api/v2/incidents.json", render: v2Incidents},
		{path: "/api/v2/incidents/unresolved.json", render: v2Unresolved},
		{path: "/api/v2/scheduled-maintenances.json", render: v2Maintenances},
		{path: "/api/v2/scheduled-maintenances/upcoming.json", render: v2Upcoming},
		{path: "/api/v2/scheduled-maintenances/active.json", render: v2ActiveMaintenances},
		{path: "/api/v4/current-status", render: v4CurrentStatus},
		{path: "/history.atom", contentType: feed.Atom.ContentType(), render: historyFeed(feed.Atom)},
		{path: "/history.rss", contentType: feed.RSS.ContentType(), render: historyFeed(feed.RSS)},
	}
	for i := range eps {
		eps[i].i = i
		if eps[i].contentType == "" {
			eps[i].contentType = jsonContentType
		}
	}
	return eps
}()

// statusPublicCacheControl lets browsers and CDNs keep a document for 30
// seconds, serve it a little longer while they fetch the next, and keep
// serving it if we fail: during an outage a slightly old status page beats
// none.
const statusPublicCacheControl = "public, max-age=30, stale-while-revalidate=30, stale-if-error=86400"

// statusPublic serves the documents, each rendered at most once per
// snapshot and base URL and then served as bytes.
type statusPublic struct {
	*Web
	cur atomic.Pointer[statusBodies]
}

// statusBodies are the documents of one snapshot, rendered on first use.
type statusBodies struct {
	snap   *status.Snapshot
	base   string
	bodies []statusBody
}

type statusBody struct {
	once sync.Once
	data []byte
	etag string
	err  error
}

func (sp *statusPublic) bodies(snap *status.Snapshot, base string) *statusBodies {
	cur := sp.cur.Load()
	if cur != nil && cur.snap == snap && cur.base == base {
		return cur
	}
	next := &statusBodies{snap: snap, base: base, bodies: make([]statusBody, len(statusEndpoints))}
	// A reader holding a newer snapshot wins; racing readers of the same
	// one may each render once, which is harmless.
	if cur == nil || snap.Version >= cur.snap.Version {
		sp.cur.CompareAndSwap(cur, next)
	}
	return next
}

func (sp *statusPublic) body(set *statusBodies, ep statusEndpoint) *statusBody {
	b := &set.bodies[ep.i]
	b.once.Do(func() {
		b.data, b.err = ep.render(sp, set.snap, set.base)
		if b.err == nil {
			// The version says when the status changed; the hash covers
			// what time alone changes in a snapshot of the same version.
			sum := sha256.Sum256(b.data)
			b.etag = `"` + strconv.FormatInt(set.snap.Version, 10) + "-" + hex.EncodeToString(sum[:8]) + `"`
		}
	})
	return b
}

func (sp *statusPublic) serve(ep statusEndpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		snap, err := sp.StatusCache.Snapshot(r.Context())
		if err != nil {
			request.Logger(r.Context()).Error("status snapshot", "err", err, "path", r.URL.Path)
			h.Set("Retry-After", "5")
			http.Error(w, "The status is unavailable right now; try again in a few seconds.", http.StatusServiceUnavailable)
			return
		}
		b := sp.body(sp.bodies(snap, sp.baseURL(r)), ep)
		if b.err != nil {
			request.Logger(r.Context()).Error("render status document", "err", b.err, "path", r.URL.Path)
			http.Error(w, "The status could not be rendered; request ID "+request.ID(r.Context()), http.StatusInternalServerError)
			return
		}
		h.Set("Cache-Control", statusPublicCacheControl)
		h.Set("ETag", b.etag)
		h.Set("Last-Modified", snap.UpdatedAt.UTC().Format(http.TimeFormat))
		if notModified(r, b.etag, snap.UpdatedAt) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Type", ep.contentType)
		h.Set("Content-Length", strconv.Itoa(len(b.data)))
		if r.Method == http.MethodHead {
			return
		}
		if _, err := w.Write(b.data); err != nil {
			request.Logger(r.Context()).Debug("status document write", "err", err)
		}
	})
}
