export { DEMO_MODELS } from './answers.ts';
export type { DemoModel, DemoAnswer } from './answers.ts';
export { demoScript, demoAnswer, startDemoServer } from './demo-script.ts';
export type { DemoPacing } from './demo-script.ts';
export { readSituation } from './conversation.ts';
export type { DemoSituation, DemoStage } from './conversation.ts';
export { DEMO_TOPICS, FALLBACK_TOPIC } from './topics.ts';
export type { DemoTopic } from './topics.ts';
