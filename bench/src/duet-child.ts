/**
 * `duet serve` in a child process for the server benchmark (so its memory and
 * its event loop are its own, as Jupyter Server's are), and a minimal client
 * of a notebook's WebSocket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { waitForServeUrl } from '@duet/server';
import type { ClientCommand, DocumentEvent, NotebookSnapshot, ServerMessage } from '@duet/server/protocol';

/** The compiled server, as `npx duet` runs it after `npm install` or `npm run build` (never tsx). */
const DIST_URL = new URL('../../apps/server/dist/', import.meta.url);
const DUET_DIST = fileURLToPath(new URL('duet.js', DIST_URL));
/** npm's link to apps/server/bin/duet.js, which `npx duet` and `npm start` run: its shebang gives node the server's V8 flags. */
const DUET_BIN = fileURLToPath(new URL('../../node_modules/.bin/duet', import.meta.url));

/** The node flags bin/duet.js's shebang gives the server, e.g. `--max-semi-space-size=1`; empty when it has none. */
export function duetNodeFlags(): string {
  const shebang = readFileSync(DUET_BIN, 'utf8').split('\n', 1)[0] ?? '';
  return /\bnode\b(.*)$/.exec(shebang)?.[1]?.trim() ?? '';
}

/** True when the build is newer than every source it lists, so bin/duet.js runs it rather than the sources through tsx. */
function distIsFresh(): boolean {
  try {
    const built = statSync(DUET_DIST).mtimeMs;
    const inputs = JSON.parse(readFileSync(new URL('inputs.json', DIST_URL), 'utf8')) as string[];
    return inputs.every((p) => statSync(new URL(p, DIST_URL)).mtimeMs <= built);
  } catch {
    return false;
  }
}

export interface DuetChild {
  base: string;
  token: string;
  pid: number;
  api(method: string, path: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** Starts `duet serve` on an ephemeral loopback port with a temporary notebooks folder. */
export async function startDuetChild(python: string): Promise<DuetChild> {
  if (!distIsFresh()) throw new Error(`The server is not built, or its build is older than its sources (${DUET_DIST}). Run \`npm run build\` from the repository root, or \`npm run bench\`, which builds first.`);
  if (!existsSync(DUET_BIN)) throw new Error(`No ${DUET_BIN}: run \`npm install\` from the repository root.`);
  const dir = await mkdtemp(join(tmpdir(), 'duet-bench-server-'));
  const token = randomBytes(16).toString('hex');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DUET_')));
  // Through npm's link, as `npx duet serve` starts it: the kernel reads the shebang, and the server runs with its flags.
  const child: ChildProcess = spawn(
    DUET_BIN,
    ['serve', '--port', '0', '--notebooks', join(dir, 'notebooks'), '--python', python, '--base-url', 'demo', '--token', token, '--allow-unsandboxed', '--log-level', 'warn'],
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
