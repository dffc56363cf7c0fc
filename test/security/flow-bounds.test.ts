/**
 * Pending sign-ins are bounded in a way the browser enforces (issue #16, defect 4).
 *
 * Regression: flow cookies were named after their state with `Path=/auth/callback`, so the
 * pages that start a sign-in never saw them and their cap never applied; a page that made a
 * browser start many sign-ins pushed the next callback past CloudFront's 20,480-byte
 * request limit (413 for ten minutes). Now a flow cookie is one of FLOW_SLOTS fixed names
 * on `Path=/`: a browser keeps one cookie per (name, domain, path), so however many
 * sign-ins a page starts, at most FLOW_SLOTS are pending. The Chromium proof is in
 * test/e2e/session-limits.e2e.test.ts; here a jar keyed the way browsers key cookies
 * (RFC 6265 5.3 step 11: name, domain, path) drives the real handler.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { FLOW_SLOTS, readFlow } from '../../lambdas/core/sign-in/flow';
import { MAX_NAME_LENGTH } from '../../lambdas/core/session/session-cookie';
import { MAX_REQUEST_BYTES, requestHeadBytes } from '../../local/emulators/cloudfront/validate';
import { edge, keySet, locationOf, NOW, sessionCookie, setCookiesOf } from './support';

const { keys } = keySet();
const { config, handle } = edge({ keys });

/** A browser's cookie store for one host: (name, path) → value; Max-Age=0 deletes (RFC 6265 5.3). */
class Jar {
  readonly cookies = new Map<string, { name: string; path: string; value: string }>();
  apply(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const key = `${name}\u0000${path}`;
      if (attrs.some((a) => /^max-age=0$/i.test(a))) this.cookies.delete(key);
      else this.cookies.set(key, { name, path, value });
    }
  }
  /** The Cookie header for a request to `path` (RFC 6265 5.1.4 path-match). */
  header(path = '/auth/callback'): string {
    const matches = (p: string) => path === p || (path.startsWith(p) && (p.endsWith('/') || path[p.length] === '/'));
    return [...this.cookies.values()].filter((c) => matches(c.path)).map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

const returnPath = fc.oneof(
  fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
  fc.integer({ min: 1, max: 2040 }).map((n) => `/${'a'.repeat(n)}`),
);

describe('pending sign-ins are bounded by cookie names the browser keeps once each', () => {
  test('any number of starts, in any order, leaves at most FLOW_SLOTS flow cookies; the latest always completes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(returnPath, { minLength: 1, maxLength: 25 }), async (paths) => {
        const jar = new Jar();
        let last: { state: string } | undefined;
        for (const path of paths) {
          const result = await handle({ uri: path, headers: [['Sec-Fetch-Mode', 'navigate'], ['Cookie', jar.header(path)]] });
          jar.apply(setCookiesOf(result));
          last = { state: new URL(locationOf(result)!).searchParams.get('state')! };
        }
        const flows = [...jar.cookies.values()].filter((c) => c.name.startsWith('edge-oauth-flow-'));
        expect(flows.length).toBeLessThanOrEqual(FLOW_SLOTS);
        expect(readFlow(config, keys, [jar.header()], last!.state, NOW + 1).status).toBe('ok');
      }),
      { numRuns: 60 },
    );
  });

  test('starts that race (all sent with the same cookies) still leave at most FLOW_SLOTS', async () => {
    const jar = new Jar();
    const header = jar.header();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => handle({ uri: `/page/${i}`, headers: [['Sec-Fetch-Mode', 'navigate'], ['Cookie', header]] })));
    for (const result of results) jar.apply(setCookiesOf(result));
    expect(jar.cookies.size).toBeLessThanOrEqual(FLOW_SLOTS);
  });

  test('the largest callback request a hostile page can cause stays under CloudFront\'s 20,480 bytes', async () => {
    const jar = new Jar();
    // FLOW_SLOTS starts, each with the longest return path the edge keeps (2,048 characters).
    for (let i = 0; i < FLOW_SLOTS * 3; i++) {
      const uri = `/${String(i).padEnd(2047, 'x')}`;
      const result = await handle({ uri, headers: [['Sec-Fetch-Mode', 'navigate'], ['Cookie', jar.header(uri)]] });
      jar.apply(setCookiesOf(result));
    }
    // The largest session cookie: a 256-code-point name of 4-byte characters, a long email.
    const session = await sessionCookie(config, keys, { name: '\u{1F600}'.repeat(MAX_NAME_LENGTH), email: `${'e'.repeat(200)}@example.com`, uid: 'u'.repeat(255) });
    const cookie = `${jar.header()}; edge-oauth=${session.value}`;
    const headers = {
      host: [{ key: 'Host', value: 'app.example.com' }],
      'user-agent': [{ key: 'User-Agent', value: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36' }],
      accept: [{ key: 'Accept', value: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8' }],
      'accept-language': [{ key: 'Accept-Language', value: 'en-GB,en;q=0.9' }],
      referer: [{ key: 'Referer', value: `https://idp.example.com/${'r'.repeat(1000)}` }],
      cookie: [{ key: 'Cookie', value: cookie }],
    };
    const query = `code=${'c'.repeat(1024)}&state=${randomBytes(32).toString('base64url')}&iss=${encodeURIComponent('https://idp.example.com')}`;
    const bytes = requestHeadBytes('GET', '/auth/callback', query, headers);
    console.log(`largest callback request: ${bytes} bytes`);
    // Measured: 17,061 bytes with these (generous) sizes; the rest is room for the site's own cookies.
    expect(bytes).toBeLessThan(MAX_REQUEST_BYTES - 3000);
  });
});
