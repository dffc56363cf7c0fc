/**
 * A local CloudFront control plane: a node:http server that speaks the CloudFront API
 * (REST-XML, version 2020-05-31) for the real `@aws-sdk/client-cloudfront` pointed at it
 * with `endpoint` (or `AWS_ENDPOINT_URL_CLOUDFRONT`). Stands in for the Amazon CloudFront
 * API (https://docs.aws.amazon.com/cloudfront/latest/APIReference/Welcome.html). In the style of
 * local/emulators/secrets-manager.ts; what it does and where each behaviour comes from is in
 * docs/existing-distribution.md and /tmp/research/cloudfront-api.md (captured from the SDK).
 *
 * Operations (paths and statuses from the service model, botocore
 * `data/cloudfront/2020-05-31/service-2.json`, `operations.*.http`):
 *  - GetDistributionConfig  GET /2020-05-31/distribution/{Id}/config → 200 <DistributionConfig>, ETag
 *  - GetDistribution        GET /2020-05-31/distribution/{Id}        → 200 <Distribution>, ETag (the same version)
 *  - UpdateDistribution     PUT /2020-05-31/distribution/{Id}/config, If-Match → 200 <Distribution>, new ETag
 *
 * Check order on UpdateDistribution [inferred: If-Match before content, which is what
 * clients that retry on PreconditionFailed rely on]: unknown Id → 404 NoSuchDistribution;
 * no If-Match → 400 InvalidIfMatchVersion (the SDK sends none when IfMatch is omitted, and
 * does not object: SDK-verified); If-Match ≠ current ETag → 412 PreconditionFailed; empty
 * body → 400 MissingBody; bad XML / root / namespace → 400 MalformedXML [inferred code];
 * then the config checks of ./cloudfront-api/validate.ts. "The new configuration replaces
 * the existing configuration" (API_UpdateDistribution): nothing is merged.
 *
 * Error bodies: `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message>
 * </Error><RequestId>…</RequestId></ErrorResponse>` and `x-amz-request-id` (CloudFront
 * Developer Guide, "REST Responses"); the SDK picks the exception class from <Code>.
 * Signatures are not verified, but a request without `Authorization` is refused.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CloudFrontApiError, validateDistributionConfig } from './validate';
import { parseDocument, plainOf, toPlain, writeDocument, XMLNS, XmlError, type PlainObject } from './xml';
import { listenOnLoopback, closeServer } from '../../stack/loopback';
import { readText } from '../read-body';

export { CloudFrontApiError } from './validate';
export type { PlainObject } from './xml';

const ACCOUNT = '000000000000';
const MAX_BODY = 1024 * 1024;
const API = '/2020-05-31/distribution';

export interface CloudFrontApiOptions {
  port?: number;
  /** Distributions to create at start: Id → DistributionConfig (SDK-shaped or plain). */
  distributions?: Record<string, object>;
  /** Origin access control ids that exist; an origin naming another one is refused. */
  originAccessControls?: readonly string[];
}

export interface StoredDistribution {
  id: string;
  etag: string;
  /** The config as stored (all leaves strings, `Items` as arrays). A copy. */
  config: PlainObject;
  status: 'InProgress' | 'Deployed';
  updates: number;
}

export interface CloudFrontApiHandle {
  /** `http://127.0.0.1:PORT`, for the SDK client's `endpoint`. */
  endpoint: string;
  /** Creates a distribution (checked like an update); returns its ETag. */
  seed(id: string, config: object): string;
  addOriginAccessControl(id: string): void;
  get(id: string): StoredDistribution;
  /**
   * Another writer: runs `edit` on the stored config and stores it with a new ETag, as a
   * console or Terraform change would. For concurrency tests.
   */
  edit(id: string, edit: (config: PlainObject) => void): void;
  /** Runs `fn` once, when the next UpdateDistribution arrives, before it is looked at. */
  beforeNextUpdate(fn: (id: string) => void): void;
  /** Every request, in order (`GET config`, `PUT config`, ...), with the response status. */
  readonly requests: ReadonlyArray<{ method: string; path: string; status: number }>;
  close(): Promise<void>;
}

interface Entry {
  config: PlainObject;
  etag: string;
  modified: Date;
  status: 'InProgress' | 'Deployed';
  updates: number;
}

