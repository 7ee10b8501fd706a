export { startServer, ownOrigins } from './server.ts';
export type { RunningServer, ServerDeps } from './server.ts';
export { newToken, tokensEqual } from './auth.ts';
export { CONTENT_SECURITY_POLICY } from './security-headers.ts';
export { ClientChannel } from './client-channel.ts';
export type { ClientChannelOptions } from './client-channel.ts';
export { resolveRunModels, slotBaseUrl, DEMO_BASE_URL_KEYWORD } from './run-models.ts';
export type { ModelContext } from './run-models.ts';
