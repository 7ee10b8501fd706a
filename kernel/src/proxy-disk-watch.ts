/**
 * The disk limit of a kernel behind a gateway. A local session watches its
 * kernel's disk while a cell runs (see {@link DiskBudget}); a proxied kernel has
 * no session, so the proxy does it: it follows execute_request and its reply on
 * the shell channel, measures once a second while one is open, and past the
 * limit tells the cell why (an error on IOPub, signed with the gateway's key, as
 * the kernel would send it) and interrupts it, again every second until it ends.
 *
 * Only headers are read, and the kernel's are hostile input: what cannot be
 * parsed is ignored, and nothing read decides more than which cell to stop.
 */
import { randomUUID } from 'node:crypto';
import { diskLimitError, type DiskBudget, type DiskOverage } from './disk-budget.ts';
import type { KernelProxy } from './kernel-proxy.ts';
import type { KernelLogger } from './logger.ts';
import { makeHeader } from './messages.ts';
import { DELIMITER, type MessageHeader, type WireCodec } from './wire.ts';

const CHECK_MS = 1000;

export class ProxyDiskWatch {
  /** The execute_request running now, as the gateway sent it. */
  #current: MessageHeader | null = null;
  /** The request already told it went past the limit. */
  #told: string | null = null;
  #checking = false;
  readonly #timer: NodeJS.Timeout;
  readonly #session = randomUUID();

  constructor(
    readonly budget: DiskBudget,
    readonly proxy: KernelProxy,
    readonly codec: WireCodec,
    readonly interrupt: () => Promise<void>,
    readonly log: KernelLogger,
  ) {
    proxy.observeShell((direction, frames) => this.#see(direction, frames));
    this.#timer = setInterval(() => void this.#check(), CHECK_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #see(direction: 'to kernel' | 'to gateway', frames: readonly Buffer[]): void {
    const at = frames.findIndex((f) => f.equals(DELIMITER));
    if (at < 0) return;
    if (direction === 'to kernel') {
      const header = parseObject(frames[at + 2]);
      if (header?.msg_type === 'execute_request' && typeof header.msg_id === 'string') this.#current = header as unknown as MessageHeader;
      return;
    }
    const header = parseObject(frames[at + 2]);
    if (header?.msg_type !== 'execute_reply') return;
    const parent = parseObject(frames[at + 3]);
    if (parent && this.#current && parent.msg_id === this.#current.msg_id) this.#current = null;
  }

  async #check(): Promise<void> {
    const request = this.#current;
    if (!request || this.#checking) return;
    this.#checking = true;
    try {
      const over = await this.budget.quickOverage().catch(() => null);
      if (!over || this.#current?.msg_id !== request.msg_id) return;
      if (this.#told !== request.msg_id) {
        this.#told = request.msg_id;
        await this.#tell(request, over);
      }
      await this.interrupt();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not stop a cell past the disk limit');
    } finally {
      this.#checking = false;
    }
  }

  /** An error output on IOPub, a child of the cell's request, as the kernel's own would be. */
  async #tell(request: MessageHeader, over: DiskOverage): Promise<void> {
    const { output_type: _type, ...content } = diskLimitError(over);
    this.log.warn({ over }, 'kernel past its disk limit: interrupting the cell');
    const header = makeHeader('error', this.#session);
    await this.proxy.publish(this.codec.encode({ identities: [Buffer.from('kernel.duet.error')], header, parent_header: request, metadata: {}, content }));
  }
}

function parseObject(frame: Buffer | undefined): Record<string, unknown> | null {
  if (!frame) return null;
  try {
    const v: unknown = JSON.parse(frame.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
