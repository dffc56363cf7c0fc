/**
 * The end of sign-in: state and nonce checked (the flow cookie matching `state`, used
 * once), the code exchanged with PKCE and the client secret, the ID token validated, the
 * profile read, the allow-list applied. Allowed: a new session (never a reused one:
 * no session fixation), its cookie, and a redirect to the saved same-origin path.
 */
import type { EdgeConfig } from '../config/types';
import { EdgeOAuthError, ProviderError } from '../errors';
import { FLOW_TTL, readFlow, stateHash, type FlowState } from './flow';
import type { KeySet } from '../keys/key-set';
import { PAGE_HEADERS, renderPage, signInHref, type Link } from '../viewer/pages';
import { CALLBACK_PATH } from '../viewer/special-paths';
import { allowListFor, checkAllowList, DENIAL_MESSAGES } from './allow-list';
import { usableEmail } from '../access/usable-email';
import type { Profile, Provider, SignInResult, TokenSet } from '../providers/types';
import { randomToken, type RandomBytes } from '../shared/random';
import { seal } from '../keys/seal';
import { serializeCookie } from '../shared/cookies';
import { newSessionClaims, sessionCookieMaxAge, sessionCookieName, type SessionClaims } from '../session/session-cookie';
import { signInRecord } from './sign-in-record';
import type { SessionStore, SignInStateStore, SignInStore } from '../stores';

export interface CallbackContext {
  readonly config: EdgeConfig;
  readonly keys: KeySet;
  readonly providers: ReadonlyMap<string, Provider>;
  /** The sessions, and the used sign-in states (replay protection) kept beside them. */
  readonly sessions: SessionStore & SignInStateStore;
  /** Writes the session, App User and MAU mark together. @default - the session only, with `sessions` */
  readonly signIns?: SignInStore | undefined;
  readonly now: number;
  readonly random: RandomBytes;
  readonly scheme: 'https' | 'http';
  /** Called after a successful sign-in, before the cookie is set (App Users, MAU: see the store). */
  readonly onSignIn?: ((signIn: SignIn) => Promise<void>) | undefined;
  readonly onError?: ((error: unknown, where: string) => void) | undefined;
}

export interface SignIn {
  readonly claims: SessionClaims;
  readonly profile: Profile;
  readonly tokens: TokenSet;
  readonly host: string;
}

export interface CallbackRequest {
  /** Raw query string, without `?`. */
  readonly querystring: string;
  readonly cookieHeaders: readonly string[];
  /** The site's host (config `site.domain`, or the viewer's Host passed by the edge). */
  readonly host: string;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

export interface CallbackResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly setCookies: readonly string[];
  readonly body?: string;
  /** For the request log. */
  readonly decision: 'allow' | 'block';
  readonly reason: string;
  readonly session?: SessionClaims;
}

/** A step's answer: its value, or the page that ends the callback. */
type Step<T> = { readonly value: T } | { readonly response: CallbackResponse };

interface Started {
  readonly flow: FlowState;
  readonly provider: Provider;
  readonly clearFlow: readonly string[];
  readonly retry: Link;
}

/** The flow cookie matching `state`, used once (a replayed callback fails), its provider, and no error from it. */
async function startedFlow(ctx: CallbackContext, req: CallbackRequest, params: URLSearchParams): Promise<Step<Started>> {
  const lookup = readFlow(ctx.config, ctx.keys, req.cookieHeaders, params.get('state') ?? '', ctx.now);
  const clearFlow = lookup.clearCookie !== undefined ? [lookup.clearCookie] : [];
  if (lookup.status !== 'ok') {
    return { response: errorPage(ctx, 400, `flow-${lookup.status}`, clearFlow, 'This sign-in link has expired or was already used', [
      'Sign-in links work once and for a few minutes. Please start again.',
    ]) };
  }
  const { flow } = lookup;
  const provider = ctx.providers.get(flow.p);
  const retry: Link = { href: signInHref({ provider: flow.p, returnPath: flow.r }), label: 'Sign in again' };
  if (provider === undefined) {
    return { response: errorPage(ctx, 400, 'unknown-provider', clearFlow, 'Sign-in failed', ['That sign-in provider is no longer configured.'], [retry]) };
  }
  // Single use, server-side: a replayed callback (same state, even with the cookie) fails.
  if (!(await ctx.sessions.consumeState(stateHash(flow.st), flow.iat + FLOW_TTL + 60))) {
    return { response: errorPage(ctx, 400, 'state-replayed', clearFlow, 'This sign-in link was already used', ['Please start again.'], [retry]) };
  }
  const providerError = params.get('error');
  if (providerError !== null) {
    const denied = providerError === 'access_denied';
    return { response: errorPage(ctx, denied ? 403 : 502, `provider-${denied ? 'denied' : 'error'}`, clearFlow, 'Sign-in was not completed', [
      denied ? `${provider.displayName} did not grant access (you may have cancelled).` : `${provider.displayName} reported an error: ${providerError.slice(0, 64)}.`,
    ], [retry]) };
  }
  return { value: { flow, provider, clearFlow, retry } };
}

