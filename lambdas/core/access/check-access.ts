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

/** Who the session says the user is (the stored identity wins over the cookie's). */
export interface AccessIdentity {
  readonly prv: string;
  /** Lowercased; the provider verified it (it passed the allow-list). */
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

/** Whether the identity passes one rule's allow-list: a listed email, domain, or group. */
export function passesRule(allow: AllowList, who: AccessIdentity): boolean | 'unknown' {
  const email = who.email;
  if (email !== undefined) {
    if (allow.emails.includes(email)) return true;
    const at = email.lastIndexOf('@');
    if (at > 0 && allow.emailDomains.includes(email.slice(at + 1)) && email.indexOf('@') === at) return true;
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
  for (const { rule } of access.rulesFor(uri)) {
    const pass = passesRule(rule.allow, who);
    if (pass === false) return REFUSED;
    if (pass === 'unknown') unknown = true;
  }
  return unknown ? UNKNOWN : ALLOWED;
}
