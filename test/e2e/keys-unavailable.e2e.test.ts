/**
 * Issue #15, item 6, in a real browser: the deployed wiring (lambdas/runtime/deployed.ts) behind
 * the local CloudFront emulator (5 s viewer-request budget, CloudFront's own error page when a
 * function fails or times out), with a Secrets Manager that accepts connections and never
 * answers. The visitor must see edge-oauth's own 503 page, in time, not CloudFront's.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { deployedDeps } from '../../lambdas/runtime/deployed';
import { startCloudFront, type CloudFrontEmulator } from '../../local/emulators/cloudfront/server';
import { LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import { testConfig } from '../core/fixtures';
import { describeWithChromium, screenshot, useChromium } from '../support/chromium';

describeWithChromium('browser: the key set cannot be read (Secrets Manager hangs at a cold start)', () => {
  const chromium = useChromium({ timeoutMs: 15_000 });
  const sockets = new Set<Socket>();
  let silent: Server;
  let origin: HttpServer;
  let cloudfront: CloudFrontEmulator;
  let originHits = 0;

  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    origin = createHttpServer((req, res) => {
      originHits++;
      req.resume();
      res.end('the protected origin');
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const deps = deployedDeps(testConfig({ site: { name: 'Fixture Site' } }), {
      secretsManagerEndpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      credentials: LOCAL_CREDENTIALS,
      log: null,
    });
    cloudfront = await startCloudFront({
      viewerRequest: createViewerHandler(deps),
      callback: async () => ({ statusCode: 500 }),
      originUrl: `http://127.0.0.1:${(origin.address() as AddressInfo).port}`,
    });
  });

  afterAll(async () => {
    await cloudfront?.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent?.close(() => resolve()));
    await new Promise<void>((resolve) => origin?.close(() => resolve()));
  });

  test("edge-oauth's 503 page with a way to try again, within the viewer-request budget; the origin is never reached", async () => {
    const page = chromium.page;
    const started = Date.now();
    const response = await page.goto(`${cloudfront.url}/reports?year=2026`);
    const elapsed = Date.now() - started;
    expect(response?.status()).toBe(503);
    expect(response?.headers()['retry-after']).toBe('30');
    expect(await page.title()).toBe('Temporarily unavailable');
    await expect(page.getByText('our key store cannot be reached').isVisible()).resolves.toBe(true);
    expect(await page.getByRole('link', { name: 'Try again' }).getAttribute('href')).toBe('/reports?year=2026');
    expect(await page.content()).not.toMatch(/CloudFront|LambdaExecutionError|could not be satisfied/i);
    expect(elapsed).toBeLessThan(5000);
    expect(originHits).toBe(0);
    await screenshot(page, 'keys-unavailable');
  }, 30_000);
});
