import { describe, expect, it } from 'vitest';
import { splitText, type CellSplitterOptions, type SplitCell } from '@duet/server';
import { chunkings, codeCell, feedPieces, md, proseCell, reasoningCell, testCell } from './splitter-harness.ts';

interface Case {
  name: string;
  input: string;
  expected: SplitCell[];
  options?: CellSplitterOptions;
}

const cases: Case[] = [
  // ── plain answers ──
  { name: 'an empty answer gives no cells', input: '', expected: [] },
  { name: 'an answer of blank lines gives no cells', input: '\n  \n\t\n\n', expected: [] },
  {
    name: 'prose alone is one prose cell',
    input: md`
Here is the plan.

First we read the file, then we count.
`,
    expected: [proseCell('Here is the plan.\n\nFirst we read the file, then we count.')],
  },
  {
    name: 'prose is trimmed of leading and trailing blank lines but keeps its first indent',
    input: '\n\n\n  Indented start.\nEnd.   \n\n\n',
    expected: [proseCell('  Indented start.\nEnd.')],
  },
  {
    name: 'headings, emphasis and words that begin like markers stay prose',
    input: md`
# Results
**Run** the tests, then _test_ again. Running code is fun.
RUN-CODE now, please.
`,
    expected: [proseCell('# Results\n**Run** the tests, then _test_ again. Running code is fun.\nRUN-CODE now, please.')],
  },

  // ── marker lines ──
  {
    name: 'a bare RUN-CODE line marks the next block as code',
    input: md`
Let us compute.
RUN-CODE
'''python
x = 1
print(x)
'''
Done.
`,
    expected: [proseCell('Let us compute.'), codeCell('x = 1\nprint(x)'), proseCell('Done.')],
  },
  {
    name: 'a bold marker with a colon counts',
    input: md`
**RUN-CODE:**
'''python
print(1)
'''
`,
    expected: [codeCell('print(1)')],
  },
  {
    name: 'a heading marker counts and gives a test cell',
    input: md`
## TEST-ASSERT
'''python
assert 1 + 1 == 2
'''
`,
    expected: [testCell('assert 1 + 1 == 2')],
  },
  {
    name: 'markers are case-insensitive and accept a space or underscore, inside emphasis',
    input: md`
_run code_:
'''python
a = 1
'''
__Test_Assert__
'''python
assert a
'''
`,
    expected: [codeCell('a = 1'), testCell('assert a')],
  },
  {
    name: 'a marker in inline code with the colon outside the emphasis counts',
    input: md`
\`RUN_CODE\`
'''py
b = 2
'''
*TEST ASSERT*:
'''py
assert b == 2
'''
`,
    expected: [codeCell('b = 2', 'py'), testCell('assert b == 2', 'py')],
  },
  {
    name: 'a marker applies across blank lines',
    input: md`
Next:

RUN-CODE


'''python
y = 2
'''
`,
    expected: [proseCell('Next:'), codeCell('y = 2')],
  },
  {
    name: 'a marker followed by prose is just prose, and the block after stays in the prose',
    input: md`
RUN-CODE
This explains the code.
'''python
z = 3
'''
`,
    expected: [proseCell('RUN-CODE\nThis explains the code.\n```python\nz = 3\n```')],
  },
  {
    name: 'of two marker lines in a row only the second applies',
    input: md`
RUN-CODE
TEST-ASSERT
'''python
assert True
'''
`,
    expected: [proseCell('RUN-CODE'), testCell('assert True')],
  },
  {
    name: 'a marker at the very end is prose',
    input: 'All done.\n\n**RUN-CODE**\n\n',
    expected: [proseCell('All done.\n\n**RUN-CODE**')],
  },

  // ── markers after their block ──
  {
    name: 'a RUN-CODE line right after an unmarked Python block makes that block a code cell',
    input: md`
Here:
'''python
x = 1
'''
RUN-CODE
`,
    expected: [proseCell('Here:'), codeCell('x = 1')],
  },
  {
    name: 'a TEST-ASSERT line after a blank line below an unmarked block makes it a test cell',
    input: md`
'''python
assert 1 + 1 == 2
'''

TEST-ASSERT

Done.
`,
    expected: [testCell('assert 1 + 1 == 2'), proseCell('Done.')],
  },
  {
    name: 'a bold marker with a colon binds to the block above it, with or without a language',
    input: md`
'''py
print(2)
'''
**RUN-CODE:**
'''
assert True
'''


**TEST-ASSERT:**`,
    expected: [codeCell('print(2)', 'py'), testCell('assert True', null)],
  },
  {
    name: 'a block then RUN-CODE, a block then TEST-ASSERT give a code cell then a test cell',
    input: md`
'''python
def add(a, b): return a + b
'''
RUN-CODE

'''python
assert add(1, 2) == 3
'''
TEST-ASSERT
`,
    expected: [codeCell('def add(a, b): return a + b'), testCell('assert add(1, 2) == 3')],
  },
  {
    name: 'an unmarked Python block followed by prose stays in the prose as before',
    input: md`
Like this:
'''python
x = 1
'''
That sets x.
`,
    expected: [proseCell('Like this:\n```python\nx = 1\n```\nThat sets x.')],
  },
  {
    name: 'a marker between an unmarked block and another block binds to the block before it, leaving the next one prose',
    input: md`
'''python
x = 1
'''
RUN-CODE
'''python
print(x)
'''
`,
    expected: [codeCell('x = 1'), proseCell('```python\nprint(x)\n```')],
  },
  {
    name: 'a marker after a marked block still marks the block that follows it',
    input: md`
RUN-CODE
'''python
x = 1
'''

TEST-ASSERT

'''python
assert x == 1
'''
`,
    expected: [codeCell('x = 1'), testCell('assert x == 1')],
  },
  {
    name: 'prose between an unmarked block and a marker leaves the marker to the block after it',
    input: md`
'''python
x = 1
'''
Now check it:
TEST-ASSERT
'''python
assert x
'''
`,
    expected: [proseCell('```python\nx = 1\n```\nNow check it:'), testCell('assert x')],
  },
  {
    name: 'a marker after an unmarked block in another language does not bind to it',
    input: md`
'''js
let x = 1
'''
RUN-CODE
'''python
print(1)
'''
'''bash
ls
'''
RUN-CODE
`,
    expected: [proseCell('```js\nlet x = 1\n```'), codeCell('print(1)'), proseCell('```bash\nls\n```\nRUN-CODE')],
  },
  {
    name: 'of two unmarked blocks in a row a marker after them binds to the second',
    input: md`
'''python
a = 1
'''
'''python
b = 2
'''
RUN-CODE
`,
    expected: [proseCell('```python\na = 1\n```'), codeCell('b = 2')],
  },
  {
    name: 'a late marker binds to an indented block, which loses the fence indent, and to an empty one',
    input: '  ```python\n  x = 1\n     y = 2\n  ```\nRUN-CODE\n```python\n```\nRUN-CODE\n',
    expected: [codeCell('x = 1\n   y = 2'), codeCell('')],
  },
  {
    name: 'a late marker binds to a longer fence with shorter fences inside it',
    input: md`
''''python
doc = """
'''
"""
''''
TEST-ASSERT
`,
    expected: [testCell('doc = """\n```\n"""')],
  },
  {
    name: 'a marker inside an unmarked block still open at the end is code in the prose',
    input: md`
'''python
x = 1
RUN-CODE
`,
    expected: [proseCell('```python\nx = 1\nRUN-CODE', false)],
  },
  {
    name: 'a line that only starts like a marker after an unmarked block leaves the block in the prose',
    input: md`
'''python
x = 1
'''
RUN-CODE now, please.
`,
    expected: [proseCell('```python\nx = 1\n```\nRUN-CODE now, please.')],
  },

  // ── markers in the info string or the first line ──
  {
    name: 'a marker after the language in the info string counts',
    input: md`
'''python RUN-CODE
print("hi")
'''
`,
    expected: [codeCell('print("hi")')],
  },
  {
    name: 'a marker before the language in the info string counts',
    input: md`
'''RUN-CODE python3
print("hi")
'''
`,
    expected: [codeCell('print("hi")', 'python3')],
  },
  {
    name: 'a TEST-ASSERT info string gives a test cell',
    input: md`
'''python TEST-ASSERT
assert f(2) == 4
'''
`,
    expected: [testCell('assert f(2) == 4')],
  },
  {
    name: 'a marker as the whole info string means Python with no language given',
    input: md`
'''RUN-CODE
x = 0
'''
`,
    expected: [codeCell('x = 0', null)],
  },
  {
    name: 'a first-line marker comment marks the block and is removed from the source',
    input: md`
'''python
# RUN-CODE
import math
'''
'''ipython
# TEST-ASSERT:
assert math.pi > 3
'''
`,
    expected: [codeCell('import math'), testCell('assert math.pi > 3', 'ipython')],
  },
  {
    name: 'a slash comment marks a block too, here one that is not run',
    input: md`
'''js
// RUN-CODE
console.log(1)
'''
`,
    expected: [codeCell('console.log(1)', 'js')],
  },
  {
    name: 'a bare marker word as the first line of a block is not a comment and does not mark it',
    input: md`
'''text
RUN-CODE
'''
`,
    expected: [proseCell('```text\nRUN-CODE\n```')],
  },
  {
    name: 'a marker comment is removed from a block marked another way too',
    input: md`
TEST-ASSERT
'''python
# TEST-ASSERT
assert 2 > 1
'''
`,
    expected: [testCell('assert 2 > 1')],
  },
  {
    name: 'a marker comment below the first line does not mark the block',
    input: md`
'''python
x = 1
# RUN-CODE
'''
`,
    expected: [proseCell('```python\nx = 1\n# RUN-CODE\n```')],
  },

  // ── fences ──
  {
    name: 'tilde fences work like backtick fences',
    input: md`
RUN-CODE
~~~python
print("tilde")
~~~
`,
    expected: [codeCell('print("tilde")')],
  },
  {
    name: 'a backtick line inside a tilde block is code',
    input: md`
RUN-CODE
~~~
s = """
'''
"""
~~~
`,
    expected: [codeCell('s = """\n```\n"""', null)],
  },
  {
    name: 'a longer fence contains shorter ones',
    input: md`
RUN-CODE
''''python
doc = """
'''python
inner
'''
"""
''''
`,
    expected: [codeCell('doc = """\n```python\ninner\n```\n"""')],
  },
  {
    name: 'a marked fence inside an unmarked longer fence stays shown in the prose',
    input: md`
Example of the format:
''''markdown
RUN-CODE
'''python
print(1)
'''
''''
`,
    expected: [proseCell('Example of the format:\n````markdown\nRUN-CODE\n```python\nprint(1)\n```\n````')],
  },
  {
    name: 'fences may be indented up to three spaces, and the code loses that indent',
    input: md`
RUN-CODE
   '''python
   x = 1
  '''
`,
    expected: [codeCell('x = 1')],
  },
  {
    name: 'four spaces of indent is not a fence',
    input: md`
RUN-CODE
    '''python
    x = 1
    '''
`,
    expected: [proseCell('RUN-CODE\n    ```python\n    x = 1\n    ```')],
  },
  {
    name: 'a longer closing fence closes, a shorter one does not',
    input: md`
RUN-CODE
''''python
a = 1
'''
b = 2
'''''
`,
    expected: [codeCell('a = 1\n```\nb = 2')],
  },
  {
    name: 'a fence line with an info string does not close, one with trailing spaces does',
    input: 'RUN-CODE\n```python\na = 1\n```python\nb = 2\n```   \nAfter.\n',
    expected: [codeCell('a = 1\n```python\nb = 2'), proseCell('After.')],
  },
  {
    name: 'a backtick info string may not contain a backtick',
    input: md`
RUN-CODE
'''py\`
x
'''
`,
    expected: [proseCell('RUN-CODE\n```py`\nx\n```', false)],
  },
  {
    name: 'unmarked blocks stay inside their prose, fences and all',
    input: md`
Install it:
'''bash
pip install numpy
'''
Then import it.
'''python
import numpy
'''
`,
    expected: [proseCell('Install it:\n```bash\npip install numpy\n```\nThen import it.\n```python\nimport numpy\n```')],
  },
  {
    name: 'blank lines inside a block are kept, around it trimmed',
    input: 'RUN-CODE\n```python\n\n\ndef f():\n\n    return 1\n\n```\n',
    expected: [codeCell('def f():\n\n    return 1')],
  },

  // ── languages ──
  {
    name: 'a marked bash block is a code cell that is not run',
    input: md`
RUN-CODE
'''bash
ls -la
'''
`,
    expected: [codeCell('ls -la', 'bash')],
  },
  {
    name: 'a marked JavaScript test is a test cell that is not run',
    input: md`
'''js TEST-ASSERT
assert(f() === 1)
'''
`,
    expected: [testCell('assert(f() === 1)', 'js')],
  },
  {
    name: 'Python info strings are recognised in any case',
    input: md`
'''PY RUN-CODE
a = 1
'''
'''Python3 TEST-ASSERT
assert a
'''
`,
    expected: [codeCell('a = 1', 'py'), testCell('assert a', 'python3')],
  },

  // ── blocks in sequence ──
  {
    name: 'two marked blocks back to back give two cells and no prose',
    input: md`
RUN-CODE
'''python
def f(x): return x * 2
'''
TEST-ASSERT
'''python
assert f(2) == 4
'''
`,
    expected: [codeCell('def f(x): return x * 2'), testCell('assert f(2) == 4')],
  },
  {
    name: 'an empty marked block is still a cell',
    input: 'RUN-CODE\n```python\n```\nText.',
    expected: [codeCell(''), proseCell('Text.')],
  },

  // ── reasoning ──
  {
    name: 'a think block becomes a reasoning cell and nothing in it runs',
    input: md`
<think>
I should write RUN-CODE then a block.
RUN-CODE
'''python
print("not run")
'''
</think>

Here it is.
`,
    expected: [
      reasoningCell('I should write RUN-CODE then a block.\nRUN-CODE\n```python\nprint("not run")\n```'),
      proseCell('Here it is.'),
    ],
  },
  {
    name: 'a thinking tag works too, and a marked block after it runs',
    input: md`
<thinking>Plan: square it.</thinking>
RUN-CODE
'''python
print(3 ** 2)
'''
`,
    expected: [reasoningCell('Plan: square it.'), codeCell('print(3 ** 2)')],
  },
  {
    name: 'a think tag mid-line splits the prose around it',
    input: 'Sure.<think>hmm, RUN-CODE?</think>Answer: 4.\n',
    expected: [proseCell('Sure.'), reasoningCell('hmm, RUN-CODE?'), proseCell('Answer: 4.')],
  },
  {
    name: 'an unclosed think block closes at the end',
    input: '<think>\nstill thinking about <thi',
    expected: [reasoningCell('still thinking about <thi')],
  },
  {
    name: 'an empty think block gives no cell',
    input: '<think>\n\n</think>\n\nOnly this.',
    expected: [proseCell('Only this.')],
  },
  {
    name: 'a think tag inside a shown block is code, not reasoning',
    input: md`
'''html
<think>x</think>
'''
`,
    expected: [proseCell('```html\n<think>x</think>\n```')],
  },
  {
    name: 'a closing think tag with no opening tag is left out of the prose',
    input: 'Thinking aloud.\n</think>\n\nThe answer is 4.</THINKING> Really.\n',
    expected: [proseCell('Thinking aloud.\n\n\nThe answer is 4. Really.')],
  },
  {
    name: 'an answer started in reasoning is reasoning up to the closing tag, where markers start to count',
    input: md`
Okay, let me think.
RUN-CODE
'''python
print(1)
'''
</think>
Here it is.
RUN-CODE
'''python
x=1
'''`,
    options: { startInReasoning: true },
    expected: [
      reasoningCell('Okay, let me think.\nRUN-CODE\n```python\nprint(1)\n```'),
      proseCell('Here it is.'),
      codeCell('x=1'),
    ],
  },
  {
    name: 'an answer started in reasoning that never closes it is all reasoning',
    input: 'Still thinking.\nRUN-CODE\n```python\nprint(1)\n```\n',
    options: { startInReasoning: true },
    expected: [reasoningCell('Still thinking.\nRUN-CODE\n```python\nprint(1)\n```')],
  },
  {
    name: 'text that only starts like a tag stays prose',
    input: 'a <b>bold</b> <thin> line\n',
    expected: [proseCell('a <b>bold</b> <thin> line')],
  },

  // ── line endings ──
  {
    name: 'CRLF line endings are normalised',
    input: 'Intro.\r\n\r\nRUN-CODE\r\n```python\r\nx = 1\r\ny = 2\r\n```\r\nBye.\r\n',
    expected: [proseCell('Intro.'), codeCell('x = 1\ny = 2'), proseCell('Bye.')],
  },
  {
    name: 'lone CR line endings are normalised',
    input: 'TEST-ASSERT\r```python\rassert 1\r```\r',
    expected: [testCell('assert 1')],
  },

  // ── open fences at the end ──
  {
    name: 'a marked block still open at the end is incomplete',
    input: md`
RUN-CODE
'''python
for i in range(3):
    print(i
`,
    expected: [codeCell('for i in range(3):\n    print(i', 'python', false)],
  },
  {
    name: 'a marked fence with nothing after it is an empty incomplete cell',
    input: 'Next:\n\nRUN-CODE\n```python',
    expected: [proseCell('Next:'), codeCell('', 'python', false)],
  },
  {
    name: 'an unmarked block still open at the end leaves its prose incomplete',
    input: 'See:\n```python\nx = 1',
    expected: [proseCell('See:\n```python\nx = 1', false)],
  },
  {
    name: 'a closing fence without a final newline closes the block',
    input: 'RUN-CODE\n```python\nx = 1\n```',
    expected: [codeCell('x = 1')],
  },
];

describe('splitText', () => {
  it('has a case for every rule', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$name', ({ input, expected, options }) => {
    expect(splitText(input, options)).toEqual(expected);
  });
});

describe('CellSplitter fed in pieces', () => {
  it.each(cases)('$name, however the text is cut', ({ input, expected, options }) => {
    for (const { name, pieces } of chunkings(input)) {
      expect(feedPieces(pieces, options), name).toEqual(expected);
    }
  });
});
