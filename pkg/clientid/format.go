package clientid

// Algorithms are the JWS algorithms Registrar signs client_ids with; a
// client_id under any other is refused (docs/verifying.md §4).
var Algorithms = []string{"ES256", "EdDSA", "PS256", "RS256"}

// Type is the `typ` header of every client_id.
const Type = "client-id+jwt"

// FormatVersion is the `v` claim: the version of this format.
const FormatVersion = 1

// MaxLength is the largest client_id cap a deployment may configure
// (REGISTRAR_MAX_CLIENT_ID_BYTES), and what verifiers accept by default.
const MaxLength = 65536

// Provenance records the software statement a client was registered with.
type Provenance struct {
	Issuer     string
	SoftwareID string
	ID         string
	// OrgID is the statement's org_id, when it has one and the issuer's
	// policy copies it.
	OrgID string
	// Roles is the statement's software_roles, when the issuer's policy
	// copies them.
	Roles []string
}
