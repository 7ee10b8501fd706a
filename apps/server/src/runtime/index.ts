export { prepareRuntime, describeRuntime } from './prepare-runtime.ts';
export type { Runtime, LocalRuntime, RemoteRuntime } from './prepare-runtime.ts';
export { kernelsFor, startTimeout, REMOTE_START_TIMEOUT_MS } from './kernels-for.ts';
export type { KernelsForOptions } from './kernels-for.ts';
