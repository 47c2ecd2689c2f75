package jose

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/registrar/registrar/internal/strictjson"
)

// ErrClaim reports a claim with the wrong JSON type or an impossible value.
var ErrClaim = errors.New("invalid claim")

// maxNumericDate bounds NumericDates to year 9999 so arithmetic cannot overflow.
const maxNumericDate = 253402300799

// NumericDate reads claim name as an RFC 7519 §2 NumericDate. ok is false when
// the claim is absent. A present value must be a JSON number in [1, year 9999].
func NumericDate(m strictjson.Members, name string) (t time.Time, ok bool, err error) {
	t, ok, bad := numericDate(m, name)
	if bad != "" {
		return time.Time{}, true, fmt.Errorf("%w: %s", ErrClaim, bad)
	}
	return t, ok, nil
}

// numericDate is NumericDate with the problem, if any, as a text.
func numericDate(m strictjson.Members, name string) (t time.Time, ok bool, bad string) {
	raw, present := m[name]
	if !present {
		return time.Time{}, false, ""
	}
	var f float64
	if len(raw) == 0 || !(raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') || json.Unmarshal(raw, &f) != nil {
		return time.Time{}, true, strconv.Quote(name) + " must be a number of seconds"
	}
	if math.IsNaN(f) || f < 1 || f > maxNumericDate {
		return time.Time{}, true, strconv.Quote(name) + " is out of range"
	}
	return time.Unix(int64(f), 0).UTC(), true, ""
}

// String reads claim name as a JSON string. ok is false when absent.
func String(m strictjson.Members, name string, maxLen int) (s string, ok bool, err error) {
	raw, present := m[name]
	if !present {
		return "", false, nil
	}
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", true, fmt.Errorf("%w: %q must be a string", ErrClaim, name)
	}
	if len(s) > maxLen {
		return "", true, fmt.Errorf("%w: %q is longer than %d bytes", ErrClaim, name, maxLen)
	}
	return s, true, nil
}

// Audience reads the RFC 7519 §4.1.3 aud claim: a string or an array of strings.
func Audience(m strictjson.Members) (aud []string, ok bool, err error) {
	raw, present := m["aud"]
	if !present {
		return nil, false, nil
	}
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return []string{s}, true, nil
		}
	}
	var elems []json.RawMessage
	if len(raw) > 0 && raw[0] == '[' && json.Unmarshal(raw, &elems) == nil && len(elems) > 0 {
		for _, e := range elems {
			var s string
			if len(e) == 0 || e[0] != '"' || json.Unmarshal(e, &s) != nil {
				return nil, true, fmt.Errorf("%w: \"aud\" must be a string or a non-empty array of strings", ErrClaim)
			}
			aud = append(aud, s)
		}
		return aud, true, nil
	}
	return nil, true, fmt.Errorf("%w: \"aud\" must be a string or a non-empty array of strings", ErrClaim)
}
