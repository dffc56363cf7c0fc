/** In-memory UserStore: for unit tests and as the contract suite's reference. */
import { normalizeEmail } from '../../core/sign-in/allow-list';
import type { AppUser, KeptRefreshToken, UserActivity, UserPage, UserSignIn, UserStore } from '../../core/stores';
import { decodeUserCursor, encodeUserCursor } from '../user-cursor';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class MemoryUserStore implements UserStore {
  readonly #users = new Map<string, AppUser>();
  /** Kept refresh tokens, apart from the users: never part of an AppUser. */
  readonly #refreshTokens = new Map<string, KeptRefreshToken>();

  async upsertOnSignIn(signIn: UserSignIn): Promise<void> {
    const key = `${signIn.provider}#${signIn.userId}`;
    const existing = this.#users.get(key);
    const next: Mutable<AppUser> = {
      ...existing,
      provider: signIn.provider,
      userId: signIn.userId,
      firstSeenAt: existing?.firstSeenAt ?? signIn.at,
      lastSeenAt: signIn.at,
      lastSignInAt: signIn.at,
      hosts: [...new Set([...(existing?.hosts ?? []), signIn.host])].sort(),
      signIns: (existing?.signIns ?? 0) + 1,
    };
    if (signIn.email !== undefined) next.email = normalizeEmail(signIn.email);
    if (signIn.name !== undefined) next.name = signIn.name;
    if (signIn.ip !== undefined) next.lastIp = signIn.ip;
    if (signIn.userAgent !== undefined) next.lastUserAgent = signIn.userAgent;
    this.#users.set(key, next);
    if (signIn.refreshToken !== undefined) this.#refreshTokens.set(key, { ...signIn.refreshToken });
  }

  async touchUser(provider: string, userId: string, activity: UserActivity): Promise<void> {
    const key = `${provider}#${userId}`;
    const user = this.#users.get(key);
    if (user === undefined || user.lastSeenAt > activity.at - activity.minInterval) return;
    const next: Mutable<AppUser> = { ...user, lastSeenAt: activity.at };
    if (activity.ip !== undefined) next.lastIp = activity.ip;
    if (activity.userAgent !== undefined) next.lastUserAgent = activity.userAgent;
    if (activity.host !== undefined) next.hosts = [...new Set([...user.hosts, activity.host])].sort();
    this.#users.set(key, next);
  }

  async updateProfile(provider: string, userId: string, update: { at: number; email?: string | undefined; name?: string | undefined }): Promise<void> {
    const key = `${provider}#${userId}`;
    const user = this.#users.get(key);
    if (user === undefined) return;
    const next: Mutable<AppUser> = { ...user, lastAuthCheckAt: update.at };
    if (update.email !== undefined) next.email = normalizeEmail(update.email);
    if (update.name !== undefined) next.name = update.name;
    this.#users.set(key, next);
  }

  async getUser(provider: string, userId: string): Promise<AppUser | undefined> {
    const user = this.#users.get(`${provider}#${userId}`);
    return user && { ...user };
  }

  async findByEmail(email: string): Promise<AppUser[]> {
    const wanted = normalizeEmail(email);
    return [...this.#users.values()].filter((u) => u.email === wanted).map((u) => ({ ...u }));
  }

  async listUsers(options: { limit?: number } = {}): Promise<AppUser[]> {
    return [...this.#users.values()].slice(0, options.limit ?? 1000).map((u) => ({ ...u }));
  }

  async getRefreshToken(provider: string, userId: string): Promise<KeptRefreshToken | undefined> {
    const key = `${provider}#${userId}`;
    const kept = this.#users.has(key) ? this.#refreshTokens.get(key) : undefined;
    return kept && { ...kept };
  }

  async dropRefreshToken(provider: string, userId: string, id?: string): Promise<void> {
    const key = `${provider}#${userId}`;
    if (id === undefined || this.#refreshTokens.get(key)?.id === id) this.#refreshTokens.delete(key);
  }

  async listRecentUsers(options: { limit: number; cursor?: string | undefined }): Promise<UserPage> {
    const after = options.cursor !== undefined ? decodeUserCursor(options.cursor) : undefined;
    const key = (u: Pick<AppUser, 'provider' | 'userId'>) => `${u.provider}#${u.userId}`;
    // Last seen descending, then key descending (DynamoDB leaves ties unordered; any order will do).
    const order = (a: AppUser | UserCursorLike, b: AppUser | UserCursorLike) => b.lastSeenAt - a.lastSeenAt || (key(b) < key(a) ? -1 : key(b) > key(a) ? 1 : 0);
    const sorted = [...this.#users.values()].sort(order);
    const rest = after === undefined ? sorted : sorted.filter((u) => order(after, u) < 0);
    const shown = rest.slice(0, options.limit).map((u) => ({ ...u }));
    const last = shown.at(-1);
    return rest.length > options.limit && last !== undefined ? { users: shown, cursor: encodeUserCursor(last) } : { users: shown };
  }
}

type UserCursorLike = Pick<AppUser, 'provider' | 'userId' | 'lastSeenAt'>;
