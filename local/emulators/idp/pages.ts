/**
 * The dev IdP's own pages: the sign-in form (any email, optional name and groups, a
 * "verified" box) and automatic consent, on oidc-provider's interaction routes
 * (https://github.com/panva/node-oidc-provider/blob/main/docs/README.md#interactions).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml as esc } from '../../../lambdas/core/shared/html';
import type { DevAccounts } from './accounts';
import type { Interaction, Provider } from './oidc-provider';

export function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>body{font:15px/1.5 system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem}
label{display:block;margin:.6rem 0}input[type=email],input[type=text]{display:block;width:100%;padding:.4rem;box-sizing:border-box}
button{padding:.5rem 1.2rem}.error{color:#a00}</style></head><body>${body}</body></html>`;
}

function loginPage(i: Interaction, error?: string): string {
  const hint = typeof i.params.login_hint === 'string' ? i.params.login_hint : '';
  return page(
    'Sign in - edge-oauth dev IdP',
    `<h1>Dev identity provider</h1><p>Sign in to <strong>${esc(String(i.params.client_id))}</strong>. Any email works.</p>
${error ? `<p class="error">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(i.uid)}/login" autocomplete="off">
<label>Email <input name="email" type="email" required autofocus value="${esc(hint)}"></label>
<label>Name (optional) <input name="name" type="text"></label>
<label>Groups (optional, comma-separated) <input name="groups" type="text" placeholder="eng, admins"></label>
<label><input name="email_verified" type="checkbox" value="true" checked> Email verified</label>
<button type="submit">Sign in</button></form>
<p><a href="/interaction/${esc(i.uid)}/abort">Cancel</a></p>`,
  );
}

/** The form's "Groups": comma-separated, trimmed, each once, empty ones dropped (at most 1000). */
function parseGroups(field: string): string[] {
  return [...new Set(field.split(',').map((g) => g.trim()).filter((g) => g !== ''))].slice(0, 1000);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if ((size += chunk.length) > 65536) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** GET /interaction/:uid, POST /interaction/:uid/login, GET /interaction/:uid/abort */
export async function interaction(provider: Provider, accounts: DevAccounts, req: IncomingMessage, res: ServerResponse, path: string) {
  const m = /^\/interaction\/([\w-]+)(\/login|\/abort)?$/.exec(path);
  const details = m && (await provider.interactionDetails(req, res));
  if (!m || !details || details.uid !== m[1]) return sendHtml(res, 404, page('Not found', '<p>No such interaction.</p>'));
  const [, , action] = m;

  if (action === '/abort') {
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false });
  }
  if (action === '/login' && req.method === 'POST') {
    const form = await readForm(req);
    const email = (form.get('email') ?? '').trim();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) return sendHtml(res, 400, loginPage(details, 'Enter an email address.'));
    const account = accounts.signIn(email, form.get('name')?.trim() || undefined, form.has('email_verified'), parseGroups(form.get('groups') ?? ''));
    if (account.disabled) {
      return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'account disabled' }, { mergeWithLastSubmission: false });
    }
    return provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  }
  if (!action && req.method === 'GET' && details.prompt.name === 'login') return sendHtml(res, 200, loginPage(details));
  if (!action && req.method === 'GET' && details.prompt.name === 'consent') {
    // Automatic consent: grant exactly what is missing, no page.
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
    const grant = existing ?? new provider.Grant({ ...(details.session?.accountId !== undefined && { accountId: details.session.accountId }), clientId: String(details.params.client_id) });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: existing ? {} : { grantId } }, { mergeWithLastSubmission: true });
  }
  return sendHtml(res, 400, page('Unexpected', `<p>Unexpected interaction ${esc(details.prompt.name)}.</p>`));
}
