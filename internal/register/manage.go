package register

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/pkg/clientid"
)

// bearerChallenge is the RFC 6750 §3 challenge for the client configuration
// endpoint.
const bearerChallenge = `Bearer realm="registrar"`

// ClientVerifier verifies client_ids.
type ClientVerifier interface {
	Verify(clientID string) (*clientid.Client, error)
}

// authenticate checks an RFC 7592 management call: the client_id from the
// registration_client_uri must verify and not be revoked or expired, and the
// token (from the Authorization header, "" when absent) must be its
// registration access token. Every failure is 401 with a WWW-Authenticate
// challenge and never says whether the client exists (OIDC DCR §4.4: never
// 404; RFC 7592 §2.1: an unknown client is 401).
func (s *Service) authenticate(clientID, token string) (*clientid.Client, error) {
	if token == "" {
		// RFC 6750 §3.1: no error code when the request had no token.
		return nil, oauth.New(oauth.CodeInvalidToken, "a registration access token is required").
			WithStatus(http.StatusUnauthorized).WithHeader("WWW-Authenticate", bearerChallenge)
	}
	invalid := oauth.New(oauth.CodeInvalidToken, "the registration access token is not valid for this client").
		WithHeader("WWW-Authenticate", bearerChallenge+`, error="invalid_token"`)
	c, err := s.verifyManaged(clientID)
	if err != nil {
		return nil, invalid.WithCause(err)
	}
	if !s.Deriver.CheckRegistrationAccessToken(c, token) {
		return nil, invalid
	}
	if s.Revocations != nil {
		if by, revoked := s.Revocations.Revoked(c.Claims.RevocationSubject()); revoked {
			return nil, invalid.WithCause(&revokedError{by})
		}
	}
	return c, nil
}

type revokedError struct{ by string }

func (e *revokedError) Error() string { return "client revoked by " + e.by }

// Read answers an RFC 7592 §2.1 read: the registration response again,
// credentials included (they are derived), without the statement.
func (s *Service) Read(clientID, token string) (*Result, error) {
	c, err := s.authenticate(clientID, token)
	if err != nil {
		return nil, err
	}
	b, err := s.Render(c.ClientID, &c.Claims, "")
	if err != nil {
		return nil, err
	}
	return &Result{Body: b, Client: c.Claims, ClientIDLength: len(c.ClientID)}, nil
}

// forbiddenInUpdate are members a client MUST NOT send in an update
// (RFC 7592 §2.2).
var forbiddenInUpdate = []string{"registration_access_token", "registration_client_uri", "client_secret_expires_at", "client_id_issued_at"}

// Update answers an RFC 7592 §2.2 update. In the default mode it is 403: a
// client_id carries its metadata, RFC 7592 §2.2 forbids changing the
// client_id, so the client registers again. In successor mode the body is
// validated exactly like a registration (statement rules included) and the
// answer is a new client_id whose `prev` names the old one.
func (s *Service) Update(ctx context.Context, clientID, token string, req Request) (*Result, error) {
	c, err := s.authenticate(clientID, token)
	if err != nil {
		return nil, err
	}
	if s.UpdateMode != UpdateSuccessor {
		return nil, oauth.New(oauth.CodeAccessDenied, "this registrar does not change registered clients: a client_id carries its metadata and must not change (RFC 7592 section 2.2); register again at the registration endpoint").
			WithStatus(http.StatusForbidden)
	}
	in, err := s.request(ctx, Request{Body: req.Body, Signed: req.Signed})
	if err != nil {
		return nil, err
	}
	members := in.members
	var id string
	if raw, ok := members["client_id"]; !ok || raw[0] != '"' || json.Unmarshal(raw, &id) != nil || id != c.ClientID {
		return nil, oauth.New(oauth.CodeInvalidRequest, "client_id must be present and equal to the current client_id (RFC 7592 section 2.2)")
	}
	for _, name := range forbiddenInUpdate {
		if _, ok := members[name]; ok {
			return nil, oauth.New(oauth.CodeInvalidRequest, name+" must not be sent in an update (RFC 7592 section 2.2)")
		}
	}
	if raw, ok := members["client_secret"]; ok {
		var secret string
		want, derr := s.Deriver.ClientSecret(&c.Claims)
		if raw[0] != '"' || json.Unmarshal(raw, &secret) != nil || derr != nil ||
			subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
			return nil, oauth.New(oauth.CodeInvalidRequest, "client_secret does not match the current client secret; clients cannot choose their secret (RFC 7592 section 2.2)")
		}
	}
	delete(members, "client_id")
	delete(members, "client_secret")
	return s.register(ctx, in, c)
}
