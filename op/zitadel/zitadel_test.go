package zitadel_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/registrar/registrar/op/zitadel"
	"github.com/registrar/registrar/pkg/opkit"
)

// serverError reports whether zitadel/oidc would answer err with
// server_error (500) rather than invalid_client.
func serverError(err error) bool {
	var oe *oidc.Error
	return errors.As(err, &oe) && oe.ErrorType == oidc.ServerError
}

// TestClientFromMetadata: the op.Client of each vector client says what
// its signed metadata says, in zitadel/oidc's terms.
func TestClientFromMetadata(t *testing.T) {
	v := loadVectors(t)
	s := &zitadel.Clients{Verifier: v.Verifier(t, v.Now, opkit.Options{}), Options: zitadel.ClientOptions{
		LoginURL:    func(id string) string { return "/login?id=" + id },
		Unsupported: []string{}, // an OP with encryption, DPoP and PAR: the statement vector registers them
	}}
	for _, c := range []struct {
		vector     string
		app        op.ApplicationType
		method     oidc.AuthMethod
		grants     []oidc.GrantType
		redirects  int
		scopeOK    string
		scopeNotOK string
	}{
		{"minimal-web-client", op.ApplicationTypeWeb, oidc.AuthMethodBasic, []oidc.GrantType{oidc.GrantTypeCode}, 1, "anything", ""},
		{"native-public-client", op.ApplicationTypeNative, oidc.AuthMethodNone, []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}, 2, "anything", ""},
		{"statement-client", op.ApplicationTypeWeb, oidc.AuthMethodPrivateKeyJWT, []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}, 1, "email", "admin"},
		{"expiring-service-client", op.ApplicationTypeWeb, oidc.AuthMethodPost, []oidc.GrantType{oidc.GrantTypeClientCredentials}, 0, "reports.read", "reports.write"},
	} {
		t.Run(c.vector, func(t *testing.T) {
			id := v.Clients[c.vector].ClientID
			got, err := s.GetClientByClientID(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if got.GetID() != id {
				t.Error("GetID is not the client_id")
			}
			if got.ApplicationType() != c.app || got.AuthMethod() != c.method {
				t.Errorf("application type %v, auth method %s; want %v, %s", got.ApplicationType(), got.AuthMethod(), c.app, c.method)
			}
			if !slices.Equal(got.GrantTypes(), c.grants) {
				t.Errorf("grant types %v, want %v", got.GrantTypes(), c.grants)
			}
			if len(got.RedirectURIs()) != c.redirects {
				t.Errorf("redirect URIs %v", got.RedirectURIs())
			}
			if !got.IsScopeAllowed(c.scopeOK) || (c.scopeNotOK != "" && got.IsScopeAllowed(c.scopeNotOK)) {
				t.Errorf("IsScopeAllowed(%q) = %v, IsScopeAllowed(%q) = %v", c.scopeOK, got.IsScopeAllowed(c.scopeOK), c.scopeNotOK, got.IsScopeAllowed(c.scopeNotOK))
			}
			if got.LoginURL("r1") != "/login?id=r1" || got.DevMode() {
				t.Error("OP options not applied")
			}
		})
	}
}

// TestNativeRedirectsAtZitadel: zitadel/oidc's own redirect check accepts
// the native vector client's loopback redirect on any port (RFC 8252 §7.3)
// and its private-use scheme, and nothing else.
func TestNativeRedirectsAtZitadel(t *testing.T) {
	v := loadVectors(t)
	s := &zitadel.Clients{Verifier: v.Verifier(t, v.Now, opkit.Options{})}
	client, err := s.GetClientByClientID(t.Context(), v.Clients["native-public-client"].ClientID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		uri string
		ok  bool
	}{
		{"http://127.0.0.1/callback", true},
		{"http://127.0.0.1:49152/callback", true},
		{"http://127.0.0.1:61000/callback", true},
		{"com.example.app:/oauth2redirect", true},
		{"http://127.0.0.1:49152/other", false},
		// zitadel/oidc treats localhost as the loopback IP registered
		// (RFC 8252 §8.3 only says localhost is NOT RECOMMENDED).
		{"http://localhost:49152/callback", true},
		{"com.example.evil:/oauth2redirect", false},
	} {
		t.Run(c.uri, func(t *testing.T) {
			err := op.ValidateAuthReqRedirectURI(client, c.uri, oidc.ResponseTypeCode)
			if (err == nil) != c.ok {
				t.Errorf("ValidateAuthReqRedirectURI = %v, want ok %v", err, c.ok)
			}
		})
	}
}

