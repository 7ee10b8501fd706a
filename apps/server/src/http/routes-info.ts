/** `/api/health` and `/api/models`: what the server runs on and which models it can reach. Never an API key. */
import { Router } from 'express';
import { demoEndpointInfo, discoverEndpoint, usableModels, type EndpointInfo } from '../endpoints/index.ts';
import { ModelError, displayUrl, listModels } from '../llm/index.ts';
import type { Health, KernelCounts, ModelList, ModelSlot, SandboxReport } from '../protocol/index.ts';
import { slotBaseUrl, type ModelContext } from './run-models.ts';

export interface InfoContext {
  version: string;
  pythonVersion: string;
  sandbox: SandboxReport;
  models: ModelContext;
  /** How long a model server may take to list its models before it counts as unreachable. */
  probeTimeoutMs: number;
  /** Kernel counts, for the health report. */
  kernels: () => KernelCounts;
}


/** `GET /api/health` and `GET /api/models`. */
export function infoRoutes(ctx: InfoContext): Router {
  const r = Router();
  const { models } = ctx;

  /** The ids at a URL, or why there are none; the demo URL is answered without a request. */
  const probe = async (url: string): Promise<{ models: string[]; error?: string }> => {
    if (url === models.demoBaseUrl) return { models: [...models.demoModels] };
    try {
      return { models: await listModels(url, models.config.apiKey, AbortSignal.timeout(ctx.probeTimeoutMs)) };
    } catch (err) {
      return { models: [], error: err instanceof ModelError ? err.phraseFor('browser') : err instanceof Error ? err.message : String(err) };
    }
  };

  r.get('/api/health', async (_req, res) => {
    // Both endpoints: the banner must also speak when only --base-url-b is wrong. It names the first that fails.
    const urls = [...new Set([slotBaseUrl(models, 'A'), slotBaseUrl(models, 'B')])];
    const probes = await Promise.all(urls.map(async (url) => ({ url, found: await probe(url) })));
    const { url, found } = probes.find((p) => p.found.error !== undefined) ?? (probes[0] as (typeof probes)[number]);
    const body: Health = {
      version: ctx.version,
      python: ctx.pythonVersion,
      sandbox: ctx.sandbox,
      model: { baseUrl: displayUrl(url), reachable: found.error === undefined, ...(found.error !== undefined ? { error: found.error } : {}) },
      demoBaseUrl: models.demoBaseUrl,
      kernels: ctx.kernels(),
    };
    res.json(body);
  });

  /** What discovery finds at a URL, or why it found nothing; the demo URL is answered without a request. */
  const discover = async (url: string): Promise<{ info?: EndpointInfo; error?: string }> => {
    if (url === models.demoBaseUrl) return { info: demoEndpointInfo(models.demoModels) };
    try {
      return { info: await discoverEndpoint(url, models.config.apiKey, { signal: AbortSignal.timeout(ctx.probeTimeoutMs), timeoutMs: ctx.probeTimeoutMs }) };
    } catch (err) {
      return { error: err instanceof ModelError ? err.phraseFor('browser') : err instanceof Error ? err.message : String(err) };
    }
  };

  r.get('/api/models', async (_req, res) => {
    const urls = { A: slotBaseUrl(models, 'A'), B: slotBaseUrl(models, 'B') };
    const a = discover(urls.A);
    const b = urls.B === urls.A ? a : discover(urls.B);
    const [fa, fb] = await Promise.all([a, b]);
    const row = (slot: ModelSlot, url: string, f: { info?: EndpointInfo; error?: string }): ModelList['endpoints'][number] => ({
      slot,
      baseUrl: displayUrl(url),
      // The picker's list: what Duet would pick, in that order, so its first entries are the default choice.
      models: f.info ? usableModels(f.info).map((m) => m.id) : [],
      ...(f.info
        ? {
            details: f.info.models.map((m) => ({ id: m.id, type: m.type, loaded: m.loaded, contextWindow: m.contextWindow })),
            server: f.info.kind,
          }
        : {}),
      ...(f.error !== undefined ? { error: f.error } : {}),
    });
    const body: ModelList = { endpoints: [row('A', urls.A, fa), row('B', urls.B, fb)], demo: [...models.demoModels] };
    res.json(body);
  });

  return r;
}
