export { configSchema, resolveConfig, ConfigError, ENV_NAMES } from './config.ts';
export type { DuetConfig, ConfigKey } from './config.ts';
export { resolveModels } from './models.ts';
export type { ResolvedModels } from './models.ts';
