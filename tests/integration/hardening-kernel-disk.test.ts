import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DEFAULT_LIMITS, diskUsage, type NbOutput, type SandboxMode } from '@duet/kernel';
import { ReusableKernel, TEST_LIMITS, outputText, processesFor, sandboxModes } from './sandbox-harness.ts';

/**
 * Everything a kernel can write lies inside one limit, counted in bytes and in
 * files: its workdir and its private temporary folder, both on the host's disk.
 * Its runtime directory, and in bwrap mode the jail's own root and /dev, take no
 * writes at all. Judged from outside: the file system's counts, the runtime
 * directory's listing, and the jail's root as /proc shows it to the host.
 */

const modes = await sandboxModes();
const py = (s: string): string => JSON.stringify(s);

const errorNames = (outputs: NbOutput[]): string[] => outputs.flatMap((o) => (o.output_type === 'error' ? [o.ename] : []));

async function startKernel(mode: SandboxMode, guard = true): Promise<ReusableKernel> {
  const kernel = new ReusableKernel(mode, TEST_LIMITS, { guard });
  onTestFinished(() => kernel.dispose());
  await kernel.start();
  return kernel;
}

function roots(kernel: ReusableKernel): { workdir: string; tmp: string; runtimeDir: string } {
  const [workdir, tmp] = kernel.session?.writableRoots ?? [];
  if (!workdir || !tmp) throw new Error('the kernel has no writable roots');
  return { workdir, tmp, runtimeDir: dirname(tmp) };
}

/** Empty files and dangling symlinks, half in the workdir and half in the temporary folder: no blocks, only inodes. */
const EMPTY_ENTRIES = (n: number): string =>
  [
    'import os, tempfile',
    'for base in (".", tempfile.gettempdir()):',
    '    os.makedirs(os.path.join(base, "many"), exist_ok=True)',
    `for i in range(${n / 4}):`,
    '    for base in (".", tempfile.gettempdir()):',
    '        open(os.path.join(base, "many", f"e{i}"), "w").close()',
    '        os.symlink("nowhere", os.path.join(base, "many", f"l{i}"))',
    'print("made them all")',
  ].join('\n');

const CLEAN_UP = 'import shutil, tempfile, os\nfor base in (".", tempfile.gettempdir()):\n    shutil.rmtree(os.path.join(base, "many"), ignore_errors=True)\n    shutil.rmtree(os.path.join(base, "big"), ignore_errors=True)';

