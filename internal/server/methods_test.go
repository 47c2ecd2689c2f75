package server_test

import (
	"net/http"
	"testing"
)

// TestClientConfigurationMethods: every method the client configuration
// endpoint does not serve, standard or invented, answers 405 with Allow:
// GET, HEAD, PUT, never an Allow that lists methods it does not serve.
func TestClientConfigurationMethods(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantAllow          string
	}{
		{name: "invented method", method: "FOO", path: "/register/abc", wantStatus: 405, wantAllow: "GET, HEAD, PUT"},
		{name: "WebDAV PROPFIND", method: "PROPFIND", path: "/register/abc", wantStatus: 405, wantAllow: "GET, HEAD, PUT"},
		{name: "WebDAV REPORT", method: "REPORT", path: "/register/abc", wantStatus: 405, wantAllow: "GET, HEAD, PUT"},
		{name: "TRACE", method: http.MethodTrace, path: "/register/abc", wantStatus: 405, wantAllow: "GET, HEAD, PUT"},
		{name: "DELETE", method: http.MethodDelete, path: "/register/abc", wantStatus: 405, wantAllow: "GET, HEAD, PUT"},
		{name: "PATCH", method: http.MethodPatch, path: "/register/abc", wantStatus: 405, wantAllow: "GET, HEAD, PUT"},
		{name: "invented method on the registration endpoint", method: "FOO", path: "/register", wantStatus: 405, wantAllow: "OPTIONS, POST"},
		{name: "invented method with a token in the query", method: "FOO", path: "/register/abc?access_token=x", wantStatus: 400},
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
			if got := resp.Header.Get("Allow"); got != tc.wantAllow {
				t.Errorf("Allow %q, want %q", got, tc.wantAllow)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
			}
		})
	}
}
