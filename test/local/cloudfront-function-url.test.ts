/** Function URL payload 2.0 event / result mapping (local/emulators/cloudfront/function-url.ts). */
import {
  applyFunctionUrlResult,
  buildFunctionUrlEvent,
  formatRequestTime,
  isTextContentType,
  parseQueryString,
} from '../../local/emulators/cloudfront/function-url';

const domainName = 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws';

describe('buildFunctionUrlEvent', () => {
  it('maps a forwarded request to payload format 2.0', () => {
    const now = new Date(Date.UTC(2020, 2, 12, 19, 3, 58));
    const e = buildFunctionUrlEvent(
      {
        method: 'POST',
        uri: '/auth/callback',
        querystring: 'a=1&a=2&b=%20x',
        headers: {
          host: [{ key: 'Host', value: 'viewer.example' }],
          cookie: [{ key: 'Cookie', value: 'x=1; y=2' }, { key: 'Cookie', value: 'z=3' }],
          'content-type': [{ key: 'Content-Type', value: 'application/json; charset=utf-8' }],
          'user-agent': [{ key: 'User-Agent', value: 'ua' }],
          accept: [{ key: 'Accept', value: 'a' }, { key: 'Accept', value: 'b' }],
        },
        body: Buffer.from('{"k":1}'),
      },
      { domainName, sourceIp: '198.51.100.7', now, requestId: 'req-1' },
    );
    expect(e).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/auth/callback',
      rawQueryString: 'a=1&a=2&b=%20x',
      cookies: ['x=1', 'y=2', 'z=3'],
      queryStringParameters: { a: '1,2', b: ' x' },
      body: '{"k":1}',
      isBase64Encoded: false,
      requestContext: {
        accountId: 'anonymous',
        apiId: 'abcdefghijklmnopqrstuvwxyz012345',
        domainName,
        domainPrefix: 'abcdefghijklmnopqrstuvwxyz012345',
        http: { method: 'POST', path: '/auth/callback', protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'ua' },
        requestId: 'req-1',
        routeKey: '$default',
        stage: '$default',
        time: '12/Mar/2020:19:03:58 +0000',
        timeEpoch: now.getTime(),
      },
    });
    expect(e.headers).toMatchObject({ host: domainName, accept: 'a,b', 'x-forwarded-proto': 'https', 'x-forwarded-port': '443' });
    expect(e.headers['cookie']).toBeUndefined();
  });

  it('omits cookies, queryStringParameters and body when there are none', () => {
    const e = buildFunctionUrlEvent({ method: 'GET', uri: '/', querystring: '', headers: {} }, { domainName, sourceIp: '127.0.0.1' });
    expect(e.cookies).toBeUndefined();
    expect(e.queryStringParameters).toBeUndefined();
    expect(e.body).toBeUndefined();
    expect(e.isBase64Encoded).toBe(false);
  });
});

describe('applyFunctionUrlResult', () => {
  it('applies statusCode, headers, cookies and body', () => {
    const r = applyFunctionUrlResult({ statusCode: 201, headers: { 'X-A': 'b', 'X-N': 5 }, cookies: ['c=1', 'd=2'], body: 'hi' });
    expect(r.statusCode).toBe(201);
    expect(r.headers).toEqual([['x-a', 'b'], ['x-n', '5'], ['set-cookie', 'c=1'], ['set-cookie', 'd=2']]);
    expect(r.body.toString()).toBe('hi');
  });

  it('decodes a base64 body', () => {
    expect(applyFunctionUrlResult({ statusCode: 200, body: Buffer.from([0, 255]).toString('base64'), isBase64Encoded: true }).body).toEqual(Buffer.from([0, 255]));
  });

  it('treats a result without statusCode as a JSON body with 200 application/json', () => {
    expect(applyFunctionUrlResult('Hello, world!')).toEqual({ statusCode: 200, headers: [['content-type', 'application/json']], body: Buffer.from('"Hello, world!"') });
    expect(applyFunctionUrlResult({ message: 'hi' }).body.toString()).toBe('{"message":"hi"}');
    expect(applyFunctionUrlResult({ body: 'not used as body' }).body.toString()).toBe('{"body":"not used as body"}');
  });

  it('answers 502 for an unusable structured result', () => {
    expect(applyFunctionUrlResult({ statusCode: 'x' }).statusCode).toBe(502);
    expect(applyFunctionUrlResult({ statusCode: 200, body: 5 }).statusCode).toBe(502);
    expect(applyFunctionUrlResult({ statusCode: 200, cookies: 'a=1' }).statusCode).toBe(502);
  });
});

describe('helpers', () => {
  it('isTextContentType', () => {
    expect(isTextContentType('text/html; charset=utf-8')).toBe(true);
    expect(isTextContentType('application/json')).toBe(true);
    expect(isTextContentType('application/x-www-form-urlencoded')).toBe(false);
    expect(isTextContentType(undefined)).toBe(false);
  });
  it('parseQueryString', () => {
    expect(parseQueryString('')).toBeUndefined();
    expect(parseQueryString('a&b=&c=%ZZ&a=2')).toEqual({ a: ',2', b: '', c: '%ZZ' });
  });
  it('formatRequestTime', () => {
    expect(formatRequestTime(new Date(Date.UTC(2021, 8, 7, 22, 50, 22)))).toBe('07/Sep/2021:22:50:22 +0000');
  });
});
