/**
 * The session checks of one container: what it knows about each session (a bounded map),
 * the due checks (session/due-checks.ts) done when due, one at a time per session (concurrent requests
 * for a session wait for the same check), and the monthly MAU mark.
 *
 * A viewer-request function cannot set a cookie on a request it forwards, so everything
 * that changes while a session is in use lives server-side, in the session item: last
 * activity (bounded writes), the last check at the provider, the sealed tokens, the lease.
 * The cookie stays what it was at sign-in; the stored name and email win over it.
 *
 * A record evaluated under another config (its authorization fingerprint differs: a deploy,
 * a local reload) is re-evaluated at the sync that reads it (reevaluate.ts): a config
 * change takes effect within `session.revocationCheckInterval`, and costs nothing while
 * nothing is due.
 */
import { CheckTimeoutError } from '../errors';
import { BoundedMap } from '../shared/bounded-map';
import { answerWithin, graceResult, lateResult } from './check-budget';
import { checkSettings, dueChecks, recordStatus, REFRESH_LEASE_SECONDS, STORE_RETRY_SECONDS, viewOf, type CheckSettings, type DueChecks, type SessionView } from './due-checks';
import type { TokenSet } from '../providers/types';
import { randomToken } from '../shared/random';
import { refreshSession, type RefreshOutcome } from './refresh';
import { reevaluateSession } from './reevaluate';
import { authFingerprint } from '../access/fingerprint';
import { storedStatement, usableEmail } from '../access/usable-email';
import { activityTouch } from './inactivity';
import { MauMarks } from './monthly-active-users';
import { MAX_COOKIE_AGE } from './session-cookie';
import type { RevocationReason, SessionRecord } from '../stores';
import { openTokens } from '../keys/token-sealing';
import type { CheckRequest, CheckResult, SessionChecksDeps, StoredIdentity } from './check-result';

export type { CheckRequest, CheckResult, SessionChecksDeps, StoredIdentity } from './check-result';

interface Entry {
  readonly view: SessionView;
  /** The result while nothing is due (allocated once). */
  readonly ok: CheckResult;
  /** Set when the session is known to have ended: answered without the store from then on. */
  readonly ended?: CheckResult;
  /** The month this session's user is known to be counted in (MAU). */
  mauMonth?: string;
}

const NO_CALLS: readonly string[] = [];
const SIGNIN_REASON = { missing: 'session-unknown', revoked: 'session-revoked', inactive: 'session-inactive', expired: 'session-expired' } as const;

export class SessionChecks {
  readonly #deps: SessionChecksDeps;
  readonly #settings: CheckSettings;
  readonly #entries: BoundedMap<string, Entry>;
  readonly #mau: MauMarks;
  readonly #inflight = new Map<string, Promise<CheckResult>>();
  readonly #owner: string;
  /** The config's authorization fingerprint: a record with another one is re-evaluated (reevaluate.ts). */
  readonly #fingerprint: string;

  constructor(deps: SessionChecksDeps) {
    this.#deps = deps;
    this.#settings = checkSettings(deps.config);
    this.#entries = new BoundedMap(deps.maxEntries ?? 10_000);
    this.#mau = new MauMarks(deps.mau, deps.maxEntries ?? 10_000, deps.onError);
    this.#owner = randomToken(deps.random, 9);
    this.#fingerprint = authFingerprint(deps.config);
  }

