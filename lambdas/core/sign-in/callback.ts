/**
 * The end of sign-in: state and nonce checked (the flow cookie matching `state`, used
 * once), the code exchanged with PKCE and the client secret, the ID token validated, the
 * profile read, the allow-list applied. Allowed: a new session (never a reused one:
 * no session fixation), its cookie, and a redirect to the saved same-origin path.
 */
import type { EdgeConfig } from '../config/types';
import { EdgeOAuthError, ProviderError } from '../errors';
import { attemptId, FLOW_TTL, newFlow, readFlow, stateHash, type FlowLookup, type FlowState } from './flow';
import type { KeySet } from '../keys/key-set';
import { PAGE_HEADERS, renderPage, signInHref, type Link } from '../viewer/pages';
import { CALLBACK_PATH } from '../viewer/special-paths';
import { FRAGMENT_PAGE_HEADERS, fragmentPage } from '../viewer/fragment-pages';
import { allowListFor, checkAllowList, DENIAL_MESSAGES } from './allow-list';
import { usableEmail } from '../access/usable-email';
import type { Profile, Provider, SignInResult, TokenSet } from '../providers/types';
import { randomToken, type RandomBytes } from '../shared/random';
import { seal } from '../keys/seal';
import { serializeCookie } from '../shared/cookies';
import { newSessionClaims, readSession, sessionCookieMaxAge, sessionCookieName, type SessionClaims } from '../session/session-cookie';
import { signInRecord } from './sign-in-record';
import type { SessionStore, SignInStateStore, SignInStore, UserStore } from '../stores';
import { planRefreshToken } from './kept-refresh-token';

export interface CallbackContext {
  readonly config: EdgeConfig;
  readonly keys: KeySet;
  readonly providers: ReadonlyMap<string, Provider>;
  /** The sessions, and the used sign-in states (replay protection) kept beside them. */
  readonly sessions: SessionStore & SignInStateStore;
  /** Writes the session, App User and MAU mark together. @default - the session only, with `sessions` */
  readonly signIns?: SignInStore | undefined;
  /** Where refresh tokens are kept per user (Provider.keepsRefreshToken: Google). */
  readonly users?: UserStore | undefined;
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
  readonly state: string;
  readonly verifier: string;
  readonly flow: FlowState;
  readonly provider: Provider;
  readonly clearFlow: string[];
  readonly retry: Link;
}

/** The attempt this browser holds for `state` (else lostAttempt), used once (a replayed callback fails), its provider, and no error from it. */
async function startedFlow(ctx: CallbackContext, req: CallbackRequest, params: URLSearchParams): Promise<Step<Started>> {
  const state = params.get('state') ?? '';
  const lookup = readFlow(ctx.config, ctx.keys, req.cookieHeaders, state, ctx.now);
  if (lookup.status !== 'ok') return { response: lostAttempt(ctx, req, lookup) };
  const clearFlow = [lookup.clearCookie];
  const { flow } = lookup;
  const provider = ctx.providers.get(flow.p);
  const retry: Link = { href: signInHref({ provider: flow.p, returnPath: flow.r }), label: 'Sign in again' };
  if (provider === undefined) {
    return { response: errorPage(ctx, 400, 'unknown-provider', clearFlow, 'Sign-in failed', ['That sign-in provider is no longer configured.'], [retry]) };
  }
  // Single use, server-side: a replayed callback (same state, even with the cookie) fails.
  if (!(await ctx.sessions.consumeState(stateHash(state), flow.iat + FLOW_TTL + 60))) {
    return { response: errorPage(ctx, 400, 'state-replayed', clearFlow, 'This sign-in link was already used', ['Please start again.'], [retry]) };
  }
  const providerError = params.get('error');
  if (providerError !== null) {
    const denied = providerError === 'access_denied';
    return { response: errorPage(ctx, denied ? 403 : 502, `provider-${denied ? 'denied' : 'error'}`, clearFlow, 'Sign-in was not completed', [
      denied ? `${provider.displayName} did not grant access (you may have cancelled).` : `${provider.displayName} reported an error: ${providerError.slice(0, 64)}.`,
    ], [retry]) };
  }
  return { value: { state, verifier: lookup.verifier, flow, provider, clearFlow, retry } };
}

