/** The admin console's inputs and answer (console.ts), independent of the Function URL event format (lambdas/admin translates). */
import type { EdgeConfig } from '../config/types';
import type { KeySet } from '../keys/key-set';
import type { AdminAction, Outcome } from '../request-events';
import type { SessionChecks } from '../session/container-checks';
import type { AdminStores } from './views';

/** What an admin did: the request event's `admin` field. */
export type AdminAudit = AdminAction;

export interface AdminContext {
  readonly config: EdgeConfig;
  readonly keys: KeySet;
  /** Epoch seconds. */
  readonly now: number;
  readonly stores: AdminStores;
  /** The container's session checks (revocation, inactivity...). @default - the cookie alone decides */
  readonly checks?: SessionChecks | undefined;
  readonly scheme: 'https' | 'http';
}

export interface AdminRequest {
  readonly method: string;
  readonly path: string;
  /** Raw query string, without `?`. */
  readonly query: string;
  /** The urlencoded form of a POST. */
  readonly form?: URLSearchParams | undefined;
  readonly cookieHeaders: readonly string[];
  readonly host: string;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  /** The `Origin` and `Sec-Fetch-Site` request headers, when sent. */
  readonly origin?: string | undefined;
  readonly fetchSite?: string | undefined;
}

export interface AdminResponse extends Outcome {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly setCookies: readonly string[];
  readonly body?: string;
  /** Who did what to whom: on every request an admin made (request-events.ts `admin`). */
  readonly audit?: AdminAudit;
}

