package server_test

import (
	"net/http"
	"testing"
)

// TestUnrecognisedMethods: a method the server does not recognise is 501
// on every path (RFC 9110 §9.1), never a 405 whose Allow lists methods the
// route does not serve; a recognised method a route does not serve is a
// 405 with the route's own Allow.
func TestUnrecognisedMethods(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantAllow          string
	}{
		{name: "invented method on the client configuration endpoint", method: "FOO", path: "/register/abc", wantStatus: 501},
		{name: "WebDAV method on the client configuration endpoint", method: "PROPFIND", path: "/register/abc", wantStatus: 501},
		{name: "REPORT on the client configuration endpoint", method: "REPORT", path: "/register/abc", wantStatus: 501},
		{name: "TRACE on the client configuration endpoint", method: http.MethodTrace, path: "/register/abc", wantStatus: 405, wantAllow: "GET, HEAD, PUT"},
		{name: "TRACE on the registration endpoint", method: http.MethodTrace, path: "/register", wantStatus: 405},
		{name: "invented method on the registration endpoint", method: "FOO", path: "/register", wantStatus: 501},
		{name: "invented method on an unknown path", method: "FOO", path: "/nowhere", wantStatus: 501},
		{name: "DELETE on the client configuration endpoint", method: http.MethodDelete, path: "/register/abc", wantStatus: 405, wantAllow: "GET, HEAD, PUT"},
		{name: "PATCH on the client configuration endpoint", method: http.MethodPatch, path: "/register/abc", wantStatus: 405, wantAllow: "GET, HEAD, PUT"},
		{name: "PATCH on the JWK Set", method: http.MethodPatch, path: "/jwks.json", wantStatus: 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, e.srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if tc.wantAllow != "" && resp.Header.Get("Allow") != tc.wantAllow {
				t.Errorf("Allow %q, want %q", resp.Header.Get("Allow"), tc.wantAllow)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
			}
		})
	}
}
