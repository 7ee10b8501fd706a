/**
 * What the browser benchmark measures inside the page, as plain JavaScript
 * source: tsx rewrites named functions in TypeScript to call a `__name` helper
 * that does not exist in the page, so these are handed to Chromium as text.
 * Each keeps its findings on `window.__benchProbe`.
 */

/** A main-thread task of 50 ms or more, as the Long Tasks API reports it (times in the page's `performance.now()`). */
export interface LongTask {
  start: number;
  duration: number;
}

/** One keypress: keydown's timestamp to the character in the editor's DOM, and to the next animation frame after it. */
export interface KeySample {
  domMs: number;
  frameMs: number;
}

/** What the probes found; each field is there only when its probe was installed. */
export interface ProbeFindings {
  longTasks?: LongTask[];
  /** Every animation frame's timestamp. */
  frames?: number[];
  /** When the first frame with one, and with the wanted number of, `[data-cell-id]` elements in the DOM had been drawn. */
  firstCellAt?: number | null;
  allCellsAt?: number | null;
  keys?: KeySample[];
  /** When the first frame with the prompt box in the DOM and enabled had been drawn. */
  usableAt?: number | null;
}

const PROBE = 'window.__benchProbe = window.__benchProbe || {};';

/**
 * `drawn(fn)`, called in an animation frame callback, calls `fn` with the time once
 * that frame's style, layout and paint are done: animation frame callbacks run before
 * them, and a task posted from one runs after them. What a person sees is the drawn
 * frame, not the DOM the callback found.
 */
const DRAWN = `const drawn = (fn) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => fn(performance.now());
    channel.port2.postMessage(null);
  };`;

/** Init script: records every long task from the document's start. */
export const LONG_TASKS = `${PROBE}
(() => {
  const found = (window.__benchProbe.longTasks = []);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) found.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
})();`;

/** Init script: records every animation frame's timestamp. */
export const FRAMES = `${PROBE}
(() => {
  const frames = (window.__benchProbe.frames = []);
  const tick = (t) => {
    frames.push(t);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

/** Init script: notes when the first frame with one cell, and with `count` cells, in the DOM had been drawn. */
export function cellsRendered(count: number): string {
  return `${PROBE}
(() => {
  ${DRAWN}
  const probe = window.__benchProbe;
  probe.firstCellAt = null;
  probe.allCellsAt = null;
  let first = false;
  const tick = () => {
    const n = document.querySelectorAll('[data-cell-id]').length;
    if (n > 0 && !first) {
      first = true;
      drawn((t) => (probe.firstCellAt = t));
    }
    if (n >= ${count}) drawn((t) => (probe.allCellsAt = t));
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;
}

/**
 * Expression run in a loaded page: watches the editor `selector` names; for each
 * printable keydown, records the time until the editor's text grows by it and
 * until the animation frame after that.
 */
export function keyLatency(selector: string): string {
  return `${PROBE}
(() => {
  const editor = document.querySelector(${JSON.stringify(selector)});
  if (!editor) throw new Error('no element matches ' + ${JSON.stringify(selector)});
  const keys = (window.__benchProbe.keys = []);
  const pending = [];
  let length = editor.textContent.length;
  window.addEventListener('keydown', (e) => {
    if (e.key.length === 1) pending.push(e.timeStamp);
  }, true);
  new MutationObserver(() => {
    const now = editor.textContent.length;
    if (now <= length) return;
    length = now;
    const down = pending.shift();
    if (down === undefined) return;
    const sample = { domMs: performance.now() - down, frameMs: NaN };
    requestAnimationFrame(() => {
      sample.frameMs = performance.now() - down;
      keys.push(sample);
    });
  }).observe(editor, { subtree: true, childList: true, characterData: true });
})();`;
}

/** Init script: notes when the first frame with the prompt box there and enabled (the page can take a request) had been drawn. */
export const PAGE_USABLE = `${PROBE}
(() => {
  ${DRAWN}
  const probe = window.__benchProbe;
  probe.usableAt = null;
  const tick = () => {
    const prompt = document.querySelector('textarea[aria-label="Prompt"]');
    if (prompt && !prompt.disabled) drawn((t) => (probe.usableAt = t));
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

/** Expression reading the probes' findings. */
export const FINDINGS = 'window.__benchProbe || {}';
