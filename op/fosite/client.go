package fosite

import (
	"crypto/sha256"
	"encoding/json"
	"strings"

	jose "github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"

	"github.com/registrar/registrar/op/internal/unsupported"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
)

// ClientOptions are the OP's own settings for every Registrar client.
type ClientOptions struct {
	// DefaultScopes are the scopes of a client that registered none (fosite
	// lets a client request only its scopes; openid among them for OpenID
	// Connect). Configure REGISTRAR_SCOPES so that every client has some.
	DefaultScopes []string
	// Audience is every client's allowed audience (fosite.Client.GetAudience).
	Audience []string
	// Unsupported lists the client metadata members (and
	// "subject_type=pairwise") whose client is refused because the OP
	// would serve it without them; nil means DefaultUnsupported. An OP
	// that implements one gives its own list.
	Unsupported []string
}

// DefaultUnsupported is what fosite does not implement per client:
// encrypted ID Tokens and UserInfo, signed UserInfo, encrypted or required
// request objects, certificate- or DPoP-bound tokens, required PAR,
// back- and front-channel logout, RAR types and pairwise subjects.
var DefaultUnsupported = unsupported.Default

// Client is a verified Registrar client as a fosite.Client and
// fosite.OpenIDConnectClient.
type Client struct {
	c      *clientid.Client
	md     *metadata.Metadata
	o      ClientOptions
	hashed []byte
	jwks   *jose.JSONWebKeySet
}

var (
	_ fosite.Client              = (*Client)(nil)
	_ fosite.OpenIDConnectClient = (*Client)(nil)
)

// hashPrefix marks the hash of a Registrar client's derived secret.
const hashPrefix = "$registrar-sha256$"

// NewClient returns the fosite client of a client that opkit verified;
// secret is its derived client secret (opkit.Verifier.ClientSecret), or ""
// for a client that presents none or an OP without derivation secrets.
func NewClient(c *clientid.Client, secret string, o ClientOptions) *Client {
	cl := &Client{c: c, md: c.Metadata(), o: o}
	if secret != "" {
		sum := sha256.Sum256([]byte(secret))
		cl.hashed = append([]byte(hashPrefix), sum[:]...)
	}
	if len(cl.md.JWKS) > 0 {
		var set jose.JSONWebKeySet
		if json.Unmarshal(cl.md.JWKS, &set) == nil {
			// fosite uses only keys marked "use":"sig"; a registered key
			// without use may sign (RFC 7517 §4.2).
			for i := range set.Keys {
				if set.Keys[i].Use == "" {
					set.Keys[i].Use = "sig"
				}
			}
			cl.jwks = &set
		}
	}
	return cl
}

// Registrar returns the verified client.
func (c *Client) Registrar() *clientid.Client { return c.c }

// GetID is the client_id, the whole signed string.
func (c *Client) GetID() string { return c.c.ClientID }

// GetHashedSecret is the marked SHA-256 of the derived secret, which only
// Hasher compares; nil for a client without one.
func (c *Client) GetHashedSecret() []byte { return c.hashed }

func (c *Client) GetRedirectURIs() []string { return c.md.RedirectURIs }

func (c *Client) GetGrantTypes() fosite.Arguments { return c.md.GrantTypes }

func (c *Client) GetResponseTypes() fosite.Arguments { return c.md.ResponseTypes }

// GetScopes is the registered scope, or ClientOptions.DefaultScopes.
func (c *Client) GetScopes() fosite.Arguments {
	if c.md.Scope == "" {
		return c.o.DefaultScopes
	}
	return strings.Fields(c.md.Scope)
}

// IsPublic is true for token_endpoint_auth_method none.
func (c *Client) IsPublic() bool { return c.md.TokenEndpointAuthMethod == metadata.AuthNone }

func (c *Client) GetAudience() fosite.Arguments { return c.o.Audience }

// GetPostLogoutRedirectURIs is post_logout_redirect_uris, for an OP's
// end-session endpoint (fosite has none).
func (c *Client) GetPostLogoutRedirectURIs() []string { return c.md.PostLogoutRedirectURIs }

func (c *Client) GetRequestURIs() []string { return c.md.RequestURIs }

// GetJSONWebKeys is the registered jwks (keys without "use" marked "sig").
func (c *Client) GetJSONWebKeys() *jose.JSONWebKeySet { return c.jwks }

// GetJSONWebKeysURI is jwks_uri; fosite fetches it with
// fosite.Config.JWKSFetcherStrategy, which must be SSRF-safe.
func (c *Client) GetJSONWebKeysURI() string { return c.md.JWKSURI }

func (c *Client) GetRequestObjectSigningAlgorithm() string { return c.md.RequestObjectSigningAlg }

func (c *Client) GetTokenEndpointAuthMethod() string { return c.md.TokenEndpointAuthMethod }

// GetTokenEndpointAuthSigningAlgorithm is token_endpoint_auth_signing_alg;
// fosite requires the assertion's alg to equal it. Without one it is the
// alg of the registered signing keys when they all name the same, else
// RS256 (fosite's default).
func (c *Client) GetTokenEndpointAuthSigningAlgorithm() string {
	if a := c.md.TokenEndpointAuthSigningAlg; a != "" {
		return a
	}
	alg := ""
	if c.jwks != nil {
		for _, k := range c.jwks.Keys {
			if k.Use != "sig" {
				continue
			}
			if alg != "" && k.Algorithm != alg {
				return "RS256"
			}
			alg = k.Algorithm
		}
	}
	if alg == "" {
		return "RS256"
	}
	return alg
}
