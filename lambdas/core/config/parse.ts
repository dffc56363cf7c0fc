/**
 * From the operator's JSON to the resolved `EdgeConfig`: the schema (schema.ts) validates
 * and fills defaults, then the few values that depend on others are resolved here (the
 * API cache TTL, provider ids and display names). Every problem is reported with its
 * field path; nothing throws for bad input.
 */
import type { z } from 'zod';
import type { ConfigProblem } from './problems';
import { providerRequirements, type ProviderInputForCheck } from './provider-requirements';
import { configSchema, type ParsedConfig } from './schema';
import { resolveAccess } from './access-rules';
import { API_DEFAULTS } from './fields';
import type { EdgeConfig, ProviderConfig } from './types';
import { COGNITO_DEFAULTS, MANAGED_COGNITO_KEYS, managedCognitoSecretId } from './cognito';

export type { ConfigProblem };

/**
 * The resolved `api` section: the cache TTL defaults to min(revocationCheckInterval, 300s),
 * or 0 when decisions depend on the path (publicPaths, paths: see access-rules.ts).
 */
function resolveApi(raw: ParsedConfig['api'], revocationCheckInterval: number, perPath: boolean): EdgeConfig['api'] {
  const cacheTtl = raw?.cacheTtl ?? (perPath ? 0 : Math.min(revocationCheckInterval, API_DEFAULTS.cacheTtlCap));
  if (raw?.kind === undefined || raw.upstream === undefined) return { cacheTtl };
  return { cacheTtl, kind: raw.kind, upstream: raw.upstream, path: raw.path ?? API_DEFAULTS.path, ...(raw.name !== undefined && { name: raw.name }) };
}

export type ParseResult = { ok: true; config: EdgeConfig } | { ok: false; problems: ConfigProblem[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(root)';
}

/**
 * The providers' problems together, where the first of them is: the provider requirements
 * (provider-requirements.ts) come after zod's field issues, and the report should read in
 * the file's order.
 */
function providersTogether(problems: ConfigProblem[]): ConfigProblem[] {
  const first = problems.findIndex((p) => p.path.startsWith('providers['));
  if (first < 0) return problems;
  const providers = problems.filter((p) => p.path.startsWith('providers['));
  const others = problems.filter((p) => !p.path.startsWith('providers['));
  return [...others.slice(0, first), ...providers, ...others.slice(first)];
}

/** Validates parsed JSON and resolves defaults. Never throws for bad input. */
export function parseConfig(input: unknown): ParseResult {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: describeIssue(issue) }));
    // zod skips the object-level refinements when any field fails: run the provider
    // requirements on the raw input too, so one check lists every problem.
    const providers = (input as { providers?: unknown } | null)?.providers;
    if (Array.isArray(providers)) {
      providers.forEach((p: unknown, index) => {
        if (typeof p !== 'object' || p === null) return;
        for (const problem of providerRequirements(p as ProviderInputForCheck)) {
          const path = formatPath(['providers', index, ...problem.path]);
          if (!problems.some((q) => q.path === path)) problems.push({ path, message: problem.message });
        }
      });
    }
    return { ok: false, problems: providersTogether(problems) };
  }
  const raw = result.data;
  const access = resolveAccess(raw);
  const config: EdgeConfig = {
    site: { name: raw.site.name, ...(raw.site.domain !== undefined && { domain: raw.site.domain }) },
    providers: raw.providers.map((p, i) => ({
      id: p.id ?? p.type,
      type: p.type as EdgeConfig['providers'][number]['type'],
      displayName: p.displayName ?? defaultDisplayName(p.type),
      ...resolveClient(p),
      ...(p.issuer !== undefined && { issuer: p.issuer.replace(/\/$/, '') }),
      ...(p.tenant !== undefined && { tenant: p.tenant }),
      scopes: p.scopes,
      claims: p.claims,
      ...(access.providerAllow[i] !== undefined && { allow: access.providerAllow[i] }),
      allowInsecureRequests: p.allowInsecureRequests,
      ...(p.tokenEndpointAuthMethod !== undefined && { tokenEndpointAuthMethod: p.tokenEndpointAuthMethod }),
      ...(p.hostedDomains !== undefined && { hostedDomains: p.hostedDomains }),
      ...(access.groupProviders.has(p.id ?? p.type) && { fetchGroups: true }),
    })),
    allow: access.allow,
    publicPaths: raw.publicPaths,
    paths: access.paths,
    session: raw.session,
    optionsPassthrough: raw.optionsPassthrough,
    headers: raw.headers,
    assertion: {
      enabled: raw.assertion.enabled,
      ...(raw.assertion.audience !== undefined && { audience: raw.assertion.audience }),
      ttl: raw.assertion.ttl,
      header: raw.assertion.header,
    },
    originTokens: raw.originTokens,
    aws: raw.aws,
    api: resolveApi(raw.api, raw.session.revocationCheckInterval, raw.paths.length > 0 || raw.publicPaths.length > 0),
    admin: { emails: [...new Set(raw.admin.emails)] },
    log: raw.log,
    monitoring: raw.monitoring,
  };
  return { ok: true, config };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `is required (${issue.expected})`;
  return issue.message;
}

type ParsedProvider = ParsedConfig['providers'][number];

/**
 * The client: as configured, or (a `cognito` provider with none) the pool the stack creates,
 * whose client id and secret are read from its secret at run time (cognito-fields.ts).
 */
function resolveClient(p: ParsedProvider): Pick<ProviderConfig, 'clientId' | 'clientSecret' | 'cognito'> {
  const cognito = p.type === 'cognito' ? { endProviderSession: p.endProviderSession ?? COGNITO_DEFAULTS.endProviderSession } : undefined;
  if (p.clientId === undefined || p.clientSecret === undefined) {
    const id = p.id ?? p.type;
    return {
      clientId: '',
      clientSecret: { secretId: managedCognitoSecretId(id), jsonKey: MANAGED_COGNITO_KEYS.clientSecret },
      cognito: {
        ...cognito!,
        managed: {
          ...(p.domainPrefix !== undefined && { domainPrefix: p.domainPrefix }),
          mfa: p.mfa ?? COGNITO_DEFAULTS.mfa,
          passkeys: p.passkeys ?? COGNITO_DEFAULTS.passkeys,
          refreshTokenValidity: p.refreshTokenValidity ?? COGNITO_DEFAULTS.refreshTokenValidity,
        },
      },
    };
  }
  const secret = p.clientSecret;
  return {
    clientId: p.clientId,
    clientSecret: 'jsonKey' in secret && secret.jsonKey !== undefined ? { secretId: secret.secretId, jsonKey: secret.jsonKey } : { secretId: secret.secretId },
    ...(cognito !== undefined && { cognito: { ...cognito, ...(p.userPoolId !== undefined && { userPoolId: p.userPoolId }) } }),
  };
}

const DISPLAY_NAMES: Record<string, string> = {
  oidc: 'OpenID Connect',
  google: 'Google',
  github: 'GitHub',
  microsoft: 'Microsoft',
  gitlab: 'GitLab',
  linkedin: 'LinkedIn',
  twitch: 'Twitch',
  amazon: 'Amazon',
  facebook: 'Facebook',
  cognito: 'Amazon Cognito',
};

function defaultDisplayName(type: string): string {
  return DISPLAY_NAMES[type] ?? type;
}
