package docs

import "strings"

// maxDiffEdits bounds the work of a diff: Myers' algorithm keeps one row
// per edit, so memory grows with the square of the edits. Past the bound
// the changed middle is shown as removed and re-added, which is still a
// correct diff, only not the shortest.
const maxDiffEdits = 2000

// Diff returns the line diff that turns a into b: Myers' shortest edit
// script over lines, after the common head and tail are set aside.
func Diff(a, b string) []DiffLine {
	x, y := splitLines(a), splitLines(b)
	out := []DiffLine{}
	head := 0
	for head < len(x) && head < len(y) && x[head] == y[head] {
		head++
	}
	tail := 0
	for tail < len(x)-head && tail < len(y)-head && x[len(x)-1-tail] == y[len(y)-1-tail] {
		tail++
	}
	for _, l := range x[:head] {
		out = append(out, DiffLine{" ", l})
	}
	out = append(out, myers(x[head:len(x)-tail], y[head:len(y)-tail])...)
	for _, l := range x[len(x)-tail:] {
		out = append(out, DiffLine{" ", l})
	}
	return out
}

// splitLines splits text into lines; a final newline ends the last line
// rather than starting an empty one.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// myers returns the shortest edit script from a to b (E. Myers, "An O(ND)
// Difference Algorithm and Its Variations", 1986), or a replacement of the
// whole of a by b when that needs more than maxDiffEdits edits.
func myers(a, b []string) []DiffLine {
	n, m := len(a), len(b)
	replace := func() []DiffLine {
		out := make([]DiffLine, 0, n+m)
		for _, l := range a {
			out = append(out, DiffLine{"-", l})
		}
		for _, l := range b {
			out = append(out, DiffLine{"+", l})
		}
		return out
	}
	if n == 0 || m == 0 {
		return replace()
	}
	limit := min(n+m, maxDiffEdits)
	// v[off+k] is the furthest x reached on diagonal k = x - y; trace[d]
	// keeps the diagonals -d..d after d edits, for walking back.
	off := limit + 1
	v := make([]int, 2*limit+3)
	var trace [][]int
	for d := 0; d <= limit; d++ {
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // down: insert b[y]
			} else {
				x = v[off+k-1] + 1 // right: delete a[x]
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				trace = append(trace, append([]int(nil), v[off-d:off+d+1]...))
				return backtrack(a, b, trace)
			}
		}
		trace = append(trace, append([]int(nil), v[off-d:off+d+1]...))
	}
	return replace()
}

// backtrack walks the trace from the end of both texts to their start and
// returns the edits in order.
func backtrack(a, b []string, trace [][]int) []DiffLine {
	var rev []DiffLine
	x, y := len(a), len(b)
	for d := len(trace) - 1; d > 0; d-- {
		prev := trace[d-1]
		at := func(k int) int { return prev[k+d-1] }
		k := x - y
		var pk int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := at(pk)
		py := px - pk
		for x > px && y > py {
			x, y = x-1, y-1
			rev = append(rev, DiffLine{" ", a[x]})
		}
		if x == px {
			y--
			rev = append(rev, DiffLine{"+", b[y]})
		} else {
			x--
			rev = append(rev, DiffLine{"-", a[x]})
		}
	}
	for x > 0 && y > 0 {
		x, y = x-1, y-1
		rev = append(rev, DiffLine{" ", a[x]})
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}
