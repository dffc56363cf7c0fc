/**
 * Every value edge-oauth reflects, end to end on real peers: into a header (the Location of
 * the return path, identity headers from the provider's name and email) no CR/LF ever
 * arrives; into a page (the provider's email and name, its `error` parameter) everything is
 * HTML-escaped. And what the origin receives: the Cookie header without our cookies.
 */
import { startLocalStack, type LocalStack } from '../../local/stack/stack';
import { testDynamoEndpoint } from '../support/dynamodb';
import { TestBrowser, type Hop } from '../support/http-client';

let stack: LocalStack;
let siteHost: string;

beforeAll(async () => {
  stack = await startLocalStack({ dynamoEndpoint: testDynamoEndpoint(), devConfig: { allow: { emails: [], emailDomains: ['example.com'] } } });
  siteHost = new URL(stack.siteUrl).host;
});
afterAll(() => stack.close());

interface Echo {
  path: string;
  headers: Record<string, string>;
}

async function signIn(browser: TestBrowser, form: { email: string; name?: string }, path = '/'): Promise<Hop> {
  const start = await browser.request(`${stack.siteUrl}${path}`);
  const back = await browser.signInAtIdp(start, form, siteHost);
  return browser.request(back.location!);
}

async function echo(browser: TestBrowser, path = '/'): Promise<Echo> {
  const hop = await browser.request(`${stack.siteUrl}${path}`, { headers: { accept: 'application/json' } });
  expect(hop.status).toBe(200);
  return JSON.parse(hop.body) as Echo;
}

/** Raw header names a response carries (fetch would have refused a CR/LF, so this is belt and braces). */
function headerNames(hop: Hop): string[] {
  const names: string[] = [];
  hop.headers.forEach((_, name) => names.push(name));
  return names;
}

describe('CR/LF and non-ASCII in values reflected into headers', () => {
  test("the provider's name with CR/LF and non-ASCII reaches the origin percent-encoded, as one header", async () => {
    const browser = new TestBrowser();
    const name = 'Eve\r\nX-Injected: yes\r\nSet-Cookie: a=b Zoë 山田';
    const done = await signIn(browser, { email: 'crlf@example.com', name });
    expect(done.status).toBe(302);
    const { headers } = await echo(browser);
    expect(headers['x-injected']).toBeUndefined();
    expect(headers['edge-oauth-user-name']).toMatch(/^[\x21-\x7e]+$/);
    expect(decodeURIComponent(headers['edge-oauth-user-name']!)).toBe(name);
  });

  test('a return path with CR/LF (raw or encoded) never splits the Location header', async () => {
    // (Every payload is checked at the edge in advisories.test.ts; here one raw and one encoded, end to end.)
    for (const rd of ['/ok\r\nSet-Cookie: evil=1', '/ok%0d%0aSet-Cookie:%20evil=1']) {
      const browser = new TestBrowser();
      const done = await signIn(browser, { email: 'rd@example.com' }, `/auth/login?${new URLSearchParams({ rd })}`);
      expect(done.status).toBe(302);
      expect(done.setCookies.some((c) => c.startsWith('evil='))).toBe(false);
      expect(new URL(done.location!).host).toBe(siteHost);
      expect(headerNames(done)).not.toContain('evil');
    }
    // The original request target: encoded CR/LF stays encoded in the Location.
    const browser = new TestBrowser();
    const done = await signIn(browser, { email: 'rd@example.com' }, '/a%0d%0aSet-Cookie:%20evil=1');
    expect(done.location).toBe(`${stack.siteUrl}/a%0d%0aSet-Cookie:%20evil=1`);
    expect(done.setCookies.some((c) => c.startsWith('evil='))).toBe(false);
  });

  test('logout targets with CR/LF are refused', async () => {
    const hop = await new TestBrowser().request(`${stack.siteUrl}/auth/logout?rd=${encodeURIComponent('/x\r\nSet-Cookie: evil=1')}`);
    expect(hop.status).toBe(302);
    expect(hop.location).toBe(`${stack.siteUrl}/`);
  });
});

describe('every echoed value is HTML-escaped', () => {
  const xss = '<svg/onload=alert(1)>';

  test("the access-denied page shows the provider's email escaped", async () => {
    const denied = await signIn(new TestBrowser(), { email: `${xss}@evil.example`, name: '<script>alert(2)</script>' });
    expect(denied.status).toBe(403);
    expect(denied.body).not.toContain('<svg');
    expect(denied.body).not.toContain('<script>alert');
    expect(denied.body).toContain('&lt;svg/onload=alert(1)&gt;@evil.example');
    expect(denied.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  test("the provider's `error` parameter is escaped (and cut short)", async () => {
    const browser = new TestBrowser();
    const start = await browser.request(`${stack.siteUrl}/`);
    const state = new URL(start.location!).searchParams.get('state')!;
    const error = `<script>alert(3)</script>"'&`;
    const hop = await browser.request(`${stack.siteUrl}/auth/callback?${new URLSearchParams({ state, error, error_description: '<b>x</b>' })}`);
    expect(hop.status).toBe(502);
    expect(hop.body).not.toContain('<script>alert');
    expect(hop.body).not.toContain('<b>x');
    expect(hop.body).toContain('&lt;script&gt;alert(3)&lt;/script&gt;&quot;&#39;&amp;');
  });
});

describe('what the origin receives', () => {
  test("our cookies (session, flow, duplicates) are removed from the Cookie header; the site's own cookies pass", async () => {
    const browser = new TestBrowser();
    await signIn(browser, { email: 'cookies@example.com' });
    const session = browser.cookie(siteHost, 'edge-oauth')!;
    browser.setCookie(siteHost, 'theme', 'dark');
    browser.setCookie(siteHost, 'edge-oauth-flow-AAAAAAAAAAAAAAAAAAAAAA', 'x'.repeat(500)); // a flow cookie at Path=/
    browser.setCookie(siteHost, 'lang', 'en');
    const { headers } = await echo(browser);
    expect(headers.cookie!.split('; ').sort()).toEqual(['lang=en', 'theme=dark']);
    expect(JSON.stringify(headers)).not.toContain(session);

    // A duplicated session cookie in a second Cookie line is removed too.
    const hop = await browser.request(`${stack.siteUrl}/`, { headers: { accept: 'application/json', cookie: `edge-oauth=${session}; a=1; edge-oauth=${session}` } });
    const seen = (JSON.parse(hop.body) as Echo).headers;
    expect(seen.cookie).toBe('a=1');
  });

  test('with only our cookies, the origin gets no Cookie header at all', async () => {
    const browser = new TestBrowser();
    await signIn(browser, { email: 'only@example.com' });
    const { headers } = await echo(browser);
    expect(headers.cookie).toBeUndefined();
  });
});
