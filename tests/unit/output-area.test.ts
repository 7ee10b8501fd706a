import { describe, expect, it } from 'vitest';
import { NotebookDocument } from '@duet/server';
import { OutputArea, type DisplayDataOutput, type ExecuteEvent, type NbOutput } from '@duet/kernel';

const out = (output: NbOutput): ExecuteEvent => ({ kind: 'output', output });
const stdout = (text: string): ExecuteEvent => out({ output_type: 'stream', name: 'stdout', text });
const stderr = (text: string): ExecuteEvent => out({ output_type: 'stream', name: 'stderr', text });
const clear = (wait: boolean): ExecuteEvent => ({ kind: 'clear_output', wait });
const display = (text: string, displayId?: string): DisplayDataOutput => ({
  output_type: 'display_data',
  data: { 'text/plain': text },
  metadata: {},
  ...(displayId ? { transient: { display_id: displayId } } : {}),
});
const update = (text: string, displayId: string): ExecuteEvent => ({ kind: 'update_display', displayId, output: display(text) });
const result = (text: string): NbOutput => ({ output_type: 'execute_result', execution_count: 1, data: { 'text/plain': text }, metadata: {} });

interface Case {
  name: string;
  events: ExecuteEvent[];
  expected: NbOutput[];
}

const cases: Case[] = [
  { name: 'no events leave no outputs', events: [], expected: [] },
  {
    name: 'consecutive stdout chunks merge into one output',
    events: [stdout('a'), stdout('b\n'), stdout('c\n')],
    expected: [{ output_type: 'stream', name: 'stdout', text: 'ab\nc\n' }],
  },
  {
    name: 'stdout and stderr in turn stay apart, in order',
    events: [stdout('1'), stderr('2'), stdout('3'), stdout('4')],
    expected: [
      { output_type: 'stream', name: 'stdout', text: '1' },
      { output_type: 'stream', name: 'stderr', text: '2' },
      { output_type: 'stream', name: 'stdout', text: '34' },
    ],
  },
  {
    name: 'a display between two prints keeps the prints apart',
    events: [stdout('before\n'), out(display('x')), stdout('after\n')],
    expected: [{ output_type: 'stream', name: 'stdout', text: 'before\n' }, display('x'), { output_type: 'stream', name: 'stdout', text: 'after\n' }],
  },
  {
    name: 'clear_output without wait clears at once',
    events: [stdout('gone\n'), out(display('gone too')), clear(false), stdout('kept\n')],
    expected: [{ output_type: 'stream', name: 'stdout', text: 'kept\n' }],
  },
  {
    name: 'clear_output without wait and nothing after leaves nothing',
    events: [stdout('gone\n'), clear(false)],
    expected: [],
  },
  {
    name: 'clear_output(wait) keeps the old outputs until the next one arrives',
    events: [stdout('old\n'), clear(true)],
    expected: [{ output_type: 'stream', name: 'stdout', text: 'old\n' }],
  },
  {
    name: 'clear_output(wait) then an output replaces the old outputs with the new one',
    events: [stdout('frame 1\n'), clear(true), stdout('frame 2\n')],
    expected: [{ output_type: 'stream', name: 'stdout', text: 'frame 2\n' }],
  },
  {
    name: 'clear_output(wait) twice before an output clears once',
    events: [stdout('a'), clear(true), clear(true), out(result('r'))],
    expected: [result('r')],
  },
  {
    name: 'an update replaces every display with that id, in place',
    events: [out(display('v1', 'd1')), stdout('between\n'), out(display('v1 again', 'd1')), update('v2', 'd1')],
    expected: [display('v2', 'd1'), { output_type: 'stream', name: 'stdout', text: 'between\n' }, display('v2', 'd1')],
  },
  {
    name: 'an update for an unknown id changes nothing',
    events: [out(display('v1', 'd1')), update('v2', 'nope')],
    expected: [display('v1', 'd1')],
  },
  {
    name: 'an update does not trigger a pending clear',
    events: [out(display('v1', 'd1')), clear(true), update('v2', 'd1')],
    expected: [display('v2', 'd1')],
  },
];

