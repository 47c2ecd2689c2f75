package register

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/registrar/registrar/internal/accesstoken"
	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/internal/validate"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/internal/ratelimit"
	"github.com/registrar/registrar/internal/signedreq"
	"github.com/registrar/registrar/internal/statement"
	"github.com/registrar/registrar/internal/strictjson"
	"github.com/registrar/registrar/internal/trust"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/revocation"
)

// SoftwareStatement is the request member that carries the statement.
const SoftwareStatement = "software_statement"

// StatementVerifier verifies software statements.
type StatementVerifier interface {
	Verify(ctx context.Context, token string) (*statement.Statement, error)
}

// Fetcher retrieves documents from client-supplied URLs. It must be the
// service's one SSRF-safe outbound client (package fetch).
type Fetcher interface {
	Get(ctx context.Context, rawURL, accept string) ([]byte, error)
}

// Revocations tells whether a client is revoked (package revocation).
type Revocations interface {
	Revoked(revocation.Subject) (by string, revoked bool)
}

// Trust gives the trusted issuers configuration in force (package trust).
type Trust interface {
	Current() *trust.Store
}

// IssuerLimiter limits registrations per trusted issuer.
type IssuerLimiter interface {
	AllowIssuer(iss string) (ok bool, retryAfter time.Duration)
}

// AccessTokens verifies initial access tokens against the configuration in
// force (RFC 7591 §3).
type AccessTokens interface {
	// Required tells whether registration needs a token.
	Required() bool
	// Verify checks a token; nil grant and nil error when none is
	// configured.
	Verify(ctx context.Context, token string) (*accesstoken.Grant, error)
}

// Observer is told what registrations do, for metrics. Methods must be
// cheap and safe for concurrent use.
type Observer interface {
	// Registration reports one registration: issuer is the verified
	// statement issuer ("none" without a statement, "" when refused before
	// one verified), code "" on success or the RFC error code, status the
	// HTTP status.
	Registration(issuer, code string, status, clientIDBytes int)
	StatementVerified(d time.Duration)
	ClientIDSigned(d time.Duration)
}

// Request is one registration request.
type Request struct {
	// Body is the request body: a JSON object, or a compact JWS when
	// Signed.
	Body []byte
	// Signed is set for application/jose and application/jwt bodies: a
	// registration request signed by the client (Open Banking UK).
	Signed bool
	// AccessToken is the bearer token presented, "" when none.
	AccessToken string
}

// UpdateMode is how RFC 7592 §2.2 updates are answered.
type UpdateMode string

// Update modes.
const (
	// UpdateForbidden answers PUT with 403: a client_id carries its
	// metadata and RFC 7592 §2.2 forbids changing it; clients re-register.
	UpdateForbidden UpdateMode = "forbidden"
	// UpdateSuccessor validates the PUT body exactly like a registration
	// and answers with a new client_id naming its predecessor (a documented
	// deviation from RFC 7592 §2.2, which keeps the client_id).
	UpdateSuccessor UpdateMode = "successor"
)

