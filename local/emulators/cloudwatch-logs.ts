/**
 * A local CloudWatch Logs: the two calls `edge-oauth logs` makes (DescribeLogGroups,
 * FilterLogEvents), over the AWS JSON 1.1 protocol (POST /, `X-Amz-Target:
 * Logs_20140328.<Op>`, `application/x-amz-json-1.1`), for the real
 * `@aws-sdk/client-cloudwatch-logs` pointed at it with `endpoint`.
 *
 * One server holds every region: the region is read from the SigV4 credential scope of the
 * `Authorization` header (`Credential=<key>/<date>/<region>/logs/aws4_request`), as the real
 * service is one endpoint per region. As strict as the API reference for what we call:
 * - DescribeLogGroups: `limit` 1-50 (default 50), `logGroupNamePrefix` 1-512 characters of
 *   `[\.\-_/#A-Za-z0-9]+`, results ASCII-sorted by name, `nextToken` only as returned.
 *   https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html
 * - FilterLogEvents: exactly one of `logGroupName` / `logGroupIdentifier` ("you can't include
 *   both"), `limit` 1-10,000 (default 10,000), `startTime`/`endTime` non-negative epoch ms,
 *   `filterPattern` at most 1,024 characters, an unknown group is ResourceNotFoundException;
 *   a page may be partly full while a `nextToken` remains (we cut pages at `pageEvents`
 *   matches or `scanEvents` scanned events, so clients must page).
 *   https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
 * - Errors as `{"__type": "<Exception>", "message": ...}` with HTTP 400
 *   (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/CommonErrors.html).
 *
 * Filter patterns: only what we send is understood, quoted terms that must all appear in the
 * event (`"block" "3f2a9c0d1e7b4a66"`; "enclose terms with non-alphanumeric characters in
 * double quotation marks", several terms match events that contain all of them:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html);
 * anything else is refused with InvalidParameterException, stricter than the service.
 * Not confirmed in the reference: the exact message texts, and whether a constraint
 * violation is InvalidParameterException or ValidationException (we answer the former).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from '../stack/loopback';
import { readText } from './read-body';

export interface LogEventInput {
  readonly timestamp: number;
  readonly message: string;
  readonly logStreamName?: string;
}

export interface CloudWatchLogsOptions {
  port?: number;
  /** Matches returned per page at most, whatever `limit` asks (the service also returns partial pages). @default 10000 */
  pageEvents?: number;
  /** Events scanned per call before a page is cut with a nextToken. @default 1000000 */
  scanEvents?: number;
}

export interface CloudWatchLogsHandle {
  endpoint: string;
  /** Creates the group if needed and appends events (kept sorted by timestamp). */
  put(region: string, group: string, events: readonly LogEventInput[]): void;
  /** Every call in `region` (or every region, with `*`) answers AccessDeniedException for `op`. */
  deny(region: string, op: string): void;
  /** The region answers UnrecognizedClientException (an opt-in region not enabled in the account). */
  disable(region: string): void;
  /** The calls received, for tests: `<region> <Op>`. */
  readonly calls: string[];
  close(): Promise<void>;
}

class AwsError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

const NAME = /^[.\-_/#A-Za-z0-9]+$/;
const invalid = (message: string) => new AwsError('InvalidParameterException', message);
type Input = Record<string, unknown>;
interface StoredEvent extends Required<LogEventInput> {
  readonly ingestionTime: number;
  readonly eventId: string;
}

function intIn(input: Input, field: string, min: number, max: number): number | undefined {
  const v = input[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(`1 validation error detected: Value '${String(v)}' at '${field}' failed to satisfy constraint: Member must have value between ${min} and ${max}`);
  }
  return v;
}

function nameIn(input: Input, field: string): string | undefined {
  const v = input[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length < 1 || v.length > 512 || !NAME.test(v)) {
    throw invalid(`1 validation error detected: Value '${String(v)}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+ and length 1-512`);
  }
  return v;
}

/** `"a" "b c"` → ['a', 'b c']; an empty pattern matches everything. */
export function parseTerms(pattern: string): string[] {
  const terms: string[] = [];
  const rest = pattern.trim().replace(/"([^"\\]*)"\s*/g, (_m, term: string) => {
    terms.push(term);
    return '';
  });
  if (rest !== '' || terms.some((t) => t === '')) throw invalid('Invalid filter pattern (this stand-in understands only quoted terms: "a" "b")');
  return terms;
}

class Logs {
  readonly groups = new Map<string, Map<string, StoredEvent[]>>();
  /** token → where the next page starts, and the request it belongs to. */
  readonly tokens = new Map<string, { readonly key: string; readonly at: number }>();
  readonly denied = new Set<string>();
  readonly disabled = new Set<string>();

  constructor(readonly pageEvents: number, readonly scanEvents: number) {}

  region(name: string): Map<string, StoredEvent[]> {
    let r = this.groups.get(name);
    if (r === undefined) this.groups.set(name, (r = new Map()));
    return r;
  }

  token(key: string, at: number): string {
    const t = randomUUID();
    this.tokens.set(t, { key, at });
    return t;
  }

  resume(input: Input, key: string): number {
    const t = input.nextToken;
    if (t === undefined) return 0;
    const saved = typeof t === 'string' ? this.tokens.get(t) : undefined;
    if (saved === undefined || saved.key !== key) throw invalid('The specified nextToken is invalid.');
    return saved.at;
  }

