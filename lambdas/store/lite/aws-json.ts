/**
 * A small client for AWS's JSON protocols (DynamoDB: AWS JSON 1.0; Secrets Manager: AWS JSON
 * 1.1): POST `/` with `X-Amz-Target`, signed with SigV4 (sigv4.ts), over node:http(s) with
 * a keep-alive agent. It keeps what the SDK clients gave the viewer's calls:
 * - `connectionTimeout` (per attempt, until the socket connects) and `requestTimeout` (per
 *   attempt, the whole request and response: stricter than @smithy/node-http-handler's,
 *   which times socket inactivity); both fail as `TimeoutError`;
 * - `maxAttempts` with the SDK's standard retry rules: throttling codes, transient codes,
 *   HTTP 500/502/503/504 and Node.js network errors are retried after a full-jitter
 *   exponential backoff, base 100 ms (500 ms when throttled), at most 20 s (the lists and
 *   constants of @smithy/core `submodules/retry`, service-error-classification/constants.js
 *   and util-retry/constants.js);
 * - the caller's `abortSignal` (the call deadline) ends the call, retries included, as an
 *   `AbortError`;
 * - errors named as the SDK names them (`__type` after `#`), with `$fault`, `$metadata` and
 *   the error's own fields (ConditionalCheckFailedException's `Item`,
 *   TransactionCanceledException's `CancellationReasons`).
 * Credentials: the `credentials` option, else Lambda's execution role from the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; Lambda sets them in every
 * function: https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 */
import http from 'node:http';
import https from 'node:https';
import { signPost, type SigningCredentials } from './sigv4';

export interface AwsJsonClientConfig {
  readonly region: string;
  /** e.g. `http://127.0.0.1:8000`. @default - `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`, else `https://<service>.<region>.amazonaws.com` */
  readonly endpoint?: string;
  readonly credentials?: SigningCredentials;
  /** Attempts in all, the first included. @default 3 (the SDK's) */
  readonly maxAttempts?: number;
  readonly requestHandler?: { readonly connectionTimeout?: number; readonly requestTimeout?: number; readonly throwOnRequestTimeout?: boolean };
}

export interface AwsJsonProtocol {
  /** Signing name and endpoint prefix: `dynamodb`, `secretsmanager`. */
  readonly service: string;
  /** `DynamoDB_20120810`, `secretsmanager`. */
  readonly targetPrefix: string;
  /** `application/x-amz-json-1.0` or `-1.1`. */
  readonly contentType: string;
  /** The service's part of its endpoint variable, as the SDKs read it: `DYNAMODB`, `SECRETS_MANAGER` (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html). */
  readonly endpointEnv: string;
}

/** An error the service or the transport gave, shaped like the SDK's (`name`, `$fault`, `$metadata`, the error's fields). */
export class AwsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode?: number; requestId?: string; attempts?: number };
  constructor(name: string, message: string, status: number | undefined, fields: Record<string, unknown> = {}, requestId?: string) {
    super(message);
    this.name = name;
    this.$fault = status !== undefined && status < 500 ? 'client' : 'server';
    this.$metadata = { ...(status !== undefined && { httpStatusCode: status }), ...(requestId !== undefined && { requestId }) };
    for (const [k, v] of Object.entries(fields)) if (k !== '__type' && k !== 'message' && k !== 'Message') (this as Record<string, unknown>)[k] = v;
  }
}

const THROTTLING = new Set(['BandwidthLimitExceeded', 'EC2ThrottledException', 'LimitExceededException', 'PriorRequestNotComplete', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'SlowDown', 'ThrottledException', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'TransactionInProgressException']);
const TRANSIENT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether the SDK's standard retry strategy retries this failure; 'throttling' takes the longer backoff. */
export function retryKind(error: unknown): 'throttling' | 'transient' | undefined {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name !== undefined && THROTTLING.has(e.name)) return 'throttling';
  if (e.$metadata?.httpStatusCode === 429) return 'throttling';
  if ((e.name !== undefined && TRANSIENT.has(e.name)) || (e.code !== undefined && NETWORK_CODES.has(e.code))) return 'transient';
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && TRANSIENT_STATUS.has(status) ? 'transient' : undefined;
}

const abortError = () => Object.assign(new Error('Request aborted'), { name: 'AbortError' });
const timeoutError = (message: string) => Object.assign(new Error(message), { name: 'TimeoutError' });

