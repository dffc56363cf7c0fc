/**
 * The local CloudFront emulator against a real HTTP origin on loopback, with small inline
 * viewer-request and callback handlers.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFrontRequest, CloudFrontRequestEvent, LambdaFunctionURLEvent } from 'aws-lambda';
import { startCloudFront, type CloudFrontEmulator, type CloudFrontEmulatorOptions } from '../../local/emulators/cloudfront/server';

interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  headers: http.IncomingHttpHeaders;
  body: string;
}
interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

/** A raw HTTP client: exact request-target, repeated headers as separate lines. */
function send(base: string, path: string, init: { method?: string; headers?: Record<string, string | string[]>; body?: string } = {}): Promise<Reply> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname: u.hostname, port: u.port, path, method: init.method ?? 'GET', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body }));
    });
    for (const [k, v] of Object.entries(init.headers ?? {})) req.setHeader(k, v);
    req.on('error', reject);
    req.end(init.body);
  });
}

const passThrough = async (event: CloudFrontRequestEvent) => event.Records[0]!.cf.request;

describe('local CloudFront emulator', () => {
  let origin: http.Server;
  let originUrl: string;
  const originSeen: Seen[] = [];
  let cf: CloudFrontEmulator;
  let viewer: CloudFrontEmulatorOptions['viewerRequest'];
  let callback: CloudFrontEmulatorOptions['callback'];
  const logs: Record<string, unknown>[] = [];
  const events: CloudFrontRequestEvent[] = [];

  beforeAll(async () => {
    origin = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        originSeen.push({ method: req.method!, url: req.url!, rawHeaders: req.rawHeaders, headers: req.headers, body });
        res.writeHead(201, ['Content-Type', 'text/plain', 'Set-Cookie', 'o1=1; Path=/', 'Set-Cookie', 'o2=2; Path=/']);
        res.end(`origin saw ${req.method} ${req.url}`);
      });
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
    cf = await startCloudFront({
      port: 0,
      originUrl,
      viewerRequest: (e) => {
        events.push(structuredClone(e));
        return viewer(e);
      },
      callback: (e) => callback(e),
      onLog: (l) => logs.push(l),
    });
  });
  afterAll(async () => {
    await cf.close();
    await new Promise((r) => origin.close(r));
  });
  beforeEach(() => {
    viewer = passThrough;
    callback = async () => ({ statusCode: 500 });
    originSeen.length = 0;
    logs.length = 0;
    events.length = 0;
  });

  it('builds the documented viewer-request event: raw uri and querystring, header arrays, clientIp', async () => {
    await send(cf.url, '/a%20b/c%2Fd?x=1&y=%2F&x=2&sp=a+b', {
      headers: { 'X-Rep': ['one', 'two'], 'X-Mixed-Case': 'v', 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '192.0.2.4' },
    });
    expect(events).toHaveLength(1);
    const { config, request } = events[0]!.Records[0]!.cf;
    expect(config).toEqual({ distributionDomainName: `127.0.0.1:${cf.port}`, distributionId: 'EDEVLOCAL', eventType: 'viewer-request', requestId: expect.stringMatching(/^[A-Za-z0-9_-]{54}==$/) });
    expect(request.clientIp).toBe('127.0.0.1');
    expect(request.method).toBe('GET');
    expect(request.uri).toBe('/a%20b/c%2Fd');
    expect(request.querystring).toBe('x=1&y=%2F&x=2&sp=a+b');
    expect(request.headers['host']).toEqual([{ key: 'Host', value: `127.0.0.1:${cf.port}` }]);
    expect(request.headers['x-rep']).toEqual([{ key: 'X-Rep', value: 'one' }, { key: 'X-Rep', value: 'two' }]);
    expect(request.headers['x-mixed-case']).toEqual([{ key: 'X-Mixed-Case', value: 'v' }]);
    expect(request.headers['x-forwarded-for']).toEqual([{ key: 'X-Forwarded-For', value: '192.0.2.4' }]);
    // disallowed headers are not exposed to the function
    expect(request.headers['connection']).toBeUndefined();
    expect(request.headers['x-forwarded-proto']).toBeUndefined();
    expect(request.body).toBeUndefined();
    expect(Object.keys(request).sort()).toEqual(['clientIp', 'headers', 'method', 'querystring', 'uri']);
  });

  it('passes a request through to the origin with CloudFront headers and streams the response back', async () => {
    viewer = async (e) => {
      const r = e.Records[0]!.cf.request;
      r.headers['x-user'] = [{ key: 'X-User', value: 'alice' }];
      r.uri = '/rewritten';
      return r;
    };
    const res = await send(cf.url, '/orig?q=%20z', { method: 'POST', headers: { 'Content-Type': 'text/plain', 'X-Forwarded-For': '192.0.2.4' }, body: 'payload' });
    expect(res.status).toBe(201);
    expect(res.body).toBe('origin saw POST /rewritten?q=%20z');
    expect(res.headers['set-cookie']).toEqual(['o1=1; Path=/', 'o2=2; Path=/']);
    expect(res.headers['x-cache']).toBe('Miss from cloudfront');
    const requestId = events[0]!.Records[0]!.cf.config.requestId;
    expect(res.headers['x-amz-cf-id']).toBe(requestId);

    expect(originSeen).toHaveLength(1);
    const seen = originSeen[0]!;
    expect(seen.method).toBe('POST');
    expect(seen.body).toBe('payload');
    expect(seen.headers['x-user']).toBe('alice');
    expect(seen.headers['x-forwarded-for']).toBe('192.0.2.4,127.0.0.1');
    expect(seen.headers['via']).toMatch(/^1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$/);
    expect(seen.headers['x-amz-cf-id']).toBe(requestId);
    expect(seen.headers['host']).toBe(`127.0.0.1:${cf.port}`);
    expect(logs[0]).toMatchObject({ 'sc-status': 201, 'x-edge-result-type': 'Miss', origin: 'http' });
  });

  it('sends a generated response with two Set-Cookie headers and does not call the origin', async () => {
    viewer = async () => ({
      status: '302',
      statusDescription: 'Found',
      headers: {
        location: [{ key: 'Location', value: 'https://idp.example/authorize' }],
        'set-cookie': [{ key: 'Set-Cookie', value: 'a=1; Secure; HttpOnly' }, { key: 'Set-Cookie', value: 'b=2; Secure; HttpOnly' }],
        'cache-control': [{ value: 'no-store' }], // key is optional: CloudFront inserts "Cache-Control"
      },
    });
    const res = await send(cf.url, '/private');
    expect(res.status).toBe(302);
    expect(res.headers['location']).toBe('https://idp.example/authorize');
    expect(res.headers['set-cookie']).toEqual(['a=1; Secure; HttpOnly', 'b=2; Secure; HttpOnly']);
    expect(res.rawHeaders).toContain('Cache-Control');
    expect(res.headers['x-cache']).toBe('LambdaGeneratedResponse from cloudfront');
    expect(originSeen).toHaveLength(0);
  });

  it('decodes a base64 generated body', async () => {
    viewer = async () => ({ status: '200', bodyEncoding: 'base64', body: Buffer.from('hello').toString('base64') });
    const res = await send(cf.url, '/');
    expect(res.body).toBe('hello');
  });

  it('answers 502 LambdaValidationError for a generated response over 40 KB', async () => {
    viewer = async () => ({ status: '200', body: 'x'.repeat(41 * 1024) });
    const res = await send(cf.url, '/');
    expect(res.status).toBe(502);
    expect(res.headers['x-cache']).toBe('LambdaValidationError from cloudfront');
    expect(res.body).toContain('The Lambda function result failed validation');
    expect(logs[0]).toMatchObject({ 'x-edge-result-type': 'LambdaValidationError', detail: [expect.stringContaining('response-size')] });
  });

  it('answers 502 when the function changes the read-only Host header', async () => {
    viewer = async (e) => {
      const r = e.Records[0]!.cf.request;
      r.headers['host'] = [{ key: 'Host', value: 'evil.example' }];
      return r;
    };
    const res = await send(cf.url, '/');
    expect(res.status).toBe(502);
    expect(res.body).toContain('read-only header: host');
    expect(originSeen).toHaveLength(0);
  });

  it.each([
    ['x-forwarded-proto', 'X-Forwarded-Proto', 'https'],
    ['connection', 'Connection', 'close'],
  ])('answers 502 when the function adds the disallowed header %s', async (name, key, value) => {
    viewer = async (e) => {
      const r = e.Records[0]!.cf.request;
      r.headers[name] = [{ key, value }];
      return r;
    };
    const res = await send(cf.url, '/');
    expect(res.status).toBe(502);
    expect(res.body).toContain('disallowed header');
    expect(originSeen).toHaveLength(0);
  });

  it('answers 502 when the function returns nothing', async () => {
    viewer = async () => null;
    expect((await send(cf.url, '/')).status).toBe(502);
  });

  it.each([
    ['throws', () => { throw new Error('boom'); }],
    ['rejects', async () => { throw new Error('boom'); }],
  ])('answers 503 LambdaExecutionError when the function %s', async (_label, fn) => {
    viewer = fn as CloudFrontEmulatorOptions['viewerRequest'];
    const res = await send(cf.url, '/');
    expect(res.status).toBe(503);
    expect(res.headers['x-cache']).toBe('LambdaExecutionError from cloudfront');
    expect(logs[0]).toMatchObject({ 'x-edge-result-type': 'LambdaExecutionError', error: expect.stringContaining('boom') });
  });

  it('routes the callback path to the function URL with a payload 2.0 event and applies its result', async () => {
    let seen: LambdaFunctionURLEvent | undefined;
    callback = async (e) => {
      seen = e;
      return { statusCode: 302, headers: { Location: '/after' }, cookies: ['s=1; Path=/; Secure', 'n=; Max-Age=0'], body: '' };
    };
    const res = await send(cf.url, '/auth/callback?code=abc&state=x%2By&state=2', {
      headers: { Cookie: 'a=1; b=2', 'User-Agent': 'jest-agent', 'X-Rep': ['1', '2'] },
    });
    expect(res.status).toBe(302);
    expect(res.headers['location']).toBe('/after');
    expect(res.headers['set-cookie']).toEqual(['s=1; Path=/; Secure', 'n=; Max-Age=0']);
    expect(originSeen).toHaveLength(0);

    const e = seen!;
    expect(e.version).toBe('2.0');
    expect(e.routeKey).toBe('$default');
    expect(e.rawPath).toBe('/auth/callback');
    expect(e.rawQueryString).toBe('code=abc&state=x%2By&state=2');
    expect(e.queryStringParameters).toEqual({ code: 'abc', state: 'x+y,2' });
    expect(e.cookies).toEqual(['a=1', 'b=2']);
    expect(e.headers['cookie']).toBeUndefined();
    expect(e.headers['host']).toMatch(/^[a-z0-9]{32}\.lambda-url\.us-east-1\.on\.aws$/); // not the viewer Host
    expect(e.headers['x-rep']).toBe('1,2');
    expect(e.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(e.headers['via']).toContain('cloudfront.net (CloudFront)');
    expect(e.headers['x-amz-cf-id']).toBe(events[0]!.Records[0]!.cf.config.requestId);
    expect(e.requestContext.domainName).toBe(e.headers['host']);
    expect(e.requestContext.http).toEqual({ method: 'GET', path: '/auth/callback', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest-agent' });
    expect(typeof e.requestContext.timeEpoch).toBe('number');
    expect(e.isBase64Encoded).toBe(false);
    expect(e.body).toBeUndefined();
  });

  it('picks the origin from the viewer path, before the function: a rewritten uri stays on the default origin', async () => {
    // CloudFront selects the cache behaviour from the viewer's path; a function that rewrites
    // "/somewhere" to "/auth/callback" sends that path to the SITE origin, not the callback.
    viewer = async (e) => ({ ...(e.Records[0]!.cf.request as CloudFrontRequest), uri: '/auth/callback' });
    let called = false;
    callback = async () => ((called = true), 'ok');
    const res = await send(cf.url, '/somewhere');
    expect(called).toBe(false);
    expect(res.body).toBe('origin saw GET /auth/callback');
  });

  it('passes a form POST body to the function URL base64-encoded', async () => {
    let seen: LambdaFunctionURLEvent | undefined;
    callback = async (e) => ((seen = e), 'ok');
    const hash = createHash('sha256').update('code=abc&state=s').digest('hex');
    const res = await send(cf.url, '/auth/callback', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'x-amz-content-sha256': hash }, body: 'code=abc&state=s' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toBe('"ok"');
    expect(seen!.isBase64Encoded).toBe(true);
    expect(Buffer.from(seen!.body!, 'base64').toString()).toBe('code=abc&state=s');
  });

  it('OAC: a POST to a function URL origin without the body\'s SHA-256 in x-amz-content-sha256 fails the signature (403), the function never runs', async () => {
    let called = false;
    callback = async () => ((called = true), 'ok');
    for (const headers of [{}, { 'x-amz-content-sha256': createHash('sha256').update('other').digest('hex') }]) {
      const res = await send(cf.url, '/auth/callback', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: 'code=abc&state=s' });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body).message).toMatch(/^The request signature we calculated does not match/);
    }
    expect(called).toBe(false);
  });

  it('answers 502 when the callback function throws', async () => {
    callback = async () => {
      throw new Error('callback failed');
    };
    const res = await send(cf.url, '/auth/callback?code=1');
    expect(res.status).toBe(502);
    expect(res.headers['x-cache']).toBe('Error from cloudfront');
  });
});

