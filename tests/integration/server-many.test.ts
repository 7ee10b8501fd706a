import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NotebookSnapshot } from '@duet/server/protocol';
import { startTestServer } from '../support/duet-server.ts';
import { answer, chunked, startModels } from '../support/model-answers.ts';

const COUNT = 8;

/** Each notebook asks about its own number; the answer works only with that number. */
function answerFor(prompt: string): string {
  const n = /notebook (\d+)/.exec(prompt)?.[1] ?? 'unknown';
  return answer({
    prose: `Working on notebook ${n}.`,
    code: `import os\nvalue = ${n}\nopen("mark.txt", "w").write(f"notebook {value}")\nprint(f"notebook {value} in {os.getcwd()}")`,
    tests: [`assert value == ${n}`, `assert value * 2 == ${Number(n) * 2}`],
  });
}

describe('many notebooks at once', () => {
  it(`runs ${COUNT} notebooks side by side, each in its own kernel and folder, with no cross-talk`, async () => {
    const models = await startModels(chunked(answerFor, 4));
    const t = await startTestServer({ config: { baseUrl: models.baseUrl } });
    const names = Array.from({ length: COUNT }, (_, i) => `nb-${i}`);
    for (const name of names) expect((await t.api('POST', '/api/notebooks', { body: { name } })).status).toBe(201);
    const clients = await Promise.all(names.map((name) => t.connect(name)));

    clients.forEach((c, i) => c.send({ type: 'start-run', prompt: `Set up notebook ${i}.`, modelA: 'model-a', modelB: 'model-b' }));
    await Promise.all(clients.map((c) => c.until((nb: NotebookSnapshot) => nb.run.halted !== null && !nb.run.active)));

    for (const [i, c] of clients.entries()) {
      expect(c.nb.run.halted, names[i]).toBe('tests-passed');
      const text = c.nb.cells.flatMap((cell) => [cell.source, ...cell.outputs.map((o) => (o.output_type === 'stream' ? o.text : ''))]).join('\n');
      for (let other = 0; other < COUNT; other++) if (other !== i) expect(text).not.toMatch(new RegExp(`notebook ${other}\\b`));
      expect(/notebook (\d+) in /.exec(text)?.[1]).toBe(String(i));
      expect(await readFile(join(t.dir, `nb-${i}.files`, 'mark.txt'), 'utf8')).toBe(`notebook ${i}`);
      expect(c.protocolFaults).toEqual([]);
    }
    for (const ex of models.exchanges) {
      const numbers = new Set(ex.request.messages.flatMap((m) => [...m.content.matchAll(/notebook (\d+)/g)].map((x) => x[1])));
      expect(numbers.size).toBe(1);
    }
  });
});
