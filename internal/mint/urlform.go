package mint

import (
	"fmt"

	"github.com/registrar/registrar/pkg/clientid"
)

// DefaultMaxURLLength is the default budget of a URL-form client_id in
// bytes: the limit authorization servers commonly apply to client_id URLs.
const DefaultMaxURLLength = 2048

// urlForm puts a signed URL-form JWS under the issuer's prefix and applies
// the URL budget, naming the members that take the most room when it does
// not fit.
func (m *Minter) urlForm(jws []byte, c clientid.Claims) (*Minted, error) {
	id := clientid.URLPrefix(m.Issuer) + string(jws)
	max := m.MaxURLLength
	if max == 0 {
		max = DefaultMaxURLLength
	}
	if len(id) > max {
		return nil, fmt.Errorf("%w: the client_id URL would be %d bytes, at most %d; drop or shorten the largest members: %s",
			ErrTooLarge, len(id), max, LargestMembers(c.Metadata))
	}
	return &Minted{ClientID: id, Claims: c}, nil
}
