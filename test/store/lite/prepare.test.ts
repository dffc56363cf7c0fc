/**
 * What the viewer's init gets ready of the stores (lambdas/store/stores.ts `prepare`, through
 * the small client as the viewer bundle has it): two connections opened with an unsigned
 * `GET /` each, and nothing else sent: the day's signing key is derived and the stores'
 * request-building code is run without a request reaching the service. It resolves once the
 * connections have answered, also for a table region that cannot be reached, and never rejects.
 */
jest.mock('@aws-sdk/client-dynamodb', () => ({ ...jest.requireActual('@aws-sdk/client-dynamodb'), ...jest.requireActual('../../../lambdas/store/lite/dynamodb') }));

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dynamoStores } from '../../../lambdas/store/stores';
import { LOCAL_CREDENTIALS } from '../../../local/emulators/dynamodb/dynamodb-local';
import { testConfig } from '../../core/fixtures';
import { startSilentServer } from '../../support/silent-server';

/** A DynamoDB endpoint that records every request (method, target) and answers `GET /` as DynamoDB does. */
async function recording(): Promise<{ endpoint: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${req.headers['x-amz-target'] ?? ''}`.trim());
      res.writeHead(200, { 'content-type': 'text/plain' }).end('healthy: dynamodb.us-east-1.amazonaws.com');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { endpoint, seen, close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

for (const [kind, config] of [
  ['one region', testConfig()],
  ['global tables', testConfig({ aws: { region: 'us-east-1', replicaRegions: ['eu-west-1'] } })],
] as const) {
  test(`prepare (${kind}): two connections, an unsigned GET / each, and no request of the stores`, async () => {
    const peer = await recording();
    try {
      const stores = dynamoStores(config, { dynamodb: peer.endpoint, credentials: LOCAL_CREDENTIALS });
      await stores.prepare(2);
      expect(peer.seen).toEqual(['GET /', 'GET /']);
    } finally {
      await peer.close();
    }
  });
}

test('prepare resolves, without failing, for a region that refuses connections and for one that never answers', async () => {
  const silent = await startSilentServer();
  try {
    for (const endpoint of ['http://127.0.0.1:9', silent.endpoint]) {
      const stores = dynamoStores(testConfig(), { dynamodb: endpoint, credentials: LOCAL_CREDENTIALS }, { connectionTimeout: 300, requestTimeout: 300, deadlineMs: 500 });
      const started = Date.now();
      await expect(stores.prepare(1)).resolves.toBeUndefined();
      expect(Date.now() - started).toBeLessThan(3000);
    }
  } finally {
    await silent.close();
  }
});
