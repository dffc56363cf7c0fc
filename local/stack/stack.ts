/**
 * The local stack: the product running on loopback with real peers — DynamoDB Local, a
 * Secrets Manager endpoint, the dev OpenID Provider, the demo origin, and the CloudFront
 * emulator running the real viewer-request, callback and admin console handlers. `npm start` and the
 * integration tests both use this.
 */
import { randomBytes } from 'node:crypto';
import { createAdminHandler } from '../../lambdas/admin/handler';
import { createCallbackHandler } from '../../lambdas/callback/handler';
import { parseConfig } from '../../lambdas/core/config/parse';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { generateKeySetSecret } from '../../lambdas/core/keys/key-set';
import type { RequestLogger } from '../../lambdas/core/request-events';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { deployedDeps } from '../../lambdas/runtime/deployed';
import type { AwsEndpoints, DynamoTimeouts } from '../../lambdas/store/aws/clients';
import { startCloudFront, type CloudFrontEmulator } from '../emulators/cloudfront/server';
import { createTables, LOCAL_CREDENTIALS, startDynamoDbLocal, type DynamoDbLocalHandle } from '../emulators/dynamodb/dynamodb-local';
import { startDevIdp, type DevIdpHandle } from '../emulators/idp/provider';
import { startLocalDistribution, type LocalDistribution, type LocalDistributionOptions } from './distribution';
import { startDemoOrigin, type DemoOriginHandle } from './origin';
import { reservePort } from './reserve-port';
import { parseLocalConfigText, type DevIdpClient } from './dev-provider';
import type { ConfigProblem } from '../../lambdas/core/config/parse';
import { ConfigError } from '../../lambdas/core/errors';
import { startSecretsManager, type SecretsManagerHandle } from '../emulators/secrets-manager';

export interface LocalStackOptions {
  /** The site's port; 0 = any free port. */
  readonly port?: number;
  /** A config to run instead of the embedded dev config (e.g. naming a real provider). `site.domain` is ignored locally. */
  readonly config?: EdgeConfig;
  /**
   * A config file's text (JSONC), which may name the embedded dev IdP as a provider
   * `{"id": "dev", "type": "dev"}` (local/stack/dev-provider.ts); `reloadText` runs a new one.
   * Throws ConfigError with every problem when it is not valid.
   */
  readonly configText?: string;
  /** Secret values for that config (secret id → value), put into the local Secrets Manager. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Changes to the embedded dev config (allow-lists, session limits...), as config JSON. */
  readonly devConfig?: Record<string, unknown>;
  /** Use this DynamoDB instead of starting DynamoDB Local (the tests share one). */
  readonly dynamoEndpoint?: string;
  /** Persist DynamoDB Local here. */
  readonly dataDir?: string;
  /** Wall clock in ms (tests move time). @default Date.now */
  readonly clock?: () => number;
  readonly log?: RequestLogger;
  /**
   * Viewer-request containers: requests go round-robin to this many handler instances, each
   * with its own memory (session checks, caches), as CloudFront spreads requests over
   * Lambda@Edge containers. @default 1
   */
  readonly viewerContainers?: number;
  /**
   * Serve a distribution config through the local CloudFront control plane: requests are
   * routed the way its current config says (local/stack/distribution.ts).
   * @default - every request runs the viewer-request function; /auth/callback to the callback, the rest to the demo origin
   */
  readonly distribution?: LocalDistributionOptions;
  /** The fetch the providers use for back-channel calls (tests count them). @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
}

export interface LocalStack {
  readonly siteUrl: string;
  /** The config the handlers run now (after the last reload). */
  readonly config: EdgeConfig;
  readonly idp?: DevIdpHandle;
  readonly origin: DemoOriginHandle;
  readonly cloudfront: CloudFrontEmulator;
  readonly secretsManager: SecretsManagerHandle;
  readonly endpoints: Required<Pick<AwsEndpoints, 'dynamodb' | 'secretsManager'>>;
  /** With `distribution`: the local CloudFront control plane holding it. */
  readonly distribution?: LocalDistribution;
  /**
   * Runs `next` as a redeploy would: new handler containers (empty memory) with the new
   * config, on the same tables, key set and sessions (`aws` stays the running one; the
   * result says when the new config named other tables or secrets).
   */
  reload(next: EdgeConfig): { readonly config: EdgeConfig; readonly notes: readonly string[] };
  /** A config file's new text, reloaded as `reload` does when it is valid; else every problem (field and reason), and the running config stays. */
  reloadText(text: string): { readonly ok: true; readonly config: EdgeConfig; readonly notes: readonly string[] } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };
  close(): Promise<void>;
}

