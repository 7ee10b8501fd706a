/**
 * `duet serve` in a child process for the server benchmark (so its memory and
 * its event loop are its own, as Jupyter Server's are), and a minimal client
 * of a notebook's WebSocket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { waitForServeUrl } from '@duet/server';
import type { ClientCommand, DocumentEvent, NotebookSnapshot, ServerMessage } from '@duet/server/protocol';

/** The compiled server, as `npx duet` runs it after `npm install` or `npm run build` (never tsx). */
const DUET_DIST = fileURLToPath(new URL('../../apps/server/dist/duet.js', import.meta.url));

export interface DuetChild {
  base: string;
  token: string;
  pid: number;
  api(method: string, path: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** Starts `duet serve` on an ephemeral loopback port with a temporary notebooks folder. */
export async function startDuetChild(python: string): Promise<DuetChild> {
  if (!existsSync(DUET_DIST)) throw new Error(`The server is not built (no ${DUET_DIST}). Run \`npm run build\` from the repository root, or \`npm run bench\`, which builds first.`);
  const dir = await mkdtemp(join(tmpdir(), 'duet-bench-server-'));
  const token = randomBytes(16).toString('hex');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DUET_')));
  const child: ChildProcess = spawn(
    process.execPath,
    [DUET_DIST, 'serve', '--port', '0', '--notebooks', join(dir, 'notebooks'), '--python', python, '--base-url', 'demo', '--token', token, '--allow-unsandboxed', '--log-level', 'warn'],
    { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const { port } = await waitForServeUrl(child);
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    token,
    pid: child.pid ?? -1,
    async api(method, path, body) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `token ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? (JSON.parse(text) as unknown) : undefined;
    },
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A notebook's WebSocket: the snapshot, then a callback per event. */
export class DuetSocket {
  snapshot!: NotebookSnapshot;
  #listeners = new Set<(e: DocumentEvent) => void>();

  private constructor(readonly ws: WebSocket) {}

  static open(server: DuetChild, name: string): Promise<DuetSocket> {
    const ws = new WebSocket(`${server.base.replace('http', 'ws')}/api/notebooks/${encodeURIComponent(name)}/ws`, { headers: { Authorization: `token ${server.token}` } });
    const socket = new DuetSocket(ws);
    return new Promise((resolve, reject) => {
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as ServerMessage;
        if (m.type === 'snapshot') {
          socket.snapshot = m.notebook;
          resolve(socket);
        } else if (m.type === 'event') {
          for (const fn of socket.#listeners) fn(m.event);
        } else {
          reject(new Error(m.message));
        }
      });
      ws.once('error', reject);
    });
  }

  send(cmd: ClientCommand): void {
    this.ws.send(JSON.stringify(cmd));
  }

  /** Resolves with the first event `match` accepts. */
  next<T extends DocumentEvent>(match: (e: DocumentEvent) => e is T): Promise<T>;
  next(match: (e: DocumentEvent) => boolean): Promise<DocumentEvent>;
  next(match: (e: DocumentEvent) => boolean): Promise<DocumentEvent> {
    return new Promise((resolve) => {
      const fn = (e: DocumentEvent): void => {
        if (!match(e)) return;
        this.#listeners.delete(fn);
        resolve(e);
      };
      this.#listeners.add(fn);
    });
  }

  close(): void {
    this.ws.close();
  }
}
