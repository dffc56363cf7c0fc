/**
 * Priming at init: the viewer function runs one signed-in request through its own code
 * before the first real one, with a throwaway key set, an in-memory session and no network,
 * so that what a first request would otherwise pay at the invoke's CPU share (128 MB: about
 * 7 % of a vCPU) is paid at init's full vCPU: V8 compiling the fast path's functions on
 * first call, Node's first AES-GCM and ECDSA calls (node:crypto), the key-set parser. Measured
 * effect: docs/performance.md#cold-start. The throwaway keys and session never leave this
 * module; the request and its answer are discarded (nothing is logged or sent anywhere).
 *
 * What runs before the handler's first `await` (the cookie is sealed with core/keys/seal.ts,
 * synchronously) runs inside `require`; the rest, the assertion's signature included,
 * completes on the event loop right after.
 */
import { randomBytes } from 'node:crypto';
import type { CloudFrontRequest, CloudFrontRequestEvent } from 'aws-lambda';
import type { EdgeConfig } from '../core/config/types';
import { generateKeySetSecret, parseKeySet } from '../core/keys/key-set';
import { seal } from '../core/keys/seal';
import type { Provider } from '../core/providers/types';
import type { requestEvent, RequestLogger } from '../core/request-events';
import { newSessionClaims, sessionCookieName } from '../core/session/session-cookie';
import { createViewerHandler } from '../edge/handler';
import { MemorySessionStore } from '../store/memory/sessions';
import { MemoryMauStore } from '../store/memory/mau';
import { MemoryUserStore } from '../store/memory/users';

function warmUpEvent(config: EdgeConfig, cookie: string): CloudFrontRequestEvent {
  const host = config.site.domain ?? 'warm-up.invalid';
  const request: CloudFrontRequest = {
    clientIp: '192.0.2.1',
    method: 'GET',
    uri: '/',
    querystring: '',
    headers: { host: [{ key: 'Host', value: host }], cookie: [{ key: 'Cookie', value: cookie }], 'user-agent': [{ key: 'User-Agent', value: 'edge-oauth warm-up' }] },
  };
  return { Records: [{ cf: { config: { distributionDomainName: host, distributionId: 'WARMUP', eventType: 'viewer-request', requestId: 'warm-up' }, request } }] };
}

/** An address the site's allow-list admits (the warm-up's user must take the signed-in path). */
function admittedEmail(config: EdgeConfig): string {
  const allow = config.providers[0]?.allow ?? config.allow;
  return allow.emails[0] ?? (allow.emailDomains[0] !== undefined ? `warm-up@${allow.emailDomains[0]}` : 'warm-up@example.invalid');
}

/**
 * One signed-in request through a handler of its own. `format`: its log line is built (and
 * the builder warmed) but not written. Resolves to what the request got: `forward` (the fast
 * path, as intended) or the status of the answer.
 */
export async function warmUpViewer(config: EdgeConfig, providers: ReadonlyMap<string, Provider>, format?: (event: ReturnType<typeof requestEvent>) => string): Promise<'forward' | string> {
  const keys = parseKeySet(generateKeySetSecret(randomBytes, 'warm-up'));
  const now = Math.floor(Date.now() / 1000);
  const prv = config.providers[0]?.id ?? 'warm-up';
  const claims = newSessionClaims(config, { sid: randomBytes(16).toString('base64url'), uid: 'warm-up', prv, name: 'Warm Up', email: admittedEmail(config), now: now - 1 });
  const sessions = new MemorySessionStore();
  void sessions.createSession({ sessionId: claims.sid, provider: prv, userId: claims.uid, email: claims.email!, createdAt: claims.iat, expiresAt: claims.exp ?? now + 3600 });
  const log: RequestLogger = { request: (e) => void format?.(e), error: () => undefined };
  const handler = createViewerHandler({ config, keys: () => Promise.resolve(keys), providers, random: randomBytes, sessions, users: new MemoryUserStore(), mau: new MemoryMauStore(), log });
  const cookie = `${sessionCookieName(config)}=${seal(claims, keys.current)}`;
  const answer = await handler(warmUpEvent(config, cookie));
  return 'status' in answer ? answer.status : 'forward';
}
