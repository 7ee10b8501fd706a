/**
 * Jupyter messages Duet sends and understands, as unions on `msg_type`, with one
 * guard per type. Content from the kernel is hostile until a guard has checked it.
 */
import { randomUUID } from 'node:crypto';
import type { DisplayDataOutput, ErrorOutput, ExecuteResultOutput, MimeBundle, StreamOutput } from './outputs.ts';
import type { ExecuteEvent } from './session-types.ts';
import type { MessageHeader, WireMessage } from './wire.ts';

export type ChannelName = 'shell' | 'control' | 'iopub' | 'stdin';

export const PROTOCOL_VERSION = '5.3';

/** An incoming message whose content has been checked, narrowed by `msg_type`. */
export type KernelMessage =
  | { msg_type: 'status'; parent: string | null; content: { execution_state: 'busy' | 'idle' | 'starting' | string } }
  | { msg_type: 'stream'; parent: string | null; content: { name: 'stdout' | 'stderr'; text: string } }
  | { msg_type: 'display_data'; parent: string | null; content: { data: MimeBundle; metadata: Record<string, unknown>; transient?: { display_id?: string } } }
  | { msg_type: 'update_display_data'; parent: string | null; content: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id: string } } }
  | { msg_type: 'execute_result'; parent: string | null; content: { execution_count: number | null; data: MimeBundle; metadata: Record<string, unknown> } }
  | { msg_type: 'error'; parent: string | null; content: { ename: string; evalue: string; traceback: string[] } }
  | { msg_type: 'clear_output'; parent: string | null; content: { wait: boolean } }
  | { msg_type: 'execute_reply'; parent: string | null; content: { status: 'ok' | 'error' | 'aborted'; execution_count: number | null; ename?: string; evalue?: string } }
  | { msg_type: 'kernel_info_reply'; parent: string | null; content: KernelInfoContent }
  | { msg_type: 'interrupt_reply'; parent: string | null; content: { status: string } }
  | { msg_type: 'shutdown_reply'; parent: string | null; content: { status?: string; restart?: boolean } }
  | { msg_type: 'input_request'; parent: string | null; content: { prompt: string; password: boolean } }
  | { msg_type: 'other'; type: string; parent: string | null };

export interface KernelInfoContent {
  protocol_version: string;
  implementation: string;
  implementation_version: string;
  language_info: { name?: string; version?: string };
  status?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isInteger(v));
const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
/** A MIME bundle: string keys, and values that are strings or JSON (application/json). */
const isBundle = (v: unknown): v is MimeBundle => isObj(v);

