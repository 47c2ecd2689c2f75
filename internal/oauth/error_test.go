package oauth

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestStatusFor(t *testing.T) {
	tests := []struct {
		code string
		want int
	}{
		{CodeInvalidRedirectURI, http.StatusBadRequest},
		{CodeInvalidClientMetadata, http.StatusBadRequest},
		{CodeInvalidSoftwareStatement, http.StatusBadRequest},
		{CodeUnapprovedSoftwareStatement, http.StatusBadRequest},
		{CodeInvalidToken, http.StatusUnauthorized},
		{CodeInsufficientScope, http.StatusForbidden},
		{CodeTemporarilyUnavailable, http.StatusServiceUnavailable},
		{CodeServerError, http.StatusInternalServerError},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			if got := New(tc.code, "x").HTTPStatus(); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestWithStatusAndHeaderCopy(t *testing.T) {
	base := New(CodeInvalidRequest, "too big")
	got := base.WithStatus(http.StatusRequestEntityTooLarge).WithHeader("Allow", "POST")
	if got.HTTPStatus() != http.StatusRequestEntityTooLarge {
		t.Errorf("status: got %d", got.HTTPStatus())
	}
	if got.Header.Get("Allow") != "POST" {
		t.Errorf("header not set")
	}
	if base.Status != 0 || base.Header != nil {
		t.Errorf("base error was mutated: %+v", base)
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain ascii kept", "redirect_uris[0]: fragment not allowed", "redirect_uris[0]: fragment not allowed"},
		{"quote and backslash replaced", `a"b\c`, "a'b'c"},
		{"non-ascii replaced", "caf\u00e9", "caf??"},
		{"control replaced", "a\r\nb", "a??b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sanitize(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	long := make([]byte, 20000)
	for i := range long {
		long[i] = 'a'
	}
	if got := Sanitize(string(long)); len(got) > 4100 {
		t.Errorf("long description not capped: %d bytes", len(got))
	}
}

func TestWrapKeepsCause(t *testing.T) {
	sentinel := errors.New("sentinel")
	err := fmt.Errorf("outer: %w", Wrap(sentinel, CodeInvalidSoftwareStatement, "bad"))
	if !errors.Is(err, sentinel) {
		t.Fatal("cause lost")
	}
	oe, ok := As(err)
	if !ok || oe.Code != CodeInvalidSoftwareStatement {
		t.Fatalf("As: got %v, %v", oe, ok)
	}
}
