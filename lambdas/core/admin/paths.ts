/** The console's addresses (under the `/auth/admin*` behaviour), and how a user is named in them: `<provider>:<user id>`, as the CLI prints it. */
import { withoutTrailing } from '../shared/text';
import type { AppUser } from '../stores';

export const ADMIN_PATHS = {
  overview: '/auth/admin',
  users: '/auth/admin/users',
  user: '/auth/admin/user',
  revoke: '/auth/admin/revoke',
  keys: '/auth/admin/keys',
} as const;

/**
 * The console page a request path names: trailing slashes do not count (`/auth/admin/users/`).
 * Linear: a loop, not `replace(/\/+$/)`, which backtracks quadratically on a long run of
 * slashes that is not at the end (a request path is client input, up to 8 KB).
 */
export function adminRouteOf(path: string): string {
  return withoutTrailing(path, '/') || '/';
}

export const userRefOf = (u: Pick<AppUser, 'provider' | 'userId'>) => `${u.provider}:${u.userId}`;

/** `<provider>:<user id>` → its parts; undefined when it is not one. */
export function parseUserRef(ref: string): { provider: string; userId: string } | undefined {
  const match = /^([a-z][a-z0-9-]{0,31}):(.{1,512})$/s.exec(ref);
  return match === null ? undefined : { provider: match[1]!, userId: match[2]! };
}
