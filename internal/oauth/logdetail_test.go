package oauth

import (
	"errors"
	"fmt"
	"testing"
)

// detailed is a Detailer as package fetch's Error is: a generic text, and
// the cause behind Detail.
type detailed struct{ text, cause string }

func (d *detailed) Error() string { return d.text }
func (d *detailed) Detail() string {
	if d.cause == "" {
		return d.text
	}
	return d.text + ": " + d.cause
}

// hidden is an error whose text leaves its cause out, as a signed
// request's unusable keys: its Detail is the cause's.
type hidden struct {
	msg   string
	cause error
}

func (h *hidden) Error() string   { return h.msg }
func (h *hidden) Unwrap() []error { return []error{h.cause} }
func (h *hidden) Detail() string  { return LogDetail(h.cause) }

func TestLogDetail(t *testing.T) {
	fetchErr := &detailed{text: "fetch: unexpected response status", cause: "status 404"}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"plain error", errors.New("boom"), "boom"},
		{"wrapped plain error", fmt.Errorf("a: %w", errors.New("b")), "a: b"},
		{"a fetch error adds its cause once", fmt.Errorf("jwksource: fetch failed: %w", fetchErr),
			"jwksource: fetch failed: fetch: unexpected response status (status 404)"},
		{"inside an oauth.Error", Wrap(fmt.Errorf("sector: %w", fetchErr), CodeInvalidClientMetadata, "could not be retrieved"),
			"invalid_client_metadata: could not be retrieved: sector: fetch: unexpected response status (status 404)"},
		{"a hidden cause with a fetch detail", &hidden{msg: "keys could not be retrieved", cause: fetchErr},
			"keys could not be retrieved (fetch: unexpected response status (status 404))"},
		{"two fetch errors", errors.Join(fetchErr, &detailed{text: "fetch: upstream unavailable", cause: "dial tcp: lookup x: no such host"}),
			"fetch: unexpected response status\nfetch: upstream unavailable (status 404; dial tcp: lookup x: no such host)"},
		{"a detail without a cause adds nothing", fmt.Errorf("x: %w", &detailed{text: "fetch: busy"}),
			"x: fetch: busy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := LogDetail(tc.err); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