// TestRefusalsAreInvalidClientAndFaultsServerError: a client_id that is
// not (or no longer) a client is a plain error, which zitadel/oidc answers
// invalid_client; the OP's own faults are server_error.
func TestRefusalsAreInvalidClientAndFaultsServerError(t *testing.T) {
	v := loadVectors(t)
	basic := v.Clients["minimal-web-client"]
	service := v.Clients["expiring-service-client"]
	withSecrets := &zitadel.Clients{Verifier: v.Verifier(t, v.Now, opkit.Options{Secrets: v.Secrets})}
	later := &zitadel.Clients{Verifier: v.Verifier(t, v.Now.Add(2*time.Hour), opkit.Options{Secrets: v.Secrets})}
	verifyOnly := &zitadel.Clients{Verifier: v.Verifier(t, v.Now, opkit.Options{})}
	noKeys, err := opkit.New(opkit.Options{Issuer: v.Issuer, JWKSURL: "https://registrar.example/jwks.json", Fetcher: nopFetcher{}})
	if err != nil {
		t.Fatal(err)
	}
	notLoaded := &zitadel.Clients{Verifier: noKeys}
	tampered := basic.ClientID[:len(basic.ClientID)-2] + "AA"

	for _, c := range []struct {
		name       string
		err        error
		wantServer bool
	}{
		{"tampered client_id", lookup(withSecrets, tampered), false},
		{"expired client_id", lookup(later, service.ClientID), false},
		{"URL-form client_id presented bare", lookup(withSecrets, strings.TrimPrefix(v.Clients["url-form-client"].ClientID, v.Issuer+"/c/")), false},
		{"plain client_id under the URL prefix", lookup(withSecrets, v.Issuer+"/c/"+basic.ClientID), false},
		{"wrong secret", withSecrets.AuthorizeClientIDSecret(t.Context(), basic.ClientID, "guess"), false},
		{"secret of another client", withSecrets.AuthorizeClientIDSecret(t.Context(), basic.ClientID, service.ClientSecret), false},
		{"public client presents a secret", withSecrets.AuthorizeClientIDSecret(t.Context(), v.Clients["native-public-client"].ClientID, "x"), false},
		{"private_key_jwt client presents a secret", withSecrets.AuthorizeClientIDSecret(t.Context(), v.Clients["statement-client"].ClientID, "x"), false},
		{"OP without derivation secrets", verifyOnly.AuthorizeClientIDSecret(t.Context(), basic.ClientID, basic.ClientSecret), true},
		{"OP without keys yet", lookup(notLoaded, basic.ClientID), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.err == nil {
				t.Fatal("accepted")
			}
			if got := serverError(c.err); got != c.wantServer {
				t.Errorf("%v: server_error %v, want %v", c.err, got, c.wantServer)
			}
		})
	}

	t.Run("right secret", func(t *testing.T) {
		if err := withSecrets.AuthorizeClientIDSecret(t.Context(), basic.ClientID, basic.ClientSecret); err != nil {
			t.Fatal(err)
		}
	})
}

func lookup(s *zitadel.Clients, id string) error {
	_, err := s.GetClientByClientID(context.Background(), id)
	return err
}

type nopFetcher struct{}

func (nopFetcher) Get(context.Context, string, string) ([]byte, error) {
	return nil, errors.New("unreachable")
}

