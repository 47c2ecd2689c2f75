package checkop

import (
	"slices"
	"sort"
	"strings"

	"github.com/registrar/registrar/internal/config"
	"github.com/registrar/registrar/internal/validate"
	"github.com/registrar/registrar/pkg/metadata"
)

// Mismatch is one value Registrar would register that the OP does not
// support.
type Mismatch struct {
	// Member is the client metadata member ("scope",
	// "token_endpoint_auth_method").
	Member string `json:"member"`
	// Value is what Registrar accepts ("client_secret_jwt", "any scope",
	// "true").
	Value string `json:"value"`
	// OP names the OP metadata that does not list it
	// ("token_endpoint_auth_methods_supported").
	OP string `json:"op"`
	// Fix is the setting that removes the mismatch
	// ("REGISTRAR_TOKEN_ENDPOINT_AUTH_METHODS=client_secret_basic,none"),
	// or what must change when no setting can.
	Fix string `json:"fix"`
}

// String is the line check-op prints.
func (m Mismatch) String() string {
	return m.Member + ": " + m.Value + " — OP does not support (" + m.OP + ") — fix: " + m.Fix
}

// Defaults of omitted OP metadata members (RFC 8414 §2, OIDC Discovery §3).
var (
	defaultGrantTypes  = []string{metadata.GrantAuthorizationCode, metadata.GrantImplicit}
	defaultAuthMethods = []string{metadata.AuthClientSecretBasic}
)

// Compare lists every value c's policy accepts that op does not support,
// each with the setting that fixes it, in a fixed order: scopes, grant and
// response types, authentication, ID Token, UserInfo, request objects,
// subject types, logout, PKCE, then PAR, DPoP and certificate binding.
// ID Token algorithms and subject types are compared only with an OpenID
// Provider's document (Document.OpenIDProvider).
func Compare(op *Document, c *config.Config) []Mismatch {
	k := comparison{op: op, c: c, p: &c.Policy}
	k.scopes()
	k.list(metadata.GrantTypes, "grant_types_supported", c.Policy.GrantTypes, orDefault(op.GrantTypesSupported, defaultGrantTypes), &c.Policy.GrantTypes, true)
	k.responseTypes()
	k.authMethods()
	k.authSigningAlgs()
	oidc := op.OpenIDProvider()
	if oidc {
		k.list(metadata.IDTokenSignedResponseAlg, "id_token_signing_alg_values_supported", c.Policy.IDTokenSigningAlgs, op.IDTokenSigningAlgsSupported, &c.Policy.IDTokenSigningAlgs, true)
		k.idTokenDefault()
	}
	k.list(metadata.UserinfoSignedResponseAlg, "userinfo_signing_alg_values_supported", c.Policy.UserinfoSigningAlgs, op.UserinfoSigningAlgsSupported, &c.Policy.UserinfoSigningAlgs, false)
	k.list(metadata.RequestObjectSigningAlg, "request_object_signing_alg_values_supported", c.Policy.RequestObjectSigningAlgs, op.RequestObjectSigningAlgsSupported, &c.Policy.RequestObjectSigningAlgs, false)
	k.encryption()
	if oidc {
		k.list(metadata.SubjectType, "subject_types_supported", c.Policy.SubjectTypes, op.SubjectTypesSupported, &c.Policy.SubjectTypes, true)
	}
	k.logout()
	k.pkce()
	k.features()
	k.authorizationDetailsTypes()
	return k.out
}

type comparison struct {
	op  *Document
	c   *config.Config
	p   *validate.Policy
	out []Mismatch
}

func (k *comparison) add(member, value, opMember, fix string) {
	k.out = append(k.out, Mismatch{Member: member, Value: value, OP: opMember, Fix: fix})
}

// set is the fix that sets the variable of field to values.
func (k *comparison) set(field any, values ...string) string {
	return k.c.VariableOf(field) + "=" + strings.Join(values, ",")
}

// noCommonValue is the fix when a list that needs a value has none in
// common with the OP's.
func noCommonValue(opMember string, supported []string) string {
	if len(supported) == 0 {
		return "none in common: the OP publishes no " + opMember + "; it must support one of Registrar's values"
	}
	return "none in common: set the OP up to support one of Registrar's values (it supports " + strings.Join(supported, ",") + ")"
}

// list reports each of accepted that supported lacks. The fix keeps the
// values in common; required lists with none in common cannot be fixed by
// a setting.
func (k *comparison) list(member, opMember string, accepted, supported []string, field *[]string, required bool) {
	common, missing := split(accepted, supported, func(a, b string) bool { return a == b })
	if len(missing) == 0 {
		return
	}
	fix := k.set(field, common...)
	if required && len(common) == 0 {
		fix = noCommonValue(opMember, supported)
	}
	for _, v := range missing {
		k.add(member, v, opMember, fix)
	}
}

