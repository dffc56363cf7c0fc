/**
 * The console's pages as data: what each page shows, read from the stores (one Query or a
 * few GetItems per page view, never a scan). render.ts turns a view into HTML; tests assert
 * on views without parsing HTML.
 */
import type { KeySet } from '../keys/key-set';
import { monthOf } from '../session/monthly-active-users';
import { sessionStatus, type SessionStatus } from '../session/revoke';
import type { AppUser, MauStore, SessionRecord, SessionStore, UserStore } from '../stores';

/** Users per page, sessions and hosts shown per user: a page stays far below Lambda's 6 MB response limit (~1 KB per row). */
export const PAGE_LIMITS = { users: 50, sessions: 100, hosts: 50 } as const;

export interface AdminStores {
  readonly sessions: SessionStore;
  readonly users: UserStore;
  readonly mau: MauStore;
}

export interface MonthCount {
  readonly month: string;
  readonly count: number;
}

export interface SessionRow {
  readonly sessionId: string;
  readonly status: SessionStatus;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly lastSeenAt?: number | undefined;
  readonly revokedAt?: number | undefined;
  readonly revokedReason?: string | undefined;
  readonly host?: string | undefined;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

export interface KeyRow {
  readonly kid: string;
  readonly current: boolean;
  readonly alg?: string;
}

export type AdminView =
  | { readonly kind: 'overview'; readonly month: string; readonly mau: number; readonly months: readonly MonthCount[] }
  | { readonly kind: 'users'; readonly users: readonly AppUser[]; readonly next?: string | undefined; readonly search?: string | undefined; readonly paged: boolean }
  | { readonly kind: 'user'; readonly user: AppUser; readonly sessions: readonly SessionRow[]; readonly more: boolean; readonly notice?: string | undefined }
  | { readonly kind: 'confirm'; readonly user: AppUser; readonly session?: SessionRow | undefined; readonly active: number }
  | { readonly kind: 'keys'; readonly sealing: readonly KeyRow[]; readonly signing: readonly KeyRow[] }
  | { readonly kind: 'message'; readonly title: string; readonly text: string };

/** The twelve months ending with `now`'s (UTC), oldest first. */
export function lastTwelveMonths(now: number): string[] {
  const d = new Date(now * 1000);
  const out: string[] = [];
  for (let back = 11; back >= 0; back--) out.push(monthOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1) / 1000));
  return out;
}

export async function overviewView(stores: AdminStores, now: number): Promise<AdminView> {
  const months = lastTwelveMonths(now);
  const counts = await Promise.all(months.map((month) => stores.mau.count(month)));
  const rows = months.map((month, i) => ({ month, count: counts[i]! }));
  return { kind: 'overview', month: monthOf(now), mau: rows.at(-1)!.count, months: rows };
}

export async function usersView(stores: AdminStores, query: { cursor?: string | undefined; email?: string | undefined }): Promise<AdminView> {
  if (query.email !== undefined) {
    const found = await stores.users.findByEmail(query.email);
    return { kind: 'users', users: [...found].sort((a, b) => b.lastSeenAt - a.lastSeenAt), search: query.email, paged: false };
  }
  const page = await stores.users.listRecentUsers({ limit: PAGE_LIMITS.users, cursor: query.cursor });
  return { kind: 'users', users: page.users, next: page.cursor, paged: query.cursor !== undefined };
}

export function sessionRow(r: SessionRecord, now: number): SessionRow {
  return {
    sessionId: r.sessionId,
    status: sessionStatus(r, now),
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    lastSeenAt: r.lastSeenAt,
    revokedAt: r.revokedAt,
    revokedReason: r.revokedReason,
    host: r.host,
    ip: r.ip,
    userAgent: r.userAgent,
  };
}

/** A user and their newest sessions (one more is read to know whether there are more). */
export async function userView(stores: AdminStores, user: AppUser, now: number, notice?: string): Promise<AdminView> {
  const records = await stores.sessions.listSessionsOfUser(user.provider, user.userId, { limit: PAGE_LIMITS.sessions + 1 });
  return {
    kind: 'user',
    user,
    sessions: records.slice(0, PAGE_LIMITS.sessions).map((r) => sessionRow(r, now)),
    more: records.length > PAGE_LIMITS.sessions,
    notice,
  };
}

/** The key set as listed: ids and which is current, never a key. */
export function keysView(keys: KeySet): AdminView {
  return {
    kind: 'keys',
    sealing: [...keys.byKid.keys()].map((kid) => ({ kid, current: kid === keys.current.kid })),
    signing: [...(keys.signing?.byKid.values() ?? [])].map((k) => ({ kid: k.kid, alg: k.alg, current: k.kid === keys.signing?.current.kid })),
  };
}
