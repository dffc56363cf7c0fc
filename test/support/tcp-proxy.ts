/**
 * A TCP forwarder on loopback, to take a real peer away and bring it back: `close()` leaves a
 * closed port (connections refused, open ones cut), `reopen()` listens on the same port again;
 * `hang()` keeps accepting connections but forwards nothing (a peer that stopped answering),
 * `unhang()` forwards again.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  close(): Promise<void>;
  reopen(): Promise<void>;
  hang(): void;
  unhang(): void;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let hanging = false;

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer((client) => {
        if (hanging) {
          // Accept and read, never answer.
          sockets.add(client);
          client.on('close', () => sockets.delete(client));
          client.on('error', () => client.destroy());
          client.resume();
          return;
        }
        const upstream = createConnection({ host: hostname, port: Number(targetPort) });
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => socket.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        server = s;
        resolve((s.address() as AddressInfo).port);
      });
    });

  const port = await listen(0);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (server === undefined) return resolve();
        server.close(() => resolve());
        server = undefined;
      }),
    reopen: async () => {
      await listen(port);
    },
    hang: () => {
      hanging = true;
      // Open (keep-alive) connections are cut, so the client's next call opens one that hangs.
      for (const socket of sockets) socket.destroy();
    },
    unhang: () => {
      hanging = false;
      for (const socket of sockets) socket.destroy();
    },
  };
}