export const DEV_CLIENT_ID = 'edge-oauth-local';
/** The embedded dev config's admin (the dev IdP signs anyone in). */
export const DEV_ADMIN_EMAIL = 'admin@example.com';
const DEV_CLIENT_SECRET_ID = 'edge-oauth/dev-client-secret';
/** The callback's and the admin console's DynamoDB bounds locally (see `container` below). */
const LOCAL_REGIONAL_DYNAMODB_TIMEOUTS: DynamoTimeouts = { connectionTimeout: 2000, requestTimeout: 10_000, deadlineMs: 20_000 };
/**
 * The viewer function's DynamoDB bounds locally: like the deployed ones (DYNAMODB_TIMEOUTS), a
 * hung call ends well inside the emulator's 5 s viewer timeout, but with 3.5 s instead of 2 s,
 * because DynamoDB Local on a loaded test machine answers in seconds where DynamoDB answers in
 * milliseconds (a slow read is then still a read, not a grace the test did not ask for).
 */
const LOCAL_VIEWER_DYNAMODB_TIMEOUTS: DynamoTimeouts = { connectionTimeout: 1000, requestTimeout: 3000, deadlineMs: 3500 };
// jest gives every test file a fresh module registry in the same worker process, so this
// counter restarts at 0 per file: the random part keeps two files' tables apart.
let tableSuffix = 0;
const tablesNamed = (suffix: string) => ({ sessions: `sessions-${suffix}`, users: `users-${suffix}`, mau: `mau-${suffix}` });