// split divides accepted into the values supported holds and the others,
// keeping the order of accepted.
func split(accepted, supported []string, same func(a, b string) bool) (common, missing []string) {
	for _, v := range accepted {
		if slices.ContainsFunc(supported, func(s string) bool { return same(v, s) }) {
			common = append(common, v)
		} else {
			missing = append(missing, v)
		}
	}
	return common, missing
}

func orDefault(list, def []string) []string {
	if list == nil {
		return def
	}
	return list
}

func (k *comparison) scopes() {
	supported := k.op.ScopesSupported
	if supported == nil {
		return // RECOMMENDED only: nothing to compare with
	}
	k.openList(metadata.Scope, "any scope", "scopes_supported", supported, &k.p.Scopes)
}

// openList compares a list whose empty value means "any" (REGISTRAR_SCOPES,
// REGISTRAR_AUTHORIZATION_DETAILS_TYPES): the fix never proposes it empty.
func (k *comparison) openList(member, anyValue, opMember string, supported []string, field *[]string) {
	common, missing := split(*field, supported, func(a, b string) bool { return a == b })
	if len(*field) == 0 {
		missing = []string{anyValue}
	}
	if len(missing) == 0 {
		return
	}
	if len(common) == 0 {
		// The OP's whole list, less what the setting cannot hold.
		common = slices.DeleteFunc(slices.Clone(supported), func(v string) bool { return !settable(v) })
	}
	fix := k.set(field, common...)
	if len(common) == 0 {
		held := ""
		if len(supported) > 0 {
			held = " a setting can hold"
		}
		fix = "none in common: the OP lists no " + opMember + " value" + held + ", and an empty " + k.c.VariableOf(field) + " means any"
	}
	for _, v := range missing {
		k.add(member, v, opMember, fix)
	}
}

// settable tells whether a value the OP lists may be proposed in a fix:
// a comma-separated REGISTRAR_* list cannot hold a comma or white space,
// and the operator pastes a fix line as it is, so it holds nothing a shell
// acts on (";", "$", "|", quotes…), only letters, digits and -._~:/+=@%*.
// RFC 6749 §3.3 allows all of these in a scope token, and real scopes
// (URLs, "repo:status", "user.read") need none of the others.
func settable(v string) bool {
	return v != "" && !strings.ContainsFunc(v, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-._~:/+=@%*", r))
	})
}

// responseTypes compares response types as sets of words ("id_token code"
// is "code id_token", OAuth 2.0 Multiple Response Type Encoding Practices
// §2).
func (k *comparison) responseTypes() {
	const opMember = "response_types_supported"
	words := func(rt string) string {
		w := strings.Fields(rt)
		sort.Strings(w)
		return strings.Join(w, " ")
	}
	supported := k.op.ResponseTypesSupported
	common, missing := split(k.p.ResponseTypes, supported, func(a, b string) bool { return words(a) == words(b) })
	fix := k.set(&k.p.ResponseTypes, common...)
	if len(common) == 0 {
		fix = noCommonValue(opMember, supported)
	}
	for _, v := range missing {
		k.add(metadata.ResponseTypes, v, opMember, fix)
	}
}

// authMethods compares token endpoint authentication methods. The fix
// keeps the methods in common, less none when public clients lack PKCE
// (pkce), so that the two lines propose one value.
func (k *comparison) authMethods() {
	const opMember = "token_endpoint_auth_methods_supported"
	supported := orDefault(k.op.TokenEndpointAuthMethodsSupported, defaultAuthMethods)
	_, missing := split(k.p.TokenEndpointAuthMethods, supported, func(a, b string) bool { return a == b })
	for _, v := range missing {
		k.add(metadata.TokenEndpointAuthMethod, v, opMember, k.methodsFix(opMember))
	}
}

// methodsFix is the one fix for REGISTRAR_TOKEN_ENDPOINT_AUTH_METHODS.
func (k *comparison) methodsFix(opMember string) string {
	keep, _ := split(k.p.TokenEndpointAuthMethods, orDefault(k.op.TokenEndpointAuthMethodsSupported, defaultAuthMethods), func(a, b string) bool { return a == b })
	if k.publicClientsLackPKCE() {
		keep = slices.DeleteFunc(keep, func(m string) bool { return m == metadata.AuthNone })
	}
	if len(keep) == 0 {
		return noCommonValue(opMember, k.op.TokenEndpointAuthMethodsSupported)
	}
	return k.set(&k.p.TokenEndpointAuthMethods, keep...)
}

// publicClientsLackPKCE: Registrar registers public clients for the
// authorization code grant, and the OP does not list S256.
func (k *comparison) publicClientsLackPKCE() bool {
	return slices.Contains(k.p.GrantTypes, metadata.GrantAuthorizationCode) &&
		slices.Contains(k.p.TokenEndpointAuthMethods, metadata.AuthNone) &&
		!slices.Contains(k.op.CodeChallengeMethodsSupported, "S256")
}