// Service registers clients.
type Service struct {
	// Revocations, when set, is enforced at registration (software_id,
	// org_id, statement issuer) and on every management call.
	Revocations Revocations
	// Trust gives the trusted issuers and their policies; nil trusts
	// nobody.
	Trust Trust
	// IssuerLimits, when set, limits registrations per trusted issuer.
	IssuerLimits IssuerLimiter
	// AccessTokens, when set, gates registration with initial access
	// tokens.
	AccessTokens AccessTokens
	// Audiences are this registrar's identifiers (issuer and registration
	// endpoint), accepted as `aud` of signed requests.
	Audiences []string
	// MaxSignedRequestBytes bounds a signed request; zero means 64 KiB.
	MaxSignedRequestBytes int
	// Observer, when set, is told the outcome and timings of every
	// registration.
	Observer Observer
	// UpdateMode is the RFC 7592 update mode; empty means UpdateForbidden.
	UpdateMode UpdateMode
	// Sector fetches sector_identifier_uri documents; nil refuses clients
	// that register one.
	Sector Fetcher
	// ClientKeys fetches the JWK Set that a signed request's statement
	// names by software_jwks_uri or software_jwks_endpoint; nil refuses
	// such statements. Kept apart from Sector so that each kind of
	// client-supplied URL has its own budget.
	ClientKeys Fetcher
	Statements StatementVerifier
	// Minter signs client_ids; its clock (Minter.Now) is the service's one
	// clock: it also checks signed requests and times operations for the
	// Observer.
	Minter   *mint.Minter
	Verifier ClientVerifier
	Deriver  *clientid.Deriver
	// SecretVersion is the derivation secret version for new clients.
	SecretVersion int
	Policy        validate.Policy
	// RequireStatement refuses registrations without a software statement.
	RequireStatement bool
	// ClientURIBase is the registration endpoint URL; a client's
	// registration_client_uri is ClientURIBase + "/" + client_id.
	ClientURIBase string
	// ClientIDLifetime, when positive, makes client_ids expire.
	ClientIDLifetime time.Duration
	// IDForms is which client_id forms are issued; empty means FormsPlain.
	IDForms IDForms
	// MaxDocumentBytes bounds the Client ID Metadata Document of a
	// URL-form client; zero means DefaultMaxDocumentBytes.
	MaxDocumentBytes int
	// DocumentMaxAge caps the cache lifetime of a served document; zero
	// means DefaultDocumentMaxAge.
	DocumentMaxAge time.Duration
}

// Result is a successful registration.
type Result struct {
	// Body is the JSON response body.
	Body []byte
	// Client is what was registered.
	Client clientid.Claims
	// ClientIDLength is the length of the issued client_id in bytes.
	ClientIDLength int
}

var bodyLimits = strictjson.Limits{MaxDepth: 16, MaxMembers: 128}

// Register handles one RFC 7591 registration request.
func (s *Service) Register(ctx context.Context, req Request) (res *Result, err error) {
	var in *input
	if s.Observer != nil {
		defer func() { s.observe(in, res, err) }()
	}
	grant, err := s.accessToken(ctx, req.AccessToken)
	if err != nil {
		return nil, err
	}
	if in, err = s.request(ctx, req); err != nil {
		return nil, err
	}
	in.grant = grant
	return s.register(ctx, in, nil)
}

func (s *Service) observe(in *input, res *Result, err error) {
	issuer := ""
	if in != nil {
		issuer = "none"
		if in.st != nil {
			issuer = in.st.Issuer
		}
	}
	if err == nil {
		s.Observer.Registration(issuer, "", http.StatusCreated, res.ClientIDLength)
		return
	}
	code, status := oauth.CodeServerError, http.StatusInternalServerError
	if oe, ok := oauth.As(err); ok {
		code, status = oe.Code, oe.HTTPStatus()
	}
	s.Observer.Registration(issuer, code, status, 0)
}

// now is the service's one clock, the Minter's.
func (s *Service) now() time.Time { return s.Minter.Now() }

// input is a parsed request with its verified statement.
type input struct {
	members strictjson.Members
	st      *statement.Statement
	issuer  *trust.Issuer
	signed  bool
	grant   *accesstoken.Grant
}

// accessToken checks the initial access token (RFC 7591 §3). Failures are
// 401 with an RFC 6750 challenge.
func (s *Service) accessToken(ctx context.Context, token string) (*accesstoken.Grant, error) {
	if s.AccessTokens == nil {
		return nil, nil
	}
	if token == "" {
		if !s.AccessTokens.Required() {
			return nil, nil
		}
		// RFC 6750 §3.1: no error code in the challenge when the request
		// carried no token.
		return nil, oauth.New(oauth.CodeInvalidToken, "an initial access token is required to register (RFC 7591 section 3)").
			WithStatus(http.StatusUnauthorized).WithHeader("WWW-Authenticate", bearerChallenge)
	}
	g, err := s.AccessTokens.Verify(ctx, token)
	if err != nil {
		switch {
		case errors.Is(err, statement.ErrKeysUnavailable):
			return nil, oauth.Wrap(err, oauth.CodeTemporarilyUnavailable, "the keys of the initial access token's issuer are not available to this registrar now; retry later").
				WithHeader("Retry-After", "30")
		case errors.Is(err, accesstoken.ErrConfig):
			return nil, oauth.Wrap(err, oauth.CodeServerError, "initial access tokens cannot be checked")
		}
		return nil, oauth.Wrap(err, oauth.CodeInvalidToken, "the initial access token is not valid").
			WithHeader("WWW-Authenticate", bearerChallenge+`, error="invalid_token"`)
	}
	return g, nil
}

