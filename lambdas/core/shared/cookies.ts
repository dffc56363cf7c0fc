/**
 * Cookie parsing and serialising (RFC 6265). Parsing never throws; a malformed pair is
 * skipped. Our cookies are always `Secure; HttpOnly; SameSite=Lax` and host-only (no Domain).
 */

/** All values of each cookie name, in header order (a duplicated name keeps every value). */
export function parseCookies(headerValues: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const header of headerValues) {
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      let value = pair.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (name === '') continue;
      const list = out.get(name);
      if (list === undefined) out.set(name, [value]);
      else list.push(value);
    }
  }
  return out;
}

/**
 * The values of one cookie name, in header order: the same as `parseCookies(h).get(name)`
 * without building the whole jar (the viewer's fast path needs only the session cookie).
 */
export function cookieValues(headerValues: readonly string[], name: string): string[] | undefined {
  let out: string[] | undefined;
  // parseCookies skips empty names, and a name never holds the separators it is parsed by.
  if (name === '' || name.includes('=') || name.includes(';')) return out;
  for (const header of headerValues) {
    // Jump from one occurrence of the name to the next (no split of every pair): an occurrence
    // is this cookie's when only spaces stand between it and the pair's start and its "=".
    let at = header.indexOf(name);
    while (at >= 0) {
      const pairStart = header.lastIndexOf(';', at - 1) + 1;
      let eq = at + name.length;
      while (eq < header.length && isTrimmed(header.charCodeAt(eq))) eq++;
      const pairEnd = nextSemicolon(header, at);
      if (header.charCodeAt(eq) === 0x3d && eq < pairEnd && onlyTrimmed(header, pairStart, at)) {
        let value = header.slice(eq + 1, pairEnd).trim();
        if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
        (out ??= []).push(value);
      }
      at = pairEnd < header.length ? header.indexOf(name, pairEnd + 1) : -1;
    }
  }
  return out;
}

function nextSemicolon(header: string, from: number): number {
  const i = header.indexOf(';', from);
  return i < 0 ? header.length : i;
}

function onlyTrimmed(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isTrimmed(text.charCodeAt(i))) return false;
  return true;
}

/** The characters String.prototype.trim removes (ECMA-262 WhiteSpace and LineTerminator). */
function isTrimmed(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

/**
 * The `Cookie` header without the cookies for which `drop(name)` is true; `undefined`
 * when nothing is left (the header should then be removed). The kept pairs are trimmed and
 * joined with "; ".
 *
 * `candidates`: when every name `drop` can be true for starts with this prefix, only those
 * names are read (the viewer's fast path: its own cookies all start with the cookie prefix).
 */
export function withoutCookies(headerValues: readonly string[], drop: (name: string) => boolean, candidates = ''): string | undefined {
  // The usual request: one header in the form browsers send (RFC 6265 §4.2.1: pairs joined by
  // "; "). It is answered by slicing, without splitting every pair out.
  if (headerValues.length === 1) {
    const fast = withoutCookiesCanonical(headerValues[0]!, drop, candidates);
    if (fast !== NOT_CANONICAL) return fast;
  }
  const kept: string[] = [];
  for (const header of headerValues) {
    for (const pair of header.split(';')) {
      const trimmed = pair.trim();
      if (trimmed === '') continue;
      const eq = trimmed.indexOf('=');
      const name = (eq < 0 ? trimmed : trimmed.slice(0, eq)).trim();
      if (!drop(name)) kept.push(trimmed);
    }
  }
  return kept.length > 0 ? kept.join('; ') : undefined;
}

const NOT_CANONICAL = null;

/**
 * withoutCookies for one header whose pairs are joined by exactly "; ", none empty and none
 * with space at either end or before its "=" (what the general path would produce unchanged);
 * NOT_CANONICAL for any other header, which the general path then reads.
 */
function withoutCookiesCanonical(header: string, drop: (name: string) => boolean, candidates: string): string | undefined | typeof NOT_CANONICAL {
  const length = header.length;
  if (length === 0) return NOT_CANONICAL;
  let dropped: Array<[number, number]> | undefined;
  let start = 0;
  for (;;) {
    const semicolon = header.indexOf(';', start);
    const end = semicolon < 0 ? length : semicolon;
    if (end === start || isSpace(header.charCodeAt(start)) || isSpace(header.charCodeAt(end - 1))) return NOT_CANONICAL;
    const eq = header.indexOf('=', start);
    const nameEnd = eq < 0 || eq > end ? end : eq;
    if (isSpace(header.charCodeAt(nameEnd - 1))) return NOT_CANONICAL;
    if (header.startsWith(candidates, start) && drop(header.slice(start, nameEnd))) (dropped ??= []).push([start, end]);
    if (semicolon < 0) break;
    if (header.charCodeAt(semicolon + 1) !== 0x20) return NOT_CANONICAL;
    start = semicolon + 2;
  }
  if (dropped === undefined) return header;
  const kept: string[] = [];
  let from = 0;
  for (const [s, e] of dropped) {
    if (s > from) kept.push(header.slice(from, s - 2));
    from = e + 2;
  }
  if (from < length) kept.push(header.slice(from));
  return kept.length > 0 ? kept.join('; ') : undefined;
}

/** What String.prototype.trim removes at the ends of a pair, in the ASCII range (any other space: the general path). */
function isSpace(code: number): boolean {
  return code <= 0x20 || code === 0x7f || code > 0x7e;
}

export interface CookieOptions {
  /** Seconds; 0 deletes the cookie; undefined = a browser-session cookie. */
  readonly maxAge?: number;
  /** @default '/' */
  readonly path?: string;
}

const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[!#-+\--:<-[\]-~]*$/;

/** A `Set-Cookie` value with edge-oauth's fixed attributes. Throws on a name or value a browser would reject. */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (!NAME.test(name)) throw new TypeError(`invalid cookie name`);
  if (!VALUE.test(value)) throw new TypeError(`invalid cookie value`);
  const parts = [`${name}=${value}`, `Path=${options.path ?? '/'}`];
  if (options.maxAge !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAge))}`);
  if (options.maxAge === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  parts.push('Secure', 'HttpOnly', 'SameSite=Lax');
  return parts.join('; ');
}

/** A `Set-Cookie` value that deletes the cookie. */
export function clearCookie(name: string, path = '/'): string {
  return serializeCookie(name, '', { maxAge: 0, path });
}
