/**
 * The generation controller: models A and B answer in turn, their streams become
 * cells, runnable cells run as soon as their fence closes, and both models halt
 * the moment the required number of tests are green. Stop, errors and limits all
 * end the run with a reason, keeping everything streamed so far.
 */
import type { KernelLogger } from '@duet/kernel';
import { assertNever } from '@duet/kernel';
import { ModelError, displayUrl, streamChat, type ChatDelta, type StreamChatOptions } from '../llm/index.ts';
import type { NotebookDocument } from '../notebook/document.ts';
import type { HaltReason, ModelSlot } from '../protocol/notebook.ts';
import { CellSplitter, type SplitEvent } from '../splitter/index.ts';
import type { CellRunner } from './cell-runner.ts';
import { feedbackText } from './feedback.ts';
import { buildMessages, type TurnRecord } from './prompts.ts';
import type { CellOutcome, ModelEndpoint, RunOptions, RunSummary } from './types.ts';

export interface GenerationControllerOptions {
  doc: NotebookDocument;
  runner: CellRunner;
  log: KernelLogger;
  /** The chat stream; tests and benchmarks may pass their own. */
  chat?: (opts: StreamChatOptions) => AsyncIterable<ChatDelta>;
  /** Called at the moment the required tests are green (before the streams close); for measuring halt latency. */
  onHalting?: (reason: HaltReason) => void;
}

/** How often the run state's tokens-per-second figure is refreshed. */
const RATE_INTERVAL_MS = 250;

export class GenerationController {
  readonly #o: GenerationControllerOptions;
  #abort: AbortController | null = null;
  #halted: HaltReason | null = null;
  #greens = 0;
  /** The cells this run queued; only their outcomes count towards the green total. */
  readonly #ours = new Set<string>();