// request parses the body (JSON or signed) and verifies its statement.
func (s *Service) request(ctx context.Context, req Request) (*input, error) {
	if req.Signed {
		return s.signedRequest(ctx, req.Body)
	}
	members, err := strictjson.Object(req.Body, bodyLimits)
	if err != nil {
		return nil, oauth.Wrap(err, oauth.CodeInvalidClientMetadata, "request body must be one JSON object: "+err.Error())
	}
	st, err := s.statement(ctx, members)
	if err != nil {
		return nil, err
	}
	return &input{members: members, st: st}, nil
}

// signedRequest verifies a registration request signed by the client with
// a key its software statement vouches for (Open Banking UK DCR).
func (s *Service) signedRequest(ctx context.Context, body []byte) (*input, error) {
	maxLen := s.MaxSignedRequestBytes
	if maxLen == 0 {
		maxLen = 64 << 10
	}
	bad := func(err error) error {
		return oauth.Wrap(err, oauth.CodeInvalidClientMetadata, "signed registration request: "+err.Error())
	}
	r, err := signedreq.Parse(strings.TrimSpace(string(body)), maxLen, validate.AsymmetricSigningAlgs)
	if err != nil {
		return nil, bad(err)
	}
	raw, err := r.Statement()
	if err != nil {
		return nil, oauth.Wrap(err, oauth.CodeInvalidSoftwareStatement, "a signed registration request must carry a software_statement string")
	}
	st, err := s.verifyStatement(ctx, raw)
	if err != nil {
		return nil, err
	}
	is, ok := s.store().Issuer(st.Issuer)
	if !ok {
		return nil, oauth.New(oauth.CodeUnapprovedSoftwareStatement, "the software statement issuer is not trusted by this registrar")
	}
	members, err := r.Verify(ctx, signedreq.Options{
		Algorithms:  is.RequestAlgorithms,
		Audiences:   s.Audiences,
		MaxLifetime: is.RequestMaxLifetime,
		Fetcher:     s.ClientKeys,
		Now:         s.Minter.Now,
	}, st.Claims, st.SoftwareID)
	if err != nil {
		return nil, bad(err)
	}
	return &input{members: members, st: st, issuer: is, signed: true}, nil
}

func (s *Service) store() *trust.Store {
	if s.Trust == nil {
		return trust.Empty()
	}
	return s.Trust.Current()
}

// register is the registration pipeline shared by POST and successor-mode
// PUT, one named step per line of docs/architecture.md's "A registration,
// step by step". prev is the client being succeeded, or nil: a successor is
// bounded exactly like the registration that created its predecessor (the
// same initial access token policy, the same statement issuer's policy and
// profile) and never outlives it.
func (s *Service) register(ctx context.Context, in *input, prev *clientid.Client) (*Result, error) {
	if err := sameSoftware(prev, in.st); err != nil {
		return nil, err
	}
	b, err := s.tokenPolicy(in.grant, prev)
	if err != nil {
		return nil, err
	}
	is, err := s.issuerPolicy(in)
	if err != nil {
		return nil, err
	}
	members, err := mapClaims(is, in)
	if err != nil {
		return nil, err
	}
	form, err := s.form(in.members, prev)
	if err != nil {
		return nil, err
	}
	noSecretDefault(members, form)
	b.narrow(is)
	md, err := validateMetadata(members, b.policy)
	if err != nil {
		return nil, err
	}
	if err := checkNoSecret(md, form); err != nil {
		return nil, err
	}
	prov := provenance(is, in.st)
	if err := s.notRevoked(md, prov); err != nil {
		return nil, err
	}
	if err := s.chargeIssuer(in.st); err != nil {
		return nil, err
	}
	if err := s.checkSector(ctx, md); err != nil {
		return nil, err
	}
	opts := b.mintOptions(s.SecretVersion, prov, prev)
	opts.Form = form
	minted, err := s.mint(md, opts)
	if err != nil {
		return nil, err
	}
	if err := s.checkDocument(minted); err != nil {
		return nil, err
	}
	return s.result(minted, in.st)
}

