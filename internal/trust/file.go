package trust

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/registrar/registrar/internal/strictjson"
)

// FileConfig is the trusted issuers file.
type FileConfig struct {
	Issuers []IssuerConfig `json:"issuers"`
	// Policies are named ceilings that issuers and initial access tokens
	// refer to.
	Policies map[string]PolicyConfig `json:"policies,omitempty"`
	// InitialAccessTokens gates registration (RFC 7591 §3).
	InitialAccessTokens *AccessTokensConfig `json:"initial_access_tokens,omitempty"`
}

// IssuerConfig is one trusted issuer. Durations are Go durations ("5m",
// "2160h").
type IssuerConfig struct {
	// Issuer is the exact `iss` of its statements.
	Issuer string `json:"issuer"`
	// Profile names a bundle of defaults and claim mappings: "rfc7591"
	// (default), "openbanking-uk" or "openfinance-brasil".
	Profile string `json:"profile,omitempty"`
	// JWKSFile is a JWK Set file, relative to the trusted issuers file.
	// Exactly one of JWKSFile and JWKSURI is required.
	JWKSFile string `json:"jwks_file,omitempty"`
	// JWKSURI is an https URL of the issuer's JWK Set, fetched through the
	// outbound client.
	JWKSURI string `json:"jwks_uri,omitempty"`
	// JWKSRefresh is the refresh interval of JWKSURI (default 5m).
	JWKSRefresh string `json:"jwks_refresh,omitempty"`
	// JWKSMaxStaleness is how long the last good key set stays usable
	// while refreshes fail (default 24h); after it, statements from this
	// issuer fail closed.
	JWKSMaxStaleness string `json:"jwks_max_staleness,omitempty"`
	// JWKSMinRefetch is the least time between fetches caused by unknown
	// kids (default 30s).
	JWKSMinRefetch string `json:"jwks_min_refetch,omitempty"`
	// Algorithms narrows the statement algorithm allow-list.
	Algorithms []string `json:"algorithms,omitempty"`
	// StatementTypes, when set, makes the statement `typ` required and one
	// of these.
	StatementTypes []string `json:"statement_types,omitempty"`
	// MaxAge is the oldest statement `iat` accepted.
	MaxAge string `json:"max_age,omitempty"`
	// ClockSkew is the tolerance for iat, nbf and exp.
	ClockSkew string `json:"clock_skew,omitempty"`
	// RequiredClaims must be present in every statement.
	RequiredClaims []string `json:"required_claims,omitempty"`
	// Audience, when set, makes `aud` required and one of these values.
	Audience []string `json:"audience,omitempty"`
	// Policy names the ceilings that apply to this issuer's members.
	Policy string `json:"policy,omitempty"`
	// ClientIDLifetime caps the lifetime of client_ids registered with
	// this issuer's statements.
	ClientIDLifetime string `json:"client_id_lifetime,omitempty"`
	// Provenance lists the statement claims, beyond iss, software_id and
	// jti, copied into the client_id: "org_id", "software_roles".
	Provenance []string `json:"provenance,omitempty"`
	// RegistrationRequest is the accepted request form: "json", "signed"
	// (a JWS signed by the client, Open Banking UK) or "any".
	RegistrationRequest string `json:"registration_request,omitempty"`
	// RequestAlgorithms is the allow-list for signed registration requests.
	RequestAlgorithms []string `json:"request_algorithms,omitempty"`
	// RequestMaxLifetime bounds exp - iat of a signed request (default 10m).
	RequestMaxLifetime string `json:"request_max_lifetime,omitempty"`
	// RegistrationsPerMinute, when positive, limits registrations with this
	// issuer's statements across this replica.
	RegistrationsPerMinute int `json:"registrations_per_minute,omitempty"`
}

// PolicyConfig is a named ceiling. An absent list sets no bound; an empty
// list allows nothing.
type PolicyConfig struct {
	GrantTypes               []string `json:"grant_types,omitempty"`
	ResponseTypes            []string `json:"response_types,omitempty"`
	TokenEndpointAuthMethods []string `json:"token_endpoint_auth_methods,omitempty"`
	Scopes                   []string `json:"scopes,omitempty"`
	ClientIDLifetime         string   `json:"client_id_lifetime,omitempty"`
}

// AccessTokensConfig configures initial access tokens.
type AccessTokensConfig struct {
	// Required refuses registrations without a valid token.
	Required bool `json:"required,omitempty"`
	// Static tokens are stored as the base64url SHA-256 of the token.
	Static []StaticTokenConfig `json:"static,omitempty"`
	// Signed accepts JWTs from these trusted issuers.
	Signed []SignedTokenConfig `json:"signed,omitempty"`
	// MaxLifetime bounds exp - iat of signed tokens (default 24h).
	MaxLifetime string `json:"max_lifetime,omitempty"`
}

// StaticTokenConfig is one static initial access token.
type StaticTokenConfig struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Policy string `json:"policy"`
}

// SignedTokenConfig accepts signed initial access tokens from an issuer.
type SignedTokenConfig struct {
	Issuer string `json:"issuer"`
	Policy string `json:"policy"`
}

