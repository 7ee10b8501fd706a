export { prepareRuntime } from './prepare-runtime.ts';
export type { Runtime } from './prepare-runtime.ts';