// bounds is what limits one registration: the metadata policy narrowed by
// the initial access token policy and the issuer's ceiling, the client_id
// lifetime cap (zero: unlimited) and the name of the initial access token
// policy recorded in the client_id.
type bounds struct {
	policy   validate.Policy
	lifetime time.Duration
	name     string
}

// issuerPolicy finds the statement issuer's entry in the configuration in
// force and applies its request form (JSON or signed). Without a statement
// it returns nil, and refuses a signed request, which needs a statement that
// vouches for its key.
func (s *Service) issuerPolicy(in *input) (*trust.Issuer, error) {
	if in.st == nil {
		if in.signed {
			return nil, oauth.New(oauth.CodeInvalidSoftwareStatement, "a signed registration request needs a software statement that vouches for the signing key")
		}
		return nil, nil
	}
	is := in.issuer
	if is == nil {
		var ok bool
		if is, ok = s.store().Issuer(in.st.Issuer); !ok {
			// Removed by a reload since the statement was verified.
			return nil, oauth.New(oauth.CodeUnapprovedSoftwareStatement, "the software statement issuer is not trusted by this registrar")
		}
	}
	switch {
	case is.Request == trust.RequestSigned && !in.signed:
		return nil, oauth.New(oauth.CodeInvalidClientMetadata, "members of this federation must send a signed registration request (Content-Type: application/jose)")
	case is.Request == trust.RequestJSON && in.signed:
		return nil, oauth.New(oauth.CodeInvalidClientMetadata, "members of this federation must send the registration request as application/json")
	}
	return is, nil
}

// narrow applies the issuer's ceilings: its named policy and its client_id
// lifetime.
func (b *bounds) narrow(is *trust.Issuer) {
	if is == nil {
		return
	}
	if is.Ceiling != nil {
		b.policy = b.policy.Narrow(*is.Ceiling)
	}
	b.lifetime = shorter(b.lifetime, is.ClientIDLifetime)
}

// validate parses, normalizes and validates the metadata, filling defaults
// within the policy, and reports every problem at once. A client that omits
// application_type and redirects only to loopback or private-use URIs is
// registered as native (validate.InferApplicationType), before Normalize
// would make it web.
func validateMetadata(members strictjson.Members, pol validate.Policy) (*metadata.Metadata, error) {
	md, probs := metadata.Parse(members)
	validate.InferApplicationType(md)
	validate.DeploymentDefaults(md, pol)
	md.Normalize()
	validate.DefaultBounds(md, pol)
	probs = appendNew(probs, validate.Metadata(md, pol))
	if len(probs) > 0 {
		return nil, probs.OAuth()
	}
	return md, nil
}

// provenance is the statement provenance the client_id records: issuer,
// software_id and jti always, org_id and software_roles when the issuer
// asks for them; nil without a statement.
func provenance(is *trust.Issuer, st *statement.Statement) *clientid.Provenance {
	if st == nil {
		return nil
	}
	prov := &clientid.Provenance{Issuer: st.Issuer, SoftwareID: st.SoftwareID, ID: st.ID}
	if slices.Contains(is.Provenance, "org_id") {
		prov.OrgID = st.OrgID
	}
	if slices.Contains(is.Provenance, "software_roles") {
		prov.Roles = st.Roles
	}
	return prov
}

