/**
 * Which request events the viewer-request function writes (config `log`). Every line is paid
 * twice: in the handler (building and writing it) and as CloudWatch Logs ingestion. Most
 * lines on a busy site say the same thing, "a signed-in request, nothing was due, forwarded";
 * operators may write fewer of those. Every other decision (sign-ins, redirects, blocks,
 * checks that went to the network, special paths, public paths) is always written.
 */

/** What the verdict reads of a decision (request-events.ts `Outcome`, with the viewer's `action`); structural, so config/types.ts can name these settings without an import cycle. */
interface LoggedOutcome {
  readonly decision: string;
  readonly reason: string;
  readonly session?: unknown;
  readonly checks?: readonly string[];
  readonly action?: string;
}

export const REQUEST_LOG_MODES = ['all', 'except-plain-forwards', 'sample-plain-forwards'] as const;
export type RequestLogMode = (typeof REQUEST_LOG_MODES)[number];

export interface RequestLogSettings {
  /**
   * `all`: every request. `except-plain-forwards`: every request but the plain forward (a
   * valid session forwarded with no check made). `sample-plain-forwards`: as
   * `except-plain-forwards`, plus a random `plainForwardSampleRate` of the plain forwards.
   * @default 'sample-plain-forwards'
   */
  readonly requests: RequestLogMode;
  /** The share of plain forwards written with `sample-plain-forwards` (0 < rate ≤ 1). @default 0.01 */
  readonly plainForwardSampleRate: number;
}

/**
 * The default: every decision but the plain forward, and 1 % of those. A plain forward is a
 * session whose checks ran within their interval (and were logged then); writing each one
 * costs a write(2) per request (about 7 µs on the bench's machine, more than the rest of the
 * fast path: docs/performance.md) and a CloudWatch Logs line. `all` is one setting away for a
 * complete access log.
 */
export const REQUEST_LOG_DEFAULTS: RequestLogSettings = { requests: 'sample-plain-forwards', plainForwardSampleRate: 0.01 };

/** For a config built without the parser (no `log` section, as in some tests): every request, as before `log` existed. */
export const LOG_EVERY_REQUEST: RequestLogSettings = { requests: 'all', plainForwardSampleRate: 0.01 };

/** A signed-in request forwarded on the session alone: allowed as `session`, no network call made. */
export function isPlainForward(outcome: LoggedOutcome): boolean {
  return outcome.decision === 'allow' && outcome.reason === 'session' && outcome.session !== undefined && (outcome.checks === undefined || outcome.checks.length === 0) && outcome.action !== 'respond';
}

/**
 * `write`: log it; `sampled`: log it, as one of a sample (the line carries the rate, so counts
 * can be weighted back); `skip`: do not. `random` gives a number in [0, 1).
 */
export function requestLogVerdict(settings: RequestLogSettings, outcome: LoggedOutcome, random: () => number): 'write' | 'sampled' | 'skip' {
  if (settings.requests === 'all' || !isPlainForward(outcome)) return 'write';
  if (settings.requests === 'except-plain-forwards') return 'skip';
  return random() < settings.plainForwardSampleRate ? 'sampled' : 'skip';
}