/** The code exchanged at the provider (with the attempt's verifier, state and nonce), or the page saying why not. */
async function exchangeCode(ctx: CallbackContext, req: CallbackRequest, started: Started): Promise<Step<SignInResult>> {
  const { flow, provider, clearFlow, retry } = started;
  try {
    return { value: await provider.finishSignIn({
      callbackUrl: new URL(`${ctx.scheme}://${req.host}${CALLBACK_PATH}?${req.querystring}`),
      redirectUri: `${ctx.scheme}://${req.host}${CALLBACK_PATH}`,
      codeVerifier: started.verifier,
      state: started.state,
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
    const slow = code === 'ERR_PROVIDER_TIMEOUT'; // up but slow: a timeout (504), not "could not be reached"
    return { response: errorPage(ctx, denied ? 403 : slow ? 504 : 502, code, clearFlow, denied ? 'Access denied' : slow ? 'Sign-in is taking too long' : 'Sign-in failed', [
      denied ? 'Your sign-in was not accepted.' : slow ? `${provider.displayName} did not answer in time. It may be busy; please sign in again in a moment.` : 'We could not complete your sign-in.',
      detail,
      ...said,
    ], [retry]) };
  }
}

type TokenPlan = Exclude<Awaited<ReturnType<typeof planRefreshToken>>, { kind: 'consent' }>;

/** The session of an admitted user: its record written (with a kept refresh token), its cookie sealed, and back to the return path. */
async function signedIn(ctx: CallbackContext, req: CallbackRequest, started: Started, profile: Profile, plan: TokenPlan): Promise<CallbackResponse> {
  const { flow, provider, clearFlow } = started;
  const tokens = plan.tokens;
  const claims = newSessionClaims(ctx.config, {
    sid: randomToken(ctx.random, 16),
    uid: profile.id,
    prv: provider.id,
    name: profile.name,
    // Only a usable email (access/usable-email.ts) is passed on: not one the provider says is
    // unverified (a group may still admit the user), nor one it never verifies (Amazon).
    email: usableEmail(profile),
    groups: profile.groups,
    now: ctx.now,
  });
  // Session (with the sealed tokens), App User and MAU mark: one transaction (lambdas/store/dynamodb/sign-in.ts).
  const written = signInRecord(ctx.config, ctx.keys, claims, tokens, req, profile);
  const record = plan.keep === undefined ? written : { ...written, user: { ...written.user, refreshToken: plan.keep } };
  if (ctx.signIns !== undefined) await ctx.signIns.recordSignIn(record);
  else await ctx.sessions.createSession(record.session);
  await ctx.onSignIn?.({ claims, profile, tokens, host: req.host });
  const cookie = serializeCookie(sessionCookieName(ctx.config), seal(claims, ctx.keys.current), { maxAge: sessionCookieMaxAge(claims) });
  return { ...toDeepLink(flow, [...clearFlow, cookie]), decision: 'allow', reason: 'signed-in', session: claims };
}

/**
 * To the tab's deep link: a 302, or, when the attempt was started by the fragment page (the
 * tab may have saved its fragment), the page that restores it (viewer/fragment-pages.ts).
 */
function toDeepLink(flow: FlowState, setCookies: readonly string[]): Pick<CallbackResponse, 'status' | 'headers' | 'setCookies' | 'body'> {
  const body = flow.fr === 1 ? fragmentPage('restore', attemptId(flow), flow.r) : undefined;
  if (body !== undefined) return { status: 200, headers: FRAGMENT_PAGE_HEADERS, setCookies, body };
  return { status: 302, headers: { location: flow.r, 'cache-control': 'no-store' }, setCookies };
}

/** The callback: the attempt, the code exchange, the allow-list, the refresh token's plan, then the session. */
export async function finishCallback(ctx: CallbackContext, req: CallbackRequest): Promise<CallbackResponse> {
  const started = await startedFlow(ctx, req, new URLSearchParams(req.querystring));
  if ('response' in started) return started.response;
  const exchanged = await exchangeCode(ctx, req, started.value);
  if ('response' in exchanged) return exchanged.response;
  const { flow, provider, clearFlow, retry } = started.value;
  const result = exchanged.value;
  const decision = checkAllowList(result.profile, allowListFor(ctx.config, provider.id), provider.id);
  if (!decision.allowed) {
    const who = result.profile.email ?? result.profile.name ?? 'this account';
    return errorPage(ctx, 403, decision.reason, clearFlow, 'Access denied', [DENIAL_MESSAGES[decision.reason], `Signed in at ${provider.displayName} as ${who}.`], [
      { href: signInHref({ provider: provider.id, returnPath: flow.r, reauthenticate: true }), label: 'Try another account' },
    ]);
  }
  if (flow.h !== undefined && result.profile.id !== flow.h) {
    // The consent round trip came back with another account than the one just signed in.
    return errorPage(ctx, 403, 'consent-account-changed', clearFlow, 'Sign-in was not completed', [
      `Another ${provider.displayName} account was chosen on the consent screen than the one you signed in with. Please sign in again.`,
    ], [retry]);
  }
  const plan = await planRefreshToken(ctx, provider, result.profile.id, result.tokens, flow.h !== undefined);
  if (plan.kind === 'consent') return consentRoundTrip(ctx, req, provider, flow, result.profile.id, clearFlow);
  return signedIn(ctx, req, started.value, result.profile, plan);
}

/**
 * Once per sign-in, for a provider whose refresh token comes only with its consent screen
 * (kept-refresh-token.ts): back to the provider with the consent screen for the account just
 * signed in (`login_hint`), as a new attempt for the same deep link, marked so that its
 * callback never comes back here.
 */
async function consentRoundTrip(ctx: CallbackContext, req: CallbackRequest, provider: Provider, flow: FlowState, userId: string, clearFlow: string[]): Promise<CallbackResponse> {
  const started = newFlow(ctx.config, ctx.keys, {
    providerId: provider.id,
    returnPath: flow.r,
    reauthenticate: false,
    consentFor: userId,
    now: ctx.now,
    random: ctx.random,
    cookieHeaders: req.cookieHeaders,
  });
  let location: URL;
  try {
    location = await provider.authorizationUrl({
      redirectUri: `${ctx.scheme}://${req.host}${CALLBACK_PATH}`,
      state: started.state,
      nonce: started.flow.n,
      codeChallenge: started.codeChallenge,
      reauthenticate: false,
      consent: { loginHint: userId },
    });
  } catch (error) {
    ctx.onError?.(error, 'authorization-url');
    return errorPage(ctx, 502, 'provider-unreachable', clearFlow, 'Sign-in was not completed', [`We could not reach ${provider.displayName}. Please try again in a moment.`], [
      { href: signInHref({ provider: provider.id, returnPath: flow.r }), label: 'Sign in again' },
    ]);
  }
  return {
    status: 302,
    headers: { location: location.href, 'cache-control': 'no-store' },
    setCookies: [...clearFlow, ...started.evictions, started.setCookie],
    decision: 'allow',
    reason: 'consent-required',
  };
}

/**
 * No dead end: a callback whose attempt this browser no longer holds (expired, replaced, the
 * link opened in another browser, already finished in this tab) still knows from its sealed
 * state where its tab was going. Signed in meanwhile (another tab finished first): straight
 * there. Otherwise a page that starts a fresh sign-in back there, by itself once (a
 * `<meta refresh>`), then only by a click: a browser that keeps no cookies must not loop.
 * A state we did not seal says nothing we can trust: a fresh sign-in back to `/`.
 */
function lostAttempt(ctx: CallbackContext, req: CallbackRequest, lookup: Exclude<FlowLookup, { status: 'ok' }>): CallbackResponse {
  const reason = `flow-${lookup.status}`;
  if (lookup.status === 'invalid') {
    return errorPage(ctx, 400, reason, [], 'This sign-in link is not valid here', ['It may come from another site or an older sign-in. Please sign in again.']);
  }
  const { flow } = lookup;
  const clear = lookup.clearCookie !== undefined ? [lookup.clearCookie] : [];
  if (readSession(ctx.config, ctx.keys, req.cookieHeaders, ctx.now).status === 'valid') {
    return { ...toDeepLink(flow, clear), decision: 'allow', reason: `${reason}-signed-in` };
  }
  const provider = ctx.providers.get(flow.p);
  const href = signInHref({ ...(provider !== undefined && { provider: provider.id }), returnPath: flow.r, reauthenticate: flow.ra === 1, retry: true });
  const again = flow.rt === 1;
  return {
    status: 400,
    headers: PAGE_HEADERS,
    setCookies: clear,
    body: renderPage({
      siteName: ctx.config.site.name,
      title: again ? 'Your sign-in could not be finished' : 'Continuing your sign-in',
      paragraphs: again
        ? ['This browser did not keep the sign-in cookie twice in a row. Check that cookies are allowed for this site, then continue.']
        : [lookup.status === 'expired' ? 'That sign-in took too long.' : 'That sign-in was replaced or started in another browser.', 'Starting a new one, back to where you were going.'],
      links: [{ href, label: 'Continue signing in' }],
      ...(!again && { continueTo: href }),
    }),
    decision: 'block',
    reason,
  };
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
