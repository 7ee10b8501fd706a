/**
 * What the demo models know: a handful of tasks, each with a first attempt that has a
 * real bug, a fix, and tests. All Python here really runs in the kernel.
 */
import { EVAL_TOPICS } from './eval-topics.ts';

/** Topics of the builtin eval tasks. */
type EvalTopicId = 'run-length' | 'merge-intervals' | 'binary-search' | 'roman-numerals' | 'balanced-brackets' | 'median';

export interface DemoTopic {
  id: 'fibonacci' | 'primes' | 'reverse-words' | 'fizzbuzz' | 'word-frequency' | 'palindrome' | EvalTopicId;
  /** Matched against the user's request; `undefined` for the fallback. */
  keywords: RegExp | undefined;
  /** The function every answer defines; `def NAME(` in the conversation identifies the topic. */
  functionName: string;
  /** The first attempt: prose, code with a bug, and a test that catches it. */
  attempt: { intro: string; code: string; test: string; outro: string };
  /** Reasoning before a correct answer written from scratch. */
  freshThinking: string;
  freshIntro: string;
  /** Reasoning and prose after reading a failed test. */
  fixThinking: string;
  diagnosis: string;
  fixedCode: string;
  /** demo-a's fix instead of `fixedCode`, when it should pass its own tests and miss an edge case (see eval-topics.ts). */
  weakFix?: string;
  /** Two tests that pass against the fixed code (and the weak fix). */
  tests: readonly [string, string];
  testsIntro: string;
  /** Further passing tests, one per later turn. */
  extraTests: readonly { intro: string; code: string }[];
}

const fibonacci: DemoTopic = {
  id: 'fibonacci',
  keywords: /fibonacci|\bfib\b/i,
  functionName: 'fib',
  attempt: {
    intro:
      'An iterative version is the simplest way to get Fibonacci numbers without the exponential cost of naive recursion. We keep the last two values and slide them forward.',
    code: [
      'def fib(n):',
      '    """Return the n-th Fibonacci number, with fib(0) == 0 and fib(1) == 1."""',
      '    a, b = 0, 1',
      '    for _ in range(n - 1):',
      '        a, b = b, a + b',
      '    return a',
      '',
      'print([fib(i) for i in range(10)])',
    ].join('\n'),
    test: ['assert fib(0) == 0', 'assert fib(1) == 1', 'assert fib(10) == 55'].join('\n'),
    outro: 'This runs in O(n) time and O(1) memory.',
  },
  freshThinking:
    'Iterative is best: two variables, n steps. fib(0) is 0, so after n steps `a` holds fib(n). Test the start of the sequence and a large value.',
  freshIntro: 'Here is an iterative Fibonacci function; it runs in O(n) time and constant memory, and rejects negative input.',
  fixThinking:
    'The test failed on fib(1) == 1. With `range(n - 1)` the loop runs one step too few, so every result is shifted by one: fib(1) gives 0 and fib(10) gives 34. The loop has to run n times.',
  diagnosis:
    'The test failed because of an off-by-one in the loop: `range(n - 1)` advances the pair one step too few, so `fib(1)` returned 0 and `fib(10)` would return 34. Looping `n` times fixes it. I also reject negative input instead of silently returning 0.',
  fixedCode: [
    'def fib(n):',
    '    """Return the n-th Fibonacci number, with fib(0) == 0 and fib(1) == 1."""',
    '    if n < 0:',
    '        raise ValueError("n must be non-negative")',
    '    a, b = 0, 1',
    '    for _ in range(n):',
    '        a, b = b, a + b',
    '    return a',
    '',
    'print([fib(i) for i in range(10)])',
  ].join('\n'),
  testsIntro: 'Two tests: the start of the sequence, then a large value and the error case.',
  tests: [
    'assert [fib(i) for i in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]',
    [
      'assert fib(50) == 12586269025',
      'try:',
      '    fib(-1)',
      '    raised = False',
      'except ValueError:',
      '    raised = True',
      'assert raised, "fib(-1) should be rejected"',
    ].join('\n'),
  ],
  extraTests: [
    {
      intro: 'The tests pass. One more check: every term is the sum of the two before it.',
      code: 'assert all(fib(i) + fib(i + 1) == fib(i + 2) for i in range(200))',
    },
    {
      intro: 'Still green. A last property worth pinning down: consecutive Fibonacci numbers are coprime.',
      code: 'from math import gcd\n\nassert all(gcd(fib(i), fib(i + 1)) == 1 for i in range(1, 100))',
    },
  ],
};

