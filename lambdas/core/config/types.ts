/**
 * The resolved configuration: what `parseConfig` returns after validation and defaults.
 *
 * Plain data only (JSON-serialisable), so the CDK app can bake it into the
 * viewer-request bundle at synth time (Lambda@Edge has no environment variables).
 * Durations are whole seconds; 0 means "none" for the three session limits.
 * Secrets are never here: only where they live (a Secrets Manager secret id).
 */
import type { RequestLogSettings } from '../request-log-policy';

/** Provider types edge-oauth knows. `oidc` is any OpenID Connect issuer (by discovery). */
export const PROVIDER_TYPES = [
  'oidc',
  'google',
  'github',
  'microsoft',
  'gitlab',
  'linkedin',
  'twitch',
  'amazon',
  'facebook',
  'cognito',
] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/** Where a secret value lives. */
export interface SecretRef {
  /** Secrets Manager secret name or ARN. */
  readonly secretId: string;
  /** When the secret holds JSON, the key whose value is the secret. @default - the whole SecretString */
  readonly jsonKey?: string;
}

export interface AllowList {
  /** Exact (case-insensitive) email addresses. */
  readonly emails: readonly string[];
  /** Exact (case-insensitive) domains: the part after the single `@`. No subdomain matching. */
  readonly emailDomains: readonly string[];
  /**
   * Groups, each `<provider id>:<group>` (access/groups.ts): a user in any of them passes.
   * @default - none
   */
  readonly groups?: readonly string[];
}

/** A rule for the paths under `prefix` (docs/access-rules.md): first match wins; it narrows, never widens. */
export interface PathRule {
  /** A path prefix, e.g. `/admin/`. */
  readonly prefix: string;
  /** Who may open these paths, on top of the site's (or the provider's) allow-list. */
  readonly allow: AllowList;
}

/** Which claims of the ID token / userinfo give the user's id, name and email (generic OIDC). */
export interface ClaimMapping {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly emailVerified: string;
  /** The claim holding the user's groups (generic OIDC). @default 'groups' */
  readonly groups?: string;
}

export interface ProviderConfig {
  /** Identifier used in URLs (`/auth/authn?provider=<id>`), sessions and App User keys. */
  readonly id: string;
  readonly type: ProviderType;
  /** Label on the provider picker page. */
  readonly displayName: string;
  readonly clientId: string;
  readonly clientSecret: SecretRef;
  /** OIDC issuer URL (type `oidc`; optional for some providers, e.g. GitLab self-managed). */
  readonly issuer?: string;
  /** Microsoft: `common`, `organizations`, `consumers`, or a tenant id. */
  readonly tenant?: string;
  /** Scopes added to the provider's required ones. */
  readonly scopes: readonly string[];
  /** Generic OIDC claim mapping. */
  readonly claims: ClaimMapping;
  /** Provider-specific allow-list; when set, it replaces the global one for this provider. */
  readonly allow?: AllowList;
  /** Only for local development against an http:// issuer. */
  readonly allowInsecureRequests: boolean;
  /**
   * Generic OIDC: how the client secret is sent to the token endpoint.
   * @default - from discovery: `client_secret_basic` when listed, else `client_secret_post`
   */
  readonly tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /**
   * Set by `createProviders` (never in the config file) when the session settings need the
   * user's tokens to outlive the access token: `session.authCheckInterval` > 0 or
   * `originTokens.enabled`. Providers that issue refresh tokens only on request (Google's
   * offline access, Microsoft's `offline_access`) ask for one then. @default false
   */
  readonly offlineAccess?: boolean;
  /** Google: the Workspace (Cloud organization) domains admitted, by the ID token's `hd` claim. */
  readonly hostedDomains?: readonly string[];
  /**
   * Read the user's groups where that costs a scope or a call (GitHub `read:org` and its
   * API, Microsoft Graph past the groups claim's overage). Set by parseConfig when a rule
   * names this provider's groups. @default false
   */
  readonly fetchGroups?: boolean;
  /** Amazon Cognito (type `cognito`): the user pool and its app client (providers/cognito.ts, docs/providers/cognito.md). */
  readonly cognito?: CognitoSettings;
}

