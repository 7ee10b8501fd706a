/**
 * Reading and driving the notebook page the way a person does: through the
 * accessible names the app promises (see apps/notebook/README.md), waiting on
 * what the page shows rather than on time.
 */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { MODEL_IDS } from './e2e-harness.ts';

/** How long a check may take to come true: a kernel start and a cell run fit well inside it. */
const PATIENCE_MS = 60_000;

/** Polls `read` until `check` passes (an `expect.poll` with the patience a kernel needs). */
export function eventually<T>(read: () => Promise<T> | T) {
  return expect.poll(read, { timeout: PATIENCE_MS, interval: 50 });
}

/**
 * The text of everything `locator` matches right now, whitespace runs made one
 * space (so badges laid out as blocks still read as a sentence), joined by
 * newlines; `null` when it matches nothing. Never waits.
 */
export async function textNow(locator: Locator): Promise<string | null> {
  const texts = await locator.evaluateAll((els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()));
  return texts.length === 0 ? null : texts.join('\n');
}

/** A promise and the function that settles it, for gating a scripted answer. */
export interface Gate {
  promise: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** The open notebook's parts, by the names the app gives them. */
export class NotebookPageModel {
  constructor(readonly page: Page) {}

  /** Cells of one kind, by their group name: Request, Text cell, Reasoning, Code cell, Test cell, Execution results. */
  cells(kind: 'Request' | 'Text cell' | 'Reasoning' | 'Code cell' | 'Test cell' | 'Execution results'): Locator {
    return this.page.getByRole('group', { name: kind, exact: true });
  }

  /** The cell of `kind` whose text contains `text`. */
  cell(kind: Parameters<NotebookPageModel['cells']>[0], text: string): Locator {
    return this.cells(kind).filter({ hasText: text });
  }

  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  get passes(): Locator {
    return this.page.getByTestId('status-passes');
  }

  get halted(): Locator {
    return this.page.getByTestId('status-halted');
  }

  get runStatus(): Locator {
    return this.page.getByTestId('status-run');
  }

  get kernel(): Locator {
    return this.page.getByTestId('kernel-status');
  }

  /** Types a request and presses Send, after the model choices have loaded. */
  async send(prompt: string, opts: { passes?: number; maxTurns?: number } = {}): Promise<void> {
    const [a, b] = MODEL_IDS;
    await eventually(() => this.page.getByLabel('Model A', { exact: true }).inputValue()).toBe(a);
    await eventually(() => this.page.getByLabel('Model B', { exact: true }).inputValue()).toBe(b);
    if (opts.passes !== undefined) await this.page.getByLabel('Required passes', { exact: true }).fill(String(opts.passes));
    if (opts.maxTurns !== undefined) await this.page.getByLabel('Max turns', { exact: true }).fill(String(opts.maxTurns));
    await this.page.getByLabel('Prompt', { exact: true }).fill(prompt);
    await this.button('Send').click();
  }

  /**
   * The cell's CodeMirror editor, mounted: an editor far off-screen is a plain
   * `<pre>` until it scrolls near, so the cell is scrolled into view first.
   */
  async editor(cell: Locator): Promise<Locator> {
    await cell.scrollIntoViewIfNeeded();
    const content = cell.locator('.cm-content');
    await content.waitFor();
    return content;
  }

  /** Replaces a code or test cell's text by typing, as a person would. */
  async retype(cell: Locator, source: string): Promise<void> {
    const content = await this.editor(cell);
    await content.click();
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.insertText(source);
    await eventually(() => content.innerText()).toBe(source);
  }

  /**
   * Starts recording every text the kernel status shows, so a quick
   * restarting → idle flip between two polls is not missed.
   */
  async recordKernelStates(): Promise<() => Promise<string[]>> {
    await this.kernel.evaluate((el) => {
      const read = (): string => (el.textContent ?? '').replace(/\s+/g, ' ').trim();
      const seen: string[] = [read()];
      (window as unknown as { __kernelStates: string[] }).__kernelStates = seen;
      new MutationObserver(() => {
        const now = read();
        if (seen[seen.length - 1] !== now) seen.push(now);
      }).observe(el, { subtree: true, childList: true, characterData: true });
    });
    return () => this.page.evaluate(() => [...(window as unknown as { __kernelStates: string[] }).__kernelStates]);
  }
}
