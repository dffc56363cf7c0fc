/**
 * Issue #25: what the viewer-request function returns stays inside CloudFront's published
 * limits (lambdas/edge/egress.ts), checked by the CloudFront emulator's validator
 * (local/emulators/cloudfront/validate.ts): 40 KB generated responses, 20,480-byte forwarded
 * requests, visible-ASCII header values; and events without querystring or headers.
 */
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { seal } from '../../lambdas/core/keys/seal';
import { newSessionClaims } from '../../lambdas/core/session/session-cookie';
import { isVisibleAscii, REQUEST_MAX_BYTES } from '../../lambdas/core/edge-limits';
import { forwardRequest, OMITTED_HEADER } from '../../lambdas/edge/egress';
import { validateGeneratedResponse, validateViewerRequestResult } from '../../local/emulators/cloudfront/validate';
import { testConfig } from '../core/fixtures';
import { keys as harnessKeys, viewerFor } from './viewer-harness';

const keys = harnessKeys;
const NOW = 1_800_000_000_000;

function event(uri: string, options: { querystring?: string; headers?: Record<string, string> } = {}): CloudFrontRequestEvent {
  const headers: CloudFrontRequest['headers'] = { host: [{ key: 'Host', value: 'app.example.com' }] };
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = [{ key: name, value }];
  const request: CloudFrontRequest = { clientIp: '203.0.113.9', headers, method: 'GET', querystring: options.querystring ?? '', uri };
  return { Records: [{ cf: { config: { distributionDomainName: 'd123.cloudfront.net', distributionId: 'E1', eventType: 'viewer-request', requestId: 'r' }, request } }] };
}

const isResponse = (r: unknown): r is CloudFrontResultResponse => typeof (r as { status?: unknown }).status === 'string';
const headerValuesOf = (r: CloudFrontResultResponse | CloudFrontRequest) => Object.values(r.headers ?? {}).flatMap((entries) => entries.map((e) => e.value));

async function run(handler: ReturnType<typeof viewerFor>['handler'], ev: CloudFrontRequestEvent) {
  const original = structuredClone(ev.Records[0]!.cf.request);
  const result = await handler(ev);
  const violations = isResponse(result) ? validateGeneratedResponse(result) : validateViewerRequestResult(original, result);
  return { result, violations };
}

const manyProviders = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `p${i}`, type: 'oidc', issuer: `https://idp${i}.example.com`, clientId: `c${i}`, clientSecret: `s/${i}` }));

describe('generated responses fit 40 KB (finding 1)', () => {
  // A 2,040-character return path of "&": each becomes "%26" in every link of the picker.
  const longQuery = `q=${'&'.repeat(2030)}`;

  test.each([
    ['the provider picker', '/page', longQuery],
    ['the unknown-provider page', '/auth/login', `provider=nope&rd=${encodeURIComponent(`/page?${longQuery}`)}`],
  ])('%s with 10 providers and a long return path', async (_, uri, querystring) => {
    const { handler } = viewerFor({ providers: manyProviders(10) });
    const { result, violations } = await run(handler, event(uri, { querystring, headers: { 'sec-fetch-mode': 'navigate' } }));
    expect(isResponse(result)).toBe(true);
    expect(violations).toEqual([]);
    // Degraded as documented: the links carry no return path, every provider is still offered.
    const body = (result as CloudFrontResultResponse).body!;
    for (let i = 0; i < 10; i++) expect(body).toContain(`provider=p${i}`);
  });

  test('a short return path is kept in every link', async () => {
    const { handler } = viewerFor({ providers: manyProviders(10) });
    const { result } = await run(handler, event('/page', { querystring: 'a=1', headers: { 'sec-fetch-mode': 'navigate' } }));
    expect((result as CloudFrontResultResponse).body).toContain('rd=%2Fpage%3Fa%3D1');
  });
});

async function cookieWithGroups(config: ReturnType<typeof testConfig>, groups: string[]) {
  const claims = newSessionClaims(config, { sid: 'sid-1', uid: 'u-1', prv: 'corp', name: 'Ada', email: 'ada@example.com', groups, now: NOW / 1000 - 10 });
  return `edge-oauth=${await seal(claims, keys.current)}`;
}

