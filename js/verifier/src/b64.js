// Canonical unpadded base64url (RFC 4648 §5; docs/verifying.md §2): only
// A-Z a-z 0-9 - _, no padding, length not 1 modulo 4, unused low-order bits
// of the last character zero. Buffer.from(s, 'base64url') alone skips
// characters outside the alphabet and ignores those bits, so the decoded
// bytes are re-encoded and compared.

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/** Decodes s, or returns undefined when it is not canonical base64url. */
export function decodeCanonical(s, { allowEmpty = false } = {}) {
  if (typeof s !== 'string') return undefined;
  if (s.length === 0) return allowEmpty ? Buffer.alloc(0) : undefined;
  if (s.length % 4 === 1 || !ALPHABET.test(s)) return undefined;
  const b = Buffer.from(s, 'base64url');
  if (b.toString('base64url') !== s) return undefined;
  return b;
}

export function encode(bytes) {
  return Buffer.from(bytes).toString('base64url');
}
