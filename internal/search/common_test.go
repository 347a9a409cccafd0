package search

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/helpline-dev/helpline/internal/dbtest"
)

// Words in more than commonDocs documents are searched in titles and tags,
// and in bodies only when that leaves the page short.
func TestCommonWords(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	ix := New(d).(*index)
	ix.commonDocs = 3
	put := func(id int64, title, body string) {
		t.Helper()
		err := ix.Put(ctx, d, Doc{Kind: KindKB, ID: id, Title: title, Body: body, URL: "/kb/" + strconv.FormatInt(id, 10), Audience: AudiencePublic, UpdatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range int64(5) {
		put(i+1, "Widgets, part "+strconv.FormatInt(i+1, 10), "All about them.")
	}
	put(6, "Gears", "A gear turns the widget.")
	put(7, "Chains", "A sprocket drives the chain.")
	ids := func(res []Result) []int64 {
		var out []int64
		for _, r := range res {
			out = append(out, r.ID)
		}
		return out
	}
	search := func(text string, limit int) []int64 {
		t.Helper()
		res, err := ix.Search(ctx, Query{Text: text, Audiences: []Audience{AudiencePublic}, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		return ids(res)
	}
	if got := search("widget", 5); len(got) != 5 || slices.Contains(got, 6) {
		t.Errorf("widget, 5 per page: %v, want the five titles", got)
	}
	if got := search("widget", 10); len(got) != 6 || got[5] != 6 {
		t.Errorf("widget, 10 per page: %v, want the five titles, then the body", got)
	}
	if got := search("widgets sprocket", 5); len(got) != 5 || !slices.Contains(got, 7) || slices.Contains(got, 6) {
		t.Errorf("widgets sprocket: %v, want the rare word's document among titles", got)
	}
	// Inflections count together: "widgets" and "widget" are one word here.
	stats, err := lookup(ctx, d, []string{"widgeting", "sprockets", "gear"}, []string{"public"})
	if err != nil {
		t.Fatal(err)
	}
	if s := stats["widgeting"]; s.docs != 6 || !s.known {
		t.Errorf("widgeting: %+v, want known, in 6 documents", s)
	}
	if s := stats["sprockets"]; s.docs != 1 || !s.known {
		t.Errorf("sprockets: %+v", s)
	}
	// Counted over every audience (each form of the word once, so "Gears" and
	// "gear" in one document count twice), known only for visible ones.
	if s, _ := lookup(ctx, d, []string{"gear"}, []string{"staff"}); s["gear"].known || s["gear"].docs != 2 {
		t.Errorf("gear for staff only: %+v, want counted but not known", s["gear"])
	}
}

func TestRoot(t *testing.T) {
	for w, want := range map[string]string{
		"crashes": "crash", "crashing": "crash", "crashed": "crash", "crash": "crash",
		"replies": "reply", "dropped": "drop", "falling": "fall", "deploys": "deploy", "app": "app", "is": "is", "dies": "die",
	} {
		if got := root(w); got != want {
			t.Errorf("root(%q) = %q, want %q", w, got, want)
		}
	}
	if got := prefixEnd("abz"); got != "ab{" {
		t.Errorf("prefixEnd = %q", got)
	}
}
