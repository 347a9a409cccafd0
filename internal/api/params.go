package api

import (
	"errors"
	"strconv"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err == nil && id <= 0 {
		err = errors.New("not positive")
	}
	return id, err
}