/** Narrows a decoded message. Known types with malformed content become `other`, never a half-checked value. */
export function classify(msg: WireMessage): KernelMessage {
  const parent = isStr(msg.parent_header.msg_id) ? msg.parent_header.msg_id : null;
  const c = msg.content;
  const t = msg.header.msg_type;
  const other: KernelMessage = { msg_type: 'other', type: t, parent };
  if (!isObj(c)) return other;
  switch (t) {
    case 'status':
      return isStr(c.execution_state) ? { msg_type: t, parent, content: { execution_state: c.execution_state } } : other;
    case 'stream':
      return (c.name === 'stdout' || c.name === 'stderr') && isStr(c.text) ? { msg_type: t, parent, content: { name: c.name, text: c.text } } : other;
    case 'display_data':
      return isBundle(c.data)
        ? { msg_type: t, parent, content: { data: c.data, metadata: isObj(c.metadata) ? c.metadata : {}, ...displayId(c.transient) } }
        : other;
    case 'update_display_data': {
      const id = displayId(c.transient).transient?.display_id;
      return isBundle(c.data) && id !== undefined
        ? { msg_type: t, parent, content: { data: c.data, metadata: isObj(c.metadata) ? c.metadata : {}, transient: { display_id: id } } }
        : other;
    }
    case 'execute_result':
      return isBundle(c.data) && isCount(c.execution_count ?? null)
        ? { msg_type: t, parent, content: { data: c.data, metadata: isObj(c.metadata) ? c.metadata : {}, execution_count: (c.execution_count as number | null | undefined) ?? null } }
        : other;
    case 'error':
      return isStr(c.ename) && isStr(c.evalue) && isStrArray(c.traceback) ? { msg_type: t, parent, content: { ename: c.ename, evalue: c.evalue, traceback: c.traceback } } : other;
    case 'clear_output':
      return { msg_type: t, parent, content: { wait: c.wait === true } };
    case 'execute_reply': {
      const status = c.status === 'ok' || c.status === 'error' || c.status === 'aborted' ? c.status : null;
      if (status === null || !isCount(c.execution_count ?? null)) return other;
      return {
        msg_type: t,
        parent,
        content: {
          status,
          execution_count: (c.execution_count as number | null | undefined) ?? null,
          ...(isStr(c.ename) ? { ename: c.ename } : {}),
          ...(isStr(c.evalue) ? { evalue: c.evalue } : {}),
        },
      };
    }
    case 'kernel_info_reply':
      return isStr(c.protocol_version)
        ? {
            msg_type: t,
            parent,
            content: {
              protocol_version: c.protocol_version,
              implementation: isStr(c.implementation) ? c.implementation : 'unknown',
              implementation_version: isStr(c.implementation_version) ? c.implementation_version : 'unknown',
              language_info: isObj(c.language_info)
                ? { ...(isStr(c.language_info.name) ? { name: c.language_info.name } : {}), ...(isStr(c.language_info.version) ? { version: c.language_info.version } : {}) }
                : {},
            },
          }
        : other;
    case 'interrupt_reply':
      return { msg_type: t, parent, content: { status: isStr(c.status) ? c.status : 'unknown' } };
    case 'shutdown_reply':
      return { msg_type: t, parent, content: { ...(isStr(c.status) ? { status: c.status } : {}), restart: c.restart === true } };
    case 'input_request':
      return { msg_type: t, parent, content: { prompt: isStr(c.prompt) ? c.prompt : '', password: c.password === true } };
    default:
      return other;
  }
}

function displayId(transient: unknown): { transient?: { display_id: string } } {
  return isObj(transient) && isStr(transient.display_id) ? { transient: { display_id: transient.display_id } } : {};
}

/** Builds the header of a request from this client. */
export function makeHeader(msgType: string, session: string): MessageHeader {
  return {
    msg_id: randomUUID(),
    msg_type: msgType,
    session,
    username: 'duet',
    date: new Date().toISOString(),
    version: PROTOCOL_VERSION,
  };
}

/** nbformat output for an IOPub message that carries one, else null. */
export function toOutput(m: KernelMessage): StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput | null {
  switch (m.msg_type) {
    case 'stream':
      return { output_type: 'stream', name: m.content.name, text: m.content.text };
    case 'display_data':
      return { output_type: 'display_data', data: m.content.data, metadata: m.content.metadata, ...(m.content.transient ? { transient: m.content.transient } : {}) };
    case 'execute_result':
      return { output_type: 'execute_result', execution_count: m.content.execution_count, data: m.content.data, metadata: m.content.metadata };
    case 'error':
      return { output_type: 'error', ename: m.content.ename, evalue: m.content.evalue, traceback: m.content.traceback };
    default:
      return null;
  }
}

/** What a cell that calls input() is told: Duet never waits for keyboard input. */
export const INPUT_ERROR = 'input() is not available in Duet: notebook code cannot ask for keyboard input. Put the value in the code instead.';

/** The execute event an IOPub message carries, if any. `input()` errors get Duet's own words. */
export function toEvent(m: KernelMessage): ExecuteEvent | null {
  if (m.msg_type === 'clear_output') return { kind: 'clear_output', wait: m.content.wait };
  if (m.msg_type === 'update_display_data') {
    return { kind: 'update_display', displayId: m.content.transient.display_id, output: { output_type: 'display_data', data: m.content.data, metadata: m.content.metadata } };
  }
  if (m.msg_type === 'error' && m.content.ename === 'StdinNotImplementedError') {
    return { kind: 'output', output: { output_type: 'error', ename: 'StdinNotImplementedError', evalue: INPUT_ERROR, traceback: m.content.traceback } };
  }
  const output = toOutput(m);
  return output ? { kind: 'output', output } : null;
}
