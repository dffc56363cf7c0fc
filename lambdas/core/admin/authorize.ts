/**
 * Who may use the admin console: a signed-in user whose email is in `admin.emails` (exact,
 * case-insensitive, like the allow-list) and who passes the site's allow-list for their
 * provider. The email and groups are the stored ones when the session checks read them (the
 * provider's current values after a back-channel check; a stored "no usable email" is none,
 * never the cookie's), else the cookie's.
 *
 * An email matches only when usable (access/usable-email.ts), as for every other rule:
 * Amazon documents no verification (providers/amazon.ts, `emailUnverifiable`), so an Amazon
 * account claiming an admin's email is never an admin, even on a site whose allow-list is open.
 */
import type { EdgeConfig } from '../config/types';
import { allowListFor, checkAllowList } from '../sign-in/allow-list';
import type { SessionClaims } from '../session/session-cookie';
import { normalizeEmail, sessionEmail, UNVERIFIABLE_EMAIL_TYPES } from '../access/usable-email';

export type AdminAuthorization =
  | { readonly admin: true; readonly email: string }
  | { readonly admin: false; readonly reason: 'not-admin' | 'email-unverifiable' | 'not-on-allow-list' };

export function authorizeAdmin(config: EdgeConfig, claims: SessionClaims, stored?: { email?: string | null | undefined; groups?: readonly string[] | undefined }): AdminAuthorization {
  // Stored `null`: the last check found no usable email; the cookie's must not stand in for it.
  const raw = stored?.email === undefined ? claims.email : (stored.email ?? undefined);
  const listed = raw !== undefined && config.admin.emails.includes(normalizeEmail(raw));
  if (!listed) return { admin: false, reason: 'not-admin' };
  const email = sessionEmail(config, claims.prv, raw);
  const type = config.providers.find((p) => p.id === claims.prv)?.type;
  if (email === undefined) return { admin: false, reason: type === undefined || UNVERIFIABLE_EMAIL_TYPES.has(type) ? 'email-unverifiable' : 'not-admin' };
  const groups = stored?.groups ?? claims.grp;
  if (!checkAllowList({ email, groups }, allowListFor(config, claims.prv), claims.prv).allowed) return { admin: false, reason: 'not-on-allow-list' };
  return { admin: true, email };
}
