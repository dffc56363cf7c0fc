/**
 * The configuration schema (zod): validates the operator's JSON and fills defaults.
 * Used by the CLI (`edge-oauth config check`), the CDK app and the local stack; never
 * by the viewer-request bundle, which receives the already resolved config.
 */
import { z } from 'zod';
import { parseDuration } from './duration';
import { PROVIDER_TYPES, type EdgeConfig } from './types';
import { providerRequirements, type ProviderInputForCheck } from './provider-requirements';

const duration = (fieldDefault: string | number) =>
  z
    .union([z.number(), z.string()])
    .default(fieldDefault)
    .transform((value, ctx) => {
      const seconds = parseDuration(value);
      if (seconds === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `"${String(value)}" is not a duration: use seconds (e.g. 900) or a string like "90s", "15m", "12h", "7d"`,
        });
        return z.NEVER;
      }
      return seconds;
    });

const email = z
  .string()
  .refine((v) => /^[^@\s]+@[^@\s]+$/.test(v), { message: 'must be an email address with exactly one "@"' })
  .transform((v) => v.toLowerCase());

const domain = z
  .string()
  .refine((v) => /^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(v), {
    message: 'must be a domain such as "example.com" (no "@", no wildcard; matched exactly)',
  })
  .transform((v) => v.toLowerCase());

const allowList = z.strictObject({
  emails: z.array(email).default([]),
  emailDomains: z.array(domain).default([]),
});

const headerName = z
  .string()
  .regex(/^[a-z0-9-]+$/i, 'must be an HTTP header name (letters, digits, "-")')
  .refine((v) => !/^(x-amz-cf-|x-edge-|x-accel-)/i.test(v), {
    message: 'CloudFront does not let Lambda@Edge set headers starting x-amz-cf-, x-edge- or x-accel-',
  })
  .transform((v) => v.toLowerCase());

const secretRef = z.union(
  [
    z.string().min(1).transform((secretId) => ({ secretId })),
    z.strictObject({ secretId: z.string().min(1), jsonKey: z.string().min(1).optional() }),
  ],
  { error: 'must say where the secret lives: a Secrets Manager secret id, or {"secretId": "...", "jsonKey": "..."}' },
);

const providerId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be lowercase letters, digits or "-", starting with a letter (at most 32)');

const provider = z.strictObject({
  id: providerId.optional(),
  type: z.string().refine((t) => (PROVIDER_TYPES as readonly string[]).includes(t), {
    message: `unknown provider; known: ${PROVIDER_TYPES.join(', ')}`,
  }),
  displayName: z.string().min(1).optional(),
  clientId: z.string().min(1, 'is required: the OAuth client id from the provider'),
  clientSecret: secretRef,
  issuer: z.url({ protocol: /^https?$/ }).optional(),
  tenant: z.string().min(1).optional(),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be one scope, no spaces')).default([]),
  claims: z
    .strictObject({
      id: z.string().default('sub'),
      name: z.string().default('name'),
      email: z.string().default('email'),
      emailVerified: z.string().default('email_verified'),
    })
    .default({ id: 'sub', name: 'name', email: 'email', emailVerified: 'email_verified' }),
  allow: allowList.optional(),
  allowInsecureRequests: z.boolean().default(false),
});

/** Standard request headers: the assertion header is removed from every client request, so it must not be one of these. */
const STANDARD_REQUEST_HEADERS = new Set([
  'accept', 'accept-encoding', 'accept-language', 'authorization', 'cache-control', 'connection', 'content-encoding',
  'content-length', 'content-type', 'cookie', 'expect', 'forwarded', 'host', 'if-match', 'if-modified-since',
  'if-none-match', 'origin', 'pragma', 'proxy-authorization', 'range', 'referer', 'te', 'transfer-encoding',
  'upgrade', 'user-agent', 'via', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto',
]);

export const ASSERTION_DEFAULTS = { enabled: true, ttl: 300, header: 'edge-oauth-jwt-assertion' } as const;

const assertion = z
  .strictObject({
    enabled: z.boolean().default(ASSERTION_DEFAULTS.enabled),
    audience: z
      .string()
      .regex(/^[\x21-\x7e]{1,512}$/, 'must be 1-512 printable ASCII characters without spaces, e.g. "https://app.example.com" or an id your origin expects')
      .optional(),
    ttl: duration(ASSERTION_DEFAULTS.ttl).pipe(
      z
        .number()
        .min(30, 'must be at least 30 seconds: the edge reuses an assertion until min(60s, half its lifetime) remains, so a shorter one would be signed on almost every request')
        .max(3600, 'must be at most 3600 seconds (1h): an assertion works as a bearer token until it expires; keep it short'),
    ),
    header: headerName.default(ASSERTION_DEFAULTS.header).refine((v) => !STANDARD_REQUEST_HEADERS.has(v.toLowerCase()), {
      message: 'is a standard request header; the assertion header is removed from every client request, so pick a name of its own (e.g. "edge-oauth-jwt-assertion")',
    }),
  })
  .default({ ...ASSERTION_DEFAULTS });

