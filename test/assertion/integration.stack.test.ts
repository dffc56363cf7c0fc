/**
 * The identity assertion end to end on the local stack: the real viewer-request handler
 * signs it, the CloudFront emulator carries it to the demo origin, which verifies it
 * against the JWKS the edge serves (as docs/identity-assertion.md tells origins to);
 * this test verifies it too, with jose's createRemoteJWKSet against the same URL.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { AssertionCache } from '../../lambdas/core/viewer/assertion';
import { parseKeySet, rotateSigningKeySecret } from '../../lambdas/core/keys/key-set';
import type { AssertionCheck } from '../../local/stack/origin';
import { LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import { startLocalStack, type LocalStack } from '../../local/stack/stack';
import { testDynamoEndpoint } from '../support/dynamodb';
import { TestBrowser } from '../support/http-client';

const HEADER = 'edge-oauth-jwt-assertion';
let stack: LocalStack;
let siteHost: string;
let jwksUrl: URL;
/** Seconds the stack's clock runs ahead of real time (the origin verifies with real time). */
let skew = 0;

beforeAll(async () => {
  stack = await startLocalStack({
    dynamoEndpoint: testDynamoEndpoint(),
    clock: () => Date.now() + skew * 1000,
    devConfig: { session: { maxDuration: '1h' } },
  });
  siteHost = new URL(stack.siteUrl).host;
  jwksUrl = new URL('/auth/.well-known/jwks.json', stack.siteUrl);
});
afterAll(() => stack.close());

interface Echo {
  path: string;
  headers: Record<string, string | undefined>;
  assertion?: AssertionCheck;
}

async function echo(browser: TestBrowser, headers: Record<string, string> = {}, method = 'GET'): Promise<Echo> {
  const hop = await browser.request(`${stack.siteUrl}/app`, { method, headers: { accept: 'application/json', ...headers } });
  expect(hop.status).toBe(200);
  return JSON.parse(hop.body) as Echo;
}

async function signedIn(email: string, name = 'Ada Lovelace'): Promise<TestBrowser> {
  const browser = new TestBrowser();
  const start = await browser.request(`${stack.siteUrl}/app`);
  const back = await browser.signInAtIdp(start, { email, name }, siteHost);
  expect((await browser.request(back.location!)).status).toBe(302);
  return browser;
}

async function currentSecret(): Promise<string> {
  const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: stack.endpoints.secretsManager, credentials: LOCAL_CREDENTIALS });
  return (await sm.send(new GetSecretValueCommand({ SecretId: stack.config.aws.sessionKeysSecretId }))).SecretString!;
}

const verifyOptions = () => ({ issuer: stack.siteUrl, audience: stack.siteUrl, algorithms: ['ES256', 'EdDSA'] });