  constructor(opts: GenerationControllerOptions) {
    this.#o = opts;
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
    const abort = new AbortController();
    this.#abort = abort;
    this.#halted = null;
    this.#greens = 0;
    this.#ours.clear();
    // Counted as each cell finishes, before the runner starts the next one, so the last green test halts at once.
    const stopCounting = this.#o.runner.onOutcome((o) => this.#onOutcome(o, opts.required));
    const cellsBefore = doc.cells.length;
    doc.setMeta({
      models: { A: modelRef(opts.models.A), B: modelRef(opts.models.B) },
      required: opts.required,
      halted: null,
    });
    doc.setRun({ active: true, halted: null, passes: 0, required: opts.required, turn: 0, maxTurns: opts.maxTurns, streaming: null, tokensPerSecond: null, error: null });
    doc.addCell({ cellType: 'markdown', source: opts.prompt, duet: { role: 'prompt', model: null, turn: 0 } });
    log.info({ notebook: doc.name, modelA: opts.models.A.id, modelB: opts.models.B.id, required: opts.required, maxTurns: opts.maxTurns }, 'run started');

    const turns: TurnRecord[] = [];
    let emptyTurns = 0;
    let turn = 0;
    try {
      while (this.#halted === null && turn < opts.maxTurns) {
        turn += 1;
        const slot: ModelSlot = turn % 2 === 1 ? 'A' : 'B';
        const record = await this.#turn(slot, turn, opts, turns);
        if (this.#halted !== null) break;
        turns.push(record.turn);
        emptyTurns = record.runnable === 0 ? emptyTurns + 1 : 0;
        if (emptyTurns >= 2) this.#halt('no-progress');
      }
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
    doc.setMeta({ halted });
    doc.setRun({ active: false, halted, streaming: null, passes: this.#greens, turn });
    log.info({ notebook: doc.name, halted, passes: this.#greens, turns: turn }, 'run ended');
    return { halted, passes: this.#greens, required: opts.required, turns: turn, cells: doc.cells.length - cellsBefore };
  }

  #halt(reason: HaltReason): void {
    if (this.#halted !== null) return;
    this.#halted = reason;
    this.#o.onHalting?.(reason);
    this.#abort?.abort(new Error(`run halted: ${reason}`));
    this.#o.runner.cancelQueued();
  }

  async #turn(slot: ModelSlot, turn: number, opts: RunOptions, turns: TurnRecord[]): Promise<{ turn: TurnRecord; runnable: number }> {
    const { doc, runner } = this.#o;
    const model = opts.models[slot];
    const signal = (this.#abort as AbortController).signal;
    doc.setRun({ turn, streaming: slot, tokensPerSecond: null });
    const splitter = new CellSplitter();
    const ids = new Map<number, string>();
    const pending: Promise<CellOutcome>[] = [];
    const skipped: string[] = [];
    let text = '';
    let tokens = 0;
    let firstTokenAt = 0;
    let lastRateAt = 0;

    const apply = (events: SplitEvent[]): void => {
      for (const e of events) {
        switch (e.type) {
          case 'cell-open': {
            const role = e.kind;
            const cell = doc.addCell(
              {
                cellType: role === 'code' || role === 'test' ? 'code' : 'markdown',
                duet: { role, model: slot, turn, ...(role === 'test' ? { test: { status: 'not-run' as const } } : {}), ...(e.note ? { note: e.note } : {}) },
              },
              undefined,
              { phase: 'streaming', startedAt: null, lastDurationMs: null },
            );
            ids.set(e.index, cell.id);
            if ((role === 'code' || role === 'test') && !e.runnable && e.note) skipped.push(e.note);
            break;
          }
          case 'cell-append': {
            const id = ids.get(e.index);
            if (id) doc.appendSource(id, e.text);
            break;
          }
          case 'cell-close': {
            const id = ids.get(e.index);
            if (!id) break;
            doc.setSource(id, e.source);
            doc.setRuntime(id, { phase: 'idle' });
            const cell = doc.cell(id);
            if (!cell || (cell.duet.role !== 'code' && cell.duet.role !== 'test')) break;
            if (!e.complete) {
              doc.setCellMeta(id, { ...cell.duet, note: 'Not run: the model stopped before closing this block.' });
              break;
            }
            if (cell.duet.note || this.#halted !== null) break;
            this.#ours.add(id);
            pending.push(runner.run(id));
            break;
          }
          default:
            assertNever(e, 'split event');
        }
      }
    };

    const chat = this.#o.chat ?? streamChat;
    try {
      const messages = buildMessages(slot, opts.prompt, opts.required, turns);
      this.#o.log.info({ notebook: doc.name, slot, model: model.id, turn, messages: messages.length }, 'model request');
      for await (const delta of chat({
        baseUrl: model.baseUrl,
        model: model.id,
        messages,
        signal,
        ...(model.apiKey ? { apiKey: model.apiKey } : {}),
        ...(opts.idleTimeoutMs ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
      })) {
        if (this.#halted !== null) break;
        switch (delta.type) {
          case 'content':
            text += delta.text;
            apply(splitter.push(delta.text));
            break;
          case 'reasoning':
            apply(splitter.pushReasoning(delta.text));
            break;
          case 'finish':
            if (delta.reason === 'length') doc.notice('warning', `Model ${slot}'s answer was cut off at its token limit; an unclosed block was not run.`);
            break;
          default:
            assertNever(delta, 'chat delta');
        }
        tokens += 1;
        const now = Date.now();
        if (firstTokenAt === 0) firstTokenAt = now;
        if (now - lastRateAt >= RATE_INTERVAL_MS) {
          lastRateAt = now;
          const secs = (now - firstTokenAt) / 1000;
          if (secs > 0) doc.setRun({ tokensPerSecond: Math.round(tokens / secs) });
        }
      }
    } catch (err) {
      if (this.#halted === null) {
        apply(splitter.end());
        const message = err instanceof ModelError ? err.message : `Model ${slot} failed: ${err instanceof Error ? err.message : String(err)}`;
        doc.addCell({
          cellType: 'markdown',
          source: `**Model ${slot} (${model.id}) stopped with an error:** ${message}\n\nWhat it wrote before that is kept above.`,
          duet: { role: 'feedback', model: slot, turn },
        });
        throw new Error(`Model ${slot} (${model.id}): ${message} What it wrote so far is kept.`);
      }
    }
    apply(splitter.end());
    const secs = firstTokenAt ? (Date.now() - firstTokenAt) / 1000 : 0;
    doc.setRun({ streaming: null, ...(secs > 0 ? { tokensPerSecond: Math.round(tokens / secs) } : {}) });
    const outcomes = await Promise.all(pending);
    const feedback = feedbackText(slot, outcomes.filter((o) => o.status !== 'not-run' || this.#halted === null), skipped);
    if (this.#halted === null) {
      doc.addCell({ cellType: 'markdown', source: feedback, duet: { role: 'feedback', model: slot, turn } });
    }
    return { turn: { slot, text, feedback }, runnable: pending.length };
  }

  #onOutcome(o: CellOutcome, required: number): void {
    if (!this.#ours.delete(o.id)) return;
    if (o.kind === 'test' && o.testStatus === 'passed' && this.#halted === null) {
      this.#greens += 1;
      this.#o.doc.setRun({ passes: this.#greens });
      if (this.#greens >= required) this.#halt('tests-passed');
    }
  }
}

/** The endpoint as the notebook records it: never credentials, never the key. */
function modelRef(m: ModelEndpoint): { id: string; baseUrl: string } {
  return { id: m.id, baseUrl: m.label ?? displayUrl(m.baseUrl) };
}
