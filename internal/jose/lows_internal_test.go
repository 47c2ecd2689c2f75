package jose

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"math/big"
	"testing"
)

// TestHighS: for each curve ECDSA JWS algorithms use, the low-S form of a
// signature passes and its other valid form (r, n-s) is high; keys of
// other kinds and signatures of the wrong length are never called high.
func TestHighS(t *testing.T) {
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		t.Run(curve.Params().Name, func(t *testing.T) {
			k, err := ecdsa.GenerateKey(curve, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			size := (curve.Params().N.BitLen() + 7) / 8
			n := curve.Params().N
			half := new(big.Int).Rsh(n, 1)
			r := big.NewInt(12345)
			for _, tc := range []struct {
				name string
				s    *big.Int
				want bool
			}{
				{"s = 1", big.NewInt(1), false},
				{"s = n/2", half, false},
				{"s = n/2 + 1", new(big.Int).Add(half, big.NewInt(1)), true},
				{"s = n - 1", new(big.Int).Sub(n, big.NewInt(1)), true},
			} {
				sig := make([]byte, 2*size)
				r.FillBytes(sig[:size])
				tc.s.FillBytes(sig[size:])
				if got := highS(&k.PublicKey, sig); got != tc.want {
					t.Errorf("%s: highS %v, want %v", tc.name, got, tc.want)
				}
			}
			if highS(&k.PublicKey, make([]byte, 2*size+2)) {
				t.Error("a signature of the wrong length is called high")
			}
		})
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	if highS(pub, make([]byte, 64)) {
		t.Error("an Ed25519 signature is called high")
	}
}
