/**
 * The per-request access check, shared by the viewer-request function and the API
 * Gateway authorizer: the path rules (path-rules.ts) that apply to the request, applied to
 * the session's identity in memory. The site's (or provider's) allow-list was applied at
 * sign-in and is re-applied by continuous authorization (session/refresh.ts); a path rule
 * comes on top of it and never admits anyone the allow-list refused.
 */
import type { AllowList, EdgeConfig } from '../config/types';
import { inAnyGroup } from './groups';
import { accessRules } from './path-rules';
import { sessionEmail } from './usable-email';

/** Who the session says the user is (the stored identity wins over the cookie's). */
export interface AccessIdentity {
  readonly prv: string;
  /** The session's email; a rule matches it only when usable (access/usable-email.ts). */
  readonly email?: string | undefined;
  /** The provider's groups; undefined when they are kept server-side and not known here. */
  readonly groups: readonly string[] | undefined;
}

export type AccessDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: 'path-not-allowed' }
  /** A rule needs the user's groups, and this container does not know them (kept server-side, store not read). */
  | { readonly allowed: 'unknown'; readonly reason: 'groups-unknown' };

const ALLOWED: AccessDecision = { allowed: true };
const REFUSED: AccessDecision = { allowed: false, reason: 'path-not-allowed' };
const UNKNOWN: AccessDecision = { allowed: 'unknown', reason: 'groups-unknown' };

/**
 * Whether the identity passes one rule's allow-list: a listed email or domain (`email`: the
 * usable one, already judged by checkPathAccess), or a group.
 */
export function passesRule(allow: AllowList, who: AccessIdentity): boolean | 'unknown' {
  const email = who.email;
  if (email !== undefined) {
    if (allow.emails.includes(email)) return true;
    if (allow.emailDomains.includes(email.slice(email.indexOf('@') + 1))) return true;
  }
  const groups = allow.groups ?? [];
  if (groups.length === 0) return false;
  if (who.groups === undefined) return groups.some((g) => g.startsWith(`${who.prv}:`)) ? 'unknown' : false;
  return inAnyGroup(who.prv, who.groups, groups);
}

/** The decision for a request path. No rule applies: allowed (the session passed the allow-list). */
export function checkPathAccess(config: EdgeConfig, uri: string, who: AccessIdentity): AccessDecision {
  const access = accessRules(config);
  if (!access.hasRules) return ALLOWED;
  let unknown = false;
  // The one notion of a usable email: an Amazon address (never verified), or a malformed one, matches no rule.
  const judged: AccessIdentity = { prv: who.prv, email: sessionEmail(config, who.prv, who.email), groups: who.groups };
  for (const { rule } of access.rulesFor(uri)) {
    const pass = passesRule(rule.allow, judged);
    if (pass === false) return REFUSED;
    if (pass === 'unknown') unknown = true;
  }
  return unknown ? UNKNOWN : ALLOWED;
}
