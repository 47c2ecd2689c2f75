package register

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/strictjson"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
)

// The URL form of the client_id (pkg/clientid urlform.go) and the Client ID
// Metadata Document served at it (draft-ietf-oauth-client-id-metadata-document-03).

// IDForms is which forms of client_id a registrar issues
// (REGISTRAR_CLIENT_ID_FORM).
type IDForms string

// Client_id form settings.
const (
	// FormsPlain issues the compact JWS itself (the default).
	FormsPlain IDForms = "plain"
	// FormsURL issues every client_id in the URL form.
	FormsURL IDForms = "url"
	// FormsClient issues the plain form unless the request asks for the
	// URL form with "client_id_form":"url".
	FormsClient IDForms = "client"
)

// FormMember is the registration request member by which a client asks for
// a form of client_id: "plain" or "url".
const FormMember = "client_id_form"

// Defaults of the URL form's budgets.
const (
	// DefaultMaxDocumentBytes is the size authorization servers read of a
	// Client ID Metadata Document (draft-03 §8.7 recommends 5 kilobytes).
	DefaultMaxDocumentBytes = 5120
	// DefaultDocumentMaxAge caps how long a fetched document may be cached.
	DefaultDocumentMaxAge = 5 * time.Minute
)

// Supported lists the forms a setting issues, for discovery.
func (f IDForms) Supported() []string {
	switch f {
	case FormsURL:
		return []string{"url"}
	case FormsClient:
		return []string{"plain", "url"}
	}
	return []string{"plain"}
}

// form decides the form of a new client_id: a successor keeps its
// predecessor's while the deployment issues it; otherwise the setting, and
// in FormsClient mode what the request asks.
func (s *Service) form(members strictjson.Members, prev *clientid.Client) (string, error) {
	if prev != nil {
		// A successor keeps its predecessor's form while the deployment
		// issues it, and takes the one it issues once it no longer does.
		if s.issues(prev.Claims.Form) {
			return prev.Claims.Form, nil
		}
		if s.IDForms == FormsURL {
			return clientid.FormURL, nil
		}
		return "", nil
	}
	asked := ""
	if raw, ok := members[FormMember]; ok {
		if raw[0] != '"' || json.Unmarshal(raw, &asked) != nil || asked != "plain" && asked != "url" {
			return "", oauth.New(oauth.CodeInvalidClientMetadata, FormMember+` must be "plain" or "url"`)
		}
	}
	issued := "plain"
	switch s.IDForms {
	case FormsURL:
		issued = "url"
	case FormsClient:
		if asked != "" {
			issued = asked
		}
	}
	if asked != "" && asked != issued {
		return "", oauth.New(oauth.CodeInvalidClientMetadata, fmt.Sprintf("%s: this registrar issues only %s client_ids", FormMember, issued))
	}
	if issued == "url" {
		return clientid.FormURL, nil
	}
	return "", nil
}

// issues reports whether the deployment issues client_ids of form ("" for
// the plain form, clientid.FormURL).
func (s *Service) issues(form string) bool {
	switch s.IDForms {
	case FormsClient:
		return true
	case FormsURL:
		return form == clientid.FormURL
	}
	return form == ""
}

// noSecretDefault makes "none" the token endpoint authentication method of
// a URL-form client that names none: RFC 7591 §2's default,
// client_secret_basic, needs a secret, which the draft forbids (§4.1).
// RFC 7591 §2 lets a server substitute values; the response shows it.
func noSecretDefault(members strictjson.Members, form string) {
	if form != clientid.FormURL {
		return
	}
	if _, ok := members[metadata.TokenEndpointAuthMethod]; !ok {
		members[metadata.TokenEndpointAuthMethod] = json.RawMessage(`"none"`)
	}
}

// checkNoSecret refuses a URL-form client that would need a client secret:
// draft-03 §4.1 forbids shared secrets and client_secret in a Client ID
// Metadata Document.
func checkNoSecret(md *metadata.Metadata, form string) error {
	if form != clientid.FormURL || !md.NeedsSecret() {
		return nil
	}
	return oauth.New(oauth.CodeInvalidClientMetadata,
		"a client_id in the URL form comes with no client_secret (draft-ietf-oauth-client-id-metadata-document-03 section 4.1): "+
			"use token_endpoint_auth_method none (with PKCE) or private_key_jwt, and no HS* algorithm")
}

