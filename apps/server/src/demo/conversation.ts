import type { ChatMessage } from '../llm/types.ts';
import { DEMO_TOPICS, FALLBACK_TOPIC } from './topics.ts';
import type { DemoTopic } from './topics.ts';

/**
 * Where a conversation stands, as far as a demo model can tell from its text:
 * `first` — nobody has written code yet; `after-failure` — the latest execution
 * results report a failing test; `after-pass` — code exists and nothing failed lately.
 */
export type DemoStage = 'first' | 'after-failure' | 'after-pass';

/** What a demo model reads from the messages it is sent. */
export interface DemoSituation {
  topic: DemoTopic;
  stage: DemoStage;
  /** How many answers this model already gave in the conversation. */
  ownTurns: number;
}

const FAILURE = /AssertionError|Traceback|\bfail(?:ed|s|ing|ure)\b|\bERROR\b|raised an? \w+/gi;
const SUCCESS = /\bpass(?:ed|es|ing)\b|\bsucceeded\b|\bgreen\b|\bOK\b|✓/gi;
const PYTHON_BLOCK = /^ {0,3}(`{3,}|~{3,})[ \t]*(?:python3?|py|ipython)\b[^\n]*\n[\s\S]*?^ {0,3}\1[ \t]*$/gim;

/** Reads the task and the stage of the loop from the messages a demo model receives. */
export function readSituation(messages: readonly ChatMessage[]): DemoSituation {
  const dialogue = messages.filter((m) => m.role !== 'system');
  const ownTurns = dialogue.filter((m) => m.role === 'assistant').length;
  const topic = topicOf(dialogue);
  const last = dialogue.at(-1);
  const hasWork = ownTurns > 0 || dialogue.some((m) => m.content.includes(`def ${topic.functionName}(`));
  if (!hasWork) return { topic, stage: 'first', ownTurns };
  if (last === undefined || last.role !== 'user') return { topic, stage: 'after-pass', ownTurns };
  // Test code may itself mention errors; only the results around it count.
  const results = last.content.replace(PYTHON_BLOCK, '');
  const failedAt = lastMatch(FAILURE, results);
  const passedAt = lastMatch(SUCCESS, results);
  return { topic, stage: failedAt > passedAt ? 'after-failure' : 'after-pass', ownTurns };
}

/**
 * The task: the first of our functions defined anywhere in the conversation (so a later
 * turn keeps the topic even when the prose mentions others), else keywords in the request.
 */
function topicOf(dialogue: readonly ChatMessage[]): DemoTopic {
  const all = [...DEMO_TOPICS, FALLBACK_TOPIC];
  const text = dialogue.map((m) => m.content).join('\n\n');
  let earliest: { topic: DemoTopic; at: number } | undefined;
  for (const topic of all) {
    const at = text.indexOf(`def ${topic.functionName}(`);
    if (at >= 0 && (earliest === undefined || at < earliest.at)) earliest = { topic, at };
  }
  if (earliest !== undefined) return earliest.topic;
  const request = dialogue.find((m) => m.role === 'user')?.content ?? '';
  return DEMO_TOPICS.find((topic) => topic.keywords?.test(request) === true) ?? FALLBACK_TOPIC;
}

function lastMatch(pattern: RegExp, text: string): number {
  let at = -1;
  for (const match of text.matchAll(pattern)) at = match.index;
  return at;
}
