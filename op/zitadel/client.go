package zitadel

import (
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/registrar/registrar/op/internal/unsupported"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
)

// ClientOptions are the OP's own settings for every Registrar client: what
// client metadata does not say.
type ClientOptions struct {
	// LoginURL is where the OP sends the user for an auth request id.
	// Required for authorization code flows.
	LoginURL func(authRequestID string) string
	// AccessTokenType is the access token format; zero is
	// op.AccessTokenTypeBearer (opaque).
	AccessTokenType op.AccessTokenType
	// IDTokenLifetime is the ID Token lifetime; 0 means one hour.
	IDTokenLifetime time.Duration
	// ClockSkew is added to the validity of ID Tokens for the client.
	ClockSkew time.Duration
	// Unsupported lists the client metadata members (and
	// "subject_type=pairwise") whose client is refused because the OP
	// would serve it without them; nil means DefaultUnsupported, what
	// zitadel/oidc v3 lacks. An OP that implements one gives its own list.
	Unsupported []string
}

// DefaultUnsupported is what zitadel/oidc v3 does not implement:
// encrypted ID Tokens and UserInfo, signed UserInfo, encrypted or required
// request objects, certificate- or DPoP-bound tokens, required PAR,
// back- and front-channel logout, RAR types and pairwise subjects.
var DefaultUnsupported = unsupported.Default

// Client is a verified Registrar client as a zitadel/oidc op.Client.
type Client struct {
	c  *clientid.Client
	md *metadata.Metadata
	o  ClientOptions
}

var _ op.Client = (*Client)(nil)

// NewClient returns the op.Client of a client that opkit verified.
func NewClient(c *clientid.Client, o ClientOptions) *Client {
	return &Client{c: c, md: c.Metadata(), o: o}
}

// Registrar returns the verified client, for claims zitadel/oidc has no
// method for (software_id, the statement's provenance, jwks).
func (c *Client) Registrar() *clientid.Client { return c.c }

// GetID is the client_id, the whole signed string.
func (c *Client) GetID() string { return c.c.ClientID }

func (c *Client) RedirectURIs() []string { return c.md.RedirectURIs }

func (c *Client) PostLogoutRedirectURIs() []string { return c.md.PostLogoutRedirectURIs }

// ApplicationType maps application_type: native is native; a web client
// without a client secret or key (token_endpoint_auth_method none) is a
// browser application, user_agent; any other is web (confidential).
func (c *Client) ApplicationType() op.ApplicationType {
	switch {
	case c.md.ApplicationType == metadata.AppNative:
		return op.ApplicationTypeNative
	case c.md.TokenEndpointAuthMethod == metadata.AuthNone:
		return op.ApplicationTypeUserAgent
	}
	return op.ApplicationTypeWeb
}

// AuthMethod is token_endpoint_auth_method; Clients refuses the methods
// zitadel/oidc lacks before a Client is made.
func (c *Client) AuthMethod() oidc.AuthMethod { return oidc.AuthMethod(c.md.TokenEndpointAuthMethod) }

func (c *Client) ResponseTypes() []oidc.ResponseType {
	out := make([]oidc.ResponseType, len(c.md.ResponseTypes))
	for i, t := range c.md.ResponseTypes {
		out[i] = oidc.ResponseType(t)
	}
	return out
}

func (c *Client) GrantTypes() []oidc.GrantType {
	out := make([]oidc.GrantType, len(c.md.GrantTypes))
	for i, g := range c.md.GrantTypes {
		out[i] = oidc.GrantType(g)
	}
	return out
}

func (c *Client) LoginURL(id string) string {
	if c.o.LoginURL == nil {
		return ""
	}
	return c.o.LoginURL(id)
}

func (c *Client) AccessTokenType() op.AccessTokenType { return c.o.AccessTokenType }

func (c *Client) IDTokenLifetime() time.Duration {
	if c.o.IDTokenLifetime == 0 {
		return time.Hour
	}
	return c.o.IDTokenLifetime
}

// DevMode is always false: Registrar has validated the redirect URIs.
func (c *Client) DevMode() bool { return false }

func (c *Client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (c *Client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// IsScopeAllowed decides the scopes beyond OpenID Connect's own (openid,
// profile, email, phone, address, offline_access, which zitadel/oidc always
// allows): those of the registered scope, or any when none was registered.
func (c *Client) IsScopeAllowed(scope string) bool {
	if c.md.Scope == "" {
		return true
	}
	return slices.Contains(strings.Fields(c.md.Scope), scope)
}

// IDTokenUserinfoClaimsAssertion is false: claims go to the userinfo
// endpoint, except for response_type id_token (OIDC Core §5.4).
func (c *Client) IDTokenUserinfoClaimsAssertion() bool { return false }

func (c *Client) ClockSkew() time.Duration { return c.o.ClockSkew }
