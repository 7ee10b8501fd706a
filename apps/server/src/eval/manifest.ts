/**
 * `DIR/eval.json`: what an eval folder is about — the task source, the tasks and
 * the contestants, the run limits — so a report, a rerun and `duet serve` can
 * read the folder without the command line that made it. A rerun adds to it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../notebook/index.ts';

export const MANIFEST_FILE = 'eval.json';

/** The longest prompt kept in the manifest; the notebook has the whole of it. */
const PROMPT_MAX = 2000;

const manifestSchema = z.object({
  v: z.literal(1),
  source: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  settings: z.object({ passes: z.number().int().min(1), maxTurns: z.number().int().min(1) }),
  tasks: z.array(z.object({ id: z.string(), prompt: z.string() })),
  contestants: z.array(
    z.object({
      id: z.string(),
      pair: z.string(),
      mode: z.enum(['relay', 'coder-tester']),
      models: z.object({ A: z.string(), B: z.string() }),
    }),
  ),
});

export type EvalManifest = z.infer<typeof manifestSchema>;
export type ManifestContestant = EvalManifest['contestants'][number];

/** The manifest of `dir`, or null when there is none or it cannot be used. */
export async function readManifest(dir: string): Promise<EvalManifest | null> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function writeManifest(dir: string, manifest: EvalManifest): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
}

/** What this invocation plans, for {@link mergeManifest}. */
export interface ManifestPlan {
  source: string;
  settings: EvalManifest['settings'];
  tasks: readonly { id: string; prompt: string }[];
  contestants: readonly ManifestContestant[];
}

/**
 * The manifest after this invocation: earlier tasks and contestants stay (their
 * results are still in the folder), new ones are added after them, and the source
 * and limits are this invocation's.
 */
export function mergeManifest(before: EvalManifest | null, plan: ManifestPlan, now: Date): EvalManifest {
  const tasks = new Map((before?.tasks ?? []).map((t) => [t.id, t]));
  for (const t of plan.tasks) tasks.set(t.id, { id: t.id, prompt: t.prompt.slice(0, PROMPT_MAX) });
  const contestants = new Map((before?.contestants ?? []).map((c) => [c.id, c]));
  for (const c of plan.contestants) contestants.set(c.id, c);
  return {
    v: 1,
    source: plan.source,
    createdAt: before?.createdAt ?? now.toISOString(),
    updatedAt: now.toISOString(),
    settings: plan.settings,
    tasks: [...tasks.values()],
    contestants: [...contestants.values()],
  };
}
