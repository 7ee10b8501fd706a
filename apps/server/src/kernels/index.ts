export { KernelPool, spareHandover } from './pool.ts';
export type { KernelPoolOptions, SpareHandover } from './pool.ts';
export { chooseServerLauncher, plainServerLauncher, survivesWorkdirRename } from './launcher.ts';
export type { LauncherChoice, LauncherRequest, SandboxReport } from './launcher.ts';
export { localKernels } from './local-kernel.ts';
export type { KernelFactory, LocalKernelOptions } from './local-kernel.ts';
