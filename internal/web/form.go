package web

import (
	"strconv"
	"strings"
)

// fieldData is one form field for the "input" and "textarea" partials: its
// value from what the user typed, its error and its hint, so every field gets
// the same label, aria-invalid and aria-describedby wiring.
type fieldData struct {
	Name, ID, Label, Hint string
	Value, Err            string
	Type, Placeholder     string
	List                  string // the ID of a datalist of suggestions
	Rows                  int
	Required              bool
}

// newField builds a field of page p. The ID is the name with dots and
// underscores as dashes, so it is a plain CSS identifier; the name itself
// stays the key the service reports errors under (urgent.started_at).
func newField(p *Page, name, label, hint string) fieldData {
	id := strings.NewReplacer(".", "-", "_", "-").Replace(name)
	return fieldData{Name: name, ID: id, Label: label, Hint: hint, Value: p.Form.Get(name), Err: p.Err(name), Type: "text", Rows: 4}
}

// With returns the field with one more setting, for templates:
// (field $ "urgent.started_at" "Started" "").With "placeholder" "2015-…".
func (f fieldData) With(key, value string) fieldData {
	switch key {
	case "type":
		f.Type = value
	case "placeholder":
		f.Placeholder = value
	case "rows":
		if n, err := strconv.Atoi(value); err == nil {
			f.Rows = n
		}
	case "required":
		f.Required = value == "true"
	case "id":
		f.ID = value
	case "list":
		f.List = value
	}
	return f
}

// DescribedBy lists the IDs of the field's error and hint.
func (f fieldData) DescribedBy() string {
	var ids []string
	if f.Err != "" {
		ids = append(ids, f.ID+"-error")
	}
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	return strings.Join(ids, " ")
}
