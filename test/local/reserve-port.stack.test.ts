/**
 * `npm start` must not hang when something connects to the site's port while the stack
 * starts (issue #16, defect 1): the port reservation used to wait in `server.close()` for
 * that connection to end, and a client that never hangs up kept it waiting forever.
 */
import { connect, type Socket } from 'node:net';
import { reservePort } from '../../local/stack/reserve-port';
import { freePort } from '../../local/emulators/dynamodb/dynamodb-local';
import { startLocalStack } from '../../local/stack/stack';
import { testDynamoEndpoint } from '../support/dynamodb';

/** Resolves with the promise's value, or rejects after `ms` naming what hung. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Opens a connection and never sends or closes anything (a tab waiting, a health check). */
function idleClient(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve(socket));
    socket.once('close', () => resolve(socket));
  });
}

describe('the port reservation of the local stack', () => {
  test('a client that connects and never hangs up does not hold the release', async () => {
    const reserved = await reservePort(0);
    const clients = await Promise.all([idleClient(reserved.port), idleClient(reserved.port)]);
    await within(reserved.release(), 3000, 'release()');
    // The port is free again: binding it succeeds.
    const again = await reservePort(reserved.port);
    await again.release();
    for (const c of clients) c.destroy();
  });

  test('the whole stack starts while clients keep connecting to the site port', async () => {
    const port = await freePort();
    let stop = false;
    const clients: Socket[] = [];
    const hammer = (async () => {
      while (!stop) {
        clients.push(await idleClient(port));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      const stack = await within(startLocalStack({ port, dynamoEndpoint: testDynamoEndpoint() }), 60_000, 'startLocalStack');
      stop = true;
      await hammer;
      const res = await fetch(`${stack.siteUrl}/`, { redirect: 'manual' });
      expect(res.status).toBe(401); // a fetch() without a session: the edge answered
      await stack.close();
    } finally {
      stop = true;
      for (const c of clients) c.destroy();
    }
  }, 90_000);
});
