/**
 * The notebook app's speed in headless Chromium, measured inside the page:
 * how smooth it stays while a model streams 200 tokens per second, how long a
 * 500-cell notebook takes to open, and how fast a typed character reaches an
 * editor while another cell streams. There is no comparable peer in the run;
 * the rows state Duet's own targets instead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BrowserContext, Page } from 'playwright-core';
import type { Script, ScriptStep } from '@duet/server';
import { answerTokens, pacedAnswer, tokensPerSecond, type StreamLog } from './browser-answer.ts';
import { sessionNotebook, typingNotebook } from './browser-notebooks.ts';
import { cellsRendered, FINDINGS, FRAMES, keyLatency, LONG_TASKS, PAGE_USABLE, type KeySample, type ProbeFindings } from './browser-probes.ts';
import { bundleSize, type BundleSize } from './bundle-size.ts';
import { startBrowserStack, type BrowserStack } from './browser-stack.ts';
import type { BenchRow, BenchSection } from './report.ts';
import { median, ms, quantile } from './stats.ts';

/** Blocks of the streamed answer: about 200 tokens each, so about a second each at 200 tokens/s. */
const STREAM_BLOCKS = 5;
const LONG_TASK_MS = 50;
const BIG_NOTEBOOK_CELLS = 500;
/** The notebook the first-load figure opens: a short session, as a returning person finds theirs. */
const SMALL_NOTEBOOK_CELLS = 12;
const OPENS = 3;
const KEYPRESSES = 30;
/** Between keypresses, about a quick typist's pace. */
const KEY_GAP_MS = 100;
/** The typing run streams until the typing is done, but never longer than this many blocks. */
const TYPING_MAX_BLOCKS = 120;
const RUN_END_TIMEOUT_MS = 120_000;

const SMOOTH_PROMPT = 'Stream the batch totals (smoothness benchmark).';
const TYPING_PROMPT = 'Stream the batch totals (typing benchmark).';
const TYPING_CELL = 'typed-by-hand';

/** Answers by prompt; set before each run. */
type Plans = Map<string, () => AsyncIterable<ScriptStep>>;

interface StreamingFigures {
  log: StreamLog;
  longTasks: number[];
  longestFrameGapMs: number;
  windowMs: number;
}

interface OpenFigures {
  allCellsMs: number[];
  firstCellMs: number[];
}

interface FirstLoadFigures {
  bundle: BundleSize;
  usableMs: number[];
}

interface TypingFigures {
  keys: KeySample[];
  log: StreamLog;
}

const emptyLog = (): StreamLog => ({ tokens: 0, firstMs: 0, lastMs: 0 });

/** A page whose uncaught errors are kept, so a benchmark of a broken page fails instead of reporting. */
async function newWatchedPage(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.stack ?? err.message));
  return { page, errors };
}

function checkNoPageErrors(errors: readonly string[], what: string): void {
  if (errors.length > 0) throw new Error(`The page threw during ${what}:\n${errors.join('\n---\n')}`);
}

/** Opens notebook `name` and waits until its snapshot is drawn. */
async function openNotebook(page: Page, stack: BrowserStack, name: string): Promise<void> {
  await page.goto(`${stack.base}/#${encodeURIComponent(name)}`);
  await page.getByRole('main', { name: `Notebook ${name}` }).getByTestId('kernel-status').waitFor();
}

/**
 * The page's global object as the probes leave it. The predicates below are
 * functions, not strings: the server's content security policy forbids eval.
 */
type Probed = { __benchProbe?: ProbeFindings };

const findings = async (page: Page): Promise<ProbeFindings> => (await page.evaluate(FINDINGS)) as ProbeFindings;
const pageNow = async (page: Page): Promise<number> => (await page.evaluate('performance.now()')) as number;

/** Waits until the page shows the run as ended (the halted reason in the status bar). */
async function runEnded(page: Page): Promise<void> {
  await page.getByTestId('status-halted').waitFor({ timeout: RUN_END_TIMEOUT_MS });
}

/** (1) Long tasks and frame gaps from the run's start until the page shows it ended. */
async function measureStreaming(stack: BrowserStack, plans: Plans): Promise<StreamingFigures> {
  const name = 'smooth';
  await stack.api('POST', '/api/notebooks', { name });
  const log = emptyLog();
  plans.set(SMOOTH_PROMPT, () => pacedAnswer(answerTokens(STREAM_BLOCKS), log));
  const context = await stack.newContext();
  try {
    await context.addInitScript({ content: LONG_TASKS });
    await context.addInitScript({ content: FRAMES });
    const { page, errors } = await newWatchedPage(context);
    await openNotebook(page, stack, name);
    const start = await pageNow(page);
    await stack.api('POST', `/api/notebooks/${name}/runs`, { prompt: SMOOTH_PROMPT, maxTurns: 1 });
    await runEnded(page);
    const end = await pageNow(page);
    checkNoPageErrors(errors, 'the streaming run');
    if (log.tokens === 0) throw new Error('The model server streamed no tokens: the run never asked it for an answer.');
    const codeCells = await page.locator('[data-role="code"]').count();
    if (codeCells < STREAM_BLOCKS) throw new Error(`The streamed answer should have drawn ${STREAM_BLOCKS} code cells; the page shows ${codeCells}.`);
    const found = await findings(page);
    const inWindow = (t: number): boolean => t >= start && t <= end;
    const frames = (found.frames ?? []).filter(inWindow);
    let longestFrameGapMs = 0;
    for (let i = 1; i < frames.length; i++) longestFrameGapMs = Math.max(longestFrameGapMs, (frames[i] as number) - (frames[i - 1] as number));
    return { log, longTasks: (found.longTasks ?? []).filter((t) => inWindow(t.start)).map((t) => t.duration), longestFrameGapMs, windowMs: end - start };
  } finally {
    await context.close();
  }
}

