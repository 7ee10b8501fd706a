import { describe, expect, it } from 'vitest';
import { classify, type KernelMessage, type WireMessage } from '@duet/kernel';

function wire(msgType: string, content: unknown, parentId?: unknown): WireMessage {
  return {
    identities: [],
    header: { msg_id: 'k-1', msg_type: msgType, session: 'kernel', username: 'kernel', date: '', version: '5.3' },
    parent_header: parentId === undefined ? {} : ({ msg_id: parentId } as WireMessage['parent_header']),
    metadata: {},
    content,
    buffers: [],
  };
}

interface Case {
  name: string;
  msgType: string;
  content: unknown;
}

const malformed: Case[] = [
  { name: 'a status without execution_state', msgType: 'status', content: {} },
  { name: 'a status whose execution_state is a number', msgType: 'status', content: { execution_state: 1 } },
  { name: 'a stream on an unknown stream name', msgType: 'stream', content: { name: 'stdnull', text: 'x' } },
  { name: 'a stream without text', msgType: 'stream', content: { name: 'stdout' } },
  { name: 'a stream whose text is an array', msgType: 'stream', content: { name: 'stdout', text: ['a', 'b'] } },
  { name: 'display_data without data', msgType: 'display_data', content: { metadata: {} } },
  { name: 'display_data whose data is a string', msgType: 'display_data', content: { data: '<b>x</b>', metadata: {} } },
  { name: 'display_data whose data is an array', msgType: 'display_data', content: { data: [], metadata: {} } },
  { name: 'update_display_data without a display id', msgType: 'update_display_data', content: { data: {}, metadata: {}, transient: {} } },
  { name: 'update_display_data without transient', msgType: 'update_display_data', content: { data: {}, metadata: {} } },
  { name: 'update_display_data whose display id is a number', msgType: 'update_display_data', content: { data: {}, metadata: {}, transient: { display_id: 3 } } },
  { name: 'execute_result without data', msgType: 'execute_result', content: { execution_count: 1, metadata: {} } },
  { name: 'execute_result with a fractional execution_count', msgType: 'execute_result', content: { execution_count: 1.5, data: {}, metadata: {} } },
  { name: 'execute_result with a string execution_count', msgType: 'execute_result', content: { execution_count: '1', data: {}, metadata: {} } },
  { name: 'an error without a traceback', msgType: 'error', content: { ename: 'E', evalue: 'v' } },
  { name: 'an error whose traceback holds a number', msgType: 'error', content: { ename: 'E', evalue: 'v', traceback: ['line', 2] } },
  { name: 'an error without ename', msgType: 'error', content: { evalue: 'v', traceback: [] } },
  { name: 'an execute_reply with an unknown status', msgType: 'execute_reply', content: { status: 'fine', execution_count: 1 } },
  { name: 'an execute_reply without status', msgType: 'execute_reply', content: { execution_count: 1 } },
  { name: 'an execute_reply with a string execution_count', msgType: 'execute_reply', content: { status: 'ok', execution_count: 'one' } },
  { name: 'a kernel_info_reply without protocol_version', msgType: 'kernel_info_reply', content: { implementation: 'ipython' } },
  { name: 'a kernel_info_reply whose protocol_version is a number', msgType: 'kernel_info_reply', content: { protocol_version: 5.3 } },
  { name: 'known content that is not an object', msgType: 'stream', content: 'stdout: hi' },
  { name: 'known content that is null', msgType: 'execute_reply', content: null },
  { name: 'a message type Duet does not know', msgType: 'comm_open', content: { comm_id: 'c', target_name: 't', data: {} } },
];

describe('classify', () => {
  it.each(malformed)('turns $name into other', ({ msgType, content }) => {
    expect(classify(wire(msgType, content, 'req-1'))).toEqual({ msg_type: 'other', type: msgType, parent: 'req-1' });
  });

  const wellFormed: { name: string; msgType: string; content: unknown; expected: KernelMessage }[] = [
    {
      name: 'a stream',
      msgType: 'stream',
      content: { name: 'stderr', text: 'oops\n', extra: true },
      expected: { msg_type: 'stream', parent: 'req-1', content: { name: 'stderr', text: 'oops\n' } },
    },
    {
      name: 'an execute_result with no execution_count',
      msgType: 'execute_result',
      content: { data: { 'text/plain': '2' } },
      expected: { msg_type: 'execute_result', parent: 'req-1', content: { execution_count: null, data: { 'text/plain': '2' }, metadata: {} } },
    },
    {
      name: 'a display_data with a display id',
      msgType: 'display_data',
      content: { data: { 'text/html': '<b>x</b>' }, metadata: { isolated: true }, transient: { display_id: 'd-1' } },
      expected: {
        msg_type: 'display_data',
        parent: 'req-1',
        content: { data: { 'text/html': '<b>x</b>' }, metadata: { isolated: true }, transient: { display_id: 'd-1' } },
      },
    },
    {
      name: 'an update_display_data',
      msgType: 'update_display_data',
      content: { data: { 'text/plain': 'b' }, metadata: 'not an object', transient: { display_id: 'd-1' } },
      expected: { msg_type: 'update_display_data', parent: 'req-1', content: { data: { 'text/plain': 'b' }, metadata: {}, transient: { display_id: 'd-1' } } },
    },
    {
      name: 'an execute_reply with an error',
      msgType: 'execute_reply',
      content: { status: 'error', execution_count: 3, ename: 'ZeroDivisionError', evalue: 'division by zero', traceback: [] },
      expected: { msg_type: 'execute_reply', parent: 'req-1', content: { status: 'error', execution_count: 3, ename: 'ZeroDivisionError', evalue: 'division by zero' } },
    },
    {
      name: 'a clear_output whose wait is not a boolean (treated as no wait)',
      msgType: 'clear_output',
      content: { wait: 'yes' },
      expected: { msg_type: 'clear_output', parent: 'req-1', content: { wait: false } },
    },
  ];

  it.each(wellFormed)('keeps $name, with only the checked fields', ({ msgType, content, expected }) => {
    expect(classify(wire(msgType, content, 'req-1'))).toEqual(expected);
  });

  it.each([
    { name: 'no parent header', parentId: undefined },
    { name: 'a parent msg_id that is not a string', parentId: 42 },
  ])('gives parent null for $name', ({ parentId }) => {
    expect(classify(wire('status', { execution_state: 'idle' }, parentId))).toEqual({
      msg_type: 'status',
      parent: null,
      content: { execution_state: 'idle' },
    });
  });
});
