/**
 * The viewer's SigV4 signer (lambdas/store/lite/sigv4.ts) against AWS's own,
 * @smithy/signature-v4 (what the SDK clients sign with), on the same requests: the same
 * Authorization header, with and without a session token, across a date change.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { signPost } from '../../../lambdas/store/lite/sigv4';

class Sha256 {
  readonly #h;
  constructor(secret?: string | Uint8Array) {
    this.#h = secret !== undefined ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data: string | Uint8Array) {
    this.#h.update(data);
  }
  async digest() {
    return new Uint8Array(this.#h.digest());
  }
}

const cases = [
  { name: 'DynamoDB GetItem, temporary credentials', service: 'dynamodb', region: 'eu-west-1', target: 'DynamoDB_20120810.GetItem', type: 'application/x-amz-json-1.0', body: '{"TableName":"t","Key":{"pk":{"S":"session#ä"}},"ConsistentRead":true}', token: 'FwoGZXIvYXdzEXAMPLE//token+with/odd=chars', now: Date.UTC(2026, 11, 6, 23, 59, 59, 900) },
  { name: 'Secrets Manager GetSecretValue, long-term keys', service: 'secretsmanager', region: 'us-east-1', target: 'secretsmanager.GetSecretValue', type: 'application/x-amz-json-1.1', body: '{"SecretId":"edge-oauth/session-keys"}', token: undefined, now: Date.UTC(2026, 0, 1, 0, 0, 0) },
];

test.each(cases)('$name: the same signature as @smithy/signature-v4', async (c) => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', ...(c.token !== undefined && { sessionToken: c.token }) };
  const host = `${c.service}.${c.region}.amazonaws.com`;
  const ours = signPost({ host, region: c.region, service: c.service, headers: { 'content-type': c.type, 'x-amz-target': c.target }, body: c.body, credentials, now: c.now });
  const signer = new SignatureV4({ service: c.service, region: c.region, credentials, sha256: Sha256 as never, applyChecksum: false });
  const theirs = await signer.sign(
    { method: 'POST', protocol: 'https:', hostname: host, path: '/', query: {}, headers: { host, 'content-type': c.type, 'x-amz-target': c.target }, body: c.body },
    { signingDate: new Date(c.now) },
  );
  expect(ours['x-amz-date']).toBe(theirs.headers['x-amz-date']);
  expect(ours['x-amz-security-token']).toBe(theirs.headers['x-amz-security-token']);
  expect(ours.authorization).toBe(theirs.headers.authorization);
});

test('a different body, key or day gives a different signature (the signing key is not reused across days)', () => {
  const base = { host: 'dynamodb.us-east-1.amazonaws.com', region: 'us-east-1', service: 'dynamodb', headers: { 'content-type': 'application/x-amz-json-1.0' }, body: '{}', credentials: { accessKeyId: 'A', secretAccessKey: 'S' }, now: Date.UTC(2026, 0, 1, 23, 59, 59) };
  const sig = (input: typeof base) => signPost(input).authorization;
  expect(sig({ ...base, body: '{"a":1}' })).not.toBe(sig(base));
  expect(sig({ ...base, credentials: { accessKeyId: 'A', secretAccessKey: 'T' } })).not.toBe(sig(base));
  const nextDay = signPost({ ...base, now: base.now + 2000 });
  expect(nextDay.authorization).toContain('/20260102/us-east-1/dynamodb/aws4_request');
  expect(sig(base)).toContain('/20260101/us-east-1/dynamodb/aws4_request');
});
