/**
 * The plain launcher: stock ipykernel with no isolation beyond a minimal
 * environment. Used where the kernel itself is under test, and as the baseline
 * the sandbox's cost is measured against.
 */
import type { KernelLauncher, KernelLaunchSpec, LaunchCommand } from './types.ts';

export function plainLauncher(): KernelLauncher {
  return {
    mode: 'none',
    transport: 'tcp',
    command(spec: KernelLaunchSpec): LaunchCommand {
      return {
        command: spec.python,
        args: ['-m', 'ipykernel_launcher', '-f', spec.connectionFile],
        env: minimalEnv(spec),
        cwd: spec.workdir,
      };
    },
  };
}

/** Only what Python needs: never the server's own environment, which holds API keys. */
function minimalEnv(spec: KernelLaunchSpec): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: spec.workdir,
    LANG: 'C.UTF-8',
    MPLBACKEND: 'module://matplotlib_inline.backend_inline',
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
    JUPYTER_PLATFORM_DIRS: '1',
    IPYTHONDIR: `${spec.runtimeDir}/ipython`,
    MPLCONFIGDIR: `${spec.runtimeDir}/matplotlib`,
  };
}
