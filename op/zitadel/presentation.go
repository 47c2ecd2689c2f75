package zitadel

import (
	"context"
	"net/http"

	"github.com/registrar/registrar/pkg/metadata"
)

type presentedKey struct{}

// SecretPresentation wraps the OP's handler so that the client methods
// know how a client secret was presented (HTTP Basic or the form body)
// and refuse a client that registered the other way: zitadel/oidc itself
// accepts either for both (RFC 6749 §2.3.1 leaves the check to the OP;
// docs/verifying.md §8 says it MUST). Without it, either is accepted.
func SecretPresentation(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		how := ""
		if _, _, ok := r.BasicAuth(); ok {
			how = metadata.AuthClientSecretBasic
		} else if r.Method == http.MethodPost && r.ParseForm() == nil && r.PostForm.Get("client_secret") != "" {
			how = metadata.AuthClientSecretPost
		}
		if how != "" {
			r = r.WithContext(context.WithValue(r.Context(), presentedKey{}, how))
		}
		next.ServeHTTP(w, r)
	})
}

// presented is how ctx's request presented a client secret, or "" when
// SecretPresentation did not see it.
func presented(ctx context.Context) string {
	how, _ := ctx.Value(presentedKey{}).(string)
	return how
}
