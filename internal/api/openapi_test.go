package api

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// openAPIMethods are the keys of an OpenAPI path item that are operations;
// the others (parameters, summary, ...) are not.
var openAPIMethods = map[string]bool{
	"get": true, "put": true, "post": true, "delete": true,
	"options": true, "head": true, "patch": true, "trace": true,
}

// loadOpenAPI parses the embedded document, the one the API serves.
func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(OpenAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	return doc
}

// openAPIOperations returns every operation in doc keyed "method path", with
// the method in lower case as OpenAPI spells it.
func openAPIOperations(t *testing.T, doc map[string]any) map[string]map[string]any {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatal("openapi.json has no paths object")
	}
	ops := map[string]map[string]any{}
	for path, v := range paths {
		item, ok := v.(map[string]any)
		if !ok {
			t.Errorf("paths[%q] is not an object", path)
			continue
		}
		for method, v := range item {
			if !openAPIMethods[method] {
				continue
			}
			op, ok := v.(map[string]any)
			if !ok {
				t.Errorf("%s %s is not an object", method, path)
				continue
			}
			ops[method+" "+path] = op
		}
	}
	return ops
}

// openAPIPath turns a ServeMux path into an OpenAPI path: "{$}" anchors go
// and "{name...}" wildcards become "{name}".
func openAPIPath(muxPath string) string {
	p := strings.ReplaceAll(muxPath, "{$}", "")
	return strings.ReplaceAll(p, "...}", "}")
}

func TestOpenAPIDocumentParses(t *testing.T) {
	doc := loadOpenAPI(t)
	if v := doc["openapi"]; v != "3.1.0" {
		t.Errorf("openapi = %v, want \"3.1.0\"", v)
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] == nil || info["version"] == nil {
		t.Errorf("info needs a title and a version, have %v", info)
	}
}

// TestOpenAPIMatchesRoutes checks both directions, so that neither Routes
// nor the document can gain or lose an endpoint without the other.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	ops := openAPIOperations(t, doc)
	routes := (&API{}).Routes()
	if len(routes) == 0 {
		t.Fatal("Routes() is empty")
	}
	want := map[string]Route{}
	for _, rt := range routes {
		key := strings.ToLower(rt.Method) + " " + openAPIPath(rt.Path)
		if _, dup := want[key]; dup {
			t.Errorf("route %s is listed twice in Routes()", rt.Pattern())
		}
		want[key] = rt
	}
	for key, rt := range want {
		op, ok := ops[key]
		if !ok {
			t.Errorf("route %s has no operation in openapi.json (want paths[%q].%s)", rt.Pattern(), openAPIPath(rt.Path), strings.ToLower(rt.Method))
			continue
		}
		// Public routes opt out of the global bearer requirement; the
		// others must not.
		sec, has := op["security"].([]any)
		switch {
		case rt.Public && (!has || len(sec) != 0):
			t.Errorf("%s is public: its operation needs \"security\": []", rt.Pattern())
		case !rt.Public && has && len(sec) == 0:
			t.Errorf("%s needs a token, but its operation says \"security\": []", rt.Pattern())
		}
	}
	for key := range ops {
		if _, ok := want[key]; !ok {
			t.Errorf("openapi.json documents %s, which is not in Routes()", key)
		}
	}
}

var pathParamRE = regexp.MustCompile(`\{([^}]+)\}`)

func TestOpenAPIOperations(t *testing.T) {
	doc := loadOpenAPI(t)
	ops := openAPIOperations(t, doc)
	paths := doc["paths"].(map[string]any)
	keys := make([]string, 0, len(ops))
	for k := range ops {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seen := map[string]string{}
	for _, key := range keys {
		op := ops[key]
		id, _ := op["operationId"].(string)
		switch {
		case id == "":
			t.Errorf("%s has no operationId", key)
		case seen[id] != "":
			t.Errorf("operationId %q is used by both %s and %s", id, seen[id], key)
		default:
			seen[id] = key
		}
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s has no summary", key)
		}

		responses, _ := op["responses"].(map[string]any)
		ok := false
		for status := range responses {
			if len(status) == 3 && status[0] == '2' {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s has no 2xx response", key)
		}

		// Every {name} in the path is a declared path parameter, and every
		// declared path parameter is in the path.
		_, path, _ := strings.Cut(key, " ")
		declared := map[string]bool{}
		var params []any
		if item, ok := paths[path].(map[string]any); ok {
			params, _ = item["parameters"].([]any)
		}
		opParams, _ := op["parameters"].([]any)
		for _, p := range append(append([]any{}, params...), opParams...) {
			pm, _ := p.(map[string]any)
			if ref, ok := pm["$ref"].(string); ok {
				r, err := resolveRef(doc, ref)
				if err != nil {
					continue // TestOpenAPIRefsResolve reports it
				}
				pm, _ = r.(map[string]any)
			}
			if pm["in"] == "path" {
				name, _ := pm["name"].(string)
				declared[name] = true
				if pm["required"] != true {
					t.Errorf("%s: path parameter %q must be required", key, name)
				}
			}
		}
		inPath := map[string]bool{}
		for _, m := range pathParamRE.FindAllStringSubmatch(path, -1) {
			inPath[m[1]] = true
			if !declared[m[1]] {
				t.Errorf("%s: path parameter {%s} is not declared", key, m[1])
			}
		}
		for name := range declared {
			if !inPath[name] {
				t.Errorf("%s: declares path parameter %q, which is not in the path", key, name)
			}
		}
	}
}

// TestOpenAPIRefsResolve walks the whole document and resolves every $ref.
func TestOpenAPIRefsResolve(t *testing.T) {
	doc := loadOpenAPI(t)
	n := 0
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				n++
				if !strings.HasPrefix(ref, "#/components/") {
					t.Errorf("%s: $ref %q does not point into #/components/", where, ref)
				} else if _, err := resolveRef(doc, ref); err != nil {
					t.Errorf("%s: $ref %q: %v", where, ref, err)
				}
			}
			for k, child := range v {
				walk(where+"/"+k, child)
			}
		case []any:
			for i, child := range v {
				walk(fmt.Sprintf("%s/%d", where, i), child)
			}
		}
	}
	walk("#", doc)
	if n == 0 {
		t.Error("openapi.json has no $ref at all; the walk found nothing to check")
	}
}

// resolveRef follows a local JSON pointer such as
// "#/components/schemas/User" through doc.
func resolveRef(doc map[string]any, ref string) (any, error) {
	pointer, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("only local references (#/...) are supported")
	}
	var cur any = doc
	for _, tok := range strings.Split(pointer, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%q is not inside an object", tok)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("no %q", tok)
		}
	}
	return cur, nil
}
