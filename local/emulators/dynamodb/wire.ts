/**
 * DynamoDB's JSON protocol (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html), spoken directly (AWS JSON 1.0, `X-Amz-Target`): the replicator
 * (local/emulators/dynamodb/replicator.ts) reads DynamoDB Streams, for which no SDK client is installed, and
 * copies items as the streams give them (attribute values in their wire form).
 * For DynamoDB Local only: it wants an Authorization header but never checks it.
 */

/** An item or key in the wire form: `{ "pk": { "S": "..." } }`. */
export type JsonItem = Record<string, Record<string, unknown>>;

export class DynamoJsonError extends Error {
  constructor(
    readonly target: string,
    readonly type: string,
    message: string,
  ) {
    super(`${target}: ${type}: ${message}`);
    this.name = 'DynamoJsonError';
  }
}

export async function dynamoJson(endpoint: string, target: string, body: unknown): Promise<unknown> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': target,
      authorization: 'AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  const out = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  if (!res.ok) {
    const type = String(out.__type ?? res.status).split('#').pop()!;
    throw new DynamoJsonError(target, type, String(out.Message ?? out.message ?? ''));
  }
  return out;
}

/** JSON with object keys sorted and set members (SS, NS, BS) sorted: equal items give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value));
}

function canonical(value: unknown, parentKey?: string): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v));
    return parentKey === 'SS' || parentKey === 'NS' || parentKey === 'BS' ? [...items].sort() : items;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = canonical((value as Record<string, unknown>)[k], k);
    return out;
  }
  return value;
}
