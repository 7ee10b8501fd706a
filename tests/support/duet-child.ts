/**
 * The real `duet` command line in a child process, as a user runs it: from the
 * repo root, with a clean Duet environment (no DUET_* variables from the test's
 * shell) and Debian's Python. Every child and temporary folder is cleaned up when
 * the test that made it finishes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { SYSTEM_PYTHON } from './nbformat.ts';

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const DUET_BIN = join(REPO_ROOT, 'apps/server/bin/duet.js');

/** How a `duet` process ended and what it printed. */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningDuet {
  child: ChildProcess;
  done: Promise<Finished>;
  kill: (signal: NodeJS.Signals) => void;
  /** Resolves once stderr has printed text matching `re` (checked on everything printed so far). */
  stderrMatches(re: RegExp): Promise<void>;
}

/** Starts `duet ARGS`; killed after the test if still running. */
export function startDuet(args: string[]): RunningDuet {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DUET_') && k !== 'NODE_OPTIONS') env[k] = v;
  env.DUET_PYTHON = SYSTEM_PYTHON;
  const child = spawn(process.execPath, [DUET_BIN, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<{ re: RegExp; resolve: () => void }>();
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    for (const w of [...watchers]) {
      if (w.re.test(stderr)) {
        watchers.delete(w);
        w.resolve();
      }
    }
  });
  const done = new Promise<Finished>((resolveDone, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolveDone({ code, stdout, stderr }));
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    done,
    kill: (signal) => child.kill(signal),
    stderrMatches: (re) => (re.test(stderr) ? Promise.resolve() : new Promise((r) => watchers.add({ re, resolve: r }))),
  };
}

/** Runs `duet ARGS` to the end. */
export function duet(...args: string[]): Promise<Finished> {
  return startDuet(args).done;
}

/** A temporary folder removed after the test. */
export async function tempDir(prefix = 'duet-cli-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
