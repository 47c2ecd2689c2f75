// The human-readable members: client_name and its language variants,
// language tags, contacts, software_id and software_version, and the
// display URIs (client_uri, logo_uri, tos_uri, policy_uri and their
// variants) a consent screen shows.
//
// Spec basis: RFC 7591 §2 (client_name, client_uri, logo_uri, tos_uri,
// policy_uri, contacts, software_id, software_version), §2.2 (language
// tags), §5 (impersonation through display metadata); OIDC DCR 1.0 §2, §6
// (no normalisation); RFC 5646 §2.1 (tag syntax); internal/textrule
// (the characters that forge text).

package validate

import "github.com/registrar/registrar/pkg/metadata"

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/registrar/registrar/internal/uricheck"
)

// validateText checks the names and their language tags, contacts, scope
// (validate_scope.go) and the software identifiers, in that order.
func validateText(m *metadata.Metadata, p Policy, probs *metadata.Problems) {
	checkName(metadata.ClientName, m.ClientName, probs)
	if len(m.Localized) > MaxLocalized {
		meta(probs, "client_name#", fmt.Sprintf("at most %d language-tagged members", MaxLocalized))
	}
	tags := map[string]string{}
	for _, name := range m.LocalizedNames() {
		v := m.Localized[name]
		base, tag, _ := strings.Cut(name, "#")
		if !validLanguageTag(tag) {
			meta(probs, name, "invalid BCP 47 language tag")
			continue
		}
		key := base + "#" + strings.ToLower(tag)
		if other, dup := tags[key]; dup {
			meta(probs, name, "same language tag as "+other+" (tags are case-insensitive)")
			continue
		}
		tags[key] = name
		if base == metadata.ClientName {
			checkName(name, v, probs)
		}
	}
	if len(m.Contacts) > 10 {
		meta(probs, metadata.Contacts, "at most 10 contacts")
	} else {
		seen := map[string]bool{}
		for i, c := range m.Contacts {
			switch {
			case seen[strings.ToLower(c)]:
				meta(probs, at(metadata.Contacts, i), "duplicate contact")
			case !validEmail(c):
				meta(probs, at(metadata.Contacts, i), "must be an e-mail address")
			}
			seen[strings.ToLower(c)] = true
		}
	}
	if m.Scope != "" {
		checkScope(m.Scope, p, probs)
	}
	checkID(metadata.SoftwareID, m.SoftwareID, probs)
	checkID(metadata.SoftwareVersion, m.SoftwareVersion, probs)
}

// displayURI is a valid display URI (client_uri, logo_uri, tos_uri,
// policy_uri or a language variant) and its host.
type displayURI struct{ name, host string }

// validateURIs checks the display URIs and appends the valid ones to shown,
// in the order problems are reported.
func validateURIs(m *metadata.Metadata, probs *metadata.Problems, shown []displayURI) []displayURI {
	check := func(name, v string) {
		if v == "" {
			return
		}
		host, err := uricheck.HTTPSHost(v, uricheck.WebOptions{})
		if err != nil {
			meta(probs, name, err.Error())
			return
		}
		shown = append(shown, displayURI{name, host})
	}
	check(metadata.ClientURI, m.ClientURI)
	check(metadata.LogoURI, m.LogoURI)
	check(metadata.TOSURI, m.TOSURI)
	check(metadata.PolicyURI, m.PolicyURI)
	for _, name := range m.LocalizedNames() {
		if base, _, _ := strings.Cut(name, "#"); base != metadata.ClientName {
			check(name, m.Localized[name])
		}
	}
	return shown
}

// checkName bounds a display name and refuses characters that forge text:
// controls, bidirectional overrides, invisible separators.
func checkName(field, v string, probs *metadata.Problems) {
	if v == "" {
		return
	}
	if utf8.RuneCountInString(v) > MaxNameRunes {
		meta(probs, field, fmt.Sprintf("longer than %d characters", MaxNameRunes))
		return
	}
	if !plainText(v) {
		meta(probs, field, "contains control, bidirectional or invisible characters")
	}
}

// checkID bounds a software identifier and holds it to the display-name
// characters.
func checkID(field, v string, probs *metadata.Problems) {
	if v == "" {
		return
	}
	if len(v) > MaxIDBytes {
		meta(probs, field, fmt.Sprintf("longer than %d bytes", MaxIDBytes))
		return
	}
	if !plainText(v) {
		meta(probs, field, "contains control, bidirectional or invisible characters")
	}
}

// validLanguageTag checks the shape of a BCP 47 tag (RFC 5646 §2.1): subtags
// of 1-8 letters or digits separated by hyphens, the first alphabetic.
func validLanguageTag(tag string) bool {
	if tag == "" || len(tag) > MaxLanguageTagLen {
		return false
	}
	for i, sub := range strings.Split(tag, "-") {
		if len(sub) == 0 || len(sub) > 8 {
			return false
		}
		for j := 0; j < len(sub); j++ {
			c := sub[j]
			alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			digit := c >= '0' && c <= '9'
			if i == 0 && !alpha || !alpha && !digit {
				return false
			}
		}
	}
	return true
}
