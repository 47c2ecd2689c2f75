package config

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

// TestKnownMatchesSpec: Known() is exactly the set of variables the spec
// struct reads, so that no read variable is reported as unknown and no
// unread one is silently accepted.
func TestKnownMatchesSpec(t *testing.T) {
	var tags []string
	typ := reflect.TypeOf(spec{})
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		tag, ok := f.Tag.Lookup("envconfig")
		if !ok || tag == "" {
			t.Errorf("field %s has no envconfig tag", f.Name)
			continue
		}
		if f.Type.Kind() != reflect.String {
			t.Errorf("field %s is %s, want string (every variable is read as text)", f.Name, f.Type)
		}
		tags = append(tags, tag)
	}
	var known []string
	for _, k := range Known() {
		known = append(known, Prefix+"_"+k)
	}
	sort.Strings(tags)
	sort.Strings(known)
	if !reflect.DeepEqual(tags, known) {
		t.Errorf("envconfig tags and Known() differ:\n tags  %q\n known %q", tags, known)
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
