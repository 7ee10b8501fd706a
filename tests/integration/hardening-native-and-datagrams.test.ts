import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, ReusableKernel, TEST_LIMITS, guardVariants, outputText, sandboxModes } from './sandbox-harness.ts';

/**
 * Two ways around the socket ban and the module checks, each tried by every
 * route Python offers:
 *
 * - native code from a place notebook code can write (a system extension module
 *   copied there, loaded by hand through the import machinery), judged by a
 *   marker file written only once a load returned;
 * - datagrams to a pathname socket on the host from a socket pair (the one kind
 *   of socket the kernel may still make), judged by what a host listener received.
 *
 * Landlock has no right that governs mapping a file as code, so with the guard
 * off a Landlock kernel can load what it wrote (kernel/README.md says so); every
 * other variant must refuse.
 */

const modes = await sandboxModes();
const py = (s: string): string => JSON.stringify(s);

/** A Unix datagram socket on the host, bound by a process of the host, logging every datagram. */
class DatagramCanary {
  readonly dir = mkdtempSync(join(tmpdir(), 'duet-dgram-'));
  readonly path = join(this.dir, 'canary.dgram');
  readonly log = join(this.dir, 'received.log');
  #child: ReturnType<typeof spawn> | null = null;

  async open(): Promise<void> {
    const script = [
      'import socket, sys',
      's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
      's.bind(sys.argv[1])',
      'print("ready", flush=True)',
      'while True:',
      '    data = s.recv(65536)',
      '    with open(sys.argv[2], "ab") as f:',
      '        f.write(data + b"\\n")',
    ].join('\n');
    const child = spawn(PYTHON, ['-I', '-c', script, this.path, this.log], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the datagram canary exited (${code})`)));
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', () => resolve());
    });
  }

  received(): string {
    return existsSync(this.log) ? readFileSync(this.log, 'utf8') : '';
  }

  close(): void {
    this.#child?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const canary = new DatagramCanary();
beforeAll(() => canary.open());
afterAll(() => canary.close());

interface Route {
  name: string;
  /** Loads the module named `_json` from `path` (a copy of the system's), then writes the marker. */
  code: (path: string, marker: string) => string;
}

const COPY = [
  'import glob, os, shutil, sys, tempfile, importlib, importlib.util, importlib.machinery',
  'system = glob.glob("/usr/lib/python3*/lib-dynload/_json.cpython-*.so")[0]',
  'def place(path):',
  '    os.makedirs(os.path.dirname(path), exist_ok=True)',
  '    shutil.copy(system, path)',
  '    return path',
].join('\n');

const routes: Route[] = [
  {
    name: 'importlib.util.spec_from_file_location',
    code: (path, marker) => `${COPY}\nspec = importlib.util.spec_from_file_location("_json", place(${path}))\nimportlib.util.module_from_spec(spec)\nopen(${marker}, "w").close()`,
  },
  {
    name: 'ExtensionFileLoader.create_module',
    code: (path, marker) =>
      `${COPY}\nloader = importlib.machinery.ExtensionFileLoader("_json", place(${path}))\nloader.create_module(importlib.util.spec_from_loader("_json", loader))\nopen(${marker}, "w").close()`,
  },
  {
    name: '_imp.create_dynamic',
    code: (path, marker) =>
      `${COPY}\nimport _imp\n_imp.create_dynamic(importlib.machinery.ModuleSpec("_json", None, origin=place(${path})))\nopen(${marker}, "w").close()`,
  },
  {
    name: 'import by name from a folder put on sys.path',
    code: (path, marker) => `${COPY}\nplace(${path})\nsys.modules.pop("_json", None)\nsys.path.insert(0, os.path.dirname(${path}))\nimportlib.invalidate_caches()\nimport _json\nassert _json.__file__ == ${path}, _json.__file__\nopen(${marker}, "w").close()`,
  },
];

const placesFor = (workdir: string): { where: string; path: string }[] => [
  { where: 'the workdir', path: py(join(workdir, 'native', '_json.cpython-311-x86_64-linux-gnu.so')) },
  { where: 'the temporary folder', path: 'os.path.join(tempfile.gettempdir(), "native", "_json.cpython-311-x86_64-linux-gnu.so")' },
];

/** Datagrams to the host's socket, from every kind of socket pair. */
const DATAGRAMS = (target: string, withCtypes: boolean): string =>
  [
    'import os, sys',
    'sock = sys.modules["socket"]',
    `target = ${py(target)}`,
    'said = []',
    'def attempt(name, act):',
    '    try:',
    '        act()',
    '        said.append(name + " returned")',
    '    except Exception as e:',
    '        said.append(f"{name}: {type(e).__name__}")',
    'for kind in (sock.SOCK_DGRAM, sock.SOCK_DGRAM | sock.SOCK_NONBLOCK | sock.SOCK_CLOEXEC, sock.SOCK_SEQPACKET, sock.SOCK_STREAM):',
    '    def pair_then(use, kind=kind):',
    '        a, b = sock.socketpair(sock.AF_UNIX, kind)',
    '        try:',
    '            use(a)',
    '        finally:',
    '            a.close(); b.close()',
    '    attempt(f"sendto {kind}", lambda: pair_then(lambda s: s.sendto(b"sendto", target)))',
    '    attempt(f"sendmsg {kind}", lambda: pair_then(lambda s: s.sendmsg([b"sendmsg"], [], 0, target)))',
    '    attempt(f"connect {kind}", lambda: pair_then(lambda s: (s.connect(target), s.send(b"connect"))))',
    ...(withCtypes
      ? [
          'import ctypes',
          'libc = ctypes.CDLL(None, use_errno=True)',
          'fds = (ctypes.c_int * 2)()',
          'if libc.socketpair(1, 2, 0, fds) == 0:',
          '    addr = b"\\x01\\x00" + target.encode() + b"\\x00"',
          '    libc.sendto(fds[0], b"raw", 3, 0, addr, len(addr))',
          '    said.append("raw pair made")',
        ]
      : []),
    'print(said)',
  ].join('\n');

const variants = guardVariants(modes);

describe.each(variants)('$label', ({ mode, guard }) => {
  const kernel = new ReusableKernel(mode, TEST_LIMITS, { guard });
  beforeAll(() => kernel.start());
  afterAll(() => kernel.dispose());

  it("loads the kernel's own compiled modules, from where the kernel cannot write", async () => {
    const outcome = await kernel.run('import _bz2, _lzma, _decimal, _csv, mmap, numpy\nprint(numpy.arange(4).sum())');
    expect(outcome.result.status, outputText(outcome.outputs)).toBe('ok');
    expect(outputText(outcome.outputs)).toContain('6');
  });

  // See the note at the top: with the guard off, Landlock cannot refuse this.
  const nativeRefused = guard || mode === 'bwrap';
  describe.runIf(nativeRefused).each(routes)('a native module copied where the kernel writes, loaded by $name', (route) => {
    it.each(['the workdir', 'the temporary folder'])('from %s, is refused', async (where) => {
      const place = placesFor(kernel.workdir).find((p) => p.where === where);
      if (!place) throw new Error(where);
      const marker = join(kernel.workdir, `loaded-${route.name.replace(/[^a-z]+/gi, '-')}`);
      const outcome = await kernel.run(route.code(place.path, py(marker)));
      expect(existsSync(marker), outputText(outcome.outputs)).toBe(false);
      expect(outcome.result.status).toBe('error');
      const reset = await kernel.run('import sys\nsys.path[:] = [p for p in sys.path if not p.endswith("native")]');
      expect(reset.result.status).toBe('ok');
      rmSync(join(kernel.workdir, 'native'), { recursive: true, force: true });
    });
  });

  it('no datagram from a socket pair reaches a host socket', async () => {
    const outcome = await kernel.run(DATAGRAMS(canary.path, !guard));
    expect(canary.received(), outputText(outcome.outputs)).toBe('');
    expect(outputText(outcome.outputs)).not.toMatch(/(sendto|sendmsg|connect) (1|2|526338) returned/);
    expect(readdirSync(canary.dir).sort()).toEqual(['canary.dgram']);
  });
});
