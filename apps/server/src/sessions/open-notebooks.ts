/**
 * The registry of open notebooks: opened on first use (a browser connecting,
 * a run or a cell run asked for over HTTP), one kernel each from the pool,
 * closed when deleted, replaced, idle for long, or when the server stops.
 */
import { lstat, rename } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { KernelConnection } from '@duet/kernel';
import { CellRunner, GenerationController, inventoryLine, readKernelInventory, type ModelEndpoint } from '../controller/index.ts';
import type { KernelPool } from '../kernels/index.ts';
import type { Logger } from '../log.ts';
import { Autosaver } from '../notebook/index.ts';
import type { RunRequest } from '../protocol/index.ts';
import { SessionError } from './errors.ts';
import { workdirPath } from './names.ts';
import type { NotebookStore } from './notebook-store.ts';
import type { Detach } from './detach.ts';
import { OpenNotebook, type RunDefaults } from './open-notebook.ts';

/** How often an open notebook's kernel is checked for CPU use while no cell runs. */
const BACKGROUND_SAMPLE_MS = 2000;

export interface OpenNotebooksOptions {
  store: NotebookStore;
  pool: KernelPool;
  log: Logger;
  /** `--workdir`: the one working directory of every kernel. */
  sharedWorkdir?: string;
  cellTimeoutMs: number;
  autosaveMs: number;
  /** A notebook with no browser and nothing running is closed (kernel shut down) after this long. */
  idleMs: number;
  defaults: RunDefaults;
  resolveModels: (req: RunRequest) => Promise<{ A: ModelEndpoint; B: ModelEndpoint }>;
}

/** The open notebooks by name, each with its kernel; see the file comment for when they open and close. */
export class OpenNotebooks {
  readonly #o: OpenNotebooksOptions;
  readonly #ready = new Map<string, OpenNotebook>();
  readonly #opening = new Map<string, Promise<OpenNotebook>>();
  readonly #sweep: NodeJS.Timeout;
  #closed = false;

  constructor(opts: OpenNotebooksOptions) {
    this.#o = opts;
    this.#sweep = setInterval(() => void this.closeIdle(), Math.max(1000, Math.min(opts.idleMs / 2, 60_000)));
    this.#sweep.unref();
  }

  /** The open notebook of that name, if it is open. */
  get(name: string): OpenNotebook | undefined {
    return this.#ready.get(name);
  }

