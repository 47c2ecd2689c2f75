// Problems: what every rule reports, a member name, an error code and a
// reason, and how a list of them becomes the one OAuth error.
//
// Spec basis: RFC 7591 §3.2.2 (invalid_redirect_uri, invalid_client_metadata).

package metadata

import (
	"strings"

	"github.com/registrar/registrar/internal/oauth"
)

// Problem is one reason a metadata document is not acceptable.
type Problem struct {
	// Field is the member name, with an index for array elements.
	Field string
	// Code is the RFC 7591 §3.2.2 error code.
	Code string
	// Reason is a short ASCII explanation that never repeats the value.
	Reason string
}

// Problems is every problem found; it is an error when non-empty.
type Problems []Problem

func (p Problems) Error() string {
	parts := make([]string, len(p))
	for i, pr := range p {
		parts[i] = pr.Field + ": " + pr.Reason
	}
	return strings.Join(parts, "; ")
}

// Code is the error code the whole document gets: invalid_redirect_uri when
// any redirect URI is at fault, otherwise the first problem's code.
func (p Problems) Code() string {
	for _, pr := range p {
		if pr.Code == oauth.CodeInvalidRedirectURI {
			return pr.Code
		}
	}
	if len(p) == 0 {
		return ""
	}
	return p[0].Code
}

// Err returns p as an error, or nil when there are no problems.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return p
}

// OAuth converts p into the error rendered to the client.
func (p Problems) OAuth() *oauth.Error {
	return oauth.Wrap(p, p.Code(), p.Error())
}

func (p *Problems) add(field, code, reason string) {
	*p = append(*p, Problem{Field: field, Code: code, Reason: reason})
}

func (p *Problems) meta(field, reason string) {
	p.add(field, oauth.CodeInvalidClientMetadata, reason)
}
