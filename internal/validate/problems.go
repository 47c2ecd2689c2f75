package validate

import (
	"strconv"

	"github.com/registrar/registrar/internal/oauth"
	"github.com/registrar/registrar/pkg/metadata"
)

// add reports a problem with field.
func add(p *metadata.Problems, field, code, reason string) {
	*p = append(*p, metadata.Problem{Field: field, Code: code, Reason: reason})
}

// meta reports an invalid_client_metadata problem with field.
func meta(p *metadata.Problems, field, reason string) {
	add(p, field, oauth.CodeInvalidClientMetadata, reason)
}

// at names element i of a list member, as in "redirect_uris[2]". It is
// called only when a problem is reported, so valid requests pay nothing.
func at(list string, i int) string {
	return list + "[" + strconv.Itoa(i) + "]"
}