/**
 * A `cognito` provider's user pool: one the stack creates and owns ("managed": the config
 * names no client), or the operator's own (`userPoolId`, `clientId`, `clientSecret`).
 */
export interface CognitoSettings {
  /** The operator's own pool (`<region>_<id>`). @default - none: the stack creates and manages the pool */
  readonly userPoolId?: string;
  /**
   * A pool this stack creates: its settings. Its pool id, client id and client secret are
   * only known after the deploy, so they live in one secret (`clientSecret.secretId`, JSON
   * `{"userPoolId", "clientId", "clientSecret"}`) that the deploy writes and the functions read.
   */
  readonly managed?: ManagedCognitoSettings;
  /** `/auth/logout` also ends the Cognito session (its `/logout` endpoint). @default false */
  readonly endProviderSession: boolean;
  /**
   * The Cognito user pools endpoint the issuer is under (`<endpoint>/<pool id>`). Set only by
   * the local stack (its stand-in, local/emulators/cognito/server.ts), never from a config file.
   * @default - https://cognito-idp.<the pool's region>.amazonaws.com
   */
  readonly idpEndpoint?: string;
}

export interface ManagedCognitoSettings {
  /** The sign-in domain's prefix (`<prefix>.auth.<region>.amazoncognito.com`). @default - derived from the stack (lib/cognito-pool.ts) */
  readonly domainPrefix?: string;
  /** TOTP multi-factor authentication: `optional` (each user may add an authenticator app), `required`, or `off`. @default 'optional' */
  readonly mfa: 'off' | 'optional' | 'required';
  /** Users may sign in with a passkey (managed login, choice-based sign-in). @default true */
  readonly passkeys: boolean;
  /** Seconds a refresh token lasts (Cognito: 1 hour to 10 years). @default 2592000 (30 days, Cognito's default) */
  readonly refreshTokenValidity: number;
}

export interface IdentityHeaderNames {
  readonly userId: string;
  readonly userName: string;
  readonly userEmail: string;
  readonly provider: string;
  /** The user's groups, comma-separated, each encoded like the other identity headers. */
  readonly userGroups: string;
}

export interface SessionSettings {
  /** Seconds between back-channel re-checks of the user at the provider; 0 = never. */
  readonly authCheckInterval: number;
  /** Seconds without a request after which the session ends; 0 = none. */
  readonly inactivityTimeout: number;
  /** Seconds after sign-in after which the session ends; 0 = none. */
  readonly maxDuration: number;
  /**
   * Seconds within which a server-side revocation takes effect at the edge: each container
   * re-reads a session at most this often. 0 = on every request.
   */
  readonly revocationCheckInterval: number;
  /**
   * Seconds between two writes of a session's last activity (and its App User's last seen,
   * IP, user agent): at most one per session per period. The inactivity timeout is measured
   * from the last recorded activity, so a session ends between `inactivityTimeout` and
   * `inactivityTimeout + activityWriteInterval` after its last request. @default 60
   */
  readonly activityWriteInterval: number;
  /**
   * Seconds a session keeps working on what was last checked when a due check cannot be
   * done (DynamoDB or the provider unreachable), counted from when the check fell due; then
   * requests fail closed with a 503 page. 0 = fail closed at once. @default 300
   */
  readonly checkGracePeriod: number;
  /** Prefix of edge-oauth's cookie names. */
  readonly cookiePrefix: string;
}

export interface TableNames {
  readonly sessions: string;
  readonly users: string;
  readonly mau: string;
}

export interface AwsSettings {
  /** Region of the tables and secrets (the edge function itself always lives in us-east-1). */
  readonly region: string;
  /**
   * Other regions with a replica of the tables (DynamoDB global tables) and of the session
   * key set. Empty: one region. The viewer function uses the nearest copy (docs/multi-region.md).
   */
  readonly replicaRegions: readonly string[];
  /** Secrets Manager secret holding the session key set (JSON, see keys/key-set.ts). */
  readonly sessionKeysSecretId: string;
  readonly tables: TableNames;
}

export interface SiteSettings {
  /** Public host name of the protected site, e.g. `app.example.com`. @default - the request's Host */
  readonly domain?: string;
  /** Name shown on edge-oauth's pages. */
  readonly name: string;
}

