/**
 * The peer of the server and gateway benchmarks: Jupyter Server (Debian's `jupyter-server`
 * package) started on loopback, driven over its REST API and its kernel
 * channels WebSocket as JupyterLab drives it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';

export interface JupyterServer {
  base: string;
  token: string;
  pid: number;
  version: string;
  close(): Promise<void>;
}

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Starts `python -m jupyter_server` on loopback with a temporary root folder; resolves when /api/status answers. */
export async function startJupyterServer(python: string): Promise<JupyterServer> {
  const root = await mkdtemp(join(tmpdir(), 'duet-bench-jupyter-'));
  const token = randomBytes(16).toString('hex');
  const port = await freePort();
  const child: ChildProcess = spawn(
    python,
    ['-m', 'jupyter_server', ...(process.getuid?.() === 0 ? ['--allow-root'] : []), `--ServerApp.token=${token}`, '--port', String(port), '--ip', '127.0.0.1', '--no-browser', `--ServerApp.root_dir=${root}`, '--ServerApp.port_retries=0'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, JUPYTER_PLATFORM_DIRS: '1' } },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await rm(root, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await close();
      throw new Error(`jupyter_server exited (${child.exitCode}): ${stderr.trim().split('\n').slice(-3).join(' ')}`);
    }
    try {
      const res = await fetch(`${base}/api/status`, { headers: { Authorization: `token ${token}` } });
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error('jupyter_server did not answer within 30 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const version = ((await (await fetch(`${base}/api`, { headers: { Authorization: `token ${token}` } })).json()) as { version?: string }).version ?? '?';
  return { base, token, pid: child.pid ?? -1, version, close };
}

/** One kernel of a Jupyter Server and its channels WebSocket. */
export class JupyterKernel {
  readonly #pending = new Map<string, { reply: boolean; idle: boolean; done: () => void; fail: (e: Error) => void }>();
  readonly #session = randomUUID();

  private constructor(
    readonly id: string,
    readonly ws: WebSocket,
  ) {
    ws.on('message', (data) => this.#receive(JSON.parse(data.toString()) as WireMsg));
  }

  /** POST /api/kernels, then the channels WebSocket. */
  static async create(server: JupyterServer): Promise<JupyterKernel> {
    const auth = { Authorization: `token ${server.token}` };
    const res = await fetch(`${server.base}/api/kernels`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"name":"python3"}' });
    if (!res.ok) throw new Error(`POST /api/kernels: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    const ws = new WebSocket(`${server.base.replace('http', 'ws')}/api/kernels/${id}/channels?session_id=${randomUUID()}`, { headers: auth });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new JupyterKernel(id, ws);
  }

  /** Sends execute_request; resolves once both execute_reply and the kernel's idle for it have arrived. */
  execute(code: string): Promise<void> {
    return this.#request('execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
  }

  /** Sends kernel_info_request; resolves once kernel_info_reply has arrived (the kernel is then ready, as jupyter_client's wait_for_ready has it). */
  kernelInfo(): Promise<void> {
    return this.#request('kernel_info_request', {}, false);
  }

  #request(msgType: string, content: Record<string, unknown>, awaitIdle = true): Promise<void> {
    const msgId = randomUUID();
    const done = new Promise<void>((resolve, reject) => this.#pending.set(msgId, { reply: false, idle: !awaitIdle, done: resolve, fail: reject }));
    this.ws.send(
      JSON.stringify({
        header: { msg_id: msgId, username: 'bench', session: this.#session, msg_type: msgType, version: '5.3', date: new Date().toISOString() },
        parent_header: {},
        metadata: {},
        content,
        channel: 'shell',
        buffers: [],
      }),
    );
    return done;
  }

  async delete(server: JupyterServer): Promise<void> {
    this.ws.close();
    await fetch(`${server.base}/api/kernels/${this.id}`, { method: 'DELETE', headers: { Authorization: `token ${server.token}` } });
  }

  #receive(m: WireMsg): void {
    const p = this.#pending.get(m.parent_header?.msg_id ?? '');
    if (!p) return;
    if (m.channel === 'shell' && (m.header.msg_type === 'execute_reply' || m.header.msg_type === 'kernel_info_reply')) {
      p.reply = true;
      if (m.content?.status !== 'ok') p.fail(new Error(`${m.header.msg_type} status ${String(m.content?.status)}`));
    }
    if (m.channel === 'iopub' && m.header.msg_type === 'status' && m.content?.execution_state === 'idle') p.idle = true;
    if (p.reply && p.idle) {
      this.#pending.delete(m.parent_header?.msg_id ?? '');
      p.done();
    }
  }
}

interface WireMsg {
  channel: string;
  header: { msg_type: string };
  parent_header?: { msg_id?: string };
  content?: { status?: string; execution_state?: string };
}
