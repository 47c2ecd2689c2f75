package clientid

import (
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
