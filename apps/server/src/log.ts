/**
 * The server's log: JSON lines, one file per local day (`logs/duet-YYYY-MM-DD.jsonl`
 * in the project's folder), with secrets (API keys, authorization headers, access
 * tokens) censored wherever they appear as fields.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';

/**
 * The project's `logs/` folder, found from this file rather than from the working
 * directory, so `npx duet` run from anywhere logs to the one place the README names.
 */
export const DEFAULT_LOG_DIR: string = fileURLToPath(new URL('../../../logs/', import.meta.url)).replace(/[\\/]$/, '');

/** Duet's logger: pino's, so the kernel package can take it as its `KernelLogger`. */
export type Logger = pino.Logger;

export interface LoggerOptions {
  /** Folder of the daily files; created if missing. Default {@link DEFAULT_LOG_DIR}. */
  dir?: string;
  /** pino level name; default `info`. */
  level?: string;
  /** Where lines go instead of the daily files (tests). */
  destination?: { write(line: string): void };
}

/** Field paths whose values never reach the log, at the top level and one or two levels down. */
export const REDACTED_PATHS: readonly string[] = ['apiKey', 'gatewayToken', 'authorization', 'token', 'cookie'].flatMap((k) => [
  k,
  `*.${k}`,
  `*.*.${k}`,
  `headers.${k}`,
  `req.headers.${k}`,
]);

/** Creates the server's logger. Lines are written synchronously, so a crash loses none. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const destination = opts.destination ?? new DailyFile(opts.dir ?? DEFAULT_LOG_DIR);
  return pino(
    {
      level: opts.level ?? 'info',
      // Not `pid`: the kernel client logs its kernels' pids under that key.
      base: { serverPid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    },
    destination,
  );
}

/** An append-only file that changes name when the local date does. */
export class DailyFile {
  #fd: number | null = null;
  #day = '';

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** The file today's lines go to. */
  pathFor(day: string): string {
    return join(this.dir, `duet-${day}.jsonl`);
  }

  write(line: string): void {
    const day = localDay(new Date());
    if (day !== this.#day || this.#fd === null) {
      this.close();
      this.#fd = openSync(this.pathFor(day), 'a', 0o600);
      this.#day = day;
    }
    writeSync(this.#fd, line);
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}

/** `YYYY-MM-DD` in local time. */
export function localDay(d: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
