package clientid

import (
	"errors"

	"github.com/registrar/registrar/pkg/metadata"
)

// Sentinel errors of client_id verification (opkit.Verifier wraps them).
var (
	ErrMalformed = errors.New("client_id is malformed")
	ErrType      = errors.New("not a client_id (wrong typ)")
	ErrSignature = errors.New("client_id signature does not verify")
	ErrIssuer    = errors.New("client_id was issued by another registrar")
	ErrVersion   = errors.New("client_id format version is not supported")
	ErrExpired   = errors.New("client_id has expired")
)

// Client is a verified client.
type Client struct {
	// ClientID is the client_id string as presented.
	ClientID string
	// KeyID is the kid of the key that signed it.
	KeyID  string
	Claims Claims
}

// Metadata returns the client's registered metadata.
func (c *Client) Metadata() *metadata.Metadata { return c.Claims.Metadata }
