/** Lambda@Edge validation rules (local/emulators/cloudfront/validate.ts), as pure functions. */
import type { CloudFrontRequest } from 'aws-lambda';
import {
  isDisallowedHeader,
  isGeneratedResponse,
  titleCaseHeader,
  validateGeneratedResponse,
  validateHeaders,
  validateViewerRequestResult,
} from '../../local/emulators/cloudfront/validate';

const original = (): CloudFrontRequest => ({
  clientIp: '192.0.2.1',
  method: 'GET',
  uri: '/index.html',
  querystring: 'a=1',
  headers: {
    host: [{ key: 'Host', value: 'd111111abcdef8.cloudfront.net' }],
    'user-agent': [{ key: 'User-Agent', value: 'curl/8' }],
  },
});
const rules = (vs: { rule: string }[]) => vs.map((v) => v.rule);

describe('isDisallowedHeader', () => {
  it.each(['Connection', 'expect', 'Keep-Alive', 'Proxy-Authorization', 'Trailer', 'Upgrade', 'X-Accel-Redirect', 'X-Amz-Cf-Id', 'x-amz-cf-anything', 'X-Amzn-RequestId', 'X-Cache', 'X-Edge-Location', 'X-Forwarded-Proto', 'X-Real-IP'])(
    '%s is disallowed',
    (name) => expect(isDisallowedHeader(name)).toBe(true),
  );
  it.each(['Host', 'Cookie', 'X-Forwarded-For', 'X-Amzn-Trace-Id', 'Authorization', 'CloudFront-Viewer-Address'])('%s is allowed', (name) =>
    expect(isDisallowedHeader(name)).toBe(false),
  );
});

describe('validateViewerRequestResult', () => {
  it('accepts the request unchanged, and ordinary edits', () => {
    expect(validateViewerRequestResult(original(), original())).toEqual([]);
    const r = original();
    r.uri = '/other';
    r.querystring = '';
    r.headers['x-user'] = [{ key: 'X-User', value: 'alice' }];
    delete r.headers['user-agent'];
    expect(validateViewerRequestResult(original(), r)).toEqual([]);
  });

  it('rejects changing, deleting or adding a read-only header', () => {
    const changed = original();
    changed.headers['host'] = [{ key: 'Host', value: 'evil.example' }];
    expect(rules(validateViewerRequestResult(original(), changed))).toEqual(['read-only-header']);
    const deleted = original();
    delete deleted.headers['host'];
    expect(rules(validateViewerRequestResult(original(), deleted))).toEqual(['read-only-header']);
    for (const [name, key] of [['via', 'Via'], ['content-length', 'Content-Length'], ['transfer-encoding', 'Transfer-Encoding']]) {
      const added = original();
      added.headers[name!] = [{ key: key!, value: '1' }];
      expect(rules(validateViewerRequestResult(original(), added))).toEqual(['read-only-header']);
    }
  });

  it('rejects added disallowed headers', () => {
    const r = original();
    r.headers['x-forwarded-proto'] = [{ key: 'X-Forwarded-Proto', value: 'https' }];
    r.headers['x-edge-foo'] = [{ key: 'X-Edge-Foo', value: '1' }];
    expect(rules(validateViewerRequestResult(original(), r))).toEqual(['disallowed-header', 'disallowed-header']);
  });

  it('rejects header objects whose keys are not lowercase or do not match `key`', () => {
    const r = original();
    r.headers['X-User'] = [{ key: 'X-User', value: 'a' }];
    r.headers['x-other'] = [{ key: 'X-Different', value: 'b' }];
    expect(rules(validateViewerRequestResult(original(), r))).toEqual(['header-name-case', 'header-key']);
  });

  it('rejects malformed header entries and values', () => {
    const r = original() as unknown as { headers: Record<string, unknown> };
    r.headers['x-a'] = { key: 'X-A', value: '1' };
    r.headers['x-b'] = [{ key: 'X-B', value: 1 }];
    r.headers['x-c'] = [{ key: 'X-C', value: 'a\r\nInjected: 1' }];
    expect(rules(validateViewerRequestResult(original(), r))).toEqual(['headers-shape', 'header-value', 'header-value']);
  });

  it('rejects a bad uri or query string, and changes to read-only fields', () => {
    expect(rules(validateViewerRequestResult(original(), { ...original(), uri: 'no-slash' }))).toEqual(['uri']);
    expect(rules(validateViewerRequestResult(original(), { ...original(), querystring: 'a=1#frag' }))).toEqual(['querystring']);
    expect(rules(validateViewerRequestResult(original(), { ...original(), querystring: 'a=b c' }))).toEqual(['querystring']);
    expect(rules(validateViewerRequestResult(original(), { ...original(), uri: `/${'a'.repeat(8191)}` }))).toEqual(['uri-size']);
    expect(rules(validateViewerRequestResult(original(), { ...original(), method: 'POST' }))).toEqual(['read-only-field']);
    expect(rules(validateViewerRequestResult(original(), { ...original(), clientIp: '10.0.0.1' }))).toEqual(['read-only-field']);
  });

  // Issue #25: as strict as CloudFront, and no stricter where that would hide a defect.
  it('refuses CloudFront-Viewer-Country set by a viewer-request function (disallowed for viewer events)', () => {
    const r = original();
    r.headers['cloudfront-viewer-country'] = [{ key: 'CloudFront-Viewer-Country', value: 'US' }];
    expect(rules(validateViewerRequestResult(original(), r))).toEqual(['disallowed-header']);
    expect(isDisallowedHeader('CloudFront-Viewer-Country')).toBe(true);
  });

  it('applies the query-string rule only to a query string the function changed', () => {
    const viewer = { ...original(), querystring: 'q=a b' };
    expect(validateViewerRequestResult(viewer, { ...viewer })).toEqual([]);
    expect(rules(validateViewerRequestResult(viewer, { ...viewer, querystring: 'q=a b&x=1' }))).toEqual(['querystring']);
  });

  it('rejects a request larger than 20,480 bytes', () => {
    const r = original();
    r.headers['x-big'] = [{ key: 'X-Big', value: 'v'.repeat(20_500) }];
    expect(rules(validateViewerRequestResult(original(), r))).toEqual(['request-size']);
  });

  it('rejects a result that is not an object', () => {
    expect(rules(validateViewerRequestResult(original(), null))).toEqual(['result-shape']);
    expect(rules(validateViewerRequestResult(original(), 'x'))).toEqual(['result-shape']);
  });
});

