package oauth

import "strings"

// Detailer is an error whose text is written for clients and which keeps
// more for the server's log: the cause of a failed outbound fetch (DNS
// failure, status code, TLS error, timeout), or the reason a client's keys
// could not be used. Detail may name hosts and addresses: it goes to the
// log, never into a response.
type Detailer interface {
	error
	Detail() string
}

// maxLogDetailNodes bounds the walk of one error tree.
const maxLogDetailNodes = 64

// LogDetail is err's text for the server's log: err.Error() followed, in
// parentheses, by the detail of every Detailer in its tree (through Unwrap)
// that the text leaves out. Clients get err's text, or less, never this.
func LogDetail(err error) string {
	if err == nil {
		return ""
	}
	text := err.Error()
	var details []string
	nodes := 0
	var walk func(e error)
	walk = func(e error) {
		if e == nil || nodes >= maxLogDetailNodes {
			return
		}
		nodes++
		if d, ok := e.(Detailer); ok {
			s := d.Detail()
			// A detail that repeats the error's own text, which the log
			// line already shows, is cut down to what it adds.
			if own := d.Error(); strings.Contains(text, own) {
				s = strings.TrimPrefix(s, own+": ")
			}
			if s != "" && !strings.Contains(text, s) && !contains(details, s) {
				details = append(details, s)
			}
			return // the detail covers what it wraps
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				walk(c)
			}
		}
	}
	walk(err)
	if len(details) == 0 {
		return text
	}
	return text + " (" + strings.Join(details, "; ") + ")"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
