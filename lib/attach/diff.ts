/**
 * A readable diff of two DistributionConfigs: the config as indented JSON (keys sorted, as
 * the CloudFront API reference lists them, so that key order never shows as a change), compared line by line (longest common subsequence), shown
 * as hunks of `-`/`+` lines with three lines of context and the path of the enclosing
 * behaviour or origin. Pure; the CLI prints it for `attach --dry-run` and before applying.
 */
import { canonicalJson } from './canonical';

/**
 * Lines of the config, each with the nearest named thing above it (behaviour path, origin id).
 * Origin custom header values are shown as `(hidden)`: they are often a shared secret
 * between CloudFront and the origin, and a diff goes to terminals and CI logs.
 */
function render(config: object): { text: string; where: string }[] {
  const lines = canonicalJson(config, 2)
    .split('\n')
    .map((line) => line.replace(/^(\s*"HeaderValue": )".*"(,?)$/, '$1"(hidden)"$2'));
  const out: { text: string; where: string }[] = [];
  let where = '';
  for (const text of lines) {
    const named = /^\s*"(PathPattern|Id)": "(.*)",?$/.exec(text);
    if (named) where = named[1] === 'Id' ? `origin ${named[2]}` : `behaviour ${named[2]}`;
    if (/^ {2}"DefaultCacheBehavior": \{/.test(text)) where = 'default behaviour (*)';
    out.push({ text, where });
  }
  return out;
}

type Op = { kind: ' ' | '-' | '+'; text: string; where: string };

function lcsOps(a: { text: string; where: string }[], b: { text: string; where: string }[]): Op[] {
  // Trim the common head and tail first: configs differ in a few places.
  let head = 0;
  while (head < a.length && head < b.length && a[head]!.text === b[head]!.text) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail]!.text === b[b.length - 1 - tail]!.text) tail++;
  const A = a.slice(head, a.length - tail);
  const B = b.slice(head, b.length - tail);
  const n = A.length;
  const m = B.length;
  const table: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = A[i]!.text === B[j]!.text ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const ops: Op[] = a.slice(0, head).map((l) => ({ kind: ' ', ...l }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && A[i]!.text === B[j]!.text) {
      ops.push({ kind: ' ', ...A[i]! });
      i++;
      j++;
    } else if (i < n && (j >= m || table[i + 1]![j]! >= table[i]![j + 1]!)) {
      ops.push({ kind: '-', ...A[i]! });
      i++;
    } else {
      ops.push({ kind: '+', ...B[j]! });
      j++;
    }
  }
  for (const l of a.slice(a.length - tail)) ops.push({ kind: ' ', ...l });
  return ops;
}

/** The diff, or '' when the configs are the same. */
export function diffConfigs(before: object, after: object, context = 3): string {
  const ops = lcsOps(render(before), render(after));
  const changed = ops.map((o, k) => (o.kind !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (changed.length === 0) return '';
  const hunks: [number, number][] = [];
  for (const k of changed) {
    const last = hunks[hunks.length - 1];
    if (last && k - context <= last[1] + 1) last[1] = Math.min(ops.length - 1, k + context);
    else hunks.push([Math.max(0, k - context), Math.min(ops.length - 1, k + context)]);
  }
  const out = ['--- distribution config (now)', '+++ distribution config (after)'];
  for (const [from, to] of hunks) {
    const first = ops.slice(from, to + 1).find((o) => o.kind !== ' ') ?? ops[from]!;
    out.push(`@@ ${first.where || 'distribution'} @@`);
    for (const o of ops.slice(from, to + 1)) out.push(`${o.kind}${o.text}`);
  }
  return out.join('\n');
}
