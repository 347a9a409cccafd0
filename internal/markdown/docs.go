package markdown

import (
	"strconv"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// highlighter renders fenced code blocks with chroma. It emits classes, not
// inline styles (the policy strips style attributes); HighlightCSS is the
// matching style sheet.
type highlighter struct{}

var codeFormatter = chromahtml.New(chromahtml.WithClasses(true), chromahtml.PreventSurroundingPre(false))

func (highlighter) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, renderFencedCode)
}

func renderFencedCode(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.FencedCodeBlock)
	var code []byte
	lines := n.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		code = append(code, seg.Value(source)...)
	}
	lang := string(n.Language(source))
	var lexer chroma.Lexer
	if lang != "" {
		lexer = lexers.Get(lang)
	}
	if lexer == nil {
		// Unknown or no language: plain, escaped, like goldmark would.
		_, _ = w.WriteString("<pre><code>")
		_, _ = w.Write(util.EscapeHTML(code))
		_, _ = w.WriteString("</code></pre>\n")
		return ast.WalkSkipChildren, nil
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, string(code))
	if err == nil {
		err = codeFormatter.Format(w, styles.Fallback, it)
	}
	if err != nil {
		_, _ = w.WriteString("<pre><code>")
		_, _ = w.Write(util.EscapeHTML(code))
		_, _ = w.WriteString("</code></pre>\n")
	}
	return ast.WalkSkipChildren, nil
}

// HighlightCSS is the style sheet for highlighted code, light and dark.
func HighlightCSS() string {
	var light, dark stringWriter
	_ = codeFormatter.WriteCSS(&light, styles.Get("github"))
	_ = codeFormatter.WriteCSS(&dark, styles.Get("github-dark"))
	return light.String() + "@media (prefers-color-scheme: dark) {\n" + dark.String() + "}\n"
}

type stringWriter struct{ b []byte }

func (s *stringWriter) Write(p []byte) (int, error) { s.b = append(s.b, p...); return len(p), nil }
func (s *stringWriter) String() string              { return string(s.b) }

// headingAnchorTransformer appends a "#" link to every heading with an ID,
// the way readers expect to copy a link to a section.
type headingAnchorTransformer struct{}

func (headingAnchorTransformer) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		h, ok := n.(*ast.Heading)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		id, ok := h.AttributeString("id")
		if !ok {
			return ast.WalkSkipChildren, nil
		}
		idb, _ := id.([]byte)
		link := ast.NewLink()
		link.Destination = append([]byte("#"), idb...)
		link.SetAttributeString("class", []byte("anchor"))
		link.AppendChild(link, ast.NewString([]byte("#")))
		h.AppendChild(h, link)
		return ast.WalkSkipChildren, nil
	})
}

// headingIDs makes heading IDs the way readers type anchors: lowercase
// letters and digits joined by single dashes ("H12 - Request timeout" →
// "h12-request-timeout"; goldmark's default keeps "h12---request-timeout").
type headingIDs struct{ seen map[string]bool }

func (h *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(string(value)) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	id := b.String()
	if id == "" {
		id = "section"
	}
	if len(id) > 80 {
		id = strings.TrimRight(id[:80], "-")
	}
	for i, base := 1, id; h.seen[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
	}
	h.seen[id] = true
	return []byte(id)
}

func (h *headingIDs) Put(value []byte) { h.seen[string(value)] = true }
