import { describe, expect, it } from 'vitest';
import { externalLinkQuestion, linkTarget, type LinkTarget } from '@duet/notebook';
import { kernelStatusText } from '@duet/notebook';

const PAGE = 'http://127.0.0.1:1337/#notebook';

describe('where a link in model or kernel output leads', () => {
  const cases: { name: string; href: string; expected: LinkTarget }[] = [
    { name: 'a path on Duet itself stays a link', href: '/api/health', expected: { kind: 'same-origin', href: 'http://127.0.0.1:1337/api/health' } },
    { name: 'a fragment stays on Duet', href: '#other', expected: { kind: 'same-origin', href: 'http://127.0.0.1:1337/#other' } },
    { name: 'another port of the same host is out of Duet', href: 'http://127.0.0.1:8888/', expected: { kind: 'external', href: 'http://127.0.0.1:8888/' } },
    { name: 'a protocol-relative link to another port is out of Duet', href: '//127.0.0.1:8888/x', expected: { kind: 'external', href: 'http://127.0.0.1:8888/x' } },
    { name: 'localhost is another origin than 127.0.0.1', href: 'http://localhost:1337/', expected: { kind: 'external', href: 'http://localhost:1337/' } },
    { name: 'another site is out of Duet', href: 'https://docs.python.org/3/', expected: { kind: 'external', href: 'https://docs.python.org/3/' } },
    { name: 'a mail link is out of Duet', href: 'mailto:someone@example.com', expected: { kind: 'external', href: 'mailto:someone@example.com' } },
    { name: 'javascript: opens nothing', href: 'JavaScript:alert(1)', expected: { kind: 'none' } },
    { name: 'data: opens nothing', href: 'data:text/html,<script>1</script>', expected: { kind: 'none' } },
    { name: 'file: opens nothing', href: 'file:///etc/passwd', expected: { kind: 'none' } },
    { name: 'a URL that does not parse opens nothing', href: 'http://[::1', expected: { kind: 'none' } },
  ];

  it.each(cases)('$name', ({ href, expected }) => {
    expect(linkTarget(href, PAGE)).toEqual(expected);
  });

  it('asks with the whole target named, and says what the cookie means', () => {
    const question = externalLinkQuestion('http://127.0.0.1:8888/steal?x=1', '127.0.0.1');
    expect(question).toContain('http://127.0.0.1:8888/steal?x=1');
    expect(question).toContain("Duet's access cookie to every page on 127.0.0.1, whatever its port");
  });
});

describe('the kernel in the status bar', () => {
  it('says busy outside any cell when the kernel works and no cell is queued or running', () => {
    expect(kernelStatusText('busy', false)).toMatchObject({ label: 'busy outside any cell', hint: expect.stringMatching(/Restart kernel stops it/) });
  });

  it('says plain busy while a cell runs, and the state itself otherwise', () => {
    expect(kernelStatusText('busy', true)).toEqual({ label: 'busy', hint: null });
    expect(kernelStatusText('idle', false)).toEqual({ label: 'idle', hint: null });
    expect(kernelStatusText('restarting', false)).toEqual({ label: 'restarting', hint: null });
  });
});
