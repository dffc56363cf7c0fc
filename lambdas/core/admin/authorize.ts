/**
 * Who may use the admin console: a signed-in user whose email is in `admin.emails` (exact,
 * case-insensitive, like the allow-list) and who passes the site's allow-list for their
 * provider. The email and groups are the stored ones when the session checks read them (the
 * provider's current values after a back-channel check), else the cookie's.
 *
 * An email matches only from a provider that verifies it: Amazon documents no verification
 * (providers/amazon.ts, `emailUnverifiable`), so an Amazon account claiming an admin's email
 * is never an admin, even on a site whose allow-list is open.
 */
import type { EdgeConfig } from '../config/types';
import { allowListFor, checkAllowList, normalizeEmail } from '../sign-in/allow-list';
import type { SessionClaims } from '../session/session-cookie';

export type AdminAuthorization =
  | { readonly admin: true; readonly email: string }
  | { readonly admin: false; readonly reason: 'not-admin' | 'email-unverifiable' | 'not-on-allow-list' };

/** Provider types whose email is not verified by the provider (their profiles say `emailUnverifiable`). */
const UNVERIFIED_EMAIL_TYPES: ReadonlySet<string> = new Set(['amazon']);

export function authorizeAdmin(config: EdgeConfig, claims: SessionClaims, stored?: { email?: string | undefined; groups?: readonly string[] | undefined }): AdminAuthorization {
  const raw = stored?.email ?? claims.email;
  const email = raw === undefined ? undefined : normalizeEmail(raw);
  if (email === undefined || !config.admin.emails.includes(email)) return { admin: false, reason: 'not-admin' };
  const type = config.providers.find((p) => p.id === claims.prv)?.type;
  if (type === undefined || UNVERIFIED_EMAIL_TYPES.has(type)) return { admin: false, reason: 'email-unverifiable' };
  const groups = stored?.groups ?? claims.grp;
  if (!checkAllowList({ email, groups }, allowListFor(config, claims.prv), claims.prv).allowed) return { admin: false, reason: 'not-on-allow-list' };
  return { admin: true, email };
}
