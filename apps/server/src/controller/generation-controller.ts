/**
 * The generation controller: models A and B answer in turn, their streams become
 * cells, runnable cells run as soon as their fence closes, and both models halt
 * the moment the required number of tests are green. Stop, errors and limits all
 * end the run with a reason, keeping everything streamed so far.
 */
import type { KernelLogger } from '@duet/kernel';
import { assertNever } from '../util/assert-never.ts';
import { ModelError, displayUrl, streamChat, type Audience, type ChatDelta, type StreamChatOptions } from '../llm/index.ts';
import { idleRun, type NotebookDocument } from '../notebook/document.ts';
import type { ContextMeter, HaltReason, ModelSlot, RunRecord } from '../protocol/notebook.ts';
import { runStart, taskPromptIndex, type RunStart } from './run-start.ts';
import { testerReport, type TestRun } from './tester-report.ts';
import { CellSplitter, type SplitEvent } from '../splitter/index.ts';
import { requestAnswer } from './answer-request.ts';
import type { CellRunner } from './cell-runner.ts';
import { DEFAULT_CONTEXT_WINDOW, planRequest, type RequestPlan } from './context-budget.ts';
import { feedbackText } from './feedback.ts';
import { answerOverLimit, ANSWER_LIMITS, type AnswerLimits } from './answer-limits.ts';
import { fitInstructions, modelNotices } from './model-notices.ts';
import { processModelMemory, type ModelMemory } from './model-memory.ts';
import { correctionText, systemPrompt, type SlipKind, type TurnRecord } from './prompts.ts';
import { relayedAnswer, type RelayedCell } from './relay.ts';
import { summarizeTurn } from './turn-summary.ts';
import type { CellOutcome, ModelEndpoint, RunOptions, RunSummary } from './types.ts';

export interface GenerationControllerOptions {
  doc: NotebookDocument;
  runner: CellRunner;
  log: KernelLogger;
  /** The chat stream; tests and benchmarks may pass their own. */
  chat?: (opts: StreamChatOptions) => AsyncIterable<ChatDelta>;
  /** Called at the moment the required tests are green (before the streams close); for measuring halt latency. */
  onHalting?: (reason: HaltReason) => void;
  /** What Duet has learnt about each model; shared by every controller of the process unless given. */
  memory?: ModelMemory;
  /** One sentence on what the kernel has installed, for the system prompt; read once per run. */
  inventory?: () => Promise<string | undefined>;
  /** Bounds on one answer; {@link ANSWER_LIMITS} unless given. */
  answerLimits?: AnswerLimits;
  /** Who reads the run's errors: a terminal (`duet run`, the default) or the browser (`duet serve`). */
  audience?: Audience;
}

/** How a turn went, for the loop that decides what comes next. */
interface TurnResult {
  record: TurnRecord;
  runnable: number;
  /** Code that Duet could not run because of the answer's form, when a correction was asked for. */
  slip: SlipKind | null;
  /** Test cells the turn wrote and held back (see {@link TurnSpec.deferTests}). */
  deferred: string[];
}

/** What the strategies of a run share. */
interface LoopContext {
  opts: RunOptions;
  begin: RunStart;
  talk: { request: string; history: readonly TurnRecord[] };
  /** The number of the latest turn; the strategies advance it. */
  turn: number;
  system: (slot: ModelSlot, part?: 'coder' | 'tester') => string;
}

/** One model's turn: who, what it sees, and how its cells are treated. */
interface TurnSpec {
  slot: ModelSlot;
  turn: number;
  opts: RunOptions;
  talk: { request: string; history: readonly TurnRecord[] };
  /** The turns this model sees. */
  turns: readonly TurnRecord[];
  system: string;
  mayCorrect: boolean;
  /** Hold the turn's test cells instead of running them (the tester writes before any code exists). */
  deferTests?: boolean;
  /** The turn's report, when not the usual execution results; '' adds no feedback cell. */
  feedback?: (outcomes: readonly CellOutcome[], deferred: readonly string[]) => Promise<string> | string;
  /** Who receives the feedback cell (default: the other model in relay). */
  to?: ModelSlot;
  /** The last user message of the request, when not the usual nudge. */
  closing?: string;
}

