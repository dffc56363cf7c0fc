/**
 * The user's groups as the origin gets them: the `edge-oauth-user-groups` header and the
 * assertion's `groups` claim. A user can be in hundreds of groups, and CloudFront refuses
 * a request whose line and headers pass 20,480 bytes (a 502 for the user), so each form
 * carries at most MAX_GROUPS_OUT_BYTES: the groups the config names first (those decide
 * access), then the others in the provider's order; when some are left out the origin is
 * told (`<header>-truncated: true`, `groups_truncated: true`). The full list stays in the
 * session item.
 */
import type { EdgeConfig } from '../config/types';
import { headerValue } from '../shared/header-value';

/** Bytes of groups each of the header and the assertion carries at most. */
export const MAX_GROUPS_OUT_BYTES = 2048;

export interface GroupsOut {
  /** The header value: each group encoded like the other identity headers, `,` as `%2C`, joined by `,`. */
  readonly header: string;
  /** The groups in the header (and the assertion). */
  readonly groups: readonly string[];
  readonly truncated: boolean;
}

/** Per config: provider id → the groups the config names for it. */
const namedGroups = new WeakMap<EdgeConfig, Map<string, Set<string>>>();
/** Per groups array (frozen in the cookie cache or the session checks): its output, computed once. */
const outputs = new WeakMap<readonly string[], { config: EdgeConfig; prv: string; out: GroupsOut }>();

function named(config: EdgeConfig, prv: string): Set<string> {
  let byProvider = namedGroups.get(config);
  if (byProvider === undefined) {
    byProvider = new Map();
    const lists = [config.allow, ...config.providers.map((p) => p.allow), ...(config.paths ?? []).map((r) => r.allow)];
    for (const group of lists.flatMap((l) => l?.groups ?? [])) {
      const colon = group.indexOf(':');
      const id = group.slice(0, colon);
      if (!byProvider.has(id)) byProvider.set(id, new Set());
      byProvider.get(id)!.add(group.slice(colon + 1));
    }
    namedGroups.set(config, byProvider);
  }
  return byProvider.get(prv) ?? new Set();
}

const encodeGroup = (group: string) => headerValue(group).replace(/,/g, '%2C');

export function groupsOut(config: EdgeConfig, prv: string, groups: readonly string[]): GroupsOut {
  const hit = outputs.get(groups);
  if (hit !== undefined && hit.config === config && hit.prv === prv) return hit.out;
  const first = named(config, prv);
  const ordered = first.size === 0 ? groups : [...groups.filter((g) => first.has(g)), ...groups.filter((g) => !first.has(g))];
  const kept: string[] = [];
  const encoded: string[] = [];
  let bytes = 0;
  for (const group of ordered) {
    const e = encodeGroup(group);
    if (bytes + e.length + 1 > MAX_GROUPS_OUT_BYTES) continue;
    bytes += e.length + 1;
    kept.push(group);
    encoded.push(e);
  }
  const out: GroupsOut = { header: encoded.join(','), groups: kept, truncated: kept.length < groups.length };
  outputs.set(groups, { config, prv, out });
  return out;
}

/** The name of the header that says the groups header was cut. */
export function truncatedHeaderName(config: EdgeConfig): string {
  return `${config.headers.userGroups}-truncated`;
}