  /** The fast path: the answer when nothing is due (no network), else undefined. */
  cached(req: CheckRequest): CheckResult | undefined {
    const entry = this.#entries.get(req.claims.sid);
    if (entry === undefined) return undefined;
    if (entry.ended !== undefined) return entry.ended;
    if (dueChecks(this.#settings, entry.view, req.claims.iat, req.now) !== undefined || !this.#mau.counted(req.claims.iat, entry.mauMonth, req.now)) return undefined;
    return entry.ok;
  }

  /** The answer for a signed-in request: cached, or after the due checks (one run per session at a time). */
  check(req: CheckRequest): Promise<CheckResult> | CheckResult {
    const hit = this.cached(req);
    if (hit !== undefined) return hit;
    const sid = req.claims.sid;
    const running = this.#inflight.get(sid);
    if (running !== undefined) return running.then((result) => ({ ...result, calls: ['wait'] }));
    const run = this.#run(req).finally(() => this.#inflight.delete(sid));
    this.#inflight.set(sid, run);
    return run;
  }

  /** After a logout: this container answers "revoked" for the session from now on, without asking the store. */
  revoked(sessionId: string): void {
    this.#ended(sessionId, { status: 'signin', reason: 'session-revoked', calls: NO_CALLS });
  }

  /** check(), answered within `budgetMs` at the latest (session/check-budget.ts). */
  checkWithin(req: CheckRequest, budgetMs: number): Promise<CheckResult> | CheckResult {
    const answer = this.check(req);
    if (!(answer instanceof Promise)) return answer;
    return answerWithin(answer, budgetMs, () => {
      this.#deps.onError?.(new CheckTimeoutError(budgetMs), 'session-check');
      const known = this.#entries.get(req.claims.sid);
      return lateResult(this.#settings, known?.view, known?.ok, req.claims.iat, req.now);
    });
  }

  async #run(req: CheckRequest): Promise<CheckResult> {
    const { claims, now } = req;
    const calls: string[] = [];
    // Writes that do not decide anything run beside the checks, and are awaited before the
    // answer: a Lambda container is frozen once it has answered.
    const background: Promise<void>[] = [];
    const mau = this.#mau.due(claims, this.#entries.get(claims.sid)?.mauMonth, now);
    if (mau?.write) background.push(this.#mau.mark(mau, claims, now, calls));
    try {
      let entry = this.#entries.get(claims.sid);
      let due = dueChecks(this.#settings, entry?.view, claims.iat, now);
      if (due !== undefined && (due.sync || due.touch)) {
        const synced = await this.#sync(req, entry, due, calls, background);
        if ('result' in synced) return synced.result;
        entry = synced.entry;
        // Evaluated under another config (a deploy, a local reload): evaluate it again now.
        if (entry !== undefined && synced.record !== undefined && synced.record.authFingerprint !== this.#fingerprint) {
          const result = await this.#reevaluate(req, entry, synced.record, calls);
          if (result !== undefined) return result;
          entry = this.#entries.get(claims.sid);
        }
        due = dueChecks(this.#settings, entry?.view, claims.iat, now);
      }
      if (entry === undefined) throw new Error('unreachable: no entry after a sync');
      if (due?.refresh) return await this.#refresh(req, entry, due.refreshDueSince, calls);
      return { ...entry.ok, calls };
    } finally {
      await Promise.all(background);
      const current = this.#entries.get(claims.sid);
      if (current !== undefined && mau !== undefined && this.#mau.isMarked(mau.key)) current.mauMonth = mau.month;
    }
  }

  /** Reads the record (or records activity, which returns it), then applies what it says. */
  async #sync(req: CheckRequest, entry: Entry | undefined, due: DueChecks, calls: string[], background: Promise<void>[]): Promise<{ entry: Entry | undefined; record?: SessionRecord } | { result: CheckResult }> {
    const { claims, now } = req;
    const s = this.#settings;
    const needed = due.sync;
    const dueSince = due.syncDueSince;
    if (entry?.view.syncBlockedUntil !== undefined && now < entry.view.syncBlockedUntil) {
      return needed ? { result: this.#grace(dueSince, now, 'session-grace', 'store-unavailable', entry, calls) } : { entry };
    }
    let record: SessionRecord | undefined;
    try {
      if (due.touch) {
        calls.push('session-touch');
        const expiresAt = claims.exp ?? claims.iat + MAX_COOKIE_AGE;
        const result = await this.#deps.sessions.touchSession(claims.sid, {
          at: now,
          minInterval: s.activityWriteInterval,
          ...activityTouch(s, now, expiresAt),
        });
        record = result.record;
        if (result.written) this.#touchUser(req, calls, background);
      } else {
        calls.push('session-read');
        record = await this.#deps.sessions.getSession(claims.sid);
      }
    } catch (error) {
      this.#deps.onError?.(error, 'session-check');
      const blocked = entry !== undefined ? { ...entry, view: { ...entry.view, syncBlockedUntil: now + STORE_RETRY_SECONDS } } : undefined;
      if (blocked !== undefined) this.#entries.set(claims.sid, blocked);
      return needed || blocked === undefined ? { result: this.#grace(dueSince, now, 'session-grace', 'store-unavailable', blocked, calls) } : { entry: blocked };
    }
    const status = recordStatus(s, record, claims, now);
    if (status !== 'ok') return { result: await this.#end(req, status, calls) };
    return { entry: this.#remember(req, record!, now), record: record! };
  }

  /** undefined: the config admits the session (the checks go on); else the answer. */
  async #reevaluate(req: CheckRequest, entry: Entry, record: SessionRecord, calls: string[]): Promise<CheckResult | undefined> {
    const { claims, now } = req;
    const provider = this.#deps.providers.get(claims.prv);
    const ask = provider !== undefined && provider.supportsRefresh && entry.view.hasRefreshToken;
    const deferred = ask && entry.view.refreshBlockedUntil !== undefined && now < entry.view.refreshBlockedUntil;
    const ctx = { config: this.#deps.config, sessions: this.#deps.sessions, users: this.#deps.users, provider: ask ? provider : undefined, deferred, keys: req.keys, owner: this.#owner, now, calls, onError: this.#deps.onError };
    const outcome = await reevaluateSession(ctx, claims, record);
    if (outcome.kind === 'kept') return undefined;
    if (outcome.kind === 'unconfirmed') {
      // No retry storm against a failing provider: this container waits a lease before asking again.
      if (outcome.failed === 'provider-failed') this.#entries.set(claims.sid, { ...entry, view: { ...entry.view, refreshBlockedUntil: now + REFRESH_LEASE_SECONDS } });
      return undefined;
    }
    return this.#apply(req, entry, outcome, now, calls);
  }

  async #refresh(req: CheckRequest, entry: Entry, dueSince: number, calls: string[]): Promise<CheckResult> {
    const { claims, now } = req;
    if (entry.view.refreshBlockedUntil !== undefined && now < entry.view.refreshBlockedUntil) {
      return this.#grace(dueSince, now, 'refresh-pending', 'provider-unavailable', entry, calls);
    }
    const provider = this.#deps.providers.get(claims.prv);
    if (provider === undefined) return this.#end(req, 'missing', calls);
    const ctx = { config: this.#deps.config, sessions: this.#deps.sessions, users: this.#deps.users, provider, keys: req.keys, owner: this.#owner, now, calls, onError: this.#deps.onError };
    return this.#apply(req, entry, await refreshSession(ctx, claims, entry.view.lastAuthCheckAt), dueSince, calls);
  }

  /** What a back-channel check's outcome means for this request. */
  async #apply(req: CheckRequest, entry: Entry, outcome: RefreshOutcome, dueSince: number, calls: string[]): Promise<CheckResult> {
    const { claims, now } = req;
    switch (outcome.kind) {
      case 'refreshed': {
        // The lease was taken on a live, unrevoked session: that counts as a read too.
        const view: SessionView = {
          ...entry.view,
          syncedAt: now,
          lastAuthCheckAt: now,
          tokenExpiresAt: outcome.tokens.expiresAt,
          hasRefreshToken: outcome.tokens.refreshToken !== undefined,
          refreshBlockedUntil: undefined,
        };
        return { ...this.#store(claims.sid, view, { email: outcome.email ?? null, name: outcome.name, groups: outcome.groups ?? (entry.ok.status === 'ok' ? entry.ok.identity?.groups : undefined) }, outcome.tokens).ok, calls };
      }
      case 'no-lease': {
        const status = recordStatus(this.#settings, outcome.record, claims, now);
        if (status !== 'ok') return this.#end(req, status, calls);
        const fresh = this.#remember(req, outcome.record!, now);
        const due = dueChecks(this.#settings, fresh.view, claims.iat, now);
        // Refreshed elsewhere: done. Lease held elsewhere: the last good state, within the grace.
        return due?.refresh ? this.#grace(due.refreshDueSince, now, 'refresh-pending', 'provider-unavailable', fresh, calls) : { ...fresh.ok, calls };
      }
      case 'denied':
        // This answer is the 403 page; the same cookie again means sign in (the session is revoked).
        this.#ended(claims.sid, { status: 'signin', reason: 'session-revoked', calls });
        return { status: 'denied', reason: outcome.reason, email: outcome.email, calls };
      case 'rejected':
        return this.#ended(claims.sid, { status: 'signin', reason: 'session-rejected', calls });
      case 'no-tokens':
        return this.#ended(claims.sid, { status: 'signin', reason: 'session-no-tokens', calls });
      case 'store-failed':
      case 'provider-failed': {
        // Our lease (if any) stays until it ends: no retry storm against a failing provider.
        const wait = outcome.kind === 'provider-failed' ? REFRESH_LEASE_SECONDS : STORE_RETRY_SECONDS;
        const blocked = { ...entry, view: { ...entry.view, refreshBlockedUntil: now + wait } };
        this.#entries.set(claims.sid, blocked);
        const failed = outcome.kind === 'store-failed' ? 'store-unavailable' : 'provider-unavailable';
        return this.#grace(dueSince, now, 'refresh-grace', failed, blocked, calls);
      }
    }
  }

  /** A due check could not be done: the last known good state until the grace period ends, then fail closed (check-budget.ts). */
  #grace(dueSince: number, now: number, okReason: 'session-grace' | 'refresh-pending' | 'refresh-grace', failReason: 'store-unavailable' | 'provider-unavailable', entry: Entry | undefined, calls: string[]): CheckResult {
    return graceResult(this.#settings, dueSince, now, okReason, failReason, entry?.ok, calls);
  }

  async #end(req: CheckRequest, status: 'missing' | 'revoked' | 'inactive' | 'expired', calls: string[]): Promise<CheckResult> {
    if (status === 'inactive') await this.#revoke(req.claims.sid, req.now, 'inactive', calls);
    return this.#ended(req.claims.sid, { status: 'signin', reason: SIGNIN_REASON[status], calls });
  }

  #ended(sessionId: string, result: CheckResult): CheckResult {
    const ended = { ...result, calls: NO_CALLS };
    this.#entries.set(sessionId, { view: { syncedAt: 0, lastSeenAt: 0, lastAuthCheckAt: 0, hasRefreshToken: false }, ok: ended, ended });
    return result;
  }

  async #revoke(sessionId: string, now: number, reason: RevocationReason, calls: string[]): Promise<void> {
    try {
      calls.push('session-revoke');
      await this.#deps.sessions.revokeSession(sessionId, now, reason);
    } catch (error) {
      this.#deps.onError?.(error, 'session-revoke');
    }
  }

  #remember(req: CheckRequest, record: SessionRecord, now: number): Entry {
    const tokens = openTokens(record.tokens, req.keys);
    const view = viewOf(record, now, { expiresAt: tokens?.expiresAt, hasRefreshToken: tokens?.refreshToken !== undefined });
    // The record's email judged as every rule judges it; none after a check (`none`): null, never the cookie's.
    const email = record.email === undefined && record.emailVerification !== 'none' ? undefined : (usableEmail(storedStatement(record.email, record.emailVerification)) ?? null);
    return this.#store(req.claims.sid, view, { email, name: record.name, groups: record.groups }, tokens);
  }

  #store(sessionId: string, view: SessionView, identity: StoredIdentity, tokens: TokenSet | undefined): Entry {
    const passTokens = this.#settings.tokensToOrigin && tokens !== undefined;
    const ok: CheckResult = { status: 'ok', reason: 'session', identity, ...(passTokens && { tokens }), calls: NO_CALLS };
    const mauMonth = this.#entries.get(sessionId)?.mauMonth;
    const entry: Entry = { view, ok, ...(mauMonth !== undefined && { mauMonth }) };
    this.#entries.set(sessionId, entry);
    return entry;
  }

  #touchUser(req: CheckRequest, calls: string[], background: Promise<void>[]): void {
    const users = this.#deps.users;
    if (users === undefined) return;
    calls.push('user-touch');
    const activity = { at: req.now, minInterval: this.#settings.activityWriteInterval, ip: req.ip, userAgent: req.userAgent, host: req.host };
    background.push(users.touchUser(req.claims.prv, req.claims.uid, activity).catch((error: unknown) => this.#deps.onError?.(error, 'user-touch')));
  }
}
