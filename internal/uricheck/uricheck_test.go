package uricheck

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

var sentinels = []error{
	ErrTooLong, ErrNotAbsolute, ErrControlChar, ErrSyntax, ErrFragment,
	ErrWildcard, ErrForbiddenScheme, ErrScheme, ErrUserinfo, ErrHost, ErrPort,
	ErrPath, ErrLocalhost, ErrHTTP, ErrPrivateScheme, ErrAppType, ErrNormalForm,
}

var (
	web         = RedirectOptions{App: Web}
	webImplicit = RedirectOptions{App: Web, Implicit: true}
	webLoopback = RedirectOptions{App: Web, AllowWebHTTPLoopback: true}
	native      = RedirectOptions{App: Native}
)

type redirectCase struct {
	name string
	raw  string
	o    RedirectOptions
	want error // nil means accepted
}

var redirectCases = []redirectCase{
	// Accepted.
	{"https plain", "https://client.example.org/cb", web, nil},
	{"https path and query case kept", "https://client.example.org/CB?X=Y", web, nil},
	{"https no path", "https://client.example.org", web, nil},
	{"https query only", "https://client.example.org?x=1", web, nil},
	{"https empty query", "https://client.example.org/cb?", web, nil},
	{"https query with encoded hash", "https://client.example.org/cb?a=%23&b=c%2Fd", web, nil},
	{"https port", "https://client.example.org:8443/cb", web, nil},
	{"https port 1", "https://client.example.org:1/cb", web, nil},
	{"https port 65535", "https://client.example.org:65535/cb", web, nil},
	{"https single label", "https://intranet/cb", web, nil},
	{"https ipv4", "https://192.0.2.1/cb", web, nil},
	{"https ipv6", "https://[2001:db8::1]:8443/cb", web, nil},
	{"https a-label", "https://xn--bcher-kva.example/cb", web, nil},
	{"https 63 char label", "https://" + strings.Repeat("a", 63) + ".example/cb", web, nil},
	{"https digits in first label", "https://127.example/cb", web, nil},
	{"https hyphen inside label", "https://a-b.example/cb", web, nil},
	{"https sub-delims in path", "https://a.example/p;x=1/!$&'()+,=:@~_", web, nil},
	{"https dots inside segment", "https://a.example/a..b/.c/d./cb", web, nil},
	{"https encoded slash", "https://a.example/a%2Fb", web, nil},
	{"https reserved characters percent-encoded", "https://a.example/a%2Fb?x=%3D%26%23", web, nil},
	{"https encoded space and percent", "https://a.example/a%20b?x=%25", web, nil},
	{"https encoded UTF-8 letters", "https://a.example/caf%C3%A9?q=%E5%90%8D", web, nil},
	{"https encoded emoji", "https://a.example/%F0%9F%98%80", web, nil},
	{"https encoded zero-width joiner", "https://a.example/a%E2%80%8Db", web, nil},
	{"https encoded no-break space", "https://a.example/a%C2%A0b", web, nil},
	{"https localhost non-implicit", "https://localhost/cb", web, nil},
	{"https exactly max length", "https://a.example/" + strings.Repeat("a", 2048-len("https://a.example/")), web, nil},
	{"web http loopback allowed ipv4", "http://127.0.0.1:8080/cb", webLoopback, nil},
	{"web http loopback allowed ipv6", "http://[::1]:8080/cb", webLoopback, nil},
	{"web http loopback allowed localhost", "http://localhost:8080/cb", webLoopback, nil},
	{"native private-use single slash", "com.example.app:/cb", native, nil},
	{"native private-use double slash", "com.example.app://cb", native, nil},
	{"native private-use empty host", "com.example.app:///cb", native, nil},
	{"native private-use query", "com.example.app:/cb?x=1", native, nil},
	{"native private-use mixed chars", "com.example-1.app+x:/cb", native, nil},
	{"native private-use rootless", "com.example.app:cb", native, nil},
	{"native http 127.0.0.1 port", "http://127.0.0.1:51004/cb", native, nil},
	{"native http 127.0.0.1 no port", "http://127.0.0.1/cb", native, nil},
	{"native http ::1", "http://[::1]/cb", native, nil},
	{"native http ::1 port", "http://[::1]:51004/cb", native, nil},
	{"native http localhost", "http://localhost/cb", native, nil},
	{"native http localhost port", "http://localhost:51004/cb", native, nil},
	{"native claimed https", "https://app.example.com/oauth2redirect", native, nil},

	// ErrTooLong.
	{"too long", "https://a.example/" + strings.Repeat("a", 2049-len("https://a.example/")), web, ErrTooLong},
	{"10 KiB", "https://a.example/" + strings.Repeat("a", 10<<10), web, ErrTooLong},
	{"custom max length", "https://a.example/cb", RedirectOptions{MaxLength: 10}, ErrTooLong},

	// ErrControlChar.
	{"leading space", " https://a.example/cb", web, ErrControlChar},
	{"inner space", "https://a.example/c b", web, ErrControlChar},
	{"trailing newline", "https://a.example/cb\n", web, ErrControlChar},
	{"tab", "https://a.example/\tcb", web, ErrControlChar},
	{"tab in scheme", "java\tscript:alert(1)", web, ErrControlChar},
	{"crlf", "https://a.example/cb\r\nLocation: x", web, ErrControlChar},
	{"nul", "https://a.example/cb\x00", web, ErrControlChar},
	{"del", "https://a.example/cb\x7f", web, ErrControlChar},
	{"non-ascii host", "https://bücher.example/", web, ErrControlChar},
	{"non-ascii path", "https://a.example/ü", web, ErrControlChar},
	{"invalid utf8", "https://a.example/\xff", web, ErrControlChar},
	{"backslash authority", `https:\\evil.example\cb`, web, ErrControlChar},
	{"backslash path", `https://a.example\@evil.example/`, web, ErrControlChar},
	{"double quote", `https://a.example/"`, web, ErrControlChar},
	{"angle brackets", "https://a.example/<script>", web, ErrControlChar},
	{"braces", "https://a.example/{x}", web, ErrControlChar},
	{"pipe", "https://a.example/a|b", web, ErrControlChar},
	{"caret", "https://a.example/a^b", web, ErrControlChar},
	{"backtick", "https://a.example/a`b", web, ErrControlChar},

	// ErrControlChar: percent-encoded controls, bidirectional controls and
	// invisible characters, anywhere after the scheme.
	{"encoded nul in path", "https://client.example.org/cb%00", web, ErrControlChar},
	{"encoded nul in query", "https://client.example.org/cb?x=%00", web, ErrControlChar},
	{"encoded crlf in query", "https://client.example.org/cb?x=%0D%0ALocation:%20evil", web, ErrControlChar},
	{"encoded tab", "https://client.example.org/c%09b", web, ErrControlChar},
	{"encoded unit separator", "https://client.example.org/c%1Fb", web, ErrControlChar},
	{"encoded del", "https://client.example.org/cb%7F", web, ErrControlChar},
	{"encoded C1 first", "https://client.example.org/cb%C2%80", web, ErrControlChar},
	{"encoded C1 next line", "https://client.example.org/cb%C2%85", web, ErrControlChar},
	{"encoded C1 last", "https://client.example.org/cb%C2%9F", web, ErrControlChar},
	{"encoded right-to-left override", "https://client.example.org/%E2%80%AEgpj.exe", web, ErrControlChar},
	{"encoded left-to-right embedding", "https://client.example.org/%E2%80%AA", web, ErrControlChar},
	{"encoded left-to-right mark", "https://client.example.org/%E2%80%8E", web, ErrControlChar},
	{"encoded right-to-left mark", "https://client.example.org/%E2%80%8F", web, ErrControlChar},
	{"encoded left-to-right isolate", "https://client.example.org/%E2%81%A6", web, ErrControlChar},
	{"encoded pop directional isolate", "https://client.example.org/%E2%81%A9", web, ErrControlChar},
	{"encoded arabic letter mark", "https://client.example.org/%D8%9C", web, ErrControlChar},
	{"encoded zero-width space", "https://client.example.org/a%E2%80%8Bb", web, ErrControlChar},
	{"encoded byte order mark", "https://client.example.org/%EF%BB%BFcb", web, ErrControlChar},
	{"encoded line separator", "https://client.example.org/cb?x=%E2%80%A8", web, ErrControlChar},
	{"encoded soft hyphen", "https://client.example.org/c%C2%ADb", web, ErrControlChar},
	{"encoded replacement character", "https://client.example.org/%EF%BF%BD", web, ErrControlChar},
	{"encoded nul private-use", "com.example.app:/cb%00", native, ErrControlChar},
	{"encoded override native loopback query", "http://127.0.0.1/cb?x=%E2%80%AE", native, ErrControlChar},

	// ErrNotAbsolute.
	{"empty", "", web, ErrNotAbsolute},
	{"relative path", "/cb", web, ErrNotAbsolute},
	{"network-path reference", "//evil.example/cb", web, ErrNotAbsolute},
	{"no scheme", "client.example.org/cb", web, ErrNotAbsolute},
	{"empty scheme", "://a.example/cb", web, ErrNotAbsolute},
	{"scheme starts with digit", "1https://a.example/cb", web, ErrNotAbsolute},
	{"scheme bad char", "ht_tp://a.example/cb", web, ErrNotAbsolute},
	{"opaque https", "https:evil.example", web, ErrNotAbsolute},
	{"https single slash", "https:/x", web, ErrNotAbsolute},
	{"https nothing", "https:", web, ErrNotAbsolute},
	{"opaque http native", "http:127.0.0.1/cb", native, ErrNotAbsolute},

	// ErrFragment.
	{"fragment", "https://a.example/cb#x", web, ErrFragment},
	{"empty fragment", "https://a.example/cb#", web, ErrFragment},
	{"fragment after query", "https://a.example/cb?x=1#", web, ErrFragment},
	{"fragment native", "com.example.app:/cb#x", native, ErrFragment},

	// ErrWildcard.
	{"wildcard host", "https://*.example.com/cb", web, ErrWildcard},
	{"wildcard path", "https://legit.example/*", web, ErrWildcard},
	{"wildcard query", "https://legit.example/cb?x=*", web, ErrWildcard},
	{"wildcard scheme", "com.example.*:/cb", native, ErrWildcard},

	// ErrForbiddenScheme, in any letter case, for every application type.
	{"javascript mixed case", "JaVaScRiPt:alert(1)", web, ErrForbiddenScheme},
	{"javascript native", "javascript:alert(1)", native, ErrForbiddenScheme},
	{"javascript slashes", "javascript://a.example/%0Aalert(1)", web, ErrForbiddenScheme},
	{"data", "data:text/html,x", web, ErrForbiddenScheme},
	{"data native", "DATA:text/html,x", native, ErrForbiddenScheme},
	{"vbscript", "vbscript:msgbox(1)", web, ErrForbiddenScheme},
	{"file", "file:///etc/passwd", native, ErrForbiddenScheme},
	{"about", "about:blank", web, ErrForbiddenScheme},
	{"blob", "blob:https://a.example/uuid", web, ErrForbiddenScheme},
	{"filesystem", "filesystem:https://a.example/temporary/x", web, ErrForbiddenScheme},
	{"ws", "ws://a.example/cb", web, ErrForbiddenScheme},
	{"wss", "WSS://a.example/cb", native, ErrForbiddenScheme},
	{"ftp", "ftp://a.example/cb", web, ErrForbiddenScheme},

	// ErrNormalForm: scheme and host are case-insensitive, so only lowercase is
	// accepted (one spelling per URI).
	{"upper scheme", "HTTPS://client.example.org/cb", web, ErrNormalForm},
	{"mixed case scheme", "Https://client.example.org/cb", web, ErrNormalForm},
	{"upper scheme native loopback", "HTTP://127.0.0.1/cb", native, ErrNormalForm},
	{"upper private-use scheme", "Com.Example.App:/cb", native, ErrNormalForm},
	{"mixed case host kept (OIDC-02)", "https://Client.Example.org/cb?x=1", web, nil},
	{"upper a-label", "https://XN--BCHER-KVA.example/cb", web, ErrNormalForm},
	{"upper a-label prefix", "https://XN--bcher-kva.example/cb", web, ErrNormalForm},
	{"upper a-label body", "https://xn--BCHER-kva.example/cb", web, ErrNormalForm},
	{"ipv6 upper hex", "https://[2001:DB8::1]/cb", web, ErrNormalForm},
	{"lowercase hex in path", "https://client.example.org/a%2fb", web, ErrNormalForm},
	{"lowercase hex in query", "https://client.example.org/cb?x=%3d", web, ErrNormalForm},
	{"lowercase hex of an encoded override", "https://client.example.org/%e2%80%ae", web, ErrNormalForm},
	{"encoded letter", "https://client.example.org/%41", web, ErrNormalForm},
	{"encoded digit", "https://client.example.org/cb?x=%31", web, ErrNormalForm},
	{"encoded tilde", "https://client.example.org/%7Euser/cb", web, ErrNormalForm},
	{"encoded hyphen", "https://client.example.org/a%2Db", web, ErrNormalForm},
	{"encoded underscore", "https://client.example.org/a%5Fb", web, ErrNormalForm},
	{"encoded dot in query", "https://client.example.org/cb?f=a%2Ehtml", web, ErrNormalForm},
	{"encoded letter private-use", "com.example.app:/c%62", native, ErrNormalForm},
	{"upper host private-use authority kept", "com.example.app://Host/cb", native, nil},

	// ErrUserinfo.
	{"userinfo host confusion", "https://legit.example@evil.example/cb", web, ErrUserinfo},
	{"userinfo encoded slash", "https://evil.example%2f@legit.example/cb", web, ErrUserinfo},
	{"userinfo user pass", "https://user:pass@legit.example/cb", web, ErrUserinfo},
	{"userinfo empty", "https://@legit.example/cb", web, ErrUserinfo},
	{"userinfo native loopback", "http://evil.example@127.0.0.1/cb", native, ErrUserinfo},
	{"userinfo private-use", "com.example.app://user@cb", native, ErrUserinfo},

	// ErrHost.
	{"empty host", "https:///cb", web, ErrHost},
	{"empty host with port", "https://:443/cb", web, ErrHost},
	{"four slashes", "https:////evil.example/cb", web, ErrHost},
	{"trailing dot", "https://client.example.org./cb", web, ErrHost},
	{"empty label", "https://client..example/cb", web, ErrHost},
	{"leading dot", "https://.client.example/cb", web, ErrHost},
	{"label leading hyphen", "https://-a.example/cb", web, ErrHost},
	{"label trailing hyphen", "https://a-.example/cb", web, ErrHost},
	{"label too long", "https://" + strings.Repeat("a", 64) + ".example/cb", web, ErrHost},
	{"host too long", "https://" + strings.Repeat("a.", 127) + "example/cb", web, ErrHost},
	{"underscore", "https://a_b.example/cb", web, ErrHost},
	{"sub-delim in host", "https://a!b.example/cb", web, ErrHost},
	{"percent-encoded host", "https://%61.example/cb", web, ErrHost},
	{"invalid a-label", "https://xn--zz.example/", web, ErrHost},
	{"empty a-label", "https://xn--.example/", web, ErrHost},
	{"ascii-only a-label", "https://xn--abc-.example/", web, ErrHost},
	{"a-label disallowed code point", "https://xn--a.example/", web, ErrHost},
	{"ipv4 short", "http://127.1/cb", native, ErrHost},
	{"ipv4 hex", "http://0x7f.0.0.1/cb", native, ErrHost},
	{"ipv4 hex last", "https://a.0x7f/cb", web, ErrHost},
	{"ipv4 octal", "http://0177.0.0.1/cb", native, ErrHost},
	{"ipv4 leading zero", "https://192.0.2.01/cb", web, ErrHost},
	{"ipv4 decimal", "http://2130706433/cb", native, ErrHost},
	{"ipv4 five parts", "https://1.2.3.4.5/cb", web, ErrHost},
	{"ipv4 out of range", "https://256.0.0.1/cb", web, ErrHost},
	{"numeric tld", "https://client.example.123/cb", web, ErrHost},
	{"ipv6 zone", "https://[fe80::1%25eth0]/cb", web, ErrHost},
	{"ipv6 zone native loopback", "http://[::1%25lo]/cb", native, ErrHost},
	{"ipv6 mapped", "https://[::ffff:127.0.0.1]/cb", web, ErrHost},
	{"ipv6 mapped hex", "http://[::ffff:7f00:1]/cb", native, ErrHost},
	{"ipv6 non-canonical", "http://[0:0:0:0:0:0:0:1]/cb", native, ErrHost},
	{"ipv6 compatible dotted", "https://[::1.2.3.4]/cb", web, ErrHost},
	{"ipv6 leading zeros", "https://[2001:0db8::1]/cb", web, ErrHost},
	{"ipv6 unclosed", "https://[::1/cb", web, ErrHost},
	{"ipv6 junk after", "https://[::1]x/cb", web, ErrHost},
	{"ipv4 in brackets", "https://[127.0.0.1]/cb", web, ErrHost},
	{"ipvfuture", "https://[v1.x]/cb", web, ErrHost},
	{"unbracketed ipv6", "https://::1/cb", web, ErrHost},
	{"private-use bad host", "com.example.app://a_b/cb", native, ErrHost},
	{"private-use empty authority and path", "com.example.app://", native, ErrHost},
	{"private-use empty authority and path with query", "com.example.app://?x=1", native, ErrHost},
	{"https empty authority and path", "https://", web, ErrHost},

	// ErrPort.
	{"port 0", "https://a.example:0/cb", web, ErrPort},
	{"port 99999", "https://a.example:99999/cb", web, ErrPort},
	{"port 65536", "https://a.example:65536/cb", web, ErrPort},
	{"port leading zero", "https://a.example:080/cb", web, ErrPort},
	{"port empty", "https://a.example:/cb", web, ErrPort},
	{"port letters", "https://a.example:http/cb", web, ErrPort},
	{"port two colons", "https://a.example:80:80/cb", web, ErrHost},
	{"port huge", "https://a.example:99999999999999999999999/cb", web, ErrPort},
	{"port sign", "https://a.example:+443/cb", web, ErrPort},
	{"ipv6 port 0", "http://[::1]:0/cb", native, ErrPort},

	// ErrPath.
	{"encoded dot-dot", "https://a.example/%2e%2e/evil", web, ErrPath},
	{"encoded dot upper", "https://a.example/cb/%2E%2E", web, ErrPath},
	{"half encoded dot-dot", "https://a.example/.%2e/evil", web, ErrPath},
	{"encoded dot in name", "https://a.example/cb%2ehtml", web, ErrPath},
	{"dot-dot", "https://a.example/cb/../evil", web, ErrPath},
	{"dot-dot end", "https://a.example/cb/..", web, ErrPath},
	{"dot", "https://a.example/./cb", web, ErrPath},
	{"dot end", "https://a.example/cb/.", web, ErrPath},
	{"dot-dot private-use", "com.example.app:/../cb", native, ErrPath},
	{"dot-dot rootless", "com.example.app:..", native, ErrPath},
	{"dot after encoded slash", "https://a.example/%2F.", web, ErrPath},
	{"dot-dot between encoded slashes", "https://a.example/a%2f..%2fb", web, ErrPath},
	{"dot-dot after encoded backslash", "https://a.example/a%5C..", web, ErrPath},
	{"encoded slash then name", "https://a.example/a%2F.b", web, nil},

	// ErrSyntax.
	{"bad percent", "https://a.example/%zz", web, ErrSyntax},
	{"truncated percent", "https://a.example/cb%2", web, ErrSyntax},
	{"percent at end", "https://a.example/cb?x=%", web, ErrSyntax},
	{"bracket in path", "https://a.example/[x]", web, ErrSyntax},
	{"bracket in query", "https://a.example/cb?a[]=1", web, ErrSyntax},
	{"bracket in reg-name", "https://a[b]/cb", web, ErrSyntax},
	{"encoded overlong nul", "https://a.example/cb%C0%80", web, ErrSyntax},
	{"encoded byte that is never UTF-8", "https://a.example/cb%FF", web, ErrSyntax},
	{"encoded lone continuation byte", "https://a.example/cb%80", web, ErrSyntax},
	{"encoded truncated sequence", "https://a.example/cb%E2%80", web, ErrSyntax},
	{"encoded sequence split by a literal", "https://a.example/cb%E2%80x%AE", web, ErrSyntax},
	{"encoded surrogate", "https://a.example/cb%ED%A0%80", web, ErrSyntax},
	{"encoded above U+10FFFF", "https://a.example/cb%F4%90%80%80", web, ErrSyntax},

	// Web application type.
	{"web http", "http://client.example.org/cb", web, ErrHTTP},
	{"web http loopback default", "http://127.0.0.1:8080/cb", web, ErrHTTP},
	{"web http localhost default", "http://localhost/cb", web, ErrHTTP},
	{"web http non-loopback with policy", "http://client.example.org/cb", webLoopback, ErrHTTP},
	{"web http 127.0.0.2 with policy", "http://127.0.0.2/cb", webLoopback, ErrHTTP},
	{"web http LOCALHOST with policy", "http://LOCALHOST/cb", webLoopback, ErrHTTP},
	{"web custom scheme", "com.example.app:/cb", web, ErrScheme},
	{"web myapp", "myapp://cb", web, ErrScheme},
	{"web mailto", "mailto:a@example.org", web, ErrScheme},
	{"web implicit http", "http://client.example.org/cb", webImplicit, ErrHTTP},
	{"web implicit http loopback with policy", "http://127.0.0.1/cb", RedirectOptions{App: Web, Implicit: true, AllowWebHTTPLoopback: true}, ErrLocalhost},
	{"web implicit https localhost", "https://localhost/cb", webImplicit, ErrLocalhost},
	{"web implicit https LocalHost", "https://LocalHost/cb", webImplicit, ErrLocalhost},
	{"web implicit https sub.localhost", "https://app.localhost/cb", webImplicit, ErrLocalhost},
	{"web implicit https 127.0.0.1", "https://127.0.0.1/cb", webImplicit, ErrLocalhost},
	{"web implicit https 127.9.9.9", "https://127.9.9.9/cb", webImplicit, ErrLocalhost},
	{"web implicit https ::1", "https://[::1]/cb", webImplicit, ErrLocalhost},
	{"web implicit https ok", "https://client.example.org/cb", webImplicit, nil},

	// Native application type.
	{"native http non-loopback", "http://client.example.org/cb", native, ErrHTTP},
	{"native http 127.0.0.2", "http://127.0.0.2/cb", native, ErrHTTP},
	{"native http LOCALHOST", "http://LOCALHOST/cb", native, ErrHTTP},
	{"native http localhost.example", "http://localhost.example/cb", native, ErrHTTP},
	{"native http private ip", "http://192.168.0.1/cb", native, ErrHTTP},
	{"native myapp", "myapp://cb", native, ErrPrivateScheme},
	{"native myapp single slash", "myapp:/cb", native, ErrPrivateScheme},
	{"native leading dot scheme", ".example.app:/cb", native, ErrNotAbsolute},
	{"native trailing dot scheme", "com.example.:/cb", native, ErrPrivateScheme},
	{"native empty part scheme", "com..example:/cb", native, ErrPrivateScheme},
	{"native mailto", "mailto:a@example.org", native, ErrPrivateScheme},
	{"native https localhost", "https://localhost/cb", native, ErrLocalhost},
	{"native https localhost port", "https://localhost:8443/cb", native, ErrLocalhost},
	{"native https sub.localhost", "https://app.localhost/cb", native, ErrLocalhost},
	{"native https 127.0.0.1", "https://127.0.0.1:8443/cb", native, ErrLocalhost},
	{"native https 127.9.9.9", "https://127.9.9.9/cb", native, ErrLocalhost},
	{"native https ::1", "https://[::1]/cb", native, ErrLocalhost},
	{"native implicit flag ignored", "http://127.0.0.1/cb", RedirectOptions{App: Native, Implicit: true}, nil},

	// Options.
	{"unknown app type", "https://client.example.org/cb", RedirectOptions{App: AppType(7)}, ErrAppType},
}