/** Session defaults that are not plain literals elsewhere (seconds). */
export const SESSION_DEFAULTS = { activityWriteInterval: 60, checkGracePeriod: 300 } as const;

export const ORIGIN_TOKENS_DEFAULTS = {
  enabled: false,
  accessTokenHeader: 'edge-oauth-access-token',
  refreshTokenHeader: 'edge-oauth-refresh-token',
} as const;

/** The user's OAuth tokens to the origin (ngrok's `...-oauth-access-token` / `...-oauth-refresh-token`). */
const originTokens = z
  .strictObject({
    enabled: z.boolean().default(ORIGIN_TOKENS_DEFAULTS.enabled),
    accessTokenHeader: headerName.default(ORIGIN_TOKENS_DEFAULTS.accessTokenHeader),
    refreshTokenHeader: headerName.default(ORIGIN_TOKENS_DEFAULTS.refreshTokenHeader),
  })
  .refine((t) => t.accessTokenHeader !== t.refreshTokenHeader, { path: ['refreshTokenHeader'], message: 'must differ from accessTokenHeader' })
  .default({ ...ORIGIN_TOKENS_DEFAULTS });

const tableName = z.string().regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'must be a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -)');

/** API Gateway caches an authorizer's answer for at most this long (seconds). */
export const MAX_API_CACHE_TTL = 3600;
/** `api` defaults: the path on the site's distribution, and the cap of the default cache TTL (seconds). */
export const API_DEFAULTS = { path: '/api', cacheTtlCap: 300 } as const;

/** The API Gateway authorizer and the API the ready stack creates (docs/api.md). */
const api = z.strictObject({
  cacheTtl: z
    .union([z.number(), z.string()])
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const seconds = parseDuration(value);
      if (seconds === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${String(value)}" is not a duration: use seconds (e.g. 60) or a string like "30s", "5m"` });
        return z.NEVER;
      }
      if (seconds > MAX_API_CACHE_TTL) {
        ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_API_CACHE_TTL} seconds (1h): API Gateway's limit for an authorizer cache` });
        return z.NEVER;
      }
      return seconds;
    }),
  kind: z.enum(['http', 'rest'], { error: 'must be "http" (an HTTP API) or "rest" (a REST API)' }).optional(),
  upstream: z
    .url({ protocol: /^https$/, error: 'must be an https:// URL: where the API forwards requests' })
    .refine((v) => {
      const url = new URL(v);
      return url.search === '' && url.hash === '' && url.username === '' && url.password === '';
    }, { message: 'must be an https:// URL without query, fragment or credentials' })
    .transform((v) => v.replace(/\/+$/, ''))
    .optional(),
  path: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'must be a path such as "/api": segments of letters, digits, ".", "_", "~" or "-", no trailing "/"')
    .refine((v) => !/^\/auth(\/|$)/i.test(v), { message: 'is under /auth, which is edge-oauth\'s own' })
    .optional(),
  name: z.string().regex(/^[\x20-\x7e]{1,128}$/, 'must be 1-128 printable ASCII characters').optional(),
});

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    site: z
      .strictObject({
        domain: z
          .string()
          .regex(/^[a-z0-9.-]+(:\d+)?$/i, 'must be a host name such as "app.example.com" (no scheme, no path)')
          .transform((v) => v.toLowerCase())
          .optional(),
        name: z.string().min(1).max(80).default('this site'),
      })
      .default({ name: 'this site' }),
    providers: z.array(provider).min(1, 'configure at least one provider'),
    allow: allowList.default({ emails: [], emailDomains: [] }),
    session: z
      .strictObject({
        authCheckInterval: duration(0),
        inactivityTimeout: duration(0),
        maxDuration: duration(0),
        revocationCheckInterval: duration(60),
        activityWriteInterval: duration(SESSION_DEFAULTS.activityWriteInterval).pipe(
          z.number().min(1, 'must be at least 1 second: it bounds the last-activity writes to one per session per this period'),
        ),
        checkGracePeriod: duration(SESSION_DEFAULTS.checkGracePeriod),
        cookiePrefix: z
          .string()
          .regex(/^[a-zA-Z0-9_-]{1,32}$/, 'must be 1-32 letters, digits, "_" or "-"')
          .refine((v) => !['session', '_session', '_interaction'].includes(v), {
            message: 'collides with common identity-provider cookie names; pick another',
          })
          .default('edge-oauth'),
      })
      .default({
        authCheckInterval: 0,
        inactivityTimeout: 0,
        maxDuration: 0,
        revocationCheckInterval: 60,
        activityWriteInterval: SESSION_DEFAULTS.activityWriteInterval,
        checkGracePeriod: SESSION_DEFAULTS.checkGracePeriod,
        cookiePrefix: 'edge-oauth',
      })
      .refine((s) => s.inactivityTimeout === 0 || s.activityWriteInterval < s.inactivityTimeout, {
        path: ['activityWriteInterval'],
        message: 'must be shorter than inactivityTimeout: last activity is recorded at most once per this period',
      }),
    optionsPassthrough: z.boolean().default(false),
    headers: z
      .strictObject({
        userId: headerName.default('edge-oauth-user-id'),
        userName: headerName.default('edge-oauth-user-name'),
        userEmail: headerName.default('edge-oauth-user-email'),
        provider: headerName.default('edge-oauth-provider'),
      })
      .default({
        userId: 'edge-oauth-user-id',
        userName: 'edge-oauth-user-name',
        userEmail: 'edge-oauth-user-email',
        provider: 'edge-oauth-provider',
      }),
    assertion,
    originTokens,
    aws: z
      .strictObject({
        region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as "us-east-1"').default('us-east-1'),
        sessionKeysSecretId: z.string().min(1).default('edge-oauth/session-keys'),
        tables: z
          .strictObject({
            sessions: tableName.default('edge-oauth-sessions'),
            users: tableName.default('edge-oauth-users'),
            mau: tableName.default('edge-oauth-mau'),
          })
          .default({ sessions: 'edge-oauth-sessions', users: 'edge-oauth-users', mau: 'edge-oauth-mau' }),
      })
      .default({
        region: 'us-east-1',
        sessionKeysSecretId: 'edge-oauth/session-keys',
        tables: { sessions: 'edge-oauth-sessions', users: 'edge-oauth-users', mau: 'edge-oauth-mau' },
      }),
    api: api.optional(),
  })
  .superRefine((config, ctx) => {
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
    checkApi(config, ctx);
    if (names.has(config.assertion.header)) {
      ctx.addIssue({ code: 'custom', path: ['assertion', 'header'], message: `"${config.assertion.header}" is already an identity header (headers.*)` });
    }
    for (const key of ['accessTokenHeader', 'refreshTokenHeader'] as const) {
      const name = config.originTokens[key];
      if (names.has(name) || name === config.assertion.header) {
        ctx.addIssue({ code: 'custom', path: ['originTokens', key], message: `"${name}" is already used by another edge-oauth header` });
      }
    }
  });

