/**
 * The connection file a gateway (Jupyter Server, Kernel Gateway, Enterprise
 * Gateway) writes for a kernel it starts through a kernelspec: where the kernel
 * must listen, and the key its messages are signed with.
 */
import { readFile } from 'node:fs/promises';
import type { ConnectionInfo } from './connection.ts';

/** The connection file cannot be used; the message says why and what to change. */
export class ConnectionFileError extends Error {
  override readonly name = 'ConnectionFileError';
}

const PORTS = ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'] as const;

/** Reads and checks a gateway's connection file. */
export async function readConnectionFile(path: string): Promise<ConnectionInfo> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConnectionFileError(`cannot read the connection file ${path}: ${(err as Error).message}. The gateway passes it as {connection_file} in the kernelspec's argv.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConnectionFileError(`the connection file ${path} is not JSON.`);
  }
  return parseConnectionInfo(raw, path);
}

/** Checks the fields of a connection file's JSON. */
export function parseConnectionInfo(raw: unknown, path: string): ConnectionInfo {
  if (typeof raw !== 'object' || raw === null) throw new ConnectionFileError(`the connection file ${path} is not a JSON object.`);
  const o = raw as Record<string, unknown>;
  const transport = o.transport ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'ipc') throw new ConnectionFileError(`the connection file ${path} has transport ${JSON.stringify(transport)}; only tcp and ipc exist.`);
  if (typeof o.ip !== 'string' || o.ip === '') throw new ConnectionFileError(`the connection file ${path} has no ip.`);
  const ports = {} as Record<(typeof PORTS)[number], number>;
  for (const name of PORTS) {
    const port = o[name];
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConnectionFileError(`the connection file ${path} has no usable ${name} (${JSON.stringify(port)}): the gateway must choose the ports before it starts the kernel.`);
    }
    ports[name] = port;
  }
  const key = o.key ?? '';
  if (typeof key !== 'string') throw new ConnectionFileError(`the connection file ${path} has a key that is not a string.`);
  const scheme = o.signature_scheme ?? 'hmac-sha256';
  if (scheme !== 'hmac-sha256') {
    throw new ConnectionFileError(
      `the connection file ${path} asks for signature scheme ${JSON.stringify(scheme)}; Duet's kernel signs with hmac-sha256 ` +
        '(the Jupyter default). Set Session.signature_scheme to hmac-sha256 in the gateway\'s configuration.',
    );
  }
  const kernelName = typeof o.kernel_name === 'string' ? o.kernel_name : 'python3';
  return { transport, ip: o.ip, ...ports, key, signature_scheme: 'hmac-sha256', kernel_name: kernelName };
}
