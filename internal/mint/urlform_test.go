package mint_test

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/pkg/clientid"
	"github.com/registrar/registrar/pkg/metadata"
)

func TestURLFormRoundTrip(t *testing.T) {
	m, kr := newMinter(t, "ES256")
	minted, err := m.Mint(sampleMetadata(), mint.MintOptions{SecretVersion: 1, Form: clientid.FormURL})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(minted.ClientID, issuer+"/c/") {
		t.Fatalf("client_id %q is not under %s/c/", minted.ClientID, issuer)
	}
	// draft-ietf-oauth-client-id-metadata-document-03 §3: https, a path, no
	// userinfo, query, fragment or dot segments.
	u, err := url.Parse(minted.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "https" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.String() != minted.ClientID {
		t.Errorf("client_id %q is not a plain https URL", minted.ClientID)
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			t.Errorf("client_id has a dot segment")
		}
	}
	c, err := newVerifier(kr).Verify(minted.ClientID)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if c.ClientID != minted.ClientID || c.Claims.Form != clientid.FormURL {
		t.Errorf("got client_id %q form %q, want the URL and %q", c.ClientID, c.Claims.Form, clientid.FormURL)
	}
	if !reflect.DeepEqual(c.Claims, minted.Claims) {
		t.Errorf("claims differ:\n got %+v\nwant %+v", c.Claims, minted.Claims)
	}
}

// One client, one string: each JWS verifies only in the form it records.
func TestURLFormOneClientOneString(t *testing.T) {
	m, kr := newMinter(t, "ES256")
	urlForm, err := m.Mint(sampleMetadata(), mint.MintOptions{SecretVersion: 1, Form: clientid.FormURL})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := m.Mint(sampleMetadata(), mint.MintOptions{SecretVersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	bare, _ := clientid.SplitURL(issuer, urlForm.ClientID)
	tests := []struct {
		name     string
		clientID string
		want     error
	}{
		{"URL-form JWS presented bare", bare, clientid.ErrForm},
		{"plain JWS put under the prefix", clientid.URLPrefix(issuer) + plain.ClientID, clientid.ErrForm},
		{"URL form under another issuer's prefix", "https://other.example/c/" + bare, clientid.ErrMalformed},
		{"URL form with a trailing slash", urlForm.ClientID + "/", clientid.ErrMalformed},
		{"URL form with a query", urlForm.ClientID + "?x=1", clientid.ErrMalformed},
		{"URL form, http scheme", "http" + strings.TrimPrefix(urlForm.ClientID, "https"), clientid.ErrMalformed},
	}
	v := newVerifier(kr)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(tc.clientID)
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestURLFormBudget(t *testing.T) {
	m, _ := newMinter(t, "ES256")
	m.MaxURLLength = 600
	md := sampleMetadata()
	md.ClientURI = "https://client.example.org/" + strings.Repeat("a", 400)
	_, err := m.Mint(md, mint.MintOptions{SecretVersion: 1, Form: clientid.FormURL})
	if !errors.Is(err, mint.ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if !strings.Contains(err.Error(), "client_uri") {
		t.Errorf("error %q does not name client_uri, the member to drop", err)
	}
	// The same metadata fits the plain form's (larger) cap.
	if _, err := m.Mint(md, mint.MintOptions{SecretVersion: 1}); err != nil {
		t.Errorf("plain form: %v", err)
	}
}

func TestFormClaimIsNotMetadata(t *testing.T) {
	if metadata.Known("form") {
		t.Fatal(`"form" is a metadata member name: the URL-form claim would collide with it`)
	}
}
