/**
 * A sign-in that fails at the provider's token endpoint, in Chromium: the error page shows
 * the provider's error code and description (escaped, short), and offers to sign in again.
 * Screenshot: test-output/e2e/token-endpoint-error.png.
 */
import type { LocalStack } from '../../local/stack/stack';
import { describeWithChromium, screenshot, useChromium } from '../support/chromium';
import { testDynamoEndpoint } from '../support/dynamodb';
import { startStack, submitIdpForm } from './journey';

describeWithChromium('browser: the provider refuses the code exchange', () => {
  const chromium = useChromium();
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startStack({ dynamoEndpoint: testDynamoEndpoint() });
  });
  afterAll(() => stack?.close());

  test("the error page says what the provider said, and the visitor can start again", async () => {
    const { page } = chromium;
    await page.goto(`${stack.siteUrl}/reports`);
    stack.idp!.failNext('token', 400);
    await submitIdpForm(page, stack, { email: 'ada@example.com' });
    expect(new URL(page.url()).pathname).toBe('/auth/callback');
    expect(await page.locator('h1').textContent()).toBe('Sign-in failed');
    const text = await page.locator('main').innerText();
    expect(text).toContain('token: temporarily_unavailable (HTTP 400).');
    expect(text).toContain("said: dev IdP: failNext('token', 400)");
    await screenshot(page, 'token-endpoint-error');

    // The IdP session is still there: the new sign-in goes through without a form.
    await Promise.all([
      page.waitForURL((url) => url.origin === stack.siteUrl && url.pathname === '/reports', { waitUntil: 'load' }),
      page.click('text=Sign in again'),
    ]);
  });
});
