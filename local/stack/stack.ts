/**
 * The local stack: the product running on loopback with real peers — DynamoDB Local, a
 * Secrets Manager endpoint, the dev OpenID Provider, the demo origin, and the CloudFront
 * emulator running the real viewer-request, callback and admin console handlers. `npm start` and the
 * integration tests both use this.
 */
import { randomBytes } from 'node:crypto';
import { parseConfig } from '../../lambdas/core/config/parse';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { generateKeySetSecret } from '../../lambdas/core/keys/key-set';
import type { RequestLogger } from '../../lambdas/core/request-events';
import type { AwsEndpoints } from '../../lambdas/store/aws/clients';
import { startCloudFront, type CloudFrontEmulator } from '../emulators/cloudfront/server';
import { createTables, startDynamoDbLocal } from '../emulators/dynamodb/dynamodb-local';
import { LocalDeployment } from './deployment';
import { startDevIdp, type DevIdpHandle } from '../emulators/idp/provider';
import { startLocalDistribution, type LocalDistribution, type LocalDistributionOptions } from './distribution';
import { startDemoOrigin, type DemoOriginHandle } from './origin';
import { reservePort } from './reserve-port';
import { parseLocalConfigText, type DevIdpClient } from './dev-provider';
import type { ConfigProblem } from '../../lambdas/core/config/parse';
import { ConfigError } from '../../lambdas/core/errors';
import { startSecretsManager, type SecretsManagerHandle } from '../emulators/secrets-manager';
import { superviseDynamoDbLocal } from './supervise';
import { startLocalCognito, type LocalCognito } from './cognito';

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
  /** Where the stack reports a part it started that exited, and its restart (local/stack/supervise.ts). @default console.error */
  readonly partLog?: (line: string) => void;
  /** A part could not be kept running: the caller stops the stack with this error. @default - log it and exit with code 1 */
  readonly onFatal?: (error: Error) => void;
}

export interface LocalStack {
  readonly siteUrl: string;
  /** The config the handlers run now (after the last reload). */
  readonly config: EdgeConfig;
  readonly idp?: DevIdpHandle;
  readonly origin: DemoOriginHandle;
  readonly cloudfront: CloudFrontEmulator;
  readonly secretsManager: SecretsManagerHandle;
  /** The local Cognito stand-in, when the config has a `cognito` provider with no client of its own (local/stack/cognito.ts). */
  readonly cognito?: LocalCognito;
  readonly endpoints: Required<Pick<AwsEndpoints, 'dynamodb' | 'secretsManager'>>;
  /** With `distribution`: the local CloudFront control plane holding it. */
  readonly distribution?: LocalDistribution;
  /**
   * Runs `next` as a redeploy would: new handler containers (empty memory) with the new
   * config, on the same tables, key set and sessions (`aws` stays the running one; the
   * result says when the new config named other tables or secrets).
   */
  reload(next: EdgeConfig): { readonly config: EdgeConfig; readonly notes: readonly string[] };
  /** The DynamoDB Local process the stack runs now (after restarts), when it started one. */
  dynamoDbLocalPid(): number | undefined;
  /** A config file's new text, reloaded as `reload` does when it is valid; else every problem (field and reason), and the running config stays. */
  reloadText(text: string): { readonly ok: true; readonly config: EdgeConfig; readonly notes: readonly string[] } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };
  close(): Promise<void>;
}

