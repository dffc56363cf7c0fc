/**
 * The pages that keep a tab's URL fragment across sign-in (lambdas/core/viewer/fragment-pages.ts):
 * exactly one script, allowed by its CSP hash and by nothing else, no input inside it, every
 * value escaped in its attribute, small enough for a viewer-request response (40 KB).
 */
import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  FRAGMENT_PAGE_HEADERS,
  FRAGMENT_PAGE_MAX_BYTES,
  FRAGMENT_SCRIPT,
  fragmentKey,
  fragmentPage,
} from '../../../lambdas/core/viewer/fragment-pages';
import { finishCallback } from '../../../lambdas/core/sign-in/callback';
import { MemorySessionStore } from '../../../lambdas/store/memory/sessions';
import { GENERATED_RESPONSE_MAX_BYTES } from '../../../lambdas/core/edge-limits';
import { edge, fragmentPageTarget, keySet, NOW, securityConfig, setCookiesOf, SITE, stubProvider } from '../../security/support';

const scripts = (body: string) => [...body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];

describe('fragment pages', () => {
  test('the CSP allows exactly the one script of the page, by its hash, and no other source of script', () => {
    for (const mode of ['save', 'restore'] as const) {
      const body = fragmentPage(mode, 'abc123', 'https://idp.example/authorize?a=1&b=2')!;
      const found = scripts(body);
      expect(found).toHaveLength(1);
      expect(found[0]![2]).toBe(FRAGMENT_SCRIPT);
      const hash = createHash('sha256').update(found[0]![2]!).digest('base64');
      const csp = FRAGMENT_PAGE_HEADERS['content-security-policy']!;
      expect(csp).toContain(`script-src 'sha256-${hash}';`);
      expect(csp).toMatch(/^default-src 'none';/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|nonce-/);
      expect(body).not.toMatch(/\son[a-z]+=/i); // no event handler attributes
    }
  });

  test('no input reaches the script: any URL or key stays inside its attribute, escaped ("</script>" impossible)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 40 }), fc.constantFrom('save' as const, 'restore' as const), (to, id, mode) => {
        const hostile = `${to}"></script><script>alert(1)</script>'&<`;
        const body = fragmentPage(mode, id, hostile)!;
        expect(scripts(body)).toHaveLength(1);
        expect(scripts(body)[0]![2]).toBe(FRAGMENT_SCRIPT);
        expect(body.match(/<\/script/gi)).toHaveLength(1);
        expect(fragmentPageTarget(body)).toBe(hostile);
        const key = /data-k="([^"]*)"/.exec(body)![1]!;
        expect(key).not.toMatch(/[<>"']/);
        expect(key.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!)).toBe(fragmentKey(id));
      }),
      { numRuns: 300 },
    );
  });

  test('the page for the longest provider URL fits the budget; past it the caller falls back to the 302', () => {
    const long = `https://idp.example/authorize?state=${'A'.repeat(4000)}&redirect_uri=${'x&'.repeat(1000)}`;
    const body = fragmentPage('save', 'abc', long)!;
    expect(Buffer.byteLength(body)).toBeLessThan(FRAGMENT_PAGE_MAX_BYTES);
    expect(FRAGMENT_PAGE_MAX_BYTES).toBeLessThan(GENERATED_RESPONSE_MAX_BYTES - 4096); // headers and JSON framing
    expect(fragmentPage('save', 'abc', `https://idp.example/?s=${'&'.repeat(FRAGMENT_PAGE_MAX_BYTES / 5)}`)).toBeUndefined();
  });

  test('without JavaScript the flow goes on (a <noscript> refresh and link), without the fragment', () => {
    const body = fragmentPage('save', 'id', 'https://idp.example/authorize?x=1&y=2')!;
    expect(body).toContain('<noscript><meta http-equiv="refresh" content="0;url=https://idp.example/authorize?x=1&amp;y=2"></noscript>');
    expect(body).toContain('<a href="https://idp.example/authorize?x=1&amp;y=2">Continue</a>');
  });
});

describe('sign-in start and callback: the page only for a browser top-level load', () => {
  const config = securityConfig();
  const { keys } = keySet();
  const browser: Array<[string, string]> = [['Sec-Fetch-Mode', 'navigate'], ['Sec-Fetch-Dest', 'document']];

  async function start(headers: Array<[string, string]>) {
    const { handle } = edge({ config, keys, now: NOW });
    return handle({ uri: '/deep/page', querystring: 'q=1', headers });
  }

  async function callback(result: Awaited<ReturnType<typeof start>>) {
    const r = result as { headers?: Record<string, Array<{ value: string }>>; body?: string };
    const to = r.headers?.location?.[0]?.value ?? fragmentPageTarget(r.body)!;
    const state = new URL(to).searchParams.get('state')!;
    const cookie = setCookiesOf(result).map((c) => c.split(';')[0]).join('; ');
    return finishCallback(
      { config, keys, providers: new Map([['corp', stubProvider()]]), sessions: new MemorySessionStore(() => NOW), now: NOW + 5, random: randomBytes, scheme: 'https' },
      { querystring: `code=c&state=${state}`, cookieHeaders: [cookie], host: SITE },
    );
  }

  test('a browser page load: the save page, then at the callback the restore page to the deep link, under the same key', async () => {
    const started = (await start(browser)) as { status: string; body?: string; headers: Record<string, Array<{ value: string }>> };
    expect(started.status).toBe('200');
    expect(started.headers['content-security-policy']![0]!.value).toBe(FRAGMENT_PAGE_HEADERS['content-security-policy']);
    expect(started.headers['set-cookie']!.some((c) => c.value.startsWith('edge-oauth-flow-'))).toBe(true);
    const saveKey = /data-k="([^"]*)"/.exec(started.body!)![1];
    const done = await callback(started);
    expect([done.status, done.reason, done.headers['content-security-policy']]).toEqual([200, 'signed-in', FRAGMENT_PAGE_HEADERS['content-security-policy']]);
    expect(fragmentPageTarget(done.body)).toBe('/deep/page?q=1');
    expect(done.body).toContain('data-s="0"');
    expect(/data-k="([^"]*)"/.exec(done.body!)![1]).toBe(saveKey);
    expect(done.setCookies.some((c) => c.startsWith('edge-oauth='))).toBe(true);
  });

  test.each([
    ['no Fetch Metadata (curl, an old browser)', []],
    ['Sec-Fetch-Mode only', [['Sec-Fetch-Mode', 'navigate']]],
  ] as Array<[string, Array<[string, string]>]>)('%s: the plain 302 at start and at the callback', async (_, headers) => {
    const started = (await start(headers)) as { status: string };
    expect(started.status).toBe('302');
    const done = await callback(started as never);
    expect([done.status, done.headers.location, done.body]).toEqual([302, '/deep/page?q=1', undefined]);
  });
});
