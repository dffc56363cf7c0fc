/**
 * Property: parsing cookies and opening sealed values never throws, whatever the bytes, and
 * never yields a session (or a sign-in flow) without a valid seal. A changed seal either
 * fails to open or — base64url's unused trailing bits aside — opens to exactly what was
 * sealed: nothing can be forged. What goes on to the origin never contains our cookies.
 */
import fc from 'fast-check';
import { cookieValues, parseCookies, withoutCookies } from '../../lambdas/core/shared/cookies';
import { readFlow } from '../../lambdas/core/sign-in/flow';
import { open, seal } from '../../lambdas/core/keys/seal';
import { isOwnCookie, readSession } from '../../lambdas/core/session/session-cookie';
import { keySet, NOW, securityConfig, sessionCookie } from './support';

const config = securityConfig();
const { keys } = keySet('k1');
const { keys: foreign } = keySet('k1'); // another deployment: same kid, different key

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const cookieText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc
    .tuple(
      fc.array(fc.tuple(fc.constantFrom('edge-oauth', 'edge-oauth-flow-x', 'a', ' edge-oauth ', '', '='), fc.string({ maxLength: 40 })), { maxLength: 6 }),
      fc.constantFrom('; ', ';', ' ; '),
    )
    .map(([pairs, separator]) => pairs.map(([n, v]) => `${n}=${v}`).join(separator)),
);
const jweLike = fc
  .array(fc.string({ unit: fc.constantFrom(...B64), maxLength: 60 }), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join('.'));

