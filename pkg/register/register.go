package register

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/oauth"
	"github.com/registrar/registrar/pkg/revocation"
	"github.com/registrar/registrar/pkg/statement"
	"github.com/registrar/registrar/pkg/strictjson"
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

// IssuerPolicy gives per-issuer settings (package trust).
type IssuerPolicy interface {
	ClientIDLifetime(iss string) time.Duration
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
	// Issuers gives per-issuer client_id lifetimes.
	Issuers IssuerPolicy
	// UpdateMode is the RFC 7592 update mode; empty means UpdateForbidden.
	UpdateMode UpdateMode
	// Sector fetches sector_identifier_uri documents; nil refuses clients
	// that register one.
	Sector     Fetcher
	Statements StatementVerifier
	Minter     *clientid.Minter
	Verifier   ClientVerifier
	Deriver    *clientid.Deriver
	// SecretVersion is the derivation secret version for new clients.
	SecretVersion int
	Policy        metadata.Policy
	// RequireStatement refuses registrations without a software statement.
	RequireStatement bool
	// ClientURIBase is the registration endpoint URL; a client's
	// registration_client_uri is ClientURIBase + "/" + client_id.
	ClientURIBase string
	// ClientIDLifetime, when positive, makes client_ids expire.
	ClientIDLifetime time.Duration
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

// Register handles one RFC 7591 registration request body.
func (s *Service) Register(ctx context.Context, body []byte) (*Result, error) {
	members, err := strictjson.Object(body, bodyLimits)
	if err != nil {
		return nil, oauth.Wrap(err, oauth.CodeInvalidClientMetadata, "request body must be one JSON object: "+err.Error())
	}
	return s.register(ctx, members, nil)
}

// register is the registration pipeline shared by POST and successor-mode
// PUT. prev is the client being succeeded, or nil.
func (s *Service) register(ctx context.Context, members strictjson.Members, prev *clientid.Client) (*Result, error) {
	st, err := s.statement(ctx, members)
	if err != nil {
		return nil, err
	}
	if prev != nil {
		if err := sameSoftware(prev, st); err != nil {
			return nil, err
		}
	}
	if st != nil && s.Revocations != nil {
		if by, revoked := s.Revocations.Revoked(revocation.Subject{SoftwareID: st.SoftwareID, OrgID: st.OrgID, StatementIssuer: st.Issuer}); revoked {
			return nil, oauth.New(oauth.CodeUnapprovedSoftwareStatement, "the software statement's "+by+" is revoked")
		}
	}
	if st != nil {
		members = merge(members, st.Claims)
	}
	md, probs := metadata.Parse(members)
	md.Normalize()
	probs = appendNew(probs, md.Validate(s.Policy))
	if len(probs) > 0 {
		return nil, probs.OAuth()
	}
	// Outbound requests happen only for otherwise valid registrations.
	if md.SectorIdentifierURI != "" {
		if err := s.checkSector(ctx, md); err != nil {
			return nil, err
		}
	}
	var prov *clientid.Provenance
	if st != nil {
		prov = &clientid.Provenance{Issuer: st.Issuer, SoftwareID: st.SoftwareID, ID: st.ID, OrgID: st.OrgID}
	}
	opts := clientid.MintOptions{Statement: prov, SecretVersion: s.SecretVersion, Lifetime: s.ClientIDLifetime}
	if st != nil && s.Issuers != nil {
		opts.Lifetime = shorter(opts.Lifetime, s.Issuers.ClientIDLifetime(st.Issuer))
	}
	if prev != nil {
		opts.Predecessor = prev.Claims.ID
	}
	minted, err := s.Minter.Mint(md, opts)
	if err != nil {
		if errors.Is(err, clientid.ErrTooLarge) {
			return nil, oauth.Wrap(err, oauth.CodeInvalidClientMetadata, err.Error())
		}
		return nil, oauth.Wrap(err, oauth.CodeServerError, "could not issue a client_id")
	}
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
	st, err := s.Statements.Verify(ctx, token)
	if err != nil {
		if errors.Is(err, statement.ErrUntrustedIssuer) {
			return nil, oauth.Wrap(err, oauth.CodeUnapprovedSoftwareStatement, "the software statement issuer is not trusted by this registrar")
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

// sameSoftware keeps a successor the same software: a client registered
// with a statement may only be succeeded under a statement from the same
// issuer for the same software_id.
func sameSoftware(prev *clientid.Client, st *statement.Statement) error {
	p := prev.Claims.Statement
	if p == nil {
		return nil
	}
	if st == nil || st.Issuer != p.Issuer || st.SoftwareID != p.SoftwareID {
		return oauth.New(oauth.CodeInvalidSoftwareStatement, "an update must carry a software statement from the same issuer for the same software_id as the client it replaces")
	}
	return nil
}

// merge overlays the statement's metadata claims on the body (RFC 7591
// §3.1.1). A statement value for a localizable member also removes every
// language variant of it from the body, so a body cannot add translations of
// a name the statement vouches for.
func merge(body, claims strictjson.Members) strictjson.Members {
	out := make(strictjson.Members, len(body)+len(claims))
	fromStatement := map[string]bool{}
	for name := range claims {
		if !metadata.Known(name) {
			continue
		}
		base, _, _ := strings.Cut(name, "#")
		fromStatement[base] = true
	}
	for name, v := range body {
		base, _, _ := strings.Cut(name, "#")
		if fromStatement[base] && metadata.Known(name) {
			continue
		}
		out[name] = v
	}
	for name, v := range claims {
		if metadata.Known(name) {
			out[name] = v
		}
	}
	return out
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
	b = metadata.AppendString(b, s.ClientURIBase+"/"+clientID)
	b = c.Metadata.AppendJSON(b, false, metadata.Full)
	if statementRaw != "" {
		b = append(b, `,"software_statement":`...)
		b = metadata.AppendString(b, statementRaw)
	}
	return append(b, '}'), nil
}

// checkSector fetches the sector identifier document and checks that it
// lists every redirect URI (OIDC DCR 1.0 §5). Fetch failures get one generic
// description so that responses reveal nothing about internal reachability.
func (s *Service) checkSector(ctx context.Context, md *metadata.Metadata) error {
	if s.Sector == nil {
		return oauth.New(oauth.CodeInvalidClientMetadata, "sector_identifier_uri: not supported by this server")
	}
	doc, err := s.Sector.Get(ctx, md.SectorIdentifierURI, "application/json")
	if err != nil {
		return oauth.Wrap(err, oauth.CodeInvalidClientMetadata, "sector_identifier_uri: the document could not be retrieved")
	}
	if probs := metadata.CheckSectorDocument(doc, md.RedirectURIs); len(probs) > 0 {
		// A redirect URI missing from the sector document is a metadata
		// problem of the sector URI (OIDF oidcc-registration-sector-bad).
		oe := probs.OAuth()
		oe.Code = oauth.CodeInvalidClientMetadata
		return oe
	}
	return nil
}