/** Real ETags look like E2QWRUHAPOMQZL: "E" and 13 upper-case letters and digits. */
function newEtag(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return `E${[...randomBytes(13)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

const clone = (c: PlainObject): PlainObject => structuredClone(c);


function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': randomUUID(),
    ...headers,
  });
  res.end(body);
}

function errorBody(e: CloudFrontApiError): string {
  const type = e.status >= 500 ? 'Receiver' : 'Sender';
  const esc = (s: string) => s.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);
  return (
    `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type>` +
    `<Code>${esc(e.code)}</Code><Message>${esc(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}

/** The request body as a plain DistributionConfig, or the error the service would send. */
function parseConfigBody(body: string): PlainObject {
  if (body.trim() === '') {
    throw new CloudFrontApiError('MissingBody', 400, 'This operation requires a body. Ensure that the body is present and the Content-Type header is set.');
  }
  try {
    const root = parseDocument(body);
    if (root.name !== 'DistributionConfig') throw new XmlError(`the root element is <${root.name}>, expected <DistributionConfig>`);
    if (root.attrs.xmlns !== XMLNS) throw new XmlError(`the root element's namespace is "${root.attrs.xmlns ?? ''}", expected "${XMLNS}"`);
    const plain = toPlain(root);
    if (typeof plain !== 'object' || Array.isArray(plain)) throw new XmlError('DistributionConfig is empty');
    return plain;
  } catch (e) {
    if (e instanceof XmlError) throw new CloudFrontApiError('MalformedXML', 400, `The XML you provided was not well-formed: ${e.message}`);
    throw e;
  }
}

export async function startCloudFrontApi(opts: CloudFrontApiOptions = {}): Promise<CloudFrontApiHandle> {
  const store = new Map<string, Entry>();
  const oacs = new Set(opts.originAccessControls ?? []);
  const requests: { method: string; path: string; status: number }[] = [];
  let pendingHook: ((id: string) => void) | undefined;

  const find = (id: string): Entry => {
    const entry = store.get(id);
    if (!entry) throw new CloudFrontApiError('NoSuchDistribution', 404, 'The specified distribution does not exist.');
    if (entry.status === 'InProgress') entry.status = 'Deployed'; // deployed by the next look
    return entry;
  };
  const distributionXml = (id: string, e: Entry, status = e.status) =>
    writeDocument('Distribution', {
      Id: id,
      ARN: `arn:aws:cloudfront::${ACCOUNT}:distribution/${id}`,
      Status: status,
      LastModifiedTime: e.modified,
      InProgressInvalidationBatches: 0,
      DomainName: `d${id.toLowerCase().padEnd(13, '0').slice(0, 13)}.cloudfront.net`,
      ActiveTrustedSigners: { Enabled: false, Quantity: 0 },
      ActiveTrustedKeyGroups: { Enabled: false, Quantity: 0 },
      DistributionConfig: e.config,
    });

  const seed = (id: string, config: object): string => {
    if (store.has(id)) throw new Error(`distribution ${id} already exists`);
    const plain = plainOf(config);
    validateDistributionConfig(plain, undefined, oacs);
    const etag = newEtag();
    store.set(id, { config: plain, etag, modified: new Date(), status: 'Deployed', updates: 0 });
    return etag;
  };
  for (const [id, config] of Object.entries(opts.distributions ?? {})) seed(id, config);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const body = await readText(req, { bytes: MAX_BODY, error: () => new CloudFrontApiError('InvalidArgument', 400, 'Request body too large.') });
    if (!req.headers.authorization) throw new CloudFrontApiError('MissingAuthenticationToken', 403, 'Missing Authentication Token');
    const url = new URL(req.url ?? '/', 'http://local');
    const m = new RegExp(`^${API}/([^/]+)(/config)?$`).exec(url.pathname);
    if (!m) throw new CloudFrontApiError('NotFound', 404, `No operation at ${req.method} ${url.pathname}`); // [inferred code]
    const id = decodeURIComponent(m[1]!);
    const isConfig = m[2] !== undefined;
    if (req.method === 'GET') {
      const e = find(id);
      send(res, 200, isConfig ? writeDocument('DistributionConfig', e.config) : distributionXml(id, e), { etag: e.etag });
      return 200;
    }
    if (req.method === 'PUT' && isConfig) {
      const hook = pendingHook;
      pendingHook = undefined;
      hook?.(id);
      const e = find(id);
      const ifMatch = req.headers['if-match'];
      if (ifMatch === undefined || ifMatch === '') {
        throw new CloudFrontApiError('InvalidIfMatchVersion', 400, 'The If-Match version is missing or not valid for the resource.');
      }
      if (ifMatch !== e.etag) {
        throw new CloudFrontApiError('PreconditionFailed', 412, "The request failed because it didn't meet the preconditions in one or more request-header fields.");
      }
      const config = parseConfigBody(body);
      validateDistributionConfig(config, e.config, oacs);
      Object.assign(e, { config, etag: newEtag(), modified: new Date(), status: 'InProgress', updates: e.updates + 1 });
      send(res, 200, distributionXml(id, e, 'InProgress'), { etag: e.etag });
      return 200;
    }
    throw new CloudFrontApiError('NotFound', 404, `No operation at ${req.method} ${url.pathname}`);
  };

  const server = createServer((req, res) => {
    void (async () => {
      let status: number;
      try {
        status = await handle(req, res);
      } catch (err) {
        const e = err instanceof CloudFrontApiError ? err : new CloudFrontApiError('InternalError', 500, 'Internal error.');
        status = e.status;
        send(res, e.status, errorBody(e));
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', status });
    })();
  });

  const port = await listenOnLoopback(server, opts.port);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    seed,
    addOriginAccessControl: (id) => void oacs.add(id),
    get(id) {
      const e = store.get(id);
      if (!e) throw new Error(`no distribution ${id}`);
      return { id, etag: e.etag, config: clone(e.config), status: e.status, updates: e.updates };
    },
    edit(id, edit) {
      const e = store.get(id);
      if (!e) throw new Error(`no distribution ${id}`);
      const config = clone(e.config);
      edit(config);
      validateDistributionConfig(config, e.config, oacs);
      Object.assign(e, { config, etag: newEtag(), modified: new Date(), updates: e.updates + 1 });
    },
    beforeNextUpdate(fn) {
      pendingHook = fn;
    },
    requests,
    close: () => closeServer(server),
  };
}
