/**
 * The allow-list. Email addresses and domains match exactly (case-insensitive): the
 * domain is the part after the single `@`, so `example.com` does not admit
 * `corp.example.com` nor `a@b@example.com`. An email the provider marks unverified is
 * never allowed. An email whose provider documents no verification (Amazon) never matches
 * an allow-list. On a re-check, an email whose verification the provider does not state keeps
 * the standing sign-in gave it when it is the same address, and is unverified when it is
 * another (`recheckedEmail`). Groups (`<provider id>:<group>`, access/groups.ts) admit a member of any
 * of them, whatever the email says. With every list empty, anyone who signs in at the
 * provider is allowed.
 */
import { inAnyGroup } from '../access/groups';
import { emailStanding, normalizeEmail, storedStatement, type EmailStatement } from '../access/usable-email';
import type { AllowList, EdgeConfig } from '../config/types';
import type { EmailVerification, SessionRecord } from '../stores';

export { normalizeEmail } from '../access/usable-email';

/** The email as the provider stated it (access/usable-email.ts decides whether it is usable), and the groups. */
export interface ProfileForPolicy extends EmailStatement {
  /** The user's groups at the provider (normalised: access/groups.ts). */
  readonly groups?: readonly string[] | undefined;
}

export type PolicyDecision =
  | { allowed: true }
  | { allowed: false; reason: 'email-unverified' | 'email-missing' | 'email-malformed' | 'not-on-allow-list' };

/** The allow-list that applies to a provider: its own when set, else the global one. */
export function allowListFor(config: EdgeConfig, providerId: string): AllowList {
  return config.providers.find((p) => p.id === providerId)?.allow ?? config.allow;
}

/** `providerId`: the user's provider, whose groups `allow.groups` may name. */
export function checkAllowList(profile: ProfileForPolicy, allow: AllowList, providerId?: string): PolicyDecision {
  const groups = allow.groups ?? [];
  if (providerId !== undefined && inAnyGroup(providerId, profile.groups, groups)) return { allowed: true };
  const byEmail = allow.emails.length > 0 || allow.emailDomains.length > 0;
  const restricted = byEmail || groups.length > 0;
  // The one notion of a usable email (access/usable-email.ts), as every other rule reads it.
  const standing = emailStanding(profile);
  if (standing.usable) {
    if (!restricted) return { allowed: true };
    const email = standing.email;
    if (allow.emails.includes(email) || allow.emailDomains.includes(email.slice(email.indexOf('@') + 1))) return { allowed: true };
    return { allowed: false, reason: 'not-on-allow-list' };
  }
  switch (standing.why) {
    // Refused even with every list empty: the provider says the address is not the user's.
    case 'unverified':
      return { allowed: false, reason: 'email-unverified' };
    case 'missing':
      return restricted ? { allowed: false, reason: byEmail ? 'email-missing' : 'not-on-allow-list' } : { allowed: true };
    case 'malformed':
      return restricted ? { allowed: false, reason: byEmail ? 'email-malformed' : 'not-on-allow-list' } : { allowed: true };
    case 'unverifiable':
      return restricted ? { allowed: false, reason: 'email-unverified' } : { allowed: true };
  }
}

/**
 * A re-check (refresh or userinfo, session/refresh.ts) never weakens what sign-in established,
 * and an email whose verification cannot be established is unverified:
 * - the provider states it (verified, unverified, or never verifiable): as stated;
 * - it does not (a single-tenant Microsoft directory, Microsoft userinfo, an OIDC issuer that
 *   puts `email_verified` in the ID token only), and the email is the one the session holds
 *   (`established`, the sign-in's or the last check's, with its standing): that standing;
 * - it does not, and the email is another one (changed at the provider, or none before):
 *   unverified. The allow-list refuses it (a group may still admit the user) and it is not
 *   passed on as the user's email. Signing in again judges it as any sign-in.
 */
export function recheckedEmail<P extends ProfileForPolicy>(profile: P, established: Pick<SessionRecord, 'email' | 'emailVerification'> | undefined): P {
  if (profile.email === undefined || profile.emailVerified !== undefined || profile.emailUnverifiable === true) return profile;
  const same = established?.email !== undefined && normalizeEmail(profile.email) === normalizeEmail(established.email);
  if (!same) return { ...profile, emailVerified: false };
  if (established.emailVerification === 'verified') return { ...profile, emailVerified: true };
  if (established.emailVerification === 'unverifiable') return { ...profile, emailUnverifiable: true };
  return profile;
}

/** What the provider said of the email it gave (a session record keeps it for re-evaluations). */
export function emailVerificationOf(profile: ProfileForPolicy): EmailVerification {
  if (profile.emailUnverifiable === true && profile.emailVerified !== true) return 'unverifiable';
  return profile.emailVerified === true ? 'verified' : 'unstated';
}

/**
 * The allow-list of `config` applied to what a session record knows (its email with the
 * provider's verification, its groups): the sign-in's decision, made again without the
 * provider. A record from before `emailVerification` was stored counts as `unstated`.
 */
export function checkStoredSession(config: EdgeConfig, record: Pick<SessionRecord, 'provider' | 'email' | 'emailVerification' | 'groups'>): PolicyDecision {
  const profile: ProfileForPolicy = { ...storedStatement(record.email, record.emailVerification), groups: record.groups };
  return checkAllowList(profile, allowListFor(config, record.provider), record.provider);
}

/** Words for the error page. */
export const DENIAL_MESSAGES: Record<Exclude<PolicyDecision, { allowed: true }>['reason'], string> = {
  'email-unverified': 'Your identity provider says this email address is not verified, or does not say that it is.',
  'email-missing': 'Your identity provider did not share an email address, so we cannot check that you are allowed in.',
  'email-malformed': 'Your identity provider returned an email address we cannot read.',
  'not-on-allow-list': 'This account is not allowed to access this site.',
};
