/**
 * Connection info for a kernel Duet starts itself: a fresh random key, HMAC-SHA256,
 * and either free TCP ports on 127.0.0.1 (outside the ephemeral range) or ipc
 * sockets in a private directory (a kernel without a network namespace of its own
 * cannot use TCP).
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';

export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: 'hmac-sha256';
  kernel_name: string;
}

export type ChannelKey = 'shell' | 'iopub' | 'stdin' | 'control' | 'hb';

/** The ZeroMQ endpoint of one channel, as ipykernel computes it. */
export function endpoint(info: ConnectionInfo, channel: ChannelKey): string {
  const port = info[`${channel}_port`];
  return info.transport === 'tcp' ? `tcp://${info.ip}:${port}` : `ipc://${info.ip}-${port}`;
}

/** The socket files of an ipc kernel, one per channel ([] for tcp). */
export function socketPaths(info: ConnectionInfo): string[] {
  if (info.transport !== 'ipc') return [];
  return (['shell', 'iopub', 'stdin', 'control', 'hb'] as const).map((channel) => `${info.ip}-${info[`${channel}_port`]}`);
}

/**
 * `key` is a fresh random one unless given: a kernel behind a gateway's proxy
 * takes the gateway's, so messages pass through unchanged (see KernelProxy).
 */
export async function createConnectionInfo(transport: 'tcp' | 'ipc', runtimeDir: string, key: string = randomBytes(32).toString('hex')): Promise<ConnectionInfo> {
  const base = { key, signature_scheme: 'hmac-sha256' as const, kernel_name: 'python3' };
  if (transport === 'ipc') {
    // ipc "ports" are only suffixes of the socket path.
    return { ...base, transport, ip: join(runtimeDir, 'kernel'), shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5 };
  }
  const [shell, iopub, stdin, control, hb] = await freePorts(5);
  return { ...base, transport, ip: '127.0.0.1', shell_port: shell!, iopub_port: iopub!, stdin_port: stdin!, control_port: control!, hb_port: hb! };
}

export async function writeConnectionFile(path: string, info: ConnectionInfo): Promise<void> {
  await writeFile(path, JSON.stringify(info, null, 2), { mode: 0o600 });
}

/**
 * Ports handed out lately. A port is free only until its kernel binds it, and
 * the next session started meanwhile must not be given it too; two kernels on
 * one port would see each other's messages. Bounded, oldest first out.
 */
const recentPorts = new Set<number>();
const RECENT_PORTS_KEPT = 2048;

function remember(port: number): void {
  recentPorts.add(port);
  if (recentPorts.size > RECENT_PORTS_KEPT) {
    const oldest = recentPorts.values().next().value;
    if (oldest !== undefined) recentPorts.delete(oldest);
  }
}

/**
 * Kernel ports come from below the OS's ephemeral range (Linux 32768–60999, macOS
 * 49152–65535). Ports in that range are what the OS gives every outgoing
 * connection: while a kernel is still starting, our own sockets reconnect to its
 * ports, and one of them can take (or, TCP simultaneous open, connect to itself
 * on) a port another starting kernel is about to bind, which then fails with
 * "Address already in use". Nothing takes a port from this pool unasked.
 */
const POOL_FROM = 20_000;
const POOL_TO = 32_767;

/**
 * Finds free loopback ports by listening on them. All listeners are held open
 * until every port is known, so one call never hands out a port twice; the
 * recent-ports set keeps calls in quick succession apart.
 */
async function freePorts(n: number): Promise<number[]> {
  const held: Server[] = [];
  try {
    for (let attempt = 0; held.length < n; attempt++) {
      if (attempt > 500) throw new Error(`could not find ${n} free loopback ports between ${POOL_FROM} and ${POOL_TO} for the kernel`);
      const port = POOL_FROM + Math.floor(Math.random() * (POOL_TO - POOL_FROM + 1));
      if (recentPorts.has(port)) continue;
      const server = await listenOn(port);
      if (server) held.push(server);
    }
    const ports = held.map((s) => (s.address() as AddressInfo).port);
    for (const port of ports) remember(port);
    return ports;
  } finally {
    await Promise.all(held.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

/** A listener on 127.0.0.1:port, or null when the port is taken. */
function listenOn(port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}
