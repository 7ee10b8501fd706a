/**
 * One launcher per sandbox mode.
 */
import { assertNever } from '../outputs.ts';
import { bwrapLauncher } from './bwrap.ts';
import { inProcessLauncher } from './landlock.ts';
import { macosLauncher } from './macos.ts';
import type { KernelOptions } from './duet-kernel.ts';
import type { KernelLauncher, SandboxMode } from './types.ts';

/**
 * The launcher for a mode. Every mode runs kernel/python/duet_kernel.py (rlimits,
 * seccomp where the platform has it, the Python guard); the mode adds the OS
 * layer around it. It does not check the mode is available: see detectSandbox.
 */
export function sandboxLauncher(mode: SandboxMode, options: KernelOptions = {}): KernelLauncher {
  switch (mode) {
    case 'bwrap':
      return bwrapLauncher(options);
    case 'landlock':
      return inProcessLauncher('landlock', options);
    case 'macos':
      return macosLauncher();
    case 'none':
      return inProcessLauncher('none', options);
    default:
      return assertNever(mode, 'sandbox mode');
  }
}
