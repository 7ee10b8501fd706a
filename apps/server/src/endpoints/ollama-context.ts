/**
 * The context window an Ollama model gets through `/v1`, where a request cannot set
 * `num_ctx` (Ollama #5902): the model's own `num_ctx` parameter when its Modelfile
 * sets one, else the server's default, and never more than the length the model was
 * trained for (the runner caps `num_ctx` there).
 *
 * The default by version:
 * - before 0.6.7: 2048 tokens;
 * - 0.6.7 up to 0.15.4: 4096 (raised in commit 44b466ee, released in v0.6.7; see
 *   ollama PR #11189, and zed PR #31682 which followed it);
 * - 0.15.5 and later: chosen from the GPU's memory, 4096 below 24 GiB, 32768 up to
 *   48 GiB, 262144 above (ollama #14073, docs/context-length.mdx). The API does not
 *   say which, so Duet reads it from `/api/ps` while the model is loaded and
 *   otherwise leaves it unknown (its own default, 4096, is the smallest tier).
 * `OLLAMA_CONTEXT_LENGTH` in the server's environment overrides the default and is
 * invisible to clients; `--context-a`/`--context-b` say it to Duet.
 */

/** The default `num_ctx` of an Ollama version, or `null` when the version does not decide it (or is unreadable, like `0.0.0` dev builds). */
export function ollamaDefaultContext(version: string): number | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return null;
  const v = [Number(m[1]), Number(m[2]), Number(m[3])] as const;
  if (v[0] === 0 && v[1] === 0 && v[2] === 0) return null;
  if (before(v, [0, 6, 7])) return 2048;
  if (before(v, [0, 15, 5])) return 4096;
  return null;
}

/** The `num_ctx` set in `/api/show`'s `parameters` text (`num_ctx    8192`), if any. */
export function numCtxParameter(parameters: string): number | null {
  const m = /^\s*num_ctx\s+(\d+)\s*$/m.exec(parameters);
  const n = m ? Number(m[1]) : NaN;
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** The window through `/v1`: `num_ctx`, else the version's default, else what the loaded model runs with; capped by the trained length. */
export function ollamaWindow(facts: { numCtx: number | null; versionDefault: number | null; running: number | null; trained: number | null }): number | null {
  const window = facts.numCtx ?? facts.versionDefault ?? facts.running;
  if (window === null) return null;
  return facts.trained === null ? window : Math.min(window, facts.trained);
}

function before(v: readonly [number, number, number], w: readonly [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) {
    if ((v[i] as number) !== (w[i] as number)) return (v[i] as number) < (w[i] as number);
  }
  return false;
}
