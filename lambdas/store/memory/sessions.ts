/** In-memory SessionStore: for unit tests and as the contract suite's reference. */
import type { LeaseResult, RefreshDone, RevocationReason, SessionRecord, SessionStore, SignInStateStore, SessionTouch, TouchResult } from '../../core/stores';

import { SESSION_UNLISTED_ATTRIBUTES } from '../dynamodb/tables';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A listed session, as the DynamoDB index returns it: without the tokens and the lease. */
function withoutUnlisted(record: SessionRecord): SessionRecord {
  const copy: Record<string, unknown> = { ...record };
  for (const name of SESSION_UNLISTED_ATTRIBUTES) delete copy[name];
  return copy as unknown as SessionRecord;
}

export class MemorySessionStore implements SessionStore, SignInStateStore {
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #states = new Map<string, number>();

  constructor(private readonly now: () => number = () => Math.floor(Date.now() / 1000)) {}

  async createSession(record: SessionRecord): Promise<void> {
    if (this.#sessions.has(record.sessionId)) throw new Error('session id already exists');
    // Like the DynamoDB item's TTL: always set, never past the session's end.
    this.#sessions.set(record.sessionId, { ...record, purgeAt: Math.min(record.purgeAt ?? record.expiresAt, record.expiresAt) });
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const record = this.#live(sessionId);
    return record && { ...record };
  }

  async revokeSession(sessionId: string, at: number, reason?: RevocationReason): Promise<void> {
    const record = this.#sessions.get(sessionId);
    if (record !== undefined && record.revokedAt === undefined) {
      this.#sessions.set(sessionId, { ...record, revokedAt: at, ...(reason !== undefined && { revokedReason: reason }) });
    }
  }

  async consumeState(stateHash: string, expiresAt: number): Promise<boolean> {
    const seen = this.#states.get(stateHash);
    if (seen !== undefined && seen > this.now()) return false;
    this.#states.set(stateHash, expiresAt);
    return true;
  }

  async touchSession(sessionId: string, touch: SessionTouch): Promise<TouchResult> {
    const record = this.#sessions.get(sessionId);
    if (record === undefined) return { record: undefined, written: false };
    const lastSeen = record.lastSeenAt ?? record.createdAt;
    const due = lastSeen <= touch.at - touch.minInterval && (touch.activeAfter === undefined || lastSeen > touch.activeAfter);
    if (record.revokedAt !== undefined || !due) return { record: { ...record }, written: false };
    const next: Mutable<SessionRecord> = { ...record, lastSeenAt: touch.at };
    if (touch.purgeAt !== undefined) next.purgeAt = Math.min(touch.purgeAt, record.expiresAt);
    this.#sessions.set(sessionId, next);
    return { record: { ...next }, written: true };
  }

  async acquireRefreshLease(sessionId: string, lease: { owner: string; now: number; until: number; checkedBefore: number }): Promise<LeaseResult> {
    const record = this.#sessions.get(sessionId);
    if (record === undefined) return { acquired: false, record: undefined };
    const free = record.leaseUntil === undefined || record.leaseUntil < lease.now;
    const due = (record.lastAuthCheckAt ?? record.createdAt) <= lease.checkedBefore;
    if (record.revokedAt !== undefined || !free || !due) return { acquired: false, record: { ...record } };
    const next = { ...record, leaseUntil: lease.until, leaseOwner: lease.owner };
    this.#sessions.set(sessionId, next);
    return { acquired: true, record: { ...next } };
  }

  async completeRefresh(sessionId: string, done: RefreshDone): Promise<boolean> {
    const record = this.#sessions.get(sessionId);
    if (record === undefined || record.leaseOwner !== done.owner) return false;
    const { leaseUntil: _until, leaseOwner: _owner, ...rest } = record;
    const next: Mutable<SessionRecord> = { ...rest, lastAuthCheckAt: done.at };
    if (done.tokens !== undefined) next.tokens = done.tokens;
    if (done.email === null || done.email === '') {
      delete next.email;
      next.emailVerification = 'none';
    } else if (done.email !== undefined) {
      next.email = done.email;
      if (done.emailVerification !== undefined) next.emailVerification = done.emailVerification;
    }
    if (done.name !== undefined) next.name = done.name;
    if (done.groups !== undefined) next.groups = [...done.groups];
    if (done.authFingerprint !== undefined) next.authFingerprint = done.authFingerprint;
    this.#sessions.set(sessionId, next);
    return true;
  }

  async setAuthFingerprint(sessionId: string, authFingerprint: string): Promise<boolean> {
    const record = this.#sessions.get(sessionId);
    if (record === undefined || record.revokedAt !== undefined) return false;
    this.#sessions.set(sessionId, { ...record, authFingerprint });
    return true;
  }

  async listSessionsOfUser(provider: string, userId: string, options: { limit?: number } = {}): Promise<SessionRecord[]> {
    return [...this.#sessions.values()]
      .filter((r) => r.provider === provider && r.userId === userId)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, options.limit ?? Infinity)
      .map((r) => withoutUnlisted(r));
  }

  #live(sessionId: string): SessionRecord | undefined {
    const record = this.#sessions.get(sessionId);
    return record === undefined || record.expiresAt <= this.now() ? undefined : record;
  }
}
