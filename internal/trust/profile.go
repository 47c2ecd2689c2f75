package trust

import (
	"time"
)

// RequestForm is the registration request form an issuer's members use.
type RequestForm string

// Request forms.
const (
	// RequestAny accepts a JSON body or a signed request.
	RequestAny RequestForm = "any"
	// RequestJSON accepts only an application/json body.
	RequestJSON RequestForm = "json"
	// RequestSigned accepts only a registration request signed by the
	// client (application/jose or application/jwt), as Open Banking UK.
	RequestSigned RequestForm = "signed"
)

// Profile is a named bundle of defaults for a kind of federation. Every
// value can be overridden in the issuer's entry.
type Profile struct {
	Name string
	// Algorithms is the default statement algorithm allow-list (nil: the
	// deployment's).
	Algorithms []string
	// MaxAge is the default statement max age (zero: the deployment's).
	MaxAge time.Duration
	// RequiredClaims are required in every statement.
	RequiredClaims []string
	// Provenance is the default set of optional claims copied into the
	// client_id.
	Provenance []string
	// Request is the default request form.
	Request RequestForm
	// RequestAlgorithms is the default allow-list for signed requests.
	RequestAlgorithms []string
	// Directory maps the directory's software_* claims onto client
	// metadata (registration's claim mapping, package register).
	Directory bool
}

// Profiles Registrar knows.
var Profiles = map[string]Profile{
	// RFC 7591: statement members are client metadata and take precedence
	// over the body (§3.1.1).
	"rfc7591": {
		Name:              "rfc7591",
		Provenance:        []string{"org_id"},
		Request:           RequestAny,
		RequestAlgorithms: []string{"PS256", "ES256", "EdDSA", "Ed25519", "RS256"},
	},
	// Open Banking UK DCR 3.x: directory SSAs with software_* claims,
	// registration requests signed by the TPP (application/jose), FAPI
	// algorithms.
	"openbanking-uk": {
		Name:              "openbanking-uk",
		Algorithms:        []string{"PS256", "ES256"},
		RequiredClaims:    []string{"software_id", "org_id", "jti", "software_redirect_uris"},
		Provenance:        []string{"org_id", "software_roles"},
		Request:           RequestSigned,
		RequestAlgorithms: []string{"PS256", "ES256"},
		Directory:         true,
	},
	// Open Finance Brasil DCR: directory SSAs no older than 5 minutes,
	// jwks_uri fixed by the SSA, plain JSON requests.
	"openfinance-brasil": {
		Name:              "openfinance-brasil",
		Algorithms:        []string{"PS256"},
		MaxAge:            5 * time.Minute,
		RequiredClaims:    []string{"software_id", "org_id", "software_jwks_uri", "software_redirect_uris"},
		Provenance:        []string{"org_id", "software_roles"},
		Request:           RequestAny,
		RequestAlgorithms: []string{"PS256"},
		Directory:         true,
	},
}

// ProvenanceClaims are the optional claims a policy may copy into client_ids.
var ProvenanceClaims = []string{"org_id", "software_roles"}
