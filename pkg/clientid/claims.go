package clientid

import (
	"strconv"
	"time"

	"github.com/registrar/registrar/pkg/metadata"
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
	Metadata      *metadata.Metadata
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
		b = append(b, '}')
	}
	return append(b, '}')
}
