/** What an eval runs: its contestants, the limits of each run, and what runs the kernels. */
import type { KernelConnection, KernelLogger } from '@duet/kernel';
import type { ModelEndpoint, RunMode } from '../controller/types.ts';

/** One pair of models in one mode, with both models resolved to their servers. */
export interface Contestant {
  /** The pair as given, `@mode` unless relay: how results and reports name it. */
  id: string;
  pair: string;
  mode: RunMode;
  models: { A: ModelEndpoint; B: ModelEndpoint };
}

/** The limits of every task's run, as `duet run` has them. */
export interface EvalSettings {
  required: number;
  maxTurns: number;
  cellTimeoutMs: number;
  idleTimeoutMs?: number;
  firstTokenTimeoutMs?: number;
  instructions?: { A?: string; B?: string };
  /** Which model of the pair speaks first (A unless said). */
  first?: 'A' | 'B';
}

/** What starts the kernels: the run's and the judge's, in the same sandbox. */
export interface EvalRuntime {
  /** Makes a kernel, not started, for a working directory: on this machine or on a gateway (runtime/kernels-for.ts). */
  newKernel: (workdir: string) => KernelConnection;
  log: KernelLogger;
}

/** `{id, baseUrl}` as notebooks and results record a model: the demo models as `demo`, never an API key. */
export function modelRef(m: ModelEndpoint, display: (url: string) => string): { id: string; baseUrl: string } {
  return { id: m.id, baseUrl: m.label ?? display(m.baseUrl) };
}
