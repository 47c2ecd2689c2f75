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

package metadata

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/registrar/registrar/internal/uricheck"
)

// validateText checks the names and their language tags, contacts, scope
// (validate_scope.go) and the software identifiers, in that order.
func (m *Metadata) validateText(p Policy, probs *Problems) {
	checkName(ClientName, m.ClientName, probs)
	if len(m.Localized) > MaxLocalized {
		probs.meta("client_name#", fmt.Sprintf("at most %d language-tagged members", MaxLocalized))
	}
	tags := map[string]string{}
	for _, name := range m.localizedNames() {
		v := m.Localized[name]
		base, tag, _ := strings.Cut(name, "#")
		if !validLanguageTag(tag) {
			probs.meta(name, "invalid BCP 47 language tag")
			continue
		}
		key := base + "#" + strings.ToLower(tag)
		if other, dup := tags[key]; dup {
			probs.meta(name, "same language tag as "+other+" (tags are case-insensitive)")
			continue
		}
		tags[key] = name
		if base == ClientName {
			checkName(name, v, probs)
		}
	}
	if len(m.Contacts) > 10 {
		probs.meta(Contacts, "at most 10 contacts")
	} else {
		seen := map[string]bool{}
		for i, c := range m.Contacts {
			switch {
			case seen[strings.ToLower(c)]:
				probs.meta(at(Contacts, i), "duplicate contact")
			case !validEmail(c):
				probs.meta(at(Contacts, i), "must be an e-mail address")
			}
			seen[strings.ToLower(c)] = true
		}
	}
	if m.Scope != "" {
		checkScope(m.Scope, p, probs)
	}
	checkID(SoftwareID, m.SoftwareID, probs)
	checkID(SoftwareVersion, m.SoftwareVersion, probs)
}

// displayURI is a valid display URI (client_uri, logo_uri, tos_uri,
// policy_uri or a language variant) and its host.
type displayURI struct{ name, host string }

// validateURIs checks the display URIs and appends the valid ones to shown,
// in the order problems are reported.
func (m *Metadata) validateURIs(probs *Problems, shown []displayURI) []displayURI {
	check := func(name, v string) {
		if v == "" {
			return
		}
		host, err := uricheck.HTTPSHost(v, uricheck.WebOptions{})
		if err != nil {
			probs.meta(name, err.Error())
			return
		}
		shown = append(shown, displayURI{name, host})
	}
	check(ClientURI, m.ClientURI)
	check(LogoURI, m.LogoURI)
	check(TOSURI, m.TOSURI)
	check(PolicyURI, m.PolicyURI)
	for _, name := range m.localizedNames() {
		if base, _, _ := strings.Cut(name, "#"); base != ClientName {
			check(name, m.Localized[name])
		}
	}
	return shown
}

// checkName bounds a display name and refuses characters that forge text:
// controls, bidirectional overrides, invisible separators.
func checkName(field, v string, probs *Problems) {
	if v == "" {
		return
	}
	if utf8.RuneCountInString(v) > MaxNameRunes {
		probs.meta(field, fmt.Sprintf("longer than %d characters", MaxNameRunes))
		return
	}
	if !plainText(v) {
		probs.meta(field, "contains control, bidirectional or invisible characters")
	}
}

// checkID bounds a software identifier and holds it to the display-name
// characters.
func checkID(field, v string, probs *Problems) {
	if v == "" {
		return
	}
	if len(v) > MaxIDBytes {
		probs.meta(field, fmt.Sprintf("longer than %d bytes", MaxIDBytes))
		return
	}
	if !plainText(v) {
		probs.meta(field, "contains control, bidirectional or invisible characters")
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