/** How often the run state's tokens-per-second figure is refreshed. */
const RATE_INTERVAL_MS = 250;

export class GenerationController {
  readonly #o: GenerationControllerOptions;
  #abort: AbortController | null = null;
  #halted: HaltReason | null = null;
  #greens = 0;
  /** Relay counts every green test of the run as it finishes; coder-tester counts the tester's tests per round. */
  #countGreens = true;
  /** Index of the current run in the notebook's list of runs. */
  #run = -1;
  #startedAt = 0;
  #firstGreenAt: number | null = null;
  #usage = { promptTokens: 0, completionTokens: 0 };
  /** The cells this run queued; only their outcomes count towards the green total. */
  readonly #ours = new Set<string>();

  readonly #memory: ModelMemory;

  constructor(opts: GenerationControllerOptions) {
    this.#o = opts;
    this.#memory = opts.memory ?? processModelMemory;
  }

  get active(): boolean {
    return this.#abort !== null;
  }

  /** Stops the run: both streams are aborted, queued cells dropped, the kernel interrupted. */
  stop(): void {
    if (!this.#abort) return;
    this.#halt('stopped');
    this.#o.runner.interruptCurrent();
  }

  async start(opts: RunOptions): Promise<RunSummary> {
    if (this.#abort) throw new Error('a run is already going on in this notebook');
    const { doc, log } = this.#o;
    const kind = opts.kind ?? 'new';
    // Decided before anything changes: a run that cannot start leaves the notebook as it was.
    const begin = runStart(doc.cells, doc.meta, { kind, prompt: opts.prompt, ...(opts.first ? { first: opts.first } : {}), ...(opts.fresh ? { fresh: true } : {}) });
    const abort = new AbortController();
    this.#abort = abort;
    this.#halted = null;
    this.#greens = begin.greens;
    this.#startedAt = Date.now();
    this.#firstGreenAt = null;
    this.#usage = { promptTokens: 0, completionTokens: 0 };
    this.#ours.clear();
    const required = opts.required;
    // Counted as each cell finishes, before the runner starts the next one, so the last green test halts at once.
    const stopCounting = this.#o.runner.onOutcome((o) => this.#onOutcome(o, required));
    const cellsBefore = doc.cells.length;
    for (const id of begin.discard) {
      const cell = doc.cell(id);
      if (cell) doc.setCellMeta(id, { ...cell.duet, discarded: true });
    }
    const runIndex = doc.meta.runs.length;
    this.#run = runIndex;
    const record: RunRecord = {
      request: kind === 'new' ? begin.request : '',
      kind,
      models: { A: modelRef(opts.models.A), B: modelRef(opts.models.B) },
      required,
      passes: begin.greens,
      halted: null,
      mode: opts.mode ?? 'relay',
      first: begin.first,
      startedAt: new Date(this.#startedAt).toISOString(),
      turns: [],
    };
    doc.setMeta({ models: record.models, required, passes: begin.greens, halted: null, runs: [...doc.meta.runs, record] });
    doc.setRun({ ...idleRun(required, begin.lastTurn + opts.maxTurns), active: true, passes: begin.greens, turn: begin.lastTurn });
    if (kind === 'new') {
      const prompt = doc.addCell({ cellType: 'markdown', source: begin.request, duet: { role: 'prompt', model: null, turn: 0, run: runIndex } });
      if (begin.freshConversation) doc.setMeta({ contextFrom: prompt.id });
    }
    log.info({ notebook: doc.name, kind, modelA: opts.models.A.id, modelB: opts.models.B.id, required, maxTurns: opts.maxTurns, history: begin.history.length }, 'run started');

    const loop: LoopContext = { opts, begin, talk: { request: begin.request, history: begin.history }, turn: begin.lastTurn, system: () => '' };
    this.#countGreens = (opts.mode ?? 'relay') === 'relay';
    try {
      for (const notice of modelNotices(opts.models, this.#memory)) doc.notice('info', notice);
      const inventory = await this.#o.inventory?.().catch(() => undefined);
      const fit = (slot: ModelSlot): string | undefined => {
        const window = opts.models[slot].context?.window ?? DEFAULT_CONTEXT_WINDOW;
        const fitted = fitInstructions(opts.instructions?.[slot], window);
        if (fitted.cut) doc.notice('warning', `Your instructions for model ${slot} are longer than a fifth of its ${window}-token context window; only their beginning and end are sent. Shorten them, or give the model a larger context.`);
        return fitted.text;
      };
      const instructions = { A: fit('A'), B: fit('B') };
      loop.system = (slot, part) =>
        systemPrompt({ slot, required, ...(part ? { part } : {}), ...(inventory ? { inventory } : {}), ...(instructions[slot] ? { instructions: instructions[slot] } : {}) });
      if (this.#countGreens) await this.#relay(loop);
      else await this.#coderTester(loop);
      if (this.#halted === null) this.#halt('max-turns');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.error({ notebook: doc.name, err: message }, 'run failed');
      // Shown once, as the run's error; the turn that failed carries it too (see #turn).
      doc.setRun({ error: message });
      this.#halt('error');
    } finally {
      this.#o.runner.cancelQueued();
      await this.#o.runner.whenIdle();
      stopCounting();
      this.#abort = null;
    }
    const halted = this.#halted ?? 'error';
    this.#updateRecord({ halted, passes: this.#greens });
    doc.setMeta({ halted, passes: this.#greens });
    const turn = loop.turn;
    doc.setRun({ active: false, halted, streaming: null, producing: null, waiting: null, passes: this.#greens, turn });
    log.info({ notebook: doc.name, halted, passes: this.#greens, turns: turn - begin.lastTurn }, 'run ended');
    return {
      halted,
      passes: this.#greens,
      required,
      turns: turn - begin.lastTurn,
      cells: doc.cells.length - cellsBefore,
      usage: { ...this.#usage },
      firstGreenMs: this.#firstGreenAt === null ? null : this.#firstGreenAt - this.#startedAt,
    };
  }

  /** Relay: A and B take turns, each seeing the other's code and every result. */
  async #relay(loop: LoopContext): Promise<void> {
    const { opts, begin, talk } = loop;
    const turns: TurnRecord[] = [...begin.turns];
    const lastTurn = begin.lastTurn + opts.maxTurns;
    const other: ModelSlot = begin.first === 'A' ? 'B' : 'A';
    let emptyTurns = 0;
    while (this.#halted === null && loop.turn < lastTurn) {
      const turn = ++loop.turn;
      const slot: ModelSlot = (turn - begin.lastTurn) % 2 === 1 ? begin.first : other;
      let result = await this.#turn({ slot, turn, opts, talk, turns, system: loop.system(slot), mayCorrect: true });
      if (this.#halted !== null) break;
      turns.push(result.record);
      if (result.slip !== null) {
        // One correction to the same model, in the same turn, before the turn counts as no progress.
        result = await this.#turn({ slot, turn, opts, talk, turns, system: loop.system(slot), mayCorrect: false });
        if (this.#halted !== null) break;
        turns.push(result.record);
      }
      emptyTurns = result.runnable === 0 ? emptyTurns + 1 : 0;
      if (emptyTurns >= 2) this.#halt('no-progress');
    }
  }

  /**
   * Coder-tester: B writes tests from the request alone and never sees A's code; A
   * writes the code; after each of A's answers B's tests run against it, and the
   * failing ones go back to A with their source. Only B's tests count as green.
   */
  async #coderTester(loop: LoopContext): Promise<void> {
    const { opts, begin, talk } = loop;
    const { doc, runner } = this.#o;
    const coder: ModelSlot = 'A';
    const tester: ModelSlot = 'B';
    const lastTurn = begin.lastTurn + opts.maxTurns;
    // Going on with a run: the tester's tests are already in the notebook.
    const tests = this.#testerTests(tester);
    const coderTurns: TurnRecord[] = begin.turns.filter((t) => t.slot === coder && !t.byUser);
    // The tester writes from the requests alone: no code from the notebook's history either.
    const testerTalk = { request: talk.request, history: talk.history.filter((t) => t.request === true) };
    if (tests.length === 0 && loop.turn < lastTurn) {
      const turn = ++loop.turn;
      const testerTurn = (mayCorrect: boolean, seen: readonly TurnRecord[]) =>
        this.#turn({ slot: tester, turn, opts, talk: testerTalk, turns: seen, system: loop.system(tester, 'tester'), mayCorrect, deferTests: true, feedback: () => '', to: tester });
      let result = await testerTurn(true, []);
      if (this.#halted !== null) return;
      tests.push(...result.deferred);
      if (result.slip !== null) {
        result = await testerTurn(false, [result.record]);
        if (this.#halted !== null) return;
        tests.push(...result.deferred);
      }
      if (tests.length === 0) {
        doc.notice('warning', `Model ${tester} wrote no TEST-ASSERT block, so there is nothing to test model ${coder}'s code against.`);
        this.#halt('no-progress');
        return;
      }
    }
    const target = Math.min(opts.required, tests.length);
    const runTests = async (): Promise<string> => {
      const runs: TestRun[] = [];
      for (const id of tests) {
        if (this.#halted !== null) break;
        const outcome = await runner.run(id);
        runs.push({ source: doc.cell(id)?.source ?? '', outcome });
      }
      const greens = runs.filter((r) => r.outcome.testStatus === 'passed').length;
      this.#setGreens(greens);
      if (greens >= target) this.#halt('tests-passed');
      return testerReport(coder, tester, runs);
    };
    const lastCoderTurn = coderTurns.at(-1);
    if (lastCoderTurn !== undefined && this.#halted === null) {
      // Going on with a run: the coder hears how the tests stand against its code now.
      lastCoderTurn.feedback = await runTests();
      if (this.#halted !== null) return;
    }
    let emptyTurns = 0;
    while (this.#halted === null && loop.turn < lastTurn) {
      const turn = ++loop.turn;
      const coderTurn = (mayCorrect: boolean) =>
        this.#turn({ slot: coder, turn, opts, talk, turns: coderTurns, system: loop.system(coder, 'coder'), mayCorrect, feedback: runTests, to: coder, closing: `Your turn, model ${coder}: write or fix the code in RUN-CODE blocks.` });
      let result = await coderTurn(true);
      if (this.#halted !== null) break;
      coderTurns.push(result.record);
      if (result.slip !== null) {
        result = await coderTurn(false);
        if (this.#halted !== null) break;
        coderTurns.push(result.record);
      }
      emptyTurns = result.runnable === 0 ? emptyTurns + 1 : 0;
      if (emptyTurns >= 2) this.#halt('no-progress');
    }
  }

  /** The tester's test cells of the current request, in notebook order. */
  #testerTests(tester: ModelSlot): string[] {
    const { doc } = this.#o;
    const prompt = taskPromptIndex(doc.cells, doc.meta);
    return doc.cells
      .slice(prompt + 1)
      .filter((c) => c.duet.role === 'test' && c.duet.model === tester && !c.duet.discarded && !c.duet.unrunnable)
      .map((c) => c.id);
  }

  /** The green count of this run, said everywhere it is shown. */
  #setGreens(greens: number): void {
    if (greens > 0) this.#firstGreenAt ??= Date.now();
    this.#greens = greens;
    this.#o.doc.setRun({ passes: greens });
    this.#o.doc.setMeta({ passes: greens });
    this.#updateRecord({ passes: greens });
  }

  /** Changes this run's record in the notebook's list of runs. */
  #updateRecord(patch: Partial<RunRecord> | ((r: RunRecord) => Partial<RunRecord>)): void {
    const { doc } = this.#o;
    const runs = doc.meta.runs;
    const i = runs.length - 1;
    const current = runs[i];
    if (current === undefined || i !== this.#run) return;
    const change = typeof patch === 'function' ? patch(current) : patch;
    doc.setMeta({ runs: [...runs.slice(0, i), { ...current, ...change }] });
  }

  #halt(reason: HaltReason): void {
    if (this.#halted !== null) return;
    this.#halted = reason;
    this.#o.onHalting?.(reason);
    this.#abort?.abort(new Error(`run halted: ${reason}`));
    this.#o.runner.cancelQueued();
  }

  async #turn(spec: TurnSpec): Promise<TurnResult> {
    const { slot, turn, opts, talk, turns, system, mayCorrect } = spec;
    const { doc, runner } = this.#o;
    const model = opts.models[slot];
    const traits = this.#memory.of(model);
    const signal = (this.#abort as AbortController).signal;
    const runIndex = this.#run;
    const turnStartedAt = Date.now();
    doc.setRun({ turn, streaming: slot, producing: null, turnStartedAt, tokensPerSecond: null });
    const splitter = new CellSplitter({ startInReasoning: traits.startsInReasoning });
    const ids = new Map<number, string>();
    const relayed = new Map<number, RelayedCell>();
    const pending: Promise<CellOutcome>[] = [];
    const skipped: string[] = [];
    /** Test cells held back to run later (a tester's tests run against the coder's code). */
    const deferred: string[] = [];
    let toolCalls = 0;
    let answerChars = 0;
    let tokens = 0;
    let firstTokenAt = 0;
    let lastRateAt = 0;
    // Set in onSend, a callback, so TypeScript must not narrow it to its initial null.
    let sent = null as { plan: RequestPlan; meter: ContextMeter } | null;

    const apply = (events: SplitEvent[]): void => {
      for (const e of events) {
        switch (e.type) {
          case 'cell-open': {
            const role = e.kind;
            const cell = doc.addCell(
              {
                cellType: role === 'code' || role === 'test' ? 'code' : 'markdown',
                duet: { role, model: slot, turn, run: runIndex, modelId: model.id, ...(role === 'test' ? { test: { status: 'not-run' as const } } : {}), ...(e.note ? { note: e.note } : {}), ...((role === 'code' || role === 'test') && !e.runnable ? { unrunnable: true } : {}) },
              },
              undefined,
              { phase: 'streaming', startedAt: null, lastDurationMs: null },
            );
            ids.set(e.index, cell.id);
            relayed.set(e.index, { kind: role, lang: e.lang, source: '' });
            if ((role === 'code' || role === 'test') && !e.runnable && e.note) skipped.push(e.note);
            break;
          }
          case 'cell-append': {
            const id = ids.get(e.index);
            if (id) doc.appendSource(id, e.text);
            break;
          }
          case 'cell-close': {
            const r = relayed.get(e.index);
            if (r) r.source = e.source;
            const id = ids.get(e.index);
            if (!id) break;
            doc.setSource(id, e.source);
            doc.setRuntime(id, { phase: 'idle' });
            const cell = doc.cell(id);
            if (!cell || (cell.duet.role !== 'code' && cell.duet.role !== 'test')) break;
            if (!e.complete) {
              doc.setCellMeta(id, { ...cell.duet, unrunnable: true, note: 'Not run: the model stopped before closing this block.' });
              break;
            }
            if (cell.duet.unrunnable || this.#halted !== null) break;
            if (spec.deferTests && cell.duet.role === 'test') {
              deferred.push(id);
              break;
            }
            if (spec.deferTests && cell.duet.role === 'code') {
              // The tester's tests must meet only the coder's code, never its own.
              doc.setCellMeta(id, { ...cell.duet, unrunnable: true, note: "Not run: in coder-tester mode the tester's code never runs; its tests run against the coder's code." });
              break;
            }
            this.#ours.add(id);
            pending.push(runner.run(id));
            break;
          }
          default:
            assertNever(e, 'split event');
        }
      }
    };

    const setMeter = (meter: ContextMeter): void => {
      doc.setRun({ context: { ...doc.run.context, [slot]: meter } });
    };
    let accounted = false;
    const turnTokens = { promptTokens: 0, completionTokens: 0 };
    /** Adds this answer's tokens to the run's: the server's counts, else the estimate and the deltas counted. */
    const account = (promptTokens?: number, completionTokens?: number): void => {
      if (accounted || sent === null) return;
      accounted = true;
      turnTokens.promptTokens += promptTokens ?? sent.plan.estimatedTokens;
      turnTokens.completionTokens += completionTokens ?? tokens;
      this.#usage.promptTokens += promptTokens ?? sent.plan.estimatedTokens;
      this.#usage.completionTokens += completionTokens ?? tokens;
    };
    let producing: 'reasoning' | 'answer' | null = null;
    const produce = (what: 'reasoning' | 'answer'): void => {
      if (producing === what) return;
      producing = what;
      doc.setRun({ producing: what });
    };
    const answered = (): void => {
      if (firstTokenAt !== 0) return;
      firstTokenAt = Date.now();
      doc.setRun({ waiting: null });
    };

    const chat = this.#o.chat ?? streamChat;
    const window = traits.window ?? model.context?.window ?? DEFAULT_CONTEXT_WINDOW;
    try {
      const stream = requestAnswer({
        chat,
        model,
        traits,
        signal,
        plan: ({ tightness, window: smaller }) =>
          planRequest({
            slot,
            system,
            request: talk.request,
            history: talk.history,
            turns,
            window: smaller ?? window,
            estimator: traits.estimator,
            tightness,
            foldSystem: traits.foldSystem,
            reasoning: traits.reasons,
            ...(spec.closing !== undefined ? { closing: spec.closing } : {}),
          }),
        onSend: (plan) => {
          const meter: ContextMeter = {
            sent: plan.estimatedTokens,
            window,
            source: model.context?.source ?? 'default',
            measured: false,
            maxTokens: plan.maxTokens,
            folded: plan.folded,
            summary: plan.summary,
          };
          sent = { plan, meter };
          setMeter(meter);
          if (plan.overBudget && !traits.said.has('over-budget')) {
            traits.said.add('over-budget');
            doc.notice('warning', `Model ${slot}'s context window (${window} tokens) is too small for Duet's rules, the request and an answer, even with everything else left out; the answer gets only ${plan.maxTokens} tokens. Give the model a larger context, or shorten your instructions.`);
          }
          doc.setRun({ waiting: { slot, since: Date.now(), loading: false, detail: null } });
          this.#o.log.info({ notebook: doc.name, slot, model: model.id, turn, messages: plan.messages.length, estimatedTokens: plan.estimatedTokens, window, folded: plan.folded }, 'model request');
        },
        onRetry: (message) => doc.notice('info', message),
        ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
        ...(opts.firstTokenTimeoutMs !== undefined ? { firstTokenTimeoutMs: opts.firstTokenTimeoutMs } : {}),
      });
      for await (const delta of stream) {
        if (this.#halted !== null) break;
        const over = answerOverLimit(answerChars, firstTokenAt, this.#o.answerLimits ?? ANSWER_LIMITS);
        if (over !== null) {
          // Leaving the loop closes the HTTP stream: a server that never stops is stopped here.
          doc.notice('warning', `Model ${slot}'s answer ${over}, so Duet stopped reading it; what arrived is kept and the turn ends here.`);
          break;
        }
        switch (delta.type) {
          case 'loading': {
            const waiting = doc.run.waiting;
            if (firstTokenAt === 0) doc.setRun({ waiting: { slot, since: waiting?.since ?? Date.now(), loading: true, detail: delta.detail } });
            continue;
          }
          case 'content':
            answerChars += delta.text.length;
            answered();
            apply(splitter.push(delta.text));
            produce(splitter.inReasoning ? 'reasoning' : 'answer');
            break;
          case 'reasoning':
            answerChars += delta.text.length;
            traits.reasons = true;
            answered();
            apply(splitter.pushReasoning(delta.text));
            produce('reasoning');
            break;
          case 'tool-call':
            answered();
            toolCalls += 1;
            break;
          case 'finish': {
            if (delta.reason === 'length') doc.notice('warning', `Model ${slot}'s answer was cut off at its token limit; an unclosed block was not run.`);
            const promptTokens = delta.usage?.promptTokens;
            account(promptTokens, delta.usage?.completionTokens);
            if (promptTokens !== undefined && sent !== null) {
              traits.estimator.learn(sent.plan.messages, promptTokens);
              setMeter({ ...sent.meter, sent: promptTokens, measured: true });
            }
            break;
          }
          default:
            assertNever(delta, 'chat delta');
        }
        tokens += 1;
        const now = Date.now();
        if (now - lastRateAt >= RATE_INTERVAL_MS) {
          lastRateAt = now;
          const secs = (now - firstTokenAt) / 1000;
          if (secs > 0) doc.setRun({ tokensPerSecond: Math.round(tokens / secs) });
        }
      }
    } catch (err) {
      account();
      if (this.#halted === null) {
        apply(splitter.end());
        doc.setRun({ waiting: null });
        const message = err instanceof ModelError ? err.phraseFor(this.#o.audience ?? 'cli') : `Model ${slot} failed: ${err instanceof Error ? err.message : String(err)}`;
        doc.addCell({
          cellType: 'markdown',
          source: `**Model ${slot} (${model.id}) stopped with an error:** ${message}\n\nWhat it wrote before that is kept above.`,
          duet: { role: 'feedback', model: slot, turn, run: runIndex },
        });
        throw new Error(`Model ${slot} (${model.id}): ${message} What it wrote so far is kept.`);
      }
    }
    account();
    apply(splitter.end());
    if (splitter.sawBareCloseTag && !traits.startsInReasoning) {
      // The template opens reasoning in the prompt: from now on this model's answers start inside it.
      traits.startsInReasoning = true;
      doc.notice('info', `Model ${slot} (${model.id}) begins its answers inside reasoning with no <think> tag; from its next turn on, Duet treats everything before </think> as reasoning.`);
    }
    const secs = firstTokenAt ? (Date.now() - firstTokenAt) / 1000 : 0;
    doc.setRun({ streaming: null, producing: null, waiting: null, ...(secs > 0 ? { tokensPerSecond: Math.round(tokens / secs) } : {}) });
    this.#updateRecord((r) => ({ turns: [...r.turns, { turn, model: slot, ms: Date.now() - turnStartedAt, ...turnTokens }] }));
    const outcomes = await Promise.all(pending);
    const text = relayedAnswer([...relayed.values()]);
    const { unmarkedPython } = splitter.stats;
    const slipKind: SlipKind | null = pending.length > 0 || deferred.length > 0 || skipped.length > 0 ? null : unmarkedPython > 0 ? 'unmarked' : toolCalls > 0 ? 'tool-calls' : null;
    const slip = mayCorrect ? slipKind : null;
    const feedback =
      slip !== null
        ? correctionText(slot, slip, unmarkedPython)
        : spec.feedback !== undefined
          ? await spec.feedback(outcomes, deferred)
          : feedbackText(slot, outcomes.filter((o) => o.status !== 'not-run' || this.#halted === null), skipped);
    if (this.#halted === null && feedback !== '') {
      doc.addCell({ cellType: 'markdown', source: feedback, duet: { role: 'feedback', model: slot, turn, run: runIndex, to: slip !== null ? slot : (spec.to ?? (slot === 'A' ? 'B' : 'A')) } });
    }
    const summary = summarizeTurn({ slot, turn, outcomes, ...(slipKind === 'unmarked' ? { slip: 'Python without RUN-CODE/TEST-ASSERT markers, nothing ran' } : slipKind === 'tool-calls' ? { slip: 'a tool call instead of marked code, nothing ran' } : {}) });
    return { record: { slot, text, feedback, summary }, runnable: pending.length + deferred.length, slip, deferred };
  }

  #onOutcome(o: CellOutcome, required: number): void {
    if (!this.#ours.delete(o.id) || !this.#countGreens) return;
    if (o.kind === 'test' && o.testStatus === 'passed' && this.#halted === null) {
      this.#setGreens(this.#greens + 1);
      if (this.#greens >= required) this.#halt('tests-passed');
    }
  }
}

/** The endpoint as the notebook records it: never credentials, never the key. */
function modelRef(m: ModelEndpoint): { id: string; baseUrl: string } {
  return { id: m.id, baseUrl: m.label ?? displayUrl(m.baseUrl) };
}
