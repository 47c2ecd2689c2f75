package clientid

import (
	"strconv"
	"time"

	"github.com/registrar/registrar/pkg/metadata"
	"github.com/registrar/registrar/pkg/revocation"
)

// Claims is the payload of a client_id.
type Claims struct {
	Issuer        string    // iss
	IssuedAt      time.Time // iat
	ExpiresAt     time.Time // exp; zero when the client_id does not expire
	ID            string    // jti
	Version       int       // v
	SecretVersion int       // skv
	Statement     *Provenance
	// Predecessor is the jti of the client_id this one succeeds (`prev`).
	Predecessor string
	// Policy names the trust policy of the initial access token the client
	// registered with (`pol`), so that RFC 7592 successors are bounded by
	// the same ceilings; "" when none bounded it.
	Policy string
	// Form is FormURL for a client_id in the URL form (`form`), "" for
	// the plain form (urlform.go).
	Form     string
	Metadata *metadata.Metadata
}

// AppendJSON appends the payload JSON object.
func (c *Claims) AppendJSON(b []byte) []byte {
	b = append(b, `{"iss":`...)
	b = metadata.AppendString(b, c.Issuer)
	b = append(b, `,"iat":`...)
	b = strconv.AppendInt(b, c.IssuedAt.Unix(), 10)
	if !c.ExpiresAt.IsZero() {
		b = append(b, `,"exp":`...)
		b = strconv.AppendInt(b, c.ExpiresAt.Unix(), 10)
	}
	b = append(b, `,"jti":`...)
	b = metadata.AppendString(b, c.ID)
	b = append(b, `,"v":`...)
	b = strconv.AppendInt(b, int64(c.Version), 10)
	b = append(b, `,"skv":`...)
	b = strconv.AppendInt(b, int64(c.SecretVersion), 10)
	if c.Form != "" {
		b = append(b, `,"form":`...)
		b = metadata.AppendString(b, c.Form)
	}
	b = c.Metadata.AppendJSON(b, false, metadata.Compact)
	if p := c.Statement; p != nil {
		b = append(b, `,"ssa":{"iss":`...)
		b = metadata.AppendString(b, p.Issuer)
		if p.SoftwareID != "" {
			b = append(b, `,"software_id":`...)
			b = metadata.AppendString(b, p.SoftwareID)
		}
		if p.ID != "" {
			b = append(b, `,"jti":`...)
			b = metadata.AppendString(b, p.ID)
		}
		if p.OrgID != "" {
			b = append(b, `,"org_id":`...)
			b = metadata.AppendString(b, p.OrgID)
		}
		if len(p.Roles) > 0 {
			b = append(b, `,"software_roles":[`...)
			for i, r := range p.Roles {
				if i > 0 {
					b = append(b, ',')
				}
				b = metadata.AppendString(b, r)
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	if c.Predecessor != "" {
		b = append(b, `,"prev":`...)
		b = metadata.AppendString(b, c.Predecessor)
	}
	if c.Policy != "" {
		b = append(b, `,"pol":`...)
		b = metadata.AppendString(b, c.Policy)
	}
	return append(b, '}')
}

// RevocationSubject is what a revocation list matches this client by: its
// jti, every software_id it carries (the statement's and the metadata's),
// and the statement's org_id and issuer.
func (c *Claims) RevocationSubject() revocation.Subject {
	sub := revocation.Subject{JTI: c.ID}
	if c.Metadata != nil {
		sub.MetadataSoftwareID = c.Metadata.SoftwareID
	}
	if p := c.Statement; p != nil {
		sub.SoftwareID, sub.OrgID, sub.StatementIssuer = p.SoftwareID, p.OrgID, p.Issuer
	}
	return sub
}
