// @registrar/verifier: verify Registrar client_ids in JavaScript, as
// docs/verifying.md specifies. README.md documents the API.
export { ClientIdError, UnavailableError, ERROR_CODES } from './src/errors.js';
export {
  createVerifier,
  deriveClientSecret,
  deriveRegistrationAccessToken,
  constantTimeEqual,
  MAX_LENGTH,
  TYPE,
} from './src/verifier.js';
export { parseJWKS, JWKSError, ALGORITHMS } from './src/jwks.js';
export { parseRevocationList, RevocationListError } from './src/revocation.js';
