import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Gateway, RemoteKernel, detectSandbox, type ExecuteEvent, type ExecuteResult } from '@duet/kernel';
import { JUPYTER_PYTHON, startJupyterServer, type JupyterServerHandle } from '../support/jupyter-server.ts';
import { isRunning, processTree } from '../support/processes.ts';

/**
 * `duet kernelspec install` on a real Jupyter Server: the server starts Duet's
 * sandboxed kernel through the kernelspec, and code sent over its channels
 * WebSocket runs in the sandbox, in the folder the server chose. What the sandbox
 * stops is judged from outside where it can be: the file that is not there, the
 * listener no connection reached, the processes that are gone.
 */

const run = promisify(execFile);
const DUET = fileURLToPath(new URL('../../apps/server/bin/duet.js', import.meta.url));
const NAME = 'duet-sandboxed';
const detection = await detectSandbox(JUPYTER_PYTHON);
const modes = detection.available.filter((m) => m === 'bwrap' || m === 'landlock');
if (modes.length === 0) console.info(`kernelspec tests skipped: no sandbox here\n  ${detection.notes.join('\n  ')}`);

interface Ran {
  result: ExecuteResult;
  text: string;
}

/** Everything a cell printed or raised, as text. */
function eventText(e: ExecuteEvent): string {
  if (e.kind !== 'output') return '';
  const o = e.output;
  if (o.output_type === 'stream') return o.text;
  if (o.output_type === 'error') return `${o.ename}: ${o.evalue}\n`;
  const plain = o.data['text/plain'];
  return typeof plain === 'string' ? `${plain}\n` : '';
}



function readFileOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The `duet kernel` process Jupyter Server started for kernel `id` (its connection file is named after the id). */
function shimOf(id: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = readFileOr(`/proc/${entry}/cmdline`).split('\0');
    if (argv.includes(DUET) && argv.includes('kernel') && argv.some((a) => a.endsWith(`kernel-${id}.json`))) return Number(entry);
  }
  throw new Error(`no duet kernel process for kernel ${id}`);
}

