/**
 * Which paths need no sign-in, and which path rule applies to a request: the config's
 * `publicPaths` and `paths`, compiled once per config (so once per container) into plain
 * lists and sets, matched in memory on every request.
 *
 * Public paths are matched strictly: the path exactly as CloudFront received it (case
 * and all), and only when it is plain: a path the normaliser (viewer/special-paths.ts)
 * would change — percent-escapes, `\`, `//`, dot segments, `;`, trailing dots, spaces —
 * could mean another path to the origin, so it is never public.
 *
 * Path rules are matched leniently, because they narrow. Three readings of the path each
 * pick their first matching rule, and the user must pass every rule so picked: the raw
 * path (case-sensitive, like CloudFront), the normalised path (decoded, `\` as `/`, dot
 * segments and `;params` resolved) compared case-sensitively (Tomcat, Jetty), and the
 * same case-folded (IIS). `/admin/PUBLIC/x` or `/admin;x/PUBLIC/x` cannot slip into a
 * laxer `/admin/public/` rule on a case-sensitive origin, nor `/ADMIN/x` past `/admin/`
 * on a case-insensitive one.
 */
import type { EdgeConfig, PathRule } from '../config/types';
import { normalizePath } from '../viewer/special-paths';

export interface CompiledRule {
  /** Index in config `paths` (for logs and tests; never shown to the user). */
  readonly index: number;
  readonly rule: PathRule;
}

export interface CompiledAccess {
  /** Whether the request path is served without a session. */
  isPublic(uri: string): boolean;
  /** The path rules that apply to the request path (none: only the site's allow-list). */
  rulesFor(uri: string): readonly CompiledRule[];
  readonly hasRules: boolean;
}

const NO_RULES: readonly CompiledRule[] = [];
/** What the normaliser would change: escapes, `\`, `;`, spaces and controls, `//`, a segment `.`, `..` or ending in `.`. */
const NOT_PLAIN = /[%\\;\x00-\x20\x7f]|\/\/|\.(\/|$)/;
const compiled = new WeakMap<EdgeConfig, CompiledAccess>();

/** The compiled access rules of a config: built on first use, then reused. */
export function accessRules(config: EdgeConfig): CompiledAccess {
  let access = compiled.get(config);
  if (access === undefined) compiled.set(config, (access = compileAccess(config.publicPaths ?? [], config.paths ?? [])));
  return access;
}

/** True when the normaliser would read `uri` as another path (case aside). */
export function wouldNormalize(uri: string): boolean {
  if (/[\x00-\x20\x7f%\\;]/.test(uri) || uri.includes('//') || !uri.startsWith('/')) return true;
  for (const segment of uri.split('/')) if (segment.endsWith('.')) return true;
  const normal = normalizePath(uri);
  const lower = uri.toLowerCase();
  return normal !== lower && `${normal}/` !== lower;
}

/** Raw match: `prefix` as a string prefix; a prefix ending in `/` also covers the path without it (`/admin`). */
export function rawPrefixMatch(prefix: string, uri: string): boolean {
  return uri.startsWith(prefix) || (prefix.length > 1 && prefix.endsWith('/') && uri === prefix.slice(0, -1));
}

/** Normalised match: both sides as a normalising, case-insensitive origin reads them. */
function normalPrefixMatch(normalPrefix: string, boundary: boolean, normalUri: string): boolean {
  if (normalPrefix === '/') return true;
  if (!boundary) return normalUri.startsWith(normalPrefix);
  return normalUri === normalPrefix || normalUri.startsWith(`${normalPrefix}/`);
}

/** Whether a rule prefix covers `uri` in any reading (raw, normalised, normalised case-folded). */
export function prefixCovers(prefix: string, uri: string): boolean {
  const boundary = prefix.endsWith('/');
  return (
    rawPrefixMatch(prefix, uri) ||
    normalPrefixMatch(normalizePath(prefix, true), boundary, normalizePath(uri, true)) ||
    normalPrefixMatch(normalizePath(prefix), boundary, normalizePath(uri))
  );
}

export function compileAccess(publicPaths: readonly string[], paths: readonly PathRule[]): CompiledAccess {
  const exact = new Set(publicPaths.filter((p) => !p.endsWith('/')));
  const prefixes = publicPaths.filter((p) => p.endsWith('/'));
  const rules = paths.map((rule, index) => ({
    index,
    rule,
    cased: normalizePath(rule.prefix, true),
    folded: normalizePath(rule.prefix),
    boundary: rule.prefix.endsWith('/'),
  }));

  function rulesFor(uri: string): readonly CompiledRule[] {
    if (rules.length === 0) return NO_RULES;
    const raw = rules.find((r) => rawPrefixMatch(r.rule.prefix, uri));
    // A plain path (most requests) normalises to itself without its trailing "/": no decoding pass.
    const plain = uri.startsWith('/') && !NOT_PLAIN.test(uri);
    const casedUri = plain ? (uri.length > 1 && uri.endsWith('/') ? uri.slice(0, -1) : uri) : normalizePath(uri, true);
    const cased = rules.find((r) => normalPrefixMatch(r.cased, r.boundary, casedUri));
    const foldedUri = plain ? casedUri.toLowerCase() : normalizePath(uri);
    const folded = rules.find((r) => normalPrefixMatch(r.folded, r.boundary, foldedUri));
    const picked = new Set([raw, cased, folded]);
    picked.delete(undefined);
    return picked.size === 0 ? NO_RULES : ([...picked] as CompiledRule[]);
  }

  function isPublic(uri: string): boolean {
    if (exact.size === 0 && prefixes.length === 0) return false;
    if (!exact.has(uri) && !prefixes.some((p) => uri.startsWith(p))) return false;
    // Plain paths only, and never one a path rule covers in any reading.
    return !wouldNormalize(uri) && rulesFor(uri).length === 0;
  }

  return { isPublic, rulesFor, hasRules: rules.length > 0 };
}
