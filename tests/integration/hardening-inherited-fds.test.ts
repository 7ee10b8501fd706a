import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DEFAULT_LIMITS, sandboxLauncher, type SandboxMode } from '@duet/kernel';
import { PYTHON, outputText, processesFor, sandboxModes } from './sandbox-harness.ts';
import { INHERITED_FROM, KernelHost } from './sandbox-host.ts';

/**
 * A server started by a terminal, an IDE, a CI runner or a service manager may
 * hold descriptors it never meant to pass on. Here the server inherits two host
 * files, one open for reading and one for appending; neither may reach the
 * kernel. Judged from outside: the descriptors the kernel's processes hold, the
 * appended file's contents, and the cell's output.
 */

const modes = await sandboxModes();

interface HostFiles {
  secret: string;
  secretPath: string;
  logPath: string;
  readFd: number;
  appendFd: number;
}

const LOG_START = 'log start\n';

function hostFiles(): HostFiles {
  const dir = mkdtempSync(join(tmpdir(), 'duet-fds-'));
  const secret = `inherited-secret-${randomBytes(8).toString('hex')}`;
  const secretPath = join(dir, 'secret.txt');
  const logPath = join(dir, 'log.txt');
  writeFileSync(secretPath, secret);
  writeFileSync(logPath, LOG_START);
  const files = { secret, secretPath, logPath, readFd: openSync(secretPath, 'r'), appendFd: openSync(logPath, 'a') };
  onTestFinished(() => {
    closeSync(files.readFd);
    closeSync(files.appendFd);
    rmSync(dir, { recursive: true, force: true });
  });
  return files;
}

/** What every descriptor of these processes points at, read from /proc. */
function descriptorTargets(pids: number[]): string[] {
  return pids.flatMap((pid) => {
    try {
      return readdirSync(`/proc/${pid}/fd`).map((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return '';
        }
      });
    } catch {
      return [];
    }
  });
}

function isPython(pid: number): boolean {
  try {
    return /python/.test(readlinkSync(`/proc/${pid}/exe`));
  } catch {
    return false;
  }
}

/**
 * Reads and appends through every descriptor that names a file. The kernel's own
 * sockets and pipes are left alone: touching them would only break its channels.
 */
const THROUGH_EVERY_DESCRIPTOR = [
  'import os',
  'seen = []',
  'for fd in range(3, 4096):',
  '    try:',
  '        target = os.readlink(f"/proc/self/fd/{fd}")',
  '    except OSError:',
  '        continue',
  '    seen.append(target)',
  '    if not target.startswith("/"):',
  '        continue',
  '    for read in (lambda: os.pread(fd, 4096, 0), lambda: os.read(fd, 4096)):',
  '        try:',
  '            print("read", fd, read())',
  '        except OSError as e:',
  '            print("no read", fd, e.errno)',
  '    try:',
  '        os.write(fd, b"appended by the cell\\n")',
  '    except OSError as e:',
  '        print("no write", fd, e.errno)',
  'print(seen)',
].join('\n');

describe.each(modes)('%s: descriptors the server inherited', (mode: SandboxMode) => {
  it.each([
    { who: 'the server run as an ordinary user', ordinary: true },
    { who: 'the server run as this user', ordinary: false },
  ])('never reach the kernel, with $who', async ({ ordinary }) => {
    const files = hostFiles();
    const host = await KernelHost.start({ mode, ordinary, inherit: [files.readFd, files.appendFd] });
    onTestFinished(() => host.close());

    // The server itself holds both files: that is the situation under test.
    const serverHolds = descriptorTargets([host.started.pid]);
    expect(serverHolds).toEqual(expect.arrayContaining([files.secretPath, files.logPath]));
    // No process of the kernel's holds either (in bwrap mode, bwrap's own included).
    const kernelProcesses = processesFor(host.started.workdir);
    expect(kernelProcesses.length).toBeGreaterThan(0);
    expect(descriptorTargets(kernelProcesses)).not.toEqual(expect.arrayContaining([files.secretPath]));
    expect(descriptorTargets(kernelProcesses)).not.toEqual(expect.arrayContaining([files.logPath]));

    const ran = await host.run(THROUGH_EVERY_DESCRIPTOR);
    expect(ran.status, ran.error).toBe('ok');
    expect(outputText(ran.outputs)).not.toContain(files.secret);
    expect(readFileSync(files.logPath, 'utf8')).toBe(LOG_START);
  });

  it('the launcher alone closes what it inherited, when the spawn did not', async () => {
    const files = hostFiles();
    const runtimeDir = mkdtempSync(join(tmpdir(), 'duet-fds-rt-'));
    const workdir = mkdtempSync(join(tmpdir(), 'duet-fds-work-'));
    onTestFinished(() => {
      rmSync(runtimeDir, { recursive: true, force: true });
      rmSync(workdir, { recursive: true, force: true });
    });
    const tmpDir = join(runtimeDir, 'tmp');
    mkdirSync(tmpDir);
    const connectionFile = join(runtimeDir, 'connection.json');
    const ip = join(runtimeDir, 'kernel');
    const connection = { transport: 'ipc', ip, shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5, key: 'k', signature_scheme: 'hmac-sha256', kernel_name: 'python3' };
    writeFileSync(connectionFile, JSON.stringify(connection));
    const cmd = sandboxLauncher(mode).command({ python: PYTHON, connectionFile, runtimeDir, tmpDir, workdir, limits: DEFAULT_LIMITS });
    // Started straight from here: the host files are open in whatever the launcher starts.
    const stdio: ('ignore' | number)[] = ['ignore', 'ignore', 'ignore'];
    stdio[INHERITED_FROM] = files.readFd;
    stdio[INHERITED_FROM + 1] = files.appendFd;
    const child = spawn(cmd.command, cmd.args, { env: cmd.env, cwd: cmd.cwd, detached: true, stdio: Array.from(stdio, (e) => e ?? 'ignore') });
    onTestFinished(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // Gone already.
      }
    });
    // The sockets exist once the launcher is past its first steps, closing descriptors the very first.
    await expect.poll(() => [1, 2, 3, 4, 5].every((port) => isSocket(`${ip}-${port}`)), { timeout: 20_000 }).toBe(true);
    const pythons = processesFor(connectionFile).filter(isPython);
    expect(pythons.length).toBe(1);
    const held = descriptorTargets(pythons);
    expect(held).not.toContain(files.secretPath);
    expect(held).not.toContain(files.logPath);
  });
});

function isSocket(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}
