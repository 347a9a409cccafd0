package web

import (
	"strings"
	"testing"
	"time"

	"github.com/helpline-dev/helpline/internal/docs"
	"github.com/helpline-dev/helpline/internal/markdown"
)

func TestRenderCache(t *testing.T) {
	md := markdown.NewDocs()
	c := newRenderCache(1 << 10)
	a := docs.Article{ID: 1, Revision: 1, Body: "## One", UpdatedAt: time.Unix(1, 0)}
	if h := c.render(md, a); !strings.Contains(string(h), `id="one"`) {
		t.Fatalf("first render %s", h)
	}
	// Same version: the cached HTML, even if the body were different.
	stale := a
	stale.Body = "## Changed"
	if h := c.render(md, stale); !strings.Contains(string(h), `id="one"`) {
		t.Fatalf("cached render %s", h)
	}
	// A new revision, or an import that kept the revision, renders again.
	for _, next := range []docs.Article{
		{ID: 1, Revision: 2, Body: "## Two", UpdatedAt: time.Unix(1, 0)},
		{ID: 1, Revision: 2, Body: "## Three", UpdatedAt: time.Unix(2, 0)},
	} {
		if h := c.render(md, next); !strings.Contains(string(h), strings.ToLower(next.Body[3:])) {
			t.Fatalf("render of %+v: %s", next, h)
		}
	}
	// The cache stays within its bound.
	for i := range 100 {
		c.render(md, docs.Article{ID: int64(10 + i), Revision: 1, Body: strings.Repeat("word ", 20)})
		if c.size > c.max {
			t.Fatalf("cache holds %d bytes, bound %d", c.size, c.max)
		}
	}
}
