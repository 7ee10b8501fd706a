/** Types shared by the server and the browser. Types only: no runtime code. */
export type * from './notebook.ts';
export type * from './events.ts';
export type { NbOutput, StreamOutput, DisplayDataOutput, ExecuteResultOutput, ErrorOutput, MimeBundle } from '@duet/kernel';
export type * from './api.ts';
