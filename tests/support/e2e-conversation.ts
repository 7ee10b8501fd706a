/**
 * Helpers for browser tests of the notebook as a conversation: the server's
 * API beside the page (the notebook file, the list), answers written as a model
 * writes them, cells selected for command-mode keys, and what every text on the
 * page measures for contrast.
 */
import type { Locator, Page } from 'playwright-core';
import type { DuetNotebookMeta } from '@duet/server/protocol';
import type { E2eHarness } from './e2e-harness.ts';
import { eventually } from './e2e-page.ts';

/** Calls the server's HTTP API with the access token, as a script or another tab would. */
export function callApi(h: E2eHarness, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:${h.server.port}${path}`, {
    method,
    headers: { Authorization: `token ${h.server.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
}

/** `metadata.duet` of the notebook as the server hands out its file. */
export async function notebookMeta(h: E2eHarness, name: string): Promise<DuetNotebookMeta> {
  const response = await callApi(h, 'GET', `/api/notebooks/${encodeURIComponent(name)}`);
  if (!response.ok) throw new Error(`GET ${name} answered ${response.status}: ${await response.text()}`);
  const ipynb = (await response.json()) as { metadata: { duet: DuetNotebookMeta } };
  return ipynb.metadata.duet;
}

/** The notebooks `GET /api/notebooks` says are running. */
export async function runningNotebooks(h: E2eHarness): Promise<string[]> {
  const list = (await (await callApi(h, 'GET', '/api/notebooks')).json()) as { name: string; running: boolean }[];
  return list.filter((n) => n.running).map((n) => n.name);
}

/** An answer with prose, one RUN-CODE block and a TEST-ASSERT block per test, as a model marks them. */
export function marked(o: { prose?: string; code?: string; tests?: string[] }): string {
  const parts = [o.prose ?? 'Here is my attempt.'];
  if (o.code !== undefined) parts.push(`RUN-CODE\n\`\`\`python\n${o.code}\n\`\`\``);
  for (const t of o.tests ?? []) parts.push(`TEST-ASSERT\n\`\`\`python\n${t}\n\`\`\``);
  return `${parts.join('\n\n')}\n`;
}

/**
 * Puts the page in command mode on `cell`, as a click in its left margin does,
 * so the next keys are Jupyter's cell commands.
 */
export async function commandMode(page: Page, cell: Locator): Promise<void> {
  await cell.scrollIntoViewIfNeeded();
  await cell.click({ position: { x: 8, y: 8 } });
  await eventually(() => cell.evaluate((el) => document.activeElement === el)).toBe(true);
}

/** The source texts of the cells of one kind, in order, as their editors or renderings show them. */
export async function sources(cells: Locator): Promise<string[]> {
  return cells.evaluateAll((els) =>
    els.map((el) => {
      const text = el.querySelector('.cm-content, .editor-placeholder, .markdown, .prompt-text');
      return (text instanceof HTMLElement ? text.innerText : '').trim();
    }),
  );
}

/** One text on the page whose contrast is below what it needs. */
export interface ContrastFailure {
  text: string;
  where: string;
  color: string;
  background: string;
  ratio: number;
}

/**
 * Measures every visible text on the page against the background it is drawn
 * on, from computed styles: colours with transparency and the opacity of the
 * element and its ancestors are blended over the backgrounds below them.
 * Disabled controls are left out (WCAG exempts inactive components), as are
 * texts hidden from everyone. Placeholders are measured too.
 */
export function contrastFailures(page: Page, minimum = 4.5): Promise<ContrastFailure[]> {
  return page.evaluate((min) => {
    type Rgba = [number, number, number, number];
    const parse = (value: string): Rgba | null => {
      const m = /^rgba?\(([^)]+)\)$/.exec(value.trim());
      if (m?.[1]) {
        const parts = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
        return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 1];
      }
      const c = /^color\(srgb ([^)]+)\)$/.exec(value.trim());
      if (c?.[1]) {
        const parts = c[1].split(/[\s/]+/).filter(Boolean).map(Number);
        return [(parts[0] ?? 0) * 255, (parts[1] ?? 0) * 255, (parts[2] ?? 0) * 255, parts[3] ?? 1];
      }
      return null;
    };
    const over = (top: Rgba, below: Rgba): Rgba => {
      const a = top[3];
      return [top[0] * a + below[0] * (1 - a), top[1] * a + below[1] * (1 - a), top[2] * a + below[2] * (1 - a), 1];
    };
    const luminance = ([r, g, b]: Rgba): number => {
      const f = (v: number): number => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a: Rgba, b: Rgba): number => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
      return (hi + 0.05) / (lo + 0.05);
    };
    /** The background an element's text is drawn on: every background below it, blended. */
    const backgroundOf = (el: Element): Rgba => {
      const layers: Rgba[] = [];
      for (let node: Element | null = el; node; node = node.parentElement) {
        const bg = parse(getComputedStyle(node).backgroundColor);
        if (bg && bg[3] > 0) {
          layers.push(bg);
          if (bg[3] >= 1) break;
        }
      }
      let result: Rgba = [255, 255, 255, 1];
      for (const layer of layers.reverse()) result = over(layer, result);
      return result;
    };
    const opacityOf = (el: Element): number => {
      let o = 1;
      for (let node: Element | null = el; node; node = node.parentElement) o *= Number(getComputedStyle(node).opacity);
      return o;
    };
    const describe = (el: Element): string => {
      const path: string[] = [];
      for (let node: Element | null = el; node && path.length < 4; node = node.parentElement) {
        path.unshift(`${node.tagName.toLowerCase()}${node.className && typeof node.className === 'string' ? `.${node.className.trim().split(/\s+/).join('.')}` : ''}`);
      }
      return path.join(' > ');
    };
    const exempt = (el: Element): boolean =>
      el.closest(':disabled, [aria-disabled="true"], [aria-hidden="true"], .visually-hidden') !== null || !el.checkVisibility({ checkOpacity: false, checkVisibilityCSS: true });

    const failures: ContrastFailure[] = [];
    const check = (el: Element, text: string, color: string): void => {
      const fg = parse(color);
      if (!fg) return;
      const background = backgroundOf(el);
      const shown = over([fg[0], fg[1], fg[2], fg[3] * opacityOf(el)], background);
      const r = ratio(shown, background);
      if (r < min) failures.push({ text: text.slice(0, 60), where: describe(el), color, background: `rgb(${background.slice(0, 3).map(Math.round).join(', ')})`, ratio: Math.round(r * 100) / 100 });
    };
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      if (exempt(el)) continue;
      const own = Array.from(el.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? '').join('').trim();
      if (own !== '') check(el, own, getComputedStyle(el).color);
      if (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement || el instanceof HTMLSelectElement) {
        const value = el instanceof HTMLSelectElement ? (el.selectedOptions[0]?.text ?? '') : el.value;
        if (value.trim() !== '') check(el, value, getComputedStyle(el).color);
        if (!(el instanceof HTMLSelectElement) && el.value === '' && el.placeholder) check(el, el.placeholder, getComputedStyle(el, '::placeholder').color);
      }
    }
    return failures;
  }, minimum);
}