// authSigningAlgs compares the algorithms a JWT authentication method
// Registrar accepts can use (asymmetric for private_key_jwt, HMAC for
// client_secret_jwt), as Registrar's own metadata document lists them.
func (k *comparison) authSigningAlgs() {
	const opMember = "token_endpoint_auth_signing_alg_values_supported"
	private := slices.Contains(k.p.TokenEndpointAuthMethods, metadata.AuthPrivateKeyJWT)
	secret := slices.Contains(k.p.TokenEndpointAuthMethods, metadata.AuthClientSecretJWT)
	var usable []string
	for _, a := range k.p.TokenEndpointAuthSigningAlgs {
		if hmac := slices.Contains(validate.HMACAlgs, a); hmac && secret || !hmac && private {
			usable = append(usable, a)
		}
	}
	supported := k.op.TokenEndpointAuthSigningAlgsSupported
	_, missing := split(usable, supported, func(a, b string) bool { return a == b })
	if len(missing) == 0 {
		return
	}
	// The fix keeps every value the OP supports, whichever method uses it.
	common, _ := split(k.p.TokenEndpointAuthSigningAlgs, supported, func(a, b string) bool { return a == b })
	fix := k.set(&k.p.TokenEndpointAuthSigningAlgs, common...)
	if len(common) == 0 {
		fix = noCommonValue(opMember, supported)
	}
	for _, v := range missing {
		k.add(metadata.TokenEndpointAuthSigningAlg, v, opMember, fix)
	}
}

// idTokenDefault checks the value a client that omits
// id_token_signed_response_alg gets: the deployment's default, else RS256
// when the deployment allows it (when it does not, such clients are
// refused and get nothing).
func (k *comparison) idTokenDefault() {
	const opMember = "id_token_signing_alg_values_supported"
	d := k.p.IDTokenSigningAlgDefault
	if d == "" && slices.Contains(k.p.IDTokenSigningAlgs, metadata.DefaultIDTokenSigningAlg) {
		d = metadata.DefaultIDTokenSigningAlg
	}
	supported := k.op.IDTokenSigningAlgsSupported
	if d == "" || slices.Contains(supported, d) {
		return
	}
	fix := noCommonValue(opMember, supported)
	for _, a := range k.p.IDTokenSigningAlgs {
		if a != "none" && slices.Contains(supported, a) {
			fix = k.set(&k.p.IDTokenSigningAlgDefault, a)
			break
		}
	}
	k.add(metadata.IDTokenSignedResponseAlg+" (when omitted)", d, opMember, fix)
}

// encryption compares REGISTRAR_ENCRYPTION_ALGS and _ENCS, which serve the
// ID Token, UserInfo and request object members alike, with each of the
// OP's three pairs of lists. The fix keeps the values every one of them
// supports.
func (k *comparison) encryption() {
	uses := []struct {
		algMember, encMember, opAlgs, opEncs string
		algs, encs                           []string
	}{
		{metadata.IDTokenEncryptedResponseAlg, metadata.IDTokenEncryptedResponseEnc,
			"id_token_encryption_alg_values_supported", "id_token_encryption_enc_values_supported",
			k.op.IDTokenEncryptionAlgsSupported, k.op.IDTokenEncryptionEncsSupported},
		{metadata.UserinfoEncryptedResponseAlg, metadata.UserinfoEncryptedResponseEnc,
			"userinfo_encryption_alg_values_supported", "userinfo_encryption_enc_values_supported",
			k.op.UserinfoEncryptionAlgsSupported, k.op.UserinfoEncryptionEncsSupported},
		{metadata.RequestObjectEncryptionAlg, metadata.RequestObjectEncryptionEnc,
			"request_object_encryption_alg_values_supported", "request_object_encryption_enc_values_supported",
			k.op.RequestObjectEncryptionAlgsSupported, k.op.RequestObjectEncryptionEncsSupported},
	}
	algs, encs := k.p.EncryptionAlgs, k.p.EncryptionEncs
	for _, u := range uses {
		algs, _ = split(algs, u.algs, func(a, b string) bool { return a == b })
		encs, _ = split(encs, u.encs, func(a, b string) bool { return a == b })
	}
	algFix := k.set(&k.p.EncryptionAlgs, algs...)
	encFix := k.set(&k.p.EncryptionEncs, encs...)
	if len(algs) == 0 {
		// Nothing can be encrypted: no enc is needed either.
		encFix = algFix + " (then no enc is used)"
	} else if len(encs) == 0 {
		encFix = noCommonValue("*_encryption_enc_values_supported", nil) + ", or " + algFix + " to encrypt nothing"
	}
	if len(k.p.EncryptionAlgs) == 0 {
		return // the deployment encrypts nothing
	}
	for _, u := range uses {
		_, missing := split(k.p.EncryptionAlgs, u.algs, func(a, b string) bool { return a == b })
		for _, v := range missing {
			k.add(u.algMember, v, u.opAlgs, algFix)
		}
		if len(u.algs) == 0 {
			continue // every alg is reported: the encs do not matter
		}
		_, missing = split(k.p.EncryptionEncs, u.encs, func(a, b string) bool { return a == b })
		for _, v := range missing {
			k.add(u.encMember, v, u.opEncs, encFix)
		}
	}
}

