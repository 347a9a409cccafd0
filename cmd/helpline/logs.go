package main

import (
	"context"
	"io"
)

// logsCmd diagnoses logs locally.
func logsCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return errUsage
}
