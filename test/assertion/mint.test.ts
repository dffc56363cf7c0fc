/**
 * The identity assertion in the core: its claims, its signature (checked with jose against
 * the JWKS the edge serves), the same token jose's SignJWT makes (jose is the reference:
 * the edge signs with node:crypto), reuse while fresh (frozen clock), failures a verifier
 * must see (tampered, expired, wrong audience), and a signing-key rotation.
 */
import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, SignJWT, type JWK, type JWTVerifyOptions } from 'jose';
import { AssertionCache, assertionClaims, assertionIssuer, reuseMargin, signAssertion, type AssertionClaims } from '../../lambdas/core/viewer/assertion';
import { parseConfig } from '../../lambdas/core/config/parse';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { generateKeySetSecret, parseKeySet, retireSigningKeySecret, rotateSigningKeySecret } from '../../lambdas/core/keys/key-set';
import { newSessionClaims, type SessionClaims } from '../../lambdas/core/session/session-cookie';
import type { SigningKeySet } from '../../lambdas/core/keys/signing-keys';

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z, the frozen clock
const SITE = 'https://app.example.com';

function config(assertion: Record<string, unknown> = {}): EdgeConfig {
  const result = parseConfig({
    site: { domain: 'app.example.com', name: 'Test' },
    providers: [{ id: 'corp', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 'edge-oauth/corp' }],
    assertion,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

function session(cfg: EdgeConfig, sid = 'sid-1', extra: Partial<{ name: string; email: string }> = { name: 'Ada Lovelace', email: 'ada@example.com' }): SessionClaims {
  return newSessionClaims(cfg, { sid, uid: 'user-42', prv: 'corp', ...extra, now: T0 - 600 });
}

const signingOf = (secret: string): SigningKeySet => parseKeySet(secret).signing!;
const jwksOf = (signing: SigningKeySet) => createLocalJWKSet(JSON.parse(signing.jwks));
const at = (seconds: number): JWTVerifyOptions => ({ issuer: SITE, audience: SITE, algorithms: ['ES256', 'EdDSA'], currentDate: new Date(seconds * 1000) });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'no error';
}

describe('identity assertion: claims and signature', () => {
  const cfg = config();
  const signing = signingOf(generateKeySetSecret(randomBytes, 'k1', { kid: 's1' }));

  test('claims: iss (the site), aud (default: the site), sub, email, name, provider, iat, exp = iat + ttl; kid and typ in the header', async () => {
    const cache = new AssertionCache();
    const token = await cache.assertionFor(cfg, signing, session(cfg), assertionIssuer(cfg, 'https', 'ignored.example'), T0);
    const { payload, protectedHeader } = await jwtVerify(token, jwksOf(signing), at(T0));
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: 's1', typ: 'JWT' });
    expect(payload).toEqual({
      iss: SITE,
      aud: SITE,
      sub: 'user-42',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      provider: 'corp',
      iat: T0,
      exp: T0 + 300,
    });
  });

  test('a configured audience and ttl; no name or email when the session has none; EdDSA keys', async () => {
    const custom = config({ audience: 'urn:example:backend', ttl: '2m' });
    const ed = signingOf(generateKeySetSecret(randomBytes, 'k1', { kid: 'e1', alg: 'EdDSA' }));
    const token = await new AssertionCache().assertionFor(custom, ed, session(custom, 'sid-x', {}), SITE, T0);
    const { payload, protectedHeader } = await jwtVerify(token, jwksOf(ed), { ...at(T0), audience: 'urn:example:backend' });
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(payload).toEqual({ iss: SITE, aud: 'urn:example:backend', sub: 'user-42', provider: 'corp', iat: T0, exp: T0 + 120 });
  });

  test('without site.domain the issuer is the host the viewer used', () => {
    const noDomain = { ...cfg, site: { name: 'x' } };
    expect(assertionIssuer(noDomain, 'https', 'App.Example.COM')).toBe('https://app.example.com');
    expect(assertionIssuer(noDomain, 'http', '127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(assertionClaims(noDomain, session(cfg), 'http://127.0.0.1:8080', T0).aud).toBe('http://127.0.0.1:8080');
  });

  test('tampered, expired, wrong audience, wrong issuer and unknown key all fail verification', async () => {
    const token = await new AssertionCache().assertionFor(cfg, signing, session(cfg), SITE, T0);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), email: 'ceo@example.com' })).toString('base64url');
    const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
    const jwks = jwksOf(signing);

    expect(await codeOf(jwtVerify(`${header}.${forged}.${signature}`, jwks, at(T0)))).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    expect(await codeOf(jwtVerify(`${header}.${payload}.${flipped}`, jwks, at(T0)))).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    expect(await codeOf(jwtVerify(`${header}.${payload}.`, jwks, at(T0)))).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    const none = Buffer.from(JSON.stringify({ alg: 'none', kid: 's1', typ: 'JWT' })).toString('base64url');
    expect(await codeOf(jwtVerify(`${none}.${payload}.`, jwks, at(T0)))).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    expect(await codeOf(jwtVerify(token, jwks, at(T0 + 300)))).toBe('ERR_JWT_EXPIRED');
    expect(await codeOf(jwtVerify(token, jwks, { ...at(T0), audience: 'https://other.example.com' }))).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(await codeOf(jwtVerify(token, jwks, { ...at(T0), issuer: 'https://evil.example.com' }))).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    const stranger = signingOf(generateKeySetSecret(randomBytes, 'k1', { kid: 's1' }));
    expect(await codeOf(jwtVerify(token, jwksOf(stranger), at(T0)))).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    // Still fine one second before expiry.
    await expect(jwtVerify(token, jwks, at(T0 + 299))).resolves.toBeDefined();
  });
});