/** (2) Navigation start to the first frame drawn with every cell of a 500-cell notebook in the DOM, in fresh contexts. */
async function measureOpen(stack: BrowserStack): Promise<OpenFigures> {
  const name = 'five-hundred-cells';
  await stack.api('PUT', `/api/notebooks/${name}`, sessionNotebook(BIG_NOTEBOOK_CELLS));
  const figures: OpenFigures = { allCellsMs: [], firstCellMs: [] };
  for (let i = 0; i < OPENS; i++) {
    const context = await stack.newContext();
    try {
      await context.addInitScript({ content: cellsRendered(BIG_NOTEBOOK_CELLS) });
      const { page, errors } = await newWatchedPage(context);
      await page.goto(`${stack.base}/#${name}`);
      await page.waitForFunction(() => (globalThis as Probed).__benchProbe?.allCellsAt != null, undefined, { polling: 50, timeout: 30_000 });
      checkNoPageErrors(errors, 'the opening of the 500-cell notebook');
      const found = await findings(page);
      figures.allCellsMs.push(found.allCellsAt as number);
      figures.firstCellMs.push(found.firstCellAt as number);
    } finally {
      await context.close();
    }
  }
  return figures;
}

/** (0) The JavaScript a first load fetches, and navigation start → the prompt box usable and drawn, in fresh contexts (an empty cache). */
async function measureFirstLoad(stack: BrowserStack): Promise<FirstLoadFigures> {
  const name = 'first-load';
  await stack.api('PUT', `/api/notebooks/${name}`, sessionNotebook(SMALL_NOTEBOOK_CELLS));
  const usableMs: number[] = [];
  for (let i = 0; i < OPENS; i++) {
    const context = await stack.newContext();
    try {
      await context.addInitScript({ content: PAGE_USABLE });
      const { page, errors } = await newWatchedPage(context);
      await page.goto(`${stack.base}/#${name}`);
      await page.waitForFunction(() => (globalThis as Probed).__benchProbe?.usableAt != null, undefined, { polling: 50, timeout: 30_000 });
      checkNoPageErrors(errors, 'the first load');
      usableMs.push((await findings(page)).usableAt as number);
    } finally {
      await context.close();
    }
  }
  return { bundle: bundleSize(), usableMs };
}

/** (3) Keypress to character in one cell's editor while the model streams into the cells after it. */
async function measureTyping(stack: BrowserStack, plans: Plans): Promise<TypingFigures> {
  const name = 'typing';
  await stack.api('PUT', `/api/notebooks/${name}`, typingNotebook(TYPING_CELL));
  const log = emptyLog();
  let typingDone = false;
  plans.set(TYPING_PROMPT, () => pacedAnswer(answerTokens(TYPING_MAX_BLOCKS, () => typingDone), log));
  const context = await stack.newContext();
  try {
    const { page, errors } = await newWatchedPage(context);
    await openNotebook(page, stack, name);
    await stack.api('POST', `/api/notebooks/${name}/runs`, { prompt: TYPING_PROMPT, maxTurns: 1 });
    try {
      await page.getByTestId('status-run').filter({ hasText: 'is writing' }).waitFor();
      // Scrolling to the cell stops the page following the stream, as it does for a person who scrolls up to edit.
      const cell = page.locator(`[data-cell-id="${TYPING_CELL}"]`);
      await cell.scrollIntoViewIfNeeded();
      const editor = cell.locator('.cm-content');
      await editor.click();
      await page.keyboard.press('ControlOrMeta+End');
      await page.evaluate(keyLatency(`[data-cell-id="${TYPING_CELL}"] .cm-content`));
      for (let i = 0; i < KEYPRESSES; i++) {
        await page.keyboard.press(String.fromCharCode(97 + (i % 26)));
        await page.waitForFunction((n) => ((globalThis as Probed).__benchProbe?.keys?.length ?? 0) >= n, i + 1, { polling: 20, timeout: 10_000 });
        await sleep(KEY_GAP_MS);
      }
      if (stack.models.openStreams() === 0) throw new Error('The model finished streaming before the typing did; the keypresses were not all measured during a stream.');
    } finally {
      typingDone = true;
    }
    await runEnded(page);
    checkNoPageErrors(errors, 'the typing run');
    return { keys: (await findings(page)).keys ?? [], log };
  } finally {
    await context.close();
  }
}