func TestRedirect(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range redirectCases {
		if seen[tc.name] {
			t.Fatalf("duplicate test name %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			err := Redirect(tc.raw, tc.o)
			checkResult(t, tc.raw, err, tc.want, false)
		})
	}
}

type httpsCase struct {
	name string
	raw  string
	o    WebOptions
	want error
}

var httpsCases = []httpsCase{
	{"plain", "https://client.example.org/logo.png", WebOptions{}, nil},
	{"query", "https://client.example.org/jwks?v=2", WebOptions{}, nil},
	{"a-label", "https://xn--bcher-kva.example/tos", WebOptions{}, nil},
	{"request_uri fragment allowed", "https://client.example.org/r/abc#d0a5f3", WebOptions{AllowFragment: true}, nil},
	{"loopback allowed", "http://127.0.0.1:8080/jwks", WebOptions{AllowHTTPLoopback: true}, nil},
	{"loopback localhost allowed", "http://localhost/jwks", WebOptions{AllowHTTPLoopback: true}, nil},
	{"https localhost", "https://localhost/jwks", WebOptions{}, nil},

	{"fragment not allowed", "https://client.example.org/r#x", WebOptions{}, ErrFragment},
	{"bare hash not allowed", "https://client.example.org/r#", WebOptions{}, ErrFragment},
	{"empty fragment", "https://client.example.org/r#", WebOptions{AllowFragment: true}, ErrFragment},
	{"two hashes", "https://client.example.org/r#a#b", WebOptions{AllowFragment: true}, ErrFragment},
	{"wildcard in fragment", "https://client.example.org/r#*", WebOptions{AllowFragment: true}, ErrWildcard},
	{"bad percent in fragment", "https://client.example.org/r#%zz", WebOptions{AllowFragment: true}, ErrSyntax},
	{"bracket in fragment", "https://client.example.org/r#[x]", WebOptions{AllowFragment: true}, ErrSyntax},
	{"space in fragment", "https://client.example.org/r#a b", WebOptions{AllowFragment: true}, ErrControlChar},
	{"http", "http://client.example.org/jwks", WebOptions{}, ErrHTTP},
	{"http loopback not allowed", "http://127.0.0.1/jwks", WebOptions{}, ErrHTTP},
	{"http non-loopback with policy", "http://client.example.org/jwks", WebOptions{AllowHTTPLoopback: true}, ErrHTTP},
	{"custom scheme", "com.example.app:/x", WebOptions{}, ErrScheme},
	{"urn", "urn:ietf:params:x", WebOptions{}, ErrScheme},
	{"javascript", "JAVASCRIPT:alert(1)", WebOptions{}, ErrForbiddenScheme},
	{"data", "data:image/png;base64,AAAA", WebOptions{}, ErrForbiddenScheme},
	{"relative", "/logo.png", WebOptions{}, ErrNotAbsolute},
	{"opaque", "https:client.example.org", WebOptions{}, ErrNotAbsolute},
	{"userinfo", "https://user@client.example.org/", WebOptions{}, ErrUserinfo},
	{"userinfo encoded", "https://a%40b@client.example.org/", WebOptions{}, ErrUserinfo},
	{"trailing dot", "https://client.example.org./", WebOptions{}, ErrHost},
	{"non-canonical ipv4", "https://10.1/", WebOptions{}, ErrHost},
	{"ipv6 zone", "https://[fe80::1%25eth0]/", WebOptions{}, ErrHost},
	{"port 0", "https://client.example.org:0/", WebOptions{}, ErrPort},
	{"dot-dot", "https://client.example.org/a/../b", WebOptions{}, ErrPath},
	{"too long", "https://a.example/" + strings.Repeat("a", 100), WebOptions{MaxLength: 64}, ErrTooLong},
	{"control", "https://a.example/\r\n", WebOptions{}, ErrControlChar},
	{"wildcard", "https://*.example/", WebOptions{}, ErrWildcard},
	{"upper scheme", "HTTPS://client.example.org/jwks", WebOptions{}, ErrNormalForm},
	{"upper scheme loopback", "HTTP://127.0.0.1/jwks", WebOptions{AllowHTTPLoopback: true}, ErrNormalForm},
	{"upper host kept", "https://Client.example.org/jwks", WebOptions{}, nil},
	{"upper a-label", "https://XN--BCHER-KVA.example/tos", WebOptions{}, ErrNormalForm},
	{"encoded nul", "https://client.example.org/jwks%00", WebOptions{}, ErrControlChar},
	{"encoded override in query", "https://client.example.org/tos?l=%E2%80%AE", WebOptions{}, ErrControlChar},
	{"encoded override in fragment", "https://client.example.org/r#%E2%80%AE", WebOptions{AllowFragment: true}, ErrControlChar},
	{"encoded overlong nul", "https://client.example.org/jwks%C0%80", WebOptions{}, ErrSyntax},
	{"lowercase hex", "https://client.example.org/jwks?v=%2f", WebOptions{}, ErrNormalForm},
	{"encoded letter in fragment", "https://client.example.org/r#%61", WebOptions{AllowFragment: true}, ErrNormalForm},
}

