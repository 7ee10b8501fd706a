/** What the server and the browser share: types, and the close-code constants. No server code. */
export type * from './notebook.ts';
export type * from './events.ts';
export type { NbOutput, StreamOutput, DisplayDataOutput, ExecuteResultOutput, ErrorOutput, MimeBundle } from '@duet/kernel';
export type * from './api.ts';
export type * from './evals.ts';
export { CLOSE_CODES, MAX_CLOSE_REASON } from './close-codes.ts';
