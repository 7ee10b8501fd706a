import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { KERNEL_PYTHON_DIR, type SandboxMode } from '@duet/kernel';
import { HostObservers, PYTHON, ReusableKernel, TEST_LIMITS, guardVariants, outputText, processesFor, sandboxModes, type GuardVariant } from './sandbox-harness.ts';

/**
 * Escape attempts a model could write, each run in every OS sandbox this machine
 * has, twice: with the Python guard (the normal kernel), and without it, to show
 * the operating-system layers hold on their own. Each attempt is judged from
 * outside: marker files the attempt would create, canary listeners on the host,
 * secrets that must never reach an output, processes that must not exist.
 * An attempt prints "ESCAPED" (built at run time, so tracebacks never show it)
 * only after the forbidden action returned.
 */

const host = new HostObservers();
const modes = await sandboxModes();
const guardHash = (): string => createHash('sha256').update(readFileSync(join(KERNEL_PYTHON_DIR, 'duet_guard.py'))).digest('hex');
const guardHashBefore = guardHash();
const hostName = hostname();
const homeEntries = safeList(homedir()).filter((e) => e.length > 4);

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

interface Ctx {
  /** A path in the workdir that only a successful attempt would create. */
  marker: string;
  workdir: string;
}

type Category = 'process' | 'network' | 'files' | 'eval' | 'resources' | 'signals';

interface Attempt {
  name: string;
  category: Category;
  code: (c: Ctx) => string;
  /** Only the Python guard stops it: without the guard it is ordinary Python. */
  guardOnly?: boolean;
  /** The cell may end without an error, as long as nothing is seen outside. */
  mayPass?: boolean;
  /** Further observations from outside; returns what went wrong. */
  check?: (c: Ctx, text: string) => string[] | Promise<string[]>;
}

const py = (s: string): string => JSON.stringify(s);
const ESCAPED = 'print("ESC" + "APED")';

