/**
 * Access rules in a real browser, through the local stack (`npm start`): the dev IdP's
 * optional "Groups" field becomes its `groups` claim; a path rule by group admits a member
 * and shows a non-member the 403 page naming the site; a public path needs no sign-in.
 * Screenshots: test-output/e2e/.
 */
import type { LocalStack } from '../../local/stack/stack';
import { describeWithChromium, screenshot, useChromium } from '../support/chromium';
import { testDynamoEndpoint } from '../support/dynamodb';
import { atIdpSignInForm, fetchEcho, startStack, submitIdpForm, whoLine } from './journey';

describeWithChromium('browser journeys: access rules and groups', () => {
  const chromium = useChromium();
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startStack({
      dynamoEndpoint: testDynamoEndpoint(),
      devConfig: {
        site: { name: 'Access Demo' },
        publicPaths: ['/public/'],
        paths: [{ prefix: '/eng/', allow: { groups: ['eng'] } }],
      },
    });
  });
  afterAll(() => stack?.close());

  test('a public path is served signed out, with no identity', async () => {
    const { page } = chromium;
    await page.goto(`${stack.siteUrl}/public/welcome`);
    expect(page.url()).toBe(`${stack.siteUrl}/public/welcome`);
    expect(await whoLine(page)).toBe('No edge-oauth identity headers on this request.');
    await screenshot(page, 'access-public-path');
  });

  test('the dev IdP "Groups" field becomes the groups claim; a member opens /eng/, the origin gets the groups', async () => {
    const { page } = chromium;
    await page.goto(`${stack.siteUrl}/eng/`);
    expect(await atIdpSignInForm(page, stack)).toBe(true);
    await page.fill('input[name="email"]', 'ada@example.com');
    await page.fill('input[name="groups"]', 'eng, ops, eng');
    await screenshot(page, 'idp-sign-in-groups');
    await submitIdpForm(page, stack, { email: 'ada@example.com', name: 'Ada', groups: 'eng, ops, eng' });
    expect(page.url()).toBe(`${stack.siteUrl}/eng/`);
    expect(await whoLine(page)).toContain('ada@example.com');
    expect(await page.locator('th', { hasText: 'edge-oauth-user-groups' }).count()).toBe(1);
    await screenshot(page, 'access-group-member');
    const { echo } = await fetchEcho(page, '/eng/data');
    expect(echo?.headers['edge-oauth-user-groups']).toBe('eng,ops');
    expect(stack.idp!.accounts.findByEmail('ada@example.com')!.groups).toEqual(['eng', 'ops']);
  });

  test('a signed-in user not in the group gets the 403 page naming the site, not the rule; the rest of the site works', async () => {
    const context = await chromium.browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${stack.siteUrl}/eng/`);
      await submitIdpForm(page, stack, { email: 'bob@example.com', name: 'Bob', groups: 'sales' });
      await page.waitForLoadState('load');
      expect(await page.locator('h1').innerText()).toBe('Access denied');
      const text = await page.locator('main').innerText();
      expect(text).toContain('This account may not open this page of Access Demo.');
      expect(text).toContain('bob@example.com');
      expect(text).not.toMatch(/eng|group|rule/i);
      await screenshot(page, 'access-path-denied');
      await page.goto(`${stack.siteUrl}/other`);
      expect(await whoLine(page)).toContain('bob@example.com');
    } finally {
      await context.close();
    }
  });
});