describe('identity assertion: the token jose makes (jose, the reference, signs the same claims with the same key)', () => {
  const claims: AssertionClaims = {
    iss: SITE,
    aud: SITE,
    sub: 'user-42',
    iat: T0,
    exp: T0 + 300,
    email: 'ada@example.com',
    name: 'Ada "the Countess" Lovelace, 名前 ✓',
    provider: 'corp',
    groups: ['admins', 'dev ops'],
    groups_truncated: true,
  };
  /** The secret's private JWK, as jose would import it (importJWK), and jose's SignJWT with the header the edge sets. */
  async function joseSigned(secret: string, payload: AssertionClaims): Promise<string> {
    const jwk = (JSON.parse(secret) as { signing: { keys: Array<JWK & { kid: string; alg: string }> } }).signing.keys[0]!;
    const key = await importJWK(jwk, jwk.alg);
    return new SignJWT({ ...payload }).setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: 'JWT' }).sign(key);
  }
  const signedPart = (token: string) => token.split('.').slice(0, 2).join('.');

  test("EdDSA: byte for byte jose's token (Ed25519 signatures are deterministic, RFC 8032)", async () => {
    const secret = generateKeySetSecret(randomBytes, 'k1', { kid: 'e1', alg: 'EdDSA' });
    expect(signAssertion(signingOf(secret).current, claims)).toBe(await joseSigned(secret, claims));
  });

  test("ES256: header and claims byte for byte jose's, a 64-byte R || S signature, and jose verifies it to the same header and claims as its own", async () => {
    const secret = generateKeySetSecret(randomBytes, 'k1', { kid: 's1' });
    const signing = signingOf(secret);
    const ours = signAssertion(signing.current, claims);
    const reference = await joseSigned(secret, claims);
    expect(signedPart(ours)).toBe(signedPart(reference));
    // RFC 7518 §3.4: R and S, 32 bytes each; node's default (DER) would be 70-72 bytes and fail.
    expect(Buffer.from(ours.split('.')[2]!, 'base64url')).toHaveLength(64);
    const mine = await jwtVerify(ours, jwksOf(signing), at(T0));
    const theirs = await jwtVerify(reference, jwksOf(signing), at(T0));
    expect(mine.protectedHeader).toEqual(theirs.protectedHeader);
    expect(mine.payload).toEqual(theirs.payload);
    expect(mine.payload).toEqual(claims);
  });

  test('what the cache mints from a session is the token jose makes of assertionClaims', async () => {
    const cfg = config();
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const secret = generateKeySetSecret(randomBytes, 'k1', { kid: 'x1', alg });
      const token = new AssertionCache().assertionFor(cfg, signingOf(secret), session(cfg), SITE, T0);
      const reference = await joseSigned(secret, assertionClaims(cfg, session(cfg), SITE, T0));
      expect(signedPart(token)).toBe(signedPart(reference));
      if (alg === 'EdDSA') expect(token).toBe(reference);
      await expect(jwtVerify(token, jwksOf(signingOf(secret)), at(T0))).resolves.toMatchObject({ protectedHeader: { alg, kid: 'x1', typ: 'JWT' } });
    }
  });
});

