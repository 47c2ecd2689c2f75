package opkit

import (
	"context"
	"errors"

	"github.com/registrar/registrar/pkg/clientid"
)

// IsInvalidClient reports whether err, from Verify, AuthenticateSecret or
// ClientSecret, means the client itself is refused, which an OP answers
// with the OAuth error invalid_client (RFC 6749 §5.2) and the client cures
// only by registering again: a client_id that is not one of Registrar's
// (malformed, wrong typ, bad signature or unknown key, other issuer,
// unknown format version), one presented in the other form than it was
// issued in (clientid.ErrForm), one that expired or is revoked, a wrong secret,
// or a client that is not registered to authenticate with a secret.
//
// It is false for operational failures the OP must fix or retry, which it
// answers with server_error or temporarily_unavailable: no keys loaded yet
// (ErrNoKeys), no derivation secrets (ErrNoSecrets) or not the version the
// client names (clientid.ErrUnknownSecretVersion), and a request whose
// context ended (context.Canceled, context.DeadlineExceeded) while a JWK Set
// refresh was pending, since the client_id may be signed by a key published
// since. A context cancelled with a cause of its own
// (context.WithCancelCause) is told by checking ctx.Err() first.
func IsInvalidClient(err error) bool {
	if err == nil {
		return false
	}
	for _, op := range []error{ErrNoKeys, ErrNoSecrets, clientid.ErrUnknownSecretVersion, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, op) {
			return false
		}
	}
	for _, bad := range []error{
		clientid.ErrMalformed, clientid.ErrType, clientid.ErrSignature, clientid.ErrIssuer,
		clientid.ErrVersion, clientid.ErrForm, clientid.ErrExpired,
		ErrRevoked, ErrWrongSecret, ErrAuthMethod,
	} {
		if errors.Is(err, bad) {
			return true
		}
	}
	return false
}
