/**
 * edge-oauth's own pages: signed out, access denied, sign-in error, provider picker, not
 * found. Small (a viewer-request generated response may be at most 40 KB), no external
 * assets, every echoed value HTML-escaped, never a token, secret or stack trace.
 */
import type { EdgeConfig } from '../config/types';
import type { SessionClaims } from '../session/session-cookie';
import { escapeHtml } from '../shared/html';
import type { Decision, ViewerAction } from './types';

export { escapeHtml };

export interface Link {
  readonly href: string;
  readonly label: string;
}

export interface PageContent {
  readonly title: string;
  /** Paragraphs of plain text (escaped here). */
  readonly paragraphs: readonly string[];
  readonly links?: readonly Link[];
  readonly siteName: string;
  /** Follow this same-origin link by itself after a second (`<meta http-equiv="refresh">`; CSP does not govern it). */
  readonly continueTo?: string;
}

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}' +
  'main{max-width:28rem;margin:12vh auto;background:#fff;padding:2rem;border-radius:12px;box-shadow:0 1px 4px #0002}' +
  'h1{font-size:1.35rem;margin:0 0 1rem}p{margin:.5rem 0}small{color:#5b6475}' +
  'a.b{display:block;margin:.75rem 0 0;padding:.6rem 1rem;border-radius:8px;background:#2456d3;color:#fff;text-decoration:none;text-align:center}' +
  'a.b.s{background:#e8ecf5;color:#1d2330}';

export function renderPage(content: PageContent): string {
  const links = (content.links ?? [])
    .map((link, i) => `<a class="b${i > 0 ? ' s' : ''}" href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a>`)
    .join('');
  const paragraphs = content.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('');
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<meta name="robots" content="noindex">${content.continueTo === undefined ? '' : `<meta http-equiv="refresh" content="1;url=${escapeHtml(content.continueTo)}">`}<title>${escapeHtml(content.title)}</title><style>${STYLE}</style></head>` +
    `<body><main><h1>${escapeHtml(content.title)}</h1>${paragraphs}${links}` +
    `<p><small>${escapeHtml(content.siteName)} · protected by edge-oauth</small></p></main></body></html>`
  );
}

/** Link that starts a fresh sign-in (optionally with one provider and a return path). */
export function signInHref(options: { provider?: string; returnPath?: string; reauthenticate?: boolean; retry?: boolean } = {}): string {
  const params = new URLSearchParams();
  if (options.provider !== undefined) params.set('provider', options.provider);
  if (options.returnPath !== undefined && options.returnPath !== '/') params.set('rd', options.returnPath);
  if (options.retry === true) params.set('retry', '1');
  const query = params.toString();
  return `/auth/${options.reauthenticate ? 'authn' : 'login'}${query === '' ? '' : `?${query}`}`;
}

/** Headers for every page edge-oauth renders. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'",
};

/** A page answer of the viewer (a status, a reason for the request event, and the page). */
export function page(
  siteName: string,
  status: number,
  decision: Decision,
  reason: string,
  content: { title: string; paragraphs: string[]; links: { href: string; label: string }[] },
  setCookies: readonly string[] = [],
): ViewerAction {
  return { action: 'respond', decision, reason, status, headers: PAGE_HEADERS, setCookies, body: renderPage({ siteName, ...content }) };
}

/** Any other path under `/auth/`: 404, never forwarded to the origin. */
export function notFoundPage(siteName: string): ViewerAction {
  return page(siteName, 404, 'special', 'not-found', {
    title: 'Not found',
    paragraphs: ['There is nothing at this address.'],
    links: [{ href: '/', label: 'Go to the home page' }],
  });
}

/**
 * A failure on our side (a store, the key set, a bug): 503, fail closed, never forwarded.
 * The adapter logs the error; the visitor sees no detail.
 */
export function unavailablePage(siteName: string): ViewerAction {
  return page(siteName, 503, 'block', 'internal-error', {
    title: 'Temporarily unavailable',
    paragraphs: ['Something went wrong on our side. Please try again in a moment.'],
    links: [{ href: '/', label: 'Go to the home page' }],
  });
}

/**
 * A signed-in user a path rule (config `paths`) does not admit: 403, naming the site and
 * the account, never the rule (which would tell a visitor how access is decided). The
 * session stays: the rest of the site still works.
 */
export function pathDeniedPage(config: EdgeConfig, who: SessionClaims): Extract<ViewerAction, { action: 'respond' }> {
  const providerName = config.providers.find((p) => p.id === who.prv)?.displayName ?? who.prv;
  const account = who.email ?? who.name ?? 'this account';
  return page(config.site.name, 403, 'block', 'path-not-allowed', {
    title: 'Access denied',
    paragraphs: [`This account may not open this page of ${config.site.name}.`, `You are signed in with ${providerName} as ${account}.`],
    links: [
      { href: '/', label: 'Go to the home page' },
      { href: signInHref({ provider: who.prv, reauthenticate: true }), label: 'Sign in with another account' },
    ],
  }) as Extract<ViewerAction, { action: 'respond' }>;
}

/**
 * The request with edge-oauth's headers would pass CloudFront's request size limit
 * (lambdas/edge/egress.ts): 431, never forwarded (CloudFront would answer 502). The
 * visitor's own headers (cookies, mostly) leave too little room.
 */
export function requestTooLargePage(siteName: string): Extract<ViewerAction, { action: 'respond' }> {
  return page(siteName, 431, 'block', 'request-too-large', {
    title: 'Request too large',
    paragraphs: ['This request carries too many or too large headers (often cookies) to be passed on. Clearing this site\'s cookies usually helps.'],
    links: [{ href: '/', label: 'Go to the home page' }],
  }) as Extract<ViewerAction, { action: 'respond' }>;
}

/** A generated page that would pass CloudFront's 40 KB limit (lambdas/edge/egress.ts): a short one, same status and cookies. */
export function oversizedPage(action: Extract<ViewerAction, { action: 'respond' }>): Extract<ViewerAction, { action: 'respond' }> {
  const small = page('this site', action.status, action.decision, action.reason, {
    title: 'Please try again',
    paragraphs: ['This page could not be shown in full.'],
    links: [{ href: '/', label: 'Go to the home page' }],
  }) as Extract<ViewerAction, { action: 'respond' }>;
  const location = action.headers.location;
  return { ...small, ...(location !== undefined && location.length <= 8192 && { headers: { ...small.headers, location } }), setCookies: action.setCookies };
}
