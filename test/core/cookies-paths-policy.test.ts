import { clearCookie, parseCookies, serializeCookie, withoutCookies } from '../../lambdas/core/shared/cookies';
import { headerValue } from '../../lambdas/core/viewer/identity-headers';
import { classifyPath } from '../../lambdas/core/viewer/special-paths';
import { checkAllowList } from '../../lambdas/core/sign-in/allow-list';
import { sanitizeReturnPath } from '../../lambdas/core/sign-in/return-path';

describe('cookies', () => {
  test('parse keeps every value of a duplicated name, skips malformed pairs', () => {
    const jar = parseCookies(['a=1; b="2"; junk; =x; a=3', 'c=4']);
    expect(Object.fromEntries(jar)).toEqual({ a: ['1', '3'], b: ['2'], c: ['4'] });
  });
  test('withoutCookies drops ours and keeps the rest, or nothing', () => {
    const ours = (n: string) => n === 'edge-oauth' || n.startsWith('edge-oauth-flow-');
    expect(withoutCookies(['theme=dark; edge-oauth=abc; edge-oauth-flow-x=y; lang=en'], ours)).toBe('theme=dark; lang=en');
    expect(withoutCookies(['edge-oauth=abc'], ours)).toBeUndefined();
  });
  test('our cookies are Secure, HttpOnly, SameSite=Lax, host-only', () => {
    expect(serializeCookie('edge-oauth', 'v', { maxAge: 60 })).toBe('edge-oauth=v; Path=/; Max-Age=60; Secure; HttpOnly; SameSite=Lax');
    expect(clearCookie('n', '/auth/callback')).toBe('n=; Path=/auth/callback; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax');
    expect(() => serializeCookie('n', 'a;b')).toThrow(TypeError);
    expect(() => serializeCookie('n', 'a\r\nSet-Cookie: x=y')).toThrow(TypeError);
  });
});

describe('return path: same-origin paths only', () => {
  test.each([
    ['/reports?q=1', '/reports?q=1'],
    ['/a/../b', '/b'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['\\\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['/\t/evil.example', '/'],
    ['/ /evil.example', '/'],
    ['/./..//evil.example', '/'],
    ['relative', '/'],
    ['', '/'],
    [undefined, '/'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeReturnPath(input)).toBe(expected);
  });
});

describe('special paths: no spelling of /auth/... reaches the origin', () => {
  test.each([
    ['/', 'app'],
    ['/authors', 'app'],
    ['/api/auth/x', 'app'],
    ['/auth/callback', 'callback'],
    ['/auth/callback/', 'callback'],
    ['/auth/authn', 'authn'],
    ['/auth/login', 'login'],
    ['/auth/logout', 'logout'],
    ['/AUTH/LOGOUT', 'logout'],
    ['/auth', 'not-found'],
    ['/auth/', 'not-found'],
    ['/auth/secret', 'not-found'],
    ['/%61uth/x', 'not-found'],
    ['/auth%2fx', 'not-found'],
    ['/auth%252fx', 'not-found'],
    ['//auth//x', 'not-found'],
    ['/x/../auth/x', 'not-found'],
    ['/auth\\x', 'not-found'],
    ['/auth;jsessionid=1/x', 'not-found'],
    ['/auth/.well-known/jwks.json', 'jwks'],
  ])('%s → %s', (uri, kind) => {
    expect(classifyPath(uri).kind).toBe(kind);
  });
});

describe('allow-list: exact emails, exact domains, verified only', () => {
  const allow = { emails: ['alice@partner.example'], emailDomains: ['example.com'] };
  test.each([
    [{ email: 'bob@example.com' }, true],
    [{ email: 'Bob@EXAMPLE.com' }, true],
    [{ email: 'alice@partner.example' }, true],
    [{ email: 'bob@corp.example.com' }, false],
    [{ email: 'bob@example.com.evil' }, false],
    [{ email: 'bob@evil.com@example.com' }, false],
    [{ email: 'bob@example.com', emailVerified: false }, false],
    [{ email: 'bob@example.com', emailVerified: true }, true],
    [{}, false],
  ])('%j → %s', (profile, allowed) => {
    expect(checkAllowList(profile, allow).allowed).toBe(allowed);
  });
  test('no lists: anyone verified may sign in; an unverified email still may not', () => {
    const none = { emails: [], emailDomains: [] };
    expect(checkAllowList({ email: 'x@y.z' }, none)).toEqual({ allowed: true });
    expect(checkAllowList({}, none)).toEqual({ allowed: true });
    expect(checkAllowList({ email: 'x@y.z', emailVerified: false }, none)).toEqual({ allowed: false, reason: 'email-unverified' });
  });
});

describe('identity header values', () => {
  test('printable ASCII as is; %, control characters and non-ASCII percent-encoded', () => {
    expect(headerValue('Ada Lovelace')).toBe('Ada Lovelace');
    expect(headerValue('Zoë')).toBe('Zo%C3%AB');
    expect(headerValue('a\r\nX-Evil: 1')).toBe('a%0D%0AX-Evil%3A%201');
    expect(decodeURIComponent(headerValue('100% sure'))).toBe('100% sure');
  });
});
