import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxMode } from '@duet/kernel';
import { ReusableKernel, TEST_LIMITS, outputText, sandboxModes } from './sandbox-harness.ts';

/**
 * The guard judges a path before the operating system acts on it, so it must
 * resolve it as the OS will: relative to the directory descriptor a call names,
 * each symlink followed before the `..` after it, and, where it cannot tell,
 * refuse. Run where the guard is all there is (mode `none`, whose kernel the OS
 * lets write anywhere its user can) and in every sandbox mode. Judged from
 * outside: a host folder, its files and their contents, unchanged; a secret never
 * in an output; and nothing an output says about host files that it would not
 * say about files that do not exist.
 */

const modes: SandboxMode[] = ['none', ...(await sandboxModes())];
const py = (s: string): string => JSON.stringify(s);

/** A folder on the host, outside every kernel's reach. */
class HostFolder {
  readonly dir = mkdtempSync(join(tmpdir(), 'duet-guard-host-'));
  readonly secret = `guard-secret-${randomBytes(8).toString('hex')}`;
  readonly secretPath = join(this.dir, 'secret.txt');
  readonly victimPath = join(this.dir, 'victim.txt');
  readonly sub = join(this.dir, 'sub');

  /** (Re)creates the folder as each attempt must find it. */
  create(): void {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.sub, { recursive: true });
    writeFileSync(this.secretPath, this.secret);
    writeFileSync(this.victimPath, 'victim\n');
  }

  /** Every name below the folder, with its contents: what must not change. */
  snapshot(): string[] {
    const out: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir).sort()) {
        const path = join(dir, name);
        const st = lstatSync(path);
        if (st.isDirectory()) {
          out.push(`${path}/`);
          walk(path);
        } else if (st.isFile()) {
          out.push(`${path} ${readFileSync(path, 'utf8')}`);
        } else {
          // A fifo, a socket or a link: never opened, which could block or lead elsewhere.
          out.push(`${path} (${st.isFIFO() ? 'fifo' : st.isSymbolicLink() ? 'link' : 'other'})`);
        }
      }
    };
    walk(this.dir);
    return out;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const host = new HostFolder();
let pristine: string[] = [];
beforeAll(() => {
  host.create();
  pristine = host.snapshot();
});
afterAll(() => host.remove());

interface Attempt {
  name: string;
  code: string;
}

/** `link` in the workdir points at the host folder's `sub`: `link/..` is the host folder itself. */
const LINK = `import os, shutil\nif not os.path.islink("link"):\n    os.symlink(${py(host.sub)}, "link")\n`;
/** A descriptor on the kernel's own /proc entry, which the guard lets it open: `root` below it is "/". */
const PROC_FD = 'import os\nd = os.open(f"/proc/{os.getpid()}", os.O_RDONLY)\n';

const attempts: Attempt[] = [
  { name: 'os.open relative to a directory descriptor, reading', code: `${PROC_FD}print(os.read(os.open("root" + ${py(host.secretPath)}, os.O_RDONLY, dir_fd=d), 100))` },
  { name: 'os.open relative to a directory descriptor, appending', code: `${PROC_FD}os.write(os.open("root" + ${py(host.victimPath)}, os.O_WRONLY | os.O_APPEND, dir_fd=d), b"appended\\n")` },
  { name: 'posix.open, around the os.open wrapper', code: `${PROC_FD}import posix\nos.write(posix.open("root" + ${py(host.victimPath)}, os.O_WRONLY | os.O_APPEND, dir_fd=d), b"appended\\n")` },
  { name: 'open() with an opener that uses a directory descriptor', code: `${PROC_FD}open("root" + ${py(host.victimPath)}, "a", opener=lambda p, f: os.open(p, f, dir_fd=d)).write("appended\\n")` },
  { name: 'mkdir relative to a directory descriptor', code: `${PROC_FD}os.mkdir("root" + ${py(join(host.dir, 'via-fd'))}, dir_fd=d)` },
  { name: 'remove through link/..', code: `${LINK}os.remove("link/../victim.txt")` },
  { name: 'rename out through link/..', code: `${LINK}os.rename("link/../victim.txt", "stolen.txt")\nprint(open("stolen.txt").read())` },
  { name: 'rename in through link/..', code: `${LINK}open("planted.txt", "w").write("planted")\nos.rename("planted.txt", "link/../planted.txt")` },
  { name: 'symlink created through link/..', code: `${LINK}os.symlink("/", "link/../planted-link")` },
  { name: 'mkdir through link/..', code: `${LINK}os.mkdir("link/../planted-dir")` },
  { name: 'mkfifo through link/..', code: `${LINK}os.mkfifo("link/../planted-fifo")` },
  { name: 'hard link of a host file through link/..', code: `${LINK}os.link("link/../secret.txt", "hard.txt")\nprint(open("hard.txt").read())` },
  { name: 'rmtree of link/..', code: `${LINK}shutil.rmtree("link/..")` },
  { name: 'a trailing slash through a link', code: `${LINK}os.rmdir("link/")` },
  { name: 'sqlite3 creating a database on the host', code: `import sqlite3\nsqlite3.connect(${py(join(host.dir, 'db.sqlite'))}).execute("create table t (x)")` },
  { name: 'sqlite3 through a file: URI', code: `import sqlite3\nsqlite3.connect("file:" + ${py(join(host.dir, 'uri.sqlite'))} + "?mode=rwc", uri=True).execute("create table t (x)")` },
];

