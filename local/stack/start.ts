/**
 * `npm start`: the local stack on loopback. Options:
 *   --port <n>         the protected site's port (or PORT); default 8080
 *   --config <file>    run this config instead of the embedded one; a provider {"id": "dev", "type": "dev"}
 *                      is the embedded dev IdP (local only). The file is watched: an edit is
 *                      reloaded as a redeploy would (same tables, key set, sessions); a broken
 *                      edit is reported (field and reason) and the last good config keeps running
 *   --secrets <file>   JSON {"<secret id>": "<value>"} for that config's secrets (kept local)
 *   --data-dir <dir>   keep DynamoDB Local's data in this folder
 *   --distribution <file>  serve this DistributionConfig (JSON, as GetDistributionConfig returns it)
 *                      through the local CloudFront control plane: requests are routed as it says,
 *                      and `npx edge-oauth attach|detach --endpoint <control plane>` changes it
 * Ctrl-C stops everything.
 */
import { readFileSync } from 'node:fs';
import { watchConfigFile } from './config-watch';
import { parseArgs } from 'node:util';
import { consoleLogger } from '../../lambdas/runtime/console-logger';
import { LOCAL_ATTACH_TARGETS } from './distribution';
import { startLocalStack } from './stack';

async function main(): Promise<void> {
  // Lambda runs Node 22; on an older local Node the SDK's support notice is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      config: { type: 'string' },
      secrets: { type: 'string' },
      'data-dir': { type: 'string' },
      distribution: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${values.port ?? process.env.PORT}" is not a port number`);
  const configFile = values.config;
  const configText = configFile !== undefined ? readConfigText(configFile) : undefined;
  const distribution = values.distribution !== undefined ? (JSON.parse(readFileSync(values.distribution, 'utf8')) as object) : undefined;
  const secrets = values.secrets !== undefined ? (JSON.parse(readFileSync(values.secrets, 'utf8')) as Record<string, string>) : undefined;

  const stack = await startLocalStack({
    port,
    ...(configText !== undefined && { configText }),
    ...(secrets !== undefined && { secrets }),
    ...(values['data-dir'] !== undefined && { dataDir: values['data-dir'] }),
    ...(distribution !== undefined && { distribution: { config: distribution } }),
    ...(!values.quiet && { log: consoleLogger }),
  });
  console.log(
    [
      '',
      'edge-oauth local stack is running',
      `  protected site      ${stack.siteUrl}/   (or ${stack.siteUrl.replace('127.0.0.1', 'localhost')}/)`,
      stack.idp !== undefined ? `  dev identity provider ${stack.idp.issuer}  (any email signs in there; the allow-list decides)` : `  provider(s)         ${stack.config.providers.map((p) => p.id).join(', ')}`,
      `  DynamoDB Local      ${stack.endpoints.dynamodb}   (tables: ${Object.values(stack.config.aws.tables).join(', ')})`,
      `  Secrets Manager     ${stack.endpoints.secretsManager}`,
      ...(stack.config.admin.emails.length > 0 ? [`  admin console       ${stack.siteUrl}/auth/admin   (as ${stack.config.admin.emails.join(', ')})`] : []),
      `  demo origin         ${stack.origin.url}   (verifies the identity assertion against ${stack.siteUrl}/auth/.well-known/jwks.json)`,
      '',
      `  CLI:  npx edge-oauth users list --endpoint ${stack.endpoints.dynamodb}`,
      ...(stack.cognito !== undefined
        ? [
            `  Cognito stand-in    ${stack.cognito.emulator.endpoint}   (user pools ${[...stack.cognito.pools.values()].join(', ')}; invitations are printed here, as Cognito would email them)`,
            `  CLI:  npx edge-oauth users invite you@example.com --config ${configFile} --endpoint ${stack.endpoints.dynamodb} \\`,
            `          --secrets-endpoint ${stack.endpoints.secretsManager} --cognito-endpoint ${stack.cognito.emulator.endpoint}`,
          ]
        : []),
      ...(stack.distribution !== undefined
        ? [
            `  distribution        ${stack.distribution.id} on the local CloudFront API ${stack.distribution.api.endpoint}`,
            `  CLI:  npx edge-oauth attach --distribution-id ${stack.distribution.id} --endpoint ${stack.distribution.api.endpoint} \\`,
            `          --viewer-request-arn ${LOCAL_ATTACH_TARGETS.viewerRequestVersionArn} --callback-domain ${LOCAL_ATTACH_TARGETS.callbackDomainName} --oac-id ${LOCAL_ATTACH_TARGETS.originAccessControlId}`,
          ]
        : []),
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  // The stand-in has no mail: its invitations (Cognito emails a temporary password) are shown here.
  stack.cognito?.emulator.onInvitation((i) => console.log(`[cognito] invitation to ${i.email}: temporary password ${i.temporaryPassword} (Cognito would email it)`));
  if (configFile !== undefined) watchConfigFile(configFile, configText!, stack, { out: console.log, err: console.error });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping...');
    void stack.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`--config: cannot read ${file} (${(error as { code?: string }).code ?? 'unknown error'})`);
  }
}

main().catch((error: unknown) => {
  console.error(`edge-oauth local stack: ${(error as Error).message}`);
  process.exit(1);
});
