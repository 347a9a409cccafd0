package web

import (
	"html/template"
	"sync"

	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/markdown"
)

// docsReader serves the pages readers open most (articles and the
// error-code reference) with their rendered HTML cached.
type docsReader struct {
	*Web
	html *renderCache
}

// renderCacheBytes bounds the cache: every shipped article and a few
// thousand more fit.
const renderCacheBytes = 32 << 20

// renderCache keeps articles' rendered HTML by article and version.
// Rendering (Markdown, highlighting, sanitising) is most of an article
// page's time, and an article is read far more often than it changes. A
// new revision or import changes the key, so a stale entry is never used;
// each process has its own cache, which is fine for that reason.
type renderCache struct {
	mu    sync.Mutex
	max   int
	size  int
	items map[renderKey]template.HTML
}

type renderKey struct {
	id       int64
	revision int
	updated  int64 // imports may change an article without a new revision
}

func newRenderCache(maxBytes int) *renderCache {
	return &renderCache{max: maxBytes, items: map[renderKey]template.HTML{}}
}

// render returns a's body as HTML, rendered with md once per version.
func (c *renderCache) render(md *markdown.Renderer, a docs.Article) template.HTML {
	k := renderKey{a.ID, a.Revision, a.UpdatedAt.UnixNano()}
	c.mu.Lock()
	h, ok := c.items[k]
	c.mu.Unlock()
	if ok {
		return h
	}
	h = md.Render(a.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.size+len(h) > c.max {
		// Full: start again rather than track recency. Old versions go
		// too, which is what a busy cache of this size needs anyway.
		clear(c.items)
		c.size = 0
	}
	if _, ok := c.items[k]; !ok && len(h) <= c.max {
		c.items[k] = h
		c.size += len(h)
	}
	return h
}
