/**
 * A local Secrets Manager: a node:http server that speaks the AWS JSON 1.1 protocol
 * (POST /, `X-Amz-Target: secretsmanager.<Op>`, `application/x-amz-json-1.1`) well enough
 * for the real `@aws-sdk/client-secrets-manager` client pointed at it via `endpoint`.
 * Stands in for AWS Secrets Manager (API reference:
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/Welcome.html).
 *
 * Signatures are not verified, but a request without an `Authorization` header is refused
 * (as AWS does), so a test through the SDK proves the client signs its requests.
 * Nothing here logs: secret values must never reach a log.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { listenOnLoopback, closeServer } from '../stack/loopback';
import { readText } from './read-body';

export interface SecretsManagerOptions {
  port?: number;
  /** Secrets to create at start, name → SecretString. */
  secrets?: Record<string, string>;
}

export interface SecretsManagerHandle {
  /** `http://127.0.0.1:PORT`, for the SDK client's `endpoint`. */
  endpoint: string;
  /** Create the secret, or add a new AWSCURRENT version to it. */
  put(name: string, value: string): void;
  close(): Promise<void>;
}

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const MAX_BODY = 1024 * 1024;
const JSON_11 = 'application/x-amz-json-1.1';

interface Version {
  id: string;
  value: string | undefined;
  stages: string[];
  created: number; // epoch seconds: the protocol's timestamp format
}

interface Secret {
  arn: string;
  name: string;
  description?: string | undefined;
  created: number;
  changed: number;
  versions: Version[];
}

/** An error the way the service sends it: HTTP status + `__type` + message. */
class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const notFound = () => new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const now = () => Date.now() / 1000;

function stagesOf(secret: Secret): Record<string, string[]> {
  return Object.fromEntries(secret.versions.filter((v) => v.stages.length).map((v) => [v.id, [...v.stages]]));
}

/** The store and the operations, separate from HTTP. */
class SecretStore {
  private readonly secrets = new Map<string, Secret>();

