/**
 * Which sandbox modes work on this machine, found by trying them.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bwrapArgs } from './bwrap.ts';
import { KERNEL_PYTHON_DIR } from './duet-kernel.ts';
import { kernelEnv } from './env.ts';
import { pythonLayout } from './python-layout.ts';
import { DEFAULT_LIMITS, type KernelLaunchSpec, type SandboxMode } from './types.ts';

const run = promisify(execFile);

export interface SandboxDetection {
  /** Modes that work here, strongest first; `none` is always last. */
  available: SandboxMode[];
  /** The strongest available mode. */
  best: SandboxMode;
  /** What was found, and why a mode is missing or weaker. */
  notes: string[];
}

const MIN_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' };

const LANDLOCK_PROBE = [
  'import sys',
  `sys.path.insert(0, ${JSON.stringify(KERNEL_PYTHON_DIR)})`,
  'import duet_landlock, duet_seccomp',
  'try:',
  '    import seccomp; backend = "libseccomp"',
  'except ImportError:',
  '    backend = "bpf"',
  'print(duet_landlock.abi_version(), backend)',
].join('\n');

/**
 * Tries each mode with a trivial command. `python` is the kernel interpreter:
 * bubblewrap is tried with it inside the same jail the kernel gets.
 */
export async function detectSandbox(python: string): Promise<SandboxDetection> {
  const available: SandboxMode[] = [];
  const notes: string[] = [];
  if (process.platform === 'linux') {
    const bwrap = await tryBwrap(python);
    if (bwrap.ok) available.push('bwrap');
    notes.push(bwrap.note);
    const landlock = await tryLandlock(python);
    if (landlock.ok) available.push('landlock');
    notes.push(...landlock.notes);
  } else if (process.platform === 'darwin') {
    if (existsSync('/usr/bin/sandbox-exec')) {
      available.push('macos');
      notes.push('macOS: sandbox-exec found. It has no seccomp equivalent and Apple marks it deprecated: weaker than the Linux modes.');
    } else {
      notes.push('macOS: /usr/bin/sandbox-exec not found.');
    }
  } else {
    notes.push(`${process.platform}: Duet has no operating-system sandbox for this platform.`);
  }
  available.push('none');
  return { available, best: available[0] ?? 'none', notes };
}

async function tryBwrap(python: string): Promise<{ ok: boolean; note: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'duet-probe-'));
  try {
    const tmpDir = join(dir, 'tmp');
    await mkdir(tmpDir);
    const spec: KernelLaunchSpec = { python, connectionFile: join(dir, 'c.json'), runtimeDir: dir, tmpDir, workdir: dir, limits: DEFAULT_LIMITS };
    const env = kernelEnv(spec, '/tmp');
    const args = [...bwrapArgs(spec, env, pythonLayout(python)), python, '-I', '-c', 'import sys; print(sys.version_info[0])'];
    const { stdout } = await run('bwrap', args, { env, timeout: 15_000 });
    if (stdout.trim() !== '3') return { ok: false, note: `bubblewrap: ran, but ${python} printed ${JSON.stringify(stdout.trim())}` };
    return { ok: true, note: 'bubblewrap: works (user, PID, network, IPC and UTS namespaces).' };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const why = e.code === 'ENOENT' ? 'not installed (apt install bubblewrap)' : (e.stderr?.trim() || e.message).split('\n')[0];
    return { ok: false, note: `bubblewrap: unavailable: ${why}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function tryLandlock(python: string): Promise<{ ok: boolean; notes: string[] }> {
  try {
    const { stdout } = await run(python, ['-I', '-c', LANDLOCK_PROBE], { env: MIN_ENV, timeout: 15_000 });
    const [abiText, backend] = stdout.trim().split(/\s+/);
    const abi = Number(abiText);
    const seccompNote = backend === 'libseccomp' ? 'seccomp: python3-seccomp.' : 'seccomp: built-in BPF filter (python3-seccomp not installed).';
    if (!(abi >= 1)) return { ok: false, notes: ['Landlock: not offered by this Linux kernel (needs 5.13+ with landlock enabled).', seccompNote] };
    const notes = [`Landlock: ABI ${abi}.`, seccompNote];
    if (abi < 4) notes.push('Landlock ABI < 4: TCP is not restricted by Landlock; the seccomp filter still denies new sockets.');
    if (abi < 6) notes.push('Landlock ABI < 6: signals and abstract Unix sockets are not scoped by Landlock; seccomp still limits kill() to the kernel itself.');
    return { ok: true, notes };
  } catch (err) {
    return { ok: false, notes: [`Landlock: probe failed: ${(err as Error).message.split('\n')[0]}`] };
  }
}
