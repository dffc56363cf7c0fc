/**
 * The config's cross-field rules: what no single field can check (distinct provider ids,
 * each provider type's required fields, header names used once, the API section against
 * the session settings). Every problem names its field path.
 */
import type { z } from 'zod';
import { edgeHeaderNameProblem } from '../edge-limits';
import { checkAccessConfig } from './access-rules';
import { providerRequirements } from './provider-requirements';
import type { ParsedConfig } from './fields';

type Ctx = z.core.$RefinementCtx<ParsedConfig>;

export function checkConfig(config: ParsedConfig, ctx: Ctx): void {
    const seen = new Set<string>();
    config.providers.forEach((p, index) => {
      const id = p.id ?? p.type;
      if (seen.has(id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['providers', index, 'id'],
          message: `duplicate provider id "${id}"; give each provider a distinct "id"`,
        });
      }
      seen.add(id);
      for (const problem of providerRequirements(p)) {
        ctx.addIssue({ code: 'custom', path: ['providers', index, ...problem.path], message: problem.message });
      }
    });
    const headerValues = Object.entries(config.headers);
    const names = new Set<string>();
    for (const [key, value] of headerValues) {
      if (names.has(value)) ctx.addIssue({ code: 'custom', path: ['headers', key], message: `"${value}" is used twice` });
      names.add(value);
    }
    // The groups header's companion (access/groups-out.ts truncatedHeaderName) is set by the edge too.
    const companion = `${config.headers.userGroups}-truncated`;
    const companionProblem = edgeHeaderNameProblem(companion);
    if (companionProblem !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['headers', 'userGroups'], message: `its companion header ${companionProblem}` });
    }
    if (names.has(companion)) ctx.addIssue({ code: 'custom', path: ['headers', 'userGroups'], message: `its companion header "${companion}" is already an identity header` });
    checkApi(config, ctx);
    checkAccessConfig(config, ctx);
    if (names.has(config.assertion.header)) {
      ctx.addIssue({ code: 'custom', path: ['assertion', 'header'], message: `"${config.assertion.header}" is already an identity header (headers.*)` });
    }
    for (const key of ['accessTokenHeader', 'refreshTokenHeader'] as const) {
      const name = config.originTokens[key];
      if (names.has(name) || name === config.assertion.header) {
        ctx.addIssue({ code: 'custom', path: ['originTokens', key], message: `"${name}" is already used by another edge-oauth header` });
      }
    }
}

/**
 * The API section's cross-field rules: the authorizer's cache cannot keep an answer longer
 * than a revocation may take to be seen (session.revocationCheckInterval), and the ready
 * stack's API needs both its kind and where it forwards.
 */
function checkApi(config: ParsedConfig, ctx: Ctx): void {
  const a = config.api;
  if (a === undefined) return;
  const interval = config.session.revocationCheckInterval;
  if (a.cacheTtl !== undefined && a.cacheTtl > interval) {
    ctx.addIssue({
      code: 'custom',
      path: ['api', 'cacheTtl'],
      message:
        `must be at most session.revocationCheckInterval (${interval}s): API Gateway reuses a cached "allowed" for this long, ` +
        'so a revoked session would keep working at the API for longer than the revocation check interval promises',
    });
  }
  if (a.kind !== undefined && a.upstream === undefined) {
    ctx.addIssue({ code: 'custom', path: ['api', 'upstream'], message: 'is required with api.kind: the https:// URL the API forwards requests to' });
  }
  if (a.kind === undefined) {
    for (const key of ['upstream', 'path', 'name'] as const) {
      if (a[key] !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['api', key], message: 'is only used with api.kind (the API the ready stack creates): set api.kind to "http" or "rest"' });
      }
    }
  }
}

