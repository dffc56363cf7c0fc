/**
 * Issue #29 in a real browser: a provider that is up but answers its discovery after the
 * 4 s deadline. Behind the local CloudFront emulator (5 s viewer budget) the visitor sees
 * edge-oauth's 504 page saying the provider did not answer in time, with "Try again", not
 * "could not be reached" and not CloudFront's error page.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProviders } from '../../lambdas/core/providers';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { startCloudFront, type CloudFrontEmulator } from '../../local/emulators/cloudfront/server';
import { testConfig, testKeys } from '../core/fixtures';
import { describeWithChromium, screenshot, useChromium } from '../support/chromium';

const ISSUER = 'https://idp.example.com';

describeWithChromium('browser: the provider is up but slow', () => {
  const chromium = useChromium({ timeoutMs: 15_000 });
  let slow: Server;
  let cloudfront: CloudFrontEmulator;

  beforeAll(async () => {
    slow = createServer((_req, res) => {
      const t = setTimeout(() => res.end('{}'), 5500);
      res.on('close', () => clearTimeout(t));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const replica = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    const config = testConfig({ site: { name: 'Fixture Site' } });
    const fetch = ((url: string | URL, init?: RequestInit) => globalThis.fetch(String(url).replace(ISSUER, replica), init)) as typeof globalThis.fetch;
    cloudfront = await startCloudFront({
      viewerRequest: createViewerHandler({
        config,
        keys: async () => testKeys(),
        providers: createProviders(config, { fetch, now: () => Math.floor(Date.now() / 1000), readSecret: async () => 'secret' }),
        random: randomBytes,
        clock: () => Date.now(),
      }),
      callback: async () => ({ statusCode: 500 }),
      originUrl: replica,
    });
  });

  afterAll(async () => {
    await cloudfront?.close();
    slow?.closeAllConnections();
    await new Promise<void>((resolve) => slow?.close(() => resolve()));
  });

  test('a 504 page that names a timeout and offers to try again', async () => {
    const page = chromium.page;
    const response = await page.goto(`${cloudfront.url}/reports`);
    expect(response?.status()).toBe(504);
    expect(await page.title()).toBe('Sign-in is taking too long');
    await expect(page.getByText('did not answer in time').isVisible()).resolves.toBe(true);
    expect(await page.getByRole('link', { name: 'Try again' }).getAttribute('href')).toMatch(/^\/auth\/login\?/);
    expect(await page.content()).not.toMatch(/could not reach|CloudFront|could not be satisfied/i);
    await screenshot(page, 'provider-timeout');
  }, 30_000);
});
