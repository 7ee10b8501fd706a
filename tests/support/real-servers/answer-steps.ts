/**
 * Answers for the chat fakes' scripts, written as a model writes them and streamed in
 * small pieces cut anywhere, as tokens arrive.
 */
import type { ChatRequestSeen, CommonStep } from './scripted-chat.ts';
import { contentText } from './ollama-prompt.ts';

/** The text as `content` steps of `size` characters. */
export function spoken(text: string, size = 17): CommonStep[] {
  const steps: CommonStep[] = [];
  for (let i = 0; i < text.length; i += size) steps.push({ type: 'content', text: text.slice(i, i + size) });
  return steps;
}

/** The text streamed, then a `stop` finish. */
export function said(text: string, size?: number): CommonStep[] {
  return [...spoken(text, size), { type: 'finish', reason: 'stop' }];
}

/** A block marked to run. */
export function runCode(source: string): string {
  return `RUN-CODE\n\`\`\`python\n${source}\n\`\`\`\n\n`;
}

/** A block of asserts marked as a test. */
export function testAssert(source: string): string {
  return `TEST-ASSERT\n\`\`\`python\n${source}\n\`\`\`\n\n`;
}

/** An answer that defines `add` and passes `tests` test cells. */
export function addAnswer(tests = 2, prose = 'Here is add.'): string {
  const asserts = ['assert add(2, 3) == 5', 'assert add(-1, 1) == 0', 'assert add(0, 0) == 0'];
  return `${prose}\n\n${runCode('def add(a, b):\n    return a + b')}${asserts.slice(0, tests).map(testAssert).join('')}`;
}

/** Every message's text of a request, joined. */
export function requestText(req: { messages: readonly { content: unknown }[] }): string {
  return req.messages.map((m) => contentText(m.content)).join('\n\n');
}

/** The chat request a fake recorded, with its messages typed. */
export function chatBody(body: unknown): ChatRequestSeen['body'] & { model: string; messages: { role: string; content: unknown }[]; max_tokens?: number } {
  return body as ChatRequestSeen['body'] & { model: string; messages: { role: string; content: unknown }[]; max_tokens?: number };
}