describe('forwarded requests fit 20,480 bytes (finding 2)', () => {
  const groups = Array.from({ length: 150 }, (_, i) => `team-${i}`);

  test('a user in 150 groups, with a browser request of normal size plus large cookies: groups go, the origin is told', async () => {
    const { config, handler } = viewerFor();
    const cookie = `${await cookieWithGroups(config, groups)}; big=${'b'.repeat(16_300)}`;
    const { result, violations } = await run(handler, event('/page', { headers: { cookie, 'user-agent': 'Mozilla/5.0', accept: 'text/html' } }));
    expect(isResponse(result)).toBe(false);
    expect(violations).toEqual([]);
    const request = result as CloudFrontRequest;
    expect(request.headers['edge-oauth-user-groups']).toBeUndefined();
    expect(request.headers['edge-oauth-user-groups-truncated']![0]!.value).toBe('true');
    expect(request.headers[OMITTED_HEADER]![0]!.value).toBe('groups');
    // The required ones are all there.
    for (const name of ['edge-oauth-user-id', 'edge-oauth-provider', 'edge-oauth-user-email', 'edge-oauth-jwt-assertion']) expect(request.headers[name]).toBeDefined();
  });

  test('when the required headers alone do not fit: a 431 page, never a request CloudFront refuses', async () => {
    const { config, handler } = viewerFor();
    const cookie = `${await cookieWithGroups(config, groups)}; big=${'b'.repeat(REQUEST_MAX_BYTES - 2_000)}`;
    const { result, violations } = await run(handler, event('/page', { headers: { cookie } }));
    expect(violations).toEqual([]);
    expect((result as CloudFrontResultResponse).status).toBe('431');
  });
});

describe('every generated header value is visible ASCII (finding 4)', () => {
  test('site.name with CR/LF, quotes and non-ASCII in the 401 WWW-Authenticate', async () => {
    const { handler } = viewerFor({ site: { domain: 'app.example.com', name: 'Ünïcode "Site"\r\nSet-Cookie: x=1' } });
    const { result, violations } = await run(handler, event('/api/data', { headers: { 'sec-fetch-mode': 'cors' } }));
    expect(violations).toEqual([]);
    const response = result as CloudFrontResultResponse;
    expect(response.status).toBe('401');
    expect(response.headers!['www-authenticate']![0]!.value).toBe('Cookie realm="ncode SiteSet-Cookie: x1"');
    for (const value of headerValuesOf(response)) expect(isVisibleAscii(value)).toBe(true);
  });
});

describe('events without querystring or headers, as AWS sample events have (finding 5)', () => {
  test('no querystring: the return path has no "?undefined"', async () => {
    const { handler } = viewerFor();
    const ev = event('/test', { headers: { 'sec-fetch-mode': 'cors' } });
    delete (ev.Records[0]!.cf.request as Partial<CloudFrontRequest>).querystring;
    const result = (await handler(ev)) as CloudFrontResultResponse;
    expect(result.status).toBe('401');
    expect(result.body).not.toContain('undefined');
    expect(JSON.parse(result.body!).signIn).toBe('/auth/login?rd=%2Ftest');
  });

  test('no headers: answered, not thrown', async () => {
    const { handler } = viewerFor();
    const ev = event('/test');
    delete (ev.Records[0]!.cf.request as Partial<CloudFrontRequest>).headers;
    const result = (await handler(ev)) as CloudFrontResultResponse;
    expect(result.status).toBe('302');
  });
});

describe('a wrong-case admin path with non-ASCII characters (finding 7)', () => {
  test('is redirected to an ASCII Location that keeps the UTF-8 bytes and the case after the prefix', async () => {
    const { handler } = viewerFor({ admin: { emails: ['ada@example.com'] } });
    const { result, violations } = await run(handler, event('/AUTH/admin/Users/%C3%A9t%C3%A9', { querystring: 'q=%C3%A9' }));
    expect(violations).toEqual([]);
    const location = (result as CloudFrontResultResponse).headers!.location![0]!.value;
    expect(location).toBe('/auth/admin/Users/%C3%A9t%C3%A9?q=%C3%A9');
    expect(isVisibleAscii(location)).toBe(true);
  });

  test('raw non-ASCII characters in the uri or query are escaped as UTF-8', async () => {
    const { handler } = viewerFor({ admin: { emails: ['ada@example.com'] } });
    const { result } = await run(handler, event('/Auth/admin/été', { querystring: 'q=é' }));
    expect((result as CloudFrontResultResponse).headers!.location![0]!.value).toBe('/auth/admin/%C3%A9t%C3%A9?q=%C3%A9');
  });
});

