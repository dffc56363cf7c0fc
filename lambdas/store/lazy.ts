/**
 * Stores whose implementation (and the AWS SDK behind it) is loaded on first use, so a warm
 * fast path never pays for it and the cold init stays small.
 */
import type { MauStore, SessionStore, SignInStateStore, SignInStore, UserStore } from '../core/stores';

/** A failed load is retried on the next call. */
export function lazyLoader<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () =>
    (loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    }));
}

/** An object with `methods` forwarding to what `get` resolves to. */
function lazyObject<T extends object>(get: () => Promise<T>, methods: readonly (keyof T & string)[]): T {
  const out: Record<string, unknown> = {};
  for (const method of methods) {
    out[method] = async (...args: unknown[]) => {
      const target = await get();
      return (target[method] as (...a: unknown[]) => unknown).apply(target, args);
    };
  }
  return out as T;
}

const SESSION_METHODS = [
  'createSession',
  'getSession',
  'revokeSession',
  'consumeState',
  'touchSession',
  'acquireRefreshLease',
  'completeRefresh',
  'setAuthFingerprint',
  'listSessionsOfUser',
] as const satisfies readonly (keyof (SessionStore & SignInStateStore))[];
const USER_METHODS = ['upsertOnSignIn', 'touchUser', 'updateProfile', 'getUser', 'findByEmail', 'listUsers', 'listRecentUsers', 'getRefreshToken', 'dropRefreshToken'] as const satisfies readonly (keyof UserStore)[];
const MAU_METHODS = ['markActive', 'count'] as const satisfies readonly (keyof MauStore)[];
const SIGN_IN_METHODS = ['recordSignIn'] as const satisfies readonly (keyof SignInStore)[];
/** A method added to a store interface and not listed above fails the type check (it would be undefined at run time). */
type Unlisted<T, L extends readonly unknown[]> = Exclude<keyof T, L[number]>;
const everyMethodListed: [Unlisted<SessionStore & SignInStateStore, typeof SESSION_METHODS>, Unlisted<UserStore, typeof USER_METHODS>, Unlisted<MauStore, typeof MAU_METHODS>, Unlisted<SignInStore, typeof SIGN_IN_METHODS>] extends [never, never, never, never] ? true : never = true;
void everyMethodListed;

export function lazySessionStore(load: () => Promise<SessionStore & SignInStateStore>): SessionStore & SignInStateStore {
  return lazyObject(lazyLoader(load), SESSION_METHODS);
}

export function lazyUserStore(load: () => Promise<UserStore>): UserStore {
  return lazyObject(lazyLoader(load), USER_METHODS);
}

export function lazyMauStore(load: () => Promise<MauStore>): MauStore {
  return lazyObject(lazyLoader(load), MAU_METHODS);
}

export function lazySignInStore(load: () => Promise<SignInStore>): SignInStore {
  return lazyObject(lazyLoader(load), SIGN_IN_METHODS);
}
