/**
 * The request logger of deployed functions and the local stack: JSON lines on stdout and
 * stderr (CloudWatch Logs). The core only builds events (lambdas/core/request-events.ts);
 * writing them is I/O, so it lives here.
 */
import type { RequestLogger } from '../core/request-events';

/** Microseconds since `startedNs` (from `process.hrtime.bigint()`), for `RequestEvent.durationUs`. */
export function elapsedUs(startedNs: bigint): number {
  return Number((process.hrtime.bigint() - startedNs) / 1000n);
}

/** Logs to stdout as JSON lines (CloudWatch Logs). */
export const consoleLogger: RequestLogger = {
  request: (event) => console.log(JSON.stringify(event)),
  error: (where, error) => {
    const e = error as { code?: unknown; name?: unknown; message?: unknown };
    console.error(
      JSON.stringify({
        event: 'edge_oauth_error',
        time: new Date().toISOString(),
        where,
        code: typeof e?.code === 'string' ? e.code : undefined,
        name: typeof e?.name === 'string' ? e.name : undefined,
        message: typeof e?.message === 'string' ? e.message.slice(0, 300) : undefined,
      }),
    );
  },
};
