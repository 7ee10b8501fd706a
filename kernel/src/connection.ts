/**
 * Connection info for a kernel Duet starts itself: a fresh random key, HMAC-SHA256,
 * and either free TCP ports on 127.0.0.1 or ipc sockets in a private directory
 * (a kernel without a network namespace of its own cannot use TCP).
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
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

export async function createConnectionInfo(transport: 'tcp' | 'ipc', runtimeDir: string): Promise<ConnectionInfo> {
  const key = randomBytes(32).toString('hex');
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
 * Asks the OS for free loopback ports by binding port 0. All listeners are held
 * open until every port is known, so the same port is not handed out twice.
 */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<import('node:net').Server>((resolve, reject) => {
        const s = createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => resolve(s));
      }),
    ),
  );
  const ports = servers.map((s) => {
    const addr = s.address();
    if (addr === null || typeof addr === 'string') throw new Error('unexpected listener address');
    return addr.port;
  });
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}
