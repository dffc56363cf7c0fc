/**
 * Loopback stand-ins for the endpoints a cold viewer function calls, answering after a fixed
 * delay so that the cold-start figures are our work, not a network's: Secrets Manager
 * (`GetSecretValue`, AWS JSON 1.1), DynamoDB (AWS JSON 1.0: `GetItem` and `UpdateItem`
 * answer with the seeded item, as a session touch that was written; `PutItem` and
 * `TransactWriteItems` succeed), and the JWKS a Cognito user pool publishes (for
 * cognito-at-edge). Like the services, a POST without an `Authorization` header is refused
 * (400 `MissingAuthenticationTokenException`). Not a replica: it checks no condition and
 * applies no update (local/emulators/secrets-manager.ts and DynamoDB Local are the replicas).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsStubs {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  /** Requests answered, by `X-Amz-Target` (or `GET <path>`). */
  readonly calls: Map<string, number>;
  close(): Promise<void>;
}

export interface AwsStubsOptions {
  readonly delayMs: number;
  /** Secret id → SecretString. */
  readonly secrets: Readonly<Record<string, string>>;
  /** `pk` (the S value) → item in DynamoDB's JSON form. */
  readonly items: Readonly<Record<string, Record<string, unknown>>>;
  /** Path → JSON document, for GETs (the JWKS). */
  readonly documents: Readonly<Record<string, unknown>>;
}

function answer(res: ServerResponse, status: number, contentType: string, doc: unknown): void {
  const body = JSON.stringify(doc);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': 'stub' });
  res.end(body);
}

function handle(options: AwsStubsOptions, req: IncomingMessage, body: string, res: ServerResponse): void {
  if (req.method === 'GET') {
    const doc = options.documents[req.url ?? ''];
    return doc === undefined ? answer(res, 404, 'application/json', { message: 'not found' }) : answer(res, 200, 'application/json', doc);
  }
  const target = String(req.headers['x-amz-target'] ?? '');
  const json = String(req.headers['content-type'] ?? 'application/x-amz-json-1.0');
  if (req.headers.authorization === undefined) return answer(res, 400, json, { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  const input = JSON.parse(body) as Record<string, any>;
  if (target === 'secretsmanager.GetSecretValue') {
    const value = options.secrets[input.SecretId];
    if (value === undefined) return answer(res, 400, json, { __type: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret." });
    return answer(res, 200, json, { ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${input.SecretId}-AbCdEf`, Name: input.SecretId, SecretString: value, VersionId: 'v1', VersionStages: ['AWSCURRENT'], CreatedDate: 1.7e9 });
  }
  const item = options.items[input.Key?.pk?.S ?? ''];
  switch (target) {
    case 'DynamoDB_20120810.GetItem':
      return answer(res, 200, json, item !== undefined ? { Item: item } : {});
    case 'DynamoDB_20120810.UpdateItem':
      return answer(res, 200, json, item !== undefined && input.ReturnValues !== undefined ? { Attributes: item } : {});
    case 'DynamoDB_20120810.PutItem':
    case 'DynamoDB_20120810.TransactWriteItems':
      return answer(res, 200, json, {});
    default:
      return answer(res, 400, json, { __type: 'UnknownOperationException', message: target });
  }
}

export async function startAwsStubs(options: AwsStubsOptions): Promise<AwsStubs> {
  const calls = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = req.method === 'GET' ? `GET ${req.url}` : String(req.headers['x-amz-target']);
      calls.set(key, (calls.get(key) ?? 0) + 1);
      setTimeout(() => handle(options, req, Buffer.concat(chunks).toString('utf8'), res), options.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