const primes: DemoTopic = {
  id: 'primes',
  keywords: /\bprimes?\b|is_prime|primality/i,
  functionName: 'is_prime',
  attempt: {
    intro:
      'Trial division is enough here: a composite number always has a divisor no larger than its square root, so we only test divisors up to there.',
    code: [
      'def is_prime(n):',
      '    """Return True if n is a prime number."""',
      '    if n < 2:',
      '        return False',
      '    for d in range(2, int(n ** 0.5)):',
      '        if n % d == 0:',
      '            return False',
      '    return True',
      '',
      'print([n for n in range(30) if is_prime(n)])',
    ].join('\n'),
    test: 'assert [n for n in range(20) if is_prime(n)] == [2, 3, 5, 7, 11, 13, 17, 19]',
    outro: 'Each call costs O(√n) divisions.',
  },
  freshThinking:
    'Trial division up to the integer square root, inclusive. math.isqrt avoids float rounding. Test small numbers, squares of primes, and a larger prime.',
  freshIntro: 'Trial division up to the integer square root is simple and fast enough for numbers in the millions.',
  fixThinking:
    'The test saw 4 and 9 reported as prime. `range(2, int(n ** 0.5))` stops before the square root itself, so squares of primes slip through. Use math.isqrt(n) + 1.',
  diagnosis:
    'The test failed because 4 and 9 were reported as prime: `range(2, int(n ** 0.5))` stops one short of the square root, so a number whose only small divisor *is* its square root is never divided. `math.isqrt(n) + 1` includes it and avoids float rounding for large n.',
  fixedCode: [
    'import math',
    '',
    'def is_prime(n):',
    '    """Return True if n is a prime number."""',
    '    if n < 2:',
    '        return False',
    '    for d in range(2, math.isqrt(n) + 1):',
    '        if n % d == 0:',
    '            return False',
    '    return True',
    '',
    'print([n for n in range(30) if is_prime(n)])',
  ].join('\n'),
  testsIntro: 'Two tests: the primes below 30, then the edge cases, including the squares of primes that broke the first version.',
  tests: [
    'assert [n for n in range(30) if is_prime(n)] == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]',
    [
      'assert not any(is_prime(n) for n in (-7, 0, 1, 4, 9, 25, 49, 121))',
      'assert is_prime(7919)',
      'assert not is_prime(7919 * 7907)',
    ].join('\n'),
  ],
  extraTests: [
    {
      intro: 'The tests pass. One more: there are exactly 168 primes below 1000.',
      code: 'assert sum(1 for n in range(1000) if is_prime(n)) == 168',
    },
    {
      intro: 'Still green. Checking against a sieve for the first ten thousand numbers:',
      code: [
        'limit = 10_000',
        'sieve = [True] * limit',
        'sieve[0] = sieve[1] = False',
        'for i in range(2, int(limit ** 0.5) + 1):',
        '    if sieve[i]:',
        '        sieve[i * i::i] = [False] * len(range(i * i, limit, i))',
        'assert all(is_prime(n) == sieve[n] for n in range(limit))',
      ].join('\n'),
    },
  ],
};

