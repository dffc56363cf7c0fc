/**
 * The access section's cross-field rules and resolution: group names against the
 * configured providers (access/groups.ts), public paths a path rule would cover, and the
 * API authorizer's cache against per-path decisions. Every problem names its field path.
 */
import type { z } from 'zod';
import { qualifyGroup, type GroupOwner } from '../access/groups';
import { prefixCovers } from '../access/path-rules';
import { groupName } from './access-fields';
import type { ParsedConfig } from './fields';
import type { AllowList, PathRule, ProviderType } from './types';

type Ctx = z.core.$RefinementCtx<ParsedConfig>;
type RawAllow = { emails: string[]; emailDomains: string[]; groups: string[] };

function owners(config: ParsedConfig): GroupOwner[] {
  return config.providers.map((p) => ({ id: p.id ?? p.type, type: p.type as ProviderType }));
}

/** Every allow-list of the config with its field path, and the provider that owns it (a provider's own). */
function allowLists(config: ParsedConfig, providers: GroupOwner[]): Array<{ path: (string | number)[]; allow: RawAllow; owner?: GroupOwner }> {
  const out: Array<{ path: (string | number)[]; allow: RawAllow; owner?: GroupOwner }> = [{ path: ['allow'], allow: config.allow }];
  config.providers.forEach((p, i) => {
    if (p.allow !== undefined) out.push({ path: ['providers', i, 'allow'], allow: p.allow, owner: providers[i]! });
  });
  config.paths.forEach((r, i) => out.push({ path: ['paths', i, 'allow'], allow: r.allow }));
  return out;
}

/**
 * GitHub providers whose client is a GitHub App, by id. GitHub App client ids start `Iv1.`
 * (older apps) or `Iv23`, OAuth apps' `Ov23` or 20 hex digits: seen on GitHub's app settings
 * pages, not documented as a format (the adapter also refuses an App's `ghu_` token at run time).
 */
function githubAppProviders(config: ParsedConfig): Map<string, number> {
  const apps = new Map<string, number>();
  config.providers.forEach((p, i) => {
    if (p.type === 'github' && (p.clientId?.startsWith('Iv1.') === true || p.clientId?.startsWith('Iv23') === true)) apps.set(p.id ?? p.type, i);
  });
  return apps;
}

export function checkAccessConfig(config: ParsedConfig, ctx: Ctx): void {
  const providers = owners(config);
  const apps = githubAppProviders(config);
  for (const { path, allow, owner } of allowLists(config, providers)) {
    allow.groups.forEach((group, i) => {
      if (!groupName.safeParse(group).success) return; // reported by the field itself
      const result = qualifyGroup(group, providers, owner);
      if (!result.ok) ctx.addIssue({ code: 'custom', path: [...path, 'groups', i], message: `"${group}": ${result.message}` });
      const app = result.ok ? apps.get(result.value.slice(0, result.value.indexOf(':'))) : undefined;
      if (app !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'groups', i],
          message:
            `"${group}": providers[${app}] is a GitHub App (clientId "${(config.providers[app]!.clientId ?? '').slice(0, 6)}..."), and GitHub answers a GitHub App's ` +
            'user token with an empty organization list (and only one organization\'s teams): no GitHub group could ever match. Use an OAuth app for GitHub group rules',
        });
      }
    });
  }
  config.publicPaths.forEach((publicPath, i) => {
    const rule = config.paths.findIndex((r) => prefixCovers(r.prefix, publicPath));
    if (rule >= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['publicPaths', i],
        message: `is covered by paths[${rule}] ("${config.paths[rule]!.prefix}"): a path rule always wins, so it would never be public; remove one of them`,
      });
    }
  });
  const perPath = config.paths.length > 0 || config.publicPaths.length > 0;
  if (perPath && config.api?.cacheTtl !== undefined && config.api.cacheTtl > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['api', 'cacheTtl'],
      message:
        'must be 0 with publicPaths or paths: API Gateway caches an authorizer\'s answer per Cookie header for every route, ' +
        'so an answer for one path would be reused for another (leave api.cacheTtl out: it then defaults to 0)',
    });
  }
}

function resolveAllow(allow: RawAllow, providers: GroupOwner[], owner?: GroupOwner): AllowList {
  const groups = allow.groups.map((g) => qualifyGroup(g, providers, owner)).flatMap((r) => (r.ok ? [r.value] : []));
  // No groups: the list as before groups existed (`groups` absent).
  return { emails: allow.emails, emailDomains: allow.emailDomains, ...(groups.length > 0 && { groups }) };
}

export interface ResolvedAccess {
  readonly allow: AllowList;
  /** Each provider's own allow-list (undefined: the global one applies), by index. */
  readonly providerAllow: ReadonlyArray<AllowList | undefined>;
  readonly paths: readonly PathRule[];
  /** Provider ids whose groups some rule names. */
  readonly groupProviders: ReadonlySet<string>;
}

/** The allow-lists with every group as `<provider id>:<group>` (the config passed checkAccessConfig). */
export function resolveAccess(config: ParsedConfig): ResolvedAccess {
  const providers = owners(config);
  const allow = resolveAllow(config.allow, providers);
  const providerAllow = config.providers.map((p, i) => (p.allow !== undefined ? resolveAllow(p.allow, providers, providers[i]) : undefined));
  const paths = config.paths.map((r) => ({ prefix: r.prefix, allow: resolveAllow(r.allow, providers) }));
  const groupProviders = new Set<string>();
  for (const list of [allow, ...providerAllow, ...paths.map((r) => r.allow)]) {
    for (const group of list?.groups ?? []) groupProviders.add(group.slice(0, group.indexOf(':')));
  }
  return { allow, providerAllow, paths, groupProviders };
}
