/**
 * Starting a sign-in at the edge: the redirect to the provider (with a fresh flow cookie),
 * the provider picker when several are configured, and the 401 for requests that cannot
 * follow a redirect (an image, a fetch).
 */
import { EdgeOAuthError } from '../errors';
import { attemptId, newFlow } from '../sign-in/flow';
import { authRealm } from '../shared/header-value';
import { escapeHtml, page, signInHref } from './pages';
import { FRAGMENT_PAGE_HEADERS, fragmentPage, isBrowserDocumentLoad } from './fragment-pages';
import { CALLBACK_PATH } from './special-paths';
import type { ViewerAction, ViewerContext, ViewerRequest } from './types';

export interface SignInOptions {
  readonly returnPath: string;
  readonly reauthenticate: boolean;
  readonly reason: string;
  readonly providerId?: string | undefined;
  readonly extraCookies: readonly string[];
  readonly checks?: readonly string[];
  /** Started again from the page of a lost attempt (sign-in/callback.ts): no automatic third try. */
  readonly retry?: boolean;
}

/**
 * Only a top-level page load starts a sign-in. An image, a script or a fetch() can neither
 * follow the redirect nor show the picker; a frame cannot show the provider (providers
 * refuse framing); a prefetch or prerender was not asked for. Each would leave a flow cookie
 * behind, and a page can make any number of them at once (sign-in/flow.ts: the bound).
 */
export function canStartSignIn(req: ViewerRequest): boolean {
  if (req.fetchMode !== undefined && req.fetchMode !== 'navigate') return false;
  if (req.fetchDest !== undefined && req.fetchDest !== 'document') return false;
  return req.purpose === undefined || !/prefetch|prerender/i.test(req.purpose);
}

export async function startSignIn(ctx: ViewerContext, req: ViewerRequest, options: SignInOptions): Promise<ViewerAction> {
  if (!canStartSignIn(req)) return signInRequired(ctx, options);
  const { providers } = ctx;
  let provider = options.providerId !== undefined ? providers.get(options.providerId) : undefined;
  if (provider === undefined && providers.size === 1) provider = providers.values().next().value;
  if (provider === undefined) return picker(ctx, options);

  // A browser's page load may carry a fragment the server cannot see: answered by the page
  // that saves it for this tab (fragment-pages.ts). Anything else (curl, a client without
  // Fetch Metadata) gets the plain 302, as a fragment is then out of reach anyway.
  const keepFragment = isBrowserDocumentLoad(req);
  const started = newFlow(ctx.config, ctx.keys, {
    providerId: provider.id,
    returnPath: options.returnPath,
    reauthenticate: options.reauthenticate,
    ...(options.retry === true && { retry: true }),
    ...(keepFragment && { fragmentPage: true }),
    now: ctx.now,
    random: ctx.random,
    cookieHeaders: req.cookieHeaders,
  });
  const redirectUri = `${ctx.scheme}://${ctx.config.site.domain ?? req.host}${CALLBACK_PATH}`;
  let location: URL;
  try {
    location = await provider.authorizationUrl({
      redirectUri,
      state: started.state,
      nonce: started.flow.n,
      codeChallenge: started.codeChallenge,
      reauthenticate: options.reauthenticate,
    });
  } catch (error) {
    ctx.onError?.(error, 'authorization-url');
    if (error instanceof EdgeOAuthError && error.code === 'ERR_PROVIDER_CLIENT_AUTH_UNSUPPORTED') {
      // Retrying cannot help: the issuer takes no client secret (the log says what to set).
      return page(ctx.config.site.name, 502, 'block', 'provider-misconfigured', {
        title: 'Sign-in is unavailable',
        paragraphs: [`${provider.displayName} is not set up correctly for this site, so signing in is not possible. The site's operator will find the reason in the logs.`],
        links: [],
      });
    }
    if (error instanceof EdgeOAuthError && error.code === 'ERR_PROVIDER_TIMEOUT') {
      // Up but slow: say so (a timeout, 504), and offer to try again.
      return page(ctx.config.site.name, 504, 'block', 'provider-timeout', {
        title: 'Sign-in is taking too long',
        paragraphs: [`${provider.displayName} did not answer in time. It may be busy; please try again in a moment.`],
        links: [{ href: signInHref({ provider: provider.id, returnPath: options.returnPath }), label: 'Try again' }],
      });
    }
    return page(ctx.config.site.name, 502, 'block', 'provider-unreachable', {
      title: 'Sign-in is unavailable',
      paragraphs: [`We could not reach ${provider.displayName} to sign you in. Please try again in a moment.`],
      links: [{ href: signInHref({ provider: provider.id, returnPath: options.returnPath }), label: 'Try again' }],
    });
  }
  const setCookies = [...options.extraCookies, ...started.evictions, started.setCookie];
  const checks = options.checks !== undefined ? { checks: options.checks } : {};
  const body = keepFragment ? fragmentPage('save', attemptId(started.flow), location.href) : undefined;
  if (body !== undefined) {
    return { action: 'respond', decision: 'redirect', reason: options.reason, status: 200, headers: FRAGMENT_PAGE_HEADERS, setCookies, body, ...checks };
  }
  return {
    action: 'respond',
    decision: 'redirect',
    reason: options.reason,
    status: 302,
    headers: { location: location.href, 'cache-control': 'no-store' },
    setCookies,
    ...checks,
  };
}

function signInRequired(ctx: ViewerContext, options: SignInOptions): ViewerAction {
  const signIn = signInHref({ returnPath: options.returnPath });
  return {
    action: 'respond',
    decision: 'block',
    reason: `${options.reason}-not-navigation`,
    status: 401,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'www-authenticate': `Cookie realm="${authRealm({ name: ctx.config.site.name })}"` },
    setCookies: options.extraCookies,
    body: JSON.stringify({ error: 'unauthorized', message: 'Sign in required.', signIn }),
    ...(options.checks !== undefined && { checks: options.checks }),
  };
}

/**
 * Bytes of links the picker may carry. Each link repeats the return path (URL-encoded, then
 * HTML-escaped: up to ~6 KB for a 2,048-character path), and a viewer-request function's
 * page must fit 40 KB (edge-limits.ts): past this budget the links carry no return path and
 * the visitor lands on `/` after signing in (docs/deploy.md, "Limits").
 */
export const PICKER_LINKS_BUDGET = 24 * 1024;

function picker(ctx: ViewerContext, options: SignInOptions): ViewerAction {
  const unknown = options.providerId !== undefined;
  const linksFor = (returnPath: string) =>
    [...ctx.providers.values()].map((p) => ({
      href: signInHref({ provider: p.id, returnPath, reauthenticate: options.reauthenticate }),
      label: `Continue with ${p.displayName}`,
    }));
  let links = linksFor(options.returnPath);
  if (links.reduce((n, l) => n + escapeHtml(l.href).length + escapeHtml(l.label).length, 0) > PICKER_LINKS_BUDGET) links = linksFor('/');
  return page(ctx.config.site.name, unknown ? 400 : 200, 'redirect', unknown ? 'unknown-provider' : 'choose-provider', {
    title: `Sign in to ${ctx.config.site.name}`,
    paragraphs: unknown ? ['That sign-in provider is not available here. Choose one:'] : ['Choose how to sign in:'],
    links,
  }, options.extraCookies);
}