// checkDocument refuses a URL-form client whose Client ID Metadata Document
// would exceed the size authorization servers read, naming the members that
// take the most room.
func (s *Service) checkDocument(m *mint.Minted) error {
	if m.Claims.Form != clientid.FormURL {
		return nil
	}
	max := s.maxDocumentBytes()
	if n := len(Document(m.ClientID, m.Claims.Metadata)); n > max {
		return oauth.New(oauth.CodeInvalidClientMetadata, fmt.Sprintf(
			"the client ID metadata document would be %d bytes, at most %d (draft-ietf-oauth-client-id-metadata-document-03 section 8.7); drop or shorten the largest members: %s",
			n, max, mint.LargestMembers(m.Claims.Metadata)))
	}
	return nil
}

func (s *Service) maxDocumentBytes() int {
	if s.MaxDocumentBytes > 0 {
		return s.MaxDocumentBytes
	}
	return DefaultMaxDocumentBytes
}

// Document renders the Client ID Metadata Document of a URL-form client:
// client_id equal to the URL (draft-03 §4) and the registered metadata,
// without the members equal to their spec defaults (an authorization server
// applies the same defaults; some refuse members they do not support even
// at their default value, such as backchannel_logout_session_required).
// Nothing secret: no client_secret, no registration access token, and jwks
// holds public keys only (private key material is refused at registration).
func Document(clientID string, md *metadata.Metadata) []byte {
	b := make([]byte, 0, len(clientID)+1024)
	b = append(b, `{"client_id":`...)
	b = metadata.AppendString(b, clientID)
	b = md.AppendJSON(b, false, metadata.Compact)
	return append(b, '}')
}

// ClientDocument is a Client ID Metadata Document ready to serve.
type ClientDocument struct {
	Body []byte
	// MaxAge is how long it may be cached: never beyond the client_id's
	// expiry.
	MaxAge time.Duration
}

// errNoDocument is the one answer for every URL that has no document: no
// detail on why (bad signature, expired, revoked, other form).
func errNoDocument(cause error) error {
	return oauth.New(oauth.CodeInvalidClient, "no client ID metadata document at this URL").
		WithStatus(http.StatusNotFound).WithCause(cause)
}

// ClientDocument verifies the URL-form client_id whose JWS is jws (the last
// path segment of the URL) and returns its document. It serves every
// URL-form client_id this registrar signed, whatever REGISTRAR_CLIENT_ID_FORM
// says now: clients registered while the deployment issued the URL form keep
// working until they expire or are revoked.
func (s *Service) ClientDocument(jws string) (*ClientDocument, error) {
	c, err := s.Verifier.Verify(clientid.URLPrefix(s.Minter.Issuer) + jws)
	if err != nil {
		return nil, errNoDocument(err)
	}
	if s.Revocations != nil {
		if by, revoked := s.Revocations.Revoked(c.Claims.RevocationSubject()); revoked {
			return nil, errNoDocument(&revokedError{by})
		}
	}
	maxAge := s.DocumentMaxAge
	if maxAge <= 0 {
		maxAge = DefaultDocumentMaxAge
	}
	if exp := c.Claims.ExpiresAt; !exp.IsZero() {
		if left := exp.Sub(s.now()).Truncate(time.Second); left < maxAge {
			maxAge = left
		}
	}
	return &ClientDocument{Body: Document(c.ClientID, c.Metadata()), MaxAge: maxAge}, nil
}

// verifyManaged verifies the client_id named by a registration_client_uri's
// last segment: the client_id itself, or the JWS of a URL-form client_id
// (a URL does not fit in one path segment).
func (s *Service) verifyManaged(segment string) (*clientid.Client, error) {
	c, err := s.Verifier.Verify(segment)
	if errors.Is(err, clientid.ErrForm) {
		return s.Verifier.Verify(clientid.URLPrefix(s.Minter.Issuer) + segment)
	}
	return c, err
}

// managementURI is a client's registration_client_uri.
func (s *Service) managementURI(clientID string) string {
	jws, _ := clientid.SplitURL(s.Minter.Issuer, clientID)
	return s.ClientURIBase + "/" + jws
}
