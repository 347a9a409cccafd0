package ticket

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/helpline-dev/helpline"
)

// FileStore keeps attachment contents in the data directory, named by their
// SHA-256, so the same file uploaded twice is stored once.
type FileStore struct {
	Dir      string
	MaxBytes int64
}

func (f *FileStore) path(sum string) string { return filepath.Join(f.Dir, sum[:2], sum) }

// Save stores the contents of r, at most MaxBytes, and returns their
// SHA-256 and size. A file too large or empty is an invalid "file".
func (f *FileStore) Save(r io.Reader) (sum string, size int64, err error) {
	tmp, err := os.CreateTemp(f.Dir, "upload-*")
	if err != nil {
		if err := os.MkdirAll(f.Dir, 0o750); err != nil {
			return "", 0, err
		}
		if tmp, err = os.CreateTemp(f.Dir, "upload-*"); err != nil {
			return "", 0, err
		}
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, f.MaxBytes+1))
	if err != nil {
		return "", 0, err
	}
	if n > f.MaxBytes {
		return "", 0, &helpline.Error{Kind: helpline.KindInvalid, Message: "The file is too large.",
			Fields: map[string]string{"file": "must be at most " + humanSize(f.MaxBytes)}}
	}
	if n == 0 {
		return "", 0, &helpline.Error{Kind: helpline.KindInvalid, Message: "The file is empty.", Fields: map[string]string{"file": "is empty"}}
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if err := tmp.Close(); err != nil {
		return "", 0, err
	}
	dst := f.path(sum)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", 0, err
	}
	return sum, n, os.Rename(tmp.Name(), dst)
}

// Open opens the stored file with the given SHA-256.
func (f *FileStore) Open(sum string) (*os.File, error) { return os.Open(f.path(sum)) }

// Attachment is a file on a ticket.
type Attachment struct {
	ID          int64     `json:"id"`
	TicketID    int64     `json:"ticket_id"`
	UploaderID  int64     `json:"uploader_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
}

// CleanFilename makes an uploaded file's name safe to store and to send
// back in a Content-Disposition header.
func CleanFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." {
		name = "attachment"
	}
	if len(name) > 200 {
		name = name[len(name)-200:]
	}
	return name
}

// AddAttachment stores a file on a ticket the actor may see. contentType is
// what the HTTP layer sniffed from the bytes, never what the client claimed.
func (s *Service) AddAttachment(ctx context.Context, actor *helpline.Actor, ticketID int64, filename, contentType string, r io.Reader) (Attachment, error) {
	var a Attachment
	if s.files == nil {
		return a, errors.New("attachments are not configured")
	}
	if _, err := s.FindTicketByID(ctx, actor, ticketID); err != nil {
		return a, err
	}
	sum, n, err := s.files.Save(r)
	if err != nil {
		return a, err
	}
	a = Attachment{TicketID: ticketID, UploaderID: actor.UserID, Filename: CleanFilename(filename), ContentType: contentType, Size: n, SHA256: sum, CreatedAt: s.nowUTC()}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO ticket_attachments (ticket_id, uploader_id, filename, content_type, size, sha256, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, ticketID, actor.UserID, a.Filename, a.ContentType, a.Size, a.SHA256, a.CreatedAt).Scan(&a.ID); err != nil {
			return err
		}
		return s.event(ctx, tx, actor, ticketID, "attachment_added", true, map[string]any{"filename": a.Filename, "size": a.Size})
	})
	return a, err
}

// FindAttachments lists a ticket's files.
func (s *Service) FindAttachments(ctx context.Context, actor *helpline.Actor, ticketID int64) ([]Attachment, error) {
	if _, err := s.FindTicketByID(ctx, actor, ticketID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, ticket_id, uploader_id, filename, content_type, size, sha256, created_at FROM ticket_attachments WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Attachment{}
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.ID, &a.TicketID, &a.UploaderID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.CreatedAt); err != nil {
			return nil, err
		}
		a.CreatedAt = a.CreatedAt.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// humanSize shows a byte count the way people read file sizes.
func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.3g MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.3g KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// OpenAttachment returns a file of a ticket the actor may see.
func (s *Service) OpenAttachment(ctx context.Context, actor *helpline.Actor, id int64) (Attachment, *os.File, error) {
	var a Attachment
	if s.files == nil {
		return a, nil, errors.New("attachments are not configured")
	}
	err := s.db.QueryRowContext(ctx, `SELECT id, ticket_id, uploader_id, filename, content_type, size, sha256, created_at FROM ticket_attachments WHERE id = $1`, id).
		Scan(&a.ID, &a.TicketID, &a.UploaderID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil, helpline.NotFound("attachment")
	}
	if err != nil {
		return a, nil, err
	}
	if _, err := s.FindTicketByID(ctx, actor, a.TicketID); err != nil {
		return a, nil, helpline.NotFound("attachment")
	}
	f, err := s.files.Open(a.SHA256)
	return a, f, err
}
