/**
 * Monthly active users at the edge: a user signed in this month was counted by the sign-in;
 * otherwise the first request of the month in a container marks the user (the MAU store
 * counts each user once per month, whatever the concurrency), and the container remembers
 * it, so warm requests make no call for it.
 */
import { BoundedMap } from '../shared/bounded-map';
import type { MauStore } from '../stores';

/** `YYYY-MM` (UTC) of an epoch-seconds time: the MAU month. */
export function monthOf(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 7);
}

interface Month {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

export interface MauDue {
  readonly month: string;
  readonly key: string;
  /** False when another session of the user already marked the month in this container. */
  readonly write: boolean;
}

export class MauMarks {
  readonly #store: MauStore | undefined;
  readonly #marked: BoundedMap<string, true>;
  readonly #onError: ((error: unknown, where: string) => void) | undefined;
  #month: Month = { name: '', start: 0, end: 0 };

  constructor(store: MauStore | undefined, maxEntries: number, onError?: (error: unknown, where: string) => void) {
    this.#store = store;
    this.#marked = new BoundedMap(maxEntries);
    this.#onError = onError;
  }

  /**
   * Whether the user is known to be counted this month: signed in this month, or `known`
   * (the month a session's entry remembers) is this month. No allocation: on the fast path.
   */
  counted(issuedAt: number, known: string | undefined, now: number): boolean {
    if (this.#store === undefined) return true;
    const month = this.#monthAt(now);
    return issuedAt >= month.start || known === month.name;
  }

  /** What to do about this request's user, or undefined when they are counted. */
  due(user: { prv: string; uid: string; iat: number }, known: string | undefined, now: number): MauDue | undefined {
    if (this.counted(user.iat, known, now)) return undefined;
    const month = this.#monthAt(now).name;
    const key = `${month}#${user.prv}#${user.uid}`;
    return { month, key, write: !this.#marked.has(key) };
  }

  isMarked(key: string): boolean {
    return this.#marked.has(key);
  }

  /** Marks the user; a failure is logged and retried at the next check (counting never blocks a request). */
  async mark(due: MauDue, user: { prv: string; uid: string }, at: number, calls: string[]): Promise<void> {
    calls.push('mau-mark');
    try {
      await this.#store!.markActive({ month: due.month, provider: user.prv, userId: user.uid, at });
      this.#marked.set(due.key, true);
    } catch (error) {
      this.#onError?.(error, 'mau-mark');
    }
  }

  #monthAt(now: number): Month {
    if (now >= this.#month.start && now < this.#month.end) return this.#month;
    const d = new Date(now * 1000);
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
    const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000;
    this.#month = { name: monthOf(now), start, end };
    return this.#month;
  }
}
