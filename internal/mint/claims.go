package mint

import (
	"strconv"

	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
)

// appendClaims appends the payload JSON object of a client_id.
func appendClaims(b []byte, c *clientid.Claims) []byte {
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
