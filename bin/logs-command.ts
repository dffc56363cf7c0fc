/**
 * `edge-oauth logs [--since 1h] [--user EMAIL] [--session ID] [--decision block] [--follow]
 * [--regions r1,r2] [--json]`: the edge's request lines from every region (and the callback's
 * and the console's), merged in time order (bin/logs/scan.ts), printed readably or as JSON.
 */
import type { Command } from 'commander';
import { sessionHash } from '../lambdas/core/request-events';
import { resolveAwsTarget } from './aws-target';
import { formatLine, jsonLine } from './logs/format';
import { EDGE_LOG_REGIONS, KNOWN_REGIONS } from './logs/regions';
import { LogScanner, type LogLine, type ScanQuery, type ScanTarget } from './logs/scan';
import { resolveUsers } from './records';
import { CliError, withStores, type CliIo } from './store-options';

export interface LogsOptions {
  readonly since: string;
  readonly until?: string;
  readonly user?: string;
  readonly session?: string;
  readonly decision?: string;
  readonly follow?: boolean;
  readonly regions?: string;
  readonly stack: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly dynamodbEndpoint?: string;
  readonly config?: string;
  readonly maxEvents: string;
  readonly json?: boolean;
}

const DECISIONS = ['allow', 'block', 'redirect', 'special'];
/** How often --follow asks for new lines (each poll is one FilterLogEvents per log group). */
export const FOLLOW_INTERVAL_MS = 5000;

/** `30m`, `1h`, `2d`, or an ISO 8601 time → epoch milliseconds. */
export function parseSince(text: string, now: number, option = '--since'): number {
  const m = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  if (m !== null) return now - Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  const t = /^\d{4}-\d\d-\d\d/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(t)) throw new CliError(`${option}: "${text}" is neither a duration such as 30m, 1h or 2d nor a time such as 2026-03-02T09:00:00Z`);
  return t;
}

export function parseRegions(text: string | undefined): readonly string[] {
  if (text === undefined) return EDGE_LOG_REGIONS;
  const list = text.split(',').map((r) => r.trim()).filter((r) => r !== '');
  if (list.length === 0) throw new CliError('--regions: give at least one region, e.g. --regions us-east-1,eu-west-1');
  for (const r of list) {
    if (!KNOWN_REGIONS.includes(r)) throw new CliError(`--regions: "${r}" is not an AWS region known to edge-oauth (known: ${KNOWN_REGIONS.join(', ')})`);
  }
  return [...new Set(list)];
}

/** The user filter: an email (looked up in the App Users table), or `<provider>:<user id>`. */
async function userFilter(options: LogsOptions): Promise<Pick<ScanQuery, 'equal' | 'keep'>> {
  const ref = options.user;
  if (ref === undefined) return { equal: {} };
  const direct = ref.includes('@') ? null : /^([a-z][a-z0-9-]{0,31}):(.+)$/.exec(ref);
  if (direct === null && !ref.includes('@')) throw new CliError(`--user: "${ref}" is neither an email nor <provider>:<user id>`);
  // <provider>:<user id> is what the log carries: no table read needed.
  if (direct !== null) return { equal: { provider: direct[1]!, userId: direct[2]! } };
  const found = await withStores({ ...(options.dynamodbEndpoint !== undefined && { endpoint: options.dynamodbEndpoint }), ...(options.config !== undefined && { config: options.config }) }, (s) => resolveUsers(s.users, ref));
  const email = ref.toLowerCase();
  const ids = new Set(found.map((u) => `${u.provider}:${u.userId}`));
  // An admin's own lines carry their email (admin.admin) and searches name it (admin.target.email).
  const keep = (e: Record<string, unknown>) => {
    if (ids.has(`${String(e.provider)}:${String(e.userId)}`)) return true;
    const admin = e.admin as { admin?: unknown; target?: { email?: unknown } } | undefined;
    return admin !== undefined && typeof admin === 'object' && (String(admin.admin).toLowerCase() === email || String(admin.target?.email).toLowerCase() === email);
  };
  return { equal: {}, keep };
}

async function buildQuery(options: LogsOptions, now: number): Promise<ScanQuery> {
  const startTime = parseSince(options.since, now);
  const endTime = options.until !== undefined ? parseSince(options.until, now, '--until') : undefined;
  const maxEvents = Number(options.maxEvents);
  if (!Number.isInteger(maxEvents) || maxEvents < 1 || maxEvents > 100_000) throw new CliError(`--max-events: "${options.maxEvents}" is not a whole number from 1 to 100000`);
  if (options.decision !== undefined && !DECISIONS.includes(options.decision)) throw new CliError(`--decision: "${options.decision}" is not one of ${DECISIONS.join(', ')}`);
  if (options.session !== undefined && options.session.trim() === '') throw new CliError('--session: give the session id (as "edge-oauth sessions list" or the admin console shows it)');
  const user = await userFilter(options);
  const equal: Record<string, string> = { ...user.equal };
  if (options.decision !== undefined) Object.assign(equal, { event: 'edge_oauth_request', decision: options.decision });
  // The log carries the session id only as its hash (docs/request-events.md): hash the given id.
  // A 16-hex value is taken as the hash itself (as a log line or the admin console shows it).
  if (options.session !== undefined) equal.sessionHash = /^[0-9a-f]{16}$/.test(options.session) ? options.session : sessionHash(options.session);
  return { startTime, ...(endTime !== undefined && { endTime }), equal, ...(user.keep !== undefined && { keep: user.keep }), maxEvents };
}