describe('local CloudFront emulator: timeouts and origin failures', () => {
  it('closes an idle origin connection before the origin does (no reuse as the origin closes it: a stray 502)', async () => {
    // The origin announces `Keep-Alive: timeout=3`; the emulator must close its idle socket
    // first (Node's agent: 1 s before the hint), so a request 2.5 s later opens a new
    // connection instead of reusing one the origin is about to close.
    let connections = 0;
    const origin = http.createServer({ keepAliveTimeout: 3000 }, (_req, res) => res.end('ok'));
    origin.on('connection', () => connections++);
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', () => r()));
    const cf = await startCloudFront({
      originUrl: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`,
      viewerRequest: async (event: CloudFrontRequestEvent) => event.Records[0]!.cf.request,
      callback: async () => 'unused',
    });
    try {
      expect((await send(cf.url, '/a')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 2500));
      expect((await send(cf.url, '/b')).status).toBe(200);
      expect(connections).toBe(2);
    } finally {
      await cf.close();
      origin.closeAllConnections();
      await new Promise((r) => origin.close(r));
    }
  });

  it('answers 503 LambdaLimitExceeded when the function runs past the viewer timeout', async () => {
    const logs: Record<string, unknown>[] = [];
    let slow: NodeJS.Timeout | undefined;
    const cf = await startCloudFront({
      originUrl: 'http://127.0.0.1:9',
      viewerTimeoutMs: 200,
      viewerRequest: () => new Promise((r) => (slow = setTimeout(() => r({ status: '200' }), 1500))),
      callback: async () => 'unused',
      onLog: (l) => logs.push(l),
    });
    try {
      const t0 = Date.now();
      const res = await send(cf.url, '/');
      expect(res.status).toBe(503);
      expect(res.headers['x-cache']).toBe('LambdaLimitExceeded from cloudfront');
      expect(Date.now() - t0).toBeLessThan(1200);
      expect(logs[0]).toMatchObject({ 'x-edge-result-type': 'LambdaLimitExceeded' });
    } finally {
      clearTimeout(slow);
      await cf.close();
    }
  });

  it('answers 502 when the origin is unreachable', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const cf = await startCloudFront({ originUrl: `http://127.0.0.1:${port}`, viewerRequest: passThrough, callback: async () => 'unused' });
    try {
      const res = await send(cf.url, '/');
      expect(res.status).toBe(502);
      expect(res.body).toContain("wasn't able to connect to the origin");
    } finally {
      await cf.close();
    }
  });
});
