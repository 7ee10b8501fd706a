/**
 * Shared by the sandbox suites: which modes this machine has, one reusable
 * kernel per mode, and the host-side observers (canary listeners, secrets,
 * process scans) that judge an escape attempt from outside the sandbox.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_LIMITS,
  KernelSession,
  detectSandbox,
  sandboxLauncher,
  silentLogger,
  type KernelOptions,
  type NbOutput,
  type RunOutcome,
  type SandboxLimits,
  type SandboxMode,
} from '@duet/kernel';
import { afterAll, beforeAll } from 'vitest';
import { CellRunner, NotebookDocument } from '@duet/server';

/** Debian's interpreter: it has ipykernel, numpy, pandas, matplotlib and python3-seccomp. */
export const PYTHON = '/usr/bin/python3';

/** The OS sandboxes this machine offers (none and macos excluded), printed once. */
export async function sandboxModes(): Promise<SandboxMode[]> {
  const detection = await detectSandbox(PYTHON);
  const modes = detection.available.filter((m) => m === 'bwrap' || m === 'landlock');
  const skipped = (['bwrap', 'landlock'] as const).filter((m) => !modes.includes(m));
  console.info(`sandbox modes under test: ${modes.join(', ') || 'none'}${skipped.length ? `; skipped (unavailable): ${skipped.join(', ')}` : ''}\n  ${detection.notes.join('\n  ')}`);
  return modes;
}

/** A sandbox mode with Duet's Python guard, and the same mode on its operating-system layers alone. */
export interface GuardVariant {
  mode: SandboxMode;
  guard: boolean;
  label: string;
}

/** Each mode twice: with the guard, and without it, so every escape is held by the operating system too. */
export function guardVariants(modes: readonly SandboxMode[]): GuardVariant[] {
  return modes.flatMap((mode) => [
    { mode, guard: true, label: `${mode} with the guard` },
    { mode, guard: false, label: `${mode}, operating-system layers alone` },
  ]);
}

/** All text a cell produced: streams, results, errors with their tracebacks. */
export function outputText(outputs: NbOutput[]): string {
  return outputs
    .map((o) => {
      switch (o.output_type) {
        case 'stream':
          return o.text;
        case 'error':
          return `${o.ename}: ${o.evalue}\n${o.traceback.join('\n')}`;
        case 'execute_result':
        case 'display_data':
          return JSON.stringify(o.data);
      }
    })
    .join('\n');
}

/** A kernel kept for many cases, restarted when a case kills it. */
export class ReusableKernel {
  session: KernelSession | null = null;
  readonly workdir: string;

  constructor(
    readonly mode: SandboxMode,
    readonly limits: SandboxLimits,
    readonly options: KernelOptions = {},
  ) {
    this.workdir = mkdtempSync(join(tmpdir(), `duet-sbx-${mode}-`));
  }

  async start(): Promise<void> {
    this.session = new KernelSession({ python: PYTHON, workdir: this.workdir, launcher: sandboxLauncher(this.mode, this.options), limits: this.limits });
    await this.session.start();
  }

  /** Runs code; a kernel that died on the way is restarted for the next case. */
  async run(code: string, timeoutMs = 20_000): Promise<RunOutcome & { died: boolean }> {
    if (!this.session || this.session.state === 'dead') await this.restart();
    const session = this.session as KernelSession;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const outcome = await session.run(code, { signal });
      return { ...outcome, died: false };
    } catch (err) {
      if (session.state !== 'dead') throw err;
      return { result: { status: 'error', executionCount: null, ename: 'KernelDied', evalue: String(err) }, outputs: [], truncated: false, died: true };
    }
  }

  async restart(): Promise<void> {
    if (this.session) await this.session.shutdown();
    await this.start();
  }

  async dispose(): Promise<void> {
    await this.session?.shutdown();
    rmSync(this.workdir, { recursive: true, force: true });
  }
}

/** Limits small enough that the resource cases end quickly. */
export const TEST_LIMITS: SandboxLimits = {
  ...DEFAULT_LIMITS,
  memoryBytes: 1536 * 1024 ** 2,
  fileSizeBytes: 32 * 1024 ** 2,
  openFiles: 256,
  diskBytes: 64 * 1024 ** 2,
};

