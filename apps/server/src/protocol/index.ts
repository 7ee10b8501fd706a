/** What the server and the browser share: types, the close-code constants and an eval's figures in words. No server code. */
export type * from './notebook.ts';
export type * from './events.ts';
export type { NbOutput, StreamOutput, DisplayDataOutput, ExecuteResultOutput, ErrorOutput, MimeBundle } from '@duet/kernel';
export type * from './api.ts';
export type * from './evals.ts';
export { CLOSE_CODES, MAX_CLOSE_REASON } from './close-codes.ts';
export { comparisonSentence, count, duration, interval, median, percent, pValue } from './eval-figures.ts';
