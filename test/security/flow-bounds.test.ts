/**
 * Many tabs, one browser (issue 24), and a hostile page (issue #16, defect 4), in a cookie
 * jar that keeps cookies the way RFC 6265 says browsers do: one cookie per (name, domain,
 * path) (5.3 step 11: a new one replaces the old), `Max-Age=0` deletes (5.3 step 11-12), the
 * Cookie header carries every cookie whose path matches (5.4). Starts that race are sent
 * with the same cookies and their responses are applied in any order (fast-check picks it).
 *
 * Regressions: (1) flow cookies were one of four fixed names chosen from the return path's
 * hash; two tabs that started at once could pick the same name, and the later overwrote the
 * earlier: that tab's callback was a 400 dead end. (2) Before that, flow cookies on
 * `Path=/auth/callback` were never seen by the starts, and a page pushed the callback past
 * CloudFront's 20,480-byte limit. The Chromium proofs are test/e2e/many-tabs.e2e.test.ts and
 * test/e2e/session-limits.e2e.test.ts.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { finishCallback } from '../../lambdas/core/sign-in/callback';
import { FLOW_TTL, MAX_PENDING_FLOWS } from '../../lambdas/core/sign-in/flow';
import { returnPathOf } from '../../lambdas/core/sign-in/return-path';
import { MAX_NAME_LENGTH } from '../../lambdas/core/session/session-cookie';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import { MAX_REQUEST_BYTES, requestHeadBytes } from '../../local/emulators/cloudfront/validate';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { edge, fragmentPageTarget, keySet, locationOf, NOW, securityConfig, sessionCookie, setCookiesOf, SITE, stubProvider, viewerEvent } from './support';

const { keys } = keySet();

/** A browser's cookie store for one host (host-only cookies: the domain is the host). */
class Jar {
  readonly cookies = new Map<string, { name: string; path: string; value: string }>();
  apply(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const key = `${name}\u0000${SITE}\u0000${path}`;
      if (attrs.some((a) => /^max-age=0$/i.test(a))) this.cookies.delete(key);
      else this.cookies.set(key, { name, path, value });
    }
  }
  /** The Cookie header for a request to `path` (RFC 6265 5.1.4 path-match). */
  header(path = '/auth/callback'): string {
    const matches = (p: string) => path === p || (path.startsWith(p) && (p.endsWith('/') || path[p.length] === '/'));
    return [...this.cookies.values()].filter((c) => matches(c.path)).map((c) => `${c.name}=${c.value}`).join('; ');
  }
  flows(prefix = 'edge-oauth'): number {
    return [...this.cookies.values()].filter((c) => c.name.startsWith(`${prefix}-flow-`)).length;
  }
}

const deepLink = fc.oneof(
  fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
  fc.tuple(fc.webPath(), fc.webQueryParameters()).map(([p, q]) => `/${p.replace(/^\/+/, '')}?${q}`),
  fc.integer({ min: 1, max: 2040 }).map((n) => `/${'a'.repeat(n)}`),
);

interface Tab {
  readonly path: string;
  readonly state: string;
}

function target(path: string): { uri: string; querystring: string } {
  const q = path.indexOf('?');
  return q < 0 ? { uri: path, querystring: '' } : { uri: path.slice(0, q), querystring: path.slice(q + 1) };
}

/** Tabs that start at once: every request carries the same cookies; the responses land in `order`. */
async function startAtOnce(config: ReturnType<typeof securityConfig>, jar: Jar, paths: readonly string[], now: number, order: readonly number[] = paths.map((_, i) => i)): Promise<Tab[]> {
  const { handle } = edge({ config, keys, now });
  const results = await Promise.all(paths.map((path) => handle({ ...target(path), headers: [['Sec-Fetch-Mode', 'navigate'], ['Sec-Fetch-Dest', 'document'], ['Cookie', jar.header(path)]] })));
  for (const i of order) jar.apply(setCookiesOf(results[i]!));
  return results.map((r, i) => ({ path: paths[i]!, state: new URL(locationOf(r)!).searchParams.get('state')! }));
}

/** The tab's callback, with what the jar holds then; its answer is applied to the jar. */
async function callback(config: ReturnType<typeof securityConfig>, jar: Jar, sessions: MemorySessionStore, tab: Tab, now: number) {
  const done = await finishCallback(
    { config, keys, providers: new Map([['corp', stubProvider()]]), sessions, now, random: randomBytes, scheme: 'https' },
    { querystring: `code=c&state=${tab.state}`, cookieHeaders: [jar.header()], host: SITE },
  );
  jar.apply(done.setCookies);
  // A browser's start (Sec-Fetch-Dest: document) ends at the page that restores the tab's
  // fragment (viewer/fragment-pages.ts), which then goes where a 302 would: read as that 302.
  const to = done.status === 200 ? fragmentPageTarget(done.body) : undefined;
  return to === undefined ? done : { ...done, status: 302, headers: { ...done.headers, location: to } };
}

const permutation = (n: number) => fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n });

