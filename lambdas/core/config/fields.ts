/**
 * The config's fields (zod): each field's validation, with its default next to it (zod's
 * `.default()` / `.prefault({})`, so a section left out gets every field's own default:
 * there is no second copy of the defaults). Cross-field rules are in rules.ts; the
 * resolution to `EdgeConfig` in parse.ts.
 */
import { z } from 'zod';
import { edgeHeaderNameProblem } from '../edge-limits';
import { parseDuration } from './duration';
import { allowList, domain, email, pathRules, publicPaths } from './access-fields';
import { log } from './log-fields';
import { withoutTrailing } from '../shared/text';
import { PROVIDER_TYPES } from './types';
import { cognitoFields } from './cognito-fields';
import { monitoring } from './monitoring-fields';

export const duration = (fieldDefault: string | number) =>
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

export const headerName = z
  .string()
  .regex(/^[a-z0-9-]+$/i, 'must be an HTTP header name (letters, digits, "-")')
  .superRefine((v, ctx) => {
    // The disallowed and read-only header lists for viewer requests, with their source (edge-limits.ts).
    const problem = edgeHeaderNameProblem(v);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((v) => v.toLowerCase());

export const secretRef = z.union(
  [
    z.string().min(1).transform((secretId) => ({ secretId })),
    z.strictObject({ secretId: z.string().min(1), jsonKey: z.string().min(1).optional() }),
  ],
  { error: 'must say where the secret lives: a Secrets Manager secret id, or {"secretId": "...", "jsonKey": "..."}' },
);

export const providerId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be lowercase letters, digits or "-", starting with a letter (at most 32)');

export const provider = z.strictObject({
  id: providerId.optional(),
  type: z
    .string()
    // The local stack resolves `{"id": "dev", "type": "dev"}` to its embedded dev IdP (local/stack/dev-provider.ts) before parsing.
    .refine((t) => t !== 'dev', { message: '"dev" (the embedded dev identity provider) is for the local stack only (npm start -- --config <file>); name a real provider to synth or deploy' })
    .refine((t) => t === 'dev' || (PROVIDER_TYPES as readonly string[]).includes(t), {
      message: `unknown provider; known: ${PROVIDER_TYPES.join(', ')}`,
    }),
  displayName: z.string().min(1).optional(),
  // Required for every type but a managed `cognito` pool (provider-requirements.ts).
  clientId: z.string().min(1, 'is required: the OAuth client id from the provider').optional(),
  clientSecret: secretRef.optional(),
  issuer: z.url({ protocol: /^https?$/ }).optional(),
  tenant: z.string().min(1).optional(),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be one scope, no spaces')).default([]),
  claims: z
    .strictObject({
      id: z.string().default('sub'),
      name: z.string().default('name'),
      email: z.string().default('email'),
      emailVerified: z.string().default('email_verified'),
      groups: z.string().min(1).default('groups'),
    })
    .prefault({}),
  allow: allowList.optional(),
  allowInsecureRequests: z.boolean().default(false),
  tokenEndpointAuthMethod: z
    .enum(['client_secret_basic', 'client_secret_post'], { error: 'must be "client_secret_basic" (HTTP Basic) or "client_secret_post" (in the request body)' })
    .optional(),
  hostedDomains: z.array(domain).min(1, 'must list at least one domain (leave the field out to admit any Google account)').optional(),
  ...cognitoFields,
});

/** Standard request headers: the assertion header is removed from every client request, so it must not be one of these. */
const STANDARD_REQUEST_HEADERS = new Set([
  'accept', 'accept-encoding', 'accept-language', 'authorization', 'cache-control', 'connection', 'content-encoding',
  'content-length', 'content-type', 'cookie', 'expect', 'forwarded', 'host', 'if-match', 'if-modified-since',
  'if-none-match', 'origin', 'pragma', 'proxy-authorization', 'range', 'referer', 'te', 'transfer-encoding',
  'upgrade', 'user-agent', 'via', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto',
]);

export const ASSERTION_DEFAULTS = { enabled: true, ttl: 300, header: 'edge-oauth-jwt-assertion' } as const;

export const assertion = z
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
  .prefault({});

/** Session defaults that are not plain literals elsewhere (seconds). */
export const SESSION_DEFAULTS = { activityWriteInterval: 60, checkGracePeriod: 300 } as const;

export const ORIGIN_TOKENS_DEFAULTS = {
  enabled: false,
  accessTokenHeader: 'edge-oauth-access-token',
  refreshTokenHeader: 'edge-oauth-refresh-token',
} as const;

/** The user's OAuth tokens to the origin (ngrok's `...-oauth-access-token` / `...-oauth-refresh-token`). */
export const originTokens = z
  .strictObject({
    enabled: z.boolean().default(ORIGIN_TOKENS_DEFAULTS.enabled),
    accessTokenHeader: headerName.default(ORIGIN_TOKENS_DEFAULTS.accessTokenHeader),
    refreshTokenHeader: headerName.default(ORIGIN_TOKENS_DEFAULTS.refreshTokenHeader),
  })
  .refine((t) => t.accessTokenHeader !== t.refreshTokenHeader, { path: ['refreshTokenHeader'], message: 'must differ from accessTokenHeader' })
  .prefault({});

export const tableName = z.string().regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'must be a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -)');

/** API Gateway caches an authorizer's answer for at most this long (seconds). */
export const MAX_API_CACHE_TTL = 3600;
/** `api` defaults: the path on the site's distribution, and the cap of the default cache TTL (seconds). */
export const API_DEFAULTS = { path: '/api', cacheTtlCap: 300 } as const;

/** The API Gateway authorizer and the API the ready stack creates (docs/api.md). */
export const api = z.strictObject({
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
    .transform((v) => withoutTrailing(v, '/'))
    .optional(),
  path: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'must be a path such as "/api": segments of letters, digits, ".", "_", "~" or "-", no trailing "/"')
    .refine((v) => !/^\/auth(\/|$)/i.test(v), { message: 'is under /auth, which is edge-oauth\'s own' })
    .optional(),
  name: z.string().regex(/^[\x20-\x7e]{1,128}$/, 'must be 1-128 printable ASCII characters').optional(),
});


