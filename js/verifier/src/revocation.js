// The revocation list (docs/verifying.md §7): one strict JSON object with
// optional members jti, software_id, org_id and statement_iss, each an array
// of non-empty strings of at most 256 bytes without control characters; at
// most 100,000 entries and 32 MiB. Anything else makes the whole document
// invalid, so that a typo never silently revokes nothing.

import { parseObject } from './strictjson.js';

export const MEMBERS = Object.freeze(['jti', 'software_id', 'org_id', 'statement_iss']);
export const MAX_ENTRIES = 100_000;
export const MAX_BYTES = 32 << 20;

export class RevocationListError extends Error {}

// Unicode category Cc: U+0000-U+001F, U+007F-U+009F.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Parses a revocation list document (string or UTF-8 bytes) into
 * { jti, software_id, org_id, statement_iss }, each a Set.
 */
export function parseRevocationList(doc) {
  const size = typeof doc === 'string' ? Buffer.byteLength(doc) : doc.length;
  if (size > MAX_BYTES) throw new RevocationListError('document over 32 MiB');
  let obj;
  try {
    // Arrays hold the entries: the per-object member cap is what bounds
    // objects, and there are none below the top.
    obj = parseObject(doc, { maxMembers: 4, maxDepth: 2 });
  } catch (err) {
    throw new RevocationListError(`not a valid JSON object: ${err.message}`);
  }
  const list = {};
  let total = 0;
  for (const name of Object.keys(obj)) {
    if (!MEMBERS.includes(name)) throw new RevocationListError(`unknown member ${JSON.stringify(name)}`);
  }
  for (const name of MEMBERS) {
    const v = obj[name];
    const set = new Set();
    if (v !== undefined) {
      if (!Array.isArray(v)) throw new RevocationListError(`${name} must be an array of strings`);
      for (const s of v) {
        if (typeof s !== 'string' || s === '' || Buffer.byteLength(s) > 256 || CONTROL.test(s)) {
          throw new RevocationListError(`${name}: each entry must be a non-empty string of at most 256 bytes without control characters`);
        }
        set.add(s);
      }
      total += v.length;
      if (total > MAX_ENTRIES) throw new RevocationListError('more than 100000 entries');
    }
    list[name] = set;
  }
  return list;
}

/** The empty list. */
export function emptyList() {
  return { jti: new Set(), software_id: new Set(), org_id: new Set(), statement_iss: new Set() };
}

/**
 * The list member that revokes the verified client, or undefined: jti, then
 * each software_id the client carries (ssa.software_id and the metadata's),
 * then ssa.org_id, then ssa.iss, compared byte for byte.
 */
export function revokedBy(list, claims, metadata) {
  const has = (set, v) => typeof v === 'string' && v !== '' && set.has(v);
  if (has(list.jti, claims.jti)) return 'jti';
  if (has(list.software_id, claims.ssa?.software_id) || has(list.software_id, metadata.software_id)) return 'software_id';
  if (has(list.org_id, claims.ssa?.org_id)) return 'org_id';
  if (has(list.statement_iss, claims.ssa?.iss)) return 'statement_iss';
  return undefined;
}