describe('identity assertion through the local stack', () => {
  test('the assertion that reaches the origin verifies against the served JWKS; the demo origin says valid', async () => {
    const browser = await signedIn('ada@example.com');
    const seen = await echo(browser);
    const token = seen.headers[HEADER]!;
    const account = stack.idp!.accounts.findByEmail('ada@example.com')!;

    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(jwksUrl), verifyOptions());
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: 'local-signing-1', typ: 'JWT' });
    expect(payload).toEqual({
      iss: stack.siteUrl,
      aud: stack.siteUrl,
      sub: account.sub,
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      provider: 'dev',
      iat: expect.any(Number),
      exp: (payload.iat as number) + 300,
    });
    expect(seen.assertion).toEqual({ valid: true, kid: 'local-signing-1', alg: 'ES256', claims: payload });

    // The HTML page shows the verdict too.
    const page = await browser.request(`${stack.siteUrl}/app`);
    expect(page.body).toContain('Identity assertion: <strong>valid</strong>');
  });

  test('one assertion per session per period: reused on the next requests, signed anew once the margin is reached', async () => {
    const browser = await signedIn('reuse@example.com');
    const first = (await echo(browser)).headers[HEADER];
    expect((await echo(browser)).headers[HEADER]).toBe(first);
    const other = (await echo(await signedIn('other@example.com'))).headers[HEADER];
    expect(other).not.toBe(first);
    skew = 241;
    try {
      const renewed = (await echo(browser)).headers[HEADER]!;
      expect(renewed).not.toBe(first);
      const { payload } = await jwtVerify(renewed, createRemoteJWKSet(jwksUrl), { ...verifyOptions(), currentDate: new Date(Date.now() + skew * 1000) });
      expect(payload.email).toBe('reuse@example.com');
    } finally {
      skew = 0;
    }
  });

  test('a client-sent assertion never reaches the origin: replaced for a session, removed without one', async () => {
    const ada = await echo(await signedIn('victim@example.com'));
    const stolen = ada.headers[HEADER]!;
    const mallory = await signedIn('mallory@example.com');
    for (const spelling of [HEADER, 'Edge-OAuth-JWT-Assertion', 'edge_oauth_jwt_assertion']) {
      const seen = await echo(mallory, { [spelling]: stolen });
      expect(seen.headers[HEADER]).not.toBe(stolen);
      expect(Object.keys(seen.headers).filter((h) => /assertion/i.test(h))).toEqual([HEADER]);
      expect(seen.assertion).toMatchObject({ valid: true, claims: { email: 'mallory@example.com' } });
    }
    // Without a session nothing reaches the origin but OPTIONS passthrough, whose stripping
    // the handler test checks (the demo origin's 204 preflight echoes no headers).
    const anonymous = await new TestBrowser().request(`${stack.siteUrl}/app`, { headers: { [HEADER]: stolen, accept: 'application/json' } });
    expect(anonymous.status).toBe(302);
  });

  test('the demo origin rejects a tampered or expired assertion', async () => {
    const signing = parseKeySet(await currentSecret()).signing!;
    const account = { sid: 'direct', uid: 'u-1', prv: 'dev', email: 'ada@example.com', v: 1 as const, iat: 0 };
    const nowS = Math.floor(Date.now() / 1000);
    const expired = await new AssertionCache().assertionFor(stack.config, signing, account, stack.siteUrl, nowS - 600);
    const fresh = await new AssertionCache().assertionFor(stack.config, signing, account, stack.siteUrl, nowS);
    const [h, p, s] = fresh.split('.') as [string, string, string];
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), email: 'ceo@example.com' })).toString('base64url');

    const ask = async (token: string) => {
      const res = await fetch(`${stack.origin.url}/`, { headers: { accept: 'application/json', [HEADER]: token } });
      return ((await res.json()) as Echo).assertion;
    };
    expect(await ask(fresh)).toMatchObject({ valid: true });
    expect(await ask(`${h}.${forgedPayload}.${s}`)).toMatchObject({ valid: false, code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    expect(await ask(expired)).toMatchObject({ valid: false, code: 'ERR_JWT_EXPIRED' });
    expect(await ask('not-a-jwt')).toMatchObject({ valid: false, code: 'ERR_JWS_INVALID' });
    const html = await (await fetch(`${stack.origin.url}/`, { headers: { [HEADER]: expired } })).text();
    expect(html).toContain('Identity assertion: <strong>not valid</strong>');
  });

  test('the JWKS is answered by the edge (never the origin), with caching headers, in any spelling', async () => {
    for (const path of ['/auth/.well-known/jwks.json', '/AUTH/.well-known/jwks.json', '/auth/%2ewell-known/jwks.json', '/auth//.well-known//jwks.json']) {
      const hop = await new TestBrowser().request(`${stack.siteUrl}${path}`, { headers: { accept: 'application/json' } });
      expect([path, hop.status]).toEqual([path, 200]);
      expect(hop.headers.get('content-type')).toBe('application/json');
      expect(hop.headers.get('cache-control')).toBe('public, max-age=300');
      // Generated by the viewer-request function: the origin never saw the request.
      expect(hop.headers.get('x-cache')).toBe('LambdaGeneratedResponse from cloudfront');
      expect(hop.setCookies).toEqual([]);
      const doc = JSON.parse(hop.body) as { keys: Array<Record<string, string>> };
      expect(doc.keys).toEqual([{ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: 'local-signing-1', alg: 'ES256', use: 'sig' }]);
    }
    const post = await new TestBrowser().request(jwksUrl, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
  });

  // Last: it changes the stack's key set.
  test('rotation: new assertions use the new kid at once; assertions signed before still verify against the served JWKS', async () => {
    const browser = await signedIn('rotate@example.com');
    const before = (await echo(browser)).headers[HEADER]!;
    expect(decodeProtectedHeader(before).kid).toBe('local-signing-1');

    stack.secretsManager.put(stack.config.aws.sessionKeysSecretId, rotateSigningKeySecret(await currentSecret(), 'local-signing-2'));
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the local stack's secret cache lives 1 s

    const after = (await echo(browser)).headers[HEADER]!;
    expect(decodeProtectedHeader(after).kid).toBe('local-signing-2');
    const served = JSON.parse((await new TestBrowser().request(jwksUrl)).body) as { keys: Array<{ kid: string }> };
    expect(served.keys.map((k) => k.kid)).toEqual(['local-signing-1', 'local-signing-2']);
    const jwks = createRemoteJWKSet(jwksUrl);
    await expect(jwtVerify(before, jwks, verifyOptions())).resolves.toMatchObject({ protectedHeader: { kid: 'local-signing-1' } });
    await expect(jwtVerify(after, jwks, verifyOptions())).resolves.toMatchObject({ protectedHeader: { kid: 'local-signing-2' }, payload: { email: 'rotate@example.com' } });
  });
});
