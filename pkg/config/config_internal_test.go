package config

import (
	"reflect"
	"strings"
	"testing"

	"github.com/registrar/registrar/pkg/metadata"
)

// TestVariablesAreFullPrefixedNames: every tag is a full REGISTRAR_ name
// (Load decodes without a prefix, so that envconfig has no bare-name
// fallback), named once.
func TestVariablesAreFullPrefixedNames(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range variables(&Config{}, &policyVariables{}) {
		if !strings.HasPrefix(v.name, Prefix+"_") || v.name != strings.ToUpper(v.name) {
			t.Errorf("field %s: tag %q, want an upper-case %s_ name", v.field.Name, v.name, Prefix)
		}
		if seen[v.name] {
			t.Errorf("%s is the tag of two fields", v.name)
		}
		seen[v.name] = true
	}
}

// TestPolicyVariablesPointIntoThePolicy: each policy variable writes into
// the policy and takes its default from metadata.DefaultPolicy(), not from
// a default tag of its own.
func TestPolicyVariablesPointIntoThePolicy(t *testing.T) {
	var p metadata.Policy
	pv := reflect.ValueOf(policyVariablesOf(&p)).Elem()
	for i := range pv.NumField() {
		f := pv.Type().Field(i)
		if pv.Field(i).IsNil() {
			t.Errorf("policyVariablesOf leaves %s nil: the variable would be read and lost", f.Name)
		}
		if _, ok := f.Tag.Lookup("default"); ok {
			t.Errorf("%s has a default tag; its default is metadata.DefaultPolicy()'s", f.Name)
		}
	}
}

func TestUnknownVariables(t *testing.T) {
	environ := []string{
		"REGISTRAR_ADDR=:8080",
		"REGISTRAR_ISSUR=https://registrar.example",
		"REGISTRAR_KEYS_DIR=keys",
		"REGISTRAR_Addr=:1",
		"REGISTRAR_=x",
		"REGISTRARX_ADDR=x",
		"PATH=/bin",
		"REGISTRAR_EMPTY=",
	}
	got := unknownVariables(environ)
	var names []string
	for _, p := range got {
		name, _, _ := strings.Cut(p, ":")
		names = append(names, name)
	}
	want := []string{"REGISTRAR_", "REGISTRAR_Addr", "REGISTRAR_EMPTY", "REGISTRAR_ISSUR"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("got %q, want %q", names, want)
	}
}

// TestEveryRuleNamesAVariable: each rule checks a field that a variable
// sets, so that every problem it reports is named by that variable.
func TestEveryRuleNamesAVariable(t *testing.T) {
	c := &Config{Policy: metadata.DefaultPolicy()}
	name := map[any]string{}
	for _, v := range variables(c, policyVariablesOf(&c.Policy)) {
		name[v.target()] = v.name
	}
	for i, r := range c.rules(func(field any) string { return name[field] }) {
		if name[r.field] == "" {
			t.Errorf("rule %d checks a %T that no variable sets", i, r.field)
		}
	}
}