  create(name: string, value: string | undefined, versionId: string = randomUUID(), description?: string): Secret {
    if (this.secrets.has(name)) {
      throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    }
    // Real ARNs end in '-' + 6 random characters, so a name alone never equals an ARN.
    const suffix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6);
    const t = now();
    const secret: Secret = {
      arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${suffix}`,
      name,
      description,
      created: t,
      changed: t,
      versions: value === undefined ? [] : [{ id: versionId, value, stages: ['AWSCURRENT'], created: t }],
    };
    this.secrets.set(name, secret);
    return secret;
  }

  /** By name, by full ARN, or by partial ARN (without the random suffix), as the service accepts. */
  find(id: unknown): Secret {
    if (typeof id !== 'string' || !id) {
      throw new AwsError('InvalidParameterException', 'You must provide a value for the SecretId parameter.');
    }
    const byName = this.secrets.get(id);
    if (byName) return byName;
    const m = /^arn:aws:secretsmanager:[^:]+:[^:]+:secret:(.+)$/.exec(id);
    if (m) {
      for (const s of this.secrets.values()) if (s.arn === id || s.name === m[1]) return s;
    }
    throw notFound();
  }

  putValue(secret: Secret, value: string, versionId: string = randomUUID()): Version {
    const existing = secret.versions.find((v) => v.id === versionId);
    if (existing) return existing; // ClientRequestToken is an idempotency token
    for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
    for (const v of secret.versions) {
      if (v.stages.includes('AWSCURRENT')) v.stages = [...v.stages.filter((s) => s !== 'AWSCURRENT'), 'AWSPREVIOUS'];
    }
    const version: Version = { id: versionId, value, stages: ['AWSCURRENT'], created: now() };
    secret.versions.push(version);
    secret.changed = version.created;
    return version;
  }

  list(): Secret[] {
    return [...this.secrets.values()];
  }
}

type Input = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function operations(store: SecretStore): Record<string, (input: Input) => object> {
  return {
    GetSecretValue(input) {
      const secret = store.find(input.SecretId);
      const versionId = str(input.VersionId);
      const stage = str(input.VersionStage) ?? (versionId ? undefined : 'AWSCURRENT');
      const version = secret.versions.find(
        (v) => (!versionId || v.id === versionId) && (!stage || v.stages.includes(stage)),
      );
      if (!version) {
        throw new AwsError(
          'ResourceNotFoundException',
          `Secrets Manager can't find the specified secret value for ${versionId ? `VersionId: ${versionId}` : `staging label: ${stage}`}`,
        );
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.id,
        SecretString: version.value,
        VersionStages: [...version.stages],
        CreatedDate: version.created,
      };
    },
    PutSecretValue(input) {
      const secret = store.find(input.SecretId);
      const value = str(input.SecretString);
      if (value === undefined) throw new AwsError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
      const v = store.putValue(secret, value, str(input.ClientRequestToken));
      return { ARN: secret.arn, Name: secret.name, VersionId: v.id, VersionStages: [...v.stages] };
    },
    CreateSecret(input) {
      const name = str(input.Name);
      if (!name) throw new AwsError('InvalidParameterException', 'You must provide a value for the Name parameter.');
      const secret = store.create(name, str(input.SecretString), str(input.ClientRequestToken), str(input.Description));
      return { ARN: secret.arn, Name: secret.name, VersionId: secret.versions[0]?.id };
    },
    DescribeSecret(input) {
      const s = store.find(input.SecretId);
      return {
        ARN: s.arn,
        Name: s.name,
        Description: s.description,
        CreatedDate: s.created,
        LastChangedDate: s.changed,
        VersionIdsToStages: stagesOf(s),
      };
    },
    ListSecrets() {
      return {
        SecretList: store.list().map((s) => ({
          ARN: s.arn,
          Name: s.name,
          Description: s.description,
          CreatedDate: s.created,
          LastChangedDate: s.changed,
          SecretVersionsToStages: stagesOf(s),
        })),
      };
    },
  };
}


function send(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_11,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

export async function startSecretsManager(opts: SecretsManagerOptions = {}): Promise<SecretsManagerHandle> {
  const store = new SecretStore();
  for (const [name, value] of Object.entries(opts.secrets ?? {})) store.create(name, value);
  const ops = operations(store);

  const server = createServer((req, res) => {
    void (async () => {
      try {
        const target = String(req.headers['x-amz-target'] ?? '');
        const body = await readText(req, { bytes: MAX_BODY, error: () => new AwsError('ValidationException', 'Request body too large.', 413) });
        if (req.method !== 'POST') throw new AwsError('UnknownOperationException', 'Only POST / is supported.', 404);
        if (!req.headers.authorization) {
          throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
        }
        const name = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : '';
        const op = Object.hasOwn(ops, name) ? ops[name] : undefined;
        if (!op) {
          throw new AwsError('UnknownOperationException', `Unknown operation ${target}`);
        }
        let input: unknown;
        try {
          input = body ? JSON.parse(body) : {};
        } catch {
          throw new AwsError('SerializationException', 'Malformed JSON request body.');
        }
        if (typeof input !== 'object' || input === null || Array.isArray(input)) {
          throw new AwsError('SerializationException', 'The request body must be a JSON object.');
        }
        send(res, 200, op(input as Input));
      } catch (err) {
        if (err instanceof AwsError) send(res, err.status, { __type: err.type, message: err.message });
        else send(res, 500, { __type: 'InternalServiceError', message: 'Internal error.' });
      }
    })();
  });

  const port = await listenOnLoopback(server, opts.port);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    put(name, value) {
      let secret: Secret | undefined;
      try {
        secret = store.find(name);
      } catch {
        store.create(name, value);
        return;
      }
      store.putValue(secret, value);
    },
    close: () => closeServer(server),
  };
}
