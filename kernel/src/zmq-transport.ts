/**
 * The local transport: one ZeroMQ socket per channel, every message signed and
 * checked with the connection's key (see wire.ts).
 */
import { Channel } from './channel.ts';
import { endpoint, type ConnectionInfo } from './connection.ts';
import type { KernelLogger } from './logger.ts';
import type { ChannelName } from './messages.ts';
import type { ConnectTransport, KernelTransport } from './transport.ts';
import { WireCodec } from './wire.ts';

/** Connects to the kernel described by `info`. */
export function zmqTransport(info: ConnectionInfo, log: KernelLogger): ConnectTransport {
  return (receive, sessionId): KernelTransport => {
    const codec = new WireCodec(info.key);
    const routingId = `duet-${sessionId}`;
    const reconnect = info.transport === 'tcp';
    const channel = (name: ChannelName, kind: 'dealer' | 'sub', routed: boolean): Channel =>
      new Channel({
        name,
        kind,
        endpoint: endpoint(info, name),
        codec,
        reconnect,
        log,
        onMessage: (msg) => receive(name, msg),
        ...(routed ? { routingId } : {}),
      });
    // shell and stdin share a routing id, so the kernel can route input_request to us.
    const channels = { shell: channel('shell', 'dealer', true), control: channel('control', 'dealer', false), stdin: channel('stdin', 'dealer', true), iopub: channel('iopub', 'sub', false) };
    return {
      send: (name, msg) => channels[name].send(codec.encode(msg)),
      close: () => {
        for (const ch of Object.values(channels)) ch.close();
      },
    };
  };
}
