import { describe, expect, it } from 'vitest';
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

    it('keeps output up to the budget, cuts the stream there and adds a note', () => {
      const area = new OutputArea(BUDGET);
      area.apply(stdout('a'.repeat(1500)));
      area.apply(stdout('b'.repeat(1500)));

      expect(area.truncated).toBe(true);
      const [kept, note, ...rest] = area.outputs;
      expect(rest).toEqual([]);
      expect(kept).toEqual({ output_type: 'stream', name: 'stdout', text: 'a'.repeat(1500) + 'b'.repeat(BUDGET - 1500) });
      expect(note).toMatchObject({ output_type: 'stream', name: 'stderr' });
      expect(note?.output_type === 'stream' && note.text).toContain('output cut at 2 KB');
    });

    it('drops everything after the cut, whatever its kind', () => {
      const area = new OutputArea(BUDGET);
      area.apply(stdout('a'.repeat(BUDGET + 1)));
      const afterCut = structuredClone(area.outputs);

      expect(area.apply(stdout('more'))).toBe(false);
      expect(area.apply(out(display('more')))).toBe(false);
      expect(area.apply(out(result('more')))).toBe(false);
      expect(area.outputs).toEqual(afterCut);
    });

    it('does not cut a rich output in half: it is dropped whole and the note says so', () => {
      const area = new OutputArea(BUDGET);
      area.apply(stdout('small\n'));
      area.apply(out(display('x'.repeat(BUDGET))));

      expect(area.truncated).toBe(true);
      expect(area.outputs.map((o) => o.output_type)).toEqual(['stream', 'stream']);
      expect(area.outputs[0]).toEqual({ output_type: 'stream', name: 'stdout', text: 'small\n' });
      expect(area.outputs[1]?.output_type === 'stream' && area.outputs[1].text).toContain('output cut');
    });

    it('merges the note into a stderr stream that was cut', () => {
      const area = new OutputArea(BUDGET);
      area.apply(stderr('e'.repeat(BUDGET * 2)));

      expect(area.outputs).toHaveLength(1);
      const only = area.outputs[0];
      expect(only?.output_type === 'stream' && only.text.startsWith('e'.repeat(BUDGET) + '\n[Duet: output cut')).toBe(true);
    });

    it('starts a fresh budget after a clear', () => {
      const area = new OutputArea(BUDGET);
      area.apply(stdout('a'.repeat(BUDGET * 2)));
      area.apply(clear(false));
      area.apply(stdout('fresh\n'));

      expect(area.truncated).toBe(false);
      expect(area.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'fresh\n' }]);
    });

    it('counts output that fits exactly as within the budget', () => {
      const area = new OutputArea(BUDGET);
      area.apply(stdout('a'.repeat(BUDGET)));
      expect(area.truncated).toBe(false);
      expect(area.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'a'.repeat(BUDGET) }]);
    });
  });
});
