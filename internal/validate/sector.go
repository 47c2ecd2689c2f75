// The sector_identifier_uri document: a JSON array listing every redirect
// URI (fetched by internal/register).
//
// Spec basis: OIDC DCR 1.0 §5; OIDC Core §8.1.

package validate

import "github.com/registrar/registrar/pkg/metadata"

import (
	"encoding/json"
	"fmt"

	"github.com/registrar/registrar/internal/strictjson"
)

// MaxSectorEntries bounds the redirect URIs a sector identifier document may
// list.
const MaxSectorEntries = 1000

// CheckSectorDocument applies OIDC DCR 1.0 §5: the document at
// sector_identifier_uri is a JSON array of redirect URIs, and every
// registered redirect URI must be in it (exact string comparison).
func CheckSectorDocument(doc []byte, redirectURIs []string) metadata.Problems {
	var probs metadata.Problems
	if err := strictjson.Valid(doc, strictjson.Limits{MaxDepth: 2}); err != nil || len(doc) == 0 {
		meta(&probs, metadata.SectorIdentifierURI, "the document is not a JSON array of redirect URIs")
		return probs
	}
	var entries []json.RawMessage
	if json.Unmarshal(doc, &entries) != nil {
		meta(&probs, metadata.SectorIdentifierURI, "the document is not a JSON array of redirect URIs")
		return probs
	}
	if len(entries) > MaxSectorEntries {
		meta(&probs, metadata.SectorIdentifierURI, fmt.Sprintf("the document lists more than %d URIs", MaxSectorEntries))
		return probs
	}
	listed := make(map[string]bool, len(entries))
	for _, e := range entries {
		var s string
		if len(e) == 0 || e[0] != '"' || json.Unmarshal(e, &s) != nil {
			meta(&probs, metadata.SectorIdentifierURI, "the document must contain only strings")
			return probs
		}
		listed[s] = true
	}
	for i, r := range redirectURIs {
		if !listed[r] {
			meta(&probs, fmt.Sprintf("%s[%d]", metadata.RedirectURIs, i), "not listed in the sector_identifier_uri document (OIDC DCR section 5)")
		}
	}
	return probs
}