const rate = (log: StreamLog): string => `${log.tokens} tokens in ${((log.lastMs - log.firstMs) / 1000).toFixed(1)} s (${tokensPerSecond(log).toFixed(0)} tokens/s)`;

const kB = (bytes: number): string => `${(bytes / 1000).toFixed(0)} kB`;

function firstLoadRows(f: FirstLoadFigures): BenchRow[] {
  return [
    {
      name: 'first load: JavaScript, gzipped',
      duet: kB(f.bundle.firstLoadGzip),
      note: `target: ≤ 150 kB. ${f.bundle.firstLoadFiles.join(', ')} (the module script and its preloads in the built index.html, gzip -9); all ${f.bundle.chunks} chunks: ${kB(f.bundle.allRaw)}, ${kB(f.bundle.allGzip)} gzipped (CodeMirror and the markdown stack load when a cell needs them)`,
    },
    {
      name: 'first load: navigation → prompt usable, median',
      duet: ms(median(f.usableMs)),
      note: `navigation start to the first frame drawn (laid out and painted) with the Prompt box enabled, opening a ${SMALL_NOTEBOOK_CELLS}-cell notebook in a fresh context (empty cache) from loopback; runs: ${f.usableMs.map(ms).join(', ')}`,
    },
  ];
}

function rows(s: StreamingFigures, o: OpenFigures, t: TypingFigures): BenchRow[] {
  const longest = s.longTasks.length > 0 ? Math.max(...s.longTasks) : null;
  const over = s.longTasks.filter((d) => d > LONG_TASK_MS).length;
  const dom = t.keys.map((k) => k.domMs);
  const frame = t.keys.map((k) => k.frameMs);
  return [
    {
      name: 'streaming: longest main-thread task',
      duet: longest === null ? `none ≥ ${LONG_TASK_MS} ms` : ms(longest),
      note: `target: no task over ${LONG_TASK_MS} ms. Long Tasks API (sees tasks ≥ ${LONG_TASK_MS} ms) from the run's start until the page shows it ended (${ms(s.windowMs)}); ${rate(s.log)}, prose and ${STREAM_BLOCKS} code cells that run as their fences close. No comparable peer in this run.`,
    },
    { name: `streaming: tasks over ${LONG_TASK_MS} ms`, duet: String(over), note: `target: 0; same window, ${s.longTasks.length} long task(s) in all` },
    { name: 'streaming: longest gap between frames', duet: ms(s.longestFrameGapMs), note: 'requestAnimationFrame timestamps in the same window (16.7 ms is one frame at 60 Hz)' },
    {
      name: `${BIG_NOTEBOOK_CELLS}-cell notebook: open → all cells in the DOM, median`,
      duet: ms(median(o.allCellsMs)),
      note: `target: ≤ 0.5 s on 2 cores. Navigation start to the first frame drawn (laid out and painted) with the ${BIG_NOTEBOOK_CELLS}th cell in the DOM; runs: ${o.allCellsMs.map(ms).join(', ')}; first cell at ${ms(median(o.firstCellMs))} (median). Fresh browser context each, notebook imported with PUT (markdown, code with small outputs, tests).`,
    },
    {
      name: 'typing while streaming: key → character, median',
      duet: ms(median(dom)),
      note: `target: typing never blocked by other cells re-rendering. keydown's timestamp → the character in the editor's DOM (MutationObserver), ${dom.length} keys ${KEY_GAP_MS} ms apart while another cell streams (${rate(t.log)})`,
    },
    {
      name: 'typing while streaming: key → character, p95',
      duet: ms(quantile(dom, 0.95)),
      note: `to the next animation frame after it: median ${ms(median(frame))}, p95 ${ms(quantile(frame, 0.95))}`,
    },
  ];
}

/** Runs the browser benchmark: `duet serve` in this process, a scripted model, Debian's headless Chromium. */
export async function benchBrowser(): Promise<BenchSection> {
  const plans: Plans = new Map();
  const script: Script = (req) => {
    const user = req.messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n');
    for (const [prompt, plan] of plans) if (user.includes(prompt)) return plan();
    return [{ type: 'http-error', status: 500, body: { error: 'the benchmark has no answer for this request' } }];
  };
  const stack = await startBrowserStack(script);
  try {
    const firstLoad = await measureFirstLoad(stack);
    const streaming = await measureStreaming(stack, plans);
    const open = await measureOpen(stack);
    const typing = await measureTyping(stack, plans);
    return {
      title: `Browser: the notebook app in headless Chromium ${stack.browser.version()} (duet serve in this process, kernels in ${stack.sandbox}); no peer measured, targets from the design`,
      rows: [...firstLoadRows(firstLoad), ...rows(streaming, open, typing)],
    };
  } finally {
    await stack.close();
  }
}
