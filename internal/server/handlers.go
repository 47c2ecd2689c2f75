package server

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/register"
)

// register handles RFC 7591 §3.1 registration: bind, one domain call, render.
func (s *Server) register(c echo.Context) error {
	req, err := s.bindRequest(c)
	if err != nil {
		return err
	}
	req.AccessToken = bearerToken(c.Request())
	res, err := s.opts.Register.Register(c.Request().Context(), req)
	if err != nil {
		return err
	}
	setAudit(c, res.Client.ID, res.ClientIDLength, res.Client.Statement)
	return writeJSON(c, http.StatusCreated, res.Body)
}

// read handles RFC 7592 §2.1 client read.
func (s *Server) read(c echo.Context) error {
	res, err := s.opts.Register.Read(c.Param("client_id"), bearerToken(c.Request()))
	if err != nil {
		return err
	}
	setAudit(c, res.Client.ID, res.ClientIDLength, res.Client.Statement)
	return writeJSON(c, http.StatusOK, res.Body)
}

// update handles RFC 7592 §2.2 client update.
func (s *Server) update(c echo.Context) error {
	req, err := s.bindRequest(c)
	if err != nil {
		return err
	}
	res, err := s.opts.Register.Update(c.Request().Context(), c.Param("client_id"), bearerToken(c.Request()), req)
	if err != nil {
		return err
	}
	setAudit(c, res.Client.ID, res.ClientIDLength, res.Client.Statement)
	return writeJSON(c, http.StatusOK, res.Body)
}

// unsupported answers every other method on the client configuration
// endpoint with 405 and Allow (RFC 7592 §2, RFC 9110 §15.5.6; HEAD goes
// where GET goes). DELETE gets
// its own explanation (RFC 7592 §2.3): a stateless registrar cannot forget a
// client_id; clients end by expiry or by the revocation list.
func (s *Server) unsupported(c echo.Context) error {
	desc := "method not allowed on this endpoint"
	if c.Request().Method == http.MethodDelete {
		desc = "clients cannot be deleted here (RFC 7592 section 2.3): a client_id stays valid until it expires or the operator lists it in the revocation list"
	}
	return oauth.New(oauth.CodeInvalidRequest, desc).
		WithStatus(http.StatusMethodNotAllowed).WithHeader(echo.HeaderAllow, "GET, HEAD, PUT")
}

// bearerToken returns the RFC 6750 §2.1 bearer token, or "" when the request
// has none. Tokens in the query string or form body are never read (RFC 6750
// §2.3, §5.3); one in the query string is refused (refuseQueryToken).
func bearerToken(r *http.Request) string {
	h := r.Header.Get(echo.HeaderAuthorization)
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// Media types of a registration request signed by the client: application/jose
// (RFC 7515 §9.2.1, Open Banking UK) and application/jwt (RFC 7519 §10.3.1).
const (
	mimeJOSE = "application/jose"
	mimeJWT  = "application/jwt"
)

// bindRequest reads a registration or update request: the body (see
// readBody) and whether it is a signed request. (A token in the query
// string was refused before: refuseQueryToken.)
func (s *Server) bindRequest(c echo.Context) (register.Request, error) {
	body, mt, err := s.readBody(c)
	if err != nil {
		return register.Request{}, err
	}
	return register.Request{Body: body, Signed: mt != echo.MIMEApplicationJSON}, nil
}

// readBody enforces application/json, application/jose or application/jwt
// (415 otherwise), no content coding, and the body cap (413), and returns
// the body and its media type.
func (s *Server) readBody(c echo.Context) ([]byte, string, error) {
	r := c.Request()
	mt, params, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON && mt != mimeJOSE && mt != mimeJWT {
		return nil, "", oauth.New(oauth.CodeInvalidRequest, "Content-Type must be application/json, or application/jose or application/jwt for a signed registration request").
			WithStatus(http.StatusUnsupportedMediaType)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, "", oauth.New(oauth.CodeInvalidRequest, "the only accepted charset is utf-8").
			WithStatus(http.StatusUnsupportedMediaType)
	}
	if !identityCoding(r.Header.Values(echo.HeaderContentEncoding)) {
		return nil, "", oauth.New(oauth.CodeInvalidRequest, "content codings are not accepted").
			WithStatus(http.StatusUnsupportedMediaType)
	}
	limit := s.opts.MaxBodyBytes
	tooLarge := func() error {
		return oauth.New(oauth.CodeInvalidRequest, "request body is larger than "+strconv.FormatInt(limit, 10)+" bytes").
			WithStatus(http.StatusRequestEntityTooLarge)
	}
	if r.ContentLength > limit {
		return nil, "", tooLarge()
	}
	body, err := readAll(http.MaxBytesReader(c.Response(), r.Body, limit), r.ContentLength)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, "", tooLarge()
		}
		return nil, "", oauth.Wrap(err, oauth.CodeInvalidRequest, "could not read the request body")
	}
	return body, mt, nil
}

// identityCoding tells whether every Content-Encoding field line (RFC 9110
// §8.4: one or more, each a list) says identity or nothing.
func identityCoding(lines []string) bool {
	for _, l := range lines {
		for _, c := range strings.Split(l, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "identity") {
				return false
			}
		}
	}
	return true
}

// readAll reads r to the end into one buffer sized by the declared length
// (net/http holds a body to its Content-Length), growing only for chunked
// bodies. The caller has checked size against the body cap.
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size < 0 {
		return io.ReadAll(r)
	}
	// ReadFrom keeps bytes.MinRead free before each read.
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// document serves the Client ID Metadata Document of a URL-form client_id
// (draft-ietf-oauth-client-id-metadata-document-03 §4, §5): 200
// application/json, cacheable until the client_id expires at the latest,
// or 404 with no detail.
func (s *Server) document(c echo.Context) error {
	doc, err := s.opts.Register.ClientDocument(c.Param("jws"))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "public, max-age="+strconv.Itoa(int(doc.MaxAge/time.Second)))
	h.Del("Pragma")
	return writeJSON(c, http.StatusOK, doc.Body)
}
