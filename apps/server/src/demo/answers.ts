import { assertNever } from '../util/assert-never.ts';
import type { DemoSituation } from './conversation.ts';
import type { DemoTopic } from './topics.ts';

/** The two scripted models. */
export const DEMO_MODELS = ['demo-a', 'demo-b'] as const;

/** One of {@link DEMO_MODELS}. */
export type DemoModel = (typeof DEMO_MODELS)[number];

/** A composed answer: reasoning sent as `reasoning_content`, then the content text. */
export interface DemoAnswer {
  reasoning: string;
  content: string;
}

function fence(code: string): string {
  return '```python\n' + code + '\n```';
}

function attempt(topic: DemoTopic): string {
  const { intro, code, test, outro } = topic.attempt;
  return `${intro}\n\nRUN-CODE\n${fence(code)}\n\nA quick check:\n\nTEST-ASSERT\n${fence(test)}\n\n${outro}\n`;
}

function solution(intro: string, topic: DemoTopic, code = topic.fixedCode): string {
  const [first, second] = topic.tests;
  return (
    `${intro}\n\n**RUN-CODE**\n${fence(code)}\n\n${topic.testsIntro}\n\n` +
    `**TEST-ASSERT**\n${fence(first)}\n\n**TEST-ASSERT**\n${fence(second)}\n`
  );
}

function extraTest(situation: DemoSituation): string {
  const { extraTests } = situation.topic;
  const extra = extraTests[situation.ownTurns % extraTests.length];
  if (extra === undefined) return 'The tests pass; I have nothing to add.\n';
  return `${extra.intro}\n\nTEST-ASSERT\n${fence(extra.code)}\n`;
}

/**
 * What a demo model answers. demo-a starts with a buggy attempt whose test fails; demo-b
 * starts with a correct answer (reasoning sent as `reasoning_content`). Either one, after
 * a failed test, reasons in `<think>` tags and fixes the code with two passing tests (demo-a's
 * fix of a topic with a `weakFix` still misses an edge case); after passing tests it adds one more.
 */
export function composeAnswer(model: DemoModel, situation: DemoSituation): DemoAnswer {
  const { topic, stage } = situation;
  switch (stage) {
    case 'first':
      return model === 'demo-a'
        ? { reasoning: '', content: attempt(topic) }
        : { reasoning: topic.freshThinking, content: solution(topic.freshIntro, topic) };
    case 'after-failure': {
      // Some of demo-a's fixes pass their own tests and miss an edge case, as weak models' do.
      const code = model === 'demo-a' ? (topic.weakFix ?? topic.fixedCode) : topic.fixedCode;
      return { reasoning: '', content: `<think>\n${topic.fixThinking}\n</think>\n\n${solution(topic.diagnosis, topic, code)}` };
    }
    case 'after-pass':
      return { reasoning: '', content: extraTest(situation) };
    default:
      return assertNever(stage, 'demo stage');
  }
}