export const site = z
  .strictObject({
    domain: z
      .string()
      .regex(/^[a-z0-9.-]+(:\d+)?$/i, 'must be a host name such as "app.example.com" (no scheme, no path)')
      .transform((v) => v.toLowerCase())
      .optional(),
    name: z.string().min(1).max(80).default('this site'),
  })
  .prefault({});

export const session = z
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
  .prefault({})
  .refine((s) => s.inactivityTimeout === 0 || s.activityWriteInterval < s.inactivityTimeout, {
    path: ['activityWriteInterval'],
    message: 'must be shorter than inactivityTimeout: last activity is recorded at most once per this period',
  });

export const headers = z
  .strictObject({
    userId: headerName.default('edge-oauth-user-id'),
    userName: headerName.default('edge-oauth-user-name'),
    userEmail: headerName.default('edge-oauth-user-email'),
    provider: headerName.default('edge-oauth-provider'),
    userGroups: headerName.default('edge-oauth-user-groups'),
  })
  .prefault({});

const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as "us-east-1"');

export const aws = z
  .strictObject({
    region: awsRegion.default('us-east-1'),
    /** More regions with a copy of the tables (global tables) and the key set (docs/multi-region.md). */
    replicaRegions: z.array(awsRegion).max(20).default([]),
    sessionKeysSecretId: z.string().min(1).default('edge-oauth/session-keys'),
    tables: z
      .strictObject({
        sessions: tableName.default('edge-oauth-sessions'),
        users: tableName.default('edge-oauth-users'),
        mau: tableName.default('edge-oauth-mau'),
      })
      .prefault({}),
  })
  .prefault({})
  .superRefine((a, ctx) => {
    const seen = new Set<string>([a.region]);
    a.replicaRegions.forEach((region, index) => {
      if (seen.has(region)) {
        const why = region === a.region ? 'is the primary region (aws.region); list only the other regions' : 'is listed twice';
        ctx.addIssue({ code: 'custom', path: ['replicaRegions', index], message: `"${region}" ${why}` });
      }
      seen.add(region);
    });
  });

/** The admin console at /auth/admin (docs/admin.md): who may use it. Empty: no console. */
export const admin = z
  .strictObject({
    emails: z.array(email).default([]),
  })
  .prefault({});

/** Every section together: the config object before its cross-field rules (rules.ts). */
export const configFields = z
  .strictObject({
    $schema: z.string().optional(),
    site,
    providers: z.array(provider).min(1, 'configure at least one provider'),
    allow: allowList.prefault({}),
    publicPaths,
    paths: pathRules,
    session,
    optionsPassthrough: z.boolean().default(false),
    headers,
    assertion,
    originTokens,
    aws,
    api: api.optional(),
    admin,
    log,
    monitoring,
  });

/** The config as zod parsed it (defaults filled), before resolution to `EdgeConfig`. */
export type ParsedConfig = z.output<typeof configFields>;