  get all(): OpenNotebook[] {
    return [...this.#ready.values()];
  }

  /** Opens a notebook (once, however many ask at the same time). */
  open(name: string): Promise<OpenNotebook> {
    if (this.#closed) return Promise.reject(new SessionError('unavailable', 'The server is shutting down.'));
    const ready = this.#ready.get(name);
    if (ready) return Promise.resolve(ready);
    let opening = this.#opening.get(name);
    if (!opening) {
      opening = this.#open(name).finally(() => this.#opening.delete(name));
      this.#opening.set(name, opening);
    }
    return opening;
  }

  /** The kernel working directory of a notebook. */
  workdir(name: string): string {
    return this.#o.sharedWorkdir !== undefined ? resolve(this.#o.sharedWorkdir) : workdirPath(this.#o.store.dir, name);
  }

  async #open(name: string): Promise<OpenNotebook> {
    const { store, pool, log } = this.#o;
    const doc = await store.read(name);
    const nlog = log.child({ notebook: name });
    const { kernel, error } = await this.#kernelFor(name, nlog);
    if (this.#closed) {
      await pool.release(kernel);
      throw new SessionError('unavailable', 'The server is shutting down.');
    }
    const autosaver = new Autosaver(doc, store.path(name), this.#o.autosaveMs, (err) => {
      nlog.error({ err: String(err) }, 'autosave failed');
      doc.notice('error', `Saving ${name}.ipynb failed (${err instanceof Error ? err.message : String(err)}). The notebook is kept in memory; Duet retries on the next change.`);
    });
    const runner = new CellRunner({ doc, kernel, cellTimeoutMs: this.#o.cellTimeoutMs, log: nlog, backgroundSampleMs: BACKGROUND_SAMPLE_MS });
    const controller = new GenerationController({ doc, runner, log: nlog, audience: 'browser', inventory: async () => inventoryLine(await readKernelInventory(kernel, nlog)) });
    const nb = new OpenNotebook({ doc, autosaver, kernel, runner, controller, log: nlog, resolveModels: this.#o.resolveModels, defaults: this.#o.defaults });
    if (error) doc.setRun({ error: `The kernel did not start: ${error} Cells run once it does; use Restart to try again.` });
    kernel.onDeath((err) => {
      nlog.warn({ detail: err.detail }, 'kernel died');
      doc.notice('error', err.message);
    });
    this.#ready.set(name, nb);
    nlog.info({ kernelPid: kernel.pid }, 'notebook opened');
    return nb;
  }

  /** A started kernel; when none can start, one that is not running, so the notebook still opens and says why. */
  async #kernelFor(name: string, log: Logger): Promise<{ kernel: KernelConnection; error?: string }> {
    try {
      return { kernel: await this.#o.pool.acquire(this.workdir(name)) };
    } catch (err) {
      log.error({ err: String(err) }, 'kernel did not start');
      return { kernel: this.#o.pool.unstarted(this.workdir(name)), error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Closes an open notebook: stops it, saves it, detaches browsers, shuts its kernel down. */
  async close(name: string, why: Detach): Promise<void> {
    const opening = this.#opening.get(name);
    if (opening) await opening.catch(() => undefined);
    const nb = this.#ready.get(name);
    if (!nb) return;
    this.#ready.delete(name);
    try {
      await nb.close(why);
    } finally {
      await this.#o.pool.release(nb.kernel);
      this.#o.log.info({ notebook: name, reason: why.kind }, 'notebook closed');
    }
  }

  /**
   * Renames a notebook on disk, with its workdir. An open notebook is closed
   * first (browsers are told the new name and reconnect under it, to a fresh
   * kernel): a kernel keeps the paths it was started with.
   */
  async rename(from: string, to: string): Promise<void> {
    const nb = this.#ready.get(from);
    if (nb?.busy) throw new SessionError('conflict', `"${from}" is running; stop it before renaming it.`);
    // A taken name is said as such: waiting would never help.
    if (this.#ready.has(to) || this.#opening.has(to) || (await this.#o.store.exists(to))) throw new SessionError('conflict', `A notebook named "${to}" already exists.`);
    if (this.#opening.has(from)) throw new SessionError('conflict', 'That notebook is being opened; try again in a moment.');
    if (nb) await this.close(from, { kind: 'renamed', to });
    await this.#o.store.rename(from, to);
    if (this.#o.sharedWorkdir === undefined) await moveWorkdir(this.workdir(from), this.workdir(to), this.#o.log);
  }

  /** Closes notebooks nobody watches and nothing runs in, after `idleMs`. */
  async closeIdle(now = Date.now()): Promise<void> {
    for (const nb of this.all) {
      if (nb.clients.size === 0 && !nb.busy && nb.kernel.state !== 'busy' && now - nb.lastActivity >= this.#o.idleMs) {
        await this.close(nb.name, { kind: 'idle' }).catch((err: unknown) => this.#o.log.warn({ err: String(err) }, 'closing an idle notebook failed'));
      }
    }
  }

  /** Closes every notebook: runs stopped, files saved, kernels shut down. */
  async closeAll(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    await Promise.allSettled([...this.#opening.values()]);
    await Promise.all([...this.#ready.keys()].map((name) => this.close(name, { kind: 'shutdown' })));
  }
}

/**
 * Moves a notebook's workdir along with it, when it has one and the new name has
 * none. The notebook is already renamed, so a workdir left behind is logged, not
 * thrown: only a missing path counts as "none", any other failure to look is said.
 */
async function moveWorkdir(from: string, to: string, log: Logger): Promise<void> {
  const source = await presence(from);
  if (source === 'missing') return;
  if (source !== 'present') return log.warn({ from, to, err: source.error }, 'workdir not moved: its folder could not be checked');
  const target = await presence(to);
  if (target === 'present') return log.warn({ from, to }, 'workdir not moved: the new name already has one');
  if (target !== 'missing') return log.warn({ from, to, err: target.error }, 'workdir not moved: the new name\'s folder could not be checked');
  await rename(from, to).catch((err: unknown) => log.warn({ from, to, err: String(err) }, 'workdir not moved'));
}

/** Whether a path exists: `missing` only when it does not (ENOENT, ENOTDIR); any other failure is returned as such. */
async function presence(path: string): Promise<'present' | 'missing' | { error: string }> {
  try {
    await lstat(path);
    return 'present';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : { error: String(err) };
  }
}