describe('identity assertion: reuse while fresh (frozen clock)', () => {
  const cfg = config();
  const signing = signingOf(generateKeySetSecret(randomBytes, 'k1', { kid: 's1' }));

  test('one signature per session per period: reused while more than the margin remains, then signed anew', async () => {
    const cache = new AssertionCache();
    const s = session(cfg);
    const first = cache.assertionFor(cfg, signing, s, SITE, T0);
    // Signed at once (node:crypto is synchronous): a string, not a promise.
    expect(typeof first).toBe('string');
    expect(reuseMargin(300)).toBe(60);
    // A hit: the same string, no signature.
    const hit = cache.assertionFor(cfg, signing, s, SITE, T0 + 239);
    expect(hit).toBe(first);
    expect(cache.signatures).toBe(1);

    const renewed = await cache.assertionFor(cfg, signing, s, SITE, T0 + 240);
    expect(renewed).not.toBe(first);
    expect(cache.signatures).toBe(2);
    const { payload } = await jwtVerify(renewed, jwksOf(signing), at(T0 + 240));
    expect([payload.iat, payload.exp]).toEqual([T0 + 240, T0 + 540]);
    expect(cache.assertionFor(cfg, signing, s, SITE, T0 + 300)).toBe(renewed);
  });

  test('the margin is min(60 s, ttl/2)', () => {
    expect([reuseMargin(30), reuseMargin(100), reuseMargin(120), reuseMargin(3600)]).toEqual([15, 50, 60, 60]);
  });

  test('concurrent requests of one session share one signature', async () => {
    const cache = new AssertionCache();
    const s = session(cfg, 'sid-burst');
    const tokens = await Promise.all(Array.from({ length: 10 }, () => cache.assertionFor(cfg, signing, s, SITE, T0)));
    expect(new Set(tokens).size).toBe(1);
    expect(cache.signatures).toBe(1);
  });

  test('sessions, issuers and changed identities never share an assertion; a clock that went back signs anew', async () => {
    const cache = new AssertionCache();
    const a = await cache.assertionFor(cfg, signing, session(cfg, 'sid-a'), SITE, T0);
    const b = await cache.assertionFor(cfg, signing, session(cfg, 'sid-b'), SITE, T0);
    const otherHost = await cache.assertionFor(cfg, signing, session(cfg, 'sid-a'), 'https://alias.example.com', T0);
    const renamed = await cache.assertionFor(cfg, signing, session(cfg, 'sid-a', { name: 'Ada King', email: 'ada@example.com' }), SITE, T0);
    expect(new Set([a, b, otherHost, renamed]).size).toBe(4);
    expect((await jwtVerify(renamed, jwksOf(signing), at(T0))).payload.name).toBe('Ada King');
    const signatures = cache.signatures;
    await cache.assertionFor(cfg, signing, session(cfg, 'sid-b'), SITE, T0 - 10);
    expect(cache.signatures).toBe(signatures + 1);
  });

  test('one entry per session: another audience, lifetime or signing key signs anew, and the token says so', async () => {
    const cache = new AssertionCache();
    const s = session(cfg, 'sid-c');
    const first = cache.assertionFor(cfg, signing, s, SITE, T0);
    const otherAudience = config({ audience: 'https://api.example.com' });
    const forApi = cache.assertionFor(otherAudience, signing, s, SITE, T0 + 1);
    expect(decodeJwt(forApi).aud).toBe('https://api.example.com');
    const shorter = cache.assertionFor(config({ ttl: 120 }), signing, s, SITE, T0 + 2);
    const payload = decodeJwt(shorter);
    expect(payload.exp! - payload.iat!).toBe(120);
    const rotated = signingOf(generateKeySetSecret(randomBytes, 'k1', { kid: 's2' }));
    const [header] = cache.assertionFor(cfg, rotated, s, SITE, T0 + 3).split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString()).kid).toBe('s2');
    expect(new Set([first, forApi, shorter]).size).toBe(3);
    expect(cache.signatures).toBe(4);
    expect(cache.size).toBe(1);
  });

  test('the cache is bounded: the oldest entries go first', async () => {
    const cache = new AssertionCache({ maxEntries: 3 });
    for (const sid of ['s1', 's2', 's3', 's4']) await cache.assertionFor(cfg, signing, session(cfg, sid), SITE, T0);
    expect(cache.size).toBe(3);
    const signatures = cache.signatures;
    cache.assertionFor(cfg, signing, session(cfg, 's4'), SITE, T0 + 1); // kept: a hit
    expect(cache.signatures).toBe(signatures);
    cache.assertionFor(cfg, signing, session(cfg, 's1'), SITE, T0 + 1); // evicted: signed again
    expect(cache.signatures).toBe(signatures + 1);
  });
});

describe('identity assertion: signing-key rotation', () => {
  test('during the overlap old assertions still verify against the JWKS; new ones use the current kid; after retirement the old ones fail', async () => {
    const cfg = config();
    const cache = new AssertionCache();
    const s = session(cfg);
    const before = generateKeySetSecret(randomBytes, 'k1', { kid: 's1' });
    const oldToken = await cache.assertionFor(cfg, signingOf(before), s, SITE, T0);

    const rotated = rotateSigningKeySecret(before, 's2');
    const overlap = signingOf(rotated);
    // The cache is keyed by kid: the next request after the key set changes is signed with s2 at once.
    const newToken = await cache.assertionFor(cfg, overlap, s, SITE, T0 + 10);
    expect(decodeProtectedHeader(oldToken).kid).toBe('s1');
    expect(decodeProtectedHeader(newToken).kid).toBe('s2');

    const served = jwksOf(overlap);
    await expect(jwtVerify(oldToken, served, at(T0 + 10))).resolves.toMatchObject({ protectedHeader: { kid: 's1' } });
    await expect(jwtVerify(newToken, served, at(T0 + 10))).resolves.toMatchObject({ protectedHeader: { kid: 's2' } });

    const after = jwksOf(signingOf(retireSigningKeySecret(rotated, 's1')));
    expect(await codeOf(jwtVerify(oldToken, after, at(T0 + 10)))).toBe('ERR_JWKS_NO_MATCHING_KEY');
    await expect(jwtVerify(newToken, after, at(T0 + 10))).resolves.toBeDefined();
  });
});
