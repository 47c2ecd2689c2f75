package checkop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/registrar/registrar/internal/fetch"
	"github.com/registrar/registrar/internal/textrule"
)

// Getter fetches a URL: a *fetch.Client.
type Getter interface {
	Get(ctx context.Context, rawURL, accept string) ([]byte, error)
}

var _ Getter = (*fetch.Client)(nil)

// Well-known paths of OP metadata documents.
const (
	OpenIDConfigurationPath = "/.well-known/openid-configuration"       // OIDC Discovery 1.0 §4
	OAuthServerPath         = "/.well-known/oauth-authorization-server" // RFC 8414 §3
)

// ErrDocument wraps every reason a document cannot be used: none of the
// URLs answered with one, or it is not a metadata document.
var ErrDocument = errors.New("no usable OP metadata document")

// DocumentURLs are the URLs Fetch tries for what the operator typed: the
// URL itself when its path names a well-known document, else the OIDC
// Discovery location and then the RFC 8414 one for the issuer.
func DocumentURLs(raw string) ([]string, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%w: %q is not an absolute http(s) URL", ErrDocument, raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%w: %q has a query or fragment (an issuer has neither, RFC 8414 section 2)", ErrDocument, raw)
	}
	if strings.Contains(u.EscapedPath(), "/.well-known/") {
		return []string{raw}, nil
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	origin := u.Scheme + "://" + u.Host
	return []string{origin + path + OpenIDConfigurationPath, origin + OAuthServerPath + path}, nil
}

// Fetch reads the OP's metadata document: from the first of DocumentURLs
// that answers 200, moving on only when a URL answers another status. It
// returns the document and the URL it came from.
func Fetch(ctx context.Context, g Getter, raw string) (*Document, string, error) {
	urls, err := DocumentURLs(raw)
	if err != nil {
		return nil, "", err
	}
	var last error
	for _, u := range urls {
		body, err := g.Get(ctx, u, "application/json")
		if errors.Is(err, fetch.ErrStatus) {
			last = err
			continue
		}
		if err != nil {
			return nil, u, err
		}
		doc, err := Parse(body)
		return doc, u, err
	}
	return nil, urls[len(urls)-1], last
}

// Document is what Compare reads of an OP's metadata document (OIDC
// Discovery 1.0 §3, RFC 8414 §2 and the registered extensions). A nil
// list or *bool is an omitted member.
type Document struct {
	Issuer                                string   `json:"issuer"`
	ScopesSupported                       []string `json:"scopes_supported"`
	ResponseTypesSupported                []string `json:"response_types_supported"`
	GrantTypesSupported                   []string `json:"grant_types_supported"`
	SubjectTypesSupported                 []string `json:"subject_types_supported"`
	TokenEndpointAuthMethodsSupported     []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgsSupported []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	IDTokenSigningAlgsSupported           []string `json:"id_token_signing_alg_values_supported"`
	IDTokenEncryptionAlgsSupported        []string `json:"id_token_encryption_alg_values_supported"`
	IDTokenEncryptionEncsSupported        []string `json:"id_token_encryption_enc_values_supported"`
	UserinfoSigningAlgsSupported          []string `json:"userinfo_signing_alg_values_supported"`
	UserinfoEncryptionAlgsSupported       []string `json:"userinfo_encryption_alg_values_supported"`
	UserinfoEncryptionEncsSupported       []string `json:"userinfo_encryption_enc_values_supported"`
	RequestObjectSigningAlgsSupported     []string `json:"request_object_signing_alg_values_supported"`
	RequestObjectEncryptionAlgsSupported  []string `json:"request_object_encryption_alg_values_supported"`
	RequestObjectEncryptionEncsSupported  []string `json:"request_object_encryption_enc_values_supported"`
	CodeChallengeMethodsSupported         []string `json:"code_challenge_methods_supported"`
	AuthorizationDetailsTypesSupported    []string `json:"authorization_details_types_supported"`
	DPoPSigningAlgsSupported              []string `json:"dpop_signing_alg_values_supported"`
	EndSessionEndpoint                    string   `json:"end_session_endpoint"`
	PushedAuthorizationRequestEndpoint    string   `json:"pushed_authorization_request_endpoint"`
	FrontchannelLogoutSupported           *bool    `json:"frontchannel_logout_supported"`
	FrontchannelLogoutSessionSupported    *bool    `json:"frontchannel_logout_session_supported"`
	BackchannelLogoutSupported            *bool    `json:"backchannel_logout_supported"`
	BackchannelLogoutSessionSupported     *bool    `json:"backchannel_logout_session_supported"`
	TLSClientCertificateBoundAccessTokens *bool    `json:"tls_client_certificate_bound_access_tokens"`
}

