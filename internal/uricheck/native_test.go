package uricheck

import (
	"errors"
	"strings"
	"testing"
)

// TestRedirectPrivateUseSchemes: a scheme that is not a reverse domain name
// is accepted for a native client only when the operator lists it, exactly,
// and never for a web client.
func TestRedirectPrivateUseSchemes(t *testing.T) {
	allow := []string{"cursor", "vscode"}
	tests := []struct {
		name string
		raw  string
		o    RedirectOptions
		want error
	}{
		{"listed scheme, native", "cursor://anysphere.cursor-retrieval/oauth/user-docs/callback", RedirectOptions{App: Native, PrivateUseSchemes: allow}, nil},
		{"second listed scheme, native", "vscode://vscode.mcp/callback", RedirectOptions{App: Native, PrivateUseSchemes: allow}, nil},
		{"listed scheme without the list", "cursor://anysphere.cursor-retrieval/oauth/callback", RedirectOptions{App: Native}, ErrPrivateScheme},
		{"unlisted scheme with a list", "windsurf://codeium.windsurf/callback", RedirectOptions{App: Native, PrivateUseSchemes: allow}, ErrPrivateScheme},
		{"listed scheme, web client", "cursor://anysphere.cursor-retrieval/oauth/callback", RedirectOptions{App: Web, PrivateUseSchemes: allow}, ErrScheme},
		{"listed scheme in upper case", "CURSOR://anysphere.cursor-retrieval/oauth/callback", RedirectOptions{App: Native, PrivateUseSchemes: allow}, ErrNormalForm},
		{"prefix of a listed scheme", "curso://x/cb", RedirectOptions{App: Native, PrivateUseSchemes: allow}, ErrPrivateScheme},
		{"listed scheme still follows the common rules", "cursor://anysphere.cursor-retrieval/a/../cb", RedirectOptions{App: Native, PrivateUseSchemes: allow}, ErrPath},
		{"reverse domain still accepted with a list", "com.example.app:/cb", RedirectOptions{App: Native, PrivateUseSchemes: allow}, nil},
		{"forbidden scheme cannot be listed into use", "javascript:alert(1)", RedirectOptions{App: Native, PrivateUseSchemes: []string{"javascript"}}, ErrForbiddenScheme},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkResult(t, tc.raw, Redirect(tc.raw, tc.o), tc.want, false)
		})
	}
}

func TestNativeOnly(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want bool
	}{
		{"localhost with port and path", "http://localhost:3118/callback", true},
		{"127.0.0.1 ephemeral port", "http://127.0.0.1:37819/callback", true},
		{"ipv6 loopback", "http://[::1]:8080/cb", true},
		{"loopback without port", "http://127.0.0.1/cb", true},
		{"private-use scheme", "cursor://anysphere.cursor-retrieval/oauth/callback", true},
		{"reverse domain scheme", "com.example.app:/cb", true},
		{"https", "https://client.example.org/cb", false},
		{"https loopback", "https://localhost/cb", false},
		{"http non-loopback", "http://client.example.org/cb", false},
		{"http other 127/8 address", "http://127.0.0.2/cb", false},
		{"http LOCALHOST", "http://LOCALHOST/cb", false},
		{"http localhost subdomain", "http://app.localhost/cb", false},
		{"forbidden scheme", "javascript:alert(1)", false},
		{"malformed", "http://127.0.0.1/a b", false},
		{"relative", "/cb", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NativeOnly(tc.raw); got != tc.want {
				t.Errorf("NativeOnly(%q) = %v, want %v", tc.raw, got, tc.want)
			}
		})
	}
}

func TestCheckPrivateUseScheme(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want error
	}{
		{"cursor", "cursor", nil},
		{"vscode-insiders", "vscode-insiders", nil},
		{"with plus and dot", "x-app+v1.2", nil},
		{"empty", "", ErrNotAbsolute},
		{"starts with a digit", "1app", ErrNotAbsolute},
		{"colon", "cursor:", ErrNotAbsolute},
		{"slash", "cursor://", ErrNotAbsolute},
		{"space", "cur sor", ErrNotAbsolute},
		{"too long", strings.Repeat("a", 65), ErrNotAbsolute},
		{"upper case", "Cursor", ErrNormalForm},
		{"http", "http", ErrScheme},
		{"https", "https", ErrScheme},
		{"javascript", "javascript", ErrForbiddenScheme},
		{"JavaScript", "JavaScript", ErrForbiddenScheme},
		{"data", "data", ErrForbiddenScheme},
		{"file", "file", ErrForbiddenScheme},
		{"vbscript", "vbscript", ErrForbiddenScheme},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPrivateUseScheme(tc.s)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
