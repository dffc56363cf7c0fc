/**
 * Group names. A group in the config is `<provider id>:<group>`, the provider id being
 * config `providers[].id` (by default the provider's type, so `github:my-org`), and the
 * group the provider's own name for it:
 *
 * - GitHub: an organization `my-org`, or a team `my-org/team-slug` (scope `read:org`);
 * - GitLab: a group's full path `my-group/sub-group` (its `groups` userinfo claim);
 * - Microsoft: a group's object id (the `groups` claim; Microsoft Graph past the overage);
 * - generic OIDC: a value of the claim named by `claims.groups` (default `groups`);
 * - Amazon Cognito: a user pool group's name (the ID token's `cognito:groups`).
 *
 * Without a prefix, a group belongs to the only provider that can have groups (or, in a
 * provider's own `allow`, to that provider); with several, the config must say which.
 * GitHub, GitLab and Microsoft names are case-insensitive there, so they are lowercased on
 * both sides; an OIDC issuer's values are matched exactly, as the issuer wrote them.
 */
import type { ProviderType } from '../config/types';

/** Provider types whose users can have groups edge-oauth reads. */
export const GROUP_PROVIDER_TYPES: readonly ProviderType[] = ['github', 'gitlab', 'microsoft', 'oidc', 'cognito'];

/** At most this many groups of one user are kept (sign-in, refresh); more are cut. */
export const MAX_GROUPS = 2000;
/** A group name longer than this is ignored (no provider names its groups so long). */
export const MAX_GROUP_LENGTH = 512;

export function caseInsensitiveGroups(type: ProviderType): boolean {
  return type === 'github' || type === 'gitlab' || type === 'microsoft';
}

/** A group name as it is matched and passed on for this provider type. */
export function normalizeGroup(type: ProviderType, name: string): string {
  return caseInsensitiveGroups(type) ? name.toLowerCase() : name;
}

/**
 * The groups a provider sent, made safe to keep: strings only, none empty or too long,
 * normalised for the provider type, each once, at most MAX_GROUPS. Anything else (a
 * number, an object) is ignored, never an error: a strange claim must not stop a sign-in.
 */
export function cleanGroups(type: ProviderType, values: unknown): string[] {
  const list = Array.isArray(values) ? values : typeof values === 'string' ? [values] : [];
  const out = new Set<string>();
  for (const value of list) {
    if (typeof value !== 'string' || value === '' || value.length > MAX_GROUP_LENGTH) continue;
    out.add(normalizeGroup(type, value));
    if (out.size >= MAX_GROUPS) break;
  }
  return [...out];
}

/** `<provider id>:<group>`: the one form of a group in the resolved config. */
export function qualifiedGroup(providerId: string, group: string): string {
  return `${providerId}:${group}`;
}

export interface GroupOwner {
  readonly id: string;
  readonly type: ProviderType;
}

export type QualifyResult = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly message: string };

/**
 * A config group name → `<provider id>:<group>`. `owner`: the provider whose own `allow`
 * names it (then the prefix, when given, must be that provider's id).
 */
export function qualifyGroup(raw: string, providers: readonly GroupOwner[], owner?: GroupOwner): QualifyResult {
  const colon = raw.indexOf(':');
  const prefix = colon > 0 ? raw.slice(0, colon) : undefined;
  const named = prefix !== undefined ? providers.find((p) => p.id === prefix) : undefined;
  let provider: GroupOwner | undefined;
  let group: string;
  if (named !== undefined) {
    provider = named;
    group = raw.slice(colon + 1);
    if (owner !== undefined && owner.id !== named.id) {
      return { ok: false, message: `names provider "${named.id}", but this is provider "${owner.id}"'s own allow-list: write its groups without a prefix` };
    }
  } else if (prefix !== undefined && owner === undefined) {
    const ids = providers.map((p) => `"${p.id}"`).join(', ');
    return { ok: false, message: `"${prefix}" is not a configured provider id (${ids}): write groups as "<provider id>:<group>", e.g. "${providers[0]?.id ?? 'github'}:my-org"` };
  } else {
    group = raw;
    const able = owner !== undefined ? [owner] : providers.filter((p) => GROUP_PROVIDER_TYPES.includes(p.type));
    if (able.length !== 1) {
      return able.length === 0
        ? { ok: false, message: 'no configured provider has groups (GitHub, GitLab, Microsoft or OpenID Connect)' }
        : { ok: false, message: `several providers can have groups (${able.map((p) => `"${p.id}"`).join(', ')}): say which, as "<provider id>:${raw}"` };
    }
    provider = able[0]!;
  }
  if (!GROUP_PROVIDER_TYPES.includes(provider.type)) {
    return { ok: false, message: `provider "${provider.id}" (${provider.type}) has no groups edge-oauth can read; groups come from GitHub, GitLab, Microsoft, Amazon Cognito and OpenID Connect providers` };
  }
  if (group === '') return { ok: false, message: 'names no group after the provider id' };
  return { ok: true, value: qualifiedGroup(provider.id, normalizeGroup(provider.type, group)) };
}

/** Whether a user of `providerId` with `groups` is in one of the (qualified) `allowed` groups. */
export function inAnyGroup(providerId: string, groups: readonly string[] | undefined, allowed: readonly string[]): boolean {
  if (groups === undefined || groups.length === 0 || allowed.length === 0) return false;
  const prefix = `${providerId}:`;
  for (const entry of allowed) {
    if (entry.startsWith(prefix) && groups.includes(entry.slice(prefix.length))) return true;
  }
  return false;
}
