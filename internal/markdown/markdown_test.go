package markdown_test

import (
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"

	"github.com/helpline-dev/helpline/internal/markdown"
)

func TestRender(t *testing.T) {
	r := markdown.New()
	tests := []struct {
		name    string
		src     string
		want    []string // substrings of the output
		notWant []string
	}{
		{
			name: "headings",
			src:  "# Title\n\n## Section\n\n###### Deep",
			want: []string{"<h1>Title</h1>", "<h2>Section</h2>", "<h6>Deep</h6>"},
			// Automatic ids could clobber the page's own elements.
			notWant: []string{"id="},
		},
		{
			name: "emphasis and strikethrough",
			src:  "*soft* **strong** _also_ ~~gone~~",
			want: []string{"<em>soft</em>", "<strong>strong</strong>", "<em>also</em>", "<del>gone</del>"},
		},
		{
			name: "unordered and ordered lists",
			src:  "- one\n- two\n\n3. three\n4. four",
			want: []string{"<ul>\n<li>one</li>\n<li>two</li>\n</ul>", `<ol start="3">`, "<li>four</li>"},
		},
		{
			name: "fenced code keeps its language class",
			src:  "```go\nfmt.Println(\"<hi>\")\n```",
			want: []string{`<pre><code class="language-go">fmt.Println(&#34;&lt;hi&gt;&#34;)` + "\n</code></pre>"},
		},
		{
			name: "fenced code language with symbols",
			src:  "```c++\nint x;\n```",
			want: []string{`<code class="language-c++">`},
		},
		{
			name:    "fenced code with a hostile language loses the class, keeps the code",
			src:     "```go\"onmouseover=alert(1)\nx := 1\n```",
			want:    []string{"<pre><code>x := 1\n</code></pre>"},
			notWant: []string{"class=", "onmouseover"},
		},
		{
			name: "inline code is escaped",
			src:  "run `x < y && rm -rf /` now",
			want: []string{"<code>x &lt; y &amp;&amp; rm -rf /</code>"},
		},
		{
			name:    "GFM table with alignment",
			src:     "| Region | Latency |\n|:-------|--------:|\n| eu-1   | 12 ms   |",
			want:    []string{"<table>", `<th align="left">Region</th>`, `<td align="right">12 ms</td>`},
			notWant: []string{"style="},
		},
		{
			name: "autolinks",
			src:  "see https://status.example.com/x?a=1 or www.example.com, mail ops@example.com",
			want: []string{
				`<a href="https://status.example.com/x?a=1" rel="nofollow noopener noreferrer">https://status.example.com/x?a=1</a>`,
				`<a href="http://www.example.com" rel="nofollow noopener noreferrer">www.example.com</a>`,
				`<a href="mailto:ops@example.com" rel="nofollow noopener noreferrer">ops@example.com</a>`,
			},
		},
		{
			name: "angle-bracket autolink",
			src:  "<https://example.com/docs>",
			want: []string{`<a href="https://example.com/docs" rel="nofollow noopener noreferrer">https://example.com/docs</a>`},
		},
		{
			name: "inline link with title, relative link",
			src:  `[errors](https://example.com/e "Error codes") and [docs](/docs/errors#E42)`,
			want: []string{
				`<a href="https://example.com/e" title="Error codes" rel="nofollow noopener noreferrer">errors</a>`,
				`<a href="/docs/errors#E42" rel="nofollow noopener noreferrer">docs</a>`,
			},
			notWant: []string{"target="},
		},
		{
			name:    "other URL schemes lose the href",
			src:     "[file](ftp://example.com/f) [tel](tel:+123)",
			want:    []string{">file</a>", ">tel</a>"},
			notWant: []string{"ftp:", "tel:"},
		},
		{
			name: "task list",
			src:  "- [x] reproduce\n- [ ] fix",
			want: []string{
				`<li><input checked="" disabled="" type="checkbox"> reproduce</li>`,
				`<li><input disabled="" type="checkbox"> fix</li>`,
			},
		},
		{
			name:    "hard wraps off",
			src:     "first line\nsecond line",
			want:    []string{"<p>first line\nsecond line</p>"},
			notWant: []string{"<br"},
		},
		{
			name: "inline raw HTML is shown as text",
			src:  "the API returns <Unauthorized> and <b>bold</b>",
			want: []string{"<p>the API returns &lt;Unauthorized&gt; and &lt;b&gt;bold&lt;/b&gt;</p>"},
		},
		{
			name: "HTML block is shown as preformatted text",
			src:  "<div class=\"x\">\n  <span>hi</span>\n</div>",
			want: []string{"<pre><code>&lt;div class=&#34;x&#34;&gt;\n  &lt;span&gt;hi&lt;/span&gt;\n&lt;/div&gt;</code></pre>"},
		},
		{
			name: "image",
			src:  "![screenshot](https://example.com/s.png)",
			want: []string{`<img src="https://example.com/s.png" alt="screenshot">`},
		},
		{
			name: "empty input",
			src:  "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(r.Render(tt.src))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q\nsrc: %q\ngot: %s", w, tt.src, got)
				}
			}
			for _, nw := range tt.notWant {
				if strings.Contains(got, nw) {
					t.Errorf("output contains %q\nsrc: %q\ngot: %s", nw, tt.src, got)
				}
			}
			if problem := unsafeMarkup(got); problem != "" {
				t.Errorf("unsafe output: %s\nsrc: %q\ngot: %s", problem, tt.src, got)
			}
		})
	}
}