const reverseWords: DemoTopic = {
  id: 'reverse-words',
  keywords: /reverse\w*\s+(?:the\s+)?(?:order\s+of\s+)?(?:the\s+)?words|reverse_words|words?\s+in\s+reverse/i,
  functionName: 'reverse_words',
  attempt: {
    intro: 'Split the string on spaces, reverse the list, and join it back together:',
    code: [
      'def reverse_words(s):',
      '    """Return the words of s in reverse order, separated by single spaces."""',
      '    return " ".join(s.split(" ")[::-1])',
      '',
      'print(reverse_words("the sky is blue"))',
    ].join('\n'),
    test: ['assert reverse_words("hello world") == "world hello"', 'assert reverse_words("  the sky  is blue ") == "blue is sky the"'].join('\n'),
    outro: 'This is a single pass over the string.',
  },
  freshThinking: 'str.split() with no argument splits on runs of whitespace and drops leading and trailing blanks, which is exactly what we want.',
  freshIntro: 'Splitting on runs of whitespace handles extra spaces for free:',
  fixThinking:
    'The second assert failed. split(" ") keeps an empty string for every extra space, so the result has stray spaces. split() without an argument drops them.',
  diagnosis:
    'The test failed on the input with extra spaces: `s.split(" ")` produces an empty string for every repeated, leading or trailing space, and those come back as stray spaces in the result. `s.split()` with no argument splits on runs of whitespace and drops the empty pieces.',
  fixedCode: [
    'def reverse_words(s):',
    '    """Return the words of s in reverse order, separated by single spaces."""',
    '    return " ".join(reversed(s.split()))',
    '',
    'print(reverse_words("  the sky  is blue "))',
  ].join('\n'),
  testsIntro: 'Two tests: ordinary sentences with messy spacing, then the edge cases.',
  tests: [
    ['assert reverse_words("hello world") == "world hello"', 'assert reverse_words("  the sky  is blue ") == "blue is sky the"'].join('\n'),
    ['assert reverse_words("") == ""', 'assert reverse_words("   ") == ""', 'assert reverse_words("single") == "single"', 'assert reverse_words("a\\tb\\nc") == "c b a"'].join(
      '\n',
    ),
  ],
  extraTests: [
    {
      intro: 'The tests pass. One more property: reversing twice gives back the normalised sentence.',
      code: 'sentence = "  keep   calm and  carry on "\nassert reverse_words(reverse_words(sentence)) == " ".join(sentence.split())',
    },
    {
      intro: 'Still green. Punctuation stays attached to its word:',
      code: 'assert reverse_words("Hello, world!") == "world! Hello,"',
    },
  ],
};

