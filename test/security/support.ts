/**
 * Fixtures for the security suite: a config, key sets, a provider stand-in that needs no
 * network (unit tests only; the integration tests use the real dev IdP), sealed session
 * cookies, and the viewer-request handler driven with CloudFront events.
 */
import { randomBytes } from 'node:crypto';
import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { parseConfig } from '../../lambdas/core/config/parse';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { generateKeySetSecret, parseKeySet, type KeySet } from '../../lambdas/core/keys/key-set';
import type { Profile, Provider } from '../../lambdas/core/providers/types';
import { seal } from '../../lambdas/core/keys/seal';
import { newSessionClaims, type SessionClaims } from '../../lambdas/core/session/session-cookie';
import { createViewerHandler, type ViewerResult } from '../../lambdas/edge/handler';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';

export const NOW = 1_800_000_000;
export const SITE = 'app.example.com';
export const IDP_ORIGIN = 'https://idp.example.com';

export function securityConfig(overrides: Record<string, unknown> = {}): EdgeConfig {
  const result = parseConfig({
    site: { domain: SITE, name: 'Security Test Site' },
    providers: [{ id: 'corp', type: 'oidc', issuer: IDP_ORIGIN, clientId: 'client-1', clientSecret: 'edge-oauth/corp' }],
    optionsPassthrough: true,
    // Every request is written, so tests can count lines (the deployed default samples plain forwards).
    log: { requests: 'all' },
    ...overrides,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

export function keySet(kid = 'k1'): { secret: string; keys: KeySet } {
  const secret = generateKeySetSecret(randomBytes, kid);
  return { secret, keys: parseKeySet(secret) };
}

/** What every handler takes, without a network (the stub provider, the fixed clock), plus `extra`. */
export function handlerDeps<E extends object>(config: EdgeConfig, keys: KeySet, extra: E) {
  return { config, keys: async () => keys, providers: new Map([['corp', stubProvider()]]), random: randomBytes, clock: () => NOW * 1000, ...extra };
}

/** A provider that answers without a network: the authorization URL carries what it was given. */
export function stubProvider(profile: Profile = { id: 'u-1', email: 'ada@example.com', emailVerified: true, name: 'Ada' }): Provider {
  const config = securityConfig().providers[0]!;
  return {
    id: 'corp',
    type: 'oidc',
    displayName: 'Corp IdP',
    config,
    supportsRefresh: false,
    async authorizationUrl(request) {
      const url = new URL('/authorize', IDP_ORIGIN);
      url.searchParams.set('redirect_uri', request.redirectUri);
      url.searchParams.set('state', request.state);
      url.searchParams.set('nonce', request.nonce);
      url.searchParams.set('code_challenge', request.codeChallenge);
      return url;
    },
    async finishSignIn() {
      return { tokens: { accessToken: 'stub-access-token' }, profile };
    },
    async refresh() {
      throw new Error('not supported');
    },
    async profile() {
      return profile;
    },
  };
}

export async function sessionCookie(
  config: EdgeConfig,
  keys: KeySet,
  input: Partial<{ sid: string; uid: string; prv: string; name: string; email: string; now: number }> = {},
): Promise<{ value: string; claims: SessionClaims }> {
  const claims = newSessionClaims(config, {
    sid: input.sid ?? 'sid-0123456789abcdef',
    uid: input.uid ?? 'u-1',
    prv: input.prv ?? 'corp',
    name: input.name ?? 'Ada',
    email: input.email ?? 'ada@example.com',
    now: input.now ?? NOW - 60,
  });
  return { value: await seal(claims, keys.current), claims };
}

export interface EdgeRequest {
  readonly method?: string;
  readonly uri?: string;
  readonly querystring?: string;
  /** Raw header lines, as a client sent them (name in any case; repeated names allowed). */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

/** A viewer-request event built the way CloudFront documents it (lowercase keys, one entry per line). */
export function viewerEvent(req: EdgeRequest): CloudFrontRequestEvent {
  const headers: CloudFrontHeaders = {};
  for (const [key, value] of [['Host', SITE] as const, ...(req.headers ?? [])]) (headers[key.toLowerCase()] ??= []).push({ key, value });
  const request: CloudFrontRequest = { clientIp: '203.0.113.9', method: req.method ?? 'GET', uri: req.uri ?? '/', querystring: req.querystring ?? '', headers };
  return { Records: [{ cf: { config: { distributionDomainName: 'd111.cloudfront.net', distributionId: 'E1', eventType: 'viewer-request', requestId: 'r' }, request } }] };
}

export function isResponse(result: ViewerResult): result is CloudFrontResultResponse {
  return 'status' in result;
}

/**
 * The viewer-request handler (the real adapter and core). Without `sessions` the cookie
 * alone decides (no session checks): what these tests are about is the cookie and the request.
 */
export function edge(options: { config?: EdgeConfig; keys: KeySet | (() => KeySet); provider?: Provider; now?: number; sessions?: MemorySessionStore }) {
  const config = options.config ?? securityConfig();
  const keys = options.keys;
  const handler = createViewerHandler({
    config,
    keys: async () => (typeof keys === 'function' ? keys() : keys),
    providers: new Map([['corp', options.provider ?? stubProvider()]]),
    random: randomBytes,
    clock: () => (options.now ?? NOW) * 1000,
    ...(options.sessions !== undefined && { sessions: options.sessions }),
  });
  return { config, handle: (req: EdgeRequest) => handler(viewerEvent(req)) };
}

/** The header values of a forwarded request, by lowercase name. */
export function forwardedHeaders(result: ViewerResult): Record<string, string[]> {
  if (isResponse(result)) throw new Error(`expected a forwarded request, got status ${result.status}`);
  return Object.fromEntries(Object.entries(result.headers).map(([name, entries]) => [name, entries.map((e) => e.value)]));
}

/** Where a response sends the browser: its Location, or where the fragment page goes (viewer/fragment-pages.ts). */
export function locationOf(result: ViewerResult): string | undefined {
  if (!isResponse(result)) return undefined;
  return result.headers?.location?.[0]?.value ?? fragmentPageTarget(result.body);
}

/** The `data-u` of a fragment page's script, unescaped (undefined for any other body). */
export function fragmentPageTarget(body: string | undefined): string | undefined {
  const u = body === undefined ? undefined : /<script data-s="[01]" data-k="[^"]*" data-u="([^"]*)">/.exec(body)?.[1];
  return u?.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!);
}

export function setCookiesOf(result: ViewerResult): string[] {
  return isResponse(result) ? (result.headers?.['set-cookie'] ?? []).map((h) => h.value) : [];
}
