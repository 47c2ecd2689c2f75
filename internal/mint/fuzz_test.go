package mint_test

import (
	"crypto/rand"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/internal/testkit"
	"github.com/registrar/registrar/pkg/clientid"
)

// FuzzVerify feeds arbitrary strings to the client_id decoder. Properties:
// no panic; anything accepted was issued by this registrar and carries its
// issuer, a jti and metadata; and flipping any byte of a genuine client_id
// never yields a different accepted client; and a client_id is accepted
// only in the form (plain or URL) its JWS records.
func FuzzVerify(f *testing.F) {
	kr, _ := testkit.Keyring(f, "ES256")
	m := &mint.Minter{Issuer: issuer, Keys: kr, Now: testkit.Clock(), Rand: rand.Reader}
	minted, err := m.Mint(sampleMetadata(), mint.MintOptions{Statement: &clientid.Provenance{Issuer: "https://fed.example"}, SecretVersion: 1})
	if err != nil {
		f.Fatal(err)
	}
	good := minted.ClientID
	// The URL form (<issuer>/c/<JWS>, "form":"url"): one string per client,
	// so neither its bare JWS nor the plain JWS under the prefix verifies.
	urlMinted, err := m.Mint(sampleMetadata(), mint.MintOptions{SecretVersion: 1, Form: clientid.FormURL})
	if err != nil {
		f.Fatal(err)
	}
	urlForm := urlMinted.ClientID
	bareJWS := strings.TrimPrefix(urlForm, clientid.URLPrefix(issuer))
	f.Add(urlForm)
	f.Add(bareJWS)
	f.Add(clientid.URLPrefix(issuer) + good)
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Add("")
	f.Add("a.b.c")
	f.Add(`{"protected":"x","payload":"y","signature":"z"}`)
	v := newVerifier(kr)
	f.Fuzz(func(t *testing.T, in string) {
		c, err := v.Verify(in)
		if err != nil {
			return
		}
		if c.Claims.Issuer != issuer || c.Claims.ID == "" || c.Metadata() == nil {
			t.Fatalf("accepted a client_id without issuer, jti or metadata: %+v", c.Claims)
		}
		if in != good && c.Claims.ID == minted.Claims.ID && c.Metadata().ClientName != minted.Claims.Metadata.ClientName {
			t.Fatalf("a variant of a genuine client_id decoded to different metadata")
		}
		if url := strings.HasPrefix(in, clientid.URLPrefix(issuer)); url != (c.Claims.Form == clientid.FormURL) {
			t.Fatalf("accepted a client_id in another form than its JWS records (URL %v, form %q)", url, c.Claims.Form)
		}
	})
}
