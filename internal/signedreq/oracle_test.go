package signedreq_test

import (
	"context"
	"errors"
	"testing"

	"github.com/registrar/registrar/internal/fetch"
	"github.com/registrar/registrar/internal/signedreq"
)

// refusingFetcher fails every Get with err.
type refusingFetcher struct{ err error }

func (f refusingFetcher) Get(context.Context, string, string) ([]byte, error) { return nil, f.err }

// TestKeysByURLFailWithOneDescription: whatever a software_jwks_uri
// answers, or fails to answer, short of a signing key with the request's
// kid, the error text is the same, so the fetch says nothing about the
// host (a status, a refused connection, the shape of a document). The
// cause stays behind Unwrap for logs.
func TestKeysByURLFailWithOneDescription(t *testing.T) {
	srv := newJWKSServer(t)
	good := sign(t, header(), requestClaims())
	uri := func(u string) map[string]any { return with(statementClaims(t), "jwks", nil, "software_jwks_uri", u) }
	tests := []struct {
		name    string
		token   string
		stmt    map[string]any
		fetcher signedreq.Fetcher
		cause   error // nil: not checked
	}{
		{name: "404", token: good, stmt: uri(srv.URL + "/missing"), cause: fetch.ErrStatus},
		{name: "200 not JSON", token: good, stmt: uri(srv.URL + "/garbage")},
		{name: "200 set without keys", token: good, stmt: uri(srv.URL + "/empty")},
		{name: "200 set without the request's kid", token: sign(t, with(header(), "kid", "not-in-the-set"), requestClaims()), stmt: uri(srv.URL + "/jwks")},
		{name: "200 set whose key with the kid is for encryption", token: sign(t, with(header(), "kid", clientEncKID), requestClaims()), stmt: uri(srv.URL + "/jwks")},
		{name: "address refused by the outbound client", token: good, stmt: uri("https://127.0.0.1:1/jwks"), cause: fetch.ErrBlockedAddress},
		{name: "outbound client busy", token: good, stmt: uri("https://keys.client.example/jwks"), fetcher: refusingFetcher{fetch.ErrBusy}, cause: fetch.ErrBusy},
		{name: "timeout", token: good, stmt: uri("https://keys.client.example/jwks"), fetcher: refusingFetcher{fetch.ErrTimeout}, cause: fetch.ErrTimeout},
	}
	var first string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := signedreq.Fetcher(srv.fetcher)
			if tc.fetcher != nil {
				f = tc.fetcher
			}
			_, err := run(t, tc.token, options(f), tc.stmt, softwareID)
			checkErr(t, err, signedreq.ErrKeys)
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Errorf("got %v, want the cause %v kept", err, tc.cause)
			}
			switch {
			case first == "":
				first = err.Error()
			case err.Error() != first:
				t.Errorf("text %q differs from %q: an oracle on the URL's host", err, first)
			}
		})
	}
}
