/**
 * The viewer-request decision's inputs and answer, independent of CloudFront's event
 * format (lambdas/edge/ translates): the request, what the container brings (keys,
 * providers, stores, checks), and the action: forward (with headers) or respond.
 */
import type { EdgeConfig } from '../config/types';
import type { KeySet } from '../keys/key-set';
import type { Provider } from '../providers/types';
import type { Outcome } from '../request-events';
import type { SessionChecks } from '../session/container-checks';
import type { RandomBytes } from '../shared/random';
import type { SessionStore } from '../stores';
import type { AssertionCache } from './assertion';

export type { Decision, Outcome } from '../request-events';

export interface ViewerContext {
  readonly config: EdgeConfig;
  readonly keys: KeySet;
  readonly providers: ReadonlyMap<string, Provider>;
  /** Epoch seconds. */
  readonly now: number;
  readonly random: RandomBytes;
  /** `https` behind CloudFront; `http` only for the local stack. */
  readonly scheme: 'https' | 'http';
  readonly sessions?: SessionStore | undefined;
  /** The container's session checks (revocation, inactivity, continuous authorization, MAU). @default - the cookie alone decides */
  readonly checks?: SessionChecks | undefined;
  readonly onError?: ((error: unknown, where: string) => void) | undefined;
  /** Minted identity assertions, reused while fresh: one per container. @default - a module-wide cache */
  readonly assertions?: AssertionCache | undefined;
  /** When the request arrived (a monotonic clock, ns), for `timeLeftMs`. */
  readonly startedNs?: bigint | undefined;
  /** Milliseconds left for a due session check of a request that arrived at `startedNs` (session/check-budget.ts). @default - no limit but the calls' own */
  readonly timeLeftMs?: ((startedNs: bigint) => number) | undefined;
}

export interface ViewerRequest {
  readonly method: string;
  readonly uri: string;
  /** Raw query string, without `?`. */
  readonly querystring: string;
  readonly host: string;
  readonly cookieHeaders: readonly string[];
  /** The viewer's IP and user agent (App User last seen). */
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  /** The browser's `Sec-Fetch-Mode` (`navigate` for a page load), when sent. */
  readonly fetchMode?: string | undefined;
  /** The browser's `Sec-Fetch-Dest` (`document` for a top-level page load), when sent. */
  readonly fetchDest?: string | undefined;
  /** `Sec-Purpose` (or the older `Purpose`): `prefetch`, `prefetch;prerender`, when sent. */
  readonly purpose?: string | undefined;
  /** The body, base64, on behaviours that include it (the admin console's); `truncated` past 40 KB. */
  readonly body?: { readonly data: string; readonly truncated: boolean } | undefined;
}

export type ViewerAction =
  | (Outcome & {
      readonly action: 'forward';
      /** Headers to add (lowercase name, value). */
      readonly headers: ReadonlyArray<readonly [string, string]>;
      /** Keep edge-oauth's cookies in the Cookie header (only for the callback). */
      readonly keepOwnCookies?: boolean;
      readonly uri?: string;
    })
  | (Outcome & {
      readonly action: 'respond';
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly setCookies: readonly string[];
      readonly body?: string;
    });