describe('OutputArea', () => {
  it.each(cases)('$name', ({ events, expected }) => {
    const area = new OutputArea();
    for (const e of events) area.apply(e);
    expect(area.outputs).toEqual(expected);
    expect(area.truncated).toBe(false);
  });

  it('says whether an event changed the outputs', () => {
    const area = new OutputArea();
    expect(area.apply(stdout('a'))).toBe(true);
    expect(area.apply(clear(true))).toBe(false);
    expect(area.apply(update('x', 'missing'))).toBe(false);
    expect(area.apply(clear(false))).toBe(true);
  });

  describe('byte budget', () => {
    const BUDGET = 2048;
    /** What an empty stdout stream costs, so a test can fill the budget to the byte. */
    const STREAM = OutputArea.bytesOf({ output_type: 'stream', name: 'stdout', text: '' });
    const notes = (area: OutputArea): NbOutput[] => area.outputs.filter((o) => o.output_type === 'error' && o.ename === 'OutputLimit');

    it('keeps stream text up to the budget, cuts it there and adds an error that says so', () => {
      const area = new OutputArea(BUDGET);
      area.apply(stdout('a'.repeat(1500)));
      area.apply(stdout('b'.repeat(1500)));

      expect(area.truncated).toBe(true);
      expect(area.limitHit).toEqual({ reason: 'cell', limitBytes: BUDGET });
      const [kept, note, ...rest] = area.outputs;
      expect(rest).toEqual([]);
      expect(kept).toEqual({ output_type: 'stream', name: 'stdout', text: 'a'.repeat(1500) + 'b'.repeat(BUDGET - STREAM - 1500) });
      expect(note).toMatchObject({ output_type: 'error', ename: 'OutputLimit' });
      expect(note?.output_type === 'error' && note.evalue).toContain('output cut at 2 KB');
    });

    it('counts output that fits exactly as within the budget', () => {
      const area = new OutputArea(BUDGET);
      area.apply(stdout('a'.repeat(BUDGET - STREAM)));
      expect(area.truncated).toBe(false);
      expect(area.used).toBe(BUDGET);
    });

    it('drops everything after the cut, whatever its kind, display updates too', () => {
      const area = new OutputArea(BUDGET);
      area.apply(out(display('v1', 'd1')));
      area.apply(stdout('a'.repeat(BUDGET)));
      const afterCut = structuredClone(area.outputs);

      expect(area.apply(stdout('more'))).toBe(false);
      expect(area.apply(out(display('more')))).toBe(false);
      expect(area.apply(out(result('more')))).toBe(false);
      expect(area.apply(update('v2', 'd1'))).toBe(false);
      expect(area.outputs).toEqual(afterCut);
    });

    it('does not cut a rich output in half: it is dropped whole and the note says so', () => {
      const area = new OutputArea(BUDGET);
      area.apply(stdout('small\n'));
      area.apply(out(display('x'.repeat(BUDGET))));

      expect(area.outputs.map((o) => o.output_type)).toEqual(['stream', 'error']);
      expect(area.outputs[0]).toEqual({ output_type: 'stream', name: 'stdout', text: 'small\n' });
      expect(notes(area)).toHaveLength(1);
    });

    it('starts a fresh budget after a clear', () => {
      const area = new OutputArea(BUDGET);
      area.apply(stdout('a'.repeat(BUDGET * 2)));
      area.apply(clear(false));
      area.apply(stdout('fresh\n'));

      expect(area.truncated).toBe(false);
      expect(area.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'fresh\n' }]);
    });

    interface Kept {
      name: string;
      output: NbOutput;
    }
    // Every field the document keeps counts, not only `data`.
    const big = 'x'.repeat(BUDGET);
    const everyField: Kept[] = [
      { name: 'metadata of a tiny display', output: { output_type: 'display_data', data: { 'text/plain': 'ok' }, metadata: { junk: big } } },
      { name: 'metadata of an execute result', output: { output_type: 'execute_result', execution_count: 1, data: { 'text/plain': 'ok' }, metadata: { junk: big } } },
      { name: 'a display id', output: { output_type: 'display_data', data: { 'text/plain': 'ok' }, metadata: {}, transient: { display_id: big } } },
      { name: 'a traceback', output: { output_type: 'error', ename: 'E', evalue: 'v', traceback: [big] } },
      { name: 'an exception value', output: { output_type: 'error', ename: 'E', evalue: big, traceback: [] } },
      { name: 'JSON data, by its members', output: { output_type: 'display_data', data: { 'application/json': Array.from({ length: BUDGET }, () => 0) }, metadata: {} } },
    ];
    it.each(everyField)('counts $name against the budget', ({ output }) => {
      const area = new OutputArea(BUDGET);
      area.apply(out(output));
      expect(area.truncated).toBe(true);
      expect(area.outputs.map((o) => o.output_type)).toEqual(['error']);
      expect(area.used).toBeLessThan(BUDGET);
    });

    it('counts a display update against the budget: a larger update is refused and the cell told why', () => {
      const area = new OutputArea(BUDGET);
      area.apply(out(display('small', 'd1')));
      expect(area.apply(update('y'.repeat(BUDGET), 'd1'))).toBe(true);

      expect(area.truncated).toBe(true);
      expect(area.outputs[0]).toEqual(display('small', 'd1'));
      expect(notes(area)).toHaveLength(1);
    });

    it('counts the metadata an update carries', () => {
      const area = new OutputArea(BUDGET);
      area.apply(out(display('small', 'd1')));
      area.apply({ kind: 'update_display', displayId: 'd1', output: { output_type: 'display_data', data: { 'text/plain': 'tiny' }, metadata: { junk: big } } });
      expect(area.truncated).toBe(true);
      expect(area.used).toBeLessThan(BUDGET);
    });

    it('counts every copy an update makes when many displays share its id', () => {
      const area = new OutputArea(BUDGET);
      for (let i = 0; i < 4; i++) area.apply(out(display('.', 'shared')));
      expect(area.truncated).toBe(false);
      // One copy would fit; four do not.
      area.apply(update('z'.repeat(BUDGET / 3), 'shared'));

      expect(area.truncated).toBe(true);
      expect(area.used).toBeLessThan(BUDGET);
      expect(area.outputs.filter((o) => o.output_type === 'display_data' && o.data['text/plain'] === '.')).toHaveLength(4);
    });

    it('lets a display be updated in a loop for ever when each update fits: updates replace, they do not add up', () => {
      const area = new OutputArea(BUDGET);
      area.apply(out(display('frame 0', 'bar')));
      for (let i = 1; i <= 1000; i++) area.apply(update(`frame ${i} ${'#'.repeat(BUDGET / 2)}`, 'bar'));

      expect(area.truncated).toBe(false);
      expect(area.outputs).toHaveLength(1);
      expect(area.used).toBeLessThanOrEqual(BUDGET);
    });

    it('refuses JSON nested too deep to write, however small', () => {
      let deep: unknown = 0;
      for (let i = 0; i < 10_000; i++) deep = [deep];
      // A budget its indentation would not exhaust first.
      const area = new OutputArea(1024 * 1024);
      area.apply(out({ output_type: 'display_data', data: { 'application/json': deep }, metadata: {} }));

      expect(area.limitHit?.reason).toBe('nesting');
      expect(area.outputs.map((o) => o.output_type)).toEqual(['error']);
    });

    it('takes no more than the room a larger whole gives it, and says which bound it hit', () => {
      let room = 500;
      const area = new OutputArea({ budget: BUDGET, room: () => room });
      area.apply(stdout('a'.repeat(300)));
      room -= area.used;
      area.apply(stdout('b'.repeat(300)));

      expect(area.limitHit?.reason).toBe('shared');
      expect(area.outputs[0]).toMatchObject({ output_type: 'stream', text: expect.stringMatching(/^a{300}b+$/) });
      expect(area.used - OutputArea.bytesOf(area.outputs[1] as NbOutput)).toBeLessThanOrEqual(500);
    });

    it('phrases the note as the caller asks', () => {
      const area = new OutputArea({ budget: BUDGET, note: (hit) => ({ output_type: 'error', ename: 'Mine', evalue: `${hit.reason} ${hit.limitBytes}`, traceback: [] }) });
      area.apply(stdout(big));
      expect(area.outputs[1]).toEqual({ output_type: 'error', ename: 'Mine', evalue: `cell ${BUDGET}`, traceback: [] });
    });

    it("keeps the caller's own error past the budget, and removes what the caller picks", () => {
      const area = new OutputArea(BUDGET);
      area.apply(stdout(big));
      area.apply(out({ output_type: 'error', ename: 'KeyboardInterrupt', evalue: '', traceback: [] }));
      area.appendNote({ output_type: 'error', ename: 'CellTimeout', evalue: 'too long', traceback: [] });
      area.removeWhere((o) => o.output_type === 'error' && o.ename === 'KeyboardInterrupt');

      expect(area.outputs.map((o) => (o.output_type === 'error' ? o.ename : o.output_type))).toEqual(['stream', 'OutputLimit', 'CellTimeout']);
      expect(area.used).toBe(area.outputs.reduce((n, o) => n + OutputArea.bytesOf(o), 0));
    });
  });

  describe('how output is measured', () => {
    interface Measure {
      name: string;
      text: string;
      bytes: number;
    }
    const measures: Measure[] = [
      { name: 'ASCII, a byte a character', text: 'abc', bytes: 3 },
      { name: 'a line break, one byte', text: 'a\nb\n', bytes: 4 },
      { name: 'two-byte UTF-8', text: 'é§', bytes: 4 },
      { name: 'three-byte UTF-8', text: '€', bytes: 3 },
      { name: 'a surrogate pair, as the four bytes of its UTF-8', text: '😀', bytes: 4 },
      { name: 'a lone surrogate, as three bytes', text: '\ud800', bytes: 3 },
      { name: 'a tab, as its escape', text: '\t', bytes: 2 },
      { name: 'a control character, as its \\u00XX escape', text: '\u001b', bytes: 6 },
    ];
    it.each(measures)('$name', ({ text, bytes }) => {
      expect(OutputArea.textBytes(text)).toBe(bytes);
    });

    it('never counts two pieces as less than the whole', () => {
      const whole = 'ab\n😀cd\n';
      for (let i = 0; i <= whole.length; i++) {
        expect(OutputArea.textBytes(whole.slice(0, i)) + OutputArea.textBytes(whole.slice(i))).toBeGreaterThanOrEqual(OutputArea.textBytes(whole));
      }
    });

    it('counts structure as well as text: a list of empty objects costs more than its JSON', () => {
      const empties: NbOutput = { output_type: 'display_data', data: { 'application/json': Array.from({ length: 1000 }, () => ({})) }, metadata: {} };
      expect(OutputArea.bytesOf(empties)).toBeGreaterThan(Buffer.byteLength(JSON.stringify(empties)) * 5);
    });

    it('keeps 300,000 numbered lines of print, about 2 MB of text, within one cell', () => {
      const area = new OutputArea();
      area.apply(stdout(`${Array.from({ length: 300_000 }, (_, i) => String(i)).join('\n')}\n`));
      expect(area.truncated).toBe(false);
    });
  });
});

