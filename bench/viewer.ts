/**
 * edge-oauth's viewer-request handler, in process: the fast path (valid session cookie,
 * no check due) with and without request logging, the redirect (no cookie), /auth/logout,
 * and the floor (node:crypto opening the same cookie, nothing else).
 */
import { createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import type { EdgeConfig } from '../lambdas/core/config/types';
import type { KeySet } from '../lambdas/core/keys/key-set';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildSync } from 'esbuild';
import type { RequestEvent, RequestLogger } from '../lambdas/core/request-events';
import type { SessionStore } from '../lambdas/core/stores';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type * as ViewerEntry from './viewer-entry';
import { OUT_DIR } from './bundle';
import { benchKeySetSecret, eventFactory, ISSUER, OTHER_COOKIES, type SessionFixture } from './fixtures';
import { Bench } from './harness';

/**
 * bench/viewer-entry.ts bundled by esbuild (bundle, minify, platform node, target node22), as
 * lib/functions.ts builds the deployed viewer, and loaded: the handlers are timed as the
 * function runs them, not through tsx's per-export getters.
 */
function bundledViewer(): typeof ViewerEntry {
  const outfile = path.join(OUT_DIR, 'bench-viewer.cjs');
  buildSync({ entryPoints: [path.join(__dirname, 'viewer-entry.ts')], bundle: true, minify: true, platform: 'node', target: 'node22', format: 'cjs', external: ['@aws-sdk/*'], outfile, logLevel: 'silent' });
  return createRequire(__filename)(outfile) as typeof ViewerEntry;
}

// Its key sets too: a key set's key bytes are private to the module copy that parsed it.
const { createProviders, createViewerHandler, createConsoleLogger, lineWriter, MemorySessionStore, createSecretReader, keySetLoader, sealingKeyBytes } = bundledViewer();