  describeLogGroups(region: string, input: Input): object {
    const limit = intIn(input, 'limit', 1, 50) ?? 50;
    const prefix = nameIn(input, 'logGroupNamePrefix') ?? '';
    const names = [...this.region(region).keys()].filter((n) => n.startsWith(prefix)).sort();
    const key = `D ${region} ${prefix} ${limit}`;
    const at = this.resume(input, key);
    const page = names.slice(at, at + limit);
    return {
      logGroups: page.map((logGroupName) => ({ logGroupName, arn: `arn:aws:logs:${region}:000000000000:log-group:${logGroupName}:*`, storedBytes: 0 })),
      ...(at + limit < names.length && { nextToken: this.token(key, at + limit) }),
    };
  }

  filterLogEvents(region: string, input: Input): object {
    const name = nameIn(input, 'logGroupName');
    const id = input.logGroupIdentifier;
    if ((name === undefined) === (id === undefined)) throw invalid('Exactly one of logGroupName and logGroupIdentifier must be given.');
    const groupName = name ?? String(id).replace(/^arn:aws:logs:[^:]+:\d+:log-group:/, '').replace(/:\*$/, '');
    const limit = intIn(input, 'limit', 1, 10_000) ?? 10_000;
    const start = intIn(input, 'startTime', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const end = intIn(input, 'endTime', 0, Number.MAX_SAFE_INTEGER) ?? Number.MAX_SAFE_INTEGER;
    const pattern = input.filterPattern ?? '';
    if (typeof pattern !== 'string' || pattern.length > 1024) throw invalid("Value at 'filterPattern' failed to satisfy constraint: Member must have length less than or equal to 1024");
    const terms = parseTerms(pattern);
    const events = this.region(region).get(groupName);
    if (events === undefined) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
    const key = `F ${region} ${groupName} ${start} ${end} ${pattern} ${limit}`;
    let at = this.resume(input, key);
    const found: StoredEvent[] = [];
    const stop = Math.min(events.length, at + this.scanEvents);
    const perPage = Math.min(limit, this.pageEvents);
    for (; at < stop && found.length < perPage; at++) {
      const e = events[at]!;
      if (e.timestamp >= start && e.timestamp <= end && terms.every((t) => e.message.includes(t))) found.push(e);
    }
    return {
      events: found.map((e) => ({ logStreamName: e.logStreamName, timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime, eventId: e.eventId })),
      searchedLogStreams: [],
      ...(at < events.length && { nextToken: this.token(key, at) }),
    };
  }
}


function send(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
  res.end(text);
}

async function answer(logs: Logs, calls: string[], req: IncomingMessage): Promise<object> {
  const body = await readText(req);
  if (req.method !== 'POST') throw new AwsError('UnknownOperationException', 'Only POST / is supported.', 404);
  const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/logs\/aws4_request/.exec(String(req.headers.authorization ?? ''))?.[1];
  if (region === undefined) throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const target = String(req.headers['x-amz-target'] ?? '');
  const op = target.startsWith('Logs_20140328.') ? target.slice('Logs_20140328.'.length) : '';
  calls.push(`${region} ${op}`);
  if (logs.disabled.has(region)) throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (logs.denied.has(`${region} ${op}`) || logs.denied.has(`* ${op}`)) {
    throw new AwsError('AccessDeniedException', `User: arn:aws:iam::000000000000:user/local is not authorized to perform: logs:${op} on resource: arn:aws:logs:${region}:000000000000:log-group:* because no identity-based policy allows the logs:${op} action`);
  }
  let input: unknown;
  try {
    input = body ? JSON.parse(body) : {};
  } catch {
    throw new AwsError('SerializationException', 'Malformed JSON request body.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new AwsError('SerializationException', 'The request body must be a JSON object.');
  if (op === 'DescribeLogGroups') return logs.describeLogGroups(region, input as Input);
  if (op === 'FilterLogEvents') return logs.filterLogEvents(region, input as Input);
  throw new AwsError('UnknownOperationException', `Unknown operation ${target}`);
}

export async function startCloudWatchLogs(opts: CloudWatchLogsOptions = {}): Promise<CloudWatchLogsHandle> {
  const logs = new Logs(opts.pageEvents ?? 10_000, opts.scanEvents ?? 1_000_000);
  const calls: string[] = [];
  const server = createServer((req, res) => {
    answer(logs, calls, req).then(
      (out) => send(res, 200, out),
      (err: unknown) => {
        if (err instanceof AwsError) send(res, err.status, { __type: err.type, message: err.message });
        else send(res, 500, { __type: 'ServiceUnavailableException', message: 'Internal error.' });
      },
    );
  });
  const port = await listenOnLoopback(server, opts.port);
  let counter = 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    put(region, group, events) {
      const groups = logs.region(region);
      let list = groups.get(group);
      if (list === undefined) groups.set(group, (list = []));
      for (const e of events) {
        list.push({ logStreamName: e.logStreamName ?? '2026/01/01/[$LATEST]0', timestamp: e.timestamp, message: e.message, ingestionTime: e.timestamp + 1, eventId: String(++counter).padStart(56, '0') });
      }
      list.sort((a, b) => a.timestamp - b.timestamp);
    },
    deny: (region, op) => void logs.denied.add(`${region} ${op}`),
    disable: (region) => void logs.disabled.add(region),
    close: () => closeServer(server),
  };
}