/** What the host can see: listeners that count connections, secrets that must not leak. */
export class HostObservers {
  readonly dir = mkdtempSync(join(tmpdir(), 'duet-host-'));
  readonly secret = `file-secret-${randomBytes(12).toString('hex')}`;
  readonly envSecret = `env-secret-${randomBytes(12).toString('hex')}`;
  readonly secretFile = join(this.dir, 'private', 'credentials.txt');
  readonly outsideDir = join(this.dir, 'outside');
  readonly unixPath = join(this.dir, 'canary.sock');
  readonly abstractName = `duet-canary-${randomBytes(6).toString('hex')}`;
  tcpPort = 0;
  udpPort = 0;
  /** Connections and datagrams the canaries saw, by canary. */
  readonly seen = { tcp: 0, unix: 0, abstract: 0, udp: 0 };
  #servers: Server[] = [];
  #udp: UdpSocket | null = null;
  /** A process that is not the kernel's, holding the secret in its environment. */
  holder: ChildProcess | null = null;

  async open(): Promise<void> {
    mkdirSync(join(this.dir, 'private'));
    mkdirSync(this.outsideDir);
    writeFileSync(this.secretFile, this.secret);
    // The server's own environment: a launcher that leaked it would hand this to the kernel.
    process.env.DUET_TEST_API_KEY = this.envSecret;
    const listen = async (kind: 'tcp' | 'unix' | 'abstract', target: string | number): Promise<Server> => {
      const server = createServer((sock) => {
        this.seen[kind] += 1;
        sock.destroy();
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        if (typeof target === 'number') server.listen(target, '127.0.0.1', resolve);
        else server.listen(target, resolve);
      });
      this.#servers.push(server);
      return server;
    };
    const tcp = await listen('tcp', 0);
    const addr = tcp.address();
    this.tcpPort = typeof addr === 'object' && addr ? addr.port : 0;
    await listen('unix', this.unixPath);
    await listen('abstract', `\0${this.abstractName}`);
    this.#udp = createSocket('udp4');
    this.#udp.on('message', () => (this.seen.udp += 1));
    await new Promise<void>((resolve) => this.#udp?.bind(0, '127.0.0.1', resolve));
    this.udpPort = this.#udp.address().port;
    this.holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], {
      env: { PATH: '/usr/bin:/bin', DUET_TEST_API_KEY: this.envSecret },
      stdio: 'ignore',
    });
  }

  /** Everything that must hold after every attempt. */
  problems(text: string): string[] {
    const found: string[] = [];
    if (text.includes(this.secret)) found.push('the secret file contents reached the output');
    if (text.includes(this.envSecret)) found.push("the server's environment secret reached the output");
    if (text.includes('ESCAPED')) found.push('the attempt reported success');
    for (const [kind, n] of Object.entries(this.seen)) if (n > 0) found.push(`the ${kind} canary saw ${n} connection(s)`);
    const outside = readdirSync(this.outsideDir);
    if (outside.length > 0) found.push(`files appeared outside the workdir: ${outside.join(', ')}`);
    if (readFileSync(this.secretFile, 'utf8') !== this.secret) found.push('the secret file was changed');
    return found;
  }

  async close(): Promise<void> {
    this.holder?.kill('SIGKILL');
    await Promise.all(this.#servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.#udp?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Pids of live processes whose command line names this workdir (the kernel and bwrap). */
export function processesFor(workdir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes(workdir)) pids.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}

/**
 * A sandboxed kernel, a document and a cell runner for all the tests of one
 * describe block: started before them, shut down (and the workdir removed) after.
 * Read the fields inside tests.
 */
export function useSandboxedRunner(mode: SandboxMode, name: string): { readonly kernel: KernelSession; readonly doc: NotebookDocument; readonly runner: CellRunner } {
  const workdir = mkdtempSync(join(tmpdir(), `duet-${name}-${mode}-`));
  let parts: { kernel: KernelSession; doc: NotebookDocument; runner: CellRunner } | undefined;
  beforeAll(async () => {
    const kernel = new KernelSession({ python: PYTHON, workdir, launcher: sandboxLauncher(mode), limits: TEST_LIMITS });
    await kernel.start();
    const doc = new NotebookDocument(name);
    parts = { kernel, doc, runner: new CellRunner({ doc, kernel, cellTimeoutMs: 20_000, log: silentLogger }) };
  });
  afterAll(async () => {
    parts?.runner.dispose();
    await parts?.kernel.shutdown();
    rmSync(workdir, { recursive: true, force: true });
  });
  const get = (): NonNullable<typeof parts> => {
    if (!parts) throw new Error('the kernel is read before the tests started');
    return parts;
  };
  return {
    get kernel() {
      return get().kernel;
    },
    get doc() {
      return get().doc;
    },
    get runner() {
      return get().runner;
    },
  };
}
