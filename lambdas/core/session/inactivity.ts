/**
 * The inactivity timeout (config `session.inactivityTimeout`): a session unused for that
 * long ends. Activity is recorded server-side at most once per `activityWriteInterval`
 * (a viewer-request function cannot update the cookie of a request it forwards), so the
 * recorded last activity lags by up to one write interval: the limit adds it, and a
 * session is never ended early. The same numbers decide when DynamoDB may delete the item.
 */
import type { CheckSettings } from './check-settings';

/** Seconds after the recorded last activity at which a session counts as inactive. */
export function idleLimit(s: CheckSettings): number {
  return s.inactivityTimeout + s.activityWriteInterval;
}

/** When a session last seen at `lastSeenAt` becomes inactive (Infinity without a timeout). */
export function inactiveFrom(s: CheckSettings, lastSeenAt: number): number {
  return s.inactivityTimeout > 0 ? lastSeenAt + idleLimit(s) : Infinity;
}

export function isInactive(s: CheckSettings, lastSeenAt: number, now: number): boolean {
  return now >= inactiveFrom(s, lastSeenAt);
}

/**
 * When the store may delete a session item: its hard end, or (with an inactivity timeout)
 * once it can no longer be active, whichever comes first. Moved forward by activity writes.
 */
export function purgeAt(s: CheckSettings, lastSeenAt: number, expiresAt: number): number {
  return Math.min(expiresAt, inactiveFrom(s, lastSeenAt));
}

/** The activity write's conditions: only a session still active may be touched, and its purge time moves with it. */
export function activityTouch(s: CheckSettings, now: number, expiresAt: number): { activeAfter?: number; purgeAt?: number } {
  return s.inactivityTimeout > 0 ? { activeAfter: now - idleLimit(s), purgeAt: purgeAt(s, now, expiresAt) } : {};
}
