package trust

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/registrar/registrar/pkg/jwkset"
	"github.com/registrar/registrar/pkg/statement"
	"github.com/registrar/registrar/pkg/strictjson"
)

// ErrConfig wraps every problem found in a trusted issuers file.
var ErrConfig = errors.New("invalid trusted issuers configuration")

// MaxKeysPerIssuer bounds an issuer's key set.
const MaxKeysPerIssuer = 100

// FileConfig is the trusted issuers file.
type FileConfig struct {
	Issuers []IssuerConfig `json:"issuers"`
}

// IssuerConfig is one trusted issuer.
type IssuerConfig struct {
	// Issuer is the exact `iss` of its statements.
	Issuer string `json:"issuer"`
	// JWKSFile is a JWK Set file, relative to the trusted issuers file.
	JWKSFile string `json:"jwks_file"`
	// ClientIDLifetime, when set (a Go duration such as "2160h"), caps the
	// lifetime of client_ids registered with this issuer's statements.
	ClientIDLifetime string `json:"client_id_lifetime,omitempty"`
}

// Issuer is a trusted issuer with its checked keys.
type Issuer struct {
	ID               string
	ClientIDLifetime time.Duration
	keys             map[string]jwkset.Key
}

// Store is the set of trusted issuers. It is immutable once built.
type Store struct {
	issuers map[string]*Issuer
}

var _ statement.Keys = (*Store)(nil)

// Key returns the key kid of issuer iss.
func (s *Store) Key(_ context.Context, iss, kid string) (jwkset.Key, error) {
	is, ok := s.issuers[iss]
	if !ok {
		return jwkset.Key{}, statement.ErrUntrustedIssuer
	}
	k, ok := is.keys[kid]
	if !ok {
		return jwkset.Key{}, statement.ErrUnknownKey
	}
	return k, nil
}

// ClientIDLifetime is the client_id lifetime cap of issuer iss; zero when
// the issuer sets none or is not trusted.
func (s *Store) ClientIDLifetime(iss string) time.Duration {
	if is, ok := s.issuers[iss]; ok {
		return is.ClientIDLifetime
	}
	return 0
}

// Issuers lists the trusted issuer identifiers, sorted.
func (s *Store) Issuers() []string {
	out := make([]string, 0, len(s.issuers))
	for id := range s.issuers {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Empty returns a store that trusts nobody.
func Empty() *Store { return &Store{issuers: map[string]*Issuer{}} }

// LoadFile reads a trusted issuers file and every key file it names. It
// reports every problem at once.
func LoadFile(path string) (*Store, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	fc, err := parseFile(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrConfig, path, err)
	}
	return Build(fc, filepath.Dir(path))
}

// parseFile decodes the file with exact member names: encoding/json would
// match "Issuer" to issuer, so {"issuer":"B","Issuer":"A"} would trust A.
func parseFile(data []byte) (FileConfig, error) {
	var fc FileConfig
	top, err := strictjson.Object(data, strictjson.Limits{})
	if err != nil {
		return fc, err
	}
	if err := onlyMembers(top, "", "issuers"); err != nil {
		return fc, err
	}
	var entries []json.RawMessage
	if raw, ok := top["issuers"]; !ok || raw[0] != '[' || json.Unmarshal(raw, &entries) != nil {
		return fc, errors.New(`"issuers" must be an array`)
	}
	for i, e := range entries {
		m, err := strictjson.Object(e, strictjson.Limits{})
		if err != nil {
			return fc, fmt.Errorf("issuers[%d]: %v", i, err)
		}
		if err := onlyMembers(m, fmt.Sprintf("issuers[%d].", i), "issuer", "jwks_file", "client_id_lifetime"); err != nil {
			return fc, err
		}
		var ic IssuerConfig
		dec := json.NewDecoder(bytes.NewReader(e))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ic); err != nil {
			return fc, fmt.Errorf("issuers[%d]: %v", i, err)
		}
		fc.Issuers = append(fc.Issuers, ic)
	}
	return fc, nil
}

func onlyMembers(m strictjson.Members, where string, allowed ...string) error {
	for name := range m {
		ok := false
		for _, a := range allowed {
			if name == a {
				ok = true
			}
		}
		if !ok {
			return fmt.Errorf("%sunknown member %q", where, name)
		}
	}
	return nil
}

// Build checks fc and loads the key files it names relative to baseDir.
func Build(fc FileConfig, baseDir string) (*Store, error) {
	var problems []error
	add := func(i int, format string, a ...any) {
		problems = append(problems, fmt.Errorf("issuers[%d]: "+format, append([]any{i}, a...)...))
	}
	s := &Store{issuers: map[string]*Issuer{}}
	seen := map[string]bool{}
	for i, ic := range fc.Issuers {
		switch {
		case ic.Issuer == "":
			add(i, "\"issuer\" is required")
			continue
		case len(ic.Issuer) > 2048 || strings.ContainsFunc(ic.Issuer, func(r rune) bool { return r < 0x21 || r == 0x7f }):
			add(i, "\"issuer\" must be a printable string of at most 2048 bytes")
			continue
		}
		if seen[ic.Issuer] {
			add(i, "issuer %q is listed twice", ic.Issuer)
			continue
		}
		seen[ic.Issuer] = true
		if ic.JWKSFile == "" {
			add(i, "%q: \"jwks_file\" is required", ic.Issuer)
			continue
		}
		p := ic.JWKSFile
		if !filepath.IsAbs(p) {
			p = filepath.Join(baseDir, p)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			add(i, "%q: %v", ic.Issuer, err)
			continue
		}
		keys, err := parseIssuerKeys(data)
		if err != nil {
			add(i, "%q: %s: %w", ic.Issuer, ic.JWKSFile, err)
			continue
		}
		var lifetime time.Duration
		if ic.ClientIDLifetime != "" {
			d, err := time.ParseDuration(ic.ClientIDLifetime)
			if err != nil || d <= 0 {
				add(i, "%q: \"client_id_lifetime\" must be a positive duration such as 2160h", ic.Issuer)
				continue
			}
			lifetime = d
		}
		is := &Issuer{ID: ic.Issuer, ClientIDLifetime: lifetime, keys: make(map[string]jwkset.Key, len(keys))}
		for _, k := range keys {
			is.keys[k.KID] = k
		}
		s.issuers[ic.Issuer] = is
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w:\n%w", ErrConfig, errors.Join(problems...))
	}
	return s, nil
}

func parseIssuerKeys(data []byte) ([]jwkset.Key, error) {
	if err := strictjson.Valid(data, strictjson.Limits{}); err != nil {
		return nil, err
	}
	return jwkset.Parse(data, jwkset.Options{
		MaxKeys:     MaxKeysPerIssuer,
		RequireKID:  true,
		SigningAlgs: statement.DefaultAlgorithms,
	})
}
