/**
 * Kernels for open notebooks, with a few started ahead of time so that a new
 * notebook's first cell does not wait for Python to boot.
 *
 * Where a warm kernel works: a kernel's working directory is fixed when it
 * starts (in bwrap mode it is a bind mount at a fixed path inside the jail). So
 * a spare starts in a fresh empty directory of its own under
 * `<notebooks>/.duet-spare/`, and handing it to a notebook renames that
 * directory to the notebook's workdir (`<name>.files`). A rename keeps the
 * directory's identity, so the bind mount and the process's cwd follow it and
 * the sandbox never widens; inside the jail the code still sees the spare's
 * path. A symlink is left at the spare's path, pointing to the workdir, so a
 * restart of that kernel (which starts again at the path it was given) lands
 * in the notebook's workdir too. Spares run no code before the rename, so
 * nothing of one notebook reaches another. The kernel is started in the
 * workdir itself instead when the workdir already holds files (a notebook
 * opened again), or when the sandbox checks paths by name (landlock and none,
 * through the Python guard; macOS profiles): there a renamed directory would
 * lock the kernel out of it. With `--workdir`, every kernel shares that one
 * directory and spares start there.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rename, rm, rmdir, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { KernelConnection, KernelLauncher, KernelLogger } from '@duet/kernel';
import { survivesWorkdirRename } from './launcher.ts';
import type { KernelFactory } from './local-kernel.ts';

export interface KernelPoolOptions {
  /** Makes the pool's kernels (see runtime/kernels-for.ts). */
  newKernel: KernelFactory;
  /**
   * How a spare becomes a notebook's: `rename` its directory to the notebook's
   * workdir (a local sandbox that follows a rename, see the file comment);
   * `as-is` (a kernel on a gateway, whose working directory is its own there,
   * or one shared `--workdir`); `none`: no spares.
   */
  spares: SpareHandover;
  /** How many started kernels wait for a notebook. 0 turns warming off. */
  warm: number;
  /** Parent of the spares' directories; on the same filesystem as the notebooks' workdirs. */
  spareRoot: string;
  /** `--workdir`: every kernel works in this one directory. */
  sharedWorkdir?: string;
  log: KernelLogger;
}

export type SpareHandover = 'rename' | 'as-is' | 'none';

/** How spares of kernels made by this launcher (or on a gateway) reach a notebook. */
export function spareHandover(where: { remote: boolean; launcher?: KernelLauncher; sharedWorkdir?: string }): SpareHandover {
  if (where.remote || where.sharedWorkdir !== undefined) return 'as-is';
  return where.launcher && survivesWorkdirRename(where.launcher) ? 'rename' : 'none';
}

interface Spare {
  kernel: KernelConnection;
  /** The directory the spare works in. */
  dir: string;
  /** Settles true once started, false if the start failed. */
  ready: Promise<boolean>;
  started: boolean;
}

/** Hands out started kernels and shuts every one of them down on {@link close}. */
export class KernelPool {
  readonly #o: KernelPoolOptions;
  readonly #newKernel: KernelFactory;
  readonly #spares: Spare[] = [];
  /** Every kernel this pool started and has not shut down, spare or handed out. */
  readonly #live = new Set<KernelConnection>();
  /** The symlink left at a handed-out spare's path (see the file comment). */
  readonly #links = new Map<KernelConnection, string>();
  #closed = false;
  /** After a spare fails to start, stop warming until a kernel starts again, rather than retry in a loop. */
  #warmingBroken = false;

  constructor(opts: KernelPoolOptions) {
    this.#o = opts;
    this.#newKernel = opts.newKernel;
  }

  /** Kernels started and not yet shut down. */
  get liveCount(): number {
    return this.#live.size;
  }

  /** Spares started and waiting for a notebook. */
  get readySpares(): number {
    return this.#spares.filter((s) => s.started).length;
  }

  /** Removes spare directories a killed server left behind, then starts warming. */
  async start(): Promise<void> {
    // Also when this server warms no spares here: an earlier one (another sandbox) may have.
    if (this.#o.spares !== 'as-is') {
      const root = this.#o.spareRoot;
      const stale = await readdir(root).catch(() => [] as string[]);
      // Spares never ran code, so what is here was made by Duet alone; links are removed, not followed.
      await Promise.all(stale.map((d) => rm(join(root, d), { recursive: true, force: true })));
    }
    this.#fill();
  }

