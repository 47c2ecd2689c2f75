package mint_test

import (
	"testing"

	"github.com/registrar/registrar/internal/mint"
	"github.com/registrar/registrar/pkg/clientid"
)

func BenchmarkMint(b *testing.B) {
	for _, alg := range []string{"ES256", "EdDSA"} {
		b.Run(alg, func(b *testing.B) {
			m, _ := newMinter(b, alg)
			md := sampleMetadata()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := m.Mint(md, mint.MintOptions{SecretVersion: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, alg := range []string{"ES256", "EdDSA"} {
		b.Run(alg, func(b *testing.B) {
			m, kr := newMinter(b, alg)
			minted, _ := m.Mint(sampleMetadata(), mint.MintOptions{SecretVersion: 1})
			v := newVerifier(kr)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := v.Verify(minted.ClientID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCheckClientSecret(b *testing.B) {
	m, kr := newMinter(b, "ES256")
	minted, _ := m.Mint(sampleMetadata(), mint.MintOptions{SecretVersion: 1})
	c, _ := newVerifier(kr).Verify(minted.ClientID)
	d := &clientid.Deriver{Secrets: kr.Secrets()}
	secret, _ := d.ClientSecret(&minted.Claims)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if !d.CheckClientSecret(c, secret) {
			b.Fatal("rejected")
		}
	}
}
