import { describe, expect, it } from 'vitest';
import { markdownToHtml } from '@duet/notebook';

// The browser also runs this HTML through DOMPurify; these cases must already be inert
// before that, so a single missed step is not enough to run a prompt-writer's script.
describe('model markdown rendered to HTML', () => {
  const inert: { name: string; source: string; forbidden: RegExp }[] = [
    { name: 'an <img> with an onerror handler stays text', source: 'hi <img src=x onerror=alert(1)>', forbidden: /<img/i },
    { name: 'a <script> element stays text', source: '<script>alert(1)</script>', forbidden: /<script/i },
    { name: 'a javascript: link is not a link', source: '[x](javascript:alert(1))', forbidden: /href="javascript:/i },
    { name: 'a JavaScript: link in odd case is not a link', source: '[x](JaVaScRiPt:alert(1))', forbidden: /href="javascript:/i },
    { name: 'a vbscript: link is not a link', source: '[x](vbscript:msgbox(1))', forbidden: /href="vbscript:/i },
    { name: 'a data:text/html link is not a link', source: '[x](data:text/html,<script>alert(1)</script>)', forbidden: /href="data:/i },
    { name: 'an autolink to javascript: is not a link', source: '<javascript:alert(1)>', forbidden: /href="javascript:/i },
    { name: 'an inline event handler in an html block stays text', source: '<div onclick="alert(1)">x</div>', forbidden: /<div/i },
    { name: 'an iframe stays text', source: '<iframe src="https://evil.example"></iframe>', forbidden: /<iframe/i },
  ];

  it.each(inert)('$name', ({ source, forbidden }) => {
    expect(markdownToHtml(source)).not.toMatch(forbidden);
  });

  it('shows raw HTML as escaped text rather than dropping it', () => {
    expect(markdownToHtml('<script>alert(1)</script>')).toContain('&lt;script&gt;');
  });

  it('opens links in a new tab that cannot reach back to the page', () => {
    const html = markdownToHtml('[docs](https://docs.python.org/3/)');
    expect(html).toContain('href="https://docs.python.org/3/"');
    expect(html).toContain('target="_blank"');
    expect(html).toContain('rel="noopener noreferrer"');
  });

  it('still renders ordinary markdown', () => {
    const html = markdownToHtml('# Title\n\nSome **bold** and `code`.\n\n```python\nprint(1)\n```');
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<code class="language-python">print(1)\n</code>');
  });
});
