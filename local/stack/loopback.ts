/**
 * Listening on loopback and closing, for the local stack's HTTP servers (the Secrets
 * Manager and CloudFront API endpoints, the dev IdP, the demo origin): one copy.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on 127.0.0.1 (`port` 0: any free port) and answers the port it got. */
export async function listenOnLoopback(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/**
 * Closes the server and every open connection: `server.close()` alone waits for connections
 * that are sending a request or waiting for a response, so a client mid-request would hang the
 * close (Node.js docs, http › server.closeAllConnections(); docs/development.md).
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