describe.skipIf(modes.length === 0).each(modes)('duet kernelspec install --sandbox %s, on a real Jupyter Server', (mode) => {
  let prefix = '';
  let server: JupyterServerHandle | null = null;
  let kernel: RemoteKernel | null = null;
  let installOutput = '';

  /** Runs a cell in the kernel the server started. */
  async function cell(code: string, onEvent?: (e: ExecuteEvent) => void): Promise<Ran> {
    if (!kernel) throw new Error('the kernel did not start');
    let text = '';
    const result = await kernel.send(code, {
      onEvent: (e) => {
        text += eventText(e);
        onEvent?.(e);
      },
    });
    return { result, text };
  }

  beforeAll(async () => {
    prefix = await mkdtemp(join(tmpdir(), 'duet-kernelspec-'));
    const installed = await run(process.execPath, [DUET, 'kernelspec', 'install', '--prefix', prefix, '--sandbox', mode, '--python', JUPYTER_PYTHON]);
    installOutput = installed.stdout;
    await run(process.execPath, [DUET, 'kernelspec', 'install', '--prefix', prefix, '--name', 'duet-small', '--sandbox', mode, '--python', JUPYTER_PYTHON, '--max-files', '50']);
    server = await startJupyterServer({ jupyterPath: [join(prefix, 'share', 'jupyter')] });
    kernel = new RemoteKernel({ gateway: new Gateway({ url: server.url, token: server.token }), kernelName: NAME, workdir: '/irrelevant' });
    await kernel.start();
  }, 120_000);

  afterAll(async () => {
    await kernel?.shutdown().catch(() => undefined);
    await server?.close();
    if (prefix) await rm(prefix, { recursive: true, force: true });
  }, 60_000);

  it('installs a kernelspec that runs duet kernel with a message interrupt', async () => {
    const spec = JSON.parse(await readFile(join(prefix, 'share', 'jupyter', 'kernels', NAME, 'kernel.json'), 'utf8')) as { argv: string[]; interrupt_mode: string };
    expect(spec.argv.slice(0, 5)).toEqual([process.execPath, DUET, 'kernel', '--connection-file', '{connection_file}']);
    expect(spec.argv.slice(5)).toEqual(['--sandbox', mode, '--python', JUPYTER_PYTHON]);
    expect(spec.interrupt_mode).toBe('message');
    expect(installOutput).toContain(`in the ${mode} sandbox`);
    expect(installOutput).toContain(`--kernel-name ${NAME}`);
  });

  it('runs code, in the folder the server chose', async () => {
    const ran = await cell('import os\nprint(1 + 1)\nprint(os.getcwd())\nopen("made-here.txt", "w").write("hi")');
    expect(ran.result.status).toBe('ok');
    const [sum, cwd] = ran.text.trim().split('\n');
    expect(sum).toBe('2');
    expect(cwd).toBe(server?.rootDir);
    expect(readFileSync(join(server?.rootDir ?? '', 'made-here.txt'), 'utf8')).toBe('hi');
  });

  it('refuses the network, and no connection reaches a listener on this machine', async () => {
    const canary: Server = createServer();
    let reached = 0;
    canary.on('connection', (s) => {
      reached++;
      s.destroy();
    });
    await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
    try {
      const port = (canary.address() as { port: number }).port;
      const direct = await cell('import socket\nsocket.create_connection(("1.1.1.1", 80), timeout=2)');
      expect(direct.result.status).toBe('error');
      expect(direct.text).toMatch(/Duet blocks .*network access/);
      const local = await cell(`import asyncio\nawait asyncio.open_connection("127.0.0.1", ${port})`);
      expect(local.result.status).toBe('error');
      expect(local.text).toMatch(/Duet blocks .*network access/);
      expect(reached).toBe(0);
    } finally {
      await new Promise<void>((r) => canary.close(() => r()));
    }
  });

  it('cannot write outside its folder: the file is not there', async () => {
    const outside = join('/var/tmp', `duet-escape-${randomBytes(6).toString('hex')}`);
    try {
      const ran = await cell(`open(${JSON.stringify(outside)}, "w").write("escaped")`);
      expect(ran.result.status).toBe('error');
      expect(ran.text).toMatch(/PermissionError|Duet blocks|Read-only|No such file/);
      expect(existsSync(outside)).toBe(false);
      const etc = await cell('open("/etc/duet-escape", "w").write("escaped")');
      expect(etc.result.status).toBe('error');
      expect(existsSync('/etc/duet-escape')).toBe(false);
    } finally {
      await rm(outside, { force: true });
      await rm('/etc/duet-escape', { force: true }).catch(() => undefined);
    }
  });

  it('stops a busy loop when the server is asked to interrupt', async () => {
    let looping!: () => void;
    const started = new Promise<void>((r) => (looping = r));
    const running = cell('print("looping", flush=True)\nwhile True:\n    pass', (e) => {
      if (eventText(e).includes('looping')) looping();
    });
    await started;
    expect(await kernel?.interrupt()).toBe('signalled');
    const ran = await running;
    expect(ran.result.status).toBe('error');
    expect(ran.result.ename).toBe('KeyboardInterrupt');
    // The kernel is still there, and answers.
    expect((await cell('print(3 * 3)')).text.trim()).toBe('9');
  });

  it('takes SIGINT to duet kernel as an interrupt, not as the end', async () => {
    let looping!: () => void;
    const started = new Promise<void>((r) => (looping = r));
    const running = cell('print("looping", flush=True)\nwhile True:\n    pass', (e) => {
      if (eventText(e).includes('looping')) looping();
    });
    await started;
    process.kill(shimOf(kernel?.kernelId ?? ''), 'SIGINT');
    const ran = await running;
    expect(ran.result.ename).toBe('KeyboardInterrupt');
    expect((await cell('print(4 * 4)')).text.trim()).toBe('16');
  });

  it('stops a cell that goes past the disk limit, and says why', async () => {
    if (!server) throw new Error('the Jupyter Server did not start');
    const small = new RemoteKernel({ gateway: new Gateway({ url: server.url, token: server.token }), kernelName: 'duet-small', workdir: '/irrelevant' });
    try {
      await small.start();
      let text = '';
      const result = await small.send('import time\nfor i in range(100):\n    open(f"many-{i}", "w").close()\nwhile True:\n    time.sleep(0.05)', {
        onEvent: (e) => (text += eventText(e)),
      });
      expect(text).toContain('DiskLimit: Duet stopped this cell');
      expect(text).toContain('more than 50 files');
      expect(result.ename).toBe('KeyboardInterrupt');
    } finally {
      await small.shutdown().catch(() => undefined);
      for (let i = 0; i < 100; i++) await rm(join(server.rootDir, `many-${i}`), { force: true });
    }
  });

  it('leaves no duet kernel or Python process behind once the server deletes the kernel', async () => {
    const id = kernel?.kernelId;
    if (!id) throw new Error('the kernel has no id');
    const tree = processTree(shimOf(id));
    // duet kernel, bubblewrap's processes if any, and Python.
    expect(tree.some((pid) => readFileOr(`/proc/${pid}/cmdline`).includes('duet_kernel.py'))).toBe(true);
    await kernel?.shutdown();
    expect((await server?.kernels())?.map((k) => k.id)).not.toContain(id);
    // The server waited for its own child; what ran below it goes with it.
    await vi.waitFor(() => expect(tree.filter(isRunning)).toEqual([]), { timeout: 10_000, interval: 50 });
  });

  it('stops the kernel and leaves nothing behind when duet kernel gets SIGTERM', async () => {
    if (!server) throw new Error('the Jupyter Server did not start');
    const other = new RemoteKernel({ gateway: new Gateway({ url: server.url, token: server.token }), kernelName: NAME, workdir: '/irrelevant' });
    try {
      await other.start();
      const tree = processTree(shimOf(other.kernelId ?? ''));
      expect(tree.some((pid) => readFileOr(`/proc/${pid}/cmdline`).includes('duet_kernel.py'))).toBe(true);
      process.kill(tree[0] as number, 'SIGTERM');
      await vi.waitFor(() => expect(tree.filter(isRunning)).toEqual([]), { timeout: 10_000, interval: 50 });
    } finally {
      // The server's restarter may have started it again: this deletes whatever is there.
      await other.shutdown().catch(() => undefined);
    }
  });
});
