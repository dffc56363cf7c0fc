/**
 * The request logger of deployed functions and the local stack: JSON lines on stdout and
 * stderr (CloudWatch Logs). The core only builds events (lambdas/core/request-events.ts);
 * writing them is I/O, so it lives here.
 *
 * A request line is written with one write(2) to stdout, not through `console.log`: Lambda's
 * Node.js runtime prefixes each console line with a timestamp, the request id and the level
 * (about 70 bytes, each paid as log ingestion; the line has its own `time`), and console
 * formatting costs CPU on every request. Lambda sends what a function writes to stdout to
 * CloudWatch Logs, a line per event (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html).
 */
import { writeSync } from 'node:fs';
import type { RequestEvent, RequestLogger } from '../core/request-events';

/** Microseconds since `startedNs` (from `process.hrtime.bigint()`), for `RequestEvent.durationUs`. */
export function elapsedUs(startedNs: bigint): number {
  return Number((process.hrtime.bigint() - startedNs) / 1000n);
}

/** Printable ASCII but `"` and `\`: written as it is; anything else goes through JSON.stringify. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const str = (value: string) => (PLAIN.test(value) ? `"${value}"` : JSON.stringify(value));

/**
 * The event as one JSON line: the same text as `JSON.stringify(event)` (the same keys in the
 * same order; test/edge/request-line.test.ts), built by hand at a fraction of its cost.
 */
export function requestLine(e: RequestEvent): string {
  let line = `{"event":"${e.event}","time":"${e.time}","host":${str(e.host)},"method":${str(e.method)},"path":${str(e.path)},"decision":"${e.decision}","reason":${str(e.reason)}`;
  if (e.userId !== undefined) line += `,"userId":${str(e.userId)}`;
  if (e.provider !== undefined) line += `,"provider":${str(e.provider)}`;
  if (e.sessionHash !== undefined) line += `,"sessionHash":"${e.sessionHash}"`;
  if (e.userName !== undefined) line += `,"userName":${str(e.userName)}`;
  if (e.clientId !== undefined) line += `,"clientId":${str(e.clientId)}`;
  if (e.clientIp !== undefined) line += `,"clientIp":${str(e.clientIp)}`;
  if (e.status !== undefined) line += `,"status":${e.status}`;
  if (e.checks !== undefined) line += `,"checks":${JSON.stringify(e.checks)}`;
  if (e.admin !== undefined) line += `,"admin":${JSON.stringify(e.admin)}`;
  line += `,"durationUs":${e.durationUs}`;
  if (e.sampleRate !== undefined) line += `,"sampleRate":${e.sampleRate}`;
  return `${line}}\n`;
}

/** write(2) to `fd`; a stream that refuses a synchronous write (EAGAIN on a non-blocking pipe) gets it through process.stdout. */
export function lineWriter(fd = 1): (line: string) => void {
  return (line) => {
    try {
      writeSync(fd, line);
    } catch {
      process.stdout.write(line);
    }
  };
}

/** A request logger writing `requestLine`s with `write`; errors as JSON lines on stderr. */
export function createConsoleLogger(write: (line: string) => void = lineWriter()): RequestLogger {
  return {
    request: (event) => write(requestLine(event)),
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
}

/** Logs to stdout as JSON lines (CloudWatch Logs). */
export const consoleLogger: RequestLogger = createConsoleLogger();