/** The embedded config of `npm start`: one dev OIDC provider; anyone may sign in. */
export function devConfig(issuer: string, overrides: Record<string, unknown> = {}, tables?: Record<string, string>): EdgeConfig {
  const input = {
    site: { name: 'edge-oauth local demo' },
    providers: [
      {
        id: 'dev',
        type: 'oidc',
        displayName: 'the dev identity provider',
        issuer,
        clientId: DEV_CLIENT_ID,
        clientSecret: { secretId: DEV_CLIENT_SECRET_ID },
        scopes: ['offline_access'],
        allowInsecureRequests: true,
      },
    ],
    optionsPassthrough: true,
    // The admin console at /auth/admin: sign in at the dev IdP as this email (docs/admin.md).
    admin: { emails: [DEV_ADMIN_EMAIL] },
    ...(tables !== undefined && { aws: { region: 'us-east-1', tables } }),
    ...overrides,
  };
  const result = parseConfig(input);
  if (!result.ok) throw new Error(`dev config: ${result.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return result.config;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    let dynamo: DynamoDbLocalHandle | undefined;
    if (options.dynamoEndpoint === undefined) {
      dynamo = await startDynamoDbLocal(options.dataDir !== undefined ? { dataDir: options.dataDir } : {});
      closers.push(() => dynamo!.close());
    }
    const dynamoEndpoint = options.dynamoEndpoint ?? dynamo!.endpoint;
    // Hold the site's port from now on (the IdP and the origin need the site's URL before the
    // emulator can start): a free port picked now and bound later can be taken in between.
    const reserved = await reservePort(options.port ?? 0);
    closers.push(() => reserved.release());
    const port = reserved.port;
    const siteOrigin = `http://127.0.0.1:${port}`;
    // What people type: the same site as http://localhost:<port> (the edge names the host the
    // visitor used in redirect_uri, so both are registered at the dev IdP; issue #16). The IdP
    // is on localhost too, so on that name its cookies (`_session`...) also reach the site:
    // harmless, edge-oauth's cookie names can never be theirs (session.cookiePrefix refuses
    // them); docs/local-stack.md says so.
    const siteAliases = [`http://localhost:${port}`];

    const secretsManager = await startSecretsManager({});
    closers.push(() => secretsManager.close());
    let idp: DevIdpHandle | undefined;
    let config: EdgeConfig;
    let devClient: DevIdpClient | undefined;
    const startIdp = async () => {
      const clientSecret = randomBytes(24).toString('base64url');
      const redirectUris = [siteOrigin, ...siteAliases].map((o) => `${o}/auth/callback`);
      idp = await startDevIdp({ clients: [{ clientId: DEV_CLIENT_ID, clientSecret, redirectUris }] });
      closers.push(() => idp!.close());
      secretsManager.put(DEV_CLIENT_SECRET_ID, clientSecret);
      devClient = { issuer: idp.issuer, clientId: DEV_CLIENT_ID, clientSecretId: DEV_CLIENT_SECRET_ID };
    };
    if (options.configText !== undefined) {
      // A config file that may name the dev IdP: it runs beside, whether named now or after a reload.
      await startIdp();
      const parsed = parseLocalConfigText(options.configText, devClient!);
      if (!parsed.ok) throw new ConfigError('--config', parsed.problems);
      config = { ...parsed.config, site: { name: parsed.config.site.name } };
      for (const [id, value] of Object.entries(options.secrets ?? {})) secretsManager.put(id, value);
    } else if (options.config !== undefined) {
      config = { ...options.config, site: { name: options.config.site.name } };
      for (const [id, value] of Object.entries(options.secrets ?? {})) secretsManager.put(id, value);
    } else {
      await startIdp();
      // A shared DynamoDB (tests) gets fresh tables per stack, so stacks never see each other's data.
      const tables =
        options.dynamoEndpoint !== undefined
          ? tablesNamed(`${process.pid}-${++tableSuffix}-${randomBytes(4).toString('hex')}`)
          : undefined;
      config = devConfig(idp!.issuer, options.devConfig, tables);
    }
    await createTables({ endpoint: dynamoEndpoint, region: config.aws.region, names: config.aws.tables });
    if (options.secrets?.[config.aws.sessionKeysSecretId] === undefined) {
      // A sealing key and an ES256 signing key (the identity assertion).
      secretsManager.put(config.aws.sessionKeysSecretId, generateKeySetSecret(randomBytes, 'local-1', { kid: 'local-signing-1' }));
    }
    // The demo origin verifies the identity assertion against the site's JWKS, as a real origin should.
    const origin = await startDemoOrigin({
      siteUrl: siteOrigin,
      siteAliases,
      assertionHeader: config.assertion.header,
      ...(config.assertion.audience !== undefined && { assertionAudience: config.assertion.audience }),
    });
    closers.push(() => origin.close());

    const endpoints = { dynamodb: dynamoEndpoint, secretsManager: secretsManager.endpoint };
    const clock = options.clock ?? Date.now;
    // One container: the deployed functions' wiring (lambdas/runtime/deployed.ts) pointed at the local peers.
    const container = (kind: 'viewer' | 'regional') => ({
      ...deployedDeps(current, {
        dynamodbEndpoint: endpoints.dynamodb,
        secretsManagerEndpoint: endpoints.secretsManager,
        credentials: LOCAL_CREDENTIALS,
        // The viewer function's store calls must end inside the emulator's 5 s viewer timeout,
        // so a hung DynamoDB Local is a store failure (grace, then our 503 page) as it would be
        // at the edge, never CloudFront's LambdaLimitExceeded. The callback and the admin
        // console (regional functions with longer timeouts) get generous bounds.
        dynamoTimeouts: kind === 'viewer' ? LOCAL_VIEWER_DYNAMODB_TIMEOUTS : LOCAL_REGIONAL_DYNAMODB_TIMEOUTS,
        secretCacheTtlMs: 1000,
        clock,
        ...(options.fetch !== undefined && { fetch: options.fetch }),
        log: options.log ?? null,
      }),
      scheme: 'http' as const,
    });
    let current = config;
    const containers = () => ({
      viewers: Array.from({ length: Math.max(1, options.viewerContainers ?? 1) }, () => createViewerHandler(container('viewer'))),
      callback: createCallbackHandler(container('regional')),
      admin: current.admin.emails.length > 0 ? createAdminHandler(container('regional')) : undefined,
    });
    let handlers = containers();
    let nextViewer = 0;
    // A redeploy: CloudFront sends new requests to new containers of the new version.
    const reload = (next: EdgeConfig) => {
      const notes: string[] = [];
      if (JSON.stringify(next.aws) !== JSON.stringify(current.aws)) notes.push('aws (tables, key set secret, region) is kept as the running stack has it; restart to change it');
      current = { ...next, site: { name: next.site.name }, aws: current.aws };
      handlers = containers();
      return { config: current, notes };
    };
    const reloadText = (text: string) => {
      if (devClient === undefined) return { ok: false as const, problems: [{ path: '(stack)', message: 'this stack runs no config file (start it with --config <file>)' }] };
      const parsed = parseLocalConfigText(text, devClient);
      return parsed.ok ? { ok: true as const, ...reload(parsed.config) } : { ok: false as const, problems: parsed.problems };
    };

    let distribution: LocalDistribution | undefined;
    if (options.distribution !== undefined) {
      distribution = await startLocalDistribution(options.distribution, origin.url);
      closers.push(() => distribution!.api.close());
    }

    await reserved.release();
    const cloudfront = await startCloudFront({
      port,
      originUrl: origin.url,
      ...(distribution !== undefined && { routing: (uri: string) => distribution!.routing(uri) }),
      viewerRequest: (event) => handlers.viewers[nextViewer++ % handlers.viewers.length]!(event),
      callback: (event) => handlers.callback(event),
      // The admin console's function URL origin (`/auth/admin*`), when admin.emails is set, as the CDK construct deploys it.
      ...(config.admin.emails.length > 0 && { admin: (event: Parameters<ReturnType<typeof createAdminHandler>>[0]) => handlers.admin!(event) }),
    });
    closers.push(() => cloudfront.close());
    return {
      siteUrl: cloudfront.url,
      get config() {
        return current;
      },
      ...(idp !== undefined && { idp }),
      origin,
      cloudfront,
      secretsManager,
      endpoints,
      ...(distribution !== undefined && { distribution }),
      reload,
      reloadText,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
