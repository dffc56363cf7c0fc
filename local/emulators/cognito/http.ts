/**
 * The local Cognito stand-in's HTTP pieces (cognito.ts): its sign-in form, error page,
 * redirects, JSON answers, cookies and bodies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml } from '../../../lambdas/core/shared/html';
import { readText } from '../read-body';

export function loginForm(res: ServerResponse, q: URLSearchParams, error?: string, changing?: string): void {
  const action = `/login?${escapeHtml(q.toString())}`;
  const fields = changing !== undefined
    ? `<p>Change your temporary password.</p><input type="hidden" name="username" value="${escapeHtml(changing)}"><label>Temporary password <input name="password" type="password"></label><label>New password <input name="new_password" type="password"></label>`
    : '<label>Email <input name="username" type="email" autocomplete="username"></label><label>Password <input name="password" type="password"></label>';
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>Sign in</title><style>body{font-family:sans-serif;max-width:22rem;margin:4rem auto}label{display:block;margin:.8rem 0}input{display:block;width:100%;padding:.4rem}button{padding:.5rem 1.2rem}.error{color:#b00}</style></head><body><h1>Sign in</h1><p><small>Local Amazon Cognito stand-in (not Cognito's managed login)</small></p>${error !== undefined ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}<form method="post" action="${action}">${fields}<button type="submit">Sign in</button></form></body></html>`;
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

export function page(res: ServerResponse, status: number, title: string, detail: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p></body></html>`);
}

export function redirect(res: ServerResponse, location: string, setCookie?: string): void {
  res.writeHead(302, { location, 'cache-control': 'no-store', ...(setCookie !== undefined && { 'set-cookie': setCookie }) });
  res.end();
}

export function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** A form or JSON body, at most 64 KB. */
export function readBody(req: IncomingMessage): Promise<string> {
  return readText(req, { bytes: 64 * 1024, error: () => new Error('body too large') });
}
