/**
 * The notebooks folder: one `.ipynb` per notebook, written atomically. A file
 * that is not a notebook Duet can read is reported (log and listing) and left
 * exactly as it is: never opened for writing, never replaced by the server.
 * Every notebook read or imported here is held to the notebook size limit, so a
 * huge file cannot fill the server's memory by being opened or listed.
 */
import { link, lstat, mkdir, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { OutputArea } from '@duet/kernel';
import { formatLimit } from '../controller/disk-watch.ts';
import type { Logger } from '../log.ts';
import { DEFAULT_NOTEBOOK_LIMITS, NotebookDocument, NotebookFormatError, fromIpynb, serializeNotebook, writeFileAtomic, type NotebookLimits } from '../notebook/index.ts';
import { SessionError } from './errors.ts';
import { nameProblem, notebookPath } from './names.ts';

/** A notebook file as the folder shows it. */
export interface StoredNotebook {
  name: string;
  /** ISO time of the last change on disk. */
  modified: string;
  /** Set when the file cannot be opened: what is wrong with it. */
  error?: string;
}

interface Checked {
  mtimeMs: number;
  size: number;
  error: string | null;
}

/** The notebooks folder: every read and write of a `.ipynb` goes through here, by checked name. */
export class NotebookStore {
  /** What each file's last check found, so unchanged files are not parsed again. */
  readonly #checked = new Map<string, Checked>();

  constructor(
    readonly dir: string,
    readonly log: Logger,
    readonly limits: Readonly<NotebookLimits> = DEFAULT_NOTEBOOK_LIMITS,
  ) {}

  /** Creates the folder if needed and reports every file that cannot be opened. */
  async init(): Promise<StoredNotebook[]> {
    await mkdir(this.dir, { recursive: true });
    const all = await this.list();
    const broken = all.filter((n) => n.error !== undefined);
    this.log.info({ dir: this.dir, notebooks: all.length - broken.length, unreadable: broken.length }, 'notebooks folder scanned');
    return all;
  }

  path(name: string): string {
    return notebookPath(this.dir, name);
  }

  /** Every `.ipynb` with a plain name, sorted by name; unreadable ones carry `error`. */
  async list(): Promise<StoredNotebook[]> {
    const files = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const out: StoredNotebook[] = [];
    for (const file of files) {
      if (!file.endsWith('.ipynb')) continue;
      const name = file.slice(0, -'.ipynb'.length);
      if (nameProblem(name) !== null) continue;
      const entry = await this.#checkIfPresent(name).catch((err: unknown) => this.#uncheckable(name, err));
      if (entry) out.push(entry);
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async exists(name: string): Promise<boolean> {
    try {
      await lstat(this.path(name));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** The notebook as a document, held to the store's limits; `not-found` if missing, `unreadable` if the file is not a notebook or too large. */
  async read(name: string): Promise<NotebookDocument> {
    const text = await this.readText(name);
    let doc: NotebookDocument;
    try {
      doc = fromIpynb(name, JSON.parse(text));
    } catch (err) {
      throw new SessionError('unreadable', unreadable(name, err));
    }
    const problem = this.sizeProblem(doc);
    if (problem !== null) throw new SessionError('unreadable', unreadable(name, new NotebookTooLarge(problem)));
    doc.limits = this.limits;
    return doc;
  }

  /** The file's text as it is on disk; `unreadable` without reading it when it is far larger than a notebook may be. */
  async readText(name: string): Promise<string> {
    const path = this.path(name);
    const st = await lstat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new SessionError('not-found', `There is no notebook "${name}".`);
      throw err;
    });
    if (!st.isFile()) throw new SessionError('unreadable', `${name}.ipynb is not a regular file (Duet does not follow links); it was left as it is.`);
    const problem = this.#fileSizeProblem(st.size);
    if (problem !== null) throw new SessionError('unreadable', unreadable(name, new NotebookTooLarge(problem)));
    return readFile(path, 'utf8');
  }

  /**
   * Why a document is larger than a notebook may be, or null. The limit holds every
   * notebook the server keeps, so one that is imported or opened past it would take
   * the room the limit keeps for the rest of the server.
   */
  sizeProblem(doc: NotebookDocument): string | null {
    const limit = this.limits.notebookBytes;
    if (doc.bytes <= limit) return null;
    if (!Number.isFinite(doc.bytes)) {
      return `an output in it nests more than ${OutputArea.maxDepth} levels deep, more than Duet keeps. Clear its outputs (in Jupyter: Edit → Clear Outputs of All Cells), then try again`;
    }
    return `it holds ${formatLimit(doc.bytes)} of sources and outputs, more than the ${formatLimit(limit)} a notebook may hold in Duet. Clear its outputs (in Jupyter: Edit → Clear Outputs of All Cells) or split it, then try again`;
  }

  /** A file this much larger than the limit is not read at all; formatting (indentation, line lists) explains a factor of two at most. */
  #fileSizeProblem(bytes: number): string | null {
    const limit = this.limits.notebookBytes;
    if (bytes <= 2 * limit) return null;
    return `the file is ${formatLimit(bytes)}, more than the ${formatLimit(limit)} a notebook may hold in Duet. Clear its outputs (in Jupyter: Edit → Clear Outputs of All Cells) or split it, then try again`;
  }

  /** Writes a new notebook; `conflict` if the name is taken. Never replaces a file, even in a race. */
  async create(doc: NotebookDocument): Promise<void> {
    try {
      await writeFileAtomic(this.path(doc.name), serializeNotebook(doc), { replace: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new SessionError('conflict', `A notebook named "${doc.name}" already exists.`);
      throw err;
    }
  }


  /** Replaces a notebook that Duet can read (or writes a new one); `conflict` for a file it cannot read, `too-large` for a notebook past the size limit. */
  async replace(doc: NotebookDocument): Promise<void> {
    const tooLarge = this.sizeProblem(doc);
    if (tooLarge !== null) throw new SessionError('too-large', `That notebook was not imported: ${tooLarge}.`);
    const existing = await this.#checkIfPresent(doc.name);
    if (existing?.error !== undefined) {
      throw new SessionError('conflict', `${doc.name}.ipynb exists but is not a notebook Duet can read (${existing.error}); it was left as it is. Rename or remove it first.`);
    }
    await writeFileAtomic(this.path(doc.name), serializeNotebook(doc));
  }

  async remove(name: string): Promise<void> {
    try {
      await unlink(this.path(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new SessionError('not-found', `There is no notebook "${name}".`);
      throw err;
    }
    this.#checked.delete(name);
  }

  /** Renames a notebook file; `not-found` if it is missing, `conflict` if the new name is taken. */
  async rename(from: string, to: string): Promise<void> {
    const src = this.path(from);
    const dst = this.path(to);
    try {
      await link(src, dst);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new SessionError('not-found', `There is no notebook "${from}".`);
      if (code === 'EEXIST') throw new SessionError('conflict', `A notebook named "${to}" already exists.`);
      // Filesystems without hard links: check, then rename.
      if (await this.exists(to)) throw new SessionError('conflict', `A notebook named "${to}" already exists.`);
      await rename(src, dst);
      return;
    }
    await unlink(src);
    this.#checked.delete(from);
  }

  /** `Untitled`, else `Untitled 2`, `Untitled 3` … whichever is free. */
  async freshName(base = 'Untitled'): Promise<string> {
    for (let i = 1; ; i++) {
      const name = i === 1 ? base : `${base} ${i}`;
      if (!(await this.exists(name))) return name;
    }
  }

  /** The check of a file, or null when there is no such file (a new name; a file removed since the folder was read). */
  async #checkIfPresent(name: string): Promise<StoredNotebook | null> {
    try {
      return await this.#check(name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** A file that could not even be looked at is listed as broken, as an unreadable one is, not left out. */
  #uncheckable(name: string, err: unknown): StoredNotebook {
    const error = `it could not be checked (${err instanceof Error ? err.message : String(err)})`;
    this.log.warn({ notebook: name, error }, 'a notebook file could not be checked; it is left as it is');
    return { name, modified: new Date(0).toISOString(), error };
  }

  async #check(name: string): Promise<StoredNotebook> {
    const st = await lstat(this.path(name));
    const modified = st.mtime.toISOString();
    const known = this.#checked.get(name);
    if (known && known.mtimeMs === st.mtimeMs && known.size === st.size) return withError({ name, modified }, known.error);
    let error: string | null = null;
    if (!st.isFile()) {
      error = 'not a regular file (Duet does not follow links)';
    } else {
      try {
        const tooLarge = this.#fileSizeProblem(st.size) ?? this.sizeProblem(fromIpynb(name, JSON.parse(await readFile(this.path(name), 'utf8'))));
        if (tooLarge !== null) throw new NotebookTooLarge(tooLarge);
      } catch (err) {
        error = reason(err);
      }
    }
    if (error !== null && known?.error !== error) {
      this.log.warn({ notebook: name, error }, 'skipping a file that is not a notebook Duet can read; it is left as it is');
    }
    this.#checked.set(name, { mtimeMs: st.mtimeMs, size: st.size, error });
    return withError({ name, modified }, error);
  }
}

/** A notebook past the size limit; its message says by how much and what to do. */
class NotebookTooLarge extends Error {}

function withError(entry: StoredNotebook, error: string | null): StoredNotebook {
  return error === null ? entry : { ...entry, error };
}

function reason(err: unknown): string {
  if (err instanceof SyntaxError) return `not valid JSON: ${err.message}`;
  if (err instanceof NotebookFormatError) return `not a notebook: ${err.message}`;
  if (err instanceof NotebookTooLarge) return `too large: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

function unreadable(name: string, err: unknown): string {
  return `${name}.ipynb cannot be opened (${reason(err)}). It was left as it is; fix or remove it.`;
}
