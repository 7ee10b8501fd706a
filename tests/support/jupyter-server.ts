/**
 * A real Jupyter Server (Debian's python3-jupyter-server, 1.23) started by a
 * test on 127.0.0.1 with a token and a temporary root folder. It stands in for
 * every gateway Duet speaks to (Kernel Gateway and Enterprise Gateway serve the
 * same `/api/kernels` API). Stopped by `close()`, which also kills the kernels
 * it started, even when the test failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from './ports.ts';

/** Debian's interpreter, which has jupyter_server (a pyenv python3 on PATH may not). */
export const JUPYTER_PYTHON = '/usr/bin/python3';

export interface JupyterServerOptions {
  /** Folders searched for kernelspecs before the system's (`JUPYTER_PATH`). */
  jupyterPath?: string[];
  /** More `--Class.trait=value` arguments. */
  args?: string[];
}

export interface JupyterServerHandle {
  /** `http://127.0.0.1:PORT` */
  url: string;
  token: string;
  /** The server's root folder: kernels started without a path work here. */
  rootDir: string;
  /** The server's own process id. */
  pid: number;
  /** The kernels the server lists now (`GET /api/kernels`). */
  kernels(): Promise<Array<{ id: string; name: string; execution_state: string }>>;
  /** The tail of the server's log. */
  readonly log: string;
  close(): Promise<void>;
}


/** Starts Jupyter Server; resolves once `/api/status` answers with the token. */
export async function startJupyterServer(o: JupyterServerOptions = {}): Promise<JupyterServerHandle> {
  const rootDir = await mkdtemp(join(tmpdir(), 'duet-jupyter-'));
  const token = randomBytes(16).toString('hex');
  const port = await freePort();
  const args = [
    '-m',
    'jupyter_server',
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    `--ServerApp.token=${token}`,
    `--ServerApp.port=${port}`,
    '--ServerApp.ip=127.0.0.1',
    '--ServerApp.port_retries=0',
    '--ServerApp.open_browser=False',
    `--ServerApp.root_dir=${rootDir}`,
    ...(o.args ?? []),
  ];
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: rootDir, JUPYTER_PLATFORM_DIRS: '1', JUPYTER_RUNTIME_DIR: join(rootDir, '.runtime') };
  if (o.jupyterPath) env.JUPYTER_PATH = o.jupyterPath.join(':');
  // In the root folder: a kernel started without a path inherits the server's working directory (jupyter_client passes no cwd).
  const child: ChildProcess = spawn(JUPYTER_PYTHON, args, { stdio: ['ignore', 'ignore', 'pipe'], env, cwd: rootDir, detached: true });
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-20_000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const auth = { Authorization: `token ${token}` };

  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      // SIGTERM lets the server shut its kernels down; the group kill catches any it left.
      child.kill('SIGTERM');
      const timer = setTimeout(() => killGroup(child.pid as number, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      killGroup(child.pid, 'SIGKILL');
    }
    await rm(rootDir, { recursive: true, force: true });
  };

  for (;;) {
    const step = await Promise.race([
      exited.then(() => 'exited' as const),
      fetch(`${url}/api/status`, { headers: auth }).then(
        (res) => (res.ok ? ('ready' as const) : ('wait' as const)),
        () => 'wait' as const,
      ),
    ]);
    if (step === 'ready') break;
    if (step === 'exited') {
      await close();
      throw new Error(`jupyter_server exited (${child.exitCode}): ${log.trim().split('\n').slice(-5).join('\n')}`);
    }
    // Not listening yet: ask again on the next turn of a short timer (this waits for a port, not for an event Duet makes).
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    token,
    rootDir,
    pid: child.pid ?? -1,
    get log() {
      return log;
    },
    async kernels() {
      const res = await fetch(`${url}/api/kernels`, { headers: auth });
      if (!res.ok) throw new Error(`GET /api/kernels: ${res.status}`);
      return (await res.json()) as Array<{ id: string; name: string; execution_state: string }>;
    },
    close,
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** One Jupyter Server for a test file: started before its tests, stopped after them. */
export function useJupyterServer(o: JupyterServerOptions = {}): () => JupyterServerHandle {
  let server: JupyterServerHandle | null = null;
  beforeAll(async () => {
    server = await startJupyterServer(o);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  }, 30_000);
  return () => {
    if (!server) throw new Error('the Jupyter Server did not start');
    return server;
  };
}
