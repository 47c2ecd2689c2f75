// The JSON writer: metadata as the members of a JSON object, in the full
// form of the registration response or the compact form of the client_id
// payload, and the size of each member for an oversized client_id. It
// writes without reflection or intermediate maps, into the caller's buffer.
//
// Spec basis: RFC 7591 §3.2.1 (the response carries every registered
// member); RFC 8259 §4 (objects).

package metadata

import (
	"sort"
	"strconv"
)

// Encoding selects how AppendJSON renders metadata.
type Encoding int

const (
	// Full writes every registered value, defaults and false booleans
	// included: the registration response (RFC 7591 §3.2.1).
	Full Encoding = iota
	// Compact omits members equal to their spec default and false
	// booleans: the client_id payload. Normalize restores them.
	Compact
)

// AppendJSON appends the metadata as the members of a JSON object, without
// the surrounding braces, each preceded by a comma except the first when
// first is true. Member order is fixed.
func (m *Metadata) AppendJSON(b []byte, first bool, enc Encoding) []byte {
	w := objWriter{b: b, first: first}
	for i := range fields {
		f := &fields[i]
		if enc == Compact && f.isDefault != nil && f.isDefault(m) {
			continue
		}
		m.appendField(&w, f, enc)
		if f.name == PolicyURI {
			for _, n := range m.LocalizedNames() {
				w.str(n, m.Localized[n])
			}
		}
	}
	return w.b
}

func (m *Metadata) appendField(w *objWriter, f *field, enc Encoding) {
	switch f.kind {
	case kString:
		w.str(f.name, *f.str(m))
	case kList:
		always := f.name == GrantTypes || f.name == ResponseTypes
		w.list(f.name, *f.list(m), always)
	case kBool:
		if v := *f.boolean(m); v || enc == Full {
			w.name(f.name)
			w.b = strconv.AppendBool(w.b, v)
		}
	case kInt:
		if v := *f.integer(m); v != nil {
			w.name(f.name)
			w.b = strconv.AppendInt(w.b, *v, 10)
		}
	case kJWKS:
		if len(m.JWKS) > 0 {
			w.name(JWKS)
			w.b = append(w.b, m.JWKS...)
		}
	}
}

// MemberSizes returns the encoded size of each registered member in the
// compact encoding, largest first, so that an oversized client_id can name
// what to shorten.
func (m *Metadata) MemberSizes() []MemberSize {
	var out []MemberSize
	for i := range fields {
		f := &fields[i]
		if f.isDefault != nil && f.isDefault(m) {
			continue
		}
		w := objWriter{first: true}
		m.appendField(&w, f, Compact)
		if len(w.b) > 0 {
			out = append(out, MemberSize{f.name, len(w.b)})
		}
	}
	for _, n := range m.LocalizedNames() {
		w := objWriter{first: true}
		w.str(n, m.Localized[n])
		out = append(out, MemberSize{n, len(w.b)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Bytes > out[j].Bytes })
	return out
}

// MemberSize is the encoded size of one member.
type MemberSize struct {
	Name  string
	Bytes int
}

type objWriter struct {
	b     []byte
	first bool
}

func (w *objWriter) name(n string) {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.b = AppendString(w.b, n)
	w.b = append(w.b, ':')
}

func (w *objWriter) str(n, v string) {
	if v == "" {
		return
	}
	w.name(n)
	w.b = AppendString(w.b, v)
}

func (w *objWriter) list(n string, v []string, always bool) {
	if v == nil && !always {
		return
	}
	w.name(n)
	w.b = append(w.b, '[')
	for i, s := range v {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = AppendString(w.b, s)
	}
	w.b = append(w.b, ']')
}