// notRevoked refuses a client_id that would be revoked once issued: what
// it would be revoked by (every software_id it would carry, the
// statement's org_id and issuer) must not be revoked now. This is the rule
// the client configuration endpoint and OPs apply, applied before issuing.
func (s *Service) notRevoked(md *metadata.Metadata, prov *clientid.Provenance) error {
	if s.Revocations == nil {
		return nil
	}
	subject := (&clientid.Claims{Statement: prov, Metadata: md}).RevocationSubject()
	if by, revoked := s.Revocations.Revoked(subject); revoked {
		if by == revocation.MemberSoftwareID && subject.SoftwareID == "" {
			// Self-asserted: no statement vouches for it.
			return oauth.New(oauth.CodeInvalidClientMetadata, "software_id: this software is revoked")
		}
		return oauth.New(oauth.CodeUnapprovedSoftwareStatement, "the software statement's "+by+" is revoked")
	}
	return nil
}

// chargeIssuer takes one registration from the statement issuer's budget.
// It runs after every local check: refused requests (a revoked or replayed
// statement, invalid metadata) must not lock a federation's legitimate
// members out.
func (s *Service) chargeIssuer(st *statement.Statement) error {
	if st == nil || s.IssuerLimits == nil {
		return nil
	}
	if ok, after := s.IssuerLimits.AllowIssuer(st.Issuer); !ok {
		return tooMany("registrations for this federation are arriving faster than this registrar allows; retry later", after)
	}
	return nil
}

// mintOptions are the client_id's options: a successor names its
// predecessor and never outlives it.
func (b *bounds) mintOptions(secretVersion int, prov *clientid.Provenance, prev *clientid.Client) mint.MintOptions {
	opts := mint.MintOptions{Statement: prov, SecretVersion: secretVersion, Lifetime: b.lifetime, Policy: b.name}
	if prev != nil {
		opts.Predecessor = prev.Claims.ID
		opts.NotAfter = prev.Claims.ExpiresAt
	}
	return opts
}

// mint signs the client_id with the active key, timed for the Observer.
func (s *Service) mint(md *metadata.Metadata, opts mint.MintOptions) (*mint.Minted, error) {
	start := s.now()
	minted, err := s.Minter.Mint(md, opts)
	if s.Observer != nil {
		s.Observer.ClientIDSigned(s.now().Sub(start))
	}
	if err != nil {
		if errors.Is(err, mint.ErrTooLarge) {
			return nil, oauth.Wrap(err, oauth.CodeInvalidClientMetadata, err.Error())
		}
		return nil, oauth.Wrap(err, oauth.CodeServerError, "could not issue a client_id")
	}
	return minted, nil
}

// result renders the response for a freshly minted client, echoing the
// statement when there is one.
func (s *Service) result(minted *mint.Minted, st *statement.Statement) (*Result, error) {
	var raw string
	if st != nil {
		raw = st.Raw
	}
	b, err := s.Render(minted.ClientID, &minted.Claims, raw)
	if err != nil {
		return nil, err
	}
	return &Result{Body: b, Client: minted.Claims, ClientIDLength: len(minted.ClientID)}, nil
}

// tokenPolicy is the deployment's bounds narrowed by the initial access
// token policy that bounds this registration: the token's for a new
// client, the one recorded in the predecessor's client_id (`pol`) for a
// successor.
func (s *Service) tokenPolicy(grant *accesstoken.Grant, prev *clientid.Client) (bounds, error) {
	b := bounds{policy: s.Policy, lifetime: s.ClientIDLifetime}
	name := ""
	if grant != nil {
		name = grant.Policy
	}
	if prev != nil {
		name = prev.Claims.Policy
		if name == "" && s.AccessTokens != nil && s.AccessTokens.Required() {
			// Registration needs a token, so a token policy bounded the
			// predecessor, but its client_id does not say which.
			return b, oauth.New(oauth.CodeAccessDenied, "this client cannot be updated: its client_id does not record the initial access token policy that bounded it; register again").
				WithStatus(http.StatusForbidden)
		}
	}
	if name == "" {
		return b, nil
	}
	p, ok := s.store().Policy(name)
	if !ok {
		if prev != nil {
			return b, oauth.New(oauth.CodeAccessDenied, fmt.Sprintf("this client cannot be updated: the policy '%s' that bounded its registration is no longer configured; register again", name)).
				WithStatus(http.StatusForbidden)
		}
		return b, oauth.New(oauth.CodeInvalidToken, "the initial access token's policy is no longer configured").
			WithStatus(http.StatusUnauthorized).WithHeader("WWW-Authenticate", bearerChallenge+`, error="invalid_token"`)
	}
	c := p.Ceiling
	c.Name = fmt.Sprintf("the initial access token's policy '%s'", name)
	return bounds{policy: b.policy.Narrow(c), lifetime: shorter(b.lifetime, p.ClientIDLifetime), name: name}, nil
}

