/**
 * Public paths and path rules at the edge (the real handler and core):
 * - no generated path outside the public prefixes is served anonymously, and no spelling
 *   the normaliser would change is (encoded `/` or `\`, dot segments, `;`, doubled slashes);
 * - a public path still has client-sent identity headers stripped, and gets them when a
 *   valid session is present;
 * - a path rule narrows: no spelling of a ruled path reaches the origin for a user the rule
 *   does not admit, and the 403 page names the site, not the rule.
 */
import fc from 'fast-check';
import { seal } from '../../lambdas/core/keys/seal';
import { newSessionClaims } from '../../lambdas/core/session/session-cookie';
import { normalizePath } from '../../lambdas/core/viewer/special-paths';
import { edge, forwardedHeaders, isResponse, keySet, NOW, securityConfig } from './support';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import type { KeySet } from '../../lambdas/core/keys/key-set';

const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, '0');

async function cookieFor(config: EdgeConfig, keys: KeySet, email: string, groups?: string[]): Promise<string> {
  const claims = newSessionClaims(config, { sid: `sid-${email}-${groups?.length ?? 0}`, uid: email, prv: 'corp', name: 'User', email, groups, now: NOW - 60 });
  return `edge-oauth=${await seal(claims, keys.current)}`;
}

/** Path pieces that real servers read differently, and plain ones. */
const piece = fc.constantFrom(
  'public', 'Public', 'PUBLIC', 'healthz', 'healthz.', 'admin', 'x', 'a.css', '.', '..', '...', '',
  '%2e', '%2e%2e', '%2f', '%2F', '%5c', '%252f', 'public%2fx', '%70ublic', 'a;b', '..;', 'public;x', ' ', '%20', '\\', 'public\\..',
);
const generatedPath = fc.array(piece, { minLength: 1, maxLength: 6 }).map((parts) => `/${parts.join('/')}`);

/** An independent reading of "plain": what CloudFront and any origin agree on. */
function plainlyUnder(uri: string): boolean {
  if (/[%\\;\s]/.test(uri) || uri.includes('//')) return false;
  const segments = uri.split('/').slice(1);
  if (segments.some((s) => s === '.' || s === '..' || s.endsWith('.'))) return false;
  return uri === '/healthz' || uri.startsWith('/public/');
}

