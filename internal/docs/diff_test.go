package docs_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/helpline-dev/helpline/internal/docs"
)

func TestDiff(t *testing.T) {
	for _, c := range []struct {
		name, a, b string
		want       string // one line per DiffLine: op then text
	}{
		{"both empty", "", "", ""},
		{"added to empty", "", "a\nb\n", "+a|+b"},
		{"removed all", "a\nb", "", "-a|-b"},
		{"same", "a\nb\n", "a\nb\n", " a| b"},
		{"final newline ignored", "a\nb\n", "a\nb", " a| b"},
		{"change in middle", "a\nb\nc\n", "a\nx\nc\n", " a|-b|+x| c"},
		{"insert", "a\nc", "a\nb\nc", " a|+b| c"},
		{"delete", "a\nb\nc", "a\nc", " a|-b| c"},
		{"swap", "a\nb", "b\na", "-a| b|+a"},
		{"blank lines", "a\n\nb", "a\nb\n\n", " a|-| b|+"},
		{"classic", "a\nb\nc\na\nb\nb\na", "c\nb\na\nb\na\nc", "-a|-b| c|+b| a| b|-b| a|+c"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := docs.Diff(c.a, c.b)
			var parts []string
			for _, l := range got {
				parts = append(parts, l.Op+l.Text)
			}
			if s := strings.Join(parts, "|"); s != c.want {
				t.Errorf("Diff = %q, want %q", s, c.want)
			}
		})
	}
}

// TestDiffProperties checks random diffs: applying one gives back both
// texts, and it has as few edits as the longest common subsequence allows.
func TestDiffProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		a, b := randomLines(rng), randomLines(rng)
		got := docs.Diff(strings.Join(a, "\n"), strings.Join(b, "\n"))
		var fromA, fromB []string
		edits := 0
		for _, l := range got {
			switch l.Op {
			case " ":
				fromA, fromB = append(fromA, l.Text), append(fromB, l.Text)
			case "-":
				fromA = append(fromA, l.Text)
				edits++
			case "+":
				fromB = append(fromB, l.Text)
				edits++
			default:
				t.Fatalf("op %q", l.Op)
			}
		}
		if !slices.Equal(fromA, a) || !slices.Equal(fromB, b) {
			t.Fatalf("case %d: diff %v does not turn %q into %q", i, got, a, b)
		}
		if want := len(a) + len(b) - 2*lcs(a, b); edits != want {
			t.Fatalf("case %d: %d edits, want %d for %q → %q", i, edits, want, a, b)
		}
	}
}

func randomLines(rng *rand.Rand) []string {
	out := make([]string, 1+rng.IntN(12))
	for i := range out {
		out[i] = string(rune('a' + rng.IntN(4)))
	}
	return out
}

func lcs(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}

// TestDiffLarge diffs two 64 KB bodies that differ everywhere: past the
// edit bound the diff is still correct.
func TestDiffLarge(t *testing.T) {
	var a, b strings.Builder
	for i := range 8000 {
		a.WriteString(strings.Repeat("a", i%5) + "\n")
		b.WriteString(strings.Repeat("b", i%7) + "\n")
	}
	got := docs.Diff(a.String(), b.String())
	adds, dels := 0, 0
	for _, l := range got {
		switch l.Op {
		case "+":
			adds++
		case "-":
			dels++
		}
	}
	if dels > 8000 || adds > 8000 || len(got) < 8000 {
		t.Errorf("%d lines: %d added, %d removed", len(got), adds, dels)
	}
}

func BenchmarkDiff(b *testing.B) {
	var old strings.Builder
	for i := range 2000 {
		old.WriteString("Line number " + strings.Repeat("x", i%30) + " of the article body.\n")
	}
	edited := strings.Replace(old.String(), "Line number xxxxx ", "Changed line ", 20)
	b.ReportAllocs()
	for b.Loop() {
		docs.Diff(old.String(), edited)
	}
}
