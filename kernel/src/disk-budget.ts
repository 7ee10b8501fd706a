/**
 * The disk limit of one kernel: the bytes and the files in every place its
 * sandbox lets it write (the workdir and its private temporary folder), counted
 * together, while a cell runs and once it has finished.
 *
 * The workdir's bytes alone are also watched by callers that hold a workdir to a
 * size themselves (`directoryBytes`; the server's cell runner does, with its own
 * message). A workdir past the byte limit on its own is left to them, so one
 * cause never stops a cell twice; this budget stops a cell for the rest: too
 * many files, or bytes that only the temporary folder pushes past the limit.
 */
import { statfs } from 'node:fs/promises';
import { diskUsage, type DiskUsage } from './disk-usage.ts';
import type { ErrorOutput } from './outputs.ts';

/** Which limit a kernel went past, with the figures. */
export type DiskOverage = { kind: 'files'; files: number; limit: number } | { kind: 'bytes'; bytes: number; limit: number };

/** How long a measurement may stand in for a new one, when the file systems say nothing was spent since. */
const TRUST_MS = 10_000;

/** Free space and inodes of the file system holding one root, and what identifies that file system. */
interface FsFree {
  id: string;
  freeBytes: number;
  freeFiles: number;
  /** False where the file system keeps no inode count (btrfs): nothing can be told from it. */
  countsFiles: boolean;
}

export class DiskBudget {
  #last: { usage: DiskUsage; free: FsFree[]; at: number } | null = null;

  constructor(
    readonly workdir: string,
    /** Every other place the kernel may write. */
    readonly others: readonly string[],
    readonly maxBytes: number,
    readonly maxFiles: number,
  ) {}

  /** What is past the limit now, or null. Walks every root. */
  async overage(): Promise<DiskOverage | null> {
    const roots = [this.workdir, ...this.others];
    const [free, usage] = await Promise.all([fsFree(roots), diskUsage(roots, { bytes: this.maxBytes, files: this.maxFiles })]);
    this.#last = free ? { usage, free, at: Date.now() } : null;
    if (usage.files > this.maxFiles) return { kind: 'files', files: usage.files, limit: this.maxFiles };
    if (usage.bytes <= this.maxBytes) return null;
    return { kind: 'bytes', bytes: usage.bytes, limit: this.maxBytes };
  }

  /**
   * The same answer, cheaply when it can be had: if the file systems holding the
   * roots have lost fewer bytes and inodes since the last walk than the kernel had
   * left, the kernel cannot be past its limit, and nothing is walked. (Space others
   * free meanwhile can only hide so much for so long: a walk at least every
   * {@link TRUST_MS}.) Anything else walks.
   */
  async quickOverage(): Promise<DiskOverage | null> {
    const last = this.#last;
    if (last && Date.now() - last.at < TRUST_MS && last.usage.bytes <= this.maxBytes && last.usage.files <= this.maxFiles) {
      const now = await fsFree([this.workdir, ...this.others]);
      if (now && now.length === last.free.length) {
        let bytes = 0;
        let files = 0;
        let comparable = true;
        now.forEach((fs, i) => {
          const before = last.free[i] as FsFree;
          comparable &&= before.id === fs.id && fs.countsFiles;
          bytes += Math.max(0, before.freeBytes - fs.freeBytes);
          files += Math.max(0, before.freeFiles - fs.freeFiles);
        });
        if (comparable && last.usage.bytes + bytes <= this.maxBytes && last.usage.files + files <= this.maxFiles) return null;
      }
    }
    return this.overage();
  }
}

/** Free space per distinct file system under `roots`, or null if one cannot be read. */
async function fsFree(roots: readonly string[]): Promise<FsFree[] | null> {
  try {
    const all = await Promise.all(
      roots.map(async (root) => {
        const st = await statfs(root);
        return { id: `${st.type}:${st.blocks}:${st.files}:${st.bsize}`, freeBytes: st.bfree * st.bsize, freeFiles: st.ffree, countsFiles: st.files > 0 };
      }),
    );
    // Two roots on one file system would count what it lost twice.
    return all.filter((fs, i) => all.findIndex((other) => other.id === fs.id) === i);
  } catch {
    return null;
  }
}

/** The error a cell stopped by the disk limit ends with, in words for its reader (a person, or a model). */
export function diskLimitError(over: DiskOverage): ErrorOutput {
  const what =
    over.kind === 'files'
      ? `more than ${over.limit.toLocaleString('en')} files, folders and links`
      : `more than ${formatBytes(over.limit)}`;
  const evalue =
    `Duet stopped this cell: the working folder and the temporary folder (tempfile.gettempdir()) hold ${what} together. ` +
    'Delete files there to go on; the temporary folder is emptied when the kernel restarts.';
  return { output_type: 'error', ename: 'DiskLimit', evalue, traceback: [`DiskLimit: ${evalue}`] };
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(bytes % 1024 ** 3 === 0 ? 0 : 1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`;
}

/**
 * Checks a budget every `intervalMs` while a cell runs; `onOver` fires once, the
 * first time a check finds the kernel past its limit, and never after `finish()`.
 */
export class BudgetWatch {
  #over: DiskOverage | null = null;
  #reported = false;
  #stopped = false;
  #timer: NodeJS.Timeout;
  #inFlight: Promise<void> | null = null;

  constructor(
    readonly budget: DiskBudget,
    readonly onOver: (over: DiskOverage) => void,
    intervalMs = 1000,
  ) {
    this.#timer = setInterval(() => void this.#check(), intervalMs);
    this.#timer.unref();
  }

  /** True once `onOver` has fired: the cell was told, and interrupted, while it ran. */
  get reported(): boolean {
    return this.#reported;
  }

  /** Stops watching and measures once more; what is past the limit now, and whether `onOver` already said so. */
  async finish(): Promise<{ over: DiskOverage | null; reported: boolean }> {
    this.#stop();
    await this.#inFlight;
    this.#over ??= await this.budget.quickOverage().catch(() => null);
    return { over: this.#over, reported: this.#reported };
  }

  /** Stops watching, for a cell that ended without a result to check. */
  stop(): void {
    this.#stop();
  }

  #check(): Promise<void> {
    this.#inFlight ??= this.budget
      .overage()
      .catch(() => null)
      .then((over) => {
        this.#inFlight = null;
        if (!over || this.#over) return;
        this.#over = over;
        if (this.#stopped) return;
        this.#stop();
        this.#reported = true;
        this.onOver(over);
      });
    return this.#inFlight;
  }

  #stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }
}
