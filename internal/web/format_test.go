package web

import (
	"testing"
	"time"
)

func TestFormatting(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		got, want string
	}{
		{ago(now, now.Add(-30*time.Second)), "just now"},
		{ago(now, now.Add(-time.Minute)), "1 min ago"},
		{ago(now, now.Add(-3*time.Hour-5*time.Minute)), "3 h ago"},
		{ago(now, now.Add(-72*time.Hour)), "3 d ago"},
		{ago(now, now.AddDate(-1, 0, 0)), "on Mar 1, 2024"},
		{redactionNote(0), ""},
		{redactionNote(1), " We removed 1 secret (an API key or password) from what you pasted before saving it."},
		{redactionNote(2), " We removed 2 secrets (API keys, passwords) from what you pasted before saving it."},
		{joinNames([]string{"Sam"}), "Sam"},
		{joinNames([]string{"Sam", "Kim", "Lee"}), "Sam, Kim and Lee"},
		{humanBytes(512), "512 B"},
		{humanBytes(3 << 20), "3.0 MB"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
