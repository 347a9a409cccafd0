package search

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		text  string
		terms []string
		codes []string
	}{
		{"my app keeps crashing with h10 what do i do", []string{"app", "crashing", "h10"}, []string{"H10"}},
		{"error H12", []string{"error", "h12"}, []string{"H12"}},
		{"at=error code=R14 desc=\"Memory quota exceeded\"", []string{"error", "code", "r14", "desc", "memory", "quota", "exceeded"}, []string{"R14"}},
		{"L10 l15 L16 h09 H99 r10 x12 h1 h100", []string{"l10", "l15", "l16", "h09", "h99", "r10", "x12", "h1", "h100"}, []string{"L10", "L15", "H99", "R10"}},
		{"Why doesn't my deploy work? I'm stuck!!", []string{"deploy", "work", "stuck"}, nil},
		{"Deploy deploy DEPLOY", []string{"deploy"}, nil},
		{"", nil, nil},
		{"how do I do it", nil, nil},
		{"café naïve 日本語", []string{"café", "naïve", "日本語"}, nil},
	} {
		p := parse(tc.text)
		if !reflect.DeepEqual(p.terms, tc.terms) || !reflect.DeepEqual(p.codes, tc.codes) {
			t.Errorf("parse(%q) = %q %q, want %q %q", tc.text, p.terms, p.codes, tc.terms, tc.codes)
		}
	}
	if n := len(parse(strings.Repeat("word ", 10) + strings.Repeat("x", 0) + longText(100)).terms); n != maxTerms {
		t.Errorf("a long text gives %d terms, want at most %d", n, maxTerms)
	}
}

func longText(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("term")
		b.WriteByte(byte('a' + i%26))
		b.WriteByte(byte('a' + i/26))
		b.WriteByte(' ')
	}
	return b.String()
}

func TestQuoting(t *testing.T) {
	if got, want := ftsQuery([]string{`a"b`, "c"}), `"a""b" OR "c"`; got != want {
		t.Errorf("ftsQuery = %s, want %s", got, want)
	}
	if got, want := tsQuery([]string{`a'b`, `c\`}), `'a''b' | 'c\\'`; got != want {
		t.Errorf("tsQuery = %s, want %s", got, want)
	}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		max  int
		want int
	}{
		{"memroy", "memory", 1, 1},    // swap
		{"timout", "timeout", 1, 1},   // missing letter
		{"exceded", "exceeded", 1, 1}, // missing letter
		{"quota", "quota", 1, 0},
		{"qouta", "quota", 1, 1},
		{"bakgrond", "background", 2, 2},
		{"bakgrond", "background", 1, 2}, // over max: max+1
		{"deploy", "display", 1, 2},
		{"ab", "abcdef", 2, 3},
		{"ca", "abc", 3, 3}, // optimal string alignment, not full Damerau
		{"naïve", "naive", 1, 1},
	} {
		if got := distance([]rune(tc.a), []rune(tc.b), tc.max); got != tc.want {
			t.Errorf("distance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.max, got, tc.want)
		}
	}
	for _, tc := range []struct {
		word string
		want int
	}{{"app", 0}, {"dyno", 1}, {"timeout", 1}, {"database", 2}, {"ünïcode", 1}} {
		if got := maxTypos(tc.word); got != tc.want {
			t.Errorf("maxTypos(%q) = %d, want %d", tc.word, got, tc.want)
		}
	}
}

func TestRewrite(t *testing.T) {
	got := rewrite("Memroy quota EXCEDED, memroy!", map[string]string{"memroy": "memory", "exceded": "exceeded"})
	if want := "memory quota exceeded, memory!"; got != want {
		t.Errorf("rewrite = %q, want %q", got, want)
	}
}

func TestMark(t *testing.T) {
	got := mark("a \x01<b>\x02 &\n\n \"x\" \x03script>")
	if want := "a <mark>&lt;b&gt;</mark> &amp; &#34;x&#34; &lt;script&gt;"; got != want {
		t.Errorf("mark = %q, want %q", got, want)
	}
	got = passage("Intro. "+strings.Repeat("filler ", 40)+"the <b>crashes</b> & more.", []string{"crashing"}, 10)
	if want := "… the &lt;b&gt;<mark>crashes</mark>&lt;/b&gt; &amp; more."; got != want {
		t.Errorf("passage = %q, want %q", got, want)
	}
}

func TestPlainText(t *testing.T) {
	md := "# Deploying *fast*\n\n" +
		"Read [the guide](https://example.com/guide \"Guide\") and ![a diagram](/img/d.png).\n" +
		"Set **DATABASE_URL** and _also_ `WEB_CONCURRENCY=2` or __bold__ ~~gone~~.\n\n" +
		"> quoted text\n" +
		"- item one\n" +
		"1. step one\n" +
		"- [x] done task\n\n" +
		"```go\n" +
		"func main() { fmt.Println(\"<b>hi</b>\") } // *kept*\n" +
		"```\n\n" +
		"| Code | Meaning |\n" +
		"|------|:-------:|\n" +
		"| H12  | timeout |\n\n" +
		"Some <span class=\"x\">html</span> and <!-- a comment --> a <https://example.com> link, [ref][1] &amp; 5 \\* 3.\n\n" +
		"Heading\n" +
		"=======\n\n" +
		"---\n\n" +
		"[1]: https://example.com/ref\n" +
		"## Closing ##"
	want := "Deploying fast\n\n" +
		"Read the guide and a diagram.\n" +
		"Set DATABASE_URL and also WEB_CONCURRENCY=2 or bold gone.\n\n" +
		"quoted text\n" +
		"item one\n" +
		"step one\n" +
		"done task\n\n" +
		"func main() { fmt.Println(\"<b>hi</b>\") } // *kept*\n\n" +
		"  Code   Meaning\n" +
		"  H12    timeout\n\n" +
		"Some  html  and  a https://example.com link, ref & 5  3.\n\n" +
		"Heading\n\n\n" +
		"Closing"
	if got := PlainText(md); got != want {
		t.Errorf("PlainText =\n%s\nwant\n%s", got, want)
	}
	if got := PlainText(""); got != "" {
		t.Errorf("PlainText(\"\") = %q", got)
	}
}

func BenchmarkPlainText(b *testing.B) {
	md, err := os.ReadFile("../docs/content/error-codes/h12-request-timeout.md")
	if err != nil {
		b.Skip("no shipped article to read:", err)
	}
	text := strings.Repeat(string(md), 3)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		PlainText(text)
	}
}
