/**
 * A kernel's server as a process of its own: for attacks judged by what the
 * server process holds (its descriptors, its scheduling, its limits), and for
 * running the server the way an ordinary user would, since root hides some of
 * what a kernel could do to its user's other processes.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { KERNEL_PYTHON_DIR, type KernelOptions, type NbOutput, type SandboxLimits, type SandboxMode } from '@duet/kernel';
import { PYTHON } from './sandbox-harness.ts';

/** The unprivileged user `.ci/run` creates for these tests. */
export const ORDINARY_USER = 'duet-sandbox';

export interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/**
 * Who an "ordinary user" server runs as: as root, the CI user (found by name);
 * as anyone else, that user itself, who is ordinary already. Throws, saying how
 * to create it, when root lacks the user: root would hide what the test is for.
 */
export function ordinaryUser(): RunAs {
  const uid = process.getuid?.() ?? -1;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? -1, name: 'the current user' };
  let ids: string[];
  try {
    ids = execFileSync('id', ['-u', ORDINARY_USER], { encoding: 'utf8' }).trim().split(/\s+/);
    ids.push(execFileSync('id', ['-g', ORDINARY_USER], { encoding: 'utf8' }).trim());
  } catch {
    throw new Error(
      `These tests run a kernel's server as an ordinary user, and there is no user ${ORDINARY_USER}. ` +
        `As root, create it as .ci/run does: useradd --system --no-create-home --shell /usr/sbin/nologin ${ORDINARY_USER}`,
    );
  }
  return { uid: Number(ids[0]), gid: Number(ids[1]), name: ORDINARY_USER };
}

/** Where the server finds the descriptors it inherits (see {@link KernelHostOptions.inherit}). */
export const INHERITED_FROM = 40;

export interface KernelHostOptions {
  mode: SandboxMode;
  kernel?: KernelOptions;
  limits?: SandboxLimits;
  /** Run the server as {@link ordinaryUser}; otherwise as this process's user. */
  ordinary?: boolean;
  /**
   * Descriptors the server inherits, as from a terminal, IDE or service manager
   * that left them open: at 40, 41, …, past the low numbers that Node marks
   * close-on-exec as it starts (which would hide a leak rather than test for one).
   */
  inherit?: number[];
  /** Have the server start a process of its own user that is not the kernel: a bystander for attacks on other processes. */
  bystander?: boolean;
}

interface Started {
  pid: number;
  kernelPid: number;
  workdir: string;
  writable: string[];
  bystanderPid: number | null;
  uid: number;
}

export interface HostRun {
  status: string;
  ename?: string;
  outputs: NbOutput[];
  /** Set when the kernel died or the request failed. */
  error?: string;
}

/**
 * The server: starts one kernel session, then runs each cell it is sent, one
 * JSON line per command and per answer. It removes its workdir as it exits.
 */
const HOST_SCRIPT = `
import { KernelSession, sandboxLauncher } from '@duet/kernel';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
const opts = JSON.parse(process.env.DUET_HOST_OPTIONS);
const say = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
const workdir = mkdtempSync(join(tmpdir(), 'duet-host-work-'));
const bystander = opts.bystander ? spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' }) : null;
const session = new KernelSession({ python: opts.python, workdir, launcher: sandboxLauncher(opts.mode, opts.kernel ?? {}), ...(opts.limits ? { limits: opts.limits } : {}) });
const finish = async () => { await session.shutdown(); bystander?.kill('SIGKILL'); rmSync(workdir, { recursive: true, force: true }); process.exit(0); };
await session.start();
say({ event: 'started', pid: process.pid, kernelPid: session.pid, workdir, writable: session.writableRoots, bystanderPid: bystander?.pid ?? null, uid: process.getuid() });
for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line);
  if (cmd.run === undefined) break;
  try {
    const r = await session.run(cmd.run, { signal: AbortSignal.timeout(cmd.timeoutMs) });
    say({ event: 'ran', id: cmd.id, status: r.result.status, ename: r.result.ename, outputs: r.outputs });
  } catch (err) {
    say({ event: 'ran', id: cmd.id, status: 'failed', outputs: [], error: String(err) });
  }
}
await finish();
`;

export class KernelHost {
  #nextId = 1;
  readonly #waiting = new Map<number, (r: HostRun) => void>();

  private constructor(
    readonly child: ChildProcess,
    readonly started: Started,
  ) {}

  /** Starts the server and its kernel; the caller registers close() for cleanup. */
  static async start(opts: KernelHostOptions): Promise<KernelHost> {
    const user = opts.ordinary ? ordinaryUser() : null;
    const testsDir = join(KERNEL_PYTHON_DIR, '..', '..', 'tests');
    const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', HOST_SCRIPT];
    const asUser = user && user.uid !== process.getuid?.() ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--'] : [];
    if (asUser.length > 0) {
      try {
        execFileSync(asUser[0] as string, [...asUser.slice(1), 'test', '-r', join(testsDir, 'package.json')]);
      } catch {
        throw new Error(`${user?.name} cannot read the checkout at ${testsDir}: every folder above it must be readable by others for these tests.`);
      }
    }
    const [command, ...args] = [...asUser, ...node];
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: '/tmp',
      DUET_HOST_OPTIONS: JSON.stringify({ python: PYTHON, mode: opts.mode, kernel: opts.kernel, limits: opts.limits, bystander: opts.bystander ?? false }),
    };
    const stdio: ('pipe' | 'ignore' | number)[] = ['pipe', 'pipe', 'pipe'];
    for (const [i, fd] of (opts.inherit ?? []).entries()) {
      while (stdio.length < INHERITED_FROM + i) stdio.push('ignore');
      stdio[INHERITED_FROM + i] = fd;
    }
    const child = spawn(command as string, args, { cwd: testsDir, env, stdio });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const started = await new Promise<Started>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the server exited before its kernel started (${code}): ${stderr}`)));
      lines.once('line', (line) => resolve(JSON.parse(line) as Started));
    });
    const host = new KernelHost(child, started);
    lines.on('line', (line) => host.#receive(JSON.parse(line) as { event: string; id?: number } & HostRun));
    child.once('exit', () => host.#receive({ event: 'exited', status: 'failed', outputs: [], error: `the server exited: ${stderr}` }));
    return host;
  }

  /** Runs a cell in the server's kernel. */
  run(code: string, timeoutMs = 30_000): Promise<HostRun> {
    const id = this.#nextId++;
    const answer = new Promise<HostRun>((resolve) => this.#waiting.set(id, resolve));
    this.child.stdin?.write(`${JSON.stringify({ id, run: code, timeoutMs })}\n`);
    return answer;
  }

  /** Ends the server (its kernel with it) and waits for it to go. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }

  #receive(msg: { event: string; id?: number } & HostRun): void {
    if (msg.event === 'ran' && msg.id !== undefined) {
      this.#waiting.get(msg.id)?.(msg);
      this.#waiting.delete(msg.id);
    }
    if (msg.event === 'exited') {
      for (const resolve of this.#waiting.values()) resolve(msg);
      this.#waiting.clear();
    }
  }
}