// TestClientCredentials: the service vector authenticates with its secret
// and gets a token request for itself within its registered scope.
func TestClientCredentials(t *testing.T) {
	v := loadVectors(t)
	svc := v.Clients["expiring-service-client"]
	s := &zitadel.Clients{Verifier: v.Verifier(t, v.Now, opkit.Options{Secrets: v.Secrets})}
	client, err := s.ClientCredentials(t.Context(), svc.ClientID, svc.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	if !op.ValidateGrantType(client, oidc.GrantTypeClientCredentials) {
		t.Error("client_credentials not among the client's grants")
	}
	if _, err := s.ClientCredentials(t.Context(), svc.ClientID, "guess"); err == nil || serverError(err) {
		t.Errorf("wrong secret: %v, want a plain error", err)
	}
	for _, c := range []struct {
		scopes []string
		ok     bool
	}{
		{[]string{"reports.read"}, true},
		{nil, true},
		{[]string{"reports.read", "reports.write"}, false},
	} {
		req, err := s.ClientCredentialsTokenRequest(t.Context(), svc.ClientID, c.scopes)
		if (err == nil) != c.ok {
			t.Errorf("scopes %v: %v, want ok %v", c.scopes, err, c.ok)
			continue
		}
		if c.ok && (req.GetSubject() != svc.ClientID || !slices.Equal(req.GetScopes(), c.scopes)) {
			t.Errorf("token request %+v", req)
		}
		var oe *oidc.Error
		if !c.ok && (!errors.As(err, &oe) || oe.ErrorType != oidc.InvalidScope) {
			t.Errorf("scopes %v: %v, want invalid_scope", c.scopes, err)
		}
	}
}

// TestGetKeyByIDAndClientID: private_key_jwt assertions verify with the
// client's registered signing key by kid; its encryption key, unknown kids
// and clients of other methods get nothing.
func TestGetKeyByIDAndClientID(t *testing.T) {
	v := loadVectors(t)
	s := &zitadel.Clients{Verifier: v.Verifier(t, v.Now, opkit.Options{}), Options: zitadel.ClientOptions{Unsupported: []string{}}}
	pkj := v.Clients["statement-client"].ClientID
	for _, c := range []struct {
		name, kid, client string
		wantKID           string
	}{
		{"signing key by kid", "sig-1", pkj, "sig-1"},
		{"the one signing key without kid", "", pkj, "sig-1"},
		{"encryption key", "enc-1", pkj, ""},
		{"unknown kid", "sig-2", pkj, ""},
		{"client_secret_basic client", "sig-1", v.Clients["minimal-web-client"].ClientID, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, err := s.GetKeyByIDAndClientID(t.Context(), c.kid, c.client)
			switch {
			case c.wantKID == "" && err == nil:
				t.Fatalf("returned key %q", k.KeyID)
			case c.wantKID != "" && err != nil:
				t.Fatal(err)
			case c.wantKID != "" && (k.KeyID != c.wantKID || !k.Valid() || !k.IsPublic()):
				t.Fatalf("key %q valid %v public %v", k.KeyID, k.Valid(), k.IsPublic())
			}
		})
	}
}

// TestUnsupportedMembersRefused: by default a client that registered what
// zitadel/oidc would drop (the statement vector: an encrypted ID Token,
// DPoP, PAR) is refused as a plain error (invalid_client), naming the
// member; an OP's own list decides otherwise.
func TestUnsupportedMembersRefused(t *testing.T) {
	v := loadVectors(t)
	id := v.Clients["statement-client"].ClientID
	for _, c := range []struct {
		name    string
		members []string
		want    string
	}{
		{"default", nil, "id_token_encrypted_response_alg"},
		{"an OP with encryption", []string{"dpop_bound_access_tokens"}, "dpop_bound_access_tokens"},
		{"an OP with everything", []string{}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &zitadel.Clients{Verifier: v.Verifier(t, v.Now, opkit.Options{}), Options: zitadel.ClientOptions{Unsupported: c.members}}
			_, err := s.GetClientByClientID(t.Context(), id)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, zitadel.ErrUnsupported) || serverError(err) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("GetClientByClientID = %v, want ErrUnsupported naming %s", err, c.want)
			}
		})
	}
}
