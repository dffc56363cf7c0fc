/**
 * Holding a port while the local stack starts (the IdP and the origin need the site's URL
 * before the emulator can bind it): a free port picked now and bound later could be taken
 * in between.
 *
 * `server.close()` on a `net.Server` waits for every open connection to end
 * (https://nodejs.org/api/net.html#serverclosecallback: "stops the server from accepting
 * new connections and keeps existing connections"). A browser tab reloading, a health check
 * or a script waiting for the port would connect and never hang up, and `npm start` waited
 * forever (issue #16, defect 1). So a connection to the reserved port is refused at once
 * (destroyed: the client sees a reset and retries, as it would on a closed port), and any
 * still open are destroyed on release.
 */
import { createServer, type Socket } from 'node:net';

export interface ReservedPort {
  readonly port: number;
  /** Stops holding the port; resolves once it is free, whatever connected meanwhile. */
  release(): Promise<void>;
}

/** Binds `wanted` (0 = any free port) on 127.0.0.1 and keeps it until `release()`. */
export async function reservePort(wanted: number, host = '127.0.0.1'): Promise<ReservedPort> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wanted, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  let released: Promise<void> | undefined;
  return {
    port,
    release: () =>
      (released ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
}