describe('the egress drops optional extras in the documented order (finding 2, tokens to the origin)', () => {
  const config = testConfig({ originTokens: { enabled: true } });
  const action = (extra: Array<[string, string]>) => ({
    action: 'forward' as const,
    decision: 'allow' as const,
    reason: 'session',
    headers: [
      ['edge-oauth-user-id', 'u-1'],
      ['edge-oauth-provider', 'corp'],
      ['edge-oauth-user-email', 'ada@example.com'],
      ['edge-oauth-jwt-assertion', 'a'.repeat(3000)],
      ['edge-oauth-user-groups', 'g'.repeat(2000)],
      ['edge-oauth-user-name', 'Ada'],
      ...extra,
    ] as Array<[string, string]>,
  });
  const request = (cookieBytes: number): CloudFrontRequest => ({
    clientIp: '203.0.113.9',
    method: 'GET',
    uri: '/page',
    querystring: '',
    headers: { host: [{ key: 'Host', value: 'app.example.com' }], cookie: [{ key: 'Cookie', value: `big=${'b'.repeat(cookieBytes)}` }] },
  });
  const tokens: Array<[string, string]> = [
    ['edge-oauth-access-token', 't'.repeat(4000)],
    ['edge-oauth-refresh-token', 'r'.repeat(4000)],
  ];

  test.each([
    [6_000, undefined, ['edge-oauth-access-token', 'edge-oauth-refresh-token', 'edge-oauth-user-groups']],
    [9_000, 'refresh-token', ['edge-oauth-access-token', 'edge-oauth-user-groups']],
    [12_000, 'refresh-token,access-token', ['edge-oauth-user-groups']],
    [15_000, 'refresh-token,access-token,groups', ['edge-oauth-user-name']],
  ])('viewer cookies of %i bytes: omitted %p', (cookieBytes, omitted, kept) => {
    const original = request(cookieBytes);
    const result = forwardRequest(config, structuredClone(original), action(tokens), [original.headers.cookie![0]!.value], () => false) as CloudFrontRequest;
    expect(validateViewerRequestResult(original, result)).toEqual([]);
    expect(result.headers[OMITTED_HEADER]?.[0]?.value).toBe(omitted);
    for (const name of kept) expect(result.headers[name]).toBeDefined();
    for (const name of ['edge-oauth-user-id', 'edge-oauth-provider', 'edge-oauth-user-email', 'edge-oauth-jwt-assertion']) expect(result.headers[name]).toBeDefined();
  });
});

describe('the egress remembers values it found visible ASCII (lambdas/edge/egress.ts)', () => {
  const config = testConfig();
  const forward = (value: string) => {
    const request: CloudFrontRequest = { clientIp: '203.0.113.9', method: 'GET', uri: '/', querystring: '', headers: { host: [{ key: 'Host', value: 'app.example.com' }] } };
    const action = { action: 'forward' as const, decision: 'allow' as const, reason: 'session', headers: [['edge-oauth-user-name', value]] as Array<[string, string]> };
    return (forwardRequest(config, request, action, [], () => false) as CloudFrontRequest).headers['edge-oauth-user-name']![0]!.value;
  };

  test('a value seen before passes as it is; any other is still checked, past the memory bound too', () => {
    expect(forward('Ada Lovelace')).toBe('Ada Lovelace');
    expect(forward('Ada Lovelace')).toBe('Ada Lovelace');
    // Close to a remembered value, but not it: checked, and encoded.
    expect(forward('Ada Lovelace\r\nX-Injected: 1')).toBe('Ada%20Lovelace%0D%0AX-Injected%3A%201');
    expect(forward(' Ada Lovelace')).toBe('Ada Lovelace');
    for (let i = 0; i < 5000; i++) forward(`user-${i}`);
    expect(forward('Ada Lovelace\n')).toBe('Ada Lovelace'); // trimmed, as before
    expect(forward('\u00c5sa')).toBe('%C3%85sa');
    for (const value of ['Ada Lovelace', 'user-1', 'user-4999']) expect(isVisibleAscii(forward(value))).toBe(true);
  });
});
