package markdown

import (
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
