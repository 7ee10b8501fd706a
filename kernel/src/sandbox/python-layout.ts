/**
 * Where an interpreter keeps itself and its packages: what a jail must show it.
 */
import { execFileSync } from 'node:child_process';

/** Directories the interpreter reads from, real paths, outermost first. */
export interface PythonLayout {
  executable: string;
  roots: string[];
}

const PROBE = [
  'import json, os, sys',
  'roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}',
  'roots.update(p for p in sys.path if p and os.path.isabs(p) and os.path.exists(p))',
  'print(json.dumps({"executable": os.path.realpath(sys.executable), "roots": sorted(os.path.realpath(r) for r in roots)}))',
].join('\n');

const cache = new Map<string, PythonLayout>();

/**
 * Asks the interpreter (once per path; the answer is cached) where it lives.
 * Synchronous because launchers build command lines synchronously.
 */
export function pythonLayout(python: string): PythonLayout {
  const known = cache.get(python);
  if (known) return known;
  const out = execFileSync(python, ['-I', '-c', PROBE], {
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' },
    encoding: 'utf8',
    timeout: 15_000,
  });
  const parsed = JSON.parse(out) as PythonLayout;
  const layout: PythonLayout = { executable: parsed.executable, roots: outermost(parsed.roots) };
  cache.set(python, layout);
  return layout;
}

/** Drops every path that lies inside another one of the list. */
export function outermost(paths: string[]): string[] {
  const sorted = [...new Set(paths)].sort();
  return sorted.filter((p) => !sorted.some((q) => q !== p && isInside(p, q)));
}

/** True when `path` lies strictly inside directory `dir`. */
export function isInside(path: string, dir: string): boolean {
  if (dir === '/') return path !== '/';
  return path.startsWith(`${dir}/`);
}
