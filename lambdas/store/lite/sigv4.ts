/**
 * AWS Signature Version 4 for the small JSON-protocol requests the viewer-request function
 * makes (POST `/`, no query string, a JSON body): node:crypto only, so the viewer bundle
 * carries no SDK (AWS's own signer, @smithy/signature-v4, bundles to ~140 KB minified, 47 KB
 * gzipped, with @smithy/core; this is under 1 KB). The algorithm is AWS's:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * test/store/lite/sigv4.test.ts checks it against @smithy/signature-v4 on the same requests.
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Temporary credentials (Lambda's execution role): sent and signed as `x-amz-security-token`. */
  readonly sessionToken?: string;
}

export interface SignedRequestInput {
  readonly host: string;
  readonly region: string;
  readonly service: string;
  /** Header names in lower case; `host`, `x-amz-date` and `x-amz-security-token` are added. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly credentials: SigningCredentials;
  /** Epoch milliseconds. */
  readonly now: number;
}

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * The signing key changes once a day per secret, region and service: derived once (four
 * HMACs), then reused. One per service and region (the viewer signs for Secrets Manager and
 * DynamoDB, whose keys would otherwise evict each other at every key-set refresh); a handful
 * at most, so the map is simply emptied when a new day's keys outgrow it.
 */
const signingKeys = new Map<string, Buffer>();
const MAX_SIGNING_KEYS = 8;
function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${secret}\n${date}\n${region}\n${service}`;
  let key = signingKeys.get(id);
  if (key === undefined) {
    if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
    signingKeys.set(id, key);
  }
  return key;
}

/** `20150830T123600Z` */
export function amzDate(now: number): string {
  return new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** The request's headers with `authorization`, `x-amz-date` (and the session token) added: a signed POST `/`. */
export function signPost(input: SignedRequestInput): Record<string, string> {
  const date = amzDate(input.now);
  const day = date.slice(0, 8);
  const headers: Record<string, string> = { ...input.headers, host: input.host, 'x-amz-date': date };
  if (input.credentials.sessionToken !== undefined) headers['x-amz-security-token'] = input.credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = `POST\n/\n\n${canonicalHeaders}\n${signedHeaders}\n${sha256Hex(input.body)}`;
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', signingKey(input.credentials.secretAccessKey, day, input.region, input.service)).update(stringToSign, 'utf8').digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
