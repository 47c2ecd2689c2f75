// Package strictjson is the strict front door for JSON request bodies: it
// validates a body in a single pass and hands back the top-level members of
// the object as raw JSON, with their exact-case names, so that callers decode
// each member they know about themselves.
//
// # Why it exists
//
// Registrar validates client metadata and then signs or stores what it
// validated. Any difference between the document a validator looked at and
// the document a later consumer reads is a validate-one-sign-another bug.
// encoding/json has several such differences:
//
//   - Duplicate member names are accepted and the last one silently wins.
//     RFC 8259 §4 says names SHOULD be unique and that the behaviour of
//     software receiving duplicates is unpredictable; other parsers keep the
//     first one, or reject the document.
//   - Decoding into a struct matches member names case-insensitively, so
//     "Redirect_URIs" fills the field meant for "redirect_uris".
//   - A Decoder stops after the first value and ignores whatever follows it.
//   - Invalid UTF-8 and unpaired surrogate escapes are replaced with U+FFFD
//     instead of being rejected, so two different inputs decode to the same
//     string.
//
// RFC 7493 (I-JSON) §2.1 requires UTF-8 and forbids unpaired surrogates,
// whether raw or escaped; §2.3 forbids duplicate names, compared after
// escapes are processed. RFC 8725 §3.7 requires JWT implementations to use
// UTF-8 and not to admit other encodings. This package applies those rules
// to every request body before anything else looks at it.
//
// # What it guarantees
//
// If Object or Valid returns a nil error, the input is exactly one JSON value
// (for Object, one object) per the RFC 8259 grammar, with only JSON
// whitespace around it, and additionally:
//
//   - there is no byte order mark;
//   - every string is valid UTF-8, contains no raw control character below
//     U+0020, uses only the escapes RFC 8259 defines, and every \u escape
//     for a surrogate is part of a high-then-low pair;
//   - no object, at any depth, has two members whose names are equal after
//     unescaping ("a" and "\u0061" are duplicates; "a" and "A" are not);
//   - nesting depth and the number of members in each object are within
//     Limits, enforced while scanning so that oversized input fails early;
//   - numbers match the RFC 8259 grammar exactly. They are not converted, so
//     out-of-range numbers such as 1e400 are accepted here and must be
//     range-checked by whoever decodes them.
//
// Anything Object or Valid accepts is also accepted by json.Valid. The
// reverse does not hold: json.Valid accepts duplicates, invalid UTF-8 and
// unpaired surrogates.
//
// The returned member values are the exact input bytes of each value
// (subslices of the input, not copies). The member names are fully
// unescaped, so a caller that looks up "client_name" finds it however the
// client spelled its escapes, and never finds "Client_Name".
//
// Not enforced: \u0000 escapes and Unicode noncharacters (which I-JSON §2.1
// also forbids) are accepted and left to callers, as is the I-JSON §2.2
// guidance on number precision.
//
// Errors wrap one of the exported sentinel errors (use errors.Is) and carry
// the byte offset of the problem. Their text is short and ASCII-only; a
// member name in a message is quoted with strconv.QuoteToASCII and truncated
// to 64 bytes.
package strictjson
