export * from './llm/index.ts';
export * from './models/index.ts';
export * from './demo/index.ts';
export * from './notebook/index.ts';
export * from './splitter/index.ts';
export * from './controller/index.ts';
export * from './config/index.ts';
