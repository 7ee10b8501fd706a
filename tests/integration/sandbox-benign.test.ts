import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NbOutput } from '@duet/kernel';
import { ReusableKernel, TEST_LIMITS, outputText, sandboxModes } from './sandbox-harness.ts';

/**
 * Ordinary notebook code must keep working inside every sandbox: a sandbox that
 * breaks it is a failure too. One kernel per mode runs every case in turn.
 */

const modes = await sandboxModes();

interface Case {
  name: string;
  code: string;
  /** What the cell prints (a substring of its text output). */
  prints?: string;
  /** A MIME type one of its outputs must carry. */
  mime?: string;
}

const cases: Case[] = [
  {
    name: 'writes, reads, lists and removes files in the workdir',
    code: [
      'import os, json, pathlib, shutil, tempfile',
      'pathlib.Path("data").mkdir(exist_ok=True)',
      'with open("data/numbers.json", "w") as f:',
      '    json.dump(list(range(5)), f)',
      'print(json.load(open("data/numbers.json")), sorted(os.listdir("data")))',
      'os.rename("data/numbers.json", "data/n.json")',
      'shutil.copy("data/n.json", "data/copy.json")',
      'with tempfile.NamedTemporaryFile("w", delete=True) as t:',
      '    t.write("scratch")',
      'shutil.rmtree("data")',
      'print("files ok", os.path.exists("data"))',
    ].join('\n'),
    prints: 'files ok False',
  },
  {
    name: 'uses dataclasses',
    code: 'from dataclasses import dataclass, field\n@dataclass\nclass Point:\n    x: int\n    y: int = 0\n    tags: list = field(default_factory=list)\nprint(Point(1), Point(2, 3) == Point(2, 3))',
    prints: 'Point(x=1, y=0, tags=[]) True',
  },
  { name: 'recurses deeply', code: 'import sys\nsys.setrecursionlimit(5000)\ndef depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)\nprint(depth(3000))', prints: '3000' },
  {
    name: 'runs threads and a thread pool',
    code: [
      'import threading',
      'from concurrent.futures import ThreadPoolExecutor',
      'out = []',
      'lock = threading.Lock()',
      'def work(i):',
      '    with lock:',
      '        out.append(i * i)',
      'ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]',
      '[t.start() for t in ts]; [t.join() for t in ts]',
      'with ThreadPoolExecutor(4) as ex:',
      '    pooled = sum(ex.map(lambda v: v + 1, range(10)))',
      'print(sorted(out), pooled)',
    ].join('\n'),
    prints: '[0, 1, 4, 9, 16, 25, 36, 49] 55',
  },
  { name: 'awaits at top level', code: 'import asyncio\nasync def twice(x):\n    await asyncio.sleep(0.01)\n    return 2 * x\nprint(await asyncio.gather(twice(1), twice(2)))', prints: '[2, 4]' },
  {
    name: 'runs asyncio in a thread of its own',
    code: 'import asyncio, threading\nres = []\nt = threading.Thread(target=lambda: res.append(asyncio.run(asyncio.sleep(0, result="ran"))))\nt.start(); t.join()\nprint(res)',
    prints: "['ran']",
  },
  { name: 'computes with numpy', code: 'import numpy as np\na = np.arange(12).reshape(3, 4)\nprint(int(a.sum()), a.T.shape, float(np.linalg.det(np.eye(3))))', prints: '66 (4, 3) 1.0' },
  {
    name: 'builds and groups a pandas DataFrame',
    code: 'import pandas as pd\ndf = pd.DataFrame({"k": ["a", "b", "a"], "v": [1, 2, 3]})\ndf.to_csv("frame.csv", index=False)\nprint(pd.read_csv("frame.csv").groupby("k")["v"].sum().to_dict())',
    prints: "{'a': 4, 'b': 2}",
  },
  { name: 'shows a pandas DataFrame as HTML', code: 'import pandas as pd\npd.DataFrame({"a": [1, 2]})', mime: 'text/html' },
  {
    name: 'draws a matplotlib plot',
    code: 'import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2, 3], [1, 4, 9])\nax.set_title("squares")\nplt.show()',
    mime: 'image/png',
  },
  { name: 'saves a figure to the workdir', code: 'import matplotlib\nmatplotlib.use("Agg")\nimport matplotlib.pyplot as plt\nplt.figure(); plt.plot([0, 1]); plt.savefig("fig.png")\nimport os\nprint("png", os.path.getsize("fig.png") > 100)', prints: 'png True' },
  { name: 'prints a large dict', code: 'd = {i: str(i) * 3 for i in range(20000)}\nprint(d)', prints: '19999: ' },
  { name: 'asserts, as a test cell does', code: 'def add(a, b):\n    return a + b\nassert add(2, 3) == 5\nassert add(-1, 1) == 0\nprint("tests passed")', prints: 'tests passed' },
  { name: 'uses the standard library widely', code: 'import re, math, itertools, collections, datetime, decimal, fractions, statistics, textwrap, random, hashlib, uuid, zoneinfo\nprint(math.comb(5, 2), statistics.mean([1, 2, 3]), hashlib.sha256(b"x").hexdigest()[:4], datetime.datetime(2020, 1, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")).utcoffset(), uuid.uuid4().version)', prints: '10 2 2d71 1:00:00 4' },
  { name: 'evaluates a literal expression string', code: 'import ast\nprint(eval("1 + 2"), ast.literal_eval("[1, 2]"))', prints: '3 [1, 2]' },
  { name: 'times code with %timeit', code: '%timeit -n 10 -r 1 sum(range(100))', prints: 'loop' },
  { name: 'writes a module with %%writefile and imports it', code: '%%writefile helper_ok.py\ndef greet(name):\n    return f"hi {name}"', prints: 'helper_ok.py' },
  { name: 'imports the module it wrote', code: 'import importlib\nimportlib.invalidate_caches()\nimport helper_ok\nprint(helper_ok.greet("duet"))', prints: 'hi duet' },
  { name: 'catches its own exceptions', code: 'try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    print("caught", type(e).__name__)', prints: 'caught ZeroDivisionError' },
  { name: 'still runs after all that', code: 'print(6 * 7)', prints: '42' },
];

function mimes(outputs: NbOutput[]): string[] {
  return outputs.flatMap((o) => (o.output_type === 'display_data' || o.output_type === 'execute_result' ? Object.keys(o.data) : []));
}

describe.each(modes)('ordinary code under %s', (mode) => {
  const kernel = new ReusableKernel(mode, { ...TEST_LIMITS, memoryBytes: 2 * 1024 ** 3 });
  beforeAll(() => kernel.start());
  afterAll(() => kernel.dispose());

  it.each(cases)('$name', async ({ code, prints, mime }) => {
    const { result, outputs } = await kernel.run(code, 60_000);
    const text = outputText(outputs);
    expect(result.status, text).toBe('ok');
    if (prints) expect(text).toContain(prints);
    if (mime) expect(mimes(outputs)).toContain(mime);
  });
});
