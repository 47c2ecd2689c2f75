package register

import (
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/oauth"
)

// bearerChallenge is the RFC 6750 §3 challenge for the client configuration
// endpoint.
const bearerChallenge = `Bearer realm="registrar"`

// ClientVerifier verifies client_ids.
type ClientVerifier interface {
	Verify(clientID string) (*clientid.Client, error)
}

// Read answers an RFC 7592 §2.1 read request: clientID from the
// registration_client_uri, token from the Authorization header ("" when
// absent). Every failure is 401 with a WWW-Authenticate challenge and never
// says whether the client exists (OIDC DCR §4.4: never 404).
func (s *Service) Read(clientID, token string) (*Result, error) {
	if token == "" {
		// RFC 6750 §3.1: no error code when the request had no token.
		return nil, oauth.New(oauth.CodeInvalidToken, "a registration access token is required").
			WithStatus(401).WithHeader("WWW-Authenticate", bearerChallenge)
	}
	invalid := oauth.New(oauth.CodeInvalidToken, "the registration access token is not valid for this client").
		WithHeader("WWW-Authenticate", bearerChallenge+`, error="invalid_token"`)
	c, err := s.Verifier.Verify(clientID)
	if err != nil {
		return nil, invalid.WithCause(err)
	}
	if !s.Deriver.CheckRegistrationAccessToken(c, token) {
		return nil, invalid
	}
	b, err := s.Render(c.ClientID, &c.Claims, "")
	if err != nil {
		return nil, err
	}
	return &Result{Body: b, Client: c.Claims, ClientIDLength: len(c.ClientID)}, nil
}
