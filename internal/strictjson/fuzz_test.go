package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

func FuzzObject(f *testing.F) {
	for _, tc := range objectCases {
		f.Add([]byte(tc.in))
	}
	for _, tc := range valueCases {
		f.Add([]byte(tc.in))
	}
	f.Add([]byte(registrationBody))

	// Small limits make the depth and member checks reachable for short
	// inputs; the defaults cover everything else.
	small := Limits{MaxDepth: 4, MaxMembers: 4}

	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		m, err := Object(data, Limits{})
		if !bytes.Equal(data, orig) {
			t.Fatal("Object modified its input")
		}
		checkFuzzError(t, err)

		// Deterministic: the same input gives the same result.
		m2, err2 := Object(data, Limits{})
		if errString(err) != errString(err2) {
			t.Fatalf("non-deterministic error: %v, then %v", err, err2)
		}
		if len(m) != len(m2) {
			t.Fatalf("non-deterministic members: %d, then %d", len(m), len(m2))
		}
		for k, v := range m {
			if !bytes.Equal(v, m2[k]) {
				t.Fatalf("non-deterministic member %q", k)
			}
		}

		// Object and Valid agree, except that Valid accepts any value.
		verr := Valid(data, Limits{})
		checkFuzzError(t, verr)
		switch {
		case err == nil && verr != nil:
			t.Fatalf("Object accepted, Valid rejected: %v", verr)
		case err != nil && verr == nil && !errors.Is(err, ErrNotObject):
			t.Fatalf("Valid accepted, Object rejected: %v", err)
		case verr == nil && !json.Valid(data):
			t.Fatal("Valid accepted what json.Valid rejects")
		}

		if err == nil {
			if !json.Valid(data) {
				t.Fatal("Object accepted what json.Valid rejects")
			}
			for k, v := range m {
				if !json.Valid(v) {
					t.Fatalf("member %q value %q is not valid JSON", k, v)
				}
				if len(v) == 0 || len(bytes.TrimSpace(v)) != len(v) {
					t.Fatalf("member %q value %q is not whitespace-trimmed", k, v)
				}
			}
			compareWithEncodingJSON(t, data, m)
		} else if m != nil {
			t.Fatal("members returned with an error")
		}

		// Tighter limits only ever turn acceptance into a limit error.
		ms, serr := Object(data, small)
		checkFuzzError(t, serr)
		switch {
		case err != nil && serr == nil:
			t.Fatalf("accepted under small limits but rejected under defaults: %v", err)
		case err == nil && serr != nil && !errors.Is(serr, ErrTooDeep) && !errors.Is(serr, ErrTooManyMembers):
			t.Fatalf("small limits gave a non-limit error: %v", serr)
		case serr == nil && len(ms) != len(m):
			t.Fatalf("small limits changed the members")
		}
	})
}

// checkFuzzError asserts that a non-nil error matches exactly one sentinel
// and that its message follows the error text rules.
func checkFuzzError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	matched := 0
	for _, s := range sentinels {
		if errors.Is(err, s) {
			matched++
		}
	}
	if matched != 1 {
		t.Fatalf("error %v matches %d sentinels", err, matched)
	}
	checkMessage(t, err.Error())
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