describe('public paths (property)', () => {
  const config = securityConfig({ publicPaths: ['/public/', '/healthz'], paths: [{ prefix: '/admin/', allow: { emails: ['boss@example.com'] } }] });
  const { keys } = keySet();
  const { handle } = edge({ config, keys });

  test('no generated path outside the public prefixes, nor any non-plain spelling, is served anonymously', async () => {
    await fc.assert(
      fc.asyncProperty(generatedPath, async (uri) => {
        const result = await handle({ uri, headers: [['Edge-OAuth-User-Email', 'forged@example.com']] });
        if (isResponse(result)) return;
        expect([uri, plainlyUnder(uri)]).toEqual([uri, true]);
        // Stripped even here: the origin cannot be fooled on a public path either.
        expect(Object.keys(forwardedHeaders(result)).filter((h) => h.startsWith('edge-oauth-'))).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  test('arbitrary strings never throw and are never public unless plain', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), async (tail) => {
        const uri = `/public/${tail}`;
        const result = await handle({ uri });
        if (!isResponse(result)) expect(plainlyUnder(uri)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('known spellings', async () => {
    const served = async (uri: string) => !isResponse(await handle({ uri }));
    expect(await served('/public/logo.png')).toBe(true);
    expect(await served('/public/')).toBe(true);
    expect(await served('/healthz')).toBe(true);
    for (const uri of ['/public', '/healthz/', '/healthzz', '/PUBLIC/x', '/public/../admin/', '/public/%2e%2e/admin/', '/public%2f..%2fadmin/', '/public/..%5cadmin', '/public//x', '/public/x;y', '/public/x.', '/public/%41', '/x/../public/a']) {
      expect([uri, await served(uri)]).toEqual([uri, false]);
    }
  });

  test('a valid session on a public path adds the identity; an invalid one is ignored, not a sign-in', async () => {
    const cookie = await cookieFor(config, keys, 'ada@example.com', ['eng']);
    const withSession = forwardedHeaders(await handle({ uri: '/public/x', headers: [['Cookie', cookie]] }));
    expect(withSession['edge-oauth-user-email']).toEqual(['ada@example.com']);
    expect(withSession['edge-oauth-user-groups']).toEqual(['eng']);
    expect(withSession['edge-oauth-jwt-assertion']).toHaveLength(1);
    const garbage = forwardedHeaders(await handle({ uri: '/public/x', headers: [['Cookie', 'edge-oauth=garbage; other=1']] }));
    expect(garbage['edge-oauth-user-email']).toBeUndefined();
    expect(garbage.cookie).toEqual(['other=1']);
  });
});

describe('path rules', () => {
  const config = securityConfig({
    paths: [
      { prefix: '/admin/public/', allow: { emailDomains: ['example.com'] } },
      { prefix: '/admin/', allow: { emails: ['boss@example.com'] } },
      { prefix: '/eng/', allow: { groups: ['eng'] } },
    ],
  });
  const { keys } = keySet();
  const { handle } = edge({ config, keys });

  test('first match wins; a rule narrows; the 403 page names the site and the account, never the rule', async () => {
    const ada = await cookieFor(config, keys, 'ada@example.com');
    const boss = await cookieFor(config, keys, 'boss@example.com');
    const status = async (uri: string, cookie: string) => {
      const result = await handle({ uri, headers: [['Cookie', cookie]] });
      return isResponse(result) ? Number(result.status) : 200;
    };
    expect(await status('/admin/public/x', ada)).toBe(200);
    expect(await status('/other', ada)).toBe(200);
    for (const uri of ['/admin/x', '/admin', '/admin/', '/ADMIN/x', '/admin/PUBLIC/x', '/x/../admin/y', '/admin%2fx', '/%61dmin/x', '/admin/public/../x', '/admin;x/PUBLIC/z', '/eng/x']) {
      expect([uri, await status(uri, ada)]).toEqual([uri, 403]);
    }
    for (const uri of ['/admin/x', '/admin/PUBLIC/x', '/admin/public/x']) expect([uri, await status(uri, boss)]).toEqual([uri, 200]);
    const page = await handle({ uri: '/admin/x', headers: [['Cookie', ada]] });
    if (!isResponse(page)) throw new Error('expected a page');
    expect(page.body).toContain('Security Test Site');
    expect(page.body).toContain('ada@example.com');
    expect(page.body).not.toMatch(/boss|\/admin|example\.com"|rule/i);
    // The session stays: no cookie is cleared.
    expect(page.headers?.['set-cookie']).toBeUndefined();
  });

  test('no spelling of /admin/... reaches the origin for a user the rule does not admit (property)', async () => {
    const ada = await cookieFor(config, keys, 'ada@example.com');
    // "admin" in any case or encoding, then a tail outside /admin/public/; or "admin" in
    // lower case (every origin reads it as /admin/), then "PUBLIC": /admin/public/ only to an
    // origin that folds case, where that rule (which ada passes) is the one meant.
    const spelled = (c: string, upper: boolean) => fc.constantFrom(...[c, `%${hex(c)}`, `%25${hex(c)}`, ...(upper ? [c.toUpperCase()] : [])]);
    const spelling = (upper: boolean, tails: string[]) =>
      fc
        .tuple(
          fc.constantFrom('/', '//', '/./', '/x/../', '/%2e/', '/x/..;/', '/\\'),
          fc.tuple(...[...'admin'].map((c) => spelled(c, upper))).map((cs) => cs.join('')),
          fc.constantFrom('/', '%2f', '\\', '/./', '//', ';x/', './', '/public/../'),
          fc.constantFrom(...tails),
        )
        .map((parts) => parts.join(''));
    const admin = fc.oneof(spelling(true, ['x', 'secret/y', '']), spelling(false, ['PUBLIC/z', 'Public/z']));
    await fc.assert(
      fc.asyncProperty(admin, async (uri) => {
        const result = await handle({ uri, headers: [['Cookie', ada]] });
        expect([uri, isResponse(result)]).toEqual([uri, true]);
      }),
      { numRuns: 300 },
    );
  });

  test('groups decide a rule; groups kept only server-side and not known here fail closed (503)', async () => {
    const inEng = await cookieFor(config, keys, 'eve@other.example', ['eng']);
    const notInEng = await cookieFor(config, keys, 'eve@other.example', ['ops']);
    const many = Array.from({ length: 500 }, (_, i) => `group-${String(i).padStart(4, '0')}-with-a-longer-name`);
    const serverSide = await cookieFor(config, keys, 'eve@other.example', many);
    expect(isResponse(await handle({ uri: '/eng/x', headers: [['Cookie', inEng]] }))).toBe(false);
    const refused = await handle({ uri: '/eng/x', headers: [['Cookie', notInEng]] });
    expect(isResponse(refused) && refused.status).toBe('403');
    expect(Buffer.byteLength(serverSide)).toBeLessThan(4096);
    const unknown = await handle({ uri: '/eng/x', headers: [['Cookie', serverSide]] });
    expect(isResponse(unknown) && unknown.status).toBe('503');
  });
});

describe('the plain-path shortcut (property)', () => {
  test('a path the shortcut calls plain is one the normaliser leaves as it is (its trailing "/" aside)', () => {
    const NOT_PLAIN = /[%\\;\x00-\x20\x7f]|\/\/|\.(\/|$)/;
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('/', '.', 'a', 'B', '%', '2', 'e', '\\', ';', ' ', 'é', '\t'), maxLength: 30 }), (tail) => {
        const uri = `/${tail}`;
        if (NOT_PLAIN.test(uri)) return;
        const stripped = uri.length > 1 && uri.endsWith('/') ? uri.slice(0, -1) : uri;
        expect(normalizePath(uri, true)).toBe(stripped);
        expect(normalizePath(uri)).toBe(stripped.toLowerCase());
      }),
      { numRuns: 1000 },
    );
  });
});
