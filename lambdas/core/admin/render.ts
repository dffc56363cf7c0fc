/**
 * The console's HTML: one frame (site name, navigation, who is signed in) around each view
 * of views.ts. No script at all; one <style> element allowed by its hash in the CSP (no
 * 'unsafe-inline'); every value from the stores or the request escaped (escapeHtml).
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../shared/html';
import { mauChart } from './chart';
import { ADMIN_PATHS, userRefOf } from './paths';
import type { AdminView, SessionRow } from './views';

const STYLE =
  'body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}' +
  'header{background:#1d2330;color:#fff;padding:.7rem 1.5rem;display:flex;gap:1.5rem;align-items:center;flex-wrap:wrap}' +
  'header b{font-size:1.05rem}header nav{display:flex;gap:1rem;flex:1}header a{color:#c9d6ff;text-decoration:none}header a.on{color:#fff;border-bottom:2px solid #fff}' +
  'header small{color:#aab3c5}main{max-width:72rem;margin:1.5rem auto;padding:0 1.5rem}' +
  'section{background:#fff;border-radius:10px;box-shadow:0 1px 3px #0002;padding:1.2rem 1.5rem;margin:0 0 1.2rem}' +
  'h1{font-size:1.35rem;margin:0 0 1rem}h2{font-size:1.05rem;margin:0 0 .8rem}' +
  'table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #e6e9ef;vertical-align:top}' +
  'th{font-size:.8rem;text-transform:uppercase;letter-spacing:.03em;color:#5b6475}td.ua{max-width:22rem;overflow-wrap:anywhere;font-size:.85rem;color:#5b6475}' +
  'dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1.5rem;margin:0}dt{color:#5b6475}dd{margin:0;overflow-wrap:anywhere}' +
  'table.narrow{width:auto;min-width:24rem}.big{font-size:2.6rem;font-weight:600;margin:0}.muted{color:#5b6475}.chart{width:100%;height:auto;max-width:46rem}' +
  '.pill{display:inline-block;white-space:nowrap;padding:.05rem .5rem;border-radius:99px;font-size:.8rem;background:#e8ecf5}.pill.active{background:#d7f2df;color:#145c2c}.pill.revoked{background:#fbe0e0;color:#8a1c1c}' +
  'form.inline{display:inline}button,a.button{font:inherit;padding:.35rem .8rem;border-radius:7px;border:1px solid #c9d0dc;background:#fff;color:#1d2330;cursor:pointer;text-decoration:none;display:inline-block}' +
  'button.danger,a.button.danger{background:#c62828;border-color:#c62828;color:#fff}button.primary{background:#2456d3;border-color:#2456d3;color:#fff}' +
  'input[type=email]{font:inherit;padding:.35rem .6rem;border:1px solid #c9d0dc;border-radius:7px;width:20rem;max-width:60vw}' +
  '.notice{background:#e7f0ff;border-left:4px solid #2456d3;padding:.6rem 1rem;margin:0 0 1.2rem;border-radius:6px}.row{display:flex;gap:.6rem;align-items:center;flex-wrap:wrap}.row h2{margin:0 1rem 0 0}section>.row+table{margin-top:.8rem}code{font-size:.85rem}';

/** The console's Content-Security-Policy: nothing but this page's own style element, forms to itself. */
export const ADMIN_CSP =
  `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; ` +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export interface Frame {
  readonly siteName: string;
  /** The signed-in admin (absent on pages shown to others: 403). */
  readonly adminEmail?: string | undefined;
  /** The session's CSRF token, for the forms. */
  readonly csrf?: string | undefined;
}

const time = (t: number | undefined) => (t === undefined ? '–' : `${new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`);
const e = escapeHtml;
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** "2026-11" → "November 2026". */
const monthName = (month: string) => `${MONTH_NAMES[Number(month.slice(5, 7)) - 1] ?? month} ${month.slice(0, 4)}`;
const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
const shortId = (sid: string) => `${sid.slice(0, 8)}…`;