func TestHTTPS(t *testing.T) {
	for _, tc := range httpsCases {
		t.Run(tc.name, func(t *testing.T) {
			checkResult(t, tc.raw, HTTPS(tc.raw, tc.o), tc.want, tc.o.AllowFragment)
		})
	}
}

// checkResult asserts err against want and the properties every error and
// every accepted value must have.
func checkResult(t *testing.T, raw string, err, want error, fragmentAllowed bool) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("rejected: %v", err)
		}
		if fragmentAllowed {
			raw, _, _ = strings.Cut(raw, "#")
		}
		assertAcceptedInvariants(t, raw)
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
	assertErrorShape(t, raw, err)
}

func assertErrorShape(t *testing.T, raw string, err error) {
	t.Helper()
	n := 0
	for _, s := range sentinels {
		if errors.Is(err, s) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("error %q matches %d sentinels, want 1", err, n)
	}
	msg := err.Error()
	if msg == "" || len(msg) > 100 {
		t.Errorf("error text length %d", len(msg))
	}
	for i := 0; i < len(msg); i++ {
		if c := msg[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			t.Errorf("error text has byte %#x", c)
		}
	}
	if len(raw) >= 6 && strings.Contains(msg, raw) {
		t.Errorf("error text contains the input")
	}
}

func assertAcceptedInvariants(t testing.TB, raw string) {
	t.Helper()
	if strings.ContainsAny(raw, "#*\\") {
		t.Fatalf("accepted value with # * or backslash: %q", raw)
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] < 0x21 || raw[i] > 0x7e {
			t.Fatalf("accepted value with byte %#x: %q", raw[i], raw)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("accepted value net/url rejects: %q: %v", raw, err)
	}
	if !u.IsAbs() || u.User != nil {
		t.Fatalf("accepted value not absolute or with userinfo: %q", raw)
	}
	if s := strings.ToLower(u.Scheme); s == "http" || s == "https" {
		if u.Host == "" || u.Hostname() == "" {
			t.Fatalf("accepted http(s) value without host: %q", raw)
		}
	}
	// One spelling: the scheme, A-labels and IPv6 literals in lowercase
	// (net/url lowercases the scheme it returns, so the raw prefix is
	// checked); ASCII host names keep the client's case (OIDC-02).
	if scheme := raw[:len(u.Scheme)]; scheme != strings.ToLower(scheme) {
		t.Fatalf("accepted upper-case scheme: %q", raw)
	}
	h := u.Hostname()
	for _, label := range strings.Split(h, ".") {
		if strings.HasPrefix(strings.ToLower(label), "xn--") && label != strings.ToLower(label) {
			t.Fatalf("accepted upper-case A-label: %q", raw)
		}
	}
	if strings.Contains(h, ":") && h != strings.ToLower(h) {
		t.Fatalf("accepted upper-case IPv6 literal: %q", raw)
	}
	// Percent-encodings are in normal form: upper-case hex, never an
	// unreserved character (RFC 3986 §6.2.2.1, §6.2.2.2).
	for i := 0; i+2 < len(raw); i++ {
		if raw[i] != '%' {
			continue
		}
		hex := raw[i+1 : i+3]
		if hex != strings.ToUpper(hex) {
			t.Fatalf("accepted lower-case percent-encoding: %q", raw)
		}
		if c, _ := url.PathUnescape(raw[i : i+3]); strings.ContainsAny(c, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~") {
			t.Fatalf("accepted percent-encoded unreserved character: %q", raw)
		}
	}
	// Decoded, the value is UTF-8 without controls, bidirectional controls
	// or the commonest invisible characters (an oracle independent of
	// package textrule: Unicode's own property tables).
	decoded, err := url.PathUnescape(raw)
	if err != nil || !utf8.ValidString(decoded) {
		t.Fatalf("accepted value that does not decode to UTF-8: %q", raw)
	}
	for _, r := range decoded {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == 0x200B || r == 0xFEFF {
			t.Fatalf("accepted value that decodes to %U: %q", r, raw)
		}
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1":         true,
		"::1":               true,
		"localhost":         true,
		"":                  false,
		"127.0.0.2":         false,
		"127.1":             false,
		"[::1]":             false,
		"0:0:0:0:0:0:0:1":   false,
		"::ffff:127.0.0.1":  false,
		"LOCALHOST":         false,
		"Localhost":         false,
		"localhost.":        false,
		"app.localhost":     false,
		"localhost.example": false,
		"0.0.0.0":           false,
	} {
		if got := IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestHostFromURLHostname checks that the host Redirect tests for loopback is
// the one net/url reports, for the accepted loopback forms.
func TestHostFromURLHostname(t *testing.T) {
	for _, raw := range []string{"http://127.0.0.1:51004/cb", "http://[::1]/cb", "http://localhost/cb"} {
		u, err := url.Parse(raw)
		if err != nil || !IsLoopbackHost(u.Hostname()) {
			t.Errorf("%s: Hostname %q not loopback (%v)", raw, u.Hostname(), err)
		}
		if err := Redirect(raw, native); err != nil {
			t.Errorf("%s: %v", raw, err)
		}
	}
}

func TestDefaultMaxLength(t *testing.T) {
	long := "https://a.example/" + strings.Repeat("a", DefaultMaxLength-len("https://a.example/"))
	if err := Redirect(long, RedirectOptions{MaxLength: -1}); err != nil {
		t.Fatalf("negative MaxLength: %v", err)
	}
	if err := HTTPS(long+"a", WebOptions{}); !errors.Is(err, ErrTooLong) {
		t.Fatalf("got %v, want ErrTooLong", err)
	}
	if err := Redirect(long, RedirectOptions{MaxLength: 4096}); err != nil {
		t.Fatalf("larger MaxLength: %v", err)
	}
}

func TestAcceptedRedirectAlsoAcceptedByHTTPS(t *testing.T) {
	// Every https redirect URI a web client may register is also a valid
	// https URL for the other metadata fields.
	for _, tc := range redirectCases {
		if tc.want != nil || tc.o.App != Web || !strings.HasPrefix(strings.ToLower(tc.raw), "https:") {
			continue
		}
		if err := HTTPS(tc.raw, WebOptions{MaxLength: tc.o.MaxLength}); err != nil {
			t.Errorf("%s: HTTPS rejected: %v", tc.name, err)
		}
	}
}

// TestEarlyRejectAllocatesNothing: values rejected before net/url runs cost
// no allocations, so hostile input is cheap to refuse.
func TestEarlyRejectAllocatesNothing(t *testing.T) {
	for _, raw := range []string{
		"JaVaScRiPt:alert(1)", "https://a.example/cb#x", "https://a.example/\r\n", "https://*.example/", "https://a@b.example/",
		"HTTPS://a.example/cb", "https://XN--a.example/cb", "https://a.example/cb%00", "https://a.example/%E2%80%AE", "https://a.example/%C0%80",
	} {
		if n := testing.AllocsPerRun(100, func() { _ = Redirect(raw, web) }); n != 0 {
			t.Errorf("%s: %v allocs", raw, n)
		}
	}
}

func FuzzRedirect(f *testing.F) {
	for _, tc := range redirectCases {
		if len(tc.raw) <= 512 {
			f.Add(tc.raw, uint8(tc.o.App), tc.o.Implicit, tc.o.AllowWebHTTPLoopback)
		}
	}
	for _, tc := range httpsCases {
		f.Add(tc.raw, uint8(0), false, false)
	}
	f.Fuzz(func(t *testing.T, raw string, app uint8, implicit, loopback bool) {
		o := RedirectOptions{App: AppType(app % 3), Implicit: implicit, AllowWebHTTPLoopback: loopback}
		err := Redirect(raw, o)
		if err == nil {
			assertAcceptedInvariants(t, raw)
			assertRedirectPolicy(t, raw, o)
			if o.App == Web {
				if !strings.HasPrefix(strings.ToLower(raw), "http") {
					t.Fatalf("web accepted non-http(s): %q", raw)
				}
				if e := HTTPS(raw, WebOptions{AllowHTTPLoopback: loopback}); e != nil {
					t.Fatalf("web redirect accepted but HTTPS rejected %q: %v", raw, e)
				}
			}
		} else {
			n := 0
			for _, s := range sentinels {
				if errors.Is(err, s) {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("error %v matches %d sentinels", err, n)
			}
			if len(raw) >= 6 && strings.Contains(err.Error(), raw) {
				t.Fatalf("error text contains input")
			}
		}
		// HTTPS must not panic either, and never accepts a value with
		// characters outside the URI set.
		if e := HTTPS(raw, WebOptions{AllowFragment: implicit, AllowHTTPLoopback: loopback}); e == nil {
			u, perr := url.Parse(raw)
			if perr != nil || !u.IsAbs() || u.User != nil || u.Hostname() == "" ||
				strings.ContainsAny(raw, "*\\ ") {
				t.Fatalf("HTTPS accepted %q", raw)
			}
			if !implicit && strings.Contains(raw, "#") {
				t.Fatalf("HTTPS accepted fragment %q", raw)
			}
		}
	})
}

// assertRedirectPolicy re-derives the application-type policy from what
// net/url reports, independently of the checker's own parsing.
func assertRedirectPolicy(t *testing.T, raw string, o RedirectOptions) {
	t.Helper()
	u, _ := url.Parse(raw)
	// net/url lowercases the scheme and nothing else.
	if u.String() != strings.ToLower(u.Scheme)+raw[len(u.Scheme):] {
		t.Fatalf("accepted value does not round-trip through net/url: %q -> %q", raw, u.String())
	}
	for _, seg := range strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == "." || seg == ".." {
			t.Fatalf("accepted value with dot-segment: %q", raw)
		}
	}
	host := u.Hostname()
	if strings.HasSuffix(host, ".") || strings.Contains(host, "%") {
		t.Fatalf("accepted host %q", host)
	}
	switch scheme := strings.ToLower(u.Scheme); scheme {
	case "https":
		if o.App == Web && o.Implicit && (strings.EqualFold(host, "localhost") || host == "127.0.0.1" || host == "::1") {
			t.Fatalf("implicit client accepted local host: %q", raw)
		}
		if o.App == Native && (strings.EqualFold(host, "localhost") || host == "127.0.0.1" || host == "::1") {
			t.Fatalf("native client accepted https on a local host: %q", raw)
		}
	case "http":
		if !IsLoopbackHost(host) || (o.App == Web && (o.Implicit || !o.AllowWebHTTPLoopback)) {
			t.Fatalf("accepted http: %q %+v", raw, o)
		}
	default:
		if o.App != Native || !strings.Contains(scheme, ".") {
			t.Fatalf("accepted scheme %q for %+v", scheme, o)
		}
		for _, f := range forbiddenSchemes {
			if scheme == f {
				t.Fatalf("accepted forbidden scheme %q", scheme)
			}
		}
	}
}

func BenchmarkRedirect(b *testing.B) {
	const raw = "https://client.example.org/oauth2/callback?tenant=42"
	b.ReportAllocs()
	for b.Loop() {
		if err := Redirect(raw, web); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedirectNative(b *testing.B) {
	const raw = "com.example.app:/oauth2redirect/example-provider"
	b.ReportAllocs()
	for b.Loop() {
		if err := Redirect(raw, native); err != nil {
			b.Fatal(err)
		}
	}
}

func TestHTTPSHost(t *testing.T) {
	tests := []struct {
		name, raw, host string
		ok              bool
	}{
		{"name", "https://app.client.example/cb?x=1", "app.client.example", true},
		{"upper-case host kept as written", "https://App.Client.example/cb", "App.Client.example", true},
		{"upper-case A-label refused", "https://XN--BCHER-KVA.example/cb", "", false},
		{"port", "https://client.example:8443/", "client.example", true},
		{"IPv6", "https://[2001:db8::1]:8443/x", "2001:db8::1", true},
		{"IPv4", "https://192.0.2.1/", "192.0.2.1", true},
		{"http refused", "http://client.example/", "", false},
		{"custom scheme refused", "com.example.app:/cb", "", false},
		{"userinfo refused", "https://user@client.example/", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			host, err := HTTPSHost(tc.raw, WebOptions{})
			if (err == nil) != tc.ok || host != tc.host {
				t.Errorf("HTTPSHost(%q) = %q, %v; want %q, ok %v", tc.raw, host, err, tc.host, tc.ok)
			}
			if herr := HTTPS(tc.raw, WebOptions{}); (herr == nil) != (err == nil) {
				t.Errorf("HTTPS and HTTPSHost disagree: %v vs %v", herr, err)
			}
		})
	}
}
