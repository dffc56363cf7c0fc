/**
 * The local stack's deployment: the real viewer-request, callback and admin console handlers,
 * each in its own containers, wired as deployed (lambdas/runtime/deployed.ts) but pointed at
 * the local peers; a reload is a redeploy (new containers with the new config, on the same
 * tables, key set and sessions).
 */
import { createAdminHandler } from '../../lambdas/admin/handler';
import { createCallbackHandler } from '../../lambdas/callback/handler';
import type { ConfigProblem } from '../../lambdas/core/config/parse';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { deployedDeps } from '../../lambdas/runtime/deployed';
import type { DynamoTimeouts } from '../../lambdas/store/aws/clients';
import type { CloudFrontEmulatorOptions } from '../emulators/cloudfront/server';
import { LOCAL_CREDENTIALS } from '../emulators/dynamodb/dynamodb-local';
import { parseLocalConfigText, type DevIdpClient } from './dev-provider';
import type { RequestLogger } from '../../lambdas/core/request-events';

/** The callback's and the admin console's DynamoDB bounds locally (see `container`). */
const LOCAL_REGIONAL_DYNAMODB_TIMEOUTS: DynamoTimeouts = { connectionTimeout: 2000, requestTimeout: 10_000, deadlineMs: 20_000 };
/**
 * The viewer function's DynamoDB bounds locally: like the deployed ones (DYNAMODB_TIMEOUTS), a
 * hung call ends well inside the emulator's 5 s viewer timeout, but with 3.5 s instead of 2 s,
 * because DynamoDB Local on a loaded test machine answers in seconds where DynamoDB answers in
 * milliseconds (a slow read is then still a read, not a grace the test did not ask for).
 */
const LOCAL_VIEWER_DYNAMODB_TIMEOUTS: DynamoTimeouts = { connectionTimeout: 1000, requestTimeout: 3000, deadlineMs: 3500 };

/** What the stack's options say of its containers (LocalStackOptions, local/stack/stack.ts). */
export interface ContainerOptions {
  readonly clock?: (() => number) | undefined;
  readonly fetch?: typeof globalThis.fetch | undefined;
  readonly log?: RequestLogger | undefined;
  readonly viewerContainers?: number | undefined;
}

type Handlers = ReturnType<LocalDeployment['containers']>;
type ReloadText = { readonly ok: true; readonly config: EdgeConfig; readonly notes: readonly string[] } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export class LocalDeployment {
  #current: EdgeConfig;
  #handlers: Handlers;
  #nextViewer = 0;

  constructor(
    config: EdgeConfig,
    private readonly endpoints: { readonly dynamodb: string; readonly secretsManager: string },
    private readonly options: ContainerOptions,
    /** The dev IdP as a config file's provider; undefined when the stack runs no config file. */
    private readonly devClient: DevIdpClient | undefined,
    /** What a deploy adds to a config (the local Cognito stand-in's managed pools: local/stack/cognito.ts). */
    private readonly deployed: (config: EdgeConfig) => EdgeConfig = (config) => config,
  ) {
    this.#current = config;
    this.#handlers = this.containers();
  }

  get config(): EdgeConfig {
    return this.#current;
  }

  /** One container: the deployed functions' wiring (lambdas/runtime/deployed.ts) pointed at the local peers. */
  private container(kind: 'viewer' | 'regional') {
    const { options } = this;
    return {
      ...deployedDeps(this.#current, {
        dynamodbEndpoint: this.endpoints.dynamodb,
        secretsManagerEndpoint: this.endpoints.secretsManager,
        credentials: LOCAL_CREDENTIALS,
        // The viewer function's store calls must end inside the emulator's 5 s viewer timeout,
        // so a hung DynamoDB Local is a store failure (grace, then our 503 page) as it would be
        // at the edge, never CloudFront's LambdaLimitExceeded. The callback and the admin
        // console (regional functions with longer timeouts) get generous bounds.
        dynamoTimeouts: kind === 'viewer' ? LOCAL_VIEWER_DYNAMODB_TIMEOUTS : LOCAL_REGIONAL_DYNAMODB_TIMEOUTS,
        secretCacheTtlMs: 1000,
        clock: options.clock ?? Date.now,
        ...(options.fetch !== undefined && { fetch: options.fetch }),
        log: options.log ?? null,
      }),
      scheme: 'http' as const,
    };
  }

  private containers() {
    return {
      viewers: Array.from({ length: Math.max(1, this.options.viewerContainers ?? 1) }, () => createViewerHandler(this.container('viewer'))),
      callback: createCallbackHandler(this.container('regional')),
      admin: this.#current.admin.emails.length > 0 ? createAdminHandler(this.container('regional')) : undefined,
    };
  }

  /** The emulator's function and origins: viewer requests round-robin over the viewer containers. */
  origins(): Pick<CloudFrontEmulatorOptions, 'viewerRequest' | 'callback' | 'admin'> {
    return {
      viewerRequest: (event) => this.#handlers.viewers[this.#nextViewer++ % this.#handlers.viewers.length]!(event),
      callback: (event) => this.#handlers.callback(event),
      // The admin console's function URL origin (`/auth/admin*`), when admin.emails is set, as the CDK construct deploys it.
      ...(this.#current.admin.emails.length > 0 && { admin: (event) => this.#handlers.admin!(event) }),
    };
  }

  /** A redeploy: CloudFront sends new requests to new containers of the new version. */
  reload(next: EdgeConfig): { readonly config: EdgeConfig; readonly notes: readonly string[] } {
    const notes: string[] = [];
    if (JSON.stringify(next.aws) !== JSON.stringify(this.#current.aws)) notes.push('aws (tables, key set secret, region) is kept as the running stack has it; restart to change it');
    this.#current = { ...this.deployed(next), site: { name: next.site.name }, aws: this.#current.aws };
    this.#handlers = this.containers();
    return { config: this.#current, notes };
  }

  reloadText(text: string): ReloadText {
    if (this.devClient === undefined) return { ok: false, problems: [{ path: '(stack)', message: 'this stack runs no config file (start it with --config <file>)' }] };
    const parsed = parseLocalConfigText(text, this.devClient);
    return parsed.ok ? { ok: true, ...this.reload(parsed.config) } : { ok: false, problems: parsed.problems };
  }
}
