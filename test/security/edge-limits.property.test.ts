/**
 * Issue #25: over generated configs and requests, everything the viewer-request function
 * returns passes the CloudFront emulator's validator (local/emulators/cloudfront/validate.ts: 40 KB
 * generated responses, 20,480-byte requests, disallowed and read-only headers, header value
 * characters), and every header value it sets is visible ASCII (RFC 9110 §5.5).
 */
import fc from 'fast-check';
import type { CloudFrontRequest, CloudFrontRequestEvent } from 'aws-lambda';
import { seal } from '../../lambdas/core/keys/seal';
import { newSessionClaims } from '../../lambdas/core/session/session-cookie';
import { isVisibleAscii } from '../../lambdas/core/edge-limits';
import { validateGeneratedResponse, validateViewerRequestResult } from '../../local/emulators/cloudfront/validate';
import { keys, viewerFor } from '../edge/viewer-harness';

const NOW = 1_800_000_000;
const text = (max: number) => fc.string({ unit: 'grapheme', maxLength: max });
const printable = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'abcXYZ019-._~!$&\'()*+,;=:@/?%"<>'.split('')), minLength: min, maxLength: max });

const configArb = fc.record({
  siteName: text(80).filter((s) => s.length > 0),
  providers: fc.array(text(60).filter((s) => s.length > 0), { minLength: 1, maxLength: 12 }),
  adminConsole: fc.boolean(),
});

const requestArb = fc.record({
  uri: fc.oneof(fc.constantFrom('/', '/page', '/auth/login', '/auth/logout', '/auth/nope', '/AUTH/admin/x', '/auth/callback/', '/Auth/Admin/%C3%A9'), printable(1, 300).map((p) => `/${p.replace(/[?#]/g, '')}`)),
  querystring: fc.oneof(fc.constant(''), printable(0, 2500).map((q) => q.replace(/[\s#]/g, ''))),
  fetchMode: fc.constantFrom(undefined, 'navigate', 'cors', 'no-cors'),
  signedIn: fc.boolean(),
  name: text(200),
  email: fc.constantFrom(undefined, 'ada@example.com', 'ünï@example.com'),
  groups: fc.array(text(40).filter((g) => g.length > 0), { maxLength: 80 }),
  cookieBytes: fc.integer({ min: 0, max: 19_000 }),
});

function event(uri: string, querystring: string, headers: Record<string, string>): CloudFrontRequestEvent {
  const h: CloudFrontRequest['headers'] = { host: [{ key: 'Host', value: 'app.example.com' }] };
  for (const [name, value] of Object.entries(headers)) h[name] = [{ key: name, value }];
  const request: CloudFrontRequest = { clientIp: '203.0.113.9', headers: h, method: 'GET', querystring, uri };
  return { Records: [{ cf: { config: { distributionDomainName: 'd.cloudfront.net', distributionId: 'E1', eventType: 'viewer-request', requestId: 'r' }, request } }] };
}

test('every output of the viewer-request function is inside CloudFront limits', async () => {
  await fc.assert(
    fc.asyncProperty(configArb, requestArb, async (c, r) => {
      const { config, handler } = viewerFor({
        site: { domain: 'app.example.com', name: c.siteName },
        providers: c.providers.map((displayName, i) => ({ id: `p${i}`, type: 'oidc', displayName, issuer: `https://idp${i}.example.com`, clientId: `c${i}`, clientSecret: `s/${i}` })),
        ...(c.adminConsole && { admin: { emails: ['ada@example.com'] } }),
      });
      const headers: Record<string, string> = {};
      if (r.fetchMode !== undefined) headers['sec-fetch-mode'] = r.fetchMode;
      const cookies: string[] = [];
      if (r.signedIn) {
        const claims = newSessionClaims(config, { sid: 'sid-1', uid: 'u-1', prv: 'p0', name: r.name || undefined, email: r.email, groups: r.groups, now: NOW - 10 });
        cookies.push(`edge-oauth=${await seal(claims, keys.current)}`);
      }
      // The viewer's own cookies: CloudFront admits a request up to 20,480 bytes.
      if (r.cookieBytes > 0) cookies.push(`big=${'b'.repeat(Math.max(0, Math.min(r.cookieBytes, 20_480 - 600 - r.uri.length - r.querystring.length)))}`);
      if (cookies.length > 0) headers.cookie = cookies.join('; ');
      const ev = event(r.uri, r.querystring, headers);
      const original = structuredClone(ev.Records[0]!.cf.request);
      const result = await handler(ev);
      const isResponse = typeof (result as { status?: unknown }).status === 'string';
      const violations = isResponse ? validateGeneratedResponse(result) : validateViewerRequestResult(original, result);
      expect(violations).toEqual([]);
      const before = new Set(Object.keys(original.headers));
      for (const [name, entries] of Object.entries(result.headers ?? {})) {
        // The values we set (a forwarded request's viewer headers are CloudFront's to judge).
        if (!isResponse && before.has(name) && name !== 'cookie') continue;
        for (const e of entries) expect([name, isVisibleAscii(e.value)]).toEqual([name, true]);
      }
    }),
    { numRuns: 150 },
  );
});