export function renderAdminPage(view: AdminView, frame: Frame): string {
  const [title, active, body] = content(view, frame);
  const nav = frame.adminEmail === undefined
    ? ''
    : `<nav>${navLink(ADMIN_PATHS.overview, 'Overview', active)}${navLink(ADMIN_PATHS.users, 'Users', active)}${navLink(ADMIN_PATHS.keys, 'Keys', active)}</nav>` +
      `<small>${e(frame.adminEmail)} · <a href="/auth/logout">Sign out</a></small>`;
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<meta name="robots" content="noindex"><title>${e(title)} · ${e(frame.siteName)} admin</title><style>${STYLE}</style></head>` +
    `<body><header><b>${e(frame.siteName)} · admin</b>${nav}</header><main>${body}</main></body></html>`
  );
}

function navLink(href: string, label: string, active: string): string {
  return `<a href="${href}"${active === href ? ' class="on"' : ''}>${label}</a>`;
}

function content(view: AdminView, frame: Frame): [string, string, string] {
  switch (view.kind) {
    case 'overview':
      return [
        'Overview',
        ADMIN_PATHS.overview,
        `<section><h1>Monthly active users</h1><p class="big">${view.mau}</p><p class="muted">in ${e(monthName(view.month))} (UTC): each user who signed in or made a request this month, counted once.</p>` +
          `${mauChart(view.months)}</section>`,
      ];
    case 'users':
      return ['Users', ADMIN_PATHS.users, usersPage(view)];
    case 'user':
      return [view.user.email ?? userRefOf(view.user), ADMIN_PATHS.users, userPage(view)];
    case 'confirm':
      return ['Confirm', ADMIN_PATHS.users, confirmPage(view, frame)];
    case 'keys':
      return ['Keys', ADMIN_PATHS.keys, keysPage(view)];
    case 'message':
      return [view.title, '', `<section><h1>${e(view.title)}</h1><p>${e(view.text)}</p>${frame.adminEmail !== undefined ? `<p><a href="${ADMIN_PATHS.overview}">Back to the console</a></p>` : '<p><a href="/">Go to the home page</a></p>'}</section>`];
  }
}

function usersPage(view: Extract<AdminView, { kind: 'users' }>): string {
  const search =
    `<form class="row" method="get" action="${ADMIN_PATHS.users}"><input type="email" name="email" placeholder="someone@example.com" aria-label="Email" value="${e(view.search ?? '')}" required>` +
    `<button class="primary" type="submit">Search by email</button>${view.search !== undefined || view.paged ? `<a class="button" href="${ADMIN_PATHS.users}">All users</a>` : ''}</form>`;
  const rows = view.users.map(
    (u) =>
      `<tr><td><a href="${ADMIN_PATHS.user}?${q({ user: userRefOf(u) })}">${e(u.email ?? '(no email)')}</a></td><td>${e(u.name ?? '–')}</td><td>${e(u.provider)}</td>` +
      `<td>${time(u.lastSeenAt)}</td><td>${u.signIns ?? 0}</td><td>${e(u.hosts.slice(0, 3).join(', '))}${u.hosts.length > 3 ? ' …' : ''}</td></tr>`,
  );
  const caption = view.search !== undefined ? `Users with the email ${e(view.search)}` : 'Users, most recently seen first';
  const table = rows.length > 0
    ? `<table><thead><tr><th>Email</th><th>Name</th><th>Provider</th><th>Last seen</th><th>Sign-ins</th><th>Hosts</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
    : `<p class="muted">${view.search !== undefined ? 'No App User has this email.' : 'No App Users yet.'}</p>`;
  const next = view.next !== undefined ? `<p><a class="button" href="${ADMIN_PATHS.users}?${q({ cursor: view.next })}">Next page →</a></p>` : '';
  return `<section><h1>${caption}</h1>${search}</section><section>${table}${next}</section>`;
}

