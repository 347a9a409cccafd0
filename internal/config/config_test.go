package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helpline-dev/helpline/internal/config"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 8080 || c.DataDir != "./helpline-data" || c.DatabaseURL != "sqlite:helpline-data/helpline.db" || c.BaseURL != "http://localhost:8080" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestSecretFromFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "dburl")
	if err := os.WriteFile(f, []byte("postgres://u:p@db/helpline\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(env(map[string]string{"DATABASE_URL_FILE": f}))
	if err != nil || c.DatabaseURL != "postgres://u:p@db/helpline" {
		t.Fatalf("got %q, %v", c.DatabaseURL, err)
	}
}

func TestInvalid(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"PORT", "eighty", "PORT"},
		{"DATABASE_URL", "mysql://x", "DATABASE_URL"},
		{"HELPLINE_SMTP_URL", "http://mail", "HELPLINE_SMTP_URL"},
		{"HELPLINE_ENV", "staging", "HELPLINE_ENV"},
		{"HELPLINE_DEMO", "maybe", "HELPLINE_DEMO"},
		{"HELPLINE_MAX_BODY_BYTES", "12", "HELPLINE_MAX_BODY_BYTES"},
		{"HELPLINE_SESSION_TTL", "forever", "HELPLINE_SESSION_TTL"},
		{"HELPLINE_BASE_URL", "help.example.com", "HELPLINE_BASE_URL"},
	} {
		_, err := config.Load(env(map[string]string{tc.name: tc.value}))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%q: err %v, want mention of %s", tc.name, tc.value, err, tc.want)
		}
	}
}

// The README's configuration table must list every variable Load reads.
func TestREADMEListsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range config.Vars {
		if !strings.Contains(string(readme), "`"+v.Name+"`") {
			t.Errorf("README.md does not document %s", v.Name)
		}
	}
}
