/**
 * The viewer-request function's time budget for a due session check. Lambda@Edge gives a
 * viewer trigger 5 s in all (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-lambda-at-edge);
 * past it CloudFront answers its own 503 (LambdaLimitExceeded) and nothing of ours is logged.
 * Each network call has its own bound (DYNAMODB_TIMEOUTS, SECRETS_MANAGER_TIMEOUTS, the
 * providers' 4 s), but a refresh chains several (lease, token endpoint, write-back), so a
 * check still running when the budget ends is answered as a due check that could not be
 * done: the last known good state within `session.checkGracePeriod`, else unavailable (our
 * 503 page). The check goes on, and what it learns is kept for the next request.
 */
import type { CheckResult } from './check-result';
import { dueChecks, withinGrace, type CheckSettings, type SessionView } from './due-checks';

/** Of the viewer trigger's 5 s, what the handler lets the key set and a due check take; the rest is for the answer. */
export const VIEWER_CHECK_BUDGET_MS = 4000;

/** A due check could not be done: `ok` (the last known good state) until the grace period ends, then fail closed. */
export function graceResult(
  s: CheckSettings,
  dueSince: number,
  now: number,
  okReason: 'session-grace' | 'refresh-pending' | 'refresh-grace',
  failReason: 'store-unavailable' | 'provider-unavailable',
  ok: CheckResult | undefined,
  calls: readonly string[],
): CheckResult {
  if (!withinGrace(s, dueSince, now)) return { status: 'unavailable', reason: failReason, calls };
  // Nothing known in this container yet (a brand-new session): the cookie's identity.
  return ok?.status === 'ok' ? { ...ok, reason: okReason, calls } : { status: 'ok', reason: okReason, calls };
}

/**
 * The answer for a check that ran out of time: grace from the earliest of the due checks
 * that decide (a read, a refresh; an activity write alone decides nothing), so a check
 * that keeps hanging fails closed as soon as either would have. A due refresh makes it the
 * provider's failure (the refresh chains the calls most likely to be slow), else the store's.
 */
export function lateResult(s: CheckSettings, view: SessionView | undefined, ok: CheckResult | undefined, issuedAt: number, now: number): CheckResult {
  const calls = ['timeout'];
  const due = dueChecks(s, view, issuedAt, now);
  const sync = due?.sync === true || view === undefined;
  if (due === undefined || (!sync && !due.refresh)) return ok?.status === 'ok' ? { ...ok, calls } : { status: 'ok', reason: 'session', calls };
  const since = Math.min(sync ? due.syncDueSince : Infinity, due.refresh ? due.refreshDueSince : Infinity);
  return due.refresh
    ? graceResult(s, since, now, 'refresh-grace', 'provider-unavailable', ok, calls)
    : graceResult(s, since, now, 'session-grace', 'store-unavailable', ok, calls);
}

/** `answer`, or `late()` if it has not settled within `budgetMs`. */
export function answerWithin<T>(answer: Promise<T>, budgetMs: number, late: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late()), Math.max(0, budgetMs));
  });
  return Promise.race([answer, deadline]).finally(() => clearTimeout(timer));
}