/** The issuer's discovery document, served from memory: the OIDC adapter discovers once, then caches. */
function discoveryFetch(): { fetch: typeof globalThis.fetch; calls: () => number } {
  let calls = 0;
  const doc = {
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/oauth2/authorize`,
    token_endpoint: `${ISSUER}/oauth2/token`,
    userinfo_endpoint: `${ISSUER}/oauth2/userinfo`,
    jwks_uri: `${ISSUER}/oauth2/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
  };
  const fetch = (async (input: RequestInfo | URL) => {
    calls++;
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.href !== `${ISSUER}/.well-known/openid-configuration`) return new Response('not found', { status: 404 });
    return new Response(JSON.stringify(doc), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof globalThis.fetch;
  return { fetch, calls: () => calls };
}

/** Counts every call the handler makes to the sessions store, whatever its methods (must be 0 on the fast path once warm). */
function countingStore<S extends object>(inner: S): S & { calls: number } {
  const counter = { calls: 0 };
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'calls') return counter.calls;
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        counter.calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as S & { calls: number };
}

type Variant = 'none' | 'noop' | 'json' | 'jsonDefault';

/**
 * `none`: no logger; `noop`: the handler builds the event, nothing is written; `json`: the
 * deployed logger (lambdas/runtime/console-logger.ts: its line, one write(2)), to /dev/null;
 * `jsonDefault`: the same with the deployed default, `log.requests: "sample-plain-forwards"` at 1 %.
 */
function logger(variant: Variant, fd: number): RequestLogger | undefined {
  if (variant === 'none') return undefined;
  if (variant === 'noop') return { request: (_e: RequestEvent) => undefined, error: () => undefined };
  return createConsoleLogger(lineWriter(fd));
}

export interface ViewerBenches {
  /** Valid session cookie, no check due, no logger. */
  fastPath: Bench<CloudFrontRequestEvent>;
  /**
   * The same, but every request carries another session's cookie (4096 sessions in turn,
   * more than the per-container cache of opened cookies holds): the first request of a
   * session in a container, which decrypts the cookie. No check is due for any of them.
   */
  fastPathFirstSight: Bench<CloudFrontRequestEvent>;
  /** The same with a logger that does nothing: the handler still builds the request event. */
  fastPathNoopLogger: Bench<CloudFrontRequestEvent>;
  /** The same with the deployed logger (every request written; its line and a write(2) to /dev/null). */
  fastPathJsonLogger: Bench<CloudFrontRequestEvent>;
  /** The same with the deployed logger under the default `log` (sample-plain-forwards, 1 %: one of these requests in a hundred is written). */
  fastPathLoggerDefault: Bench<CloudFrontRequestEvent>;
  /** The fast path under benchConfigWithRules(): public paths and path rules, one applying. */
  fastPathWithRules: Bench<CloudFrontRequestEvent>;
  /** No cookie: the redirect to the provider (a sealed flow cookie, PKCE, state, nonce). */
  redirect: Bench<CloudFrontRequestEvent>;
  /** /auth/logout with a session (revocation in an in-memory store) and the signed-out page. */
  logout: Bench<CloudFrontRequestEvent>;
  /** node:crypto opening the same cookie, nothing else. */
  floor: Bench;
  /** Calls to the sessions store during the timed fast-path runs (0 = no check was due). */
  storeCalls: () => number;
  close(): void;
}

/** Builds the handlers, checks each takes the intended path, and returns the benches (not yet run). */
export async function viewerBenches(
  config: EdgeConfig,
  rulesConfig: EdgeConfig,
  keySetSecret: string,
  session: SessionFixture,
  others: readonly SessionFixture[],
  nowMs: number,
): Promise<ViewerBenches> {
  const devNull = openSync('/dev/null', 'w');
  const discovery = discoveryFetch();
  const store = countingStore(new MemorySessionStore(() => Math.floor(nowMs / 1000)));
  for (const { claims } of [session, ...others]) {
    await store.createSession({
      sessionId: claims.sid,
      provider: claims.prv,
      userId: claims.uid,
      ...(claims.email !== undefined && { email: claims.email }),
      ...(claims.name !== undefined && { name: claims.name }),
      createdAt: claims.iat,
      expiresAt: claims.exp ?? claims.iat + 86400 * 400,
    });
  }
  // The key set through the deployed loader (Secrets Manager reader, 5-minute cache), its
  // client answering from memory: the fast path pays what a warm container pays for keys().
  const secret = keySetSecret;
  const readSecret = createSecretReader({
    region: config.aws.region,
    client: { send: async () => ({ SecretString: secret }) } as unknown as SecretsManagerClient,
  });
  const loadKeys = keySetLoader(readSecret, config.aws.sessionKeysSecretId);
  const keys = await loadKeys();
  // One provider registry for every handler: the issuer is discovered once, then cached.
  const providers = createProviders(config, { fetch: discovery.fetch, now: () => Math.floor(nowMs / 1000), readSecret: async () => 'unused' });
  const baseDeps = (sessions: SessionStore = new MemorySessionStore(() => Math.floor(nowMs / 1000)) as unknown as SessionStore) => ({
    config,
    keys: loadKeys,
    providers,
    random: randomBytes,
    clock: () => nowMs,
    sessions,
  });
  // `json` writes every request; `jsonDefault` runs the config's own `log`, the deployed default (checked below).
  const everyRequest = { ...config, log: { ...config.log, requests: 'all' as const } };
  if (config.log.requests !== 'sample-plain-forwards' || config.log.plainForwardSampleRate !== 0.01) throw new Error(`bench config: log is not the default (${JSON.stringify(config.log)})`);
  const handlerFor = (variant: Variant, sessions: SessionStore = store as unknown as SessionStore) => {
    const log = logger(variant, devNull);
    return createViewerHandler({ ...baseDeps(sessions), ...(variant === 'json' && { config: everyRequest }), ...(log !== undefined && { log }) });
  };

  const signedIn = eventFactory('/reports/2026?q=1', `${OTHER_COOKIES}; ${session.cookiePair}`);
  const othersEvents = others.map((o) => eventFactory('/reports/2026?q=1', `${OTHER_COOKIES}; ${o.cookiePair}`));
  let nextOther = 0;
  const otherSignedIn = () => othersEvents[nextOther++ % othersEvents.length]!();
  const anonymous = eventFactory('/reports/2026?q=1', OTHER_COOKIES);
  const logoutEvent = eventFactory('/auth/logout', `${OTHER_COOKIES}; ${session.cookiePair}`);

  const fast = { none: handlerFor('none'), noop: handlerFor('noop'), json: handlerFor('json'), jsonDefault: handlerFor('jsonDefault') };
  for (const [variant, handler] of Object.entries(fast)) {
    // Correctness first: the fast path forwards with identity headers and without our cookie.
    const forwarded = (await handler(signedIn())) as CloudFrontRequest;
    if (!('uri' in forwarded) || forwarded.headers['edge-oauth-user-email']?.[0]?.value !== session.claims.email) {
      throw new Error(`fast path (${variant}) did not forward with identity headers: ${JSON.stringify(forwarded).slice(0, 300)}`);
    }
    if (forwarded.headers.cookie?.[0]?.value !== OTHER_COOKIES) throw new Error(`fast path (${variant}): own cookie not stripped`);
    // Warm the per-container caches (key objects, any due-check cache) before anything is timed.
    for (let i = 0; i < 200; i++) await handler(signedIn());
  }
  // Every other session once through the no-logger handler: its check result is then cached.
  for (let i = 0; i < othersEvents.length; i++) {
    const forwarded = (await fast.none(otherSignedIn())) as CloudFrontRequest;
    if (!('uri' in forwarded) || forwarded.headers['edge-oauth-user-id']?.[0]?.value !== others[i]!.claims.uid) throw new Error('first-sight fast path did not forward');
  }
  // The cache of opened cookies changes no decision (lambdas/core/session/session-cookie.ts): with the genuine
  // cookie cached, a tampered copy, the same cookie past its deadline, and the same cookie
  // under a key set without its key all still mean "sign in".
  const rejects = async (handler: (e: CloudFrontRequestEvent) => Promise<unknown>, cookiePair: string, what: string) => {
    const answer = (await handler(eventFactory('/reports/2026?q=1', `${OTHER_COOKIES}; ${cookiePair}`)())) as CloudFrontResultResponse;
    // A browser's page load starts sign-in with the fragment page (lambdas/core/viewer/fragment-pages.ts), anything else with a 302.
    const signInPage = answer.status === '200' && /data-s="1"/.test(String(answer.body));
    if (answer.status !== '302' && !signInPage) throw new Error(`${what}: expected a redirect to sign in, got ${JSON.stringify(answer).slice(0, 200)}`);
  };
  const [name, token] = [session.cookiePair.slice(0, session.cookiePair.indexOf('=')), session.token];
  const flip = token.length - 30; // a character of the ciphertext
  await rejects(fast.none, `${name}=${token.slice(0, flip)}${token[flip] === 'A' ? 'B' : 'A'}${token.slice(flip + 1)}`, 'tampered cookie');
  const late = createViewerHandler({ ...baseDeps(), clock: () => ((session.claims.exp ?? 0) + 1) * 1000 });
  await rejects(late, session.cookiePair, 'expired cookie');
  const rotated = keySetLoader(async () => benchKeySetSecret(), config.aws.sessionKeysSecretId);
  await rejects(createViewerHandler({ ...baseDeps(), keys: rotated }), session.cookiePair, 'cookie under a removed key');
  // The same fast path with access rules configured (a rule applies to the request and passes).
  const withRules = createViewerHandler({ ...baseDeps(store as unknown as SessionStore), config: rulesConfig });
  const ruled = (await withRules(signedIn())) as CloudFrontRequest;
  if (!('uri' in ruled) || ruled.headers['edge-oauth-user-email']?.[0]?.value !== session.claims.email) throw new Error('fast path with rules did not forward');
  const refused = (await withRules(eventFactory('/admin/x', `${OTHER_COOKIES}; ${session.cookiePair}`)())) as CloudFrontResultResponse;
  if (refused.status !== '403') throw new Error(`fast path with rules: /admin/ should be refused, got ${refused.status}`);
  for (let i = 0; i < 200; i++) await withRules(signedIn());
  const callsAfterWarmUp = store.calls;

  const redirectHandler = handlerFor('none');
  const redirected = (await redirectHandler(anonymous())) as CloudFrontResultResponse;
  const location = redirected.headers?.location?.[0]?.value ?? '';
  // A browser's page load gets the fragment page (lambdas/core/viewer/fragment-pages.ts), which goes to the same URL.
  const toProvider = redirected.status === '302' ? location.startsWith(`${ISSUER}/oauth2/authorize?`) : redirected.status === '200' && String(redirected.body).includes(`data-u="${ISSUER}/oauth2/authorize?`);
  if (!toProvider) {
    throw new Error(`redirect: unexpected answer ${JSON.stringify(redirected).slice(0, 300)}`);
  }
  // Logout revokes in its own in-memory store, so the fast path's store count stays clean.
  const logoutHandler = handlerFor('none', new MemorySessionStore(() => Math.floor(nowMs / 1000)) as unknown as SessionStore);
  const loggedOut = (await logoutHandler(logoutEvent())) as CloudFrontResultResponse;
  if (loggedOut.status !== '200' || !String(loggedOut.headers?.['set-cookie']?.[0]?.value).includes('Max-Age=0')) {
    throw new Error(`logout: unexpected answer ${JSON.stringify(loggedOut).slice(0, 300)}`);
  }

  return {
    fastPath: new Bench('fast path', fast.none, signedIn),
    fastPathFirstSight: new Bench('fast path, first sight of the cookie', fast.none, otherSignedIn),
    fastPathNoopLogger: new Bench('fast path, no-op logger', fast.noop, signedIn),
    fastPathJsonLogger: new Bench('fast path, JSON logger', fast.json, signedIn),
    fastPathLoggerDefault: new Bench('fast path, JSON logger, default log setting', fast.jsonDefault, signedIn),
    fastPathWithRules: new Bench('fast path, with access rules', withRules, signedIn),
    redirect: new Bench('redirect (no cookie)', redirectHandler, anonymous),
    logout: new Bench('/auth/logout', logoutHandler, logoutEvent),
    floor: new Bench('floor (node:crypto open)', floorOpener(keys, session.token), undefined, 16, false),
    storeCalls: () => store.calls - callsAfterWarmUp,
    close: () => {
      if (discovery.calls() !== 1) throw new Error(`discovery fetched ${discovery.calls()} times (expected once)`);
      closeSync(devNull);
    },
  };
}

/**
 * The floor: what opening the cookie costs with node:crypto and nothing else — split,
 * base64url-decode, AES-256-GCM decrypt + tag check with a pre-built key object, JSON.parse.
 */
export function floorOpener(keys: KeySet, token: string): () => unknown {
  const key = createSecretKey(sealingKeyBytes(keys.current));
  const check = (() => {
    const [header, , iv, ct, tag] = token.split('.') as [string, string, string, string, string];
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    d.setAAD(Buffer.from(header, 'ascii'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return JSON.parse(Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8')) as { sid?: unknown };
  })();
  if (typeof check.sid !== 'string') throw new Error('floor: the cookie did not open');
  return () => {
    const [header, , iv, ct, tag] = token.split('.') as [string, string, string, string, string];
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    d.setAAD(Buffer.from(header, 'ascii'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return JSON.parse(Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8'));
  };
}

