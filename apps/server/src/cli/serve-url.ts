/**
 * Finding the URL that `duet serve` prints, for programs that start it as a child
 * process (the benchmarks, the crash tests, editors). The line is part of the
 * command-line contract, like Jupyter's.
 */
import type { ChildProcess } from 'node:child_process';

export const SERVE_URL_PATTERN = /http:\/\/[^\s/]+:(\d+)\/\?token=(\w+)/;

/** Resolves with the port and URL once the child prints it; rejects, with its stderr, if it exits first. */
export function waitForServeUrl(child: ChildProcess): Promise<{ port: number; url: string; stderr: () => string }> {
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const m = SERVE_URL_PATTERN.exec(stderr);
      if (m) resolve({ port: Number(m[1]), url: m[0], stderr: () => stderr });
    });
    child.once('exit', (code, signal) => reject(new Error(`duet serve exited (${signal ?? code}) before printing its URL:\n${stderr.trim()}`)));
  });
}
