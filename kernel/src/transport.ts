/**
 * How a {@link KernelClient}'s messages reach a kernel and come back. The client
 * speaks the Jupyter protocol; a transport only carries it: ZeroMQ sockets to a
 * kernel on this machine ({@link zmqTransport}), or a gateway's channels
 * WebSocket to a kernel elsewhere (remote/gateway-socket.ts).
 */
import type { ChannelName } from './messages.ts';
import type { MessageHeader, WireMessage } from './wire.ts';

/** A message the client sends, before any transport has encoded it. */
export interface OutgoingMessage {
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
}

/** The channels a client writes to (IOPub only ever comes in). */
export type SendChannel = Exclude<ChannelName, 'iopub'>;

export interface KernelTransport {
  /** Sends one message; rejects when it cannot go out. */
  send(channel: SendChannel, msg: OutgoingMessage): Promise<void>;
  close(): void;
}

/** Hands every message the kernel sends, already checked by the transport, to the client. */
export type Receive = (channel: ChannelName, msg: WireMessage) => void;

/** Opens a transport that delivers what arrives to `receive`. */
export type ConnectTransport = (receive: Receive, sessionId: string) => KernelTransport;