const fizzbuzz: DemoTopic = {
  id: 'fizzbuzz',
  keywords: /fizz\s*-?\s*buzz/i,
  functionName: 'fizzbuzz',
  attempt: {
    intro: 'FizzBuzz, returned as a list so it is easy to test. Multiples of 15 are checked first so that they print "FizzBuzz" rather than "Fizz".',
    code: [
      'def fizzbuzz(n):',
      '    """Return the FizzBuzz sequence for 1..n as a list of strings."""',
      '    out = []',
      '    for i in range(1, n):',
      '        if i % 15 == 0:',
      '            out.append("FizzBuzz")',
      '        elif i % 3 == 0:',
      '            out.append("Fizz")',
      '        elif i % 5 == 0:',
      '            out.append("Buzz")',
      '        else:',
      '            out.append(str(i))',
      '    return out',
      '',
      'print("\\n".join(fizzbuzz(15)))',
    ].join('\n'),
    test: ['assert len(fizzbuzz(15)) == 15', 'assert fizzbuzz(15)[-1] == "FizzBuzz"'].join('\n'),
    outro: 'The order of the checks matters: 15 has to come before 3 and 5.',
  },
  freshThinking: 'range(1, n + 1) so that n itself is included; check 15 before 3 and 5.',
  freshIntro: 'FizzBuzz as a function returning a list, so that it can be tested:',
  fixThinking:
    'The test says the list is one short: range(1, n) stops at n - 1, so 15 itself is missing. It must be range(1, n + 1).',
  diagnosis:
    'The test failed because the sequence stops one number early: `range(1, n)` never reaches `n`, so `fizzbuzz(15)` has 14 items and misses the final "FizzBuzz". The loop has to run over `range(1, n + 1)`.',
  fixedCode: [
    'def fizzbuzz(n):',
    '    """Return the FizzBuzz sequence for 1..n as a list of strings."""',
    '    out = []',
    '    for i in range(1, n + 1):',
    '        if i % 15 == 0:',
    '            out.append("FizzBuzz")',
    '        elif i % 3 == 0:',
    '            out.append("Fizz")',
    '        elif i % 5 == 0:',
    '            out.append("Buzz")',
    '        else:',
    '            out.append(str(i))',
    '    return out',
    '',
    'print("\\n".join(fizzbuzz(15)))',
  ].join('\n'),
  testsIntro: 'Two tests: the first few values exactly, then the shape of a longer run.',
  tests: [
    'assert fizzbuzz(5) == ["1", "2", "Fizz", "4", "Buzz"]',
    ['result = fizzbuzz(100)', 'assert len(result) == 100', 'assert result[14] == "FizzBuzz"', 'assert result.count("FizzBuzz") == 6'].join('\n'),
  ],
  extraTests: [
    {
      intro: 'The tests pass. One more edge case: nothing to print for n = 0.',
      code: 'assert fizzbuzz(0) == []',
    },
    {
      intro: 'Still green. Every plain number is printed as itself:',
      code: 'assert all(s == str(i) for i, s in enumerate(fizzbuzz(300), start=1) if i % 3 and i % 5)',
    },
  ],
};

const wordFrequency: DemoTopic = {
  id: 'word-frequency',
  keywords: /word[\s_-]*(?:frequenc|count)|count(?:ing|s)?\s+(?:the\s+)?(?:\w+\s+)?words|word_frequencies|how often each word/i,
  functionName: 'word_frequencies',
  attempt: {
    intro: 'A `Counter` over the lower-cased words does the counting for us:',
    code: [
      'from collections import Counter',
      '',
      'def word_frequencies(text):',
      '    """Count how often each word occurs in text, ignoring case."""',
      '    return Counter(text.lower().split())',
      '',
      'print(word_frequencies("The cat and the hat. The end!").most_common(3))',
    ].join('\n'),
    test: ['counts = word_frequencies("The cat and the hat. The end!")', 'assert counts["the"] == 3', 'assert counts["hat"] == 1'].join('\n'),
    outro: '`most_common(k)` then gives the top k words.',
  },
  freshThinking: 'Lower-case, then pull out words with a regex so punctuation is not glued to them; keep apostrophes inside words.',
  freshIntro: 'Extracting words with a regular expression keeps punctuation out of the counts:',
  fixThinking:
    'The test failed on counts["hat"]: split() leaves the full stop attached, so the key is "hat." and "hat" counts 0. Extract words with a regex instead.',
  diagnosis:
    'The test failed because `split()` keeps punctuation attached to the words: the text has `"hat."`, so `counts["hat"]` is 0. Pulling the words out with a regular expression fixes that, and keeps apostrophes inside words such as "don\'t".',
  fixedCode: [
    'import re',
    'from collections import Counter',
    '',
    'WORD = re.compile(r"[a-z0-9]+(?:\'[a-z0-9]+)*")',
    '',
    'def word_frequencies(text):',
    '    """Count how often each word occurs in text, ignoring case and punctuation."""',
    '    return Counter(WORD.findall(text.lower()))',
    '',
    'print(word_frequencies("The cat and the hat. The end!").most_common(3))',
  ].join('\n'),
  testsIntro: 'Two tests: punctuation and case, then apostrophes and ranking.',
  tests: [
    ['assert word_frequencies("Hello, hello! HELLO?") == {"hello": 3}', 'counts = word_frequencies("The cat and the hat. The end!")', 'assert counts["the"] == 3 and counts["hat"] == 1'].join('\n'),
    [
      'counts = word_frequencies("Don\'t stop; don\'t quit. Stop!")',
      'assert counts["don\'t"] == 2',
      'assert counts["stop"] == 2',
      'assert counts["quit"] == 1',
      'assert counts.most_common(1)[0][1] == 2',
    ].join('\n'),
  ],
  extraTests: [
    {
      intro: 'The tests pass. One more: empty text has no words, and every word is counted once.',
      code: 'assert word_frequencies("") == {}\nassert sum(word_frequencies("a b a c, c; c").values()) == 6',
    },
    {
      intro: 'Still green. Numbers count as words too:',
      code: 'assert word_frequencies("42 is 42")["42"] == 2',
    },
  ],
};