/** The code exchanged at the provider (with the flow's verifier, state and nonce), or the page saying why not. */
async function exchangeCode(ctx: CallbackContext, req: CallbackRequest, started: Started): Promise<Step<SignInResult>> {
  const { flow, provider, clearFlow, retry } = started;
  try {
    return { value: await provider.finishSignIn({
      callbackUrl: new URL(`${ctx.scheme}://${req.host}${CALLBACK_PATH}?${req.querystring}`),
      redirectUri: `${ctx.scheme}://${req.host}${CALLBACK_PATH}`,
      codeVerifier: flow.v,
      state: flow.st,
      nonce: flow.n,
      ...(flow.ra === 1 && { authenticatedAfter: flow.iat }),
    }) };
  } catch (error) {
    ctx.onError?.(error, 'token-exchange');
    const code = error instanceof EdgeOAuthError ? error.code : 'ERR_UNKNOWN';
    const detail = error instanceof ProviderError ? `${provider.displayName}: ${error.detail}.` : `${provider.displayName} answered in a way we could not accept.`;
    // The provider's own words from the back channel (ProviderError keeps them printable and
    // short; renderPage escapes them). Never the callback's `error_description`: anyone can
    // put text there, and it would be shown under this site's name.
    const said = error instanceof ProviderError && error.oauthErrorDescription !== undefined ? [`${provider.displayName} said: ${error.oauthErrorDescription}`] : [];
    const denied = code === 'ERR_PROVIDER_DENIED';
    return { response: errorPage(ctx, denied ? 403 : 502, code, clearFlow, denied ? 'Access denied' : 'Sign-in failed', [
      denied ? 'Your sign-in was not accepted.' : 'We could not complete your sign-in.',
      detail,
      ...said,
    ], [retry]) };
  }
}

/** The session of an admitted user: its record written, its cookie sealed, and back to the return path. */
async function signedIn(ctx: CallbackContext, req: CallbackRequest, started: Started, result: SignInResult): Promise<CallbackResponse> {
  const { flow, provider, clearFlow } = started;
  const claims = newSessionClaims(ctx.config, {
    sid: randomToken(ctx.random, 16),
    uid: result.profile.id,
    prv: provider.id,
    name: result.profile.name,
    // Only a usable email (access/usable-email.ts) is passed on: not one the provider says is
    // unverified (a group may still admit the user), nor one it never verifies (Amazon).
    email: usableEmail(result.profile),
    groups: result.profile.groups,
    now: ctx.now,
  });
  // Session (with the sealed tokens), App User and MAU mark: one transaction (lambdas/store/dynamodb/sign-in.ts).
  const record = await signInRecord(ctx.config, ctx.keys, claims, result.tokens, req, result.profile);
  if (ctx.signIns !== undefined) await ctx.signIns.recordSignIn(record);
  else await ctx.sessions.createSession(record.session);
  await ctx.onSignIn?.({ claims, profile: result.profile, tokens: result.tokens, host: req.host });
  const cookie = serializeCookie(sessionCookieName(ctx.config), await seal(claims, ctx.keys.current), { maxAge: sessionCookieMaxAge(claims) });
  return {
    status: 302,
    headers: { location: flow.r, 'cache-control': 'no-store' },
    setCookies: [...clearFlow, cookie],
    decision: 'allow',
    reason: 'signed-in',
    session: claims,
  };
}

/** The callback: the flow, the code exchange, the allow-list, then the session. */
export async function finishCallback(ctx: CallbackContext, req: CallbackRequest): Promise<CallbackResponse> {
  const started = await startedFlow(ctx, req, new URLSearchParams(req.querystring));
  if ('response' in started) return started.response;
  const exchanged = await exchangeCode(ctx, req, started.value);
  if ('response' in exchanged) return exchanged.response;
  const { provider, flow, clearFlow } = started.value;
  const result = exchanged.value;
  const decision = checkAllowList(result.profile, allowListFor(ctx.config, provider.id), provider.id);
  if (!decision.allowed) {
    const who = result.profile.email ?? result.profile.name ?? 'this account';
    return errorPage(ctx, 403, decision.reason, clearFlow, 'Access denied', [DENIAL_MESSAGES[decision.reason], `Signed in at ${provider.displayName} as ${who}.`], [
      { href: signInHref({ provider: provider.id, returnPath: flow.r, reauthenticate: true }), label: 'Try another account' },
    ]);
  }
  return signedIn(ctx, req, started.value, result);
}

function errorPage(
  ctx: CallbackContext,
  status: number,
  reason: string,
  setCookies: readonly string[],
  title: string,
  paragraphs: string[],
  links: Link[] = [{ href: signInHref(), label: 'Sign in again' }],
): CallbackResponse {
  return {
    status,
    headers: PAGE_HEADERS,
    setCookies,
    body: renderPage({ siteName: ctx.config.site.name, title, paragraphs, links }),
    decision: 'block',
    reason,
  };
}
