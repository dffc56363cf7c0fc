/**
 * Fragments across sign-in (issue 24). A URL fragment (`#part`) is never sent to a server; a
 * browser carries it across plain redirects only (RFC 9110 section 10.2.2,
 * https://www.rfc-editor.org/rfc/rfc9110#section-10.2.2; the Fetch standard's "navigation
 * redirect" keeps it), so a tab that shows the provider's sign-in form (a POST, a new URL)
 * used to land on its deep link without it. Two tiny pages keep it, per tab:
 *
 * - at sign-in start (a browser's top-level page load), instead of the 302: a page whose
 *   script saves `location.hash` in `sessionStorage` under the attempt's id, then
 *   `location.replace(<provider URL>)`;
 * - at the callback of such an attempt, instead of the 302: a page whose script reads and
 *   removes that key and goes to `location.replace(<deep link> + saved hash)`.
 *
 * `sessionStorage` is per tab (top-level browsing context) and per origin (HTML, "The
 * sessionStorage getter": https://html.spec.whatwg.org/multipage/webstorage.html#the-sessionstorage-attribute),
 * and the key names the attempt, so tabs never mix: a tab only ever reads its own attempt.
 *
 * The script is one constant: it reads its two values from its own `data-` attributes
 * (HTML-escaped like every attribute we write), so no input is ever inside the script, its
 * CSP hash (`script-src 'sha256-…'`, CSP3 "hash-source") is computed once, and `</script>`
 * cannot be produced by any input. No other script may run on these pages. Without
 * JavaScript, a `<noscript>` `<meta http-equiv="refresh">` and a link keep the flow going (the
 * fragment is then lost, as before). Nothing is visible with JavaScript on: the page is blank
 * for the instant it takes to leave.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../shared/html';
import { PAGE_HEADERS } from './pages';

/** The one script of both pages. `k`: the sessionStorage key; `s`: save (start) or restore (callback); `u`: where to go. */
export const FRAGMENT_SCRIPT =
  'var d=document.currentScript.dataset,u=d.u,h="";' +
  'try{var s=window.sessionStorage;' +
  'if(d.s==="1"){if(location.hash.length>1)s.setItem(d.k,location.hash)}' +
  'else{h=s.getItem(d.k)||"";s.removeItem(d.k);if(h.charAt(0)!=="#")h=""}}catch(e){}' +
  'location.replace(u+h);';

export const FRAGMENT_SCRIPT_HASH = `sha256-${createHash('sha256').update(FRAGMENT_SCRIPT).digest('base64')}`;

/** Headers of both pages: the PAGE_HEADERS of pages.ts, with exactly this script allowed. */
export const FRAGMENT_PAGE_HEADERS: Readonly<Record<string, string>> = {
  ...PAGE_HEADERS,
  'content-security-policy': `default-src 'none'; script-src '${FRAGMENT_SCRIPT_HASH}'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'`,
};

/**
 * Above this a page is not worth it (a viewer-request page may be at most 40 KB): the caller
 * answers the plain 302. Measured (npx tsx, fragmentPage on a Google-shaped URL): 2,718 bytes
 * for a 677-character provider URL, 10,818 for the longest state (3,377 characters).
 */
export const FRAGMENT_PAGE_MAX_BYTES = 32 * 1024;

/** The sessionStorage key of an attempt: its flow cookie's tail (start time, challenge prefix), not a secret. */
export function fragmentKey(attemptId: string): string {
  return `edge-oauth-fragment:${attemptId}`;
}

/**
 * The page. `to` is where to go: the provider's authorization URL (save) or the same-origin
 * deep link (restore). Returns undefined when the page would pass FRAGMENT_PAGE_MAX_BYTES.
 */
export function fragmentPage(mode: 'save' | 'restore', attemptId: string, to: string): string | undefined {
  const u = escapeHtml(to);
  const body =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">' +
    `<noscript><meta http-equiv="refresh" content="0;url=${u}"></noscript><title>Signing in</title>` +
    `<script data-s="${mode === 'save' ? '1' : '0'}" data-k="${escapeHtml(fragmentKey(attemptId))}" data-u="${u}">${FRAGMENT_SCRIPT}</script>` +
    `</head><body><noscript><p><a href="${u}">Continue</a></p></noscript></body></html>`;
  return Buffer.byteLength(body) <= FRAGMENT_PAGE_MAX_BYTES ? body : undefined;
}

/** Whether the request is a browser's top-level page load that says so (Fetch Metadata): only then is a page worth it. */
export function isBrowserDocumentLoad(req: { fetchMode?: string | undefined; fetchDest?: string | undefined }): boolean {
  return req.fetchMode === 'navigate' && req.fetchDest === 'document';
}