const palindrome: DemoTopic = {
  id: 'palindrome',
  keywords: undefined,
  functionName: 'is_palindrome',
  attempt: {
    intro:
      "I'm a scripted demo model, so I only really know a few tasks: try asking for Fibonacci numbers, a prime check, reversing the words of a sentence, FizzBuzz, or counting word frequencies. Meanwhile, here is a small example of the whole loop: a palindrome check.",
    code: [
      'def is_palindrome(s):',
      '    """Return True if s reads the same forwards and backwards."""',
      '    return s == s[::-1]',
      '',
      'print(is_palindrome("racecar"))',
    ].join('\n'),
    test: ['assert is_palindrome("racecar")', 'assert is_palindrome("A man, a plan, a canal: Panama")'].join('\n'),
    outro: 'Slicing with a step of -1 walks the string backwards.',
  },
  freshThinking: 'A palindrome check should ignore case, spaces and punctuation: keep only alphanumeric characters, lower-cased.',
  freshIntro:
    "I'm a scripted demo model and only really know a few tasks (Fibonacci numbers, a prime check, reversing the words of a sentence, FizzBuzz, counting word frequencies). Here is a small example of the loop instead: a palindrome check that ignores case and punctuation.",
  fixThinking: 'The sentence test failed: the comparison sees capitals, spaces and punctuation. Normalise first: keep alphanumerics, lower-cased.',
  diagnosis:
    'The test failed on "A man, a plan, a canal: Panama": the comparison includes capitals, spaces and punctuation. Normalising the text first (alphanumeric characters only, lower-cased) fixes it.',
  fixedCode: [
    'def is_palindrome(s):',
    '    """Return True if s reads the same forwards and backwards, ignoring case and punctuation."""',
    '    chars = [c.lower() for c in s if c.isalnum()]',
    '    return chars == chars[::-1]',
    '',
    'print(is_palindrome("A man, a plan, a canal: Panama"))',
  ].join('\n'),
  testsIntro: 'Two tests: sentences that are palindromes, then ones that are not.',
  tests: [
    ['assert is_palindrome("racecar")', 'assert is_palindrome("A man, a plan, a canal: Panama")', 'assert is_palindrome("")'].join('\n'),
    ['assert not is_palindrome("hello")', 'assert not is_palindrome("ab")'].join('\n'),
  ],
  extraTests: [
    {
      intro: 'The tests pass. One more: digits count too.',
      code: 'assert is_palindrome("12321") and not is_palindrome("12345")',
    },
    {
      intro: 'Still green. Any string followed by its mirror image is a palindrome:',
      code: 'assert all(is_palindrome(w + w[::-1]) for w in ["abc", "Duet", "x y"])',
    },
  ],
};

/** The tasks with keywords, in the order they are tried. */
export const DEMO_TOPICS: readonly DemoTopic[] = [fizzbuzz, fibonacci, primes, reverseWords, wordFrequency, ...EVAL_TOPICS];

/** The answer to anything else. */
export const FALLBACK_TOPIC: DemoTopic = palindrome;
