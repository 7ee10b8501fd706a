export type { Script, ScriptStep, ScriptContext, ScriptedRequest } from './script.ts';
export { contentChunks } from './script.ts';
export { ScriptedExchange } from './exchange.ts';
export type { ExchangeOutcome } from './exchange.ts';
export { createModelHandler } from './model-handler.ts';
export type { ModelHandler, ModelHandlerOptions } from './model-handler.ts';
export { ScriptedModelServer } from './scripted-server.ts';
export type { ScriptedModelServerOptions } from './scripted-server.ts';
