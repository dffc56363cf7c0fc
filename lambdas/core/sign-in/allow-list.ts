/**
 * The allow-list. Email addresses and domains match exactly (case-insensitive): the
 * domain is the part after the single `@`, so `example.com` does not admit
 * `corp.example.com` nor `a@b@example.com`. An email the provider marks unverified is
 * never allowed. An email whose provider documents no verification (Amazon) never matches
 * an allow-list. Groups (`<provider id>:<group>`, access/groups.ts) admit a member of any
 * of them, whatever the email says. With every list empty, anyone who signs in at the
 * provider is allowed.
 */
import { inAnyGroup } from '../access/groups';
import type { AllowList, EdgeConfig } from '../config/types';

export interface ProfileForPolicy {
  readonly email?: string | undefined;
  readonly emailVerified?: boolean | undefined;
  /** The provider documents no verification of its email: it is refused as unverified where an allow-list applies. */
  readonly emailUnverifiable?: boolean | undefined;
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

/**
 * The one form of an email address that is matched and passed on: lower case, nothing
 * trimmed (a padded address is not the one the provider verified), and no character
 * outside ASCII lower-cased into ASCII (the Kelvin sign "\u212A" would become "k", and
 * "\u212Aim@example.com" pass for "kim@example.com").
 */
export function normalizeEmail(email: string): string {
  return Array.from(email, (c) => {
    const lower = c.toLowerCase();
    return c > '\x7f' && /[\x00-\x7f]/.test(lower) ? c : lower;
  }).join('');
}

/** `providerId`: the user's provider, whose groups `allow.groups` may name. */
export function checkAllowList(profile: ProfileForPolicy, allow: AllowList, providerId?: string): PolicyDecision {
  const groups = allow.groups ?? [];
  if (providerId !== undefined && inAnyGroup(providerId, profile.groups, groups)) return { allowed: true };
  const byEmail = allow.emails.length > 0 || allow.emailDomains.length > 0;
  const restricted = byEmail || groups.length > 0;
  const email = profile.email === undefined ? undefined : normalizeEmail(profile.email);
  if (email === undefined || email === '') return restricted ? { allowed: false, reason: byEmail ? 'email-missing' : 'not-on-allow-list' } : { allowed: true };
  if (profile.emailVerified === false) return { allowed: false, reason: 'email-unverified' };
  const parts = email.split('@');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    return restricted ? { allowed: false, reason: byEmail ? 'email-malformed' : 'not-on-allow-list' } : { allowed: true };
  }
  if (!restricted) return { allowed: true };
  if (profile.emailUnverifiable === true && profile.emailVerified !== true) return { allowed: false, reason: 'email-unverified' };
  if (allow.emails.includes(email) || allow.emailDomains.includes(parts[1]!)) return { allowed: true };
  return { allowed: false, reason: 'not-on-allow-list' };
}

/** Words for the error page. */
export const DENIAL_MESSAGES: Record<Exclude<PolicyDecision, { allowed: true }>['reason'], string> = {
  'email-unverified': 'Your identity provider says this email address is not verified, or does not say that it is.',
  'email-missing': 'Your identity provider did not share an email address, so we cannot check that you are allowed in.',
  'email-malformed': 'Your identity provider returned an email address we cannot read.',
  'not-on-allow-list': 'This account is not allowed to access this site.',
};
