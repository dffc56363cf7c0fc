/**
 * `npm start -- --config my.jsonc --secrets my-secrets.json` (docs/local-stack.md): the local
 * stack runs an operator's config against their own issuer, here a local one (`issuer` +
 * `allowInsecureRequests`), for each provider type that takes an issuer. What local/stack/start.ts
 * does with the two files is done here the same way (loadConfigFile, JSON secrets), with the
 * tests' shared DynamoDB Local; a full sign-in goes through the CloudFront emulator.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfigFile } from '../../lib/config-file';
import { startDevIdp, type DevIdpHandle } from '../../local/emulators/idp/provider';
import { startLocalStack, type LocalStack } from '../../local/stack/stack';
import { testDynamoEndpoint } from '../support/dynamodb';
import { TestBrowser } from '../support/http-client';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.each([
  ['oidc', 'client_secret_basic'],
  ['gitlab', 'client_secret_post'],
] as const)('--config with a "%s" provider at a local issuer', (type, method) => {
  let idp: DevIdpHandle;
  let stack: LocalStack;
  const secret = `gloas-${randomBytes(32).toString('hex')}`;

  beforeAll(async () => {
    const port = await freePort();
    idp = await startDevIdp({ clients: [{ clientId: 'my-app', clientSecret: secret, redirectUris: [`http://127.0.0.1:${port}/auth/callback`], tokenEndpointAuthMethod: method }] });
    const dir = mkdtempSync(join(tmpdir(), 'edge-oauth-config-'));
    const suffix = randomBytes(4).toString('hex');
    writeFileSync(
      join(dir, 'my.jsonc'),
      `// an operator's config, trying a provider before deploying
{
  "site": { "domain": "app.example.com", "name": "Try ${type}" },
  "providers": [{ "type": "${type}", "issuer": "${idp.issuer}", "allowInsecureRequests": true, "clientId": "my-app", "clientSecret": "edge-oauth/my-secret" }],
  "allow": { "emailDomains": ["example.com"] },
  "aws": { "tables": { "sessions": "try-sessions-${suffix}", "users": "try-users-${suffix}", "mau": "try-mau-${suffix}" } }
}`,
    );
    writeFileSync(join(dir, 'my-secrets.json'), JSON.stringify({ 'edge-oauth/my-secret': secret }));
    const config = loadConfigFile(join(dir, 'my.jsonc'));
    const secrets = JSON.parse(require('node:fs').readFileSync(join(dir, 'my-secrets.json'), 'utf8')) as Record<string, string>;
    stack = await startLocalStack({ port, config, secrets, dynamoEndpoint: testDynamoEndpoint() });
  });
  afterAll(async () => {
    await stack?.close();
    await idp?.close();
  });

  test('a visitor signs in at the issuer and reaches the origin with their identity; the allow-list applies', async () => {
    const browser = new TestBrowser();
    const siteHost = new URL(stack.siteUrl).host;
    const start = await browser.request(`${stack.siteUrl}/hello`);
    expect(start.status).toBe(302);
    expect(new URL(start.location!).origin).toBe(idp.issuer);
    const back = await browser.signInAtIdp(start, { email: 'ada@example.com', name: 'Ada' }, siteHost);
    const done = await browser.follow(back);
    expect(done.status).toBe(200);
    const whoami = await browser.request(`${stack.siteUrl}/whoami`, { headers: { accept: 'application/json' } });
    expect((JSON.parse(whoami.body) as { headers: Record<string, string> }).headers).toMatchObject({ 'edge-oauth-user-email': 'ada@example.com', 'edge-oauth-provider': type });

    const other = new TestBrowser();
    const refused = await other.follow(await other.signInAtIdp(await other.request(`${stack.siteUrl}/`), { email: 'eve@elsewhere.org' }, siteHost));
    expect(refused.status).toBe(403);
  });
});
