/** What the session checks of a container (container-checks.ts) take and answer. */
import type { EdgeConfig } from '../config/types';
import type { KeySet } from '../keys/key-set';
import type { PolicyDecision } from '../sign-in/allow-list';
import type { Provider, TokenSet } from '../providers/types';
import type { RandomBytes } from '../shared/random';
import type { SessionClaims } from './session-cookie';
import type { MauStore, SessionStore, UserStore } from '../stores';

export interface SessionChecksDeps {
  readonly config: EdgeConfig;
  readonly sessions: SessionStore;
  readonly users?: UserStore | undefined;
  readonly mau?: MauStore | undefined;
  readonly providers: ReadonlyMap<string, Provider>;
  readonly random: RandomBytes;
  readonly onError?: ((error: unknown, where: string) => void) | undefined;
  /** Sessions (and user-months) remembered per container. @default 10000 */
  readonly maxEntries?: number;
}

export interface CheckRequest {
  readonly claims: SessionClaims;
  readonly keys: KeySet;
  /** Epoch seconds. */
  readonly now: number;
  readonly host: string;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

/** The user as last stored (after a back-channel check the provider's current values). */
export interface StoredIdentity {
  /**
   * The usable email (access/usable-email.ts) as stored: `null` when the record holds none
   * (checked: no usable email; the cookie's must not be used); undefined: not read.
   */
  readonly email?: string | null | undefined;
  readonly name?: string | undefined;
  /** undefined: the record has none stored (a session from before groups). */
  readonly groups?: readonly string[] | undefined;
}

export type CheckResult = { readonly calls: readonly string[] } & (
  | { readonly status: 'ok'; readonly reason: 'session' | 'session-grace' | 'refresh-pending' | 'refresh-grace'; readonly identity?: StoredIdentity; readonly tokens?: TokenSet }
  | { readonly status: 'signin'; readonly reason: 'session-revoked' | 'session-unknown' | 'session-inactive' | 'session-expired' | 'session-rejected' | 'session-no-tokens' }
  | { readonly status: 'denied'; readonly reason: Exclude<PolicyDecision, { allowed: true }>['reason']; readonly email?: string | undefined }
  | { readonly status: 'unavailable'; readonly reason: 'store-unavailable' | 'provider-unavailable' }
);
