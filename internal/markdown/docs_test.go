package markdown

import (
	"strings"
	"testing"
)

func TestRenderDocs(t *testing.T) {
	r := NewDocs()
	tests := []struct {
		name, src string
		want      []string
		not       []string
	}{
		{
			name: "heading ids and anchors",
			src:  "## H12 - Request timeout\n",
			want: []string{`<h2 id="h12-request-timeout">`, `<a href="#h12-request-timeout" class="anchor"`},
		},
		{
			name: "highlighted code with classes, escaped",
			src:  "```go\nfmt.Println(\"<b>\")\n```\n",
			want: []string{`<pre class="chroma">`, `<span class="nx">fmt</span>`, `&lt;b&gt;`},
			not:  []string{"<b>", "style="},
		},
		{
			name: "unknown language stays plain",
			src:  "```nosuchlang\n<i>x</i>\n```\n",
			want: []string{"<pre><code>&lt;i&gt;x&lt;/i&gt;"},
		},
		{
			name: "hostile markup is neutralised",
			src:  "# <img src=x onerror=alert(1)>\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<a href=\"javascript:alert(1)\">y</a>",
			not:  []string{"<script", "<img", `href="javascript`, "onerror=alert(1)>"},
		},
		{
			name: "tables",
			src:  "| Code | Meaning |\n|---|---|\n| H12 | Request timeout |\n",
			want: []string{"<table>", "<td>H12</td>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(r.Render(tt.src))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("unexpected %q in\n%s", n, got)
				}
			}
		})
	}
	// A user-supplied id must not become an attribute outside headings.
	if got := string(r.Render(`<span id="x" class="y">z</span>`)); strings.Contains(got, `id="x"`) {
		t.Errorf("raw HTML id survived: %s", got)
	}
	if css := HighlightCSS(); !strings.Contains(css, ".chroma") || !strings.Contains(css, "prefers-color-scheme") {
		t.Errorf("HighlightCSS lacks chroma rules or the dark variant")
	}
}

func BenchmarkRenderDocsArticle(b *testing.B) {
	r := NewDocs()
	src := strings.Repeat("## Section\n\nSome *text* with `code` and a [link](https://example.com).\n\n```go\nfunc main() {\n\tfmt.Println(\"hello\")\n}\n```\n\n", 10)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		r.Render(src)
	}
}
