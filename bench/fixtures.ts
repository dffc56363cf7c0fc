/**
 * Shared fixtures for the benchmarks: a parsed config, a key set, a sealed session
 * cookie, and realistic CloudFront viewer-request events (built by the local emulator's
 * event builder, so they have the shape CloudFront documents).
 */
import { randomBytes } from 'node:crypto';
import type { CloudFrontRequest, CloudFrontRequestEvent } from 'aws-lambda';
import { parseConfig } from '../lambdas/core/config/parse';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { serializeCookie } from '../lambdas/core/shared/cookies';
import { generateKeySetSecret, parseKeySet, type KeySet } from '../lambdas/core/keys/key-set';
import { seal } from '../lambdas/core/keys/seal';
import { newSessionClaims, sessionCookieName, type SessionClaims } from '../lambdas/core/session/session-cookie';
import { buildViewerRequestEvent } from '../local/emulators/cloudfront/event';

export const ISSUER = 'https://login.example.com';
export const SITE_HOST = 'app.example.com';

/**
 * The example config's shape: one OIDC provider, long check intervals (so that no
 * server-side check is due during a fast-path measurement once the per-container cache is
 * warm), a 7-day maximum duration.
 */
export function benchConfig(): EdgeConfig {
  return parsed(BENCH_CONFIG, 'bench config');
}

const BENCH_CONFIG = {
  site: { domain: SITE_HOST, name: 'Example App' },
  providers: [
    {
      id: 'corp',
      type: 'oidc',
      displayName: 'Corporate SSO',
      issuer: ISSUER,
      clientId: 'edge-oauth-example',
      clientSecret: { secretId: 'edge-oauth/corp-client-secret' },
    },
  ],
  session: { authCheckInterval: '12h', inactivityTimeout: '7d', maxDuration: '7d', revocationCheckInterval: '12h' },
  optionsPassthrough: true,
};

function parsed(input: unknown, what: string): EdgeConfig {
  const result = parseConfig(input);
  if (!result.ok) throw new Error(`${what}: ${JSON.stringify(result.problems)}`);
  return result.config;
}

/**
 * The same config with access rules (docs/access-rules.md) in the shape a site would have:
 * public paths, and path rules of each kind, one of which (`/reports/`) applies to the
 * benched request and admits the benched user. What the rules cost on the fast path.
 */
export function benchConfigWithRules(): EdgeConfig {
  return parsed(
    {
      ...BENCH_CONFIG,
      publicPaths: ['/public/', '/healthz', '/assets/', '/favicon.ico'],
      paths: [
        { prefix: '/admin/', allow: { emails: ['boss@example.com'] } },
        { prefix: '/eng/', allow: { groups: ['eng'] } },
        { prefix: '/finance/', allow: { emailDomains: ['finance.example.com'] } },
        { prefix: '/reports/', allow: { emailDomains: ['example.com'] } },
      ],
    },
    'bench config with rules',
  );
}

/** A key-set secret (a sealing key and a signing key for the identity assertion), as Secrets Manager holds it. */
export function benchKeySetSecret(): string {
  return generateKeySetSecret(randomBytes, 'bench-1');
}

export function benchKeys(secret = benchKeySetSecret()): KeySet {
  return parseKeySet(secret);
}

export interface SessionFixture {
  readonly claims: SessionClaims;
  /** The sealed token (the cookie's value). */
  readonly token: string;
  /** `name=value` as a browser sends it. */
  readonly cookiePair: string;
}

export async function benchSession(config: EdgeConfig, keys: KeySet, nowSeconds: number, uid = '248289761001'): Promise<SessionFixture> {
  const claims = newSessionClaims(config, {
    sid: randomBytes(16).toString('base64url'),
    uid,
    prv: 'corp',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    now: nowSeconds - 60,
  });
  const token = await seal(claims, keys.current);
  const setCookie = serializeCookie(sessionCookieName(config), token, { maxAge: 7 * 86400 });
  return { claims, token, cookiePair: setCookie.slice(0, setCookie.indexOf(';')) };
}

/** Cookies a typical site also has (analytics, preferences): they pass through to the origin. */
export const OTHER_COOKIES = '_ga=GA1.1.1428796342.1752661811; theme=dark; lang=en-GB';

/** A browser-like GET, as raw header lines. */
export function browserHeaders(cookie: string | undefined): string[] {
  return [
    'Host', SITE_HOST,
    'User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36',
    'Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'Accept-Language', 'en-GB,en;q=0.9',
    'Accept-Encoding', 'gzip, deflate, br, zstd',
    'Sec-Fetch-Dest', 'document',
    'Sec-Fetch-Mode', 'navigate',
    'Sec-Fetch-Site', 'same-origin',
    ...(cookie !== undefined ? ['Cookie', cookie] : []),
  ];
}

/** A factory of fresh events (handlers may mutate the request they are given). */
export function eventFactory(target: string, cookie: string | undefined, method = 'GET'): () => CloudFrontRequestEvent {
  const template = buildViewerRequestEvent({
    distributionDomainName: 'd111111abcdef8.cloudfront.net',
    distributionId: 'EDFDVBD6EXAMPLE',
    requestId: 'MRVMF7KydIvxMWfJIglgwHQwZsbG2IhRJ07sn9AkKUFSHS9EXAMPLE==',
    request: { method, target, rawHeaders: browserHeaders(cookie), clientIp: '203.0.113.178' },
  });
  return () => cloneEvent(template);
}

/** A deep copy of a viewer-request event (its fixed shape), cheaper than a JSON round trip. */
function cloneEvent(event: CloudFrontRequestEvent): CloudFrontRequestEvent {
  const { config, request } = event.Records[0]!.cf;
  const headers: CloudFrontRequest['headers'] = {};
  for (const name in request.headers) headers[name] = request.headers[name]!.map(({ key, value }) => ({ key, value }));
  return { Records: [{ cf: { config: { ...config }, request: { ...request, headers } } }] };
}