describe('validateGeneratedResponse', () => {
  it('accepts a minimal response (only status is required) and a full one', () => {
    expect(validateGeneratedResponse({ status: '200' })).toEqual([]);
    // [GEN] "status: 'HTTP status code (string)'": a number is refused (issue #25).
    expect(rules(validateGeneratedResponse({ status: 302 }))).toEqual(['status']);
    expect(
      validateGeneratedResponse({
        status: '200',
        statusDescription: 'OK',
        headers: { 'content-type': [{ key: 'Content-Type', value: 'text/html' }], 'x-no-key': [{ value: '1' }] },
        bodyEncoding: 'text',
        body: '<p>hi</p>',
      }),
    ).toEqual([]);
  });

  it.each([['199'], ['600'], ['abc'], ['20'], [undefined], [200.5]])('rejects status %p', (status) => {
    expect(rules(validateGeneratedResponse({ status }))).toEqual(['status']);
  });

  it('enforces the 40 KB viewer-request size quota', () => {
    expect(validateGeneratedResponse({ status: '200', body: 'x'.repeat(40 * 1024 - 100) })).toEqual([]);
    expect(rules(validateGeneratedResponse({ status: '200', body: 'x'.repeat(40 * 1024 + 1) }))).toEqual(['response-size']);
  });

  it('checks bodyEncoding, base64 validity, body type and 204 with a body', () => {
    expect(rules(validateGeneratedResponse({ status: '200', bodyEncoding: 'gzip', body: 'x' }))).toEqual(['body-encoding']);
    expect(rules(validateGeneratedResponse({ status: '200', bodyEncoding: 'base64', body: 'not base64!' }))).toEqual(['body-encoding']);
    expect(rules(validateGeneratedResponse({ status: '200', body: { a: 1 } }))).toEqual(['body']);
    expect(rules(validateGeneratedResponse({ status: '204', body: 'x' }))).toEqual(['status-204-body']);
  });

  it('applies the header rules to response headers', () => {
    expect(rules(validateGeneratedResponse({ status: '200', headers: { 'x-cache': [{ key: 'X-Cache', value: 'Hit' }] } }))).toEqual(['disallowed-header']);
    expect(rules(validateGeneratedResponse({ status: '200', headers: { Location: [{ key: 'Location', value: '/' }] } }))).toEqual(['header-name-case']);
    expect(rules(validateGeneratedResponse({ status: '200', headers: 'x' }))).toEqual(['headers-shape']);
  });
});

describe('helpers', () => {
  it('titleCaseHeader formats each dash-separated part', () => {
    expect(titleCaseHeader('content-type')).toBe('Content-Type');
    expect(titleCaseHeader('x-amzn-trace-id')).toBe('X-Amzn-Trace-Id');
  });
  it('isGeneratedResponse: a result with status is a response', () => {
    expect(isGeneratedResponse({ status: '200' })).toBe(true);
    expect(isGeneratedResponse(original())).toBe(false);
    expect(isGeneratedResponse(null)).toBe(false);
  });
  it('validateHeaders allows absent headers on a response only', () => {
    expect(validateHeaders(undefined, 'response')).toEqual([]);
    expect(rules(validateHeaders(undefined, 'request'))).toEqual(['headers-shape']);
  });
});