/** What stat and its kin say about a path; for a host file it must be what they say about no file at all. */
const LOOK = (path: string): string =>
  [
    'import os, pathlib, json, posix',
    `p = ${py(path)}`,
    'def said(act):',
    '    try:',
    '        return repr(act())',
    '    except Exception as e:',
    '        return type(e).__name__ + str(getattr(e, "errno", ""))',
    'print(json.dumps({',
    '    "exists": said(lambda: os.path.exists(p)),',
    '    "isfile": said(lambda: os.path.isfile(p)),',
    '    "pathlib": said(lambda: pathlib.Path(p).exists()),',
    '    "access": said(lambda: os.access(p, os.R_OK)),',
    '    "stat": said(lambda: os.stat(p).st_size),',
    '    "posix.stat": said(lambda: posix.stat(p).st_size),',
    '    "lstat": said(lambda: os.lstat(p).st_mtime),',
    '    "getsize": said(lambda: os.path.getsize(p)),',
    '}))',
  ].join('\n');

describe.each(modes)('%s with the guard', (mode: SandboxMode) => {
  const kernel = new ReusableKernel(mode, TEST_LIMITS);
  beforeAll(() => kernel.start());
  afterAll(() => kernel.dispose());

  it.each(attempts)('$name is refused', async ({ code }) => {
    host.create();
    const outcome = await kernel.run(code);
    const text = outputText(outcome.outputs);
    expect(text).not.toContain(host.secret);
    expect(host.snapshot()).toEqual(pristine);
    expect(outcome.result.status, text).toBe('error');
  });

  it('looking at a host file says what looking at no file says', async () => {
    const existing = outputText((await kernel.run(LOOK(host.secretPath))).outputs);
    const missing = outputText((await kernel.run(LOOK(join(host.dir, 'no-such-file.txt')))).outputs);
    expect(existing).toBe(missing);
    expect(existing).toContain('"exists": "False"');
  });

  it('still reads, writes, lists and removes its own files through links and descriptors', async () => {
    const outcome = await kernel.run(
      [
        'import os, shutil, pathlib',
        'os.makedirs("own/inner", exist_ok=True)',
        'os.symlink("own/inner", "own-link")',
        'open("own-link/../x.txt", "w").write("x")',
        'd = os.open("own", os.O_RDONLY)',
        'f = os.open("y.txt", os.O_WRONLY | os.O_CREAT, dir_fd=d)',
        'os.write(f, b"y"); os.close(f)',
        'print(sorted(os.listdir("own")), os.stat("y.txt", dir_fd=d).st_size, pathlib.Path("own/x.txt").exists())',
        'os.remove("own-link")',
        'shutil.rmtree("own")',
        'print("cleaned", os.path.exists("own"))',
      ].join('\n'),
    );
    expect(outcome.result.status, outputText(outcome.outputs)).toBe('ok');
    expect(outputText(outcome.outputs)).toContain("['inner', 'x.txt', 'y.txt'] 1 True");
    expect(outputText(outcome.outputs)).toContain('cleaned False');
  });
});