describe('cookie parsing (property)', () => {
  test('never throws on any header bytes; withoutCookies never passes one of ours on', () => {
    const ours = (name: string) => isOwnCookie(config, name);
    fc.assert(
      fc.property(fc.array(cookieText, { maxLength: 4 }), (headers) => {
        const jar = parseCookies(headers);
        const rest = withoutCookies(headers, ours);
        if (rest !== undefined) expect([...parseCookies([rest]).keys()].filter(ours)).toEqual([]);
        for (const name of jar.keys()) if (!ours(name)) expect(parseCookies([rest ?? '']).has(name)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

/** withoutCookies as it was written before its one-header shortcut: the oracle. */
function splitAndJoin(headers: readonly string[], drop: (name: string) => boolean): string | undefined {
  const kept: string[] = [];
  for (const pair of headers.flatMap((h) => h.split(';'))) {
    const trimmed = pair.trim();
    const eq = trimmed.indexOf('=');
    if (trimmed !== '' && !drop((eq < 0 ? trimmed : trimmed.slice(0, eq)).trim())) kept.push(trimmed);
  }
  return kept.length > 0 ? kept.join('; ') : undefined;
}

describe('withoutCookies (property)', () => {
  test('its one-header shortcut gives what splitting and joining gives, with or without the candidates prefix', () => {
    const ours = (name: string) => isOwnCookie(config, name);
    const browserLike = fc
      .array(fc.tuple(fc.constantFrom('edge-oauth', 'edge-oauth-flow-x', 'edge-oauth-other', 'a', '_ga', 'lang'), fc.string({ unit: fc.constantFrom(...B64, '=', '.', ' '), maxLength: 30 })), { minLength: 1, maxLength: 8 })
      .map((pairs) => pairs.map(([n, v]) => `${n}=${v}`).join('; '));
    fc.assert(
      fc.property(fc.oneof(cookieText, browserLike), (header) => {
        const expected = splitAndJoin([header], ours);
        expect(withoutCookies([header], ours)).toBe(expected);
        expect(withoutCookies([header], ours, 'edge-oauth')).toBe(expected);
      }),
      { numRuns: 2000 },
    );
    expect(withoutCookies(['edge-oauth=x; a=1; edge-oauth-flow-x=y; b=2; edge-oauth=z'], ours, 'edge-oauth')).toBe('a=1; b=2');
    expect(withoutCookies(['edge-oauth=x; edge-oauth-flow-x=y'], ours, 'edge-oauth')).toBeUndefined();
    expect(withoutCookies(['a=1; b=2'], ours, 'edge-oauth')).toBe('a=1; b=2');
  });
});

describe('cookieValues (property)', () => {
  test('gives what parsing the whole jar gives for that name', () => {
    const spaced = fc.constantFrom('edge-oauth', ' edge-oauth', 'edge-oauth ', '\tedge-oauth\u00a0', 'xedge-oauth', 'edge-oauth-flow-x', 'a', '_ga');
    const header = fc
      .array(fc.tuple(spaced, fc.constantFrom('=', ' =', '=='), fc.string({ unit: fc.constantFrom(...B64, '=', '"', ' ', ';'), maxLength: 20 })), { maxLength: 6 })
      .map((pairs) => pairs.map(([n, e, v]) => `${n}${e}${v}`).join(';'));
    fc.assert(
      fc.property(fc.array(fc.oneof(cookieText, header), { maxLength: 3 }), fc.constantFrom('edge-oauth', 'a', 'edge-oauth-flow-x', 'a=b', ''), (headers, name) => {
        expect(cookieValues(headers, name)).toEqual(name.includes('=') ? undefined : parseCookies(headers).get(name));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('unsealing (property)', () => {
  test('arbitrary and JWE-shaped strings never open and never throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), jweLike, jweLike.map((s) => `${s}..`)), (token) => {
        expect(open(token, keys)).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });

  test('a sealed value changed anywhere opens to nothing, or to exactly what was sealed', async () => {
    const { value, claims } = await sessionCookie(config, keys);
    // The genuine value is in the container's cache of opened cookies first (keyed by its tag,
    // session/session-cookie.ts): a changed value that keeps the tag must still be opened, never served from it.
    expect(readSession(config, keys, [`edge-oauth=${value}`], NOW).status).toBe('valid');
    fc.assert(
      fc.property(fc.nat(value.length - 1), fc.constantFrom(...B64, '.', '=', '%', ' ', '"'), (at, c) => {
        const changed = value.slice(0, at) + c + value.slice(at + 1);
        const opened = open(changed, keys);
        if (opened !== undefined) expect(opened).toEqual(claims);
        const lookup = readSession(config, keys, [`edge-oauth=${changed}`], NOW);
        expect(lookup.status === 'valid').toBe(opened !== undefined);
        if (lookup.status === 'valid') expect(lookup.claims).toEqual(claims);
      }),
      { numRuns: 400 },
    );
  });

  test('truncated at any length, or sealed by another deployment, it never opens', async () => {
    const { value } = await sessionCookie(config, keys);
    for (let n = 0; n < value.length; n++) expect(open(value.slice(0, n), keys)).toBeUndefined();
    const { value: theirs } = await sessionCookie(config, foreign);
    expect(open(theirs, keys)).toBeUndefined();
    expect(readSession(config, keys, [`edge-oauth=${theirs}`], NOW)).toEqual({ status: 'invalid' });
  });

  test('no Cookie header without a valid seal yields a session', () => {
    fc.assert(
      fc.property(fc.array(cookieText, { maxLength: 3 }), (headers) => {
        expect(readSession(config, keys, headers, NOW).status).not.toBe('valid');
      }),
      { numRuns: 500 },
    );
  });

  test('anything we seal that is not a session is not a session; flows need their own state', async () => {
    const notClaims = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 5 }),
      fc.record({ v: fc.constantFrom(1, '1', 2), sid: fc.oneof(fc.string(), fc.integer()), uid: fc.oneof(fc.string(), fc.constant(null)), prv: fc.constantFrom('corp', 'other', 7), iat: fc.oneof(fc.integer(), fc.string()) }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(notClaims, async (payload) => {
        const sealed = await seal(payload, keys.current);
        const lookup = readSession(config, keys, [`edge-oauth=${sealed}`], NOW);
        const p = payload as Record<string, unknown>;
        const wellFormed = p.v === 1 && typeof p.sid === 'string' && typeof p.uid === 'string' && p.prv === 'corp' && typeof p.iat === 'number' && p.iat <= NOW + 300;
        if (lookup.status === 'valid') expect(wellFormed).toBe(true);
        // Used as a state, with any cookie a page could hold: no flow without our pattern and its verifier.
        const flow = readFlow(config, keys, [`edge-oauth-flow-${'0'.repeat(6)}${'A'.repeat(12)}=${'A'.repeat(43)}; edge-oauth=${sealed}`], sealed, NOW);
        expect(flow.status).not.toBe('ok');
      }),
      { numRuns: 60 },
    );
  });

  test('readFlow never throws and never accepts a state it was not sealed with', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 140 }), fc.array(cookieText, { maxLength: 3 }), (state, headers) => {
        expect(readFlow(config, keys, headers, state, NOW).status).not.toBe('ok');
      }),
      { numRuns: 500 },
    );
  });
});
