/**
 * The part of `@aws-sdk/client-secrets-manager` the secret reader uses (lambdas/store/aws/secrets.ts:
 * `GetSecretValue`), on the small signed-request client (aws-json.ts). Put in place of the
 * SDK package in the viewer-request bundle only (esbuild `alias`, as lite/dynamodb.ts).
 * Protocol: AWS JSON 1.1, `X-Amz-Target: secretsmanager.GetSecretValue`
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html).
 */
import { AwsJsonClient, type AwsJsonClientConfig } from './aws-json';

const PROTOCOL = { service: 'secretsmanager', targetPrefix: 'secretsmanager', contentType: 'application/x-amz-json-1.1', endpointEnv: 'SECRETS_MANAGER' } as const;

export class GetSecretValueCommand {
  static readonly operation = 'GetSecretValue';
  constructor(readonly input: { SecretId: string; VersionId?: string; VersionStage?: string }) {}
}

export class SecretsManagerClient {
  readonly #client: AwsJsonClient;

  constructor(config: AwsJsonClientConfig) {
    this.#client = new AwsJsonClient(PROTOCOL, config);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- stands in for the SDK's typed outputs: callers are typed against the real SDK, this is swapped in at bundling (lib/viewer-aliases.ts)
  send(cmd: GetSecretValueCommand, options: { abortSignal?: AbortSignal } = {}): Promise<any> {
    if (!(cmd instanceof GetSecretValueCommand)) throw new TypeError('SecretsManagerClient (lite): only GetSecretValue');
    return this.#client.call(GetSecretValueCommand.operation, cmd.input, options.abortSignal);
  }

  destroy(): void {
    this.#client.destroy();
  }
}
