package config

import (
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/registrar/registrar/internal/validate"
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
// the policy and takes its default from validate.DefaultPolicy(), not from
// a default tag of its own.
func TestPolicyVariablesPointIntoThePolicy(t *testing.T) {
	var p validate.Policy
	pv := reflect.ValueOf(policyVariablesOf(&p)).Elem()
	for i := range pv.NumField() {
		f := pv.Type().Field(i)
		if pv.Field(i).IsNil() {
			t.Errorf("policyVariablesOf leaves %s nil: the variable would be read and lost", f.Name)
		}
		if _, ok := f.Tag.Lookup("default"); ok {
			t.Errorf("%s has a default tag; its default is validate.DefaultPolicy()'s", f.Name)
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

// defaults is the default of every variable as text: the default tag, or
// for a policy variable validate.DefaultPolicy()'s value.
func defaults() map[string]string {
	out := map[string]string{}
	for _, v := range variables(&Config{}) {
		out[v.name] = v.field.Tag.Get("default")
	}
	p := validate.DefaultPolicy()
	for _, v := range variables(policyVariablesOf(&p)) {
		if v.value.IsNil() {
			continue // TestPolicyVariablesPointIntoThePolicy
		}
		switch d := v.value.Elem().Interface().(type) {
		case []string:
			out[v.name] = strings.Join(d, ",")
		case bool:
			out[v.name] = strconv.FormatBool(d)
		case string:
			out[v.name] = d
		default:
			panic("policy variable of type " + v.value.Type().String())
		}
	}
	return out
}

// TestREADMEListsEveryVariable: README.md's configuration table has one row
// for each variable Known() returns, no other REGISTRAR_ row, and the
// default each row shows ("—" for none) is the one Load applies, so a
// variable cannot be added, renamed or given a new default in one place
// only.
func TestREADMEListsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "\n## Configuration\n")
	if !ok {
		t.Fatal("README.md has no Configuration section")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	row := regexp.MustCompile("(?m)^\\| `(" + Prefix + "_[A-Z0-9_]*)` \\| (`[^`]*`|—[^|]*) \\|")
	if n := strings.Count(table, "\n| `"+Prefix+"_"); n != len(row.FindAllString(table, -1)) {
		t.Errorf("%d rows start with a %s_ variable, %d have the form | `NAME` | `default` or — |", n, Prefix, len(row.FindAllString(table, -1)))
	}
	want := defaults()
	var listed []string
	for _, m := range row.FindAllStringSubmatch(table, -1) {
		name, def := m[1], m[2]
		listed = append(listed, strings.TrimPrefix(name, Prefix+"_"))
		if strings.HasPrefix(def, "—") {
			def = ""
		}
		def = strings.Trim(def, "`")
		if d, ok := want[name]; ok && d != def {
			t.Errorf("%s: README shows default %q, Load applies %q", name, def, d)
		}
	}
	known := Known()
	sort.Strings(listed)
	sort.Strings(known)
	if !reflect.DeepEqual(listed, known) {
		t.Errorf("README rows and Known() differ:\n README %q\n Known  %q", listed, known)
	}
}

// TestEveryRuleNamesAVariable: each rule checks a field that a variable
// sets, so that every problem it reports is named by that variable.
func TestEveryRuleNamesAVariable(t *testing.T) {
	c := &Config{Policy: validate.DefaultPolicy()}
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