const attempts: Attempt[] = [
  // Starting programs, many ways.
  { name: 'os.system', category: 'process', code: (c) => `import os\nif os.system("touch " + ${py(c.marker)}) == 0:\n    ${ESCAPED}` },
  { name: 'subprocess.run through sys.modules', category: 'process', code: (c) => `import sys\nsys.modules["subprocess"].run(["touch", ${py(c.marker)}], check=True)\n${ESCAPED}` },
  { name: 'import subprocess, as a model would', category: 'process', code: (c) => `import subprocess\nsubprocess.check_call(["touch", ${py(c.marker)}])\n${ESCAPED}` },
  { name: 'os.posix_spawn', category: 'process', code: (c) => `import os\nos.posix_spawn("/usr/bin/touch", ["touch", ${py(c.marker)}], {})\n${ESCAPED}` },
  { name: 'os.fork', category: 'process', code: (c) => `import os\nif os.fork() == 0:\n    open(${py(c.marker)}, "w").close()\n    os._exit(0)\n${ESCAPED}` },
  { name: 'os.execv replacing the kernel', category: 'process', code: (c) => `import os\nos.execv("/bin/sh", ["sh", "-c", "touch " + ${py(c.marker)}])` },
  { name: 'os.spawnv', category: 'process', code: (c) => `import os\nif os.spawnv(os.P_WAIT, "/usr/bin/touch", ["touch", ${py(c.marker)}]) == 0:\n    ${ESCAPED}` },
  { name: 'os.popen', category: 'process', code: (c) => `import os\nif "ok" in os.popen("touch " + ${py(c.marker)} + " && echo ok").read():\n    ${ESCAPED}` },
  { name: 'pty.spawn through sys.modules', category: 'process', code: (c) => `import sys\nsys.modules["pty"].spawn(["touch", ${py(c.marker)}])\n${ESCAPED}` },
  { name: 'multiprocessing.Process', category: 'process', code: (c) => `import multiprocessing, pathlib\np = multiprocessing.Process(target=pathlib.Path(${py(c.marker)}).touch)\np.start(); p.join()\n${ESCAPED}` },
  { name: 'ProcessPoolExecutor', category: 'process', code: (c) => `from concurrent.futures import ProcessPoolExecutor\nimport pathlib\nwith ProcessPoolExecutor(1) as ex:\n    ex.submit(pathlib.Path(${py(c.marker)}).touch).result()\n${ESCAPED}` },
  {
    name: 'threading.Timer(0, os.system, …) from another thread',
    category: 'process',
    mayPass: true,
    code: (c) => `import os, threading\nt = threading.Timer(0, os.system, ["touch " + ${py(c.marker)}])\nt.start(); t.join()`,
  },
  { name: "getattr(os, 'sys' + 'tem')", category: 'process', code: (c) => `import os\nif getattr(os, "sys" + "tem")("touch " + ${py(c.marker)}) == 0:\n    ${ESCAPED}` },
  { name: '__import__ of a built name', category: 'process', code: (c) => `m = __import__("o" + "s")\nif m.system("touch " + ${py(c.marker)}) == 0:\n    ${ESCAPED}` },
  { name: 'ctypes libc.system through sys.modules', category: 'process', code: (c) => `import sys\nlibc = sys.modules["ctypes"].CDLL(None)\nif libc.system(("touch " + ${py(c.marker)}).encode()) == 0:\n    ${ESCAPED}` },
  { name: "ctypes reached through numpy's ctypeslib", category: 'process', code: (c) => `import numpy as np\nlibc = np.ctypeslib.ctypes.CDLL(None)\nif libc.system(("touch " + ${py(c.marker)}).encode()) == 0:\n    ${ESCAPED}` },
  {
    name: 'the real _posixsubprocess.fork_exec, re-imported behind the guard',
    category: 'process',
    code: (c) =>
      [
        'import sys, os, importlib',
        'sys.modules.pop("_posixsub" + "process", None)',
        'real = getattr(importlib, "import_" + "module")("_posixsub" + "process")',
        'r, w = os.pipe()',
        `real.fork_exec([b"touch", ${py(c.marker)}.encode()], (b"/usr/bin/touch",), True, (w,), None, None, -1, -1, -1, -1, -1, -1, r, w, True, False, -1, None, None, None, -1, None, True)`,
        ESCAPED,
      ].join('\n'),
  },
  { name: 'asyncio.create_subprocess_exec', category: 'process', code: (c) => `import asyncio\np = await asyncio.create_subprocess_exec("touch", ${py(c.marker)})\nif await p.wait() == 0:\n    ${ESCAPED}` },
  { name: '!cmd shell escape', category: 'process', code: (c) => `!touch ${c.marker}` },
  { name: '%%bash cell magic', category: 'process', code: (c) => `%%bash\ntouch ${c.marker}` },
  { name: '%%script sh cell magic', category: 'process', code: (c) => `%%script sh\ntouch ${c.marker}` },
  { name: '%sx line magic', category: 'process', code: (c) => `%sx touch ${c.marker}` },
  { name: 'get_ipython().system', category: 'process', code: (c) => `ip = get_ipython()\nip.system("touch " + ${py(c.marker)})` },
  {
    name: 'a workdir module that disables the guard, then imports ctypes',
    category: 'process',
    code: (c) =>
      [
        'import sys, importlib',
        'src = """',
        'import sys',
        'sys.meta_path[:] = [f for f in sys.meta_path if "Workdir" not in type(f).__name__]',
        'import builtins',
        'builtins.__import__ = __builtins__["__import__"] if isinstance(__builtins__, dict) else builtins.__import__',
        'import ctypes',
        `ctypes.CDLL(None).system(b"touch ${c.marker}")`,
        '"""',
        'open("helper_mod.py", "w").write(src)',
        'importlib.invalidate_caches()',
        'import helper_mod',
        ESCAPED,
      ].join('\n'),
  },
  {
    name: 'a workdir module that reaches ctypes through sys.modules',
    category: 'process',
    code: (c) =>
      [
        'import importlib',
        `open("helper_mod2.py", "w").write("import sys\\nsys.modules['ctypes'].CDLL(None).system(b'touch ${c.marker}')\\n")`,
        'importlib.invalidate_caches()',
        'import helper_mod2',
        ESCAPED,
      ].join('\n'),
  },
  { name: 'fork bomb', category: 'resources', code: () => `import os\nwhile True:\n    os.fork()` },

  // The network: TCP, Unix sockets, UDP, DNS, HTTP.
  { name: 'TCP connect to a host canary', category: 'network', code: () => `import sys\nsys.modules["socket"].create_connection(("127.0.0.1", ${host.tcpPort}), timeout=3)\n${ESCAPED}` },
  { name: 'import socket and connect, as a model would', category: 'network', code: () => `import socket\ns = socket.socket()\ns.settimeout(3)\ns.connect(("127.0.0.1", ${host.tcpPort}))\n${ESCAPED}` },
  { name: 'urllib.request.urlopen', category: 'network', code: () => `import urllib.request\nurllib.request.urlopen("http://127.0.0.1:${host.tcpPort}/", timeout=3)\n${ESCAPED}` },
  { name: 'http.client through sys.modules', category: 'network', code: () => `import sys\nc = sys.modules["http.client"].HTTPConnection("127.0.0.1", ${host.tcpPort}, timeout=3)\nc.request("GET", "/")\n${ESCAPED}` },
  { name: 'raw _socket', category: 'network', code: () => `import sys\ns = sys.modules["_socket"].socket(2, 1)\ns.connect(("127.0.0.1", ${host.tcpPort}))\n${ESCAPED}` },
  { name: 'Unix socket to a host canary', category: 'network', code: () => `import sys\nS = sys.modules["socket"]\ns = S.socket(S.AF_UNIX)\ns.connect(${py(host.unixPath)})\n${ESCAPED}` },
  { name: 'abstract Unix socket to a host canary', category: 'network', code: () => `import sys\nS = sys.modules["socket"]\ns = S.socket(S.AF_UNIX)\ns.connect("\\0${host.abstractName}")\n${ESCAPED}` },
  { name: 'UDP datagram to a host canary', category: 'network', code: () => `import sys\nS = sys.modules["socket"]\ns = S.socket(S.AF_INET, S.SOCK_DGRAM)\ns.sendto(b"x", ("127.0.0.1", ${host.udpPort}))\n${ESCAPED}` },
  { name: 'DNS lookup', category: 'network', code: () => `import sys\nprint(sys.modules["socket"].getaddrinfo("example.com", 80))\n${ESCAPED}` },
  { name: 'asyncio.open_connection', category: 'network', code: () => `import asyncio\nr, w = await asyncio.open_connection("127.0.0.1", ${host.tcpPort})\n${ESCAPED}` },
  {
    name: 'ctypes libc socket()',
    category: 'network',
    code: () => `import sys\nlibc = sys.modules["ctypes"].CDLL(None)\nif libc.socket(2, 1, 0) >= 0:\n    ${ESCAPED}`,
  },
  {
    name: 'a listening server the host could reach',
    category: 'network',
    code: () => `import sys\nS = sys.modules["socket"]\ns = S.socket()\ns.bind(("127.0.0.1", 0))\ns.listen()\nprint("PORT", s.getsockname()[1])`,
    check: async (_c, text) => {
      const port = /PORT (\d+)/.exec(text)?.[1];
      if (!port) return [];
      const reached = await new Promise<boolean>((resolve) => {
        const sock = connect(Number(port), '127.0.0.1', () => resolve(true));
        sock.once('error', () => resolve(false));
        sock.setTimeout(2000, () => resolve(false));
        onTestFinished(() => void sock.destroy());
      });
      return reached ? [`the host reached a server the kernel opened on port ${port}`] : [];
    },
  },

  // Files outside the workdir.
  { name: 'read a secret file by absolute path', category: 'files', code: () => `print(open(${py(host.secretFile)}).read())` },
  { name: 'read a secret through a symlink in the workdir', category: 'files', code: () => `import os\nos.symlink(${py(host.secretFile)}, "link-secret")\nprint(open("link-secret").read())` },
  { name: 'read a secret through a hard link in the workdir', category: 'files', code: () => `import os\nos.link(${py(host.secretFile)}, "hard-secret")\nprint(open("hard-secret").read())` },
  { name: 'read /proc/1/environ', category: 'files', code: () => `print(open("/proc/1/environ").read())` },
  { name: "read the parent's /proc environ", category: 'files', code: () => `import os\nprint(open(f"/proc/{os.getppid()}/environ").read())` },
  { name: "read another process's environ by pid", category: 'files', code: () => `print(open("/proc/${host.holder?.pid}/environ").read())` },
  {
    name: 'sweep every /proc/*/environ',
    category: 'files',
    mayPass: true,
    code: () => `import os\nfound = []\nfor p in os.listdir("/proc"):\n    if p.isdigit():\n        try:\n            found.append(open(f"/proc/{p}/environ").read())\n        except Exception:\n            pass\nprint(found)`,
  },
  { name: "its own environment holds nothing of the server's", category: 'files', mayPass: true, code: () => `import os\nprint(open("/proc/self/environ").read())\nprint(dict(os.environ))` },
  { name: '~/.ssh/id_rsa', category: 'files', code: () => `import os\nprint(open(os.path.expanduser("~/.ssh/id_rsa")).read())` },
  {
    name: "list the server user's home",
    category: 'files',
    code: () => `import os\nprint(os.listdir(${py(homedir())}))`,
    check: (_c, text) => homeEntries.filter((e) => text.includes(`'${e}'`)).map((e) => `the home directory entry ${e} was listed`),
  },
  { name: 'read /etc/passwd and /etc/shadow', category: 'files', code: () => `print(open("/etc/passwd").read())\nprint(open("/etc/shadow").read())`, check: (_c, text) => (text.includes('root:x:0:0') || text.includes('root:*:') ? ['host account files were read'] : []) },
  { name: 'write outside the workdir', category: 'files', code: () => `open(${py(join(host.outsideDir, 'written'))}, "w").write("x")\n${ESCAPED}` },
  { name: 'move a workdir file outside', category: 'files', code: () => `import os\nopen("moving", "w").write("x")\nos.rename("moving", ${py(join(host.outsideDir, 'moved'))})\n${ESCAPED}` },
  { name: 'write through a symlink to an outside directory', category: 'files', code: () => `import os\nos.symlink(${py(host.outsideDir)}, "out-link")\nopen("out-link/through", "w").write("x")\n${ESCAPED}` },
  {
    name: "append to the sandbox's own guard module",
    category: 'files',
    code: () => `open(${py(join(KERNEL_PYTHON_DIR, 'duet_guard.py'))}, "a").close()\n${ESCAPED}`,
    check: () => (guardHash() !== guardHashBefore ? ['duet_guard.py changed'] : []),
  },
  {
    name: 'set the hostname through /proc/sys',
    category: 'files',
    // Judged by the host's name alone: a jail may own a UTS namespace of its own.
    code: () => `open("/proc/sys/kernel/hostname", "w").write("pwned")`,
    check: () => (hostname() !== hostName ? ['the host name changed'] : []),
  },
  {
    name: 'rewrite the host-wide core_pattern through /proc/sys',
    category: 'files',
    // Writes back the current value: harmless if it worked, and the cell says so.
    code: () => `p = "/proc/sys/kernel/core_pattern"\nv = open(p).read()\nopen(p, "w").write(v)\n${ESCAPED}`,
  },

  // Code built at run time, debuggers, input.
  { name: 'eval of a built string', category: 'eval', guardOnly: true, code: (c) => `eval("open(" + repr(${py(c.marker)}) + ", 'w').close()")` },
  { name: 'exec of a built string', category: 'eval', guardOnly: true, code: (c) => `exec("open(" + repr(${py(c.marker)}) + ", 'w').close()")` },
  { name: 'compile then exec', category: 'eval', guardOnly: true, code: (c) => `code = compile("open(" + repr(${py(c.marker)}) + ", 'w').close()", "x", "exec")\nexec(code)` },
  { name: 'get_ipython().run_cell of a built string', category: 'eval', guardOnly: true, code: (c) => `get_ipython().run_cell("open(" + repr(${py(c.marker)}) + ", 'w').close()")` },
  { name: 'breakpoint()', category: 'eval', guardOnly: true, code: () => `breakpoint()\n${ESCAPED}` },
  { name: 'input()', category: 'eval', code: () => `x = input("password? ")\n${ESCAPED}`, check: (_c, text) => (text.includes('input() is not available in Duet') ? [] : ['input() did not say it is unavailable']) },

  // Resources.
  { name: 'one huge allocation', category: 'resources', code: () => `x = bytearray(8 * 1024**3)\n${ESCAPED}` },
  { name: 'memory growing until it runs out', category: 'resources', code: () => `chunks = []\nwhile True:\n    chunks.append(bytearray(64 * 1024**2))` },
  {
    name: 'a file larger than the limit',
    category: 'resources',
    code: () => `with open("big.bin", "wb") as f:\n    for _ in range(200):\n        f.write(b"x" * 1024**2)\n${ESCAPED}`,
    check: (c) => {
      const big = join(c.workdir, 'big.bin');
      const size = existsSync(big) ? statSync(big).size : 0;
      rmSync(big, { force: true });
      return size > TEST_LIMITS.fileSizeBytes ? [`big.bin grew to ${size} bytes`] : [];
    },
  },
  { name: 'too many open files', category: 'resources', code: () => `fs = [open(f"f{i}", "w") for i in range(100000)]\n${ESCAPED}` },
  { name: 'too many threads', category: 'resources', code: () => `import threading, time\nfor _ in range(100000):\n    threading.Thread(target=time.sleep, args=(1,), daemon=True).start()\n${ESCAPED}` },

  // Signals.
  { name: 'SIGKILL to the parent (the server)', category: 'signals', code: () => `import os\nos.kill(os.getppid(), 9)\n${ESCAPED}` },
  { name: 'probe pid 1 with signal 0', category: 'signals', code: () => `import os\nos.kill(1, 0)\n${ESCAPED}` },
  { name: 'signal every process (kill -1, signal 0)', category: 'signals', code: () => `import os\nos.kill(-1, 0)\n${ESCAPED}` },
  {
    name: 'SIGKILL to another process by pid',
    category: 'signals',
    code: () => `import os\nos.kill(${host.holder?.pid}, 9)\n${ESCAPED}`,
    check: () => (host.holder?.exitCode !== null || host.holder?.signalCode !== null ? ['the other process was killed'] : []),
  },
  {
    name: 'disarm the death signal with prctl, to outlive the server',
    category: 'signals',
    code: () => `import sys\nlibc = sys.modules["ctypes"].CDLL(None)\nif libc.prctl(1, 0, 0, 0, 0) == 0:\n    ${ESCAPED}`,
  },
  { name: 'SIGKILL to the process group', category: 'signals', code: () => `import os\nos.killpg(os.getpgid(0), 9)\n${ESCAPED}` },
  {
    name: 'renice another process (setpriority has no audit event)',
    category: 'signals',
    code: () => `import os\nos.setpriority(os.PRIO_PROCESS, ${host.holder?.pid}, 19)\n${ESCAPED}`,
    check: () => (niceOf(host.holder?.pid) !== 0 ? [`the other process was reniced to ${niceOf(host.holder?.pid)}`] : []),
  },
  {
    name: "lower another process's limits (prlimit through ctypes)",
    category: 'signals',
    code: () =>
      `import sys, ctypes\nlibc = sys.modules["ctypes"].CDLL(None, use_errno=True)\nlim = (ctypes.c_ulong * 2)(1, 1)\nif libc.prlimit(${host.holder?.pid}, 7, lim, None) == 0:\n    ${ESCAPED}`,
    check: () => (/Max open files\s+1\s/.test(readProc(host.holder?.pid, 'limits')) ? ["the other process's limits were changed"] : []),
  },
];