describe('the document beside the output area', () => {
  it('keeps a list of its own: the area changing after the cell leaves the document as its events said', () => {
    const doc = new NotebookDocument('own');
    const cell = doc.addCell({ cellType: 'code', source: 'print(1)', duet: { role: 'code', model: null, turn: 0 } });
    const area = doc.outputArea();
    const events: string[] = [];
    doc.on((e) => events.push(e.type));
    doc.applyExecuteEvent(cell.id, area, { kind: 'output', output: { output_type: 'stream', name: 'stdout', text: 'a' } });
    doc.applyExecuteEvent(cell.id, area, { kind: 'output', output: { output_type: 'stream', name: 'stdout', text: 'b' } });
    doc.applyExecuteEvent(cell.id, area, { kind: 'output', output: { output_type: 'stream', name: 'stderr', text: 'c' } });
    expect(doc.cell(cell.id)?.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'ab' },
      { output_type: 'stream', name: 'stderr', text: 'c' },
    ]);
    expect(events).toEqual(['output-appended', 'output-appended', 'output-appended']);
    expect(doc.cell(cell.id)?.outputs).not.toBe(area.outputs);
    area.removeWhere(() => true);
    expect(doc.cell(cell.id)?.outputs).toHaveLength(2);
    doc.applyExecuteEvent(cell.id, area, { kind: 'clear_output', wait: false });
    expect(events.at(-1)).toBe('outputs-set');
    expect(doc.cell(cell.id)?.outputs).toEqual([]);
  });
});
