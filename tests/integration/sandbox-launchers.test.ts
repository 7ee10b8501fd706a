import { describe, expect, it, onTestFinished } from 'vitest';
import {
  ALLOW_UNSANDBOXED_FLAG,
  DEFAULT_LIMITS,
  KERNEL_PYTHON_DIR,
  SandboxUnavailableError,
  bwrapArgs,
  chooseLauncher,
  detectSandbox,
  kernelEnv,
  sandboxLauncher,
  type KernelLaunchSpec,
  type SandboxMode,
} from '@duet/kernel';
import { PYTHON } from './sandbox-harness.ts';

const spec: KernelLaunchSpec = {
  python: PYTHON,
  connectionFile: '/tmp/duet-kernel-x/connection.json',
  runtimeDir: '/tmp/duet-kernel-x',
  tmpDir: '/tmp/duet-kernel-x/tmp',
  workdir: '/tmp/notebooks/demo',
  limits: DEFAULT_LIMITS,
};
const layout = { executable: '/usr/bin/python3.11', roots: ['/usr', '/opt/venv'] };

/** The value after each occurrence of `flag`. */
function after(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1] ?? ''] : []));
}

describe('the kernel environment', () => {
  it('is built from nothing: no variable of the server leaks into it', () => {
    process.env.DUET_API_KEY_FOR_TEST = 'sk-do-not-leak';
    onTestFinished(() => void delete process.env.DUET_API_KEY_FOR_TEST);
    const env = kernelEnv(spec);
    expect(Object.values(env)).not.toContain('sk-do-not-leak');
    expect(env.HOME).toBe(spec.workdir);
    expect(env.TMPDIR).toBe('/tmp/duet-kernel-x/tmp');
    expect(Object.keys(env).every((k) => !k.startsWith('DUET_'))).toBe(true);
  });

  it.each(['bwrap', 'landlock', 'none'] as SandboxMode[])('%s: the launched process gets exactly that environment', (mode) => {
    const cmd = sandboxLauncher(mode).command(spec);
    expect(Object.keys(cmd.env).sort()).toEqual(Object.keys(kernelEnv(spec, mode === 'bwrap' ? '/tmp' : undefined)).sort());
    expect(cmd.cwd).toBe(spec.workdir);
    expect(cmd.args).toContain('-I');
    expect(cmd.args).toContain(`${KERNEL_PYTHON_DIR}/duet_kernel.py`);
  });
});

describe('the bubblewrap command line', () => {
  const env = kernelEnv(spec, '/tmp');
  const args = bwrapArgs(spec, env, layout);

  it('unshares everything, keeps one capability for sealing its mounts, and clears the environment', () => {
    for (const flag of ['--unshare-all', '--die-with-parent', '--new-session', '--clearenv']) expect(args).toContain(flag);
    expect(after(args, '--cap-drop')).toEqual(['ALL']);
    expect(after(args, '--cap-add')).toEqual(['CAP_SYS_ADMIN']);
    // Only the owner of the jail's user namespace may remount there: root inside, the server's user outside.
    expect(after(args, '--uid')).toEqual(['0']);
    expect(after(args, '--setenv').sort()).toEqual(Object.keys(env).sort());
  });

  it('never binds the host root, and binds /usr and the interpreter read-only', () => {
    expect(after(args, '--ro-bind')).not.toContain('/');
    expect(after(args, '--bind')).not.toContain('/');
    expect(after(args, '--ro-bind')).toEqual(expect.arrayContaining(['/usr', '/opt/venv', KERNEL_PYTHON_DIR]));
  });

  it('binds writable only the private /tmp (from the host disk), the runtime directory and the workdir', () => {
    expect(after(args, '--bind')).toEqual([spec.tmpDir, spec.runtimeDir, spec.workdir]);
    expect(args[args.indexOf('--bind') + 2]).toBe('/tmp');
    // No tmpfs: memory the disk limit would not see.
    expect(args).not.toContain('--tmpfs');
  });

  it('mounts the private /tmp before any other bind, so a checkout, venv or workdir under /tmp stays visible', () => {
    const firstBind = args.findIndex((a) => a === '--bind' || a === '--ro-bind' || a === '--ro-bind-try');
    expect(args[firstBind]).toBe('--bind');
    expect(args[firstBind + 2]).toBe('/tmp');
  });

  it('leaves the root and /dev (tmpfs mounts of its own) read-only, once every mount point exists', () => {
    expect(after(args, '--remount-ro')).toEqual(['/proc', '/dev', '/']);
    const lastMount = Math.max(args.lastIndexOf('--bind'), args.lastIndexOf('--ro-bind'), args.lastIndexOf('--ro-bind-try'), args.lastIndexOf('--symlink'));
    expect(args.lastIndexOf('--remount-ro')).toBeGreaterThan(lastMount);
  });

  it('mounts a fresh, read-only /proc', () => {
    expect(after(args, '--proc')).toEqual(['/proc']);
    expect(args.slice(args.indexOf('--proc'), args.indexOf('--proc') + 4)).toEqual(['--proc', '/proc', '--remount-ro', '/proc']);
  });

  it('ends with -- before the command', () => {
    expect(args.at(-1)).toBe('--');
  });
});

describe('choosing a launcher', () => {
  it('refuses to run without a sandbox unless the user opts in, and names the flag', async () => {
    const err = await chooseLauncher({ python: PYTHON, mode: 'none', allowUnsandboxed: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxUnavailableError);
    expect((err as Error).message).toContain(ALLOW_UNSANDBOXED_FLAG);
    expect((err as Error).message).toMatch(/your files, your network and your other programs/);
  });

  it('says that a sandbox is there when --sandbox none is asked for on a machine that has one', async () => {
    const { available } = await detectSandbox(PYTHON);
    const others = available.filter((m) => m !== 'none');
    const err = await chooseLauncher({ python: PYTHON, mode: 'none', allowUnsandboxed: false }).catch((e: unknown) => e);
    const message = (err as Error).message;
    if (others.length > 0) {
      expect(message).toMatch(/--sandbox none was asked for/);
      for (const m of others) expect(message).toContain(m);
      expect(message).not.toMatch(/No operating-system sandbox is available/);
    } else {
      expect(message).toMatch(/No operating-system sandbox is available/);
    }
  });

  it('runs without a sandbox when the user opts in', async () => {
    const choice = await chooseLauncher({ python: PYTHON, mode: 'none', allowUnsandboxed: true });
    expect(choice.launcher.mode).toBe('none');
  });

  it('picks the strongest available mode on auto', async () => {
    const choice = await chooseLauncher({ python: PYTHON, mode: 'auto', allowUnsandboxed: false });
    expect(choice.mode).toBe(choice.detection.available[0]);
    expect(choice.launcher.mode).toBe(choice.mode);
  });

  it('refuses a mode this machine does not have', async () => {
    const missing = process.platform === 'darwin' ? 'bwrap' : 'macos';
    await expect(chooseLauncher({ python: PYTHON, mode: missing, allowUnsandboxed: true })).rejects.toThrow(SandboxUnavailableError);
  });
});
