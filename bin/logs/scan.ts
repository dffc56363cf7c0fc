/**
 * The edge's log lines from every region, in time order, within bounds.
 *
 * Lambda@Edge writes to `/aws/lambda/us-east-1.<FunctionName>` in the region of the edge
 * location that ran it ("the us-east-1 prefix remains part of the log group name even in
 * other Regions"):
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-logs.html
 * The callback and the console write to their own log groups in the stack's region
 * (lib/functions.ts `regionalFunction`: CloudFormation names them `<stack>-<logical id>-<suffix>`).
 *
 * Calls: DescribeLogGroups (logGroupNamePrefix, limit 50, nextToken)
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html
 * and FilterLogEvents (startTime, endTime, filterPattern, limit, nextToken; a page may be
 * partly full or empty while a nextToken remains)
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
 */
import { CloudWatchLogsClient, DescribeLogGroupsCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CliError } from '../../lambdas/core/errors';
import type { AwsCredentials } from '../../lambdas/store/aws/clients';

/** Pages of DescribeLogGroups per prefix and region at most (50 groups each). */
export const MAX_GROUP_PAGES = 10;
/** Pages of FilterLogEvents per log group and scan at most. */
export const MAX_EVENT_PAGES = 50;
/** Regions scanned at once. */
const CONCURRENCY = 4;

export interface LogSource {
  readonly region: string;
  readonly logGroup: string;
}

export interface LogLine extends LogSource {
  readonly timestamp: number;
  readonly eventId: string;
  /** The parsed JSON line (an `edge_oauth_request` or `edge_oauth_error` event). */
  readonly event: Record<string, unknown>;
}

export interface ScanTarget {
  /** Every region where the edge may have logged. */
  readonly regions: readonly string[];
  /** The stack's region: the callback's and the console's log groups. */
  readonly homeRegion: string;
  /** The stack name: CloudFormation begins every generated name with it. */
  readonly stack: string;
  readonly endpoint?: string;
  readonly credentials?: AwsCredentials;
}

export interface ScanQuery {
  readonly startTime: number;
  readonly endTime?: number;
  /** Fields that must equal these values: sent as filter-pattern terms, then checked on each parsed line. */
  readonly equal: Readonly<Record<string, string>>;
  /** A last test on the parsed line (e.g. one of several users). */
  readonly keep?: (event: Record<string, unknown>) => boolean;
  readonly maxEvents: number;
}

export interface ScanReport {
  readonly lines: LogLine[];
  /** True when maxEvents or a page bound stopped the scan before the end. */
  readonly truncated: boolean;
  readonly groups: number;
  /** Regions skipped: not enabled for the account. */
  readonly skipped: readonly string[];
}

export type Progress = (text: string) => void;

/**
 * The filter pattern: each wanted value as a quoted term, all of which must appear in the event
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html). Terms,
 * not a JSON pattern (`{ $.decision = "block" }`), because Lambda's default text format puts a
 * time, request id and level before our JSON; the service narrows, and each line is checked
 * field by field here.
 */