func (k *comparison) logout() {
	yes := func(b *bool) bool { return b != nil && *b }
	op, p := k.op, k.p
	if p.RPInitiatedLogout && op.EndSessionEndpoint == "" {
		k.add(metadata.PostLogoutRedirectURIs, "accepted", "end_session_endpoint", k.set(&p.RPInitiatedLogout, "false"))
	}
	for _, l := range []struct {
		uriMember, sessionMember, opMember, opSessionMember string
		on, sessionOn                                       *bool
		opOn, opSessionOn                                   *bool
	}{
		{metadata.FrontchannelLogoutURI, metadata.FrontchannelLogoutSessionRequired, "frontchannel_logout_supported", "frontchannel_logout_session_supported",
			&p.FrontchannelLogout, &p.FrontchannelLogoutSession, op.FrontchannelLogoutSupported, op.FrontchannelLogoutSessionSupported},
		{metadata.BackchannelLogoutURI, metadata.BackchannelLogoutSessionRequired, "backchannel_logout_supported", "backchannel_logout_session_supported",
			&p.BackchannelLogout, &p.BackchannelLogoutSession, op.BackchannelLogoutSupported, op.BackchannelLogoutSessionSupported},
	} {
		switch {
		case !*l.on:
		case !yes(l.opOn):
			k.add(l.uriMember, "accepted", l.opMember, k.set(l.on, "false"))
		case *l.sessionOn && !yes(l.opSessionOn):
			k.add(l.sessionMember, "true", l.opSessionMember, k.set(l.sessionOn, "false"))
		}
	}
}

// pkce: a public client can use the authorization code grant safely only
// with PKCE (RFC 9700 §2.1.1), which an OP that does not list S256 may not
// enforce or support.
func (k *comparison) pkce() {
	const opMember = "code_challenge_methods_supported"
	if !k.publicClientsLackPKCE() {
		return
	}
	k.add(metadata.TokenEndpointAuthMethod, "none (public clients need PKCE S256, RFC 9700 section 2.1.1)", opMember, k.methodsFix(opMember))
}

func (k *comparison) features() {
	op, p := k.op, k.p
	if p.PushedAuthorizationRequests && op.PushedAuthorizationRequestEndpoint == "" {
		k.add(metadata.RequirePushedAuthorizationRequests, "true", "pushed_authorization_request_endpoint", k.set(&p.PushedAuthorizationRequests, "false"))
	}
	if p.DPoPBoundAccessTokens && len(op.DPoPSigningAlgsSupported) == 0 {
		k.add(metadata.DPoPBoundAccessTokens, "true", "dpop_signing_alg_values_supported", k.set(&p.DPoPBoundAccessTokens, "false"))
	}
	if p.TLSClientCertificateBoundAccessTokens && (op.TLSClientCertificateBoundAccessTokens == nil || !*op.TLSClientCertificateBoundAccessTokens) {
		k.add(metadata.TLSClientCertificateBoundAccessTokens, "true", "tls_client_certificate_bound_access_tokens", k.set(&p.TLSClientCertificateBoundAccessTokens, "false"))
	}
}

// authorizationDetailsTypes compares RFC 9396 types. An OP that lists
// none has no RAR: it would serve a client without the types it
// registered (the OP adapters refuse such a client), so Registrar's RAR
// switch must be off.
func (k *comparison) authorizationDetailsTypes() {
	const opMember = "authorization_details_types_supported"
	if !k.p.RichAuthorizationRequests {
		return
	}
	supported := k.op.AuthorizationDetailsTypesSupported
	if len(supported) == 0 {
		value, fix := "any type", k.set(&k.p.RichAuthorizationRequests, "false")
		if len(k.p.AuthorizationDetailsTypes) > 0 {
			value = strings.Join(k.p.AuthorizationDetailsTypes, ",")
			fix += ", with " + k.c.VariableOf(&k.p.AuthorizationDetailsTypes) + " unset"
		}
		k.add(metadata.AuthorizationDetailsTypes, value, opMember, fix)
		return
	}
	k.openList(metadata.AuthorizationDetailsTypes, "any type", opMember, supported, &k.p.AuthorizationDetailsTypes)
}
