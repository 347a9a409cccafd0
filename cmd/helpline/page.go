package main

import (
	"context"
	"errors"
	"io"
)

func pageCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("not yet") // TODO(paging helper)
}
