/** How `edge-oauth logs` prints a line: readable text (one line per event) or JSON (one object per line). */
import { printable } from '../printable';
import type { LogLine } from './scan';

const str = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

/** `2026-03-02 09:14:07.012  eu-west-1  block     not-on-allow-list  403  GET app.example.com/x  github:12345 "Ada"  session 3f2a…  41 µs` */
export function formatLine(line: LogLine): string {
  const e = line.event;
  const time = new Date(line.timestamp).toISOString().replace('T', ' ').slice(0, 23);
  const where = line.region.padEnd(14);
  if (e.event === 'edge_oauth_error') {
    return printable(`${time}  ${where}  ERROR     ${str(e.code) ?? '-'}  ${str(e.where) ?? ''}  ${str(e.message) ?? ''}`.trimEnd());
  }
  const parts = [
    time,
    where,
    (str(e.decision) ?? '-').padEnd(8),
    str(e.reason) ?? '-',
    str(e.status) ?? '-',
    `${str(e.method) ?? ''} ${str(e.host) ?? ''}${str(e.path) ?? ''}`,
  ];
  const user = str(e.userId);
  if (user !== undefined) parts.push(`${str(e.provider) ?? '?'}:${user}${str(e.userName) !== undefined ? ` "${str(e.userName)}"` : ''}`);
  const admin = e.admin as { admin?: unknown; action?: unknown } | undefined;
  if (admin !== undefined && typeof admin === 'object') parts.push(`admin ${str(admin.admin) ?? '?'} ${str(admin.action) ?? ''}`.trimEnd());
  if (str(e.sessionHash) !== undefined) parts.push(`session ${str(e.sessionHash)}`);
  if (Array.isArray(e.checks)) parts.push(`checks ${e.checks.map(String).join(',')}`);
  if (str(e.sampleRate) !== undefined) parts.push(`sampled 1/${str(e.sampleRate)}`);
  if (str(e.clientIp) !== undefined) parts.push(`ip ${str(e.clientIp)}`);
  if (str(e.durationUs) !== undefined) parts.push(`${str(e.durationUs)} µs`);
  return parts.map((p) => printable(p)).join('  ');
}

/** One JSON object per line: where it was logged, then the event as logged. */
export function jsonLine(line: LogLine): string {
  return JSON.stringify({ timestamp: new Date(line.timestamp).toISOString(), region: line.region, logGroup: line.logGroup, ...line.event });
}
