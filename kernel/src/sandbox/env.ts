/**
 * The kernel's whole environment. Built from nothing, never copied from the
 * server's own environment: that one holds API keys.
 */
import { join } from 'node:path';
import type { KernelLaunchSpec } from './types.ts';

/**
 * Minimal environment for a kernel. `tmpDir` is its private temporary directory
 * as the kernel sees it: `/tmp` inside bubblewrap, `spec.tmpDir` elsewhere.
 * Every per-user cache and config location points there, so nothing is read
 * from or written to the user's home, and the workdir stays clean.
 */
export function kernelEnv(spec: KernelLaunchSpec, tmpDir: string = spec.tmpDir): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: spec.workdir,
    LANG: 'C.UTF-8',
    TMPDIR: tmpDir,
    MPLBACKEND: 'module://matplotlib_inline.backend_inline',
    MPLCONFIGDIR: join(tmpDir, 'matplotlib'),
    IPYTHONDIR: join(tmpDir, 'ipython'),
    XDG_CACHE_HOME: join(tmpDir, 'cache'),
    XDG_CONFIG_HOME: join(tmpDir, 'config'),
    JUPYTER_CONFIG_DIR: join(tmpDir, 'jupyter'),
    JUPYTER_DATA_DIR: join(tmpDir, 'jupyter-data'),
    // Not spec.runtimeDir: the kernel cannot write that one.
    JUPYTER_RUNTIME_DIR: join(tmpDir, 'jupyter-runtime'),
    JUPYTER_PLATFORM_DIRS: '1',
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONNOUSERSITE: '1',
  };
}
