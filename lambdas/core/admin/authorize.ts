/**
 * Who may use the admin console: a signed-in user whose email is in `admin.emails` (exact,
 * case-insensitive, like the allow-list) and who passes the site's allow-list for their
 * provider. The email is the stored one when the session checks read it (the provider's
 * current email after a back-channel check), else the cookie's.
 */
import type { EdgeConfig } from '../config/types';
import { allowListFor, checkAllowList, normalizeEmail } from '../sign-in/allow-list';
import type { SessionClaims } from '../session/session-cookie';

export type AdminAuthorization = { readonly admin: true; readonly email: string } | { readonly admin: false; readonly reason: 'not-admin' | 'not-on-allow-list' };

export function authorizeAdmin(config: EdgeConfig, claims: SessionClaims, storedEmail?: string): AdminAuthorization {
  const raw = storedEmail ?? claims.email;
  const email = raw === undefined ? undefined : normalizeEmail(raw);
  if (email === undefined || !config.admin.emails.includes(email)) return { admin: false, reason: 'not-admin' };
  if (!checkAllowList({ email }, allowListFor(config, claims.prv)).allowed) return { admin: false, reason: 'not-on-allow-list' };
  return { admin: true, email };
}
