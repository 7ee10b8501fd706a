export type { ModelEndpoint, RunOptions, RunSummary, CellOutcome, ServerKind } from './types.ts';
export { CellRunner } from './cell-runner.ts';
export type { CellRunnerOptions } from './cell-runner.ts';
export { GenerationController } from './generation-controller.ts';
export type { GenerationControllerOptions } from './generation-controller.ts';
export { hasAssert, testStatusFor, isBlocked } from './test-status.ts';
export { feedbackText, cutToBudget, outputsText, stripAnsi } from './feedback.ts';
export { buildMessages, systemPrompt } from './prompts.ts';
export type { TurnRecord } from './prompts.ts';
