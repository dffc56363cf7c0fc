/**
 * Remote logout, as operators do it: the CLI (`edge-oauth sessions revoke`, `users revoke`)
 * and the admin console call these same functions. A revoked session stops working within
 * `session.revocationCheckInterval` (each container re-reads a session at most that often).
 */
import type { AppUser, SessionRecord, SessionStore, UserStore } from '../stores';

export type SessionStatus = 'active' | 'revoked' | 'expired';

export function sessionStatus(r: SessionRecord, now: number): SessionStatus {
  if (r.revokedAt !== undefined) return 'revoked';
  return r.expiresAt <= now ? 'expired' : 'active';
}

/** Revokes one session (reason `operator`); the record as it was, or undefined when there is no such live session. */
export async function revokeOneSession(sessions: SessionStore, sessionId: string, now: number): Promise<SessionRecord | undefined> {
  const record = await sessions.getSession(sessionId);
  if (record === undefined) return undefined;
  await sessions.revokeSession(sessionId, now, 'operator');
  return record;
}

/**
 * Revokes every active session of a user (reason `operator`); the ids revoked. With `users`,
 * the refresh token kept for the user (Google: sign-in/kept-refresh-token.ts) is dropped too:
 * "sign out everywhere" leaves no credential of theirs behind, and their next sign-in shows
 * the provider's consent screen once. Revoking one session (or a logout) leaves it: the
 * user's other sessions and next sign-ins still use it.
 */
export async function revokeUserSessions(sessions: SessionStore, user: Pick<AppUser, 'provider' | 'userId'>, now: number, users?: Pick<UserStore, 'dropRefreshToken'>): Promise<string[]> {
  const active = (await sessions.listSessionsOfUser(user.provider, user.userId)).filter((r) => sessionStatus(r, now) === 'active');
  await Promise.all([...active.map((r) => sessions.revokeSession(r.sessionId, now, 'operator')), users?.dropRefreshToken(user.provider, user.userId)]);
  return active.map((r) => r.sessionId);
}
