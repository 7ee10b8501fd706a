import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { commandMode } from '../support/e2e-conversation.ts';
import { useE2eHarness } from '../support/e2e-harness.ts';
import { eventually, NotebookPageModel, textNow } from '../support/e2e-page.ts';

const h = useE2eHarness();

/** Adds a code cell at the end, types `source` into it and runs it; the cell, found by its id from then on. */
async function runByHand(nb: NotebookPageModel, source: string): Promise<Locator> {
  const before = await nb.cells('Code cell').count();
  await nb.button('Add code cell').click();
  await eventually(() => nb.cells('Code cell').count()).toBe(before + 1);
  const id = await nb.cells('Code cell').last().getAttribute('data-cell-id');
  const cell = nb.page.locator(`[data-cell-id="${id}"]`);
  await nb.retype(cell, source);
  await nb.page.keyboard.press('Control+Enter');
  return cell;
}

describe('long outputs', () => {
  it('scroll inside a box of bounded height, show all and then less, and fold away one by one or all at once', async () => {
    const nb = new NotebookPageModel(await h.openNotebook('long-outputs'));
    const long = await runByHand(nb, "print('\\n'.join(map(str, range(10000))))");
    const box = long.getByTestId('outputs-box');
    await eventually(() => textNow(box)).toContain('9,750 more lines hidden');
    const short = await runByHand(nb, "print('short and sweet')");
    await eventually(() => textNow(short)).toContain('short and sweet');

    // Ten thousand lines make a box that scrolls, not a page-long cell.
    const size = () => box.evaluate((el) => ({ height: el.clientHeight, content: el.scrollHeight }));
    const bounded = await size();
    expect(bounded.height).toBeLessThan(600);
    expect(bounded.content).toBeGreaterThan(bounded.height * 2);
    expect((await long.boundingBox())?.height).toBeLessThan(900);

    // Show all stays in the box, and Show less stays in sight at its bottom.
    await long.getByRole('button', { name: 'Show all' }).click();
    await eventually(() => textNow(box)).toContain('Showing all 10,000 lines.');
    expect((await size()).height).toBe(bounded.height);
    const less = long.getByRole('button', { name: 'Show less' });
    const [boxRect, lessRect] = [await box.boundingBox(), await less.boundingBox()];
    expect(lessRect && boxRect && lessRect.y + lessRect.height <= boxRect.y + boxRect.height + 1 && lessRect.y >= boxRect.y).toBe(true);
    await less.click();
    await eventually(() => textNow(box)).toContain('9,750 more lines hidden');

    // The box can be let out to full height, and back.
    await long.getByRole('button', { name: 'Show at full height' }).click();
    await eventually(async () => (await size()).height).toBeGreaterThan(2_000);
    await long.getByRole('button', { name: 'Scroll in a box' }).click();
    await eventually(async () => (await size()).height).toBe(bounded.height);

    // Folded one by one: from the strip beside the output, or with O in command mode.
    await long.getByRole('button', { name: 'Collapse output' }).click();
    await eventually(() => textNow(long.locator('.outputs'))).toContain('1 output hidden');
    expect(await box.count()).toBe(0);
    await long.getByRole('button', { name: 'Expand output' }).click();
    await eventually(() => box.count()).toBe(1);
    await commandMode(nb.page, short);
    await nb.page.keyboard.press('o');
    await eventually(() => short.getByRole('button', { name: 'Expand output' }).count()).toBe(1);
    await nb.page.keyboard.press('o');
    await eventually(() => textNow(short.getByTestId('outputs-box'))).toContain('short and sweet');

    // And all at once.
    await nb.button('Collapse all outputs').click();
    await eventually(() => nb.page.getByRole('button', { name: 'Expand output' }).count()).toBe(2);
    await nb.button('Expand all outputs').click();
    await eventually(() => nb.page.getByRole('button', { name: 'Expand output' }).count()).toBe(0);
    expect(await textNow(short)).toContain('short and sweet');
  });
});

describe('a kernel that dies', () => {
  it('has one banner at a time while it dies and restarts, and none once a cell runs fine again', async () => {
    const nb = new NotebookPageModel(await h.openNotebook('kernel-death'));
    await nb.page.locator('.banners').evaluate((el) => {
      const most = { count: 0, texts: [] as string[] };
      (window as unknown as { __banners: typeof most }).__banners = most;
      new MutationObserver(() => {
        const banners = Array.from(el.querySelectorAll('.banner')).map((b) => (b.textContent ?? '').trim());
        if (banners.length > most.count) {
          most.count = banners.length;
          most.texts = banners;
        }
      }).observe(el, { subtree: true, childList: true, characterData: true });
    });

    const crash = await runByHand(nb, 'import os\nos._exit(1)');
    await eventually(() => textNow(crash)).toContain('KernelDied');
    await eventually(() => textNow(nb.kernel)).toBe('Kernel idle');
    const fine = await runByHand(nb, "print('alive again')");
    await eventually(() => textNow(fine)).toContain('alive again');

    await eventually(() => nb.page.locator('.banner').count()).toBe(0);
    const most = await nb.page.evaluate(() => (window as unknown as { __banners: { count: number; texts: string[] } }).__banners);
    // One banner said what happened to the kernel, and no second one contradicted it.
    expect(most.count, `banners shown at once: ${most.texts.join(' | ')}`).toBe(1);
    expect(most.texts[0]).toMatch(/kernel/i);
  });
});
