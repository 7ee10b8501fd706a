import { describe, expect, it } from 'vitest';
import { NotebookDocument, fromIpynb, serializeNotebook } from '@duet/server';

/** A notebook with one code cell whose output is `text`. */
function withOutput(text: string): NotebookDocument {
  const doc = new NotebookDocument('long');
  doc.addCell({ cellType: 'code', source: 'print(...)', duet: { role: 'code', model: null, turn: 0 }, executionCount: 1, outputs: [{ output_type: 'stream', name: 'stdout', text }] });
  return doc;
}

type Saved = { cells: { outputs: { text: string | string[] }[] }[] };

describe('long output text in the notebook file', () => {
  it('is written as one string when it has very many lines, so the file stays about the size of the text', () => {
    const text = '\n'.repeat(500_000);
    const file = serializeNotebook(withOutput(text));

    expect(typeof (JSON.parse(file) as Saved).cells[0]?.outputs[0]?.text).toBe('string');
    expect(file.length).toBeLessThan(text.length * 2 + 2_000);
    expect(fromIpynb('long', JSON.parse(file)).cells[0]?.outputs[0]).toEqual({ output_type: 'stream', name: 'stdout', text });
  });

  it('keeps the usual list of lines for ordinary output', () => {
    const text = 'one\ntwo\n';
    expect((JSON.parse(serializeNotebook(withOutput(text))) as Saved).cells[0]?.outputs[0]?.text).toEqual(['one\n', 'two\n']);
  });
});