// Raw HTML is shown as escaped text, so words like "onerror" may appear in the
// visible text; what must never appear is markup that runs them.
func TestRenderNeutralisesXSS(t *testing.T) {
	r := markdown.New()
	tests := []struct {
		name string
		src  string
		keep []string // visible text that must survive
	}{
		{"script block", "<script>alert(1)</script>", []string{"alert(1)"}},
		{"script inline", "hello <script>alert(1)</script> world", []string{"hello", "world"}},
		{"script upper case", "x <SCRIPT SRC=//evil.example/x.js></SCRIPT>", []string{"x"}},
		{"img onerror", "<img src=x onerror=alert(1)>", nil},
		{"img onerror inline", "look: <img src=x onerror=alert(1)> here", []string{"look:", "here"}},
		{"markdown javascript link", "[click me](javascript:alert(1))", []string{"click me"}},
		{"markdown javascript link, mixed case", "[click](JaVaScRiPt:alert(1))", []string{"click"}},
		{"markdown javascript link, entity", "[click](&#106;avascript:alert(1))", []string{"click"}},
		{"markdown javascript link, leading space", "[click](<  javascript:alert(1)>)", []string{"click"}},
		{"reference javascript link", "[click][1]\n\n[1]: javascript:alert(1)", []string{"click"}},
		{"anchor javascript", `<a href="javascript:alert(1)">click</a>`, []string{"click"}},
		{"anchor javascript, entities", `<a href="&#106;avascript:alert(1)">click</a>`, []string{"click"}},
		{"anchor javascript, tab", "<a href=\"java\tscript:alert(1)\">click</a>", []string{"click"}},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, nil},
		{"iframe inline", `see <iframe src="javascript:alert(1)"></iframe> this`, []string{"see", "this"}},
		{"svg onload", "<svg onload=alert(1)>", nil},
		{"svg onload inline", "a <svg/onload=alert(1)> b", []string{"a", "b"}},
		{"style block", "<style>body{background:url(javascript:alert(1))}</style>\n\ntext", []string{"text"}},
		{"style attribute", `<p style="background:url(javascript:alert(1))">text</p>`, []string{"text"}},
		{"data URL link", "[open](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", []string{"open"}},
		{"data URL image", "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", nil},
		{"data URL autolink", "<data:text/html,<script>alert(1)</script>>", nil},
		{"vbscript link", "[run](vbscript:msgbox(1))", []string{"run"}},
		{"javascript image", "![x](javascript:alert(1))", nil},
		{"javascript autolink", "<javascript:alert(1)>", nil},
		{"link title breakout", `[x](https://example.com "a\" onmouseover=\"alert(1)")`, []string{"x"}},
		{"object and embed", `<object data="x.swf"></object><embed src="x.swf">`, nil},
		{"form", `<form action="https://evil.example"><input name="p"><button>go</button></form>`, nil},
		{"meta refresh", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`, nil},
		{"base href", `<base href="https://evil.example/">`, nil},
		{"math", `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`, nil},
		{"html comment", "a <!-- <script>alert(1)</script> --> b", []string{"a", "b"}},
		{"fenced code with html", "```html\n<script>alert(1)</script>\n```", []string{"alert(1)"}},
		{"code span with html", "`<img src=x onerror=alert(1)>`", nil},
		{"table cell with html", "| a |\n|---|\n| <img src=x onerror=alert(1)> |", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(r.Render(tt.src))
			if problem := unsafeMarkup(got); problem != "" {
				t.Errorf("unsafe output: %s\nsrc: %q\ngot: %s", problem, tt.src, got)
			}
			text := visibleText(t, got)
			for _, k := range tt.keep {
				if !strings.Contains(text, k) {
					t.Errorf("visible text lacks %q\nsrc: %q\ngot: %s", k, tt.src, got)
				}
			}
		})
	}
}

func TestRenderConcurrent(t *testing.T) {
	r := markdown.New()
	want := r.Render(ticketDescription)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if got := r.Render(ticketDescription); got != want {
					t.Errorf("concurrent Render differs")
					return
				}
			}
		})
	}
	wg.Wait()
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"", "# h\n\n*a* **b** ~~c~~ `d`", "- [x] a\n- [ ] b", "| a | b |\n|---|:-:|\n| 1 | 2 |",
		"```go\nx\n```", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
		"[x](javascript:alert(1))", `<a href="&#106;avascript:alert(1)">x</a>`, "<svg onload=alert(1)>",
		"[a](vbscript:x) ![b](data:text/html,x) <https://e.x> www.e.x a@e.x",
		ticketDescription,
	} {
		f.Add(s)
	}
	r := markdown.New()
	f.Fuzz(func(t *testing.T, src string) {
		got := string(r.Render(src))
		if problem := unsafeMarkup(got); problem != "" {
			t.Fatalf("unsafe output: %s\nsrc: %q\ngot: %s", problem, src, got)
		}
	})
}

func BenchmarkRender(b *testing.B) {
	r := markdown.New()
	b.SetBytes(int64(len(ticketDescription)))
	b.ReportAllocs()
	for b.Loop() {
		r.Render(ticketDescription)
	}
}

// Inputs on which goldmark is quadratic, at the 64 KB cap Render's doc
// recommends: the worst a user can make one Render cost.
func BenchmarkRenderWorstCase(b *testing.B) {
	r := markdown.New()
	for _, unit := range []string{"[a](", ">"} {
		src := strings.Repeat(unit, 64<<10/len(unit))
		b.Run(fmt.Sprintf("%q", unit), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				r.Render(src)
			}
		})
	}
}

var (
	eventHandlerAttr = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	// Elements that may appear in rendered output; anything else is a leak.
	allowedElements = map[string]bool{
		"a": true, "blockquote": true, "br": true, "code": true, "del": true, "em": true,
		"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "hr": true,
		"img": true, "input": true, "li": true, "ol": true, "p": true, "pre": true, "strong": true,
		"table": true, "tbody": true, "td": true, "th": true, "thead": true, "tr": true, "ul": true,
	}
	urlAttrs = map[string]bool{"href": true, "src": true, "cite": true, "action": true, "formaction": true, "srcset": true}
)

// unsafeMarkup reads out the way a browser does and describes the first thing
// in it that could run script, style the page or leave the site; "" if none.
func unsafeMarkup(out string) string {
	lower := strings.ToLower(out)
	for _, s := range []string{"<script", "<iframe", "<style", "<svg", "<object", "<embed", "<form", "<meta", "<base"} {
		if strings.Contains(lower, s) {
			return "contains " + s
		}
	}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() == io.EOF {
				return ""
			}
			return z.Err().Error()
		}
		if tt == html.CommentToken {
			return "comment " + string(z.Raw())
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken && tt != html.EndTagToken {
			continue
		}
		raw := string(z.Raw())
		rawLower := strings.ToLower(raw)
		for _, s := range []string{"onerror", "onload", "javascript:", "vbscript:", "data:"} {
			if strings.Contains(rawLower, s) {
				return fmt.Sprintf("tag %s contains %s", raw, s)
			}
		}
		if eventHandlerAttr.MatchString(raw) {
			return "event handler in " + raw
		}
		tok := z.Token()
		if !allowedElements[tok.Data] {
			return "element " + tok.Data
		}
		for _, a := range tok.Attr {
			if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
				return fmt.Sprintf("attribute %s in %s", a.Key, raw)
			}
			if tok.Data == "input" && a.Key == "type" && a.Val != "checkbox" {
				return "input type " + a.Val
			}
			if urlAttrs[a.Key] {
				u, err := url.Parse(a.Val)
				if err != nil {
					return fmt.Sprintf("unparseable URL %q", a.Val)
				}
				switch strings.ToLower(u.Scheme) {
				case "", "http", "https", "mailto":
				default:
					return fmt.Sprintf("URL scheme %q in %s", u.Scheme, raw)
				}
			}
		}
		if tok.Data == "a" && tok.Type == html.StartTagToken && attr(tok, "rel") != "nofollow noopener noreferrer" {
			return "link without rel: " + raw
		}
	}
}

func attr(tok html.Token, key string) string {
	for _, a := range tok.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// visibleText is the text a reader sees, entities decoded.
func visibleText(t *testing.T, out string) string {
	t.Helper()
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatalf("tokenize: %v", z.Err())
			}
			return b.String()
		case html.TextToken:
			b.Write(z.Text())
		}
	}
}

// ticketDescription is a realistic ~3 KB customer ticket: prose, a list, a
// log excerpt, a fenced code block, a table and links.
const ticketDescription = "## Deploys to `eu-west-2` fail with `E1042 build timeout`\n\n" +
	"Since this morning (around **09:40 UTC**) every deploy of our `checkout-api` service to the\n" +
	"*eu-west-2* region fails during the build step. Deploys to `us-east-1` from the same commit\n" +
	"succeed, so we don't think it's our code. The status page at https://status.example.com\n" +
	"shows everything green.\n\n" +
	"### What we tried\n\n" +
	"1. Re-ran the deploy from the dashboard (three times).\n" +
	"2. Cleared the build cache with `platform cache purge --app checkout-api`.\n" +
	"3. Rolled back to last week's commit `a1b2c3d`; same failure.\n" +
	"4. Followed [the build timeout guide](https://docs.example.com/errors/E1042) and raised\n" +
	"   `build.timeout` to 1200 s; it now fails after 20 minutes instead of 10.\n\n" +
	"- [x] checked the [error reference](/docs/errors#E1042)\n" +
	"- [x] checked our quota (we're at 40% of the plan)\n" +
	"- [ ] tried another builder image\n\n" +
	"### Build log (last lines)\n\n" +
	"```text\n" +
	"2024-05-14T09:41:02Z builder[7f3a] step 4/9: RUN npm ci --omit=dev\n" +
	"2024-05-14T09:41:02Z builder[7f3a] npm WARN config production Use `--omit=dev` instead.\n" +
	"2024-05-14T09:51:02Z builder[7f3a] error: step exceeded build.timeout (600s)\n" +
	"2024-05-14T09:51:02Z builder[7f3a] E1042: build timeout; artifact upload never started\n" +
	"2024-05-14T09:51:03Z deployer[c9d1] deploy 8812 failed: build 5531 did not finish\n" +
	"```\n\n" +
	"Our build config, in case it matters:\n\n" +
	"```yaml\n" +
	"build:\n" +
	"  image: node:20-bookworm\n" +
	"  timeout: 1200\n" +
	"  cache:\n" +
	"    paths: [node_modules, .npm]\n" +
	"regions:\n" +
	"  - eu-west-2\n" +
	"  - us-east-1\n" +
	"```\n\n" +
	"| Region    | Result  | Duration | Deploy ID |\n" +
	"|:----------|:-------:|---------:|----------:|\n" +
	"| us-east-1 | ok      | 3m 12s   | 8809      |\n" +
	"| eu-west-2 | failed  | 20m 00s  | 8812      |\n" +
	"| eu-west-2 | failed  | 10m 00s  | 8790      |\n\n" +
	"This blocks a release we promised a customer for **today**, so we'd be grateful for a quick\n" +
	"look. Happy to jump on a call; my colleague jane.doe@example.com is also on this ticket.\n\n" +
	"> We saw something similar in March (ticket #4417), which was a stuck builder node on your\n" +
	"> side. Could it be the same thing?\n\n" +
	"Thanks,  \n" +
	"Sam — Platform team, Example Corp\n\n" +
	"---\n\n" +
	"PS: the dashboard shows <no builds queued> for eu-west-2, which seems wrong given the above.\n" +
	"Anything else you need (request IDs, the full log, a HAR file), just ask.\n"

// The XSS and fuzz tests are only as good as unsafeMarkup, so check it too.
func TestUnsafeMarkupCatchesLeaks(t *testing.T) {
	tests := []struct {
		name string
		out  string
		safe bool
	}{
		{"escaped text", "<p>&lt;script&gt; onerror=x javascript:</p>", true},
		{"link", `<a href="https://e.x" rel="nofollow noopener noreferrer">x</a>`, true},
		{"script", "<p><ScRiPt>alert(1)</script></p>", false},
		{"event handler", `<img src="x" onerror="alert(1)">`, false},
		{"other event handler", `<p onpointerenter="alert(1)">x</p>`, false},
		{"entity-encoded scheme", `<a href="&#106;avascript:alert(1)" rel="nofollow noopener noreferrer">x</a>`, false},
		{"style attribute", `<p style="color:red">x</p>`, false},
		{"link without rel", `<a href="https://e.x">x</a>`, false},
		{"unknown element", "<details open>x</details>", false},
		{"text input", `<input type="text">`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if problem := unsafeMarkup(tt.out); (problem == "") != tt.safe {
				t.Errorf("unsafeMarkup(%q) = %q, want safe=%v", tt.out, problem, tt.safe)
			}
		})
	}
}