describe('many tabs, one browser: every concurrent sign-in completes', () => {
  const config = securityConfig();

  test('up to ten tabs at once, responses in any order, callbacks in any order: every tab lands on its own deep link', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(deepLink, { minLength: 1, maxLength: 10 }).chain((paths) => fc.tuple(fc.constant(paths), permutation(paths.length), permutation(paths.length))),
        fc.integer({ min: 0, max: FLOW_TTL - 5 }),
        async ([paths, applied, finished], delay) => {
          const jar = new Jar();
          const sessions = new MemorySessionStore(() => NOW);
          const tabs = await startAtOnce(config, jar, paths, NOW, applied);
          for (const i of finished) {
            const done = await callback(config, jar, sessions, tabs[i]!, NOW + delay);
            const { uri, querystring } = target(paths[i]!);
            expect([done.status, done.headers.location]).toEqual([302, returnPathOf(uri, querystring)]);
          }
          expect(jar.flows()).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  test('tabs started 9 minutes earlier, then a second wave of tabs: all complete (the older ones too)', async () => {
    const jar = new Jar();
    const sessions = new MemorySessionStore(() => NOW);
    const early = await startAtOnce(config, jar, Array.from({ length: 5 }, (_, i) => `/early/${i}?x=${i}`), NOW);
    const late = await startAtOnce(config, jar, Array.from({ length: 10 }, (_, i) => `/late/${i}`), NOW + 540);
    for (const tab of [...late, ...early]) expect((await callback(config, jar, sessions, tab, NOW + 590)).headers.location).toBe(tab.path);
  });

  test('a tab whose attempt was lost (evicted, or its cookie gone) still goes on: signed in meanwhile, straight to its deep link', async () => {
    const jar = new Jar();
    const sessions = new MemorySessionStore(() => NOW);
    const [lost] = await startAtOnce(config, jar, ['/lost?tab=1'], NOW);
    // MAX_PENDING_FLOWS later starts, one after another: the first tab's cookie is evicted.
    const later: Tab[] = [];
    for (let i = 0; i < MAX_PENDING_FLOWS; i++) later.push(...(await startAtOnce(config, jar, [`/later/${i}`], NOW + 1 + i)));
    const before = await callback(config, jar, sessions, lost!, NOW + 30);
    expect([before.status, before.reason, before.body]).toEqual([400, 'flow-missing', expect.stringContaining('/auth/login?provider=corp&amp;rd=%2Flost%3Ftab%3D1&amp;retry=1')]);
    expect((await callback(config, jar, sessions, later[0]!, NOW + 31)).status).toBe(302);
    const after = await callback(config, jar, sessions, lost!, NOW + 32);
    expect([after.status, after.reason, after.headers.location]).toEqual([302, 'flow-missing-signed-in', '/lost?tab=1']);
  });
});

describe('a mix of providers on the picker', () => {
  test('tabs that start at once at different providers each finish at their own provider, on their own deep link', async () => {
    const config = securityConfig({
      providers: [
        { id: 'corp', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'client-1', clientSecret: 'edge-oauth/corp' },
        { id: 'other', type: 'oidc', issuer: 'https://other.example.com', clientId: 'client-2', clientSecret: 'edge-oauth/other' },
      ],
    });
    const providers = new Map([['corp', stubProvider()], ['other', { ...stubProvider(), id: 'other' }]]);
    const handler = createViewerHandler({ config, keys: async () => keys, providers, random: randomBytes, clock: () => NOW * 1000 });
    const jar = new Jar();
    const picks = Array.from({ length: 8 }, (_, i) => ({ provider: i % 2 === 0 ? 'corp' : 'other', rd: `/mix/${i}?p=${i}` }));
    const header = jar.header('/auth/login');
    const results = await Promise.all(picks.map((p) => handler(viewerEvent({ uri: '/auth/login', querystring: `provider=${p.provider}&rd=${encodeURIComponent(p.rd)}`, headers: [['Sec-Fetch-Mode', 'navigate'], ['Cookie', header]] }))));
    for (const r of [...results].reverse()) jar.apply(setCookiesOf(r));
    const sessions = new MemorySessionStore(() => NOW);
    for (const [i, r] of results.entries()) {
      const state = new URL(locationOf(r)!).searchParams.get('state')!;
      const done = await finishCallback(
        { config, keys, providers, sessions, now: NOW + 5, random: randomBytes, scheme: 'https' },
        { querystring: `code=c&state=${state}`, cookieHeaders: [jar.header()], host: SITE },
      );
      jar.apply(done.setCookies);
      expect([done.status, done.headers.location, done.session?.prv]).toEqual([302, picks[i]!.rd, picks[i]!.provider]);
    }
  });
});

describe('no dead end, and no loop', () => {
  const config = securityConfig();

  test('a lost attempt restarts by itself once; a second loss in a row shows the page without the automatic step', async () => {
    const { handle } = edge({ config, keys, now: NOW });
    const sessions = new MemorySessionStore(() => NOW);
    const lostOnce = await callback(config, new Jar(), sessions, (await startAtOnce(config, new Jar(), ['/report?id=1'], NOW))[0]!, NOW + 1);
    expect(lostOnce.body).toContain('<meta http-equiv="refresh" content="1;url=/auth/login?provider=corp&amp;rd=%2Freport%3Fid%3D1&amp;retry=1">');
    // The page's link, followed in a browser that keeps no cookies: the retry is sealed in the new state.
    const again = await handle({ uri: '/auth/login', querystring: 'provider=corp&rd=%2Freport%3Fid%3D1&retry=1', headers: [['Sec-Fetch-Mode', 'navigate']] });
    const lostTwice = await callback(config, new Jar(), sessions, { path: '/report?id=1', state: new URL(locationOf(again)!).searchParams.get('state')! }, NOW + 2);
    expect([lostTwice.status, lostTwice.reason]).toEqual([400, 'flow-missing']);
    expect(lostTwice.body).not.toContain('http-equiv');
    expect(lostTwice.body).toContain('href="/auth/login?provider=corp&amp;rd=%2Freport%3Fid%3D1&amp;retry=1"');
  });

  test('a state we did not seal: a page with a way on (sign in, back to /), never a bare 400', async () => {
    const done = await callback(config, new Jar(), new MemorySessionStore(() => NOW), { path: '/', state: 'A'.repeat(43) }, NOW);
    expect([done.status, done.reason]).toEqual([400, 'flow-invalid']);
    expect(done.body).toContain('href="/auth/login"');
  });
});

describe('a hostile page cannot push the callback past CloudFront\'s limit, nor lock the user out', () => {
  // The longest cookie prefix config allows (32): the longest flow cookie names.
  const prefix = 'p'.repeat(32);
  const config = securityConfig({ session: { cookiePrefix: prefix } });
  /** Top-level page loads a page can have in flight at once (its own, plus a popup per click): generously. */
  const RACING = 40;

  test('any starts, one after another or racing (responses in any order): pending attempts stay bounded; a new sign-in completes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(deepLink, { minLength: 1, maxLength: RACING }).chain((paths) => fc.tuple(fc.constant(paths), permutation(paths.length))), { minLength: 1, maxLength: 6 }),
        async (waves) => {
          const jar = new Jar();
          let t = NOW;
          for (const [paths, order] of waves) {
            const seen = jar.flows(prefix);
            await startAtOnce(config, jar, paths, (t += 3), order);
            // Each start deleted all but the newest MAX_PENDING_FLOWS - 1 it saw, then added its own.
            expect(jar.flows(prefix)).toBeLessThanOrEqual(Math.min(seen, MAX_PENDING_FLOWS - 1) + paths.length);
          }
          const [mine] = await startAtOnce(config, jar, ['/mine'], (t += 3));
          expect(jar.flows(prefix)).toBeLessThanOrEqual(MAX_PENDING_FLOWS);
          const done = await callback(config, jar, new MemorySessionStore(() => NOW), mine!, t + 1);
          expect([done.status, done.headers.location]).toEqual([302, '/mine']);
        },
      ),
      { numRuns: 40 },
    );
  });

  test("the largest callback request after racing starts stays under CloudFront's 20,480 bytes", async () => {
    const jar = new Jar();
    // MAX_PENDING_FLOWS - 1 pending, then RACING more at once, each with the longest return path.
    await startAtOnce(config, jar, Array.from({ length: MAX_PENDING_FLOWS }, (_, i) => `/${String(i).padEnd(2047, 'x')}`), NOW);
    const racing = await startAtOnce(config, jar, Array.from({ length: RACING }, (_, i) => `/${String(i).padEnd(2047, 'y')}`), NOW + 1);
    expect(jar.flows(prefix)).toBe(MAX_PENDING_FLOWS - 1 + RACING);
    // The largest session cookie: a 256-code-point name of 4-byte characters, a long email.
    const session = await sessionCookie(config, keys, { name: '\u{1F600}'.repeat(MAX_NAME_LENGTH), email: `${'e'.repeat(200)}@example.com`, uid: 'u'.repeat(255) });
    const headers = {
      host: [{ key: 'Host', value: SITE }],
      'user-agent': [{ key: 'User-Agent', value: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36' }],
      accept: [{ key: 'Accept', value: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8' }],
      'accept-language': [{ key: 'Accept-Language', value: 'en-GB,en;q=0.9' }],
      referer: [{ key: 'Referer', value: `https://idp.example.com/${'r'.repeat(1000)}` }],
      cookie: [{ key: 'Cookie', value: `${jar.header()}; ${prefix}=${session.value}` }],
    };
    // The state of a 2,048-character return path, a 1 KB code.
    const query = `code=${'c'.repeat(1024)}&state=${racing[0]!.state}&iss=${encodeURIComponent('https://idp.example.com')}`;
    const bytes = requestHeadBytes('GET', '/auth/callback', query, headers);
    console.log(`largest callback request (${MAX_PENDING_FLOWS - 1} pending + ${RACING} racing, 32-character prefix): ${bytes} bytes`);
    expect(bytes).toBeLessThan(MAX_REQUEST_BYTES - 2000);
  });
});