/**
 * The signed identity assertion (docs/identity-assertion.md): a short-lived JWT the edge
 * adds to every request it lets through, signed with the key set's `signing` keys, so the
 * origin can verify the identity instead of trusting plain headers.
 */
export interface AssertionSettings {
  /**
   * Add the assertion. On by default (as Google IAP does): the cost is one signature per
   * session per container every `ttl - min(60, ttl/2)` seconds; other requests reuse it.
   * @default true
   */
  readonly enabled: boolean;
  /** The `aud` claim. @default - the site's origin, `https://<site.domain>` (the same as `iss`) */
  readonly audience?: string;
  /** Lifetime (`exp - iat`), seconds, 30 to 3600. @default 300 (5 minutes) */
  readonly ttl: number;
  /** Request header carrying the JWT (client-sent copies are removed). @default 'edge-oauth-jwt-assertion' */
  readonly header: string;
}

/**
 * The user's OAuth tokens to the origin (docs/config.md). Tokens live server-side, sealed
 * in the session item, never in the cookie: the edge reads them with the session checks.
 */
export interface OriginTokenSettings {
  /** Add the access and refresh token headers to requests the edge lets through. @default false */
  readonly enabled: boolean;
  /** @default 'edge-oauth-access-token' */
  readonly accessTokenHeader: string;
  /** @default 'edge-oauth-refresh-token' */
  readonly refreshTokenHeader: string;
}

export type ApiKind = 'http' | 'rest';

/**
 * The API Gateway authorizer (lambdas/authorizer, docs/api.md), and the API the ready stack
 * creates and protects with it.
 */
export interface ApiSettings {
  /**
   * Seconds API Gateway caches the authorizer's answer for one `Cookie` header, 0 to
   * `session.revocationCheckInterval` (and at most 3600). The authorizer re-reads a session
   * at most every `revocationCheckInterval - cacheTtl` seconds, so a revocation reaches the
   * API within `revocationCheckInterval` like it reaches the site. 0 = no caching.
   * @default min(session.revocationCheckInterval, 300)
   */
  readonly cacheTtl: number;
  /** The kind of API the ready stack creates in front of `upstream`. @default - none is created */
  readonly kind?: ApiKind;
  /** `https://` URL the ready stack's API forwards every request to (path and query kept). */
  readonly upstream?: string;
  /** Where the ready stack serves its API on the site's distribution (`<path>/*`). @default '/api' (with `kind`) */
  readonly path?: string;
  /** The ready stack's API name. @default - "<site name> API (edge-oauth)" */
  readonly name?: string;
}

/** The admin console at /auth/admin (lambdas/admin, docs/admin.md). */
export interface AdminSettings {
  /**
   * Exact (case-insensitive) emails of the console's users. An admin must also pass the
   * site's allow-list. Empty: no console (`/auth/admin` is a 404, no function is deployed).
   * @default []
   */
  readonly emails: readonly string[];
}

export interface EdgeConfig {
  readonly site: SiteSettings;
  readonly providers: readonly ProviderConfig[];
  readonly allow: AllowList;
  /** Paths served without a session (`/x/` a prefix, `/x` one path; case-sensitive). @default [] */
  readonly publicPaths: readonly string[];
  /** Per-path rules, first match wins (docs/access-rules.md). @default [] */
  readonly paths: readonly PathRule[];
  readonly session: SessionSettings;
  /** Let `OPTIONS` requests (CORS preflights) through without a session. */
  readonly optionsPassthrough: boolean;
  readonly headers: IdentityHeaderNames;
  readonly assertion: AssertionSettings;
  readonly originTokens: OriginTokenSettings;
  readonly aws: AwsSettings;
  readonly api: ApiSettings;
  readonly admin: AdminSettings;
  /** Which request events the viewer-request function writes (docs/request-events.md). */
  readonly log: RequestLogSettings;
  /** The dashboard and alarms of the CDK constructs (lambdas/core/config/monitoring-fields.ts, docs/operations.md). */
  readonly monitoring: MonitoringSettings;
}

export interface MonitoringSettings {
  readonly dashboard: boolean;
  readonly alarms: boolean;
  readonly alarmEmail?: string | undefined;
  readonly alarmTopicArn?: string | undefined;
  readonly regions?: readonly string[] | undefined;
  readonly refusalThreshold: number;
}