// Member names of each object, matched exactly: encoding/json would match
// "Issuer" to issuer, so {"issuer":"B","Issuer":"A"} would trust A.
var (
	fileMembers   = []string{"issuers", "policies", "initial_access_tokens"}
	issuerMembers = []string{"issuer", "profile", "jwks_file", "jwks_uri", "jwks_refresh", "jwks_max_staleness",
		"jwks_min_refetch", "algorithms", "statement_types", "max_age", "clock_skew", "required_claims", "audience",
		"policy", "client_id_lifetime", "provenance", "registration_request", "request_algorithms",
		"request_max_lifetime", "registrations_per_minute"}
	policyMembers = []string{"grant_types", "response_types", "token_endpoint_auth_methods", "scopes", "client_id_lifetime"}
	tokenMembers  = []string{"required", "static", "signed", "max_lifetime"}
	staticMembers = []string{"name", "sha256", "policy"}
	signedMembers = []string{"issuer", "policy"}
)

var fileLimits = strictjson.Limits{MaxDepth: 8, MaxMembers: 1024}

// ParseFile decodes a trusted issuers file with exact member names; any
// unknown member is an error.
func ParseFile(data []byte) (FileConfig, error) {
	var fc FileConfig
	top, err := strictjson.Object(data, fileLimits)
	if err != nil {
		return fc, err
	}
	if err := onlyMembers(top, "", fileMembers...); err != nil {
		return fc, err
	}
	raw, ok := top["issuers"]
	if !ok {
		return fc, errors.New(`"issuers" must be an array`)
	}
	entries, err := array(raw, "issuers")
	if err != nil {
		return fc, err
	}
	for i, e := range entries {
		var ic IssuerConfig
		if err := decodeObject(e, fmt.Sprintf("issuers[%d]", i), issuerMembers, &ic); err != nil {
			return fc, err
		}
		fc.Issuers = append(fc.Issuers, ic)
	}
	if raw, ok := top["policies"]; ok {
		m, err := strictjson.Object(raw, fileLimits)
		if err != nil {
			return fc, fmt.Errorf("policies: %v", err)
		}
		fc.Policies = map[string]PolicyConfig{}
		names := make([]string, 0, len(m))
		for name := range m {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			var pc PolicyConfig
			if err := decodeObject(m[name], fmt.Sprintf("policies.%s", name), policyMembers, &pc); err != nil {
				return fc, err
			}
			fc.Policies[name] = pc
		}
	}
	if raw, ok := top["initial_access_tokens"]; ok {
		tc, err := parseTokens(raw)
		if err != nil {
			return fc, err
		}
		fc.InitialAccessTokens = tc
	}
	return fc, nil
}

func parseTokens(raw json.RawMessage) (*AccessTokensConfig, error) {
	m, err := strictjson.Object(raw, fileLimits)
	if err != nil {
		return nil, fmt.Errorf("initial_access_tokens: %v", err)
	}
	if err := onlyMembers(m, "initial_access_tokens.", tokenMembers...); err != nil {
		return nil, err
	}
	tc := &AccessTokensConfig{}
	if r, ok := m["required"]; ok {
		if err := json.Unmarshal(r, &tc.Required); err != nil {
			return nil, errors.New("initial_access_tokens.required must be true or false")
		}
	}
	if r, ok := m["max_lifetime"]; ok {
		if err := json.Unmarshal(r, &tc.MaxLifetime); err != nil {
			return nil, errors.New("initial_access_tokens.max_lifetime must be a duration string")
		}
	}
	if r, ok := m["static"]; ok {
		entries, err := array(r, "initial_access_tokens.static")
		if err != nil {
			return nil, err
		}
		for i, e := range entries {
			var sc StaticTokenConfig
			if err := decodeObject(e, fmt.Sprintf("initial_access_tokens.static[%d]", i), staticMembers, &sc); err != nil {
				return nil, err
			}
			tc.Static = append(tc.Static, sc)
		}
	}
	if r, ok := m["signed"]; ok {
		entries, err := array(r, "initial_access_tokens.signed")
		if err != nil {
			return nil, err
		}
		for i, e := range entries {
			var sc SignedTokenConfig
			if err := decodeObject(e, fmt.Sprintf("initial_access_tokens.signed[%d]", i), signedMembers, &sc); err != nil {
				return nil, err
			}
			tc.Signed = append(tc.Signed, sc)
		}
	}
	return tc, nil
}

func array(raw json.RawMessage, where string) ([]json.RawMessage, error) {
	var entries []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &entries) != nil {
		return nil, fmt.Errorf("%q must be an array", where)
	}
	return entries, nil
}

// decodeObject decodes one object whose members must be among allowed,
// matched exactly.
func decodeObject(raw json.RawMessage, where string, allowed []string, v any) error {
	m, err := strictjson.Object(raw, fileLimits)
	if err != nil {
		return fmt.Errorf("%s: %v", where, err)
	}
	if err := onlyMembers(m, where+".", allowed...); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %v", where, err)
	}
	return nil
}

func onlyMembers(m strictjson.Members, where string, allowed ...string) error {
	var unknown []string
	for name := range m {
		ok := false
		for _, a := range allowed {
			if name == a {
				ok = true
			}
		}
		if !ok {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("%sunknown member %q", where, unknown[0])
	}
	return nil
}