// OpenIDProvider tells whether the document is an OpenID Provider's: it
// lists id_token_signing_alg_values_supported or subject_types_supported,
// both REQUIRED by OIDC Discovery 1.0 §3. Without either it describes an
// OAuth 2.0 authorization server (RFC 8414 §2), which issues no ID Token,
// so Registrar's ID Token algorithms and subject types cannot mismatch.
func (d *Document) OpenIDProvider() bool {
	return d.IDTokenSigningAlgsSupported != nil || d.SubjectTypesSupported != nil
}

// Parse reads a metadata document: a JSON object with an issuer, whose
// members Compare reads have their registered types. Other members are
// ignored.
func Parse(body []byte) (*Document, error) {
	var doc Document
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDocument, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrDocument)
	}
	if doc.Issuer == "" {
		return nil, fmt.Errorf("%w: it has no issuer (OIDC Discovery section 3, RFC 8414 section 2)", ErrDocument)
	}
	if err := doc.printable(); err != nil {
		return nil, err
	}
	return &doc, nil
}

// printable refuses a document whose strings check-op may print hold a
// character that forges text (textrule: controls, bidi controls,
// invisible characters): the lines go to an operator's terminal, and no
// registered value (scope, algorithm, type, method, URL) contains one.
func (d *Document) printable() error {
	members := []struct {
		name string
		v    []string
	}{
		{"issuer", []string{d.Issuer}},
		{"end_session_endpoint", []string{d.EndSessionEndpoint}},
		{"pushed_authorization_request_endpoint", []string{d.PushedAuthorizationRequestEndpoint}},
		{"scopes_supported", d.ScopesSupported},
		{"response_types_supported", d.ResponseTypesSupported},
		{"grant_types_supported", d.GrantTypesSupported},
		{"subject_types_supported", d.SubjectTypesSupported},
		{"token_endpoint_auth_methods_supported", d.TokenEndpointAuthMethodsSupported},
		{"token_endpoint_auth_signing_alg_values_supported", d.TokenEndpointAuthSigningAlgsSupported},
		{"id_token_signing_alg_values_supported", d.IDTokenSigningAlgsSupported},
		{"id_token_encryption_alg_values_supported", d.IDTokenEncryptionAlgsSupported},
		{"id_token_encryption_enc_values_supported", d.IDTokenEncryptionEncsSupported},
		{"userinfo_signing_alg_values_supported", d.UserinfoSigningAlgsSupported},
		{"userinfo_encryption_alg_values_supported", d.UserinfoEncryptionAlgsSupported},
		{"userinfo_encryption_enc_values_supported", d.UserinfoEncryptionEncsSupported},
		{"request_object_signing_alg_values_supported", d.RequestObjectSigningAlgsSupported},
		{"request_object_encryption_alg_values_supported", d.RequestObjectEncryptionAlgsSupported},
		{"request_object_encryption_enc_values_supported", d.RequestObjectEncryptionEncsSupported},
		{"code_challenge_methods_supported", d.CodeChallengeMethodsSupported},
		{"authorization_details_types_supported", d.AuthorizationDetailsTypesSupported},
		{"dpop_signing_alg_values_supported", d.DPoPSigningAlgsSupported},
	}
	for _, m := range members {
		for i, v := range m.v {
			if strings.IndexFunc(v, textrule.Forbidden) >= 0 {
				return fmt.Errorf("%w: %s[%d] holds a control, bidi or invisible character", ErrDocument, m.name, i)
			}
		}
	}
	return nil
}