// tooMany is a 429 with Retry-After (RFC 6585 §4).
func tooMany(desc string, after time.Duration) *oauth.Error {
	return oauth.New(oauth.CodeTemporarilyUnavailable, desc).
		WithStatus(http.StatusTooManyRequests).WithHeader("Retry-After", strconv.FormatInt(ratelimit.RetryAfterSeconds(after), 10))
}

func (s *Service) statement(ctx context.Context, members strictjson.Members) (*statement.Statement, error) {
	raw, ok := members[SoftwareStatement]
	if !ok || string(raw) == "null" {
		if s.RequireStatement {
			return nil, oauth.New(oauth.CodeInvalidSoftwareStatement, "a software_statement is required by this registrar")
		}
		return nil, nil
	}
	var token string
	if raw[0] != '"' || json.Unmarshal(raw, &token) != nil {
		return nil, oauth.New(oauth.CodeInvalidSoftwareStatement, "software_statement must be a string holding a signed JWT")
	}
	return s.verifyStatement(ctx, token)
}

func (s *Service) verifyStatement(ctx context.Context, token string) (*statement.Statement, error) {
	start := s.now()
	st, err := s.Statements.Verify(ctx, token)
	if s.Observer != nil {
		s.Observer.StatementVerified(s.now().Sub(start))
	}
	if err != nil {
		switch {
		case errors.Is(err, statement.ErrUntrustedIssuer):
			return nil, oauth.Wrap(err, oauth.CodeUnapprovedSoftwareStatement, "the software statement issuer is not trusted by this registrar")
		case errors.Is(err, statement.ErrKeysUnavailable):
			// The federation's keys could not be loaded, or the last good
			// set is older than the issuer's maximum staleness: fail
			// closed, and tell the client it may retry.
			return nil, oauth.Wrap(err, oauth.CodeTemporarilyUnavailable, "the keys of the software statement's issuer are not available to this registrar now; retry later").
				WithHeader("Retry-After", "30")
		}
		return nil, oauth.Wrap(err, oauth.CodeInvalidSoftwareStatement, err.Error())
	}
	return st, nil
}

// shorter returns the shorter of two lifetimes where zero means unlimited.
func shorter(a, b time.Duration) time.Duration {
	switch {
	case a <= 0:
		return b
	case b <= 0 || a < b:
		return a
	}
	return b
}

// sameSoftware keeps a successor the same software (nil prev: a new
// client, nothing to keep): a client registered
// with a statement may only be succeeded under a statement from the same
// issuer in which every provenance member the predecessor carries
// (software_id, org_id, software_roles) is equal. A predecessor whose
// provenance identifies no software (no software_id and no org_id) cannot
// be succeeded: nothing would tie the successor to it.
func sameSoftware(prev *clientid.Client, st *statement.Statement) error {
	if prev == nil {
		return nil
	}
	p := prev.Claims.Statement
	if p == nil {
		return nil
	}
	if p.SoftwareID == "" && p.OrgID == "" {
		return oauth.New(oauth.CodeAccessDenied, "this client cannot be updated: its software statement carried no software_id or org_id, so no statement can prove the update comes from the same software; register again").
			WithStatus(http.StatusForbidden)
	}
	if st == nil || st.Issuer != p.Issuer || st.SoftwareID != p.SoftwareID ||
		(p.OrgID != "" && st.OrgID != p.OrgID) || (len(p.Roles) > 0 && !sameSet(st.Roles, p.Roles)) {
		return oauth.New(oauth.CodeInvalidSoftwareStatement, "an update must carry a software statement from the same issuer with the same software_id, org_id and software_roles as the client it replaces")
	}
	return nil
}

