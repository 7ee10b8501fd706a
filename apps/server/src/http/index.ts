export { startServer, ownOrigins } from './server.ts';
export type { RunningServer, ServerDeps } from './server.ts';
export { newToken, tokensEqual } from './auth.ts';
export { nameProblem, checkName } from './names.ts';
export { CLOSE_CODES } from './open-notebooks.ts';
export { CONTENT_SECURITY_POLICY } from './security-headers.ts';
