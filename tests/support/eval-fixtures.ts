/** Eval results and manifests made by hand, for tests that need a scoreboard with known answers. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { NotebookDocument, serializeNotebook, type EvalManifest, type TaskResult } from '@duet/server';

const MODELS = { A: { id: 'a', baseUrl: 'demo' }, B: { id: 'b', baseUrl: 'demo' } };

/** A judged result: `solved` by the hidden tests, `claimed` by the models' own. */
export function judged(contestant: string, task: string, o: { solved: boolean; claimed?: boolean; turns?: number; tokens?: number; wallMs?: number }): TaskResult {
  const claimed = o.claimed ?? o.solved;
  return {
    v: 1,
    task,
    contestant,
    pair: contestant.split('@')[0] ?? contestant,
    mode: contestant.endsWith('@coder-tester') ? 'coder-tester' : 'relay',
    models: MODELS,
    status: 'judged',
    claimed,
    solved: o.solved,
    run: { halted: claimed ? 'tests-passed' : 'max-turns', turns: o.turns ?? 2, passes: claimed ? 2 : 0, required: 2, firstGreenMs: claimed ? 500 : null, usage: { promptTokens: (o.tokens ?? 1000) - 100, completionTokens: 100 } },
    judge: { verdict: o.solved ? 'passed' : 'failed', detail: o.solved ? null : 'AssertionError at: assert f(0) == 0', replayed: 1, replayErrors: 0 },
    wallMs: o.wallMs ?? 2000,
    timing: { modelMs: 500, queueMs: 0, kernelMs: 1200 },
    notebook: `notebooks/${contestant}/${task}.ipynb`,
    finishedAt: '2026-01-01T00:00:00.000Z',
  };
}

/** A result that could not be judged: the model server failed during the run. */
export function errored(contestant: string, task: string): TaskResult {
  return {
    v: 1,
    task,
    contestant,
    pair: contestant,
    mode: 'relay',
    models: MODELS,
    status: 'error',
    stage: 'run',
    error: 'The model server answered HTTP 500.',
    run: null,
    wallMs: 300,
    timing: { modelMs: 100, queueMs: 0, kernelMs: 150 },
    notebook: `notebooks/${contestant}/${task}.ipynb`,
    finishedAt: '2026-01-01T00:00:00.000Z',
  };
}

/** A manifest of `tasks` (named t1 … tN) and `contestants`. */
export function manifest(tasks: number, contestants: string[]): EvalManifest {
  return {
    v: 1,
    source: 'tasks.jsonl',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:10:00.000Z',
    settings: { passes: 2, maxTurns: 4 },
    tasks: Array.from({ length: tasks }, (_, i) => ({ id: `t${i + 1}`, prompt: `Task ${i + 1}` })),
    contestants: contestants.map((id) => ({ id, pair: id.split('@')[0] ?? id, mode: id.endsWith('@coder-tester') ? ('coder-tester' as const) : ('relay' as const), models: { A: 'a', B: 'b' } })),
  };
}

/**
 * An eval folder as `duet eval` leaves it: eval.json, results.jsonl, and for each
 * result a small notebook at its path (a request and the code that was judged).
 */
export async function writeEvalFolder(dir: string, m: EvalManifest, results: readonly TaskResult[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'eval.json'), JSON.stringify(m));
  await writeFile(join(dir, 'results.jsonl'), results.map((r) => `${JSON.stringify(r)}\n`).join(''));
  for (const r of results) {
    if (r.notebook === null) continue;
    const doc = new NotebookDocument(r.task);
    doc.addCell({ cellType: 'markdown', source: `The request of ${r.task}`, duet: { role: 'prompt', model: null, turn: 0 } });
    doc.addCell({ cellType: 'code', source: `# ${r.contestant} wrote this for ${r.task}\nx = 1`, duet: { role: 'code', model: 'A', turn: 1 } });
    const path = join(dir, r.notebook);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, serializeNotebook(doc));
  }
}
