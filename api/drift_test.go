package api_test

import (
	"bytes"
	"net/http"
	"testing"
)

// TestDriftIsCaught proves the checks above can fail: each case changes
// the document the way drift would (a member, status, error code, header
// field or path the server has but the document lost, or one the document
// gained that the server lacks) and shows that the check meant for it
// reports the change, while the unchanged document passes the same probe.
func TestDriftIsCaught(t *testing.T) {
	spec := readSpec(t)
	w := newWorld(t)
	open := w.serve(t, setup{})
	limited := w.serve(t, setup{limitBurst: 1})
	send(t, limited.URL, "GET", "/healthz", nil, nil) // not limited
	cl := register_(t, open)
	send(t, limited.URL, "GET", "/register/"+cl.id, http.Header{"Authorization": {"Bearer " + cl.rat}}, nil) // spends the burst
	valid := []byte(`{"redirect_uris":["https://client.example/cb"]}`)

	// exchangeProblems probes with one request and its response.
	exchangeProblems := func(base, method, path string, hdr http.Header, body []byte) func(*testing.T, *contract) []string {
		return func(t *testing.T, c *contract) []string {
			return c.problems(send(t, base, method, path, hdr, body), false)
		}
	}
	routes := func(t *testing.T, c *contract) []string {
		return routeProblems(c, w.server(t, setup{}), issuer)
	}
	coverage := func(t *testing.T, c *contract) []string {
		// As if every operation and status of the unchanged document had
		// been exercised, which TestServerAnswersAsDocumented checks.
		seen := map[string]bool{}
		for _, d := range mustContract(t, spec).documented() {
			seen[d] = true
		}
		return uncovered(c.documented(), seen)
	}

	tests := []struct {
		name     string
		old, new string // the change: old must occur exactly once
		probe    func(*testing.T, *contract) []string
	}{
		{
			name: "a member removed from the client information schema (unevaluatedProperties: false)",
			old: `        client_secret_expires_at:
          description: Seconds since the epoch when the client_id expires; 0 when it does not.
          type: integer
          minimum: 0
`,
			probe: exchangeProblems(open.URL, "POST", "/register", jsonHeader(), valid),
		},
		{
			name: "a member removed from the metadata document schema (additionalProperties: false)",
			old: `        token_endpoint:
          type: string
          format: uri
`,
			probe: exchangeProblems(open.URL, "GET", "/.well-known/oauth-authorization-server", nil, nil),
		},
		{
			name:  "a member removed from the JWK schema (additionalProperties: false)",
			old:   "        use:\n          const: sig\n",
			probe: exchangeProblems(open.URL, "GET", "/jwks.json", nil, nil),
		},
		{
			name: "a status the server sends removed (413 of POST /register)",
			old: `        "413":
          $ref: "#/components/responses/PayloadTooLarge"
        "415":
          $ref: "#/components/responses/UnsupportedMediaType"
        "429":
          $ref: "#/components/responses/TooManyRequests"
        "500":
          $ref: "#/components/responses/ServerError"
        "503":
          $ref: "#/components/responses/KeysUnavailable"

  /register/{client_id}:`,
			new: `        "415":
          $ref: "#/components/responses/UnsupportedMediaType"
        "429":
          $ref: "#/components/responses/TooManyRequests"
        "500":
          $ref: "#/components/responses/ServerError"
        "503":
          $ref: "#/components/responses/KeysUnavailable"

  /register/{client_id}:`,
			probe: exchangeProblems(open.URL, "POST", "/register", jsonHeader(), bytes.Repeat([]byte(" "), 70<<10)),
		},
		{
			name:  "an error code the server sends removed (invalid_redirect_uri)",
			old:   "      properties:\n        error:\n          enum:\n            - invalid_redirect_uri\n",
			new:   "      properties:\n        error:\n          enum:\n",
			probe: exchangeProblems(open.URL, "POST", "/register", jsonHeader(), []byte(`{"redirect_uris":["https://client.example/cb#x"]}`)),
		},
		{
			name: "a header field the server sends removed (Retry-After of 429)",
			old: `          $ref: "#/components/headers/XRequestID"
        Retry-After:
          $ref: "#/components/headers/RetryAfter"
      content:
        application/json:
          schema:
            $ref: "#/components/schemas/TemporarilyUnavailableError"
    KeysUnavailable:`,
			new: `          $ref: "#/components/headers/XRequestID"
      content:
        application/json:
          schema:
            $ref: "#/components/schemas/TemporarilyUnavailableError"
    KeysUnavailable:`,
			probe: exchangeProblems(limited.URL, "POST", "/register", jsonHeader(), valid),
		},
		{
			name:  "a status the server never sends added (418 of POST /register)",
			old:   `        "415":` + "\n" + `          $ref: "#/components/responses/UnsupportedMediaType"` + "\n" + `        "429":` + "\n" + `          $ref: "#/components/responses/TooManyRequests"` + "\n" + `        "500":` + "\n" + `          $ref: "#/components/responses/ServerError"` + "\n" + `        "503":` + "\n" + `          $ref: "#/components/responses/KeysUnavailable"` + "\n\n  /register/{client_id}:",
			new:   `        "415":` + "\n" + `          $ref: "#/components/responses/UnsupportedMediaType"` + "\n" + `        "418":` + "\n" + `          $ref: "#/components/responses/ServerError"` + "\n" + `        "429":` + "\n" + `          $ref: "#/components/responses/TooManyRequests"` + "\n" + `        "500":` + "\n" + `          $ref: "#/components/responses/ServerError"` + "\n" + `        "503":` + "\n" + `          $ref: "#/components/responses/KeysUnavailable"` + "\n\n  /register/{client_id}:",
			probe: coverage,
		},
		{
			name:  "a path the server serves removed (/jwks.json)",
			old:   "\n  /jwks.json:\n",
			new:   "\n  /keys.json:\n",
			probe: routes,
		},
		{
			name: "a method the server does not route documented (DELETE /jwks.json)",
			old:  "  /jwks.json:\n",
			new: `  /jwks.json:
    delete:
      responses:
        "204":
          description: Gone.
`,
			probe: routes,
		},
	}
	orig := mustContract(t, spec)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if n := bytes.Count(spec, []byte(tc.old)); n != 1 {
				t.Fatalf("the text to change occurs %d times in %s, want once: update this case", n, specFile)
			}
			if p := tc.probe(t, orig); len(p) > 0 {
				t.Fatalf("the unchanged document already fails the probe: %q", p)
			}
			c := mustContract(t, bytes.Replace(spec, []byte(tc.old), []byte(tc.new), 1))
			p := tc.probe(t, c)
			if len(p) == 0 {
				t.Fatal("the change went unnoticed")
			}
			t.Logf("caught: %s", p[0])
		})
	}
}
