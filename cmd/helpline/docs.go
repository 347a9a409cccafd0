package main

import (
	"context"
	"io"
)

// docsCmd imports and exports articles as Markdown files.
func docsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errUsage
}

// kbCmd searches the help center.
func kbCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errUsage
}
