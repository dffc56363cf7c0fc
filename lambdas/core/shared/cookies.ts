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
  if (name === '') return out; // parseCookies skips empty names
  for (const header of headerValues) {
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=');
      if (eq <= 0 || pair.slice(0, eq).trim() !== name) continue;
      let value = pair.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      (out ??= []).push(value);
    }
  }
  return out;
}

/**
 * The `Cookie` header without the cookies for which `drop(name)` is true; `undefined`
 * when nothing is left (the header should then be removed).
 */
export function withoutCookies(headerValues: readonly string[], drop: (name: string) => boolean): string | undefined {
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
