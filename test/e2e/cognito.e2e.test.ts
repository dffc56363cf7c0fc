/**
 * Managed sign-in in Chromium: `npm start -- --config` with {"id": "team", "type": "cognito"}
 * runs against the local Cognito stand-in. The operator invites someone with the CLI, they
 * sign in with the emailed temporary password and choose their own, the origin sees them with
 * their group, a path rule admits them by it, /auth/logout also ends the Cognito session, and
 * `users disable` keeps them out. Screenshots: test-output/e2e/cognito-*.png.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../../bin/cli';
import type { LocalStack } from '../../local/stack/stack';
import { describeWithChromium, NavigationLog, screenshot, useChromium } from '../support/chromium';
import { testDynamoEndpoint } from '../support/dynamodb';
import { startStack, waitForSite, whoLine } from './journey';

const suffix = `${process.pid}-${Date.now() % 100000}`;
const configText = JSON.stringify({
  site: { name: 'Team site' },
  providers: [{ id: 'team', type: 'cognito', endProviderSession: true }],
  paths: [{ prefix: '/admin/', allow: { groups: ['team:admins'] } }],
  session: { revocationCheckInterval: 0 },
  aws: { tables: { sessions: `cog-sessions-${suffix}`, users: `cog-users-${suffix}`, mau: `cog-mau-${suffix}` } },
});

describeWithChromium('browser journey: managed sign-in with a Cognito user pool', () => {
  const chromium = useChromium();
  let stack: LocalStack;
  let configFile: string;

  const cli = async (...args: string[]) => {
    const out: string[] = [];
    const endpoints = ['--endpoint', stack.endpoints.dynamodb, '--secrets-endpoint', stack.secretsManager.endpoint, '--cognito-endpoint', stack.cognito!.emulator.endpoint];
    await buildProgram({ out: (l) => out.push(l), err: (l) => out.push(l) }).parseAsync(['node', 'edge-oauth', ...args, '--config', configFile, ...endpoints]);
    return out.join('\n');
  };

  beforeAll(async () => {
    stack = await startStack({ dynamoEndpoint: testDynamoEndpoint(), configText });
    configFile = join(mkdtempSync(join(tmpdir(), 'edge-oauth-cognito-e2e-')), 'edge-oauth.config.jsonc');
    writeFileSync(configFile, configText);
  });
  afterAll(() => stack?.close());

  test('invite with the CLI, sign in, change the temporary password; groups reach the origin and the path rules; logout ends the Cognito session', async () => {
    const { page } = chromium;
    expect(await cli('users', 'invite', 'ada@example.com', '--group', 'admins')).toMatch(/^invited ada@example.com to team/);
    const invitation = stack.cognito!.emulator.pools.invitations.find((i) => i.email === 'ada@example.com')!;

    await page.goto(`${stack.siteUrl}/admin/`);
    const cognitoOrigin = stack.cognito!.emulator.endpoint;
    await page.waitForURL((url) => url.origin === cognitoOrigin && url.pathname === '/login');
    await page.fill('input[name="username"]', 'ada@example.com');
    await page.fill('input[name="password"]', invitation.temporaryPassword);
    await page.click('button[type="submit"]');
    await page.waitForSelector('input[name="new_password"]');
    await screenshot(page, 'cognito-change-password');
    await page.fill('input[name="password"]', invitation.temporaryPassword);
    await page.fill('input[name="new_password"]', 'Correct-h0rse!');
    await Promise.all([waitForSite(page, stack), page.click('button[type="submit"]')]);

    expect(new URL(page.url()).pathname).toBe('/admin/');
    const sub = stack.cognito!.emulator.pools.pools.get(stack.cognito!.pools.get('team')!)!.users.get('ada@example.com')!.sub;
    expect(await whoLine(page)).toBe(`Signed in as ada@example.com via team (user id ${sub})`);
    expect(await page.locator('body').innerText()).toContain('admins');
    await screenshot(page, 'cognito-signed-in');

    // Cognito's session: a new sign-in (another path) goes through without the form.
    await page.goto(`${stack.siteUrl}/auth/login?rd=/other`);
    await waitForSite(page, stack);
    expect(await whoLine(page)).toMatch(/^Signed in as ada@example.com/);

    // /auth/logout ends the Cognito session too (endProviderSession): the next visit asks for the password again.
    const nav = new NavigationLog(page);
    await page.goto(`${stack.siteUrl}/auth/logout`);
    await page.waitForURL(`${stack.siteUrl}/auth/logout`);
    expect(nav.to(stack.cognito!.emulator.endpoint, '/logout')).toHaveLength(1);
    expect(await page.locator('h1').innerText()).toBe('You are signed out');
    await screenshot(page, 'cognito-signed-out');
    await page.goto(`${stack.siteUrl}/`);
    await page.waitForURL((url) => url.origin === stack.cognito!.emulator.endpoint && url.pathname === '/login');
    expect(await page.locator('input[name="password"]').count()).toBe(1);
  });

  test('users disable: signed out at once (revoked), and Cognito refuses the next sign-in', async () => {
    const { page } = chromium;
    await page.goto(`${stack.siteUrl}/`);
    await page.waitForURL((url) => url.origin === stack.cognito!.emulator.endpoint && url.pathname === '/login');
    await page.fill('input[name="username"]', 'ada@example.com');
    await page.fill('input[name="password"]', 'Correct-h0rse!');
    await Promise.all([waitForSite(page, stack), page.click('button[type="submit"]')]);
    expect(await whoLine(page)).toMatch(/^Signed in as ada@example.com/);

    // Two: this one, and the first test's first one (the sign-in at /auth/login replaced its
    // cookie; a new sign-in does not end the session it replaces), not the one logged out.
    expect(await cli('users', 'disable', 'ada@example.com')).toMatch(/revoked 2 active session\(s\)/);
    await page.goto(`${stack.siteUrl}/`);
    await page.waitForURL((url) => url.origin === stack.cognito!.emulator.endpoint && url.pathname === '/login');
    await page.fill('input[name="username"]', 'ada@example.com');
    await page.fill('input[name="password"]', 'Correct-h0rse!');
    await page.click('button[type="submit"]');
    await page.waitForSelector('.error');
    expect(await page.locator('.error').innerText()).toBe('User is disabled.');
    await screenshot(page, 'cognito-disabled');
  });
});
