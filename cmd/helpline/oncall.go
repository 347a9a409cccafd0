package main

import (
	"context"
	"errors"
	"io"
)

func oncallCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("not yet") // TODO(on-call config helper)
}
