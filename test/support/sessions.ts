/**
 * Helpers for the session tests: the stack's stores read directly, a logger that keeps the
 * request events, and the operator CLI run in process.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseKeySet } from '../../lambdas/core/keys/key-set';
import type { RequestEvent, RequestLogger } from '../../lambdas/core/request-events';
import { open } from '../../lambdas/core/keys/seal';
import type { SessionClaims } from '../../lambdas/core/session/session-cookie';
import { DynamoMauStore } from '../../lambdas/store/dynamodb/mau';
import { DynamoSessionStore } from '../../lambdas/store/dynamodb/sessions';
import { DynamoUserStore } from '../../lambdas/store/dynamodb/users';
import { LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import type { LocalStack } from '../../local/stack/stack';
import { buildProgram } from '../../bin/cli';
import { TestBrowser } from './http-client';

/** The stack's tables, read through the real DynamoDB stores. */
export function stackStores(stack: LocalStack, endpoint = stack.endpoints.dynamodb) {
  const client = new DynamoDBClient({ region: stack.config.aws.region, endpoint, credentials: LOCAL_CREDENTIALS });
  const t = stack.config.aws.tables;
  return {
    sessions: new DynamoSessionStore({ tableName: t.sessions, client }),
    users: new DynamoUserStore({ tableName: t.users, client }),
    mau: new DynamoMauStore({ tableName: t.mau, client }),
    close: () => client.destroy(),
  };
}

/** The claims in a session cookie value (opened with the stack's key set). */
export async function claimsOf(stack: LocalStack, cookie: string): Promise<SessionClaims> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: stack.endpoints.secretsManager, credentials: LOCAL_CREDENTIALS });
  const secret = await sm.send(new GetSecretValueCommand({ SecretId: stack.config.aws.sessionKeysSecretId }));
  sm.destroy();
  return open<SessionClaims>(cookie, parseKeySet(secret.SecretString!))!;
}

/** Keeps every request event and error the handlers log. */
export class EventLog implements RequestLogger {
  readonly events: RequestEvent[] = [];
  readonly errors: Array<{ where: string; code?: string | undefined }> = [];
  request(event: RequestEvent): void {
    this.events.push(event);
  }
  error(where: string, error: unknown): void {
    this.errors.push({ where, code: (error as { code?: string })?.code });
  }
  /** Events from now on. */
  mark(): () => RequestEvent[] {
    const start = this.events.length;
    return () => this.events.slice(start);
  }
}

/** Runs `edge-oauth <args>` in process against the stack's DynamoDB; returns what it printed. */
export async function runCli(stack: LocalStack, configFile: string, ...args: string[]): Promise<string> {
  const out: string[] = [];
  const program = buildProgram({ out: (l) => out.push(l), err: (l) => out.push(l) });
  await program.parseAsync(['node', 'edge-oauth', ...args, '--endpoint', stack.endpoints.dynamodb, '--config', configFile]);
  return out.join('\n');
}

/** A config file naming the stack's tables (what an operator passes with --config). */
export async function writeCliConfig(stack: LocalStack): Promise<string> {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const file = join(mkdtempSync(join(tmpdir(), 'edge-oauth-cli-')), 'edge-oauth.config.jsonc');
  writeFileSync(file, JSON.stringify(stack.config, null, 2));
  return file;
}

/**
 * Signs `email` in through the stack with the test browser (the dev IdP's form, then the
 * callback): the browser holding the session, and the callback's status (302 when signed in).
 */
export async function signInThroughStack(stack: LocalStack, email: string): Promise<{ browser: TestBrowser; status: number }> {
  const browser = new TestBrowser();
  const start = await browser.request(`${stack.siteUrl}/`);
  const back = await browser.signInAtIdp(start, { email, name: email.split('@')[0]! }, new URL(stack.siteUrl).host);
  return { browser, status: (await browser.request(back.location!)).status };
}
