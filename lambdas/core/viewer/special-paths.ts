/**
 * Which requests are edge-oauth's own. Classification is done on a normalised copy of the
 * path (percent-decoding repeated, `\` as `/`, repeated slashes collapsed, dot segments
 * resolved, case folded), so no spelling of `/auth/...` reaches the origin and none
 * skips authentication. The origin never receives a path under `/auth/`.
 */
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

/** Decodes %XX repeatedly (a few rounds), keeping invalid escapes as they are. */
function decodeRepeatedly(path: string): string {
  let current = path;
  for (let round = 0; round < 4 && current.includes('%'); round++) {
    const next = current.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * The path as a server that decodes and normalises aggressively would see it; `keepCase`:
 * as one that does so but compares case-sensitively (Tomcat, Jetty: access/path-rules.ts).
 */
export function normalizePath(uri: string, keepCase = false): string {
  const slashed = decodeRepeatedly(uri).replace(/\\/g, '/');
  const decoded = keepCase ? slashed : slashed.toLowerCase();
  const segments: string[] = [];
  for (const segment of decoded.split('/')) {
    // Whitespace/control characters and trailing dots (Windows) are ignored by some servers;
    // ";param" path parameters (Tomcat, Jetty) too, before dot segments: "..;" is "..".
    let clean = segment.replace(/[\x00-\x20\x7f]+/g, '').split(';')[0]!;
    if (!/^\.+$/.test(clean)) clean = clean.replace(/\.+$/, '');
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
  const trimmed = path.replace(/\/+$/, '');
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
