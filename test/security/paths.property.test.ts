/**
 * Property: no spelling of /auth/... is classified 'app' (and so forwarded to the origin)
 * when an origin that normalises the path would see /auth/... The spellings are built from
 * what real servers undo: percent-decoding (once or twice), `\` as `/`, repeated slashes,
 * dot segments (also encoded), case folding (IIS), `;param` path parameters and `..;`
 * (Tomcat, Jetty), trailing dots and spaces on a segment (Windows).
 * The generator knows by construction what the origin sees; the check does not reuse
 * normalizePath, so the test is not a mirror of the code.
 */
import fc from 'fast-check';
import { classifyPath, normalizePath } from '../../lambdas/core/viewer/special-paths';
import { edge, isResponse, keySet, securityConfig, sessionCookie } from './support';

const RUNS = { numRuns: 200 };
const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, '0');

/** One character as a normalising origin may receive it. */
const spelledChar = (c: string) =>
  fc.constantFrom(c, c.toUpperCase(), `%${hex(c)}`, `%${hex(c).toUpperCase()}`, `%25${hex(c)}`);

/** A path segment: each character spelled, maybe a `;param`, a trailing dot or an encoded space. */
const spelledSegment = (segment: string) =>
  fc
    .tuple(
      fc.tuple(...[...segment].map(spelledChar)).map((chars) => chars.join('')),
      fc.constantFrom('', ';', ';jsessionid=1', '%3bx', '.', '%2e', '%20', '.%20'),
    )
    .map(([body, suffix]) => body + suffix);

/** What stands between two segments: a slash, spelled so that it still is one. */
const separator = fc.constantFrom(
  '/', '//', '\\', '%2f', '%2F', '%5c', '%5C', '%252f', '/./', '/%2e/', '/.;/', '/;x/',
  '/junk/../', '/junk/%2e%2e/', '/junk/..;/', '/junk/%2e%2e%3b/', '/junk/.%2e/', '/junk/..%5c',
);
/** The start of the path: CloudFront's uri always begins with "/". */
const leading = fc.constantFrom('/', '//', '/./', '/junk/../', '/%2e/', '/junk/..;/', '/\\');

const tails = ['callback', 'authn', 'login', 'logout', 'secret', 'x/y', '.well-known/jwks.json', ''];

/** [spelling, what a normalising origin sees] */
const authSpelling = fc
  .constantFrom(...tails)
  .chain((tail) => {
    const segments = ['auth', ...tail.split('/').filter((s) => s !== '')];
    return fc.tuple(
      leading,
      fc.tuple(...segments.map(spelledSegment)),
      fc.array(separator, { minLength: segments.length, maxLength: segments.length }),
      fc.constant(`/${segments.join('/')}`),
    );
  })
  .map(([lead, spelled, seps, seen]) => [lead + spelled.map((s, i) => (i === 0 ? s : seps[i]! + s)).join(''), seen] as const);

describe('special paths (property)', () => {
  test('no spelling of /auth/... is classified "app"', () => {
    fc.assert(
      fc.property(authSpelling, ([uri, seen]) => {
        expect([uri, seen, classifyPath(uri).kind]).not.toEqual([uri, seen, 'app']);
      }),
      RUNS,
    );
  });

  // CloudFront picks the behaviour (so the origin) from the path as sent, before the
  // viewer-request function runs; changing the uri there does not change the origin. Only
  // the exact callback path is routed to the callback function: any other spelling that the
  // edge let through would reach the site's origin, unauthenticated and with our cookies.
  test('...and none is forwarded, even with a valid session, except the exact callback path', async () => {
    const { keys } = keySet();
    const config = securityConfig();
    const { value } = await sessionCookie(config, keys);
    const { handle } = edge({ config, keys });
    await fc.assert(
      fc.asyncProperty(authSpelling, async ([uri]) => {
        const result = await handle({ uri, headers: [['Cookie', `edge-oauth=${value}`]] });
        if (!isResponse(result)) expect(uri).toBe('/auth/callback');
      }),
      { numRuns: 80 },
    );
  });

  test('known spellings from real servers', () => {
    for (const uri of [
      '/x/..;/auth/logout', // Tomcat: "..;" is ".."
      '/x/%2e%2e;/auth/logout',
      '/.;/auth/secret',
      '/auth;a=b/callback',
      '/auth./secret', // Windows drops trailing dots
      '/auth%2e/secret',
      '/auth%20/secret',
      '/AUTH/secret',
      '/%2561uth/secret', // decoded twice
      '/auth%5csecret',
    ]) {
      expect([uri, classifyPath(uri).kind]).not.toEqual([uri, 'app']);
    }
  });

  test('arbitrary input never throws, and the result is always an absolute, dot-free path', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (uri) => {
        const path = normalizePath(uri);
        expect(path.startsWith('/')).toBe(true);
        expect(path.split('/')).not.toContain('..');
        expect(() => classifyPath(uri)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
