package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/registrar/registrar/internal/discovery"
	"github.com/registrar/registrar/internal/server"
)

// echoParam is a path parameter in Echo's route syntax.
var echoParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// servedPaths are the request paths at which the server answers a
// documented path for issuer: under the issuer's path, unless the path
// item's own servers leave the base path out (the probes); and, for an
// issuer with a path, the metadata document also at the RFC 8414 §3 path
// insertion form, as the document's description says.
func (c *contract) servedPaths(docPath, iss string) []string {
	base := discovery.BasePath(iss)
	item, _ := c.model.Paths.PathItems.Get(docPath)
	if len(item.Servers) > 0 && !slices.ContainsFunc(item.Servers, func(s *v3.Server) bool { return strings.Contains(s.URL, "{basePath}") }) {
		return []string{docPath}
	}
	out := []string{base + docPath}
	if docPath == discovery.WellKnownPath && base != "" {
		out = append(out, discovery.WellKnownPath+base)
	}
	return out
}

// routeProblems compares the routes srv registers with the document, for
// issuer iss:
//   - every route is a documented operation, or a method the path does not
//     list that answers the documented generic 405;
//   - every documented operation is a route at each of its served paths;
//   - every method a documented path does not list answers 405 with Allow
//     naming exactly the methods the document allows there (OPTIONS may
//     instead answer 204 with that Allow), and the error body the
//     document describes.
func routeProblems(c *contract, srv *server.Server, iss string) []string {
	var out []string
	bad := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	e, ok := srv.Handler().(*echo.Echo)
	if !ok {
		return []string{fmt.Sprintf("server.Handler is a %T, no longer *echo.Echo: find the route table another way", srv.Handler())}
	}
	routes := map[string]bool{} // "METHOD /served/path/{param}"
	for _, r := range e.Routes() {
		routes[r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	// generic[docPath][method]: the method is not documented there and
	// answers the generic 405.
	generic := map[string]map[string]bool{}
	for _, dp := range c.paths() {
		documented, allowed := c.methods(dp)
		generic[dp] = map[string]bool{}
		for _, sp := range c.servedPaths(dp, iss) {
			for _, m := range documented {
				if !routes[m+" "+sp] {
					bad("%s %s is documented (as %s) but not a route", m, sp, dp)
				}
			}
			url := strings.ReplaceAll(sp, "{client_id}", "x.y.z")
			for _, m := range echoMethods {
				if slices.Contains(documented, m) {
					continue
				}
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, httptest.NewRequest(m, url, nil))
				allow := slices.DeleteFunc(fieldSet(rec.Header().Get("Allow")), func(s string) bool { return s == "OPTIONS" })
				switch {
				case m == http.MethodOptions && rec.Code == http.StatusNoContent:
				case rec.Code != http.StatusMethodNotAllowed:
					bad("%s %s: status %d, want 405 (the method is not documented for %s)", m, url, rec.Code, dp)
					continue
				default:
					if p := c.genericErrorProblem(rec); p != "" {
						bad("%s %s: %s", m, url, p)
					}
				}
				if !slices.Equal(allow, allowed) {
					bad("%s %s: Allow %q, want the methods the document allows: %q", m, url, rec.Header().Get("Allow"), allowed)
				}
				generic[dp][m] = true
			}
		}
	}
	for route := range routes {
		method, path, _ := strings.Cut(route, " ")
		dp := ""
		for _, p := range c.paths() {
			if slices.Contains(c.servedPaths(p, iss), path) {
				dp = p
			}
		}
		documented, _ := c.methods(dp)
		switch {
		case dp == "":
			bad("route %s %s is not in the document", method, path)
		case !slices.Contains(documented, method) && !generic[dp][method]:
			bad("route %s %s is neither a documented operation of %s nor answered with the generic 405", method, path, dp)
		}
	}
	slices.Sort(out)
	return out
}

// genericErrorProblem checks a generic 405 against the document's error
// shape (InvalidRequestError) and the header fields of every response.
func (c *contract) genericErrorProblem(rec *httptest.ResponseRecorder) string {
	h := rec.Header()
	if h.Get("Cache-Control") != "no-store" || h.Get("Pragma") != "no-cache" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Request-Id") == "" {
		return fmt.Sprintf("header fields every response carries are missing: %v", h)
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "application/json") || !json.Valid(rec.Body.Bytes()) {
		return fmt.Sprintf("not a JSON error: %q %s", h.Get("Content-Type"), rec.Body.Bytes())
	}
	proxy, ok := c.model.Components.Schemas.Get("InvalidRequestError")
	if !ok {
		return "components.schemas.InvalidRequestError is gone"
	}
	v := schema_validation.NewSchemaValidator(validatorOptions()...)
	if ok, errs := v.ValidateSchemaBytes(proxy.Schema(), rec.Body.Bytes()); !ok {
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, describe(e.Message, e.Reason, e.SchemaValidationErrors))
		}
		return fmt.Sprintf("body %s: %s", rec.Body.Bytes(), strings.Join(msgs, "; "))
	}
	return ""
}