export const DEV_CLIENT_ID = 'edge-oauth-local';
/** The embedded dev config's admin (the dev IdP signs anyone in). */
export const DEV_ADMIN_EMAIL = 'admin@example.com';
const DEV_CLIENT_SECRET_ID = 'edge-oauth/dev-client-secret';
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
    // Locally, every request is written (the deployed default samples plain forwards: docs/request-events.md).
    log: { requests: 'all' },
    ...(tables !== undefined && { aws: { region: 'us-east-1', tables } }),
    ...overrides,
  };
  const result = parseConfig(input);
  if (!result.ok) throw new Error(`dev config: ${result.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return result.config;
}

type Closers = Array<() => Promise<void>>;

/**
 * DynamoDB Local, unless the tests share one, watched (local/stack/supervise.ts): an exit is
 * logged and the process started again, with the tables of the config running at the time.
 */
async function dynamoFor(
  options: LocalStackOptions,
  closers: Closers,
  runningConfig: () => EdgeConfig | undefined,
  close: () => Promise<void>,
): Promise<{ endpoint: string; pid: () => number | undefined }> {
  if (options.dynamoEndpoint !== undefined) return { endpoint: options.dynamoEndpoint, pid: () => undefined };
  const dynamo = await startDynamoDbLocal(options.dataDir !== undefined ? { dataDir: options.dataDir } : {});
  const watched = superviseDynamoDbLocal(dynamo, {
    dataDir: options.dataDir,
    afterRestart: async (endpoint) => {
      const config = runningConfig();
      if (config !== undefined) await createTables({ endpoint, region: config.aws.region, names: config.aws.tables });
    },
    log: options.partLog ?? ((line) => console.error(line)),
    onFatal:
      options.onFatal ??
      ((error) => {
        console.error(`edge-oauth local stack: ${error.message}`);
        void close().then(() => process.exit(1));
      }),
  });
  closers.push(() => watched.close());
  return { endpoint: dynamo.endpoint, pid: () => watched.current().pid };
}

interface Site {
  readonly port: number;
  readonly origin: string;
  /**
   * What people type: the same site as http://localhost:<port> (the edge names the host the
   * visitor used in redirect_uri, so both are registered at the dev IdP; issue #16). The IdP
   * is on localhost too, so on that name its cookies (`_session`...) also reach the site:
   * harmless, edge-oauth's cookie names can never be theirs (session.cookiePrefix refuses
   * them); docs/local-stack.md says so.
   */
  readonly aliases: readonly string[];
}

/** The config the stack runs (a config file's text, a given config, or the embedded dev config), and the dev IdP when it runs. */
async function configFor(options: LocalStackOptions, site: Site, secretsManager: SecretsManagerHandle, closers: Closers) {
  let idp: DevIdpHandle | undefined;
  let devClient: DevIdpClient | undefined;
  const startIdp = async () => {
    const clientSecret = randomBytes(24).toString('base64url');
    const redirectUris = [site.origin, ...site.aliases].map((o) => `${o}/auth/callback`);
    const started = await startDevIdp({ clients: [{ clientId: DEV_CLIENT_ID, clientSecret, redirectUris }] });
    closers.push(() => started.close());
    secretsManager.put(DEV_CLIENT_SECRET_ID, clientSecret);
    devClient = { issuer: started.issuer, clientId: DEV_CLIENT_ID, clientSecretId: DEV_CLIENT_SECRET_ID };
    return (idp = started);
  };
  const putSecrets = () => Object.entries(options.secrets ?? {}).forEach(([id, value]) => secretsManager.put(id, value));
  let config: EdgeConfig;
  if (options.configText !== undefined) {
    // A config file that may name the dev IdP: it runs beside, whether named now or after a reload.
    await startIdp();
    const parsed = parseLocalConfigText(options.configText, devClient!);
    if (!parsed.ok) throw new ConfigError('--config', parsed.problems);
    config = { ...parsed.config, site: { name: parsed.config.site.name } };
    putSecrets();
  } else if (options.config !== undefined) {
    config = { ...options.config, site: { name: options.config.site.name } };
    putSecrets();
  } else {
    const started = await startIdp();
    // A shared DynamoDB (tests) gets fresh tables per stack, so stacks never see each other's data.
    const tables = options.dynamoEndpoint !== undefined ? tablesNamed(`${process.pid}-${++tableSuffix}-${randomBytes(4).toString('hex')}`) : undefined;
    config = devConfig(started.issuer, options.devConfig, tables);
  }
  return { config, idp, devClient };
}

/** The tables, and a key set (a sealing key and an ES256 signing key for the identity assertion) unless one was given. */
async function provision(options: LocalStackOptions, config: EdgeConfig, dynamoEndpoint: string, secretsManager: SecretsManagerHandle): Promise<void> {
  await createTables({ endpoint: dynamoEndpoint, region: config.aws.region, names: config.aws.tables });
  if (options.secrets?.[config.aws.sessionKeysSecretId] === undefined) {
    secretsManager.put(config.aws.sessionKeysSecretId, generateKeySetSecret(randomBytes, 'local-1', { kid: 'local-signing-1' }));
  }
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const closers: Closers = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  let deployment: LocalDeployment | undefined;
  try {
    const dynamo = await dynamoFor(options, closers, () => deployment?.config, close);
    const dynamoEndpoint = dynamo.endpoint;
    // Hold the site's port from now on (the IdP and the origin need the site's URL before the
    // emulator can start): a free port picked now and bound later can be taken in between.
    const reserved = await reservePort(options.port ?? 0);
    closers.push(() => reserved.release());
    const site: Site = { port: reserved.port, origin: `http://127.0.0.1:${reserved.port}`, aliases: [`http://localhost:${reserved.port}`] };
    const secretsManager = await startSecretsManager({});
    closers.push(() => secretsManager.close());
    const chosen = await configFor(options, site, secretsManager, closers);
    const { idp, devClient } = chosen;
    // A `cognito` provider with no client of its own: the local stand-in plays the pool the deploy would create.
    const cognito = await startLocalCognito(chosen.config, { siteOrigins: [site.origin, ...site.aliases], secretsManager });
    if (cognito !== undefined) closers.push(() => cognito.emulator.close());
    const config = cognito !== undefined ? cognito.apply(chosen.config) : chosen.config;
    await provision(options, config, dynamoEndpoint, secretsManager);
    // The demo origin verifies the identity assertion against the site's JWKS, as a real origin should.
    const origin = await startDemoOrigin({
      siteUrl: site.origin,
      siteAliases: [...site.aliases],
      assertionHeader: config.assertion.header,
      ...(config.assertion.audience !== undefined && { assertionAudience: config.assertion.audience }),
    });
    closers.push(() => origin.close());
    const endpoints = { dynamodb: dynamoEndpoint, secretsManager: secretsManager.endpoint };
    deployment = new LocalDeployment(config, endpoints, options, devClient, (next) => cognito?.apply(next) ?? next);
    const running = deployment;
    let distribution: LocalDistribution | undefined;
    if (options.distribution !== undefined) {
      distribution = await startLocalDistribution(options.distribution, origin.url);
      closers.push(() => distribution!.api.close());
    }
    await reserved.release();
    const cloudfront = await startCloudFront({
      port: site.port,
      originUrl: origin.url,
      ...(distribution !== undefined && { routing: (uri: string) => distribution!.routing(uri) }),
      ...running.origins(),
    });
    closers.push(() => cloudfront.close());
    return {
      siteUrl: cloudfront.url,
      get config() {
        return running.config;
      },
      ...(idp !== undefined && { idp }),
      ...{ origin, cloudfront, secretsManager, endpoints },
      ...(cognito !== undefined && { cognito }),
      ...(distribution !== undefined && { distribution }),
      dynamoDbLocalPid: dynamo.pid,
      reload: (next) => running.reload(next),
      reloadText: (text) => running.reloadText(text),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
