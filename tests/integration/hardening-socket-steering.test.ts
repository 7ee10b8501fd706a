import { lstatSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { SandboxMode } from '@duet/kernel';
import { HostObservers, ReusableKernel, TEST_LIMITS, guardVariants, outputText, sandboxModes } from './sandbox-harness.ts';

/**
 * The server connects to the kernel's ipc sockets by path. A kernel that could
 * swap a path for a link to a host socket, then drop its end of the connection,
 * would have the server's ZeroMQ reconnect there, from outside the sandbox, with
 * the server's rights. Judged from outside: a host listener at the link's target
 * must see no connection, and in the sandbox modes the socket paths must stay the
 * kernel's own sockets.
 */

const host = new HostObservers();
const modes = await sandboxModes();
const py = (s: string): string => JSON.stringify(s);

beforeAll(() => host.open());
afterAll(() => host.close());

/** Replaces each socket of the runtime directory with a link to the host's listener. */
const swap = (runtimeDir: string, target: string): string =>
  [
    'import os',
    `rt = ${py(runtimeDir)}`,
    'for name in sorted(os.listdir(rt)):',
    '    if not name.startswith("kernel-"):',
    '        continue',
    '    path = os.path.join(rt, name)',
    '    try:',
    '        os.replace(path, path + "-moved")',
    `        os.symlink(${py(target)}, path)`,
    '        print("swapped", name)',
    '    except OSError as e:',
    '        print("kept", name, type(e).__name__)',
  ].join('\n');

/** Shuts down every connection the kernel holds, without ending the kernel: the server sees each one drop. */
const DROP_CONNECTIONS = [
  'import os, sys',
  'sock = sys.modules["socket"]',
  'for fd in map(int, os.listdir("/proc/self/fd")):',
  '    try:',
  '        if not os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):',
  '            continue',
  '        s = sock.socket(fileno=fd)',
  '        try:',
  '            s.shutdown(sock.SHUT_RDWR)',
  '        except OSError:',
  '            pass',
  '        s.detach()',
  '    except OSError:',
  '        pass',
].join('\n');

function socketFiles(runtimeDir: string): { name: string; socket: boolean }[] {
  return readdirSync(runtimeDir)
    .filter((n) => n.startsWith('kernel-'))
    .map((name) => ({ name, socket: lstatSync(`${runtimeDir}/${name}`).isSocket() }));
}

interface Variant {
  mode: SandboxMode;
  guard: boolean;
  label: string;
}

const variants: Variant[] = [
  ...guardVariants(modes),
  // No sandbox and no guard: the kernel can rewrite the runtime directory, so only the server's side holds.
  { mode: 'none', guard: false, label: 'none without the guard, where the kernel can swap the paths' },
];

describe.each(variants)('$label', ({ mode, guard }) => {
  it('the server never connects where a swapped socket path points', async () => {
    const kernel = new ReusableKernel(mode, TEST_LIMITS, { guard });
    onTestFinished(() => kernel.dispose());
    await kernel.start();
    const session = kernel.session;
    if (!session) throw new Error('no session');
    const runtimeDir = dirname(session.writableRoots[1] as string);
    const before = host.seen.unix;

    const swapped = await kernel.run(swap(runtimeDir, host.unixPath));
    if (mode === 'none') {
      // The premise of what follows: the paths now lead to the host's listener.
      expect(socketFiles(runtimeDir).some((f) => !f.socket), outputText(swapped.outputs)).toBe(true);
    } else {
      expect(socketFiles(runtimeDir).every((f) => f.socket), outputText(swapped.outputs)).toBe(true);
      expect(outputText(swapped.outputs)).not.toContain('swapped');
    }

    // Every connection dropped: the kernel stops answering, and the session gives it up as dead.
    const died = new Promise<void>((resolve) => session.onDeath(() => resolve()));
    const dropped = kernel.run(DROP_CONNECTIONS, 30_000);
    await died;
    expect((await dropped).died).toBe(true);
    expect(host.seen.unix - before).toBe(0);

    // A new kernel, as the server would start: it works.
    const after = await kernel.run('print(6 * 7)');
    expect(outputText(after.outputs)).toContain('42');
    expect(host.seen.unix - before).toBe(0);
  });
});
