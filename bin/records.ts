/** How the operator commands name and print App Users and sessions. */
import type { AppUser, SessionRecord, UserStore } from '../lambdas/core/stores';
import { CliError, formatTime } from './store-options';
import { sessionStatus } from '../lambdas/core/session/revoke';

export const userRef = (u: Pick<AppUser, 'provider' | 'userId'>) => `${u.provider}:${u.userId}`;

/** The App Users a reference names: `provider:id`, `USER#provider#id`, or an email. */
export async function resolveUsers(users: UserStore, ref: string): Promise<AppUser[]> {
  if (ref.includes('@') && !ref.startsWith('USER#')) return users.findByEmail(ref);
  const match = /^(?:USER#)?([a-z][a-z0-9-]{0,31})[:#](.+)$/.exec(ref);
  if (match === null) throw new CliError(`"${ref}" is not a user: use <provider>:<user id> (as \`users list\` prints it) or an email`);
  const user = await users.getUser(match[1]!, match[2]!);
  return user !== undefined ? [user] : [];
}

export async function mustResolveUsers(users: UserStore, ref: string): Promise<AppUser[]> {
  const found = await resolveUsers(users, ref);
  if (found.length === 0) throw new CliError(`no App User matches "${ref}"`);
  return found;
}

export const SESSION_HEADERS = ['SESSION', 'STATUS', 'CREATED (UTC)', 'LAST SEEN', 'LAST CHECK', 'HOST', 'IP'] as const;

export function sessionRows(sessions: readonly SessionRecord[], now = Math.floor(Date.now() / 1000)): string[][] {
  return sessions.map((r) => {
    const status = sessionStatus(r, now);
    return [
      r.sessionId,
      status === 'revoked' ? `revoked (${r.revokedReason ?? 'unknown'})` : status,
      formatTime(r.createdAt),
      formatTime(r.lastSeenAt),
      formatTime(r.lastAuthCheckAt),
      r.host ?? '-',
      r.ip ?? '-',
    ];
  });
}

/** A session for scripts: never the sealed tokens, nor the lease. */
export function sessionJson(r: SessionRecord, now = Math.floor(Date.now() / 1000)) {
  const { tokens: _tokens, leaseOwner: _owner, leaseUntil: _until, ...rest } = r;
  return { ...rest, user: userRef(r), status: sessionStatus(r, now) };
}