export function filterPattern(equal: Readonly<Record<string, string>>): string {
  return Object.values(equal)
    .map((v) => v.replace(/["\\]/g, ''))
    .filter((v) => v !== '')
    .map((v) => `"${v}"`)
    .join(' ');
}

export class LogScanner {
  private readonly clients = new Map<string, CloudWatchLogsClient>();

  constructor(private readonly target: ScanTarget) {}

  private client(region: string): CloudWatchLogsClient {
    let c = this.clients.get(region);
    if (c === undefined) {
      c = new CloudWatchLogsClient({
        region,
        maxAttempts: 3,
        requestHandler: { connectionTimeout: 5000, requestTimeout: 20_000, throwOnRequestTimeout: true },
        ...(this.target.endpoint !== undefined && { endpoint: this.target.endpoint }),
        ...(this.target.credentials !== undefined && { credentials: this.target.credentials }),
      });
      this.clients.set(region, c);
    }
    return c;
  }

  close(): void {
    for (const c of this.clients.values()) c.destroy();
  }

  /** The edge's, callback's and console's log groups, per region; regions not enabled are reported, not fatal. */
  async findGroups(progress: Progress): Promise<{ sources: LogSource[]; skipped: string[] }> {
    const { regions, homeRegion, stack } = this.target;
    const sources: LogSource[] = [];
    const skipped: string[] = [];
    const all = [...new Set([...regions, homeRegion])];
    let done = 0;
    await inBatches(all, async (region) => {
      const prefixes = [`/aws/lambda/us-east-1.${stack}`];
      if (region === homeRegion) prefixes.push(`${stack}-`, `/aws/lambda/${stack}-`);
      try {
        for (const prefix of prefixes) {
          for (const logGroup of await this.groupsWithPrefix(region, prefix)) sources.push({ region, logGroup });
        }
      } catch (error) {
        if (errorName(error) !== 'UnrecognizedClientException' || region === homeRegion) throw explain(error, region, 'DescribeLogGroups');
        skipped.push(region);
      }
      done += 1;
      if (all.length > 1) progress(`looking for log groups: ${done}/${all.length} regions, ${sources.length} group(s) found`);
    });
    sources.sort((a, b) => (a.region + a.logGroup).localeCompare(b.region + b.logGroup));
    return { sources, skipped };
  }

  private async groupsWithPrefix(region: string, prefix: string): Promise<string[]> {
    const names: string[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_GROUP_PAGES; page++) {
      const out = await this.client(region).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, limit: 50, ...(nextToken !== undefined && { nextToken }) }));
      for (const g of out.logGroups ?? []) if (g.logGroupName !== undefined) names.push(g.logGroupName);
      nextToken = out.nextToken;
      if (nextToken === undefined) break;
    }
    return names;
  }

  /** The matching lines of every source, merged in time order (ties: region, group, event id). */
  async scan(sources: readonly LogSource[], query: ScanQuery, progress: Progress): Promise<Omit<ScanReport, 'groups' | 'skipped'>> {
    const lines: LogLine[] = [];
    let truncated = false;
    let done = 0;
    await inBatches(sources, async (source) => {
      const got = await this.scanGroup(source, query);
      lines.push(...got.lines);
      truncated ||= got.truncated;
      done += 1;
      if (sources.length > 1) progress(`reading: ${done}/${sources.length} log groups, ${lines.length} line(s)`);
    });
    lines.sort((a, b) => a.timestamp - b.timestamp || a.region.localeCompare(b.region) || a.logGroup.localeCompare(b.logGroup) || a.eventId.localeCompare(b.eventId));
    if (lines.length > query.maxEvents) return { lines: lines.slice(lines.length - query.maxEvents), truncated: true };
    return { lines, truncated };
  }

  private async scanGroup(source: LogSource, query: ScanQuery): Promise<{ lines: LogLine[]; truncated: boolean }> {
    const lines: LogLine[] = [];
    const pattern = filterPattern(query.equal);
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_EVENT_PAGES; page++) {
      let out;
      try {
        out = await this.client(source.region).send(
          new FilterLogEventsCommand({
            logGroupName: source.logGroup,
            startTime: query.startTime,
            ...(query.endTime !== undefined && { endTime: query.endTime }),
            ...(pattern !== '' && { filterPattern: pattern }),
            limit: Math.min(10_000, query.maxEvents),
            ...(nextToken !== undefined && { nextToken }),
          }),
        );
      } catch (error) {
        // A group deleted between listing and reading (a stack removed): nothing to read.
        if (errorName(error) === 'ResourceNotFoundException') return { lines, truncated: false };
        throw explain(error, source.region, 'FilterLogEvents');
      }
      for (const e of out.events ?? []) {
        const event = parseLine(e.message);
        if (event === undefined || e.timestamp === undefined) continue;
        if (!Object.entries(query.equal).every(([k, v]) => String(event[k]) === v)) continue;
        if (query.keep !== undefined && !query.keep(event)) continue;
        lines.push({ ...source, timestamp: e.timestamp, eventId: e.eventId ?? '', event });
      }
      nextToken = out.nextToken;
      if (nextToken === undefined) return { lines, truncated: false };
      // Past the bound in this group: the newest lines are the ones an operator wants, but a
      // forward scan cannot skip ahead; say so rather than read without end.
      if (lines.length >= query.maxEvents) return { lines, truncated: true };
    }
    return { lines, truncated: true };
  }
}

/** A Lambda log line is `<time>\t<request id>\t<level>\t<message>` (text format) or the JSON itself. */
export function parseLine(message: string | undefined): Record<string, unknown> | undefined {
  if (message === undefined) return undefined;
  const start = message.indexOf('{"event":"edge_oauth_');
  if (start < 0) return undefined;
  try {
    const doc = JSON.parse(message.slice(start).trimEnd()) as unknown;
    return typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function errorName(error: unknown): string {
  return (error as { name?: string }).name ?? '';
}

/** The failures an operator can act on, named. */
function explain(error: unknown, region: string, op: string): Error {
  const name = errorName(error);
  const message = (error as Error).message;
  if (name === 'AccessDeniedException') {
    return new CliError(
      `missing permission in ${region}: logs:${op} was refused (${message}). The logs command needs logs:DescribeLogGroups and logs:FilterLogEvents in every region it reads (docs/cli.md#logs).`,
    );
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException' || name === 'ExpiredTokenException') {
    return new CliError(`CloudWatch Logs in ${region} did not accept your credentials (${name}: ${message}); check them, or leave the region out with --regions.`);
  }
  if (name === 'InvalidParameterException') return new CliError(`CloudWatch Logs in ${region} refused the ${op} request: ${message}`);
  if (error instanceof CliError) return error;
  return new CliError(`cannot read CloudWatch Logs in ${region} (${op}): ${name ? `${name}: ` : ''}${message}`);
}

async function inBatches<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}
