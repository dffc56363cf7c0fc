/**
 * Done when (issue #16): an allow-list edit of a running local stack, through the reload
 * path `npm start -- --config <file>` uses (local/stack/config-watch.ts watching the file,
 * local/stack/stack.ts reloadText), ends a session it no longer admits within seconds, and admits
 * a newly listed user. The config names the embedded dev IdP as `{"id": "dev", "type": "dev"}`.
 * A broken edit is reported with its field and reason, and the last good config keeps running.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText } from '../../lambdas/core/config/parse-text';
import { watchConfigFile } from '../../local/stack/config-watch';
import { startLocalStack, type LocalStack } from '../../local/stack/stack';
import { testDynamoEndpoint } from '../support/dynamodb';
import type { TestBrowser } from '../support/http-client';
import { signInThroughStack } from '../support/sessions';

let stack: LocalStack;
let stop: () => void;
const file = join(mkdtempSync(join(tmpdir(), 'edge-oauth-reload-')), 'my.jsonc');
const lines: string[] = [];
const suffix = randomBytes(4).toString('hex');

const configText = (emails: string[], extra = '') => `{
  // the embedded dev identity provider (local only)
  "site": { "name": "Reload test" },
  "providers": [{ "id": "dev", "type": "dev" }],
  "allow": { "emails": ${JSON.stringify(emails)} },
  "session": { "revocationCheckInterval": "1h" },
  "aws": { "region": "us-east-1", "tables": { "sessions": "s-${suffix}", "users": "u-${suffix}", "mau": "m-${suffix}" } }${extra}
}`;

beforeAll(async () => {
  writeFileSync(file, configText(['ada@example.com', 'bob@example.com']));
  stack = await startLocalStack({ dynamoEndpoint: testDynamoEndpoint(), configText: configText(['ada@example.com', 'bob@example.com']) });
  stop = watchConfigFile(file, configText(['ada@example.com', 'bob@example.com']), stack, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
});
afterAll(async () => {
  stop?.();
  await stack?.close();
});

const signIn = (email: string) => signInThroughStack(stack, email);
const page = (browser: TestBrowser) => browser.request(`${stack.siteUrl}/whoami`, { headers: { accept: 'application/json' } });

async function until(what: () => boolean, ms = 5000): Promise<number> {
  const started = Date.now();
  while (!what()) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms; output: ${lines.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

test('"type": "dev" is refused outside the local stack, naming the field', () => {
  const result = parseConfigText(configText(['ada@example.com']));
  expect(result.ok).toBe(false);
  expect(!result.ok && result.problems[0]).toEqual({ path: 'providers[0].type', message: expect.stringContaining('local stack only') });
});

test('an allow-list edit ends a session it no longer admits within seconds and admits a newly listed user; a broken edit keeps the last good config', async () => {
  const ada = await signIn('ada@example.com');
  const bob = await signIn('bob@example.com');
  expect([ada.status, bob.status]).toEqual([302, 302]);
  expect((await page(ada.browser)).status).toBe(200);
  expect((await signIn('cy@example.com')).status).toBe(403);

  // A broken edit: reported with the field and the reason; the running config stays.
  writeFileSync(file, configText(['ada@example.com', 'bob@example.com'], ', "session2": {}'));
  await until(() => lines.some((l) => l.includes('not reloaded')));
  expect(lines.at(-1)).toContain('unknown field(s): session2');
  expect((await page(ada.browser)).status).toBe(200);

  writeFileSync(file, configText(['bob@example.com', 'cy@example.com']));
  const took = await until(() => lines.some((l) => l.includes(': reloaded')));
  expect(took).toBeLessThan(3000);
  expect(stack.config.providers[0]).toMatchObject({ id: 'dev', type: 'oidc' });
  // revocationCheckInterval is an hour: the new containers check each session at its first request.
  const denied = await page(ada.browser);
  expect(denied.status).toBe(403);
  expect(denied.body).toContain('Access denied');
  expect((await page(ada.browser)).status).toBe(302); // signed out: sign in again
  expect((await page(bob.browser)).status).toBe(200); // same sessions, same key set
  expect((await signIn('cy@example.com')).status).toBe(302);
});
