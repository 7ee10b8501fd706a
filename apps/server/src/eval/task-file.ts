/**
 * Task files: one JSON object a line, in Duet's own layout or as HumanEval and
 * MBPP publish theirs, read as they are. `builtin` names the task set that ships
 * with Duet. A file that cannot be used is refused with the line and the fix.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { EvalTask } from './task.ts';

/** The `--tasks` value that selects the task set shipped with Duet. */
export const BUILTIN_TASKS = 'builtin';

const BUILTIN_FILE = new URL('./builtin-tasks.jsonl', import.meta.url);

/** A task file that cannot be read or used; the message names the line and what to change. */
export class TaskFileError extends Error {
  override readonly name = 'TaskFileError';
}

/** The tasks of a file, and which layout they were written in. */
export interface TaskSet {
  /** The file as given, or `builtin`. */
  source: string;
  tasks: EvalTask[];
  layouts: TaskLayout[];
}

export type TaskLayout = 'duet' | 'humaneval' | 'mbpp';

const taskId = z.union([z.string().min(1), z.number()]).transform(String);

/** `{id, prompt, test, entry_point?}`: Duet's own layout. */
const duetLine = z.object({
  id: taskId,
  prompt: z.string().min(1),
  test: z.string().min(1),
  entry_point: z.string().min(1).optional(),
  solution: z.string().optional(),
});

/** HumanEval: `prompt` is a function signature and docstring; `test` defines `check(candidate)`. */
const humanEvalLine = z.object({
  task_id: taskId,
  prompt: z.string().min(1),
  test: z.string().min(1),
  entry_point: z.string().min(1),
  canonical_solution: z.string().optional(),
});

/** MBPP: a sentence, and assert lines that name the function. */
const mbppLine = z.object({
  task_id: taskId,
  text: z.string().min(1),
  test_list: z.array(z.string().min(1)).min(1),
  test_setup_code: z.string().optional(),
  code: z.string().optional(),
});

const LAYOUTS = 'Duet {"id", "prompt", "test"}, HumanEval {"task_id", "prompt", "test", "entry_point"} or MBPP {"task_id", "text", "test_list"}';

/** Reads `--tasks`: a JSONL file, or `builtin`. */
export async function readTaskSet(source: string): Promise<TaskSet> {
  const builtin = source === BUILTIN_TASKS;
  let text: string;
  try {
    text = await readFile(builtin ? BUILTIN_FILE : source, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new TaskFileError(`Cannot read the task file ${source} (${code}). Give a JSONL file, or --tasks builtin for the tasks that ship with Duet.`);
  }
  return { source, ...parseTaskLines(text, builtin ? 'the builtin task set' : source) };
}

/** Parses JSONL text; `name` is how error messages call the file. */
export function parseTaskLines(text: string, name: string): { tasks: EvalTask[]; layouts: TaskLayout[] } {
  const tasks: EvalTask[] = [];
  const layouts = new Set<TaskLayout>();
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const at = `${name}, line ${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      throw new TaskFileError(`${at} is not JSON (${(err as Error).message}). A task file has one JSON object a line.`);
    }
    const { task, layout } = taskOf(json, at);
    const earlier = seen.get(task.id);
    if (earlier !== undefined) throw new TaskFileError(`${at}: the task id "${task.id}" is also on line ${earlier}. Task ids must be unique.`);
    seen.set(task.id, i + 1);
    tasks.push(task);
    layouts.add(layout);
  });
  if (tasks.length === 0) throw new TaskFileError(`${name} has no tasks: write one JSON object a line, in the layout of ${LAYOUTS}.`);
  return { tasks, layouts: [...layouts] };
}

function taskOf(json: unknown, at: string): { task: EvalTask; layout: TaskLayout } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new TaskFileError(`${at} is not a JSON object. Each line holds one task in the layout of ${LAYOUTS}.`);
  if ('text' in json && 'test_list' in json) {
    const m = parsed(mbppLine, json, at, 'MBPP');
    const setup = m.test_setup_code?.trim() ? `${m.test_setup_code}\n\n` : '';
    const example = m.test_list[0] as string;
    return {
      layout: 'mbpp',
      task: {
        id: m.task_id,
        // MBPP names the function only in its tests: the first one is shown as the example, all of them judge.
        prompt: `${m.text}\n\nYour function must pass tests like this one:\n\n${example}`,
        test: `${setup}${m.test_list.join('\n')}\n`,
        ...(m.code !== undefined ? { solution: m.code } : {}),
      },
    };
  }
  if ('task_id' in json && 'entry_point' in json) {
    const h = parsed(humanEvalLine, json, at, 'HumanEval');
    return {
      layout: 'humaneval',
      task: {
        id: h.task_id,
        prompt: `Complete this Python function. Keep its name and signature.\n\n\`\`\`python\n${h.prompt.replace(/\s+$/, '')}\n\`\`\``,
        test: h.test,
        entryPoint: h.entry_point,
        ...(h.canonical_solution !== undefined ? { solution: `${h.prompt}${h.canonical_solution}` } : {}),
      },
    };
  }
  if ('id' in json || 'prompt' in json || 'test' in json) {
    const d = parsed(duetLine, json, at, 'Duet');
    return {
      layout: 'duet',
      task: { id: d.id, prompt: d.prompt, test: d.test, ...(d.entry_point !== undefined ? { entryPoint: d.entry_point } : {}), ...(d.solution !== undefined ? { solution: d.solution } : {}) },
    };
  }
  throw new TaskFileError(`${at} has none of the known layouts: ${LAYOUTS}.`);
}

function parsed<T>(schema: z.ZodType<T>, json: object, at: string, layout: string): T {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue?.path[0];
  const field = issue?.path.join('.') || 'the object';
  const missing = typeof key === 'string' && (json as Record<string, unknown>)[key] === undefined;
  throw new TaskFileError(`${at} looks like a ${layout} task, but "${field}" ${missing ? 'is missing' : `is wrong: ${issue?.message ?? 'invalid'}`}.`);
}