// sameSet tells whether a and b hold the same values, in any order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// appendNew appends validation problems for members that had no type problem,
// so one mistake is reported once.
func appendNew(parsed, validated metadata.Problems) metadata.Problems {
	if len(parsed) == 0 {
		return validated
	}
	bad := map[string]bool{}
	for _, p := range parsed {
		bad[p.Field] = true
	}
	for _, p := range validated {
		field, _, _ := strings.Cut(p.Field, "[")
		if !bad[field] {
			parsed = append(parsed, p)
		}
	}
	return parsed
}

// Render builds the client information response (RFC 7591 §3.2.1, RFC 7592
// §3) for a verified or freshly minted client. statementRaw is echoed when
// not empty.
func (s *Service) Render(clientID string, c *clientid.Claims, statementRaw string) ([]byte, error) {
	b := make([]byte, 0, 2*len(clientID)+1024)
	b = append(b, `{"client_id":`...)
	b = metadata.AppendString(b, clientID)
	b = append(b, `,"client_id_issued_at":`...)
	b = strconv.AppendInt(b, c.IssuedAt.Unix(), 10)
	if !c.ExpiresAt.IsZero() {
		b = append(b, `,"client_id_expires_at":`...)
		b = strconv.AppendInt(b, c.ExpiresAt.Unix(), 10)
	}
	if c.Metadata.NeedsSecret() {
		secret, err := s.Deriver.ClientSecret(c)
		if err != nil {
			return nil, oauth.Wrap(err, oauth.CodeServerError, "could not derive client credentials")
		}
		b = append(b, `,"client_secret":`...)
		b = metadata.AppendString(b, secret)
		b = append(b, `,"client_secret_expires_at":`...)
		var exp int64
		if !c.ExpiresAt.IsZero() {
			exp = c.ExpiresAt.Unix()
		}
		b = strconv.AppendInt(b, exp, 10)
	}
	rat, err := s.Deriver.RegistrationAccessToken(c)
	if err != nil {
		return nil, oauth.Wrap(err, oauth.CodeServerError, "could not derive client credentials")
	}
	b = append(b, `,"registration_access_token":`...)
	b = metadata.AppendString(b, rat)
	b = append(b, `,"registration_client_uri":`...)
	b = metadata.AppendString(b, s.managementURI(clientID))
	b = c.Metadata.AppendJSON(b, false, metadata.Full)
	if statementRaw != "" {
		b = append(b, `,"software_statement":`...)
		b = metadata.AppendString(b, statementRaw)
	}
	return append(b, '}'), nil
}

// sectorFailure is the one description of every failed sector identifier
// check.
const sectorFailure = "sector_identifier_uri: the document could not be retrieved, or is not a JSON array of URIs that lists every redirect_uri (OIDC DCR section 5)"

// checkSector, for a client that registers a sector_identifier_uri, fetches
// the sector identifier document and checks that it
// lists every redirect URI (OIDC DCR 1.0 §5). It runs only for otherwise
// valid registrations, so outbound requests are never spent on refused
// ones. Every failure, of the fetch
// or of the document, gets one description, so that a response reveals
// nothing about the host the URL names (whether a path exists, what it
// serves, whether it answers); the cause is kept for logs. A redirect URI
// missing from the document is a metadata problem of the sector URI (OIDF
// oidcc-registration-sector-bad).
func (s *Service) checkSector(ctx context.Context, md *metadata.Metadata) error {
	if md.SectorIdentifierURI == "" {
		return nil
	}
	if s.Sector == nil {
		return oauth.New(oauth.CodeInvalidClientMetadata, "sector_identifier_uri: not supported by this server")
	}
	doc, err := s.Sector.Get(ctx, md.SectorIdentifierURI, "application/json")
	if err != nil {
		return oauth.Wrap(err, oauth.CodeInvalidClientMetadata, sectorFailure)
	}
	if probs := validate.CheckSectorDocument(doc, md.RedirectURIs); len(probs) > 0 {
		return oauth.Wrap(probs, oauth.CodeInvalidClientMetadata, sectorFailure)
	}
	return nil
}
