/**
 * Bodies of the HTTP API's JSON responses, shared by the server that sends them
 * and the browser that reads them.
 */
import type { SandboxMode } from '@duet/kernel';
import type { ServerKind } from './notebook.ts';
import type { ModelSlot } from './notebook.ts';

/** What `/api/health` says about isolation. */
export interface SandboxReport {
  /** The sandbox of kernels on this machine, or `remote`: kernels on a gateway, isolated by it. */
  mode: SandboxMode | 'remote';
  /** For `remote`: the gateway's host and port. */
  host?: string;
  /** True when model code runs inside an operating-system sandbox. */
  available: boolean;
  notes: string[];
}

/** `live`: kernels running (open notebooks and spares); `warm`: spares ready for a new notebook. */
export interface KernelCounts {
  live: number;
  warm: number;
  openNotebooks: number;
}

/** `GET /api/health`. */
export interface Health {
  version: string;
  /** The kernel's Python version. */
  python: string;
  sandbox: SandboxReport;
  model: { baseUrl: string; reachable: boolean; error?: string };
  demoBaseUrl: string;
  kernels: KernelCounts;
}

/** What the server found out about one listed model. `null`: the model server did not say. */
export interface ListedModelDetails {
  id: string;
  /** `embedding` models cannot chat; the picker leaves them out. */
  type: 'llm' | 'embedding' | 'unknown';
  /** Whether the model server has it in memory now. */
  loaded: boolean | null;
  /** The context window a chat request gets, in tokens. */
  contextWindow: number | null;
}

/** One configured model endpoint and the models it lists. */
export interface ModelEndpointInfo {
  slot: ModelSlot;
  baseUrl: string;
  /**
   * The ids the model picker shows, in the order Duet picks them: chat models only
   * (embedding models left out), the ones the server has loaded first.
   */
  models: string[];
  /** Every model the endpoint lists, embedding models included, in its own order. */
  details?: ListedModelDetails[];
  /** The server software, when Duet could tell. */
  server?: ServerKind;
  error?: string;
}

/** `GET /api/models`. */
export interface ModelList {
  endpoints: ModelEndpointInfo[];
  demo: string[];
}

/** One row of `GET /api/notebooks`. `running`: a generation run is going on in it; `error`: the file is not a readable notebook. */
export interface NotebookListEntry {
  name: string;
  modified: string;
  running: boolean;
  error?: string;
}
