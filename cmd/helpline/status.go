package main

import (
	"context"
	"io"
)

// statusCmd shows and manages the status page.
func statusCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errUsage
}
