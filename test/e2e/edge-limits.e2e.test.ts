/**
 * Issue #25, the pages a visitor sees when a limit is reached, in Chromium: the 431 page
 * (the request with edge-oauth's headers would pass CloudFront's 20,480 bytes) and the
 * provider picker degraded to links without the return path (40 KB). Rendered from the
 * viewer handler's own output; screenshots in test-output/e2e.
 */
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { describeWithChromium, screenshot, useChromium } from '../support/chromium';
import { viewerFor } from '../edge/viewer-harness';

const event = (uri: string, querystring: string, headers: Record<string, string>): CloudFrontRequestEvent => ({
  Records: [
    {
      cf: {
        config: { distributionDomainName: 'd.cloudfront.net', distributionId: 'E1', eventType: 'viewer-request', requestId: 'r' },
        request: {
          clientIp: '203.0.113.9',
          method: 'GET',
          uri,
          querystring,
          headers: Object.fromEntries(Object.entries({ host: 'app.example.com', ...headers }).map(([k, v]) => [k, [{ key: k, value: v }]])),
        },
      },
    },
  ],
});

describeWithChromium('browser: the pages at CloudFront limits', () => {
  const chromium = useChromium();

  test('the 431 page', async () => {
    // The page the egress answers with (reached with a session: test/edge/edge-limits.test.ts).
    const { requestTooLargePage } = await import('../../lambdas/core/viewer/pages');
    const page = requestTooLargePage('Limits Site');
    await chromium.page.setContent(page.body!);
    await expect(chromium.page.locator('h1').textContent()).resolves.toBe('Request too large');
    await screenshot(chromium.page, 'edge-limits-431');
  });

  test('the provider picker with 10 providers and a long return path', async () => {
    const providers = Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, type: 'oidc', displayName: `Provider ${i}`, issuer: `https://idp${i}.example.com`, clientId: `c${i}`, clientSecret: `s/${i}` }));
    const { handler } = viewerFor({ site: { domain: 'app.example.com', name: 'Limits Site' }, providers });
    const result = (await handler(event('/page', `q=${'&'.repeat(2030)}`, { 'sec-fetch-mode': 'navigate' }))) as CloudFrontResultResponse;
    expect(result.status).toBe('200');
    await chromium.page.setContent(result.body!);
    await expect(chromium.page.locator('a.b').count()).resolves.toBe(10);
    await screenshot(chromium.page, 'edge-limits-picker');
  });
});
