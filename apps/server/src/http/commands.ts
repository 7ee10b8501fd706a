/**
 * Client commands, checked at the door: anything that does not parse as one of
 * the {@link ClientCommand} shapes is refused with a message, never acted on.
 * These schemas are the one source of the command types: the protocol's
 * `ClientCommand`, `RunRequest` and `ResumeRequest` are inferred from them.
 */
import { z } from 'zod';

const id = z.string().min(1).max(64);
const index = z.number().int().min(0);
const count = z.number().int().min(1).max(100);
const model = z.string().min(1).max(200);

/** The fields of a run request, shared by the HTTP route and the `start-run` command. */
export const runRequestShape = {
  prompt: z.string().trim().min(1, 'the prompt is empty').max(100_000),
  modelA: model.optional(),
  modelB: model.optional(),
  /** How many green tests end the run (default: the notebook's setting, else the server's `--passes`). */
  required: count.optional(),
  /** @deprecated The old name of `required`, still accepted; a request that gives both must give the same number. */
  passes: count.optional(),
  maxTurns: count.optional(),
  /** The user's own instructions for each model, added to Duet's rules. */
  instructionsA: z.string().max(20_000).optional(),
  instructionsB: z.string().max(20_000).optional(),
  /** Which model speaks first (default A). */
  first: z.enum(['A', 'B']).optional(),
  mode: z.enum(['relay', 'coder-tester']).optional(),
  /** Start a new conversation: the models do not see the notebook's earlier cells. */
  fresh: z.boolean().optional(),
};

/** Continue: how many more turns (default: the notebook's or server's max turns). */
export const resumeRequestShape = { maxTurns: count.optional() };
/** The body of `POST …/continue`, and the fields of `continue-run`. */
export const resumeRequestSchema = z.strictObject(resumeRequestShape);

const settingsSchema = z.strictObject({
  modelA: model.optional(),
  modelB: model.optional(),
  passes: count.optional(),
  maxTurns: count.optional(),
  mode: z.enum(['relay', 'coder-tester']).optional(),
  first: z.enum(['A', 'B']).optional(),
  instructionsA: z.string().max(20_000).optional(),
  instructionsB: z.string().max(20_000).optional(),
});

/** The body of `POST …/runs`, and the fields of `start-run`. */
export const runRequestSchema = z.strictObject(runRequestShape);

/** Every command a browser may send over its notebook's WebSocket. */
export const clientCommandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('edit-source'), id, source: z.string().max(5_000_000) }),
  z.strictObject({
    type: z.literal('add-cell'),
    index,
    cellType: z.enum(['markdown', 'code']),
    role: z.enum(['code', 'test', 'prose']).optional(),
  }),
  z.strictObject({ type: z.literal('delete-cell'), id }),
  z.strictObject({ type: z.literal('move-cell'), id, index }),
  z.strictObject({ type: z.literal('run-cell'), id }),
  z.strictObject({ type: z.literal('run-all') }),
  z.strictObject({ type: z.literal('start-run'), ...runRequestShape }),
  z.strictObject({ type: z.literal('continue-run'), ...resumeRequestShape }),
  z.strictObject({ type: z.literal('retry-turn') }),
  z.strictObject({ type: z.literal('new-conversation') }),
  z.strictObject({ type: z.literal('set-cell-kind'), id, cellType: z.enum(['markdown', 'code']), role: z.enum(['prose', 'code', 'test']) }),
  z.strictObject({
    type: z.literal('restore-cell'),
    index,
    cell: z.strictObject({
      cellType: z.enum(['markdown', 'code']),
      source: z.string().max(5_000_000),
      role: z.enum(['prose', 'code', 'test', 'prompt', 'reasoning', 'feedback']),
    }),
  }),
  z.strictObject({ type: z.literal('save') }),
  z.strictObject({ type: z.literal('set-settings'), settings: settingsSchema }),
  z.strictObject({ type: z.literal('stop') }),
  z.strictObject({ type: z.literal('interrupt') }),
  z.strictObject({ type: z.literal('restart') }),
]);

/** A command as the server receives it. */
type ClientCommand = z.infer<typeof clientCommandSchema>;

/** The parsed command, or why it was refused. */
export function parseCommand(raw: string): { ok: true; command: ClientCommand } | { ok: false; error: string; type?: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'The command is not valid JSON.' };
  }
  const parsed = clientCommandSchema.safeParse(json);
  const type = typeof json === 'object' && json !== null && 'type' in json && typeof json.type === 'string' ? json.type : undefined;
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` (${issue.path.join('.')})` : '';
    return { ok: false, error: `Refused command${type ? ` "${type}"` : ''}${where}: ${issue?.message ?? 'invalid'}.`, ...(type ? { type } : {}) };
  }
  return { ok: true, command: parsed.data };
}
