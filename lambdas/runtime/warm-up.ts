/**
 * Priming at init: the viewer function runs one signed-in request through its own code
 * before the first real one, with an in-memory session and no network, so that what a first
 * request would otherwise pay at the invoke's CPU share (128 MB: about 7 % of a vCPU) is paid
 * at init's full vCPU: V8 compiling the fast path's functions on first call, Node's first
 * AES-GCM and ECDSA calls (node:crypto), the key-set parser. Given the container's real key set and
 * AssertionCache (lambdas/runtime/viewer-init.ts), the warm-up's cookie is sealed with the real
 * current key (so opening it makes that key's key object) and its assertion is signed with the
 * real signing key, through the cache the handler uses; without them, a throwaway
 * key set. Measured effect: docs/performance.md#cold-start. The throwaway session (and keys)
 * never leave this module; the request and its answer are discarded (nothing is logged or
 * sent anywhere).
 */
import { randomBytes } from 'node:crypto';
import type { CloudFrontRequest, CloudFrontRequestEvent } from 'aws-lambda';
import type { EdgeConfig } from '../core/config/types';
import { generateKeySetSecret, parseKeySet, type KeySet } from '../core/keys/key-set';
import { seal } from '../core/keys/seal';
import type { Provider } from '../core/providers/types';
import type { requestEvent, RequestLogger } from '../core/request-events';
import { newSessionClaims, sessionCookieName } from '../core/session/session-cookie';
import type { AssertionCache } from '../core/viewer/assertion';
import { createViewerHandler } from '../edge/handler';
import { MemorySessionStore } from '../store/memory/sessions';
import { MemoryMauStore } from '../store/memory/mau';
import { MemoryUserStore } from '../store/memory/users';

/**
 * A browser's navigation as CloudFront passes it: the headers a browser sends (so their
 * handling runs), a query string, and a cookie of the site's own beside the session cookie
 * (so the filtering of edge-oauth's cookies out of the forwarded `Cookie` header runs).
 */
function warmUpEvent(config: EdgeConfig, sessionCookie: string): CloudFrontRequestEvent {
  const host = config.site.domain ?? 'warm-up.invalid';
  const header = (key: string, value: string) => [{ key, value }];
  const request: CloudFrontRequest = {
    clientIp: '192.0.2.1',
    method: 'GET',
    uri: '/warm-up',
    querystring: 'warm=up',
    headers: {
      host: header('Host', host),
      'user-agent': header('User-Agent', 'edge-oauth warm-up'),
      accept: header('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'),
      'accept-language': header('Accept-Language', 'en'),
      'sec-fetch-dest': header('Sec-Fetch-Dest', 'document'),
      'sec-fetch-mode': header('Sec-Fetch-Mode', 'navigate'),
      'sec-fetch-site': header('Sec-Fetch-Site', 'same-origin'),
      cookie: header('Cookie', `warm=up; ${sessionCookie}`),
    },
  };
  return { Records: [{ cf: { config: { distributionDomainName: host, distributionId: 'WARMUP', eventType: 'viewer-request', requestId: 'warm-up' }, request } }] };
}

/** An address the site's allow-list admits (the warm-up's user must take the signed-in path). */
function admittedEmail(config: EdgeConfig): string {
  const allow = config.providers[0]?.allow ?? config.allow;
  return allow.emails[0] ?? (allow.emailDomains[0] !== undefined ? `warm-up@${allow.emailDomains[0]}` : 'warm-up@example.invalid');
}

export interface WarmUpOptions {
  /** Builds the request's log line (warming the builder); the line is not written. */
  readonly format?: (event: ReturnType<typeof requestEvent>) => string;
  /** The container's key set. @default - a throwaway one */
  readonly keys?: KeySet;
  /** The handler's assertion cache, so the signing key's import is kept for it. @default - the warm-up's own */
  readonly assertions?: AssertionCache;
}

/**
 * One signed-in request through a handler of its own. Resolves to what the request got:
 * `forward` (the fast path, as intended) or the status of the answer.
 */
export async function warmUpViewer(config: EdgeConfig, providers: ReadonlyMap<string, Provider>, options: WarmUpOptions = {}): Promise<'forward' | string> {
  const keys = options.keys ?? parseKeySet(generateKeySetSecret(randomBytes, 'warm-up'));
  const now = Math.floor(Date.now() / 1000);
  const prv = config.providers[0]?.id ?? 'warm-up';
  // Signed in one activity-write interval ago, as a returning visitor: the session touch is
  // written, so the App User touch runs too, as on a real first request of a session.
  const signedInAt = now - config.session.activityWriteInterval - 1;
  const claims = newSessionClaims(config, { sid: randomBytes(16).toString('base64url'), uid: 'warm-up', prv, name: 'Warm Up', email: admittedEmail(config), now: signedInAt });
  const sessions = new MemorySessionStore();
  void sessions.createSession({ sessionId: claims.sid, provider: prv, userId: claims.uid, email: claims.email!, createdAt: claims.iat, expiresAt: claims.exp ?? now + 3600 });
  const format = options.format;
  const log: RequestLogger = { request: (e) => void format?.(e), error: () => undefined };
  const handler = createViewerHandler({
    config,
    keys: () => Promise.resolve(keys),
    providers,
    random: randomBytes,
    sessions,
    users: new MemoryUserStore(),
    mau: new MemoryMauStore(),
    log,
    ...(options.assertions !== undefined && { assertions: options.assertions }),
  });
  const cookie = `${sessionCookieName(config)}=${seal(claims, keys.current)}`;
  const answer = await handler(warmUpEvent(config, cookie));
  return 'status' in answer ? answer.status : 'forward';
}