function environmentCredentials(): SigningCredentials {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (!accessKeyId || !secretAccessKey) throw new AwsServiceError('CredentialsProviderError', 'no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set', undefined);
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

export class AwsJsonClient {
  readonly #url: URL;
  readonly #agent: http.Agent;
  readonly #request: typeof http.request;
  readonly #credentials: () => SigningCredentials;
  readonly #maxAttempts: number;
  readonly #connectionTimeout: number;
  readonly #requestTimeout: number;

  constructor(
    readonly protocol: AwsJsonProtocol,
    readonly config: AwsJsonClientConfig,
  ) {
    const suffix = config.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    const env = process.env;
    this.#url = new URL(config.endpoint ?? env[`AWS_ENDPOINT_URL_${protocol.endpointEnv}`] ?? env.AWS_ENDPOINT_URL ?? `https://${protocol.service}.${config.region}.${suffix}`);
    const secure = this.#url.protocol === 'https:';
    // At most 50 connections, as @smithy/node-http-handler's agent (its `maxSockets` default).
    this.#agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 50 }) : new http.Agent({ keepAlive: true, maxSockets: 50 });
    this.#request = secure ? https.request : http.request;
    let credentials = config.credentials;
    this.#credentials = () => (credentials ??= environmentCredentials());
    this.#maxAttempts = Math.max(1, config.maxAttempts ?? 3);
    this.#connectionTimeout = config.requestHandler?.connectionTimeout ?? 0;
    this.#requestTimeout = config.requestHandler?.requestTimeout ?? 0;
  }

  /** One operation: its output object, or an AwsServiceError / TimeoutError / AbortError / network error. */
  async call(operation: string, input: unknown, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const body = JSON.stringify(input);
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw abortError();
      try {
        const out = await this.#attempt(operation, body, signal);
        return { ...out, $metadata: { httpStatusCode: 200, attempts: attempt } };
      } catch (error) {
        const kind = retryKind(error);
        if (kind === undefined || attempt >= this.#maxAttempts || signal?.aborted) throw error;
        const base = kind === 'throttling' ? 500 : 100;
        await sleep(Math.random() * Math.min(base * 2 ** (attempt - 1), 20_000), signal);
      }
    }
  }

  /**
   * Gets the client ready for its first call: opens `count` connections (an unsigned `GET /`
   * each, its answer read and ignored; DynamoDB answers it `healthy: dynamodb.<region>.amazonaws.com`)
   * and leaves them in the keep-alive pool, so that a later call finds a connected
   * (TLS-negotiated) socket; and signs one request that is never sent, so that the day's SigV4
   * signing key is derived (sigv4.ts keeps it) and the signing code has run once. The viewer
   * does this at init, at full CPU, instead of on its first request. Resolves when every
   * connection has answered, failed or timed out; never rejects.
   */
  preconnect(count: number): Promise<void> {
    this.#presign();
    const opened: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      opened.push(
        new Promise<void>((resolve) => {
          const req = this.#request({ hostname: this.#url.hostname, port: this.#url.port, path: '/', method: 'GET', agent: this.#agent, timeout: this.#connectionTimeout || 1000 });
          req.once('response', (res) => {
            res.once('end', resolve);
            res.once('error', () => resolve());
            res.resume();
          });
          req.once('timeout', () => req.destroy());
          req.once('error', () => resolve());
          req.once('close', resolve);
          req.end();
        }),
      );
    }
    return Promise.all(opened).then(() => undefined);
  }

  /** Signs a request that is never sent (see preconnect). Without credentials yet, nothing: the first call reports that. */
  #presign(): void {
    try {
      signPost({
        host: this.#url.host,
        region: this.config.region,
        service: this.protocol.service,
        headers: { 'content-type': this.protocol.contentType, 'x-amz-target': `${this.protocol.targetPrefix}.Prepare` },
        body: '{}',
        credentials: this.#credentials(),
        now: Date.now(),
      });
    } catch {
      // no credentials in the environment
    }
  }

  destroy(): void {
    this.#agent.destroy();
  }

  #attempt(operation: string, body: string, signal: AbortSignal | undefined): Promise<Record<string, unknown>> {
    const headers = signPost({
      host: this.#url.host,
      region: this.config.region,
      service: this.protocol.service,
      headers: { 'content-type': this.protocol.contentType, 'x-amz-target': `${this.protocol.targetPrefix}.${operation}` },
      body,
      credentials: this.#credentials(),
      now: Date.now(),
    });
    headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      const done = () => {
        for (const t of timers) clearTimeout(t);
        signal?.removeEventListener('abort', onAbort);
      };
      const req = this.#request({ hostname: this.#url.hostname, port: this.#url.port, path: '/', method: 'POST', headers, agent: this.#agent });
      const fail = (error: Error) => {
        done();
        req.destroy();
        reject(error);
      };
      const onAbort = () => fail(abortError());
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.#requestTimeout > 0) timers.push(setTimeout(() => fail(timeoutError(`Request did not complete within ${this.#requestTimeout} ms`)), this.#requestTimeout));
      if (this.#connectionTimeout > 0) {
        req.once('socket', (socket) => {
          if (!socket.connecting) return; // a kept-alive connection
          const t = setTimeout(() => fail(timeoutError(`Socket timed out without establishing a connection within ${this.#connectionTimeout} ms`)), this.#connectionTimeout);
          timers.push(t);
          socket.once('connect', () => clearTimeout(t));
        });
      }
      req.once('error', (error) => fail(error));
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('error', (error) => fail(error));
        res.once('end', () => {
          done();
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          let doc: Record<string, unknown> = {};
          try {
            if (text !== '') doc = JSON.parse(text) as Record<string, unknown>;
          } catch {
            if (status < 300) return reject(new AwsServiceError('SerializationException', `${operation}: the response is not JSON`, status));
          }
          if (status >= 200 && status < 300) return resolve(doc);
          const type = String(doc.__type ?? res.headers['x-amzn-errortype'] ?? `Http${status}Error`);
          const name = type.slice(type.lastIndexOf('#') + 1).split(':')[0]!;
          const message = String(doc.message ?? doc.Message ?? name);
          reject(new AwsServiceError(name, message, status, doc, res.headers['x-amzn-requestid'] as string | undefined));
        });
      });
      req.end(body);
    });
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
