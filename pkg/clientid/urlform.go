package clientid

import (
	"errors"
	"strings"
)

// The URL form of a client_id (docs/verifying.md §12): an https URL under
// Registrar's issuer whose last path segment is the compact JWS,
//
//	<issuer>/c/<compact JWS>
//
// at which Registrar serves the client's Client ID Metadata Document
// (draft-ietf-oauth-client-id-metadata-document-03 §3, §4). The JWS of a
// URL-form client_id carries the claim "form":"url"; the JWS of a plain one
// carries no "form". Every verifier checks that the claim matches the form
// the client_id was presented in, so one client has exactly one client_id
// string: the bare JWS of a URL-form client does not verify, and neither
// does a plain client_id put under the prefix.
const (
	// URLPath is the path, below the issuer, of URL-form client_ids.
	URLPath = "/c/"
	// FormURL is the value of the "form" claim of a URL-form client_id.
	FormURL = "url"
)

// ErrForm is returned for a client_id presented in the other form than the
// one its JWS records.
var ErrForm = errors.New("client_id is not in the form it was issued in")

// URLPrefix is what precedes the JWS in a URL-form client_id of issuer.
func URLPrefix(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + URLPath
}

// SplitURL returns the compact JWS of clientID and whether clientID is in
// the URL form of issuer. A plain client_id is returned as it is.
func SplitURL(issuer, clientID string) (jws string, url bool) {
	if rest, ok := strings.CutPrefix(clientID, URLPrefix(issuer)); ok {
		return rest, true
	}
	return clientID, false
}
