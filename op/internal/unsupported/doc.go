// Package unsupported tells which registered client metadata an OP would
// silently drop: members that promise the client a behaviour (encrypted or
// signed responses, bound tokens, logout notifications, pairwise subjects)
// that the OP library does not implement. The OP adapters (op/zitadel,
// op/fosite) refuse such a client as invalid_client instead of serving it
// without what it registered, the rule js/verifier's node-oidc-provider
// adapter follows too.
//
// Spec basis: OpenID Connect Dynamic Client Registration 1.0 §2 (the
// members), OpenID Connect Core 1.0 §8 (pairwise subjects), RFC 8705 §3.4,
// RFC 9449 §5.2, RFC 9126 §6, RFC 9396 §10, OIDC Front-Channel and
// Back-Channel Logout 1.0.
package unsupported
