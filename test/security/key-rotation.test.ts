/**
 * Key rotation, with the key set read the production way: the local Secrets Manager
 * endpoint, the real secret reader (its cache) and key-set loader, the real viewer-request
 * adapter, and the callback core sealing new cookies with the current key.
 * Add a key → new cookies use it, old ones still work; remove the old key → its cookies
 * mean "sign in again". Two containers whose caches differ show why the procedure in
 * SECURITY.md adds a key before making it current.
 */
import { randomBytes } from 'node:crypto';
import { finishCallback } from '../../lambdas/core/sign-in/callback';
import { parseKeySet, rotateKeySetSecret, rotateSigningKeySecret, type KeySet } from '../../lambdas/core/keys/key-set';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { createSecretReader, keySetLoader } from '../../lambdas/store/aws/secrets';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import { LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import { startSecretsManager, type SecretsManagerHandle } from '../../local/emulators/secrets-manager';
import { isResponse, keySet, locationOf, NOW, securityConfig, setCookiesOf, SITE, stubProvider, viewerEvent } from './support';

const SECRET_ID = 'edge-oauth/session-keys';
const TTL_MS = 300_000; // the production default: containers re-read the secret every 5 minutes
const config = securityConfig();
/** The sessions table every container shares (DynamoDB in production). */
const sessions = new MemorySessionStore(() => NOW);
let sm: SecretsManagerHandle;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
  sm = await startSecretsManager({});
});
afterAll(() => sm.close());

/** One Lambda container: its own secret cache (and clock), its own viewer handler. */
function container() {
  let clockMs = 0;
  const loadKeys = keySetLoader(createSecretReader({ region: 'us-east-1', endpoint: sm.endpoint, cacheTtlMs: TTL_MS, clock: () => clockMs }), SECRET_ID);
  const handler = createViewerHandler({
    config, keys: loadKeys, providers: new Map([['corp', stubProvider()]]), random: randomBytes, clock: () => NOW * 1000, sessions,
  });
  return {
    /** Lets this container's cache expire, so its next request re-reads the secret. */
    later: () => void (clockMs += TTL_MS + 1),
    keys: loadKeys,
    /** Forwarded (true) or asked to sign in again with the cookie cleared (false). */
    async passes(cookie: string): Promise<boolean> {
      const result = await handler(viewerEvent({ uri: '/', headers: [['Cookie', `edge-oauth=${cookie}`]] }));
      if (!isResponse(result)) return true;
      expect(result.status).toBe('302');
      expect(setCookiesOf(result)).toContainEqual(expect.stringMatching(/^edge-oauth=; Path=\/; Max-Age=0/));
      return false;
    },
    /** A whole sign-in on this container: the session cookie value it ends with. */
    async signIn(): Promise<string> {
      const start = await handler(viewerEvent({ uri: '/auth/login' }));
      const state = new URL(locationOf(start)!).searchParams.get('state')!;
      const flow = setCookiesOf(start).find((c) => c.startsWith('edge-oauth-flow-'))!.split(';')[0]!;
      const done = await finishCallback(
        { config, keys: await loadKeys(), providers: new Map([['corp', stubProvider()]]), sessions, now: NOW, random: randomBytes, scheme: 'https' },
        { querystring: `code=c&state=${state}`, cookieHeaders: [flow], host: SITE },
      );
      expect(done.status).toBe(302);
      return done.setCookies.find((c) => c.startsWith('edge-oauth='))!.split(';')[0]!.slice('edge-oauth='.length);
    },
  };
}

