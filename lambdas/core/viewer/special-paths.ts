/**
 * Which requests are edge-oauth's own. Classification is done on a normalised copy of the
 * path (percent-decoding repeated, `\` as `/`, repeated slashes collapsed, dot segments
 * resolved, case folded), so no spelling of `/auth/...` reaches the origin and none
 * skips authentication. The origin never receives a path under `/auth/`.
 */
import { withoutTrailing } from '../shared/text';

export type SpecialPath =
  | { kind: 'app' }
  | { kind: 'callback' }
  | { kind: 'authn' }
  | { kind: 'login' }
  | { kind: 'logout' }
  | { kind: 'jwks' }
  | { kind: 'admin' }
  | { kind: 'not-found' };

export const AUTH_PREFIX = '/auth';
export const CALLBACK_PATH = '/auth/callback';
/** The admin console and everything under it (viewer/admin-forward.ts). */
export const ADMIN_PATH = '/auth/admin';

/** A hex digit's value, or -1. */
function hexValue(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
}

/**
 * One round of %XX decoding, invalid escapes kept as they are. A loop over the escapes, not
 * `replace(/%(..)/g, callback)`: that is linear too, but a callback per escape made an 8 KB
 * path of "%2e" ~30 times slower than this (~2 ms), near the linear-parsing suite's limit.
 */
function decodeOnce(path: string): string {
  let at = path.indexOf('%');
  let out = '';
  let copied = 0;
  while (at !== -1) {
    const high = at + 2 < path.length ? hexValue(path.charCodeAt(at + 1)) : -1;
    const low = high >= 0 ? hexValue(path.charCodeAt(at + 2)) : -1;
    if (low >= 0) {
      out += path.slice(copied, at) + String.fromCharCode(high * 16 + low);
      copied = at + 3;
    }
    at = path.indexOf('%', low >= 0 ? at + 3 : at + 1);
  }
  return copied === 0 ? path : out + path.slice(copied);
}

/** Decodes %XX repeatedly (a few rounds), keeping invalid escapes as they are. */
function decodeRepeatedly(path: string): string {
  let current = path;
  for (let round = 0; round < 4 && current.includes('%'); round++) {
    const next = decodeOnce(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

// Trailing runs are cut with a loop (shared/text.ts), never `replace(/\.+$/)` (issue #16).
const CONTROL = /[\x00-\x20\x7f]/;
const CONTROLS = /[\x00-\x20\x7f]+/g;
const ONLY_DOTS = /^\.+$/;

/**
 * The path as a server that decodes and normalises aggressively would see it; `keepCase`:
 * as one that does so but compares case-sensitively (Tomcat, Jetty: access/path-rules.ts).
 * Linear in the length of `uri` (test/security/linear-parsing.property.test.ts).
 */
export function normalizePath(uri: string, keepCase = false): string {
  const slashed = decodeRepeatedly(uri).replace(/\\/g, '/');
  const decoded = keepCase ? slashed : slashed.toLowerCase();
  const segments: string[] = [];
  for (const segment of decoded.split('/')) {
    // The common segments cost no regex and no copy (runs of "/./" are a hostile input too).
    if (segment === '' || segment === '.') continue;
    // Whitespace/control characters and trailing dots (Windows) are ignored by some servers;
    // ";param" path parameters (Tomcat, Jetty) too, before dot segments: "..;" is "..".
    let clean = CONTROL.test(segment) ? segment.replace(CONTROLS, '') : segment;
    const semicolon = clean.indexOf(';');
    if (semicolon >= 0) clean = clean.slice(0, semicolon);
    if (clean.endsWith('.') && !ONLY_DOTS.test(clean)) clean = withoutTrailing(clean, '.');
    if (clean === '' || clean === '.') continue;
    if (clean === '..') {
      segments.pop();
      continue;
    }
    segments.push(clean);
  }
  return '/' + segments.join('/');
}

export function classifyPath(uri: string): SpecialPath {
  const path = normalizePath(uri);
  if (path !== AUTH_PREFIX && !path.startsWith(`${AUTH_PREFIX}/`)) return { kind: 'app' };
  const trimmed = withoutTrailing(path, '/');
  if (trimmed === ADMIN_PATH || trimmed.startsWith(`${ADMIN_PATH}/`)) return { kind: 'admin' };
  switch (trimmed) {
    case CALLBACK_PATH:
      return { kind: 'callback' };
    case '/auth/authn':
      return { kind: 'authn' };
    case '/auth/login':
      return { kind: 'login' };
    case '/auth/logout':
      return { kind: 'logout' };
    case '/auth/.well-known/jwks.json':
      return { kind: 'jwks' };
    default:
      return { kind: 'not-found' };
  }
}

/**
 * A query string as it may go into a `Location` header: visible ASCII only (RFC 9110 §5.5).
 * What CloudFront passes is normally percent-encoded already; any other character is
 * escaped as UTF-8 (a lone surrogate as U+FFFD), existing escapes stay as they are.
 */
export function asciiQuery(querystring: string): string {
  if (/^[\x21-\x7e]*$/.test(querystring)) return querystring;
  return querystring.replace(/[^\x21-\x7e]/gu, (ch) => encodeURIComponent(ch.length === 1 && ch >= '\ud800' && ch <= '\udfff' ? '\ufffd' : ch));
}