type ParsedConfig = z.output<typeof configSchema>;

/**
 * The API section's cross-field rules: the authorizer's cache cannot keep an answer longer
 * than a revocation may take to be seen (session.revocationCheckInterval), and the ready
 * stack's API needs both its kind and where it forwards.
 */
function checkApi(config: ParsedConfig, ctx: z.core.$RefinementCtx<ParsedConfig>): void {
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

/** The resolved `api` section: the cache TTL defaults to min(revocationCheckInterval, 300s). */
function resolveApi(raw: ParsedConfig['api'], revocationCheckInterval: number): EdgeConfig['api'] {
  const cacheTtl = raw?.cacheTtl ?? Math.min(revocationCheckInterval, API_DEFAULTS.cacheTtlCap);
  if (raw?.kind === undefined || raw.upstream === undefined) return { cacheTtl };
  return { cacheTtl, kind: raw.kind, upstream: raw.upstream, path: raw.path ?? API_DEFAULTS.path, ...(raw.name !== undefined && { name: raw.name }) };
}

export type ConfigInput = z.input<typeof configSchema>;

/** One problem in a config: where, and why. */
export interface ConfigProblem {
  /** Dotted path, e.g. `providers[0].clientId`. */
  readonly path: string;
  readonly message: string;
}

export type ParseResult = { ok: true; config: EdgeConfig } | { ok: false; problems: ConfigProblem[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(root)';
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
    return { ok: false, problems };
  }
  const raw = result.data;
  const config: EdgeConfig = {
    site: raw.site,
    providers: raw.providers.map((p) => ({
      id: p.id ?? p.type,
      type: p.type as EdgeConfig['providers'][number]['type'],
      displayName: p.displayName ?? defaultDisplayName(p.type),
      clientId: p.clientId,
      clientSecret: p.clientSecret,
      ...(p.issuer !== undefined && { issuer: p.issuer.replace(/\/$/, '') }),
      ...(p.tenant !== undefined && { tenant: p.tenant }),
      scopes: p.scopes,
      claims: p.claims,
      ...(p.allow !== undefined && { allow: p.allow }),
      allowInsecureRequests: p.allowInsecureRequests,
    })),
    allow: raw.allow,
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
    api: resolveApi(raw.api, raw.session.revocationCheckInterval),
  };
  return { ok: true, config };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `is required (${issue.expected})`;
  return issue.message;
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
};

function defaultDisplayName(type: string): string {
  return DISPLAY_NAMES[type] ?? type;
}
