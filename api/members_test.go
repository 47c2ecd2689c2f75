package api_test

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/registrar/registrar/internal/discovery"
	"github.com/registrar/registrar/internal/keys"
	"github.com/registrar/registrar/internal/validate"
	"github.com/registrar/registrar/pkg/metadata"
)

// TestSchemasNameEveryMember compares the document's schemas with the Go
// definitions they describe, so that a member or value added to the code
// cannot stay undocumented even when no response of the other tests
// carries it: every client metadata member pkg/metadata reads, the
// language-tagged ones, every value of the enumerated members, every
// member of the metadata document, and the algorithms of Registrar's own
// keys.
func TestSchemasNameEveryMember(t *testing.T) {
	c := mustContract(t, readSpec(t))
	schema := func(t *testing.T, name string) *base.Schema {
		t.Helper()
		p, ok := c.model.Components.Schemas.Get(name)
		if !ok {
			t.Fatalf("components.schemas.%s is missing", name)
		}
		return p.Schema()
	}
	prop := func(t *testing.T, s *base.Schema, name string) *base.Schema {
		t.Helper()
		p, ok := s.Properties.Get(name)
		if !ok {
			t.Fatalf("property %s is missing", name)
		}
		return p.Schema()
	}
	names := func(s *base.Schema) []string {
		var out []string
		for k := range s.Properties.KeysFromOldest() {
			out = append(out, k)
		}
		return sorted(out)
	}
	enum := func(s *base.Schema) []string {
		var out []string
		for _, n := range s.Enum {
			out = append(out, n.Value)
		}
		return sorted(out)
	}
	same := func(t *testing.T, what string, got, want []string) {
		t.Helper()
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: %q is in the code but not in the document", what, w)
			}
		}
		for _, g := range got {
			if !slices.Contains(want, g) {
				t.Errorf("%s: %q is in the document but not in the code", what, g)
			}
		}
	}

	t.Run("client metadata members", func(t *testing.T) {
		same(t, "ClientMetadata properties", names(schema(t, "ClientMetadata")), metadata.Names())
	})
	t.Run("language-tagged members", func(t *testing.T) {
		md := schema(t, "ClientMetadata")
		var patterns []string
		for p := range md.PatternProperties.KeysFromOldest() {
			patterns = append(patterns, p)
		}
		if len(patterns) != 1 {
			t.Fatalf("patternProperties: %q, want one pattern", patterns)
		}
		re := regexp.MustCompile(patterns[0])
		for _, name := range metadata.Names() {
			tagged := name + "#ja-Jpan-JP"
			if got, want := re.MatchString(tagged), slices.Contains(metadata.Localizable, name); got != want {
				t.Errorf("%s: matched %t, want %t (metadata.Localizable)", tagged, got, want)
			}
			if re.MatchString(name) || re.MatchString(name+"#") {
				t.Errorf("%q matches the language-tag pattern", name)
			}
		}
	})
	t.Run("enumerated values", func(t *testing.T) {
		md := schema(t, "ClientMetadata")
		same(t, "token_endpoint_auth_method", enum(prop(t, md, "token_endpoint_auth_method")), validate.KnownAuthMethods)
		same(t, "grant_types", enum(prop(t, md, "grant_types").Items.A.Schema()), validate.KnownGrantTypes)
		same(t, "application_type", enum(prop(t, md, "application_type")), []string{metadata.AppWeb, metadata.AppNative})
		same(t, "subject_type", enum(prop(t, md, "subject_type")), validate.KnownSubjectTypes)
		same(t, "SigningAlg", enum(schema(t, "SigningAlg")), validate.KnownSigningAlgs)
		same(t, "EncryptionAlg", enum(schema(t, "EncryptionAlg")), validate.KnownEncryptionAlgs)
		same(t, "EncryptionEnc", enum(schema(t, "EncryptionEnc")), validate.KnownEncryptionEncs)
		re := regexp.MustCompile(prop(t, md, "response_types").Items.A.Schema().Pattern)
		for _, rt := range validate.KnownResponseTypes {
			if !re.MatchString(rt) {
				t.Errorf("response type %q does not match the documented pattern", rt)
			}
		}
		same(t, "PublicJWK alg", enum(prop(t, schema(t, "PublicJWK"), "alg")), keys.Algorithms)
	})
	t.Run("metadata document members", func(t *testing.T) {
		var tags []string
		typ := reflect.TypeOf(discovery.Document{})
		for i := 0; i < typ.NumField(); i++ {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			tags = append(tags, name)
		}
		same(t, "AuthorizationServerMetadata properties", names(schema(t, "AuthorizationServerMetadata")), tags)
	})
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