describe.each(modes)('%s: the disk limit', (mode: SandboxMode) => {
  it('30,000 empty files and symlinks hit the file limit', async () => {
    const kernel = await startKernel(mode);
    const limit = TEST_LIMITS.maxFiles;
    expect(limit).toBeLessThan(30_000);
    const outcome = await kernel.run(EMPTY_ENTRIES(30_000), 120_000);
    expect(outcome.result.ename).toBe('DiskLimit');
    // Told once, and only that: the interrupt that stopped the cell is Duet's doing.
    expect(errorNames(outcome.outputs)).toEqual(['DiskLimit']);
    expect(outputText(outcome.outputs)).toMatch(/files, folders and links/);
    const { workdir, tmp } = roots(kernel);
    expect((await diskUsage([workdir, tmp])).files).toBeGreaterThan(limit);

    const cleaned = await kernel.run(CLEAN_UP);
    expect(cleaned.result.status).toBe('ok');
    expect((await diskUsage([workdir, tmp])).files).toBeLessThan(limit);
    expect(outputText((await kernel.run('print(6 * 7)')).outputs)).toContain('42');
  });

  it('files made by many quick cells add up to the same limit', async () => {
    const kernel = await startKernel(mode);
    const perCell = Math.ceil(TEST_LIMITS.maxFiles / 4);
    const make = (n: number): string =>
      `import os\nos.makedirs("many", exist_ok=True)\nfor i in range(${perCell}):\n    open(f"many/c${n}-{i}", "w").close()`;
    const endings: (string | undefined)[] = [];
    for (let n = 0; n < 5; n++) endings.push((await kernel.run(make(n))).result.ename);
    expect(endings.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(endings.slice(3)).toContain('DiskLimit');
    const { workdir, tmp } = roots(kernel);
    expect((await diskUsage([workdir, tmp])).files).toBeGreaterThan(TEST_LIMITS.maxFiles);
    expect((await kernel.run(CLEAN_UP)).result.status).toBe('ok');
  });

  it('bytes in the temporary folder count against the same limit as the workdir', async () => {
    const kernel = await startKernel(mode);
    const perFile = Math.floor(TEST_LIMITS.fileSizeBytes * 0.75);
    const files = Math.ceil((TEST_LIMITS.diskBytes * 1.1) / perFile);
    const fill = [
      'import os, tempfile',
      'big = os.path.join(tempfile.gettempdir(), "big")',
      'os.makedirs(big, exist_ok=True)',
      `for i in range(${files}):`,
      '    with open(os.path.join(big, f"f{i}"), "wb") as f:',
      `        os.posix_fallocate(f.fileno(), 0, ${perFile})`,
    ].join('\n');
    const outcome = await kernel.run(fill);
    expect(outcome.result.ename).toBe('DiskLimit');
    const { workdir, tmp } = roots(kernel);
    expect((await diskUsage([workdir])).bytes).toBeLessThan(TEST_LIMITS.diskBytes);
    expect((await diskUsage([tmp])).bytes).toBeGreaterThan(TEST_LIMITS.diskBytes);
    expect((await kernel.run(CLEAN_UP)).result.status).toBe('ok');
  });

  it.each([true, false])('the runtime directory takes no writes (guard %s)', async (guard) => {
    const kernel = await startKernel(mode, guard);
    const { runtimeDir } = roots(kernel);
    const listing = readdirSync(runtimeDir).sort();
    const attempt = [
      'import os',
      `rt = ${py(runtimeDir)}`,
      'for what, act in [',
      '    ("file", lambda: open(os.path.join(rt, "planted"), "w").close()),',
      '    ("dir", lambda: os.mkdir(os.path.join(rt, "planted-dir"))),',
      '    ("link", lambda: os.symlink("/", os.path.join(rt, "planted-link"))),',
      '    ("remove", lambda: os.remove(os.path.join(rt, "connection.json"))),',
      '    ("rename", lambda: os.rename(os.path.join(rt, "kernel-1"), os.path.join(rt, "moved"))),',
      ']:',
      '    try:',
      '        act()',
      '        print("wrote", what)',
      '    except OSError as e:',
      '        print("refused", what, e.errno)',
    ].join('\n');
    const outcome = await kernel.run(attempt);
    expect(outputText(outcome.outputs)).not.toContain('wrote');
    expect(readdirSync(runtimeDir).sort()).toEqual(listing);
  });
});

if (modes.includes('bwrap')) {
  describe('bwrap: the jail itself', () => {
    it.each([true, false])('has a read-only root and /dev: no memory to fill outside the limits (guard %s)', async (guard) => {
      const kernel = await startKernel('bwrap', guard);
      const places = ['/planted', '/dev/planted', '/dev/shm/planted', '/etc/planted', '/usr/planted', '/proc/planted', '/newdir/planted'];
      const attempt = [
        'import os',
        `for path in ${JSON.stringify(places)}:`,
        '    for act in (lambda: os.makedirs(os.path.dirname(path), exist_ok=True), lambda: open(path, "w").write("x" * 4096)):',
        '        try:',
        '            act()',
        '        except OSError as e:',
        '            print("refused", path, e.errno)',
      ].join('\n');
      await kernel.run(attempt);
      // The jail's root as the host sees it, through the kernel's own process.
      const python = processesFor(kernel.workdir).find((pid) => /python/.test(safeReadlink(`/proc/${pid}/exe`)));
      expect(python).toBeDefined();
      for (const path of places) expect(existsSync(join(`/proc/${python}/root`, path)), path).toBe(false);
      expect(existsSync(join(`/proc/${python}/root`, 'newdir'))).toBe(false);
    });
  });
}

describe('the default limits', () => {
  it('stop a kernel well before 30,000 files', () => {
    expect(DEFAULT_LIMITS.maxFiles).toBeLessThan(30_000);
  });
});

function safeReadlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}
