package main

import (
	"context"
	"errors"
	"io"
)

func slaCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("not yet") // TODO(sla helper)
}
