/**
 * The path a visitor returns to after sign-in: a same-origin path only. Anything that a
 * browser could read as another origin (`//host`, `/\host`, `http:`, whitespace or control
 * characters that URL parsers strip, `@` tricks) becomes `/`. The result is re-serialised
 * by the WHATWG URL parser, so what we put in `Location` is exactly what we checked.
 */
const MAX_RETURN_PATH = 2048;
const BASE = 'https://edge-oauth.invalid';

export function sanitizeReturnPath(input: string | undefined | null): string {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_RETURN_PATH) return '/';
  // Only printable ASCII: URL parsers remove tabs/newlines and trim spaces, which turns
  // "/\t/evil.example" into "//evil.example". Reject rather than repair.
  if (!/^[\x21-\x7e]+$/.test(input)) return '/';
  if (!input.startsWith('/') || input.startsWith('//') || input.includes('\\')) return '/';
  let url: URL;
  try {
    url = new URL(input, BASE);
  } catch {
    return '/';
  }
  if (url.origin !== BASE || url.username !== '' || url.password !== '') return '/';
  const path = url.pathname + url.search;
  // After dot-segment removal a path may start with "//" again ("/./..//evil"): refuse.
  if (!path.startsWith('/') || path.startsWith('//')) return '/';
  return path;
}

/** The original request target (CloudFront's `uri` and raw `querystring`) as a return path. */
export function returnPathOf(uri: string, querystring: string | undefined): string {
  return sanitizeReturnPath(querystring === '' || querystring === undefined ? uri : `${uri}?${querystring}`);
}