  /** A started kernel working in `workdir`; a spare when one fits, else a fresh one. */
  async acquire(workdir: string): Promise<KernelConnection> {
    if (this.#closed) throw new Error('the kernel pool is closed');
    const { spares, sharedWorkdir } = this.#o;
    const target = sharedWorkdir ?? workdir;
    if (spares === 'as-is' || (spares === 'rename' && (await isFreeForRename(workdir)))) {
      const spare = await this.#takeSpare();
      if (spare) {
        if (spares === 'as-is') {
          this.#fill();
          return spare.kernel;
        }
        if (await moveInto(spare.dir, workdir)) {
          this.#fill();
          // Restarts start at the spare's path: let it lead to the workdir.
          await symlink(workdir, spare.dir, 'dir');
          this.#links.set(spare.kernel, spare.dir);
          return spare.kernel;
        }
        await this.release(spare.kernel);
      }
    }
    this.#fill();
    return this.#startKernel(target);
  }

  /**
   * A kernel for `workdir` that is not started: for a notebook whose kernel
   * could not start, so it still opens and the cell runner can try again later.
   */
  unstarted(workdir: string): KernelConnection {
    return this.#newSession(workdir);
  }

  /** Shuts a kernel down and forgets it. */
  async release(kernel: KernelConnection): Promise<void> {
    this.#live.delete(kernel);
    await kernel.shutdown().catch((err: unknown) => this.#o.log.warn({ err }, 'kernel shutdown failed'));
    const link = this.#links.get(kernel);
    this.#links.delete(kernel);
    if (link !== undefined) await unlink(link).catch(() => undefined);
  }

  /** Shuts every kernel down (spares and handed out) and removes the spares' directories. */
  async close(): Promise<void> {
    this.#closed = true;
    const spares = this.#spares.splice(0);
    await Promise.all([...this.#live].map((k) => this.release(k)));
    if (this.#o.spares === 'rename') await Promise.all(spares.map((s) => rm(s.dir, { recursive: true, force: true }).catch(() => undefined)));
  }

  async #takeSpare(): Promise<Spare | undefined> {
    const ready = this.#spares.findIndex((s) => s.started);
    if (ready >= 0) return this.#spares.splice(ready, 1)[0];
    // None ready: the one already booting is sooner than a new one.
    const booting = this.#spares.shift();
    if (!booting) return undefined;
    return (await booting.ready) ? booting : undefined;
  }

  #fill(): void {
    if (this.#closed || this.#warmingBroken) return;
    // A spare that could never be handed out would only hold memory.
    if (this.#o.spares === 'none') return;
    while (this.#spares.length < this.#o.warm) this.#spares.push(this.#startSpare());
  }

  #startSpare(): Spare {
    const renamed = this.#o.spares === 'rename';
    const dir = renamed ? join(this.#o.spareRoot, randomBytes(6).toString('hex')) : (this.#o.sharedWorkdir ?? this.#o.spareRoot);
    const kernel = this.#newSession(dir);
    const spare: Spare = { kernel, dir, started: false, ready: Promise.resolve(false) };
    spare.ready = (async () => {
      if (renamed) await mkdir(dir, { recursive: true, mode: 0o700 });
      await kernel.start();
      return true;
    })().then(
      () => {
        spare.started = true;
        return true;
      },
      (err: unknown) => {
        this.#live.delete(kernel);
        if (this.#closed) return false;
        this.#warmingBroken = true;
        this.#dropSpare(spare);
        this.#o.log.warn({ err: String(err) }, 'a warm kernel did not start; warming paused');
        return false;
      },
    );
    kernel.onDeath(() => {
      if (this.#dropSpare(spare)) this.#live.delete(kernel);
    });
    return spare;
  }

  /** Removes a spare that can no longer be handed out; true if it was still waiting. */
  #dropSpare(spare: Spare): boolean {
    const i = this.#spares.indexOf(spare);
    if (i < 0) return false;
    this.#spares.splice(i, 1);
    if (this.#o.spares === 'rename') void rm(spare.dir, { recursive: true, force: true }).catch(() => undefined);
    this.#fill();
    return true;
  }

  async #startKernel(workdir: string): Promise<KernelConnection> {
    const kernel = this.#newSession(workdir);
    try {
      await kernel.start();
    } catch (err) {
      this.#live.delete(kernel);
      throw err;
    }
    this.#warmingBroken = false;
    this.#fill();
    return kernel;
  }

  #newSession(workdir: string): KernelConnection {
    const kernel = this.#newKernel(workdir);
    this.#live.add(kernel);
    return kernel;
  }
}

/** True when `dir` does not exist, or is an empty directory (removed here so a rename can take its place). */
async function isFreeForRename(dir: string): Promise<boolean> {
  try {
    const st = await lstat(dir);
    if (!st.isDirectory()) return false;
    if ((await readdir(dir)).length > 0) return false;
    await rmdir(dir);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** Renames a spare's directory to a notebook's workdir; false if something took that name meanwhile. */
async function moveInto(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch {
    return false;
  }
}