function userPage(view: Extract<AdminView, { kind: 'user' }>): string {
  const u = view.user;
  const ref = userRefOf(u);
  const fields: Array<[string, string]> = [
    ['Email', e(u.email ?? '–')],
    ['Name', e(u.name ?? '–')],
    ['Provider', e(u.provider)],
    ['User id', `<code>${e(u.userId)}</code>`],
    ['First seen', time(u.firstSeenAt)],
    ['Last seen', time(u.lastSeenAt)],
    ['Last sign-in', time(u.lastSignInAt)],
    ['Sign-ins', String(u.signIns ?? 0)],
    ['Hosts', e(u.hosts.slice(0, 50).join(', ') || '–')],
    ['Last IP', e(u.lastIp ?? '–')],
    ['Last user agent', e(u.lastUserAgent ?? '–')],
  ];
  const active = view.sessions.filter((s) => s.status === 'active').length;
  const revokeAll = active > 0 ? `<a class="button danger" href="${ADMIN_PATHS.revoke}?${q({ user: ref })}">Revoke all ${active} active session(s)…</a>` : '';
  const rows = view.sessions.map((s) => sessionRowHtml(s, ref));
  const sessions = rows.length > 0
    ? `<table><thead><tr><th>Session</th><th>Status</th><th>Created</th><th>Last activity</th><th>Host · IP</th><th>User agent</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>` +
      (view.more ? '<p class="muted">Only the newest sessions are shown.</p>' : '')
    : '<p class="muted">No sessions.</p>';
  return (
    (view.notice !== undefined ? `<p class="notice">${e(view.notice)}</p>` : '') +
    `<section><h1>${e(u.email ?? ref)}</h1><dl>${fields.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl></section>` +
    `<section><div class="row"><h2>Sessions</h2>${revokeAll}</div>${sessions}</section>`
  );
}

function status(s: SessionRow): string {
  if (s.status === 'revoked') return `<span class="pill revoked">revoked (${e(s.revokedReason ?? 'unknown')})</span><br><small class="muted">${time(s.revokedAt)}</small>`;
  return `<span class="pill ${s.status}">${s.status}</span>`;
}

function sessionRowHtml(s: SessionRow, ref: string): string {
  const action = s.status === 'active' ? `<a class="button" href="${ADMIN_PATHS.revoke}?${q({ user: ref, session: s.sessionId })}">Revoke…</a>` : '';
  return (
    `<tr><td><code title="${e(s.sessionId)}">${e(shortId(s.sessionId))}</code></td><td>${status(s)}</td><td>${time(s.createdAt)}</td><td>${time(s.lastSeenAt)}</td>` +
    `<td>${e(s.host ?? '–')}<br><small class="muted">${e(s.ip ?? '–')}</small></td><td class="ua">${e(s.userAgent ?? '–')}</td><td>${action}</td></tr>`
  );
}

function confirmPage(view: Extract<AdminView, { kind: 'confirm' }>, frame: Frame): string {
  const ref = userRefOf(view.user);
  const who = e(view.user.email ?? ref);
  const what = view.session !== undefined
    ? `Revoke session <code>${e(shortId(view.session.sessionId))}</code> of ${who} (created ${time(view.session.createdAt)}, last activity ${time(view.session.lastSeenAt)})?`
    : `Revoke all ${view.active} active session(s) of ${who}?`;
  const fields =
    `<input type="hidden" name="csrf" value="${e(frame.csrf ?? '')}"><input type="hidden" name="user" value="${e(ref)}">` +
    (view.session !== undefined ? `<input type="hidden" name="session" value="${e(view.session.sessionId)}">` : '');
  return (
    `<section><h1>Confirm</h1><p>${what}</p><p class="muted">The user is sent to sign in again on their next request after the revocation check interval; ` +
    'signing in again starts a new session if they are still allowed.</p>' +
    `<form class="row" method="post" action="${ADMIN_PATHS.revoke}">${fields}<button class="danger" type="submit">Revoke</button>` +
    `<a class="button" href="${ADMIN_PATHS.user}?${q({ user: ref })}">Cancel</a></form></section>`
  );
}

function keysPage(view: Extract<AdminView, { kind: 'keys' }>): string {
  const table = (rows: typeof view.sealing, alg: boolean) =>
    rows.length === 0
      ? '<p class="muted">None.</p>'
      : `<table class="narrow"><thead><tr><th>Key id</th>${alg ? '<th>Algorithm</th>' : ''}<th></th></tr></thead><tbody>${rows
          .map((k) => `<tr><td><code>${e(k.kid)}</code></td>${alg ? `<td>${e(k.alg ?? '')}</td>` : ''}<td>${k.current ? '<span class="pill active">current</span>' : '<span class="pill">listed</span>'}</td></tr>`)
          .join('')}</tbody></table>`;
  return (
    '<section><h1>Session key set</h1><p class="muted">Key ids only: the keys never leave Secrets Manager. Rotate with <code>edge-oauth keys</code> (docs/cli.md).</p></section>' +
    `<section><h2>Sealing keys (session cookies)</h2>${table(view.sealing, false)}</section>` +
    `<section><h2>Signing keys (identity assertion)</h2>${table(view.signing, true)}</section>`
  );
}