function readProc(pid: number | undefined, file: string): string {
  try {
    return pid === undefined ? '' : readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** The nice value of a process, from /proc/PID/stat (field 19). */
function niceOf(pid: number | undefined): number {
  const stat = readProc(pid, 'stat');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[16] ?? 0);
}


beforeAll(async () => {
  await host.open();
});
afterAll(async () => {
  await host.close();
});

describe('the escape suite', () => {
  it('has at least 40 attempts across every category', () => {
    expect(attempts.length).toBeGreaterThanOrEqual(40);
    expect(new Set(attempts.map((a) => a.category))).toEqual(new Set(['process', 'network', 'files', 'eval', 'resources', 'signals']));
  });
});

const variants: Array<GuardVariant & { seccomp: 'auto' | 'bpf' }> = guardVariants(modes).map((v) => ({ ...v, seccomp: 'auto' }));
if (modes.includes('landlock')) {
  // Duet's own BPF program, for interpreters without python3-seccomp.
  variants.push({ mode: 'landlock', guard: false, seccomp: 'bpf', label: 'landlock with the built-in BPF filter, layers alone' });
}

describe('the built-in BPF filter', () => {
  it('uses the syscall numbers libseccomp knows, on x86_64 and aarch64', () => {
    const script = [
      'import sys, seccomp',
      `sys.path.insert(0, ${py(KERNEL_PYTHON_DIR)})`,
      'import duet_seccomp as d',
      'bad = []',
      'for arch, table in ((seccomp.Arch.X86_64, d._X86_64), (seccomp.Arch.AARCH64, d._AARCH64)):',
      '    for name, nr in table.items():',
      '        if seccomp.resolve_syscall(arch, name) != nr:',
      '            bad.append((str(arch), name, nr))',
      'print(bad)',
    ].join('\n');
    const out = execFileSync(PYTHON, ['-I', '-c', script], { encoding: 'utf8' });
    expect(out.trim()).toBe('[]');
  });
});

describe.each(variants)('$label', ({ mode, guard, seccomp }) => {
  const kernel = new ReusableKernel(mode, TEST_LIMITS, { guard, seccomp });
  beforeAll(() => kernel.start());
  afterAll(() => kernel.dispose());

  const cases = attempts.filter((a) => guard || !a.guardOnly);
  it.each(cases)('$category: $name is blocked', async (attempt) => {
    const marker = join(kernel.workdir, `spawned-${attempt.name.replace(/[^a-z0-9]+/gi, '-')}`);
    const ctx: Ctx = { marker, workdir: kernel.workdir };
    const outcome = await kernel.run(attempt.code(ctx));
    const text = outputText(outcome.outputs) + (outcome.result.evalue ?? '');
    const problems = [...host.problems(text), ...(await (attempt.check?.(ctx, text) ?? []))];
    if (existsSync(marker)) problems.push('the marker file appeared: the forbidden action ran');
    const strays = readdirSync(kernel.workdir).filter((f) => f.startsWith('spawned-'));
    if (strays.length > 0) problems.push(`marker files appeared: ${strays.join(', ')}`);
    expect(problems).toEqual([]);
    if (guard && !attempt.mayPass) {
      // A blocked action fails the cell; it is never a silent no-op.
      expect(outcome.result.status).toBe('error');
    }
    // The kernel is still usable, or is restarted for the next case.
    const after = await kernel.run('print(6 * 7)');
    expect(outputText(after.outputs)).toContain('42');
  });
});

describe.each(modes)('%s: resources and lifetime', (mode: SandboxMode) => {
  it('a CPU-bound loop past the CPU limit ends the kernel, not the server', async () => {
    const kernel = new ReusableKernel(mode, { ...TEST_LIMITS, cpuSeconds: 2 });
    onTestFinished(() => kernel.dispose());
    await kernel.start();
    const outcome = await kernel.run('while True:\n    pass', 30_000);
    expect(outcome.died).toBe(true);
    expect(process.kill(process.pid, 0)).toBe(true);
  });

  it('a runaway printer is interrupted and the kernel stays usable', async () => {
    const kernel = new ReusableKernel(mode, TEST_LIMITS);
    onTestFinished(() => kernel.dispose());
    await kernel.start();
    const session = kernel.session;
    if (!session) throw new Error('no session');
    const abort = new AbortController();
    // Cancelled as soon as the kernel reports it is running the cell.
    const off = session.onState((state) => (state === 'busy' ? abort.abort() : undefined));
    onTestFinished(() => void off());
    const outcome = await session.run('while True:\n    print("x" * 1000)', { signal: abort.signal });
    // A KeyboardInterrupt in the loop ('error'), or, on a busy machine, an interrupt that
    // landed before the loop began, which ipykernel answers by aborting the request.
    expect(['error', 'aborted']).toContain(outcome.result.status);
    const after = await kernel.run('print(6 * 7)');
    expect(outputText(after.outputs)).toContain('42');
  });

  it('files planted in the workdir do not run when the kernel starts again', async () => {
    const kernel = new ReusableKernel(mode, TEST_LIMITS);
    onTestFinished(() => kernel.dispose());
    await kernel.start();
    const mark = join(kernel.workdir, 'planted-ran');
    const payload = `open(${py(mark)}, "w").close()\n`;
    const plant = [
      'import os',
      `payload = ${py(payload)}`,
      'for name in ["ipython_config.py", "ipython_kernel_config.py", "sitecustomize.py", "usercustomize.py", "numpy.py", "IPython.py", "zmq.py", "ipykernel.py", "matplotlib.py"]:',
      '    open(name, "w").write(payload)',
      'os.makedirs(".ipython/profile_default/startup", exist_ok=True)',
      'open(".ipython/profile_default/startup/00-run.py", "w").write(payload)',
      'os.makedirs(".jupyter", exist_ok=True)',
      'open(".jupyter/jupyter_config.py", "w").write(payload)',
    ].join('\n');
    expect((await kernel.run(plant)).result.status).toBe('ok');
    await kernel.restart();
    const check = await kernel.run('import numpy, matplotlib\nprint(numpy.__file__, matplotlib.__file__)');
    expect(outputText(check.outputs)).toContain('/usr/');
    expect(existsSync(mark)).toBe(false);
  });

  it('a kernel that ignores SIGTERM and SIGINT is still gone after shutdown', async () => {
    const kernel = new ReusableKernel(mode, TEST_LIMITS);
    onTestFinished(() => kernel.dispose());
    await kernel.start();
    await kernel.run('import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nsignal.signal(signal.SIGINT, signal.SIG_IGN)');
    expect(processesFor(kernel.workdir).length).toBeGreaterThan(0);
    await kernel.session?.shutdown();
    await expect.poll(() => processesFor(kernel.workdir), { timeout: 10_000 }).toEqual([]);
  });

  it('the kernel dies with the server that started it', async () => {
    const workdir = mkdtempSync(join(tmpdir(), `duet-orphan-${mode}-`));
    onTestFinished(() => rmSync(workdir, { recursive: true, force: true }));
    const script = [
      "import { KernelSession, sandboxLauncher } from '@duet/kernel';",
      `const s = new KernelSession({ python: ${py(PYTHON)}, workdir: ${py(workdir)}, launcher: sandboxLauncher(${py(mode)}) });`,
      "await s.start(); console.log('READY'); setInterval(() => {}, 1e6);",
    ].join('\n');
    const server = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: join(KERNEL_PYTHON_DIR, '..', '..', 'tests'), stdio: ['ignore', 'pipe', 'inherit'] });
    onTestFinished(() => void server.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      server.stdout?.on('data', (d: Buffer) => (d.toString().includes('READY') ? resolve() : undefined));
      server.once('exit', (code) => reject(new Error(`the server exited early (${code})`)));
    });
    expect(processesFor(workdir).length).toBeGreaterThan(0);
    server.kill('SIGKILL');
    await expect.poll(() => processesFor(workdir), { timeout: 10_000 }).toEqual([]);
  });
});
