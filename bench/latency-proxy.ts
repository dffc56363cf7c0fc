/**
 * A TCP forwarder on loopback that adds a round-trip time: every chunk waits `rttMs / 2` in
 * each direction (order kept), and a new connection waits one round trip before its first
 * byte goes through (the TCP handshake; TLS's further round trips are not simulated, which
 * flatters the far case). For the far-edge bench (bench/far-edge.ts).
 */
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

export interface LatencyProxy {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Connections opened through it. */
  connections(): number;
  close(): Promise<void>;
}

export async function startLatencyProxy(target: string, rttMs: number): Promise<LatencyProxy> {
  const { hostname, port } = new URL(target);
  const oneWay = rttMs / 2;
  const sockets = new Set<Socket>();
  let opened = 0;
  const server = createServer((client) => {
    opened++;
    const upstream = createConnection({ host: hostname, port: Number(port) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    const readyAt = Date.now() + rttMs; // the handshake's round trip
    const forward = (from: Socket, to: Socket, firstHop: boolean) =>
      from.on('data', (chunk) => {
        const wait = Math.max(oneWay, firstHop ? readyAt - Date.now() + oneWay : 0);
        setTimeout(() => {
          if (!to.destroyed) to.write(chunk);
        }, wait);
      });
    forward(client, upstream, true);
    forward(upstream, client, false);
    client.on('close', () => setTimeout(() => upstream.destroy(), oneWay));
    upstream.on('close', () => setTimeout(() => client.destroy(), oneWay));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => opened,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
