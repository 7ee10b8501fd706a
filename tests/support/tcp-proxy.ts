/**
 * A TCP relay on 127.0.0.1 in front of a server, so a test can cut every
 * connection through it at once, as a network fault would, while the server
 * itself keeps running.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Connections open through the relay now. */
  readonly open: number;
  /** Destroys every connection through the relay (new ones are still accepted). */
  cutAll(): void;
  /** While on, new connections are closed at once, as by a network that is down. */
  refuse(on: boolean): void;
  /** While on, new connections are accepted and never answered, as by a server that hangs. */
  stall(on: boolean): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let refusing = false;
  let stalling = false;
  const held = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    if (stalling) {
      held.add(client);
      client.on('error', () => undefined).on('close', () => held.delete(client));
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    get open() {
      return pairs.size;
    },
    cutAll() {
      for (const [a, b] of [...pairs]) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
    },
    refuse(on: boolean) {
      refusing = on;
    },
    stall(on: boolean) {
      stalling = on;
    },
    async close() {
      for (const c of held) c.destroy();
      for (const [a, b] of [...pairs]) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