export function registerLogsCommand(program: Command, io: CliIo, signal?: AbortSignal): void {
  program
    .command('logs')
    .description("the edge's request lines from every region (and the callback's and the console's), merged in time order")
    .option('--since <time>', 'from this long ago (30m, 1h, 2d) or this time (ISO 8601)', '1h')
    .option('--until <time>', 'up to this long ago or this time (default: now)')
    .option('--user <email>', 'only this user: an email (looked up in the App Users table) or <provider>:<user id>')
    .option('--session <id>', 'only this session (its id; the log holds its hash, computed here)')
    .option('--decision <decision>', `only this decision: ${DECISIONS.join(', ')}`)
    .option('--follow', `keep printing new lines (every ${FOLLOW_INTERVAL_MS / 1000} s) until interrupted`)
    .option('--regions <r1,r2>', 'the regions to read the edge function\'s logs in (default: every region with a regional edge cache)')
    .option('--stack <name>', 'the CloudFormation stack that holds the functions (their names begin with it)', 'EdgeOAuthStack')
    .option('--region <region>', "the stack's region: the callback's and console's logs (default us-east-1, where the ready stack lives)")
    .option('--max-events <n>', 'print at most this many lines (the newest)', '1000')
    .option('--endpoint <url>', 'CloudWatch Logs endpoint (a local stand-in), for every region')
    .option('--dynamodb-endpoint <url>', 'DynamoDB endpoint for the --user lookup')
    .option('--config <file>', 'config file (table names for --user)')
    .option('--json', 'one JSON object per line: timestamp, region, logGroup, then the logged fields')
    .action(async (options: LogsOptions) => {
      await runLogs(options, io, signal);
    });
}

export async function runLogs(options: LogsOptions, io: CliIo, signal?: AbortSignal, intervalMs = FOLLOW_INTERVAL_MS): Promise<void> {
  const regions = parseRegions(options.regions);
  const homeRegion = options.region ?? 'us-east-1';
  if (!KNOWN_REGIONS.includes(homeRegion)) throw new CliError(`--region: "${homeRegion}" is not an AWS region known to edge-oauth`);
  const query = await buildQuery(options, Date.now());
  const aws = resolveAwsTarget({ region: homeRegion, ...(options.config !== undefined && { config: options.config }) }, options.endpoint);
  const target: ScanTarget = { regions, homeRegion, stack: options.stack, ...(aws.endpoint !== undefined && { endpoint: aws.endpoint }), ...(aws.credentials !== undefined && { credentials: aws.credentials }) };
  const scanner = new LogScanner(target);
  let stop = signal;
  let onInterrupt: (() => void) | undefined;
  if (options.follow && stop === undefined) {
    const controller = new AbortController();
    onInterrupt = () => controller.abort();
    process.once('SIGINT', onInterrupt);
    stop = controller.signal;
  }
  const print = (line: LogLine) => io.out(options.json ? jsonLine(line) : formatLine(line));
  const progress = (text: string) => io.err(text);
  try {
    const { sources, skipped } = await scanner.findGroups(progress);
    for (const r of skipped) io.err(`${r}: not enabled for this account (UnrecognizedClientException): skipped`);
    if (sources.length === 0) {
      throw new CliError(`no log groups of stack "${options.stack}" in ${regions.length} region(s): check --stack and --regions (the edge logs only where it has run)`);
    }
    const report = await scanner.scan(sources, query, progress);
    report.lines.forEach(print);
    io.err(`${report.lines.length} line(s) from ${sources.length} log group(s) in ${new Set(sources.map((s) => s.region)).size} region(s)`);
    if (report.truncated) io.err(`more lines match: narrow --since, --user, --session or --decision, or raise --max-events (now ${query.maxEvents})`);
    if (options.follow) await follow(scanner, sources, query, report.lines, print, stop, intervalMs);
  } finally {
    if (onInterrupt !== undefined) process.off('SIGINT', onInterrupt);
    scanner.close();
  }
}

/** Polls from the newest line seen; lines already printed (same event id) are not printed twice. */
async function follow(scanner: LogScanner, sources: Parameters<LogScanner['scan']>[0], query: ScanQuery, first: readonly LogLine[], print: (l: LogLine) => void, signal: AbortSignal | undefined, intervalMs: number): Promise<void> {
  const seen = new Set(first.map((l) => `${l.region} ${l.eventId}`));
  let from = first.length > 0 ? first[first.length - 1]!.timestamp : query.startTime;
  const quiet = () => undefined;
  while (!(signal?.aborted ?? false)) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, intervalMs);
      signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
    if (signal?.aborted ?? false) return;
    const { endTime: _ignored, ...open } = query;
    const report = await scanner.scan(sources, { ...open, startTime: from }, quiet);
    for (const line of report.lines) {
      const key = `${line.region} ${line.eventId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      print(line);
      from = Math.max(from, line.timestamp);
    }
  }
}
