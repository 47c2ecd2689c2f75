package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/paths"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// The contract is the OpenAPI document, parsed and checked once, with a
// validator for exchanges. libopenapi-validator does the matching an
// OpenAPI document implies (path templates, status codes and ranges, media
// types, header fields parsed by their schemas, JSON Schema 2020-12 for
// bodies, security requirements), and its strict mode reports header
// fields a response carries but the document does not declare.

// specFile is the document under test.
const specFile = "openapi.yaml"

// transportHeaders are response and request header fields the document
// does not describe: they belong to HTTP (RFC 9110, RFC 9112) or to CORS
// (the Fetch standard), not to this API. Everything else a response
// carries must be declared; in particular Cache-Control and Pragma, which
// the validator's default list would have ignored.
var transportHeaders = []string{
	"content-type", "content-length", "date", "connection", "host", "user-agent", "accept",
	"accept-encoding", "authorization", "origin", "vary",
	"access-control-allow-origin", "access-control-expose-headers",
}

// validatorOptions are the options of the response validator: formats
// (uri, email) asserted, and strict, so that a member or header field the
// document does not declare is reported even where a schema would let it
// pass. Requests are validated without strict mode: a registration
// request may carry members Registrar does not know, which it ignores
// (RFC 7591 §2).
func validatorOptions() []config.Option {
	return []config.Option{
		config.WithFormatAssertions(),
		config.WithStrictMode(),
		config.WithStrictIgnoredHeaders(transportHeaders...),
	}
}

type contract struct {
	model *v3.Document
	v     validator.Validator // responses, strict
	req   validator.Validator // requests
	opts  *config.ValidationOptions
}

// newContract parses spec as OpenAPI 3.1, builds its model (every $ref
// resolved), validates the document itself against the OpenAPI 3.1
// schema, and compiles every component schema.
func newContract(spec []byte) (*contract, error) {
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1.") {
		return nil, fmt.Errorf("openapi %q, want 3.1.x", v)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	v, errs := validator.NewValidator(doc, validatorOptions()...)
	if len(errs) > 0 {
		return nil, fmt.Errorf("validator: %v", errs)
	}
	reqV, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, fmt.Errorf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		var b strings.Builder
		for _, e := range verrs {
			fmt.Fprintf(&b, "\n  %s", describe(e.Message, e.Reason, e.SchemaValidationErrors))
		}
		return nil, fmt.Errorf("not a valid OpenAPI 3.1 document:%s", b.String())
	}
	// The OpenAPI 3.1 schema leaves Schema Objects to their dialect:
	// compile each one as JSON Schema 2020-12, which checks it against the
	// meta-schema (the response-body path compiles with the meta-schema
	// check and $refs resolved, also for schemas no test response uses).
	opts := config.NewValidationOptions(validatorOptions()...)
	var bad []string
	for name, proxy := range m.Model.Components.Schemas.FromOldest() {
		if _, err := schema_validation.CompileSchemaForValidation(proxy.Schema(), schema_validation.SchemaValidationPurposeResponseBody, opts, 3.1); err != nil {
			bad = append(bad, fmt.Sprintf("components.schemas.%s: %v", name, err))
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("schemas that are not valid JSON Schema 2020-12:\n  %s", strings.Join(bad, "\n  "))
	}
	return &contract{model: &m.Model, v: v, req: reqV, opts: opts}, nil
}

func mustContract(t testing.TB, spec []byte) *contract {
	t.Helper()
	c, err := newContract(spec)
	if err != nil {
		t.Fatalf("%s: %v", specFile, err)
	}
	return c
}

func readSpec(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(specFile)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// exchange is one request and its response, bodies kept.
type exchange struct {
	req     *http.Request
	reqBody []byte
	resp    *http.Response
	body    []byte
}

// rewind makes both bodies readable again (the validator reads them).
func (x exchange) rewind() {
	x.req.Body = io.NopCloser(bytes.NewReader(x.reqBody))
	x.resp.Body = io.NopCloser(bytes.NewReader(x.body))
}

// operation names the documented operation an exchange went to and the
// status it got: "POST /register/{client_id} 403". The path is the
// document's template, "" when none matches.
func (c *contract) operation(x exchange) string {
	_, _, template := paths.FindPath(x.req, c.model, c.opts)
	return fmt.Sprintf("%s %s %d", x.req.Method, template, x.resp.StatusCode)
}

// problems lists every way the response (and, with checkRequest, the
// request) departs from the document: an undocumented path, method or
// status; a missing, undeclared or malformed header field; a body that is
// not valid against its schema.
func (c *contract) problems(x exchange, checkRequest bool) []string {
	var out []string
	add := func(errs []*liberrors.ValidationError) {
		for _, e := range errs {
			out = append(out, describe(e.Message, e.Reason, e.SchemaValidationErrors))
		}
	}
	x.rewind()
	if ok, errs := c.v.ValidateHttpResponse(x.req, x.resp); !ok {
		add(errs)
	}
	if checkRequest {
		x.rewind()
		if ok, errs := c.req.ValidateHttpRequestSync(x.req); !ok {
			add(errs)
		}
	}
	x.rewind()
	return out
}

// documented lists every documented "METHOD /path status".
func (c *contract) documented() []string {
	var out []string
	for path, item := range c.model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			if op.Responses == nil || op.Responses.Codes == nil {
				continue
			}
			for code := range op.Responses.Codes.KeysFromOldest() {
				out = append(out, fmt.Sprintf("%s %s %s", strings.ToUpper(method), path, code))
			}
		}
	}
	sort.Strings(out)
	return out
}

// methods returns the documented methods of a path, upper case, and those
// of them with a 2xx response (the methods the path allows).
func (c *contract) methods(path string) (documented, allowed []string) {
	item, ok := c.model.Paths.PathItems.Get(path)
	if !ok {
		return nil, nil
	}
	for method, op := range item.GetOperations().FromOldest() {
		m := strings.ToUpper(method)
		documented = append(documented, m)
		for code := range op.Responses.Codes.KeysFromOldest() {
			if strings.HasPrefix(code, "2") {
				allowed = append(allowed, m)
				break
			}
		}
	}
	sort.Strings(documented)
	sort.Strings(allowed)
	return documented, allowed
}

// paths lists the documented paths.
func (c *contract) paths() []string {
	var out []string
	for p := range c.model.Paths.PathItems.KeysFromOldest() {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// uncovered lists the documented operations and statuses not in seen.
func uncovered(documented []string, seen map[string]bool) []string {
	var out []string
	for _, d := range documented {
		if !seen[d] {
			out = append(out, d)
		}
	}
	return out
}

func describe(msg, reason string, schemaErrs []*liberrors.SchemaValidationFailure) string {
	s := msg
	if reason != "" && reason != msg {
		s += ": " + reason
	}
	for _, se := range schemaErrs {
		s += fmt.Sprintf(" [%s at %s]", se.Reason, se.FieldPath)
	}
	return s
}

// header field values as sets, for Allow.
func fieldSet(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" && !slices.Contains(out, f) {
			out = append(out, strings.ToUpper(f))
		}
	}
	sort.Strings(out)
	return out
}
