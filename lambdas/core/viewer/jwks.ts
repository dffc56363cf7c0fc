/**
 * `/auth/.well-known/jwks.json`: the public keys of every signing key in the key set (the
 * current one and any older ones still listed, so assertions signed before a rotation keep
 * verifying), answered by the edge and never forwarded to the origin.
 */
import { SigningKeysMissingError } from '../errors';
import { KEY_SET_CACHE_SECONDS } from '../keys/key-set';
import type { SigningKeySet } from '../keys/signing-keys';
import { notFoundPage } from './pages';
import type { ViewerAction, ViewerContext, ViewerRequest } from './types';

/**
 * `public, max-age=300`: verifiers (and any shared cache in front of them) may keep the key
 * set for 5 minutes: the same as the edge's own secret cache, so a new key reaches a
 * caching verifier within ~10 minutes, well inside a rotation's overlap. jose's
 * createRemoteJWKSet, PyJWKClient and keyfunc also refetch on an unknown `kid`. CloudFront
 * does not cache a viewer-request function's answer, so every fetch reaches the function:
 * the max-age also bounds that cost.
 */
export const JWKS_CACHE_CONTROL = `public, max-age=${KEY_SET_CACHE_SECONDS}`;

export const JWKS_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  'cache-control': JWKS_CACHE_CONTROL,
  'x-content-type-options': 'nosniff',
};

export interface JwksAnswer {
  readonly status: 200 | 405;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** GET/HEAD get the key set; other methods 405. */
export function answerJwks(signing: SigningKeySet, method: string): JwksAnswer {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, headers: { allow: 'GET, HEAD', 'cache-control': 'no-store' } };
  return { status: 200, headers: JWKS_HEADERS, body: signing.jwks };
}

/** The public signing keys, answered here and never forwarded. Without signing keys: 404, or an error when the assertion is on. */
export function answerJwksRequest(ctx: ViewerContext, req: ViewerRequest): ViewerAction {
  const signing = ctx.keys.signing;
  if (signing === undefined) {
    if (ctx.config.assertion.enabled) throw new SigningKeysMissingError();
    return notFoundPage(ctx.config.site.name);
  }
  const answer = answerJwks(signing, req.method);
  return {
    action: 'respond',
    decision: 'special',
    reason: answer.status === 200 ? 'jwks' : 'jwks-method',
    status: answer.status,
    headers: answer.headers,
    setCookies: [],
    ...(answer.body !== undefined && { body: answer.body }),
  };
}
