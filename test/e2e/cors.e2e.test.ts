/**
 * OPTIONS passthrough in a real browser: a page on another origin calls the protected site
 * with fetch (credentials, a custom header, a JSON body → Chromium sends a CORS preflight).
 * The preflight carries no cookie, so the edge must pass it to the origin (which answers
 * CORS) instead of redirecting it to sign in; the real request then carries the session.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestEvent } from '../../lambdas/core/request-events';
import type { LocalStack } from '../../local/stack/stack';
import { describeWithChromium, screenshot, useChromium } from '../support/chromium';
import { testDynamoEndpoint } from '../support/dynamodb';
import { signIn, startStack, whoLine } from './journey';

/**
 * A page that calls the site cross-origin and shows the result. (The custom header is not
 * X-Edge-*: CloudFront, and so the emulator, drops those from viewer requests.)
 */
const CALLER_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Another origin</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto}pre{background:#f3f3f3;padding:.6rem;white-space:pre-wrap}</style>
</head><body><h1>A page on another origin</h1><p>It calls the protected site with <code>fetch</code> (credentials, a custom header).</p>
<pre id="out">not called yet</pre>
<script>
window.callSite = async (url) => {
  const out = document.getElementById('out');
  try {
    const response = await fetch(url, {
      method: 'PUT',
      credentials: 'include',
      headers: { 'X-Demo-Client': 'preflighted', 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    const json = await response.json();
    out.textContent = response.status + ' from ' + url + '\\n' + JSON.stringify(json, null, 2);
    return { ok: true, status: response.status, json };
  } catch (error) {
    out.textContent = 'fetch failed: ' + error;
    return { ok: false, error: String(error) };
  }
};
</script></body></html>`;

interface CallResult {
  ok: boolean;
  status?: number;
  error?: string;
  json?: { method: string; path: string; headers: Record<string, string | undefined> };
}

async function servePage(host: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(CALLER_PAGE);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return { server, url: `http://${host}:${(server.address() as AddressInfo).port}` };
}

describeWithChromium('browser journeys: OPTIONS passthrough (CORS preflight)', () => {
  const chromium = useChromium();
  let stack: LocalStack;
  const events: RequestEvent[] = [];
  const pages: Server[] = [];
  let sameSitePage: string; // 127.0.0.1, another port: another origin, the same site
  let crossSitePage: string; // 127.0.0.2: another site

  beforeAll(async () => {
    stack = await startStack({
      dynamoEndpoint: testDynamoEndpoint(),
      devConfig: { optionsPassthrough: true },
      log: { request: (e) => events.push(e), error: () => undefined },
    });
    const a = await servePage('127.0.0.1');
    const b = await servePage('127.0.0.2');
    pages.push(a.server, b.server);
    sameSitePage = a.url;
    crossSitePage = b.url;
  });
  afterAll(async () => {
    for (const s of pages) await new Promise((resolve) => s.close(resolve));
    await stack?.close();
  });

  const eventsFor = (path: string) => events.filter((e) => e.path === path).map((e) => `${e.method} ${e.decision} ${e.reason}`);

  test('a page on another origin (same site) calls the site with a preflight: it passes through, the real request carries the session', async () => {
    const { page } = chromium;
    await signIn(page, stack, { email: 'cors@example.com', name: 'Cora' });
    expect(await whoLine(page)).toContain('cors@example.com');

    await page.goto(`${sameSitePage}/app`);
    const result = await page.evaluate((url) => (window as unknown as { callSite(u: string): Promise<CallResult> }).callSite(url), `${stack.siteUrl}/api/items/1?v=2`);
    await screenshot(page, 'cors-same-site');

    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.json!.method).toBe('PUT');
    expect(result.json!.path).toBe('/api/items/1?v=2');
    expect(result.json!.headers).toMatchObject({
      origin: sameSitePage,
      'x-demo-client': 'preflighted',
      'edge-oauth-user-email': 'cors@example.com',
      'edge-oauth-provider': 'dev',
    });
    // The edge saw the preflight (no cookie) and let it through, then the PUT with the session.
    expect(eventsFor('/api/items/1')).toEqual(['OPTIONS allow options-passthrough', 'PUT allow session']);
  });

  test('a page on another site: the preflight passes, but the SameSite=Lax session cookie is not sent, so the call is answered 401 without a cookie (and fails CORS)', async () => {
    const { page } = chromium;
    await signIn(page, stack, { email: 'cross@example.com' });

    await page.goto(`${crossSitePage}/app`);
    const result = await page.evaluate((url) => (window as unknown as { callSite(u: string): Promise<CallResult> }).callSite(url), `${stack.siteUrl}/api/cross`);
    await screenshot(page, 'cors-cross-site');

    expect(result.ok).toBe(false);
    expect(result.error).toContain('Failed to fetch');
    expect(eventsFor('/api/cross')).toEqual(['OPTIONS allow options-passthrough', 'PUT block no-session-not-navigation']);
  });
});
