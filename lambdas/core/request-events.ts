/**
 * Request events: one JSON line per decision (in the spirit of ngrok's
 * `http_request_complete`). Never a token, a cookie, a query string or a secret: the
 * path is logged without its query, the session id only as a short hash.
 */
import { createHash } from 'node:crypto';
import { BoundedMap } from './shared/bounded-map';
import type { SessionClaims } from './session/session-cookie';

export type Decision = 'allow' | 'block' | 'redirect' | 'special';

/** What a handler decided about a request: the part of a request event every way in shares. */
export interface Outcome {
  readonly decision: Decision;
  readonly reason: string;
  readonly session?: SessionClaims;
  /** Network calls the decision made (session checks), for the request event. */
  readonly checks?: readonly string[];
}


/** An admin console request: who (the admin's email), what, and to whom (session ids as short hashes). */
export interface AdminAction {
  readonly admin: string;
  readonly action: string;
  readonly target?: { readonly user?: string; readonly sessions?: readonly string[]; readonly email?: string };
}

export interface RequestEvent {
  readonly event: 'edge_oauth_request';
  readonly time: string;
  readonly host: string;
  readonly method: string;
  readonly path: string;
  readonly decision: Outcome['decision'];
  readonly reason: string;
  readonly userId?: string;
  readonly userName?: string;
  readonly provider?: string;
  /** First 16 hex of SHA-256 of the session id: correlates lines without revealing the id. */
  readonly sessionHash?: string;
  /** The OAuth client id of the session's provider (public; never the secret). */
  readonly clientId?: string;
  /** The viewer's IP address as CloudFront saw it. */
  readonly clientIp?: string;
  /** The status of the answer edge-oauth gave; absent when the request went on to the origin. */
  readonly status?: number;
  /** Network calls this decision made (session-read, session-touch, mau-mark, refresh-lease, provider-refresh...); absent on the fast path. */
  readonly checks?: readonly string[];
  /** On admin console requests: the admin, the action and its target. */
  readonly admin?: AdminAction;
  /** Time spent in the handler, in microseconds. */
  readonly durationUs: number;
  /** On a plain forward written as one of a sample (config `log.requests: "sample-plain-forwards"`): the share written. */
  readonly sampleRate?: number;
}

/** What the adapter knows besides the decision. */
export interface RequestEventExtra {
  readonly clientId?: string | undefined;
  readonly clientIp?: string | undefined;
  readonly status?: number | undefined;
  readonly admin?: AdminAction | undefined;
  readonly sampleRate?: number | undefined;
}

export interface RequestLogger {
  request(event: RequestEvent): void;
  /** A failure with a stable code; `error`'s message only, never its data. */
  error(where: string, error: unknown): void;
}

const sessionHashes = new BoundedMap<string, string>(10_000);

/** Cached per container: a warm session logs on every request (measured ~1 µs per hash). */
export function sessionHash(sessionId: string): string {
  let hash = sessionHashes.get(sessionId);
  if (hash === undefined) {
    hash = createHash('sha256').update(sessionId).digest('hex').slice(0, 16);
    sessionHashes.set(sessionId, hash);
  }
  return hash;
}

let lastTime = { ms: Number.NaN, iso: '' };

/** The ISO time, formatted once per millisecond (requests in the same ms share it). */
function isoTime(ms: number): string {
  if (ms !== lastTime.ms) lastTime = { ms, iso: new Date(ms).toISOString() };
  return lastTime.iso;
}

export function requestEvent(
  method: string,
  uri: string,
  host: string,
  outcome: Outcome,
  /** Time spent in the handler (the adapter measures it: the core reads no clock). */
  durationUs: number,
  nowMs: number,
  extra: RequestEventExtra = {},
): RequestEvent {
  const s = outcome.session;
  return {
    event: 'edge_oauth_request',
    time: isoTime(nowMs),
    host,
    method,
    path: uri.length > 512 ? `${uri.slice(0, 512)}…` : uri,
    decision: outcome.decision,
    reason: outcome.reason,
    ...(s !== undefined && { userId: s.uid, provider: s.prv, sessionHash: sessionHash(s.sid) }),
    ...(s?.name !== undefined && { userName: s.name }),
    ...(extra.clientId !== undefined && { clientId: extra.clientId }),
    ...(extra.clientIp !== undefined && { clientIp: extra.clientIp }),
    ...(extra.status !== undefined && { status: extra.status }),
    ...(outcome.checks !== undefined && outcome.checks.length > 0 && { checks: outcome.checks }),
    ...(extra.admin !== undefined && { admin: extra.admin }),
    durationUs,
    ...(extra.sampleRate !== undefined && { sampleRate: extra.sampleRate }),
  };
}
