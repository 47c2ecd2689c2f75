// Strict JSON (docs/verifying.md §2, §7): one RFC 8259 value in UTF-8 with
// no byte order mark, no duplicate member names at any depth (compared after
// unescaping), no unpaired surrogate (raw or escaped), no raw control
// character in strings, only the escapes RFC 8259 defines, nothing but
// whitespace after the value, and bounded members per object and depth.
//
// JSON.parse cannot be used: it keeps the last of duplicate members and
// accepts lone surrogate escapes. Numbers are returned as JNumber so that a
// caller can tell an integer ("1") from "1.0" or "1e0".

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A JSON number with its source text. */
export class JNumber {
  constructor(text) {
    this.text = text;
    this.value = Number(text);
  }

  /** True when the source is an integer: no fraction, no exponent. */
  get isInteger() {
    return /^-?(0|[1-9][0-9]*)$/.test(this.text);
  }
}

export class StrictJSONError extends Error {}

function fail(msg, pos) {
  throw new StrictJSONError(`${msg} at offset ${pos}`);
}

/**
 * Parses input (a string, or UTF-8 bytes) strictly. Objects come back as
 * null-prototype objects, numbers as JNumber.
 * @param {string|Uint8Array} input
 * @param {{maxMembers?: number, maxDepth?: number, maxEntries?: number}} limits
 */
export function parse(input, { maxMembers = 256, maxDepth = 16 } = {}) {
  let s;
  if (typeof input === 'string') {
    s = input;
  } else {
    try {
      s = utf8.decode(input);
    } catch {
      throw new StrictJSONError('invalid UTF-8');
    }
  }
  if (s.charCodeAt(0) === 0xfeff) fail('byte order mark', 0);
  let i = 0;
  const n = s.length;

  const ws = () => {
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };

  const str = () => {
    // s[i] is '"'
    i++;
    let out = '';
    let start = i;
    for (;;) {
      if (i >= n) fail('unterminated string', i);
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        out += s.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('control character in string', i);
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = s.charCodeAt(i + 1);
        if (!(d >= 0xdc00 && d <= 0xdfff)) fail('unpaired surrogate', i);
        i += 2;
        continue;
      }
      if (c >= 0xdc00 && c <= 0xdfff) fail('unpaired surrogate', i);
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += s.slice(start, i);
      const e = s[i + 1];
      switch (e) {
        case '"': out += '"'; i += 2; break;
        case '\\': out += '\\'; i += 2; break;
        case '/': out += '/'; i += 2; break;
        case 'b': out += '\b'; i += 2; break;
        case 'f': out += '\f'; i += 2; break;
        case 'n': out += '\n'; i += 2; break;
        case 'r': out += '\r'; i += 2; break;
        case 't': out += '\t'; i += 2; break;
        case 'u': {
          const hex = (at) => {
            const h = s.slice(at, at + 4);
            if (!/^[0-9A-Fa-f]{4}$/.test(h)) fail('bad \\u escape', at);
            return parseInt(h, 16);
          };
          const u = hex(i + 2);
          i += 6;
          if (u >= 0xd800 && u <= 0xdbff) {
            if (s[i] !== '\\' || s[i + 1] !== 'u') fail('unpaired surrogate escape', i);
            const l = hex(i + 2);
            if (!(l >= 0xdc00 && l <= 0xdfff)) fail('unpaired surrogate escape', i);
            i += 6;
            out += String.fromCharCode(u, l);
          } else if (u >= 0xdc00 && u <= 0xdfff) {
            fail('unpaired surrogate escape', i);
          } else {
            out += String.fromCharCode(u);
          }
          break;
        }
        default:
          fail('bad escape', i);
      }
      start = i;
    }
  };

  // Sticky, from i: a number of any length (the document's size bounds it,
  // as in Registrar's own parser), matched in time linear in its length.
  const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
  const num = () => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(s);
    if (!m) fail('bad number', i);
    i += m[0].length;
    return new JNumber(m[0]);
  };

  const value = (depth) => {
    ws();
    if (i >= n) fail('unexpected end', i);
    const c = s[i];
    if (c === '{') {
      if (depth + 1 > maxDepth) fail('nesting too deep', i);
      i++;
      const obj = Object.create(null);
      const seen = new Set();
      ws();
      if (s[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (s[i] !== '"') fail('expected member name', i);
        const at = i;
        const k = str();
        if (seen.has(k)) fail('duplicate member', at);
        seen.add(k);
        if (seen.size > maxMembers) fail('too many members', at);
        ws();
        if (s[i] !== ':') fail('expected :', i);
        i++;
        obj[k] = value(depth + 1);
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === '}') {
          i++;
          return obj;
        }
        fail('expected , or }', i);
      }
    }
    if (c === '[') {
      if (depth + 1 > maxDepth) fail('nesting too deep', i);
      i++;
      const arr = [];
      ws();
      if (s[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ']') {
          i++;
          return arr;
        }
        fail('expected , or ]', i);
      }
    }
    if (c === '"') return str();
    if (s.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (s.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (s.startsWith('null', i)) {
      i += 4;
      return null;
    }
    return num();
  };

  const v = value(0);
  ws();
  if (i !== n) fail('data after the value', i);
  return v;
}

/** parse, and require an object. */
export function parseObject(input, limits) {
  const v = parse(input, limits);
  if (!isObject(v)) throw new StrictJSONError('not a JSON object');
  return v;
}

export function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof JNumber);
}

/**
 * Converts a parsed value to plain JSON values (numbers as numbers), as
 * JSON.parse would build them. Members are defined, not assigned: assigning
 * a member named "__proto__" would set the object's prototype instead, so a
 * caller would read members the document does not hold.
 */
export function plain(v) {
  if (v instanceof JNumber) return v.value;
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) {
      Object.defineProperty(o, k, { value: plain(v[k]), enumerable: true, writable: true, configurable: true });
    }
    return o;
  }
  return v;
}