const kidOf = (sealed: string) => (JSON.parse(Buffer.from(sealed.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

function withKey(secret: string, kid: string, makeCurrent: boolean): string {
  const doc = JSON.parse(rotateKeySetSecret(secret, randomBytes, kid)) as { current: string };
  if (!makeCurrent) doc.current = parseKeySet(secret).current.kid;
  return JSON.stringify(doc);
}
const makeCurrent = (secret: string, kid: string) => JSON.stringify({ ...JSON.parse(secret), current: kid });
const withoutKey = (secret: string, kid: string) => {
  const doc = JSON.parse(secret) as { keys: Array<{ kid: string }> };
  return JSON.stringify({ ...doc, keys: doc.keys.filter((k) => k.kid !== kid) });
};

describe('session key rotation', () => {
  test('add a key: new cookies use it, old ones still work; remove the old key: its cookies mean sign in again', async () => {
    let secret = keySet('k1').secret;
    sm.put(SECRET_ID, secret);
    const edge = container();
    const old = await edge.signIn();
    expect(kidOf(old)).toBe('k1');

    secret = makeCurrent(withKey(secret, 'k2', false), 'k2');
    sm.put(SECRET_ID, secret);
    edge.later();
    const fresh = await edge.signIn();
    expect(kidOf(fresh)).toBe('k2');
    expect(await edge.passes(old)).toBe(true);
    expect(await edge.passes(fresh)).toBe(true);

    secret = withoutKey(secret, 'k1');
    sm.put(SECRET_ID, secret);
    edge.later();
    expect(await edge.passes(old)).toBe(false);
    expect(await edge.passes(fresh)).toBe(true);
  });

  test('a sign-in started before a rotation finishes after it', async () => {
    let secret = keySet('k1').secret;
    sm.put(SECRET_ID, secret);
    const edge = container();
    const start = await createViewerHandler({ config, keys: edge.keys, providers: new Map([['corp', stubProvider()]]), random: randomBytes, clock: () => NOW * 1000 })(viewerEvent({ uri: '/' }));
    const state = new URL(locationOf(start)!).searchParams.get('state')!;
    const flow = setCookiesOf(start).find((c) => c.startsWith('edge-oauth-flow-'))!.split(';')[0]!;
    secret = makeCurrent(withKey(secret, 'k2', false), 'k2');
    sm.put(SECRET_ID, secret);
    edge.later();
    const keys: KeySet = await edge.keys();
    expect(keys.current.kid).toBe('k2');
    const done = await finishCallback(
      { config, keys, providers: new Map([['corp', stubProvider()]]), sessions, now: NOW, random: randomBytes, scheme: 'https' },
      { querystring: `code=c&state=${state}`, cookieHeaders: [flow], host: SITE },
    );
    expect(done.status).toBe(302);
  });

  test('add before making current: a container that has not re-read the secret yet never refuses a new cookie', async () => {
    let secret = keySet('k1').secret;
    sm.put(SECRET_ID, secret);
    const [a, b] = [container(), container()];
    await a.keys();
    await b.keys();

    // Step 1: add k2, not current. B re-reads, A has not yet: both still seal with k1.
    secret = withKey(secret, 'k2', false);
    sm.put(SECRET_ID, secret);
    b.later();
    expect(kidOf(await b.signIn())).toBe('k1');
    // A learns k2 within its cache lifetime; only then (step 2) does k2 become current.
    a.later();
    await a.keys();
    secret = makeCurrent(secret, 'k2');
    sm.put(SECRET_ID, secret);
    b.later();
    const fromB = await b.signIn();
    expect(kidOf(fromB)).toBe('k2');
    expect(await a.passes(fromB)).toBe(true); // A still has the step-1 set: it opens k2

    // Made current in one step instead, a container with the old set refuses the new cookies.
    const c = container();
    sm.put(SECRET_ID, keySet('k1').secret);
    await c.keys();
    const oneStep = makeCurrent(withKey(keySet('k1').secret, 'k3', false), 'k3');
    sm.put(SECRET_ID, oneStep);
    const d = container();
    expect(await c.passes(await d.signIn())).toBe(false);
  });
});

describe('the key set on a warm container', () => {
  test('is handed over at once while fresh (no promise), and read again once stale', async () => {
    const first = keySet('k1').secret;
    sm.put(SECRET_ID, first);
    const c = container();
    const read = c.keys();
    expect(read).toBeInstanceOf(Promise);
    const keys = await read;
    const again = c.keys();
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toBe(keys);
    sm.put(SECRET_ID, rotateKeySetSecret(first, randomBytes, 'k2'));
    expect(c.keys()).toBe(keys); // still fresh: the old set, as any cached read
    c.later();
    const reread = c.keys();
    expect(reread).toBeInstanceOf(Promise);
    expect((await reread).current.kid).toBe('k2');
    expect(c.keys()).not.toBeInstanceOf(Promise);
  });
});

describe('signing key rotation (identity assertion)', () => {
  test('a new signing key is published next to the old one and signs new assertions', async () => {
    const { secret } = keySet('k1');
    const before = parseKeySet(secret).signing!;
    const rotated = parseKeySet(rotateSigningKeySecret(secret, 's-new')).signing!;
    expect(rotated.current.kid).toBe('s-new');
    const kids = (JSON.parse(rotated.jwks) as { keys: Array<{ kid: string; d?: string }> }).keys;
    expect(kids.map((k) => k.kid).sort()).toEqual([before.current.kid, 's-new'].sort());
    // The JWKS is public keys only.
    for (const k of kids) expect(k.d).toBeUndefined();
  });
});
