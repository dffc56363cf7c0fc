/**
 * The console's pages (GET) and actions (POST), once the request is known to come from an
 * admin (console.ts). Each returns a view (or where to go next) and the audit record: the
 * action and its target. Revocation is the CLI's own code (session/revoke.ts).
 */
import { BadRequestError } from '../errors';
import { sessionHash } from '../request-events';
import { revokeOneSession, revokeUserSessions } from '../session/revoke';
import { normalizeEmail } from '../sign-in/allow-list';
import type { AppUser } from '../stores';
import { ADMIN_PATHS, adminRouteOf, parseUserRef, userRefOf } from './paths';
import { keysView, overviewView, sessionRow, userView, usersView, type AdminView } from './views';
import type { AdminAudit, AdminContext } from './types';

type Audit = Omit<AdminAudit, 'admin'>;

export async function routePage(ctx: AdminContext, path: string, query: URLSearchParams): Promise<{ status: number; reason: string; view: AdminView; audit: Audit }> {
  const ok = (action: string, view: AdminView, target?: Audit['target']) => ({ status: 200, reason: `admin-${action}`, view, audit: { action, ...(target !== undefined && { target }) } });
  switch (adminRouteOf(path)) {
    case ADMIN_PATHS.overview:
      return ok('view-overview', await overviewView(ctx.stores, ctx.now));
    case ADMIN_PATHS.users: {
      const email = query.get('email');
      if (email !== null && email !== '') {
        const wanted = checkedEmail(email);
        return ok('search-users', await usersView(ctx.stores, { email: wanted }), { email: wanted });
      }
      return ok('view-users', await usersView(ctx.stores, { cursor: query.get('cursor') ?? undefined }));
    }
    case ADMIN_PATHS.user: {
      const user = await mustFindUser(ctx, query.get('user'));
      if (user === undefined) return notFound('view-user', 'No such App User', 'There is no App User with this id.');
      const revoked = query.get('revoked');
      const notice = revoked !== null && /^\d{1,4}$/.test(revoked) ? `Revoked ${revoked} session(s). They stop working within ${ctx.config.session.revocationCheckInterval} s (session.revocationCheckInterval).` : undefined;
      return ok('view-user', await userView(ctx.stores, user, ctx.now, notice), { user: userRefOf(user) });
    }
    case ADMIN_PATHS.revoke: {
      const target = await revokeTarget(ctx, query);
      if (target === undefined) return notFound('confirm-revoke', 'Nothing to revoke', 'There is no such App User, or no such active session of this user.');
      const sessions = target.sessionId !== undefined ? [target.sessionId] : target.active;
      const view: AdminView = { kind: 'confirm', user: target.user, session: target.session, active: target.active.length };
      return ok('confirm-revoke', view, { user: userRefOf(target.user), sessions: sessions.map(sessionHash) });
    }
    case ADMIN_PATHS.keys:
      return ok('view-keys', keysView(ctx.keys));
    default:
      return notFound('not-found', 'Not found', 'The admin console has no such page.');
  }
}

export async function routeAction(ctx: AdminContext, path: string, form: URLSearchParams): Promise<{ reason: string; location: string; audit: Audit }> {
  if (adminRouteOf(path) !== ADMIN_PATHS.revoke) throw new BadRequestError('path', `${path.slice(0, 100)} takes no form; forms go to ${ADMIN_PATHS.revoke}`);
  const target = await revokeTarget(ctx, form);
  if (target === undefined) throw new BadRequestError('session', 'there is no such active session of this user (already revoked or expired?)');
  const ref = userRefOf(target.user);
  let revoked: string[];
  if (target.sessionId !== undefined) {
    const record = await revokeOneSession(ctx.stores.sessions, target.sessionId, ctx.now);
    revoked = record !== undefined ? [target.sessionId] : [];
  } else {
    revoked = await revokeUserSessions(ctx.stores.sessions, target.user, ctx.now, ctx.stores.users);
  }
  const action = target.sessionId !== undefined ? 'revoke-session' : 'revoke-user-sessions';
  const location = `${ADMIN_PATHS.user}?${new URLSearchParams({ user: ref, revoked: String(revoked.length) }).toString()}`;
  return { reason: `admin-${action}`, location, audit: { action, target: { user: ref, sessions: revoked.map(sessionHash) } } };
}

function notFound(action: string, title: string, text: string) {
  return { status: 404, reason: `admin-${action}-not-found`, view: { kind: 'message', title, text } as AdminView, audit: { action } };
}

function checkedEmail(email: string): string {
  if (email.length > 320 || !/^[^@\s]+@[^@\s]+$/.test(email)) throw new BadRequestError('email', 'is not an email address (search is by the exact email, e.g. someone@example.com)');
  return normalizeEmail(email);
}

async function mustFindUser(ctx: AdminContext, ref: string | null): Promise<AppUser | undefined> {
  if (ref === null || ref === '') throw new BadRequestError('user', 'is required: <provider>:<user id>');
  const parts = parseUserRef(ref);
  if (parts === undefined) throw new BadRequestError('user', 'is not <provider>:<user id>');
  return ctx.stores.users.getUser(parts.provider, parts.userId);
}

/** The user and (optionally) one of their active sessions that a revoke names; undefined when there is no such thing. */
async function revokeTarget(ctx: AdminContext, params: URLSearchParams) {
  const user = await mustFindUser(ctx, params.get('user'));
  if (user === undefined) return undefined;
  const sessionId = params.get('session') ?? undefined;
  if (sessionId !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(sessionId)) throw new BadRequestError('session', 'is not a session id');
    const record = await ctx.stores.sessions.getSession(sessionId);
    if (record === undefined || record.provider !== user.provider || record.userId !== user.userId || record.revokedAt !== undefined) return undefined;
    return { user, sessionId, session: sessionRow(record, ctx.now), active: [sessionId] };
  }
  const active = (await ctx.stores.sessions.listSessionsOfUser(user.provider, user.userId)).filter((r) => r.revokedAt === undefined && r.expiresAt > ctx.now).map((r) => r.sessionId);
  return { user, sessionId: undefined, session: undefined, active };
}
