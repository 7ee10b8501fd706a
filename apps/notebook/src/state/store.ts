/**
 * One open notebook: the socket, the document it builds, and the notices for the
 * person. Events are applied once per animation frame, so a model streaming 200
 * tokens a second costs the page one render per frame, not one per token.
 */
import type { ClientCommand, DocumentEvent, NotebookSnapshot, ServerMessage } from '@duet/server/protocol';
import { classifyClose, unavailableReason, type UnavailableReason } from '../api/close-codes.ts';
import { notebookSocketUrl, notebookStatus } from '../api/http.ts';
import { NotebookSocket, type CloseDecision, type ConnectionStatus, type SocketClose } from '../api/socket.ts';
import { assertNever } from '../util/assert-never.ts';
import { CALM, watchKernel, type KernelWatch } from './kernel-watch.ts';
import { applyEvents } from './reducer.ts';
import { NO_RUN_START, runStartAfter, runStartOnDisconnect, type RunStart } from './run-start.ts';

/** A message for the person: from the server, or about a command that failed. */
export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  message: string;
  /** Sent while the kernel was in trouble (see {@link KernelWatch}): shown in the kernel's banner, gone when the trouble is. */
  kernel: boolean;
}

/** Why this page stopped following the notebook for good. */
export type NotebookEnd =
  | { kind: 'deleted' }
  | { kind: 'renamed'; to: string }
  /** It could not be opened; `message` is the server's own explanation. */
  | { kind: 'unavailable'; reason: UnavailableReason; message: string };

/** Everything the notebook view draws. Replaced, never mutated, on each change. */
export interface NotebookViewState {
  notebook: NotebookSnapshot | null;
  connection: ConnectionStatus;
  notices: Notice[];
  /** Null while the page follows the notebook (or tries to). */
  ended: NotebookEnd | null;
  runStart: RunStart;
}

const MAX_NOTICES = 5;

/** The state of one open notebook, as an external store for `useSyncExternalStore`. */
export class NotebookStore {
  private state: NotebookViewState = { notebook: null, connection: 'connecting', notices: [], ended: null, runStart: NO_RUN_START };
  private readonly listeners = new Set<() => void>();
  private pending: DocumentEvent[] = [];
  private frame: number | null = null;
  private fallbackTimer: ReturnType<typeof setTimeout> | null = null;
  private nextNoticeId = 1;
  private kernelWatch: KernelWatch = CALM;
  private readonly socket: NotebookSocket;
  private disposed = false;

  constructor(readonly name: string) {
    this.socket = new NotebookSocket(notebookSocketUrl(name), {
      onMessage: (m) => this.receive(m),
      onStatus: (connection) =>
        this.set({ ...this.state, connection, runStart: connection === 'open' ? this.state.runStart : runStartOnDisconnect(this.state.runStart) }),
      onClose: (close) => this.closed(close),
    });
  }

  /** The current state; the same object until something changes. */
  getState = (): NotebookViewState => this.state;

  /** Registers a listener; returns its removal. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Sends a command, telling the person if it could not be sent. */
  send(command: ClientCommand): boolean {
    const sent = this.socket.send(command);
    if (!sent) {
      this.notify('error', 'Not connected to the Duet server, so that was not sent. It will reconnect; try again then.');
    }
    return sent;
  }

  /** Sends a request for a run; the prompt box follows `runStart` to know when the text may go. */
  startRun(command: Extract<ClientCommand, { type: 'start-run' }>): boolean {
    if (this.state.runStart.phase === 'starting') return false;
    if (!this.send(command)) return false;
    this.set({ ...this.state, runStart: { phase: 'starting', prompt: command.prompt } });
    return true;
  }

  /** Sends an edit and shows it at once, without waiting for the server's echo. */
  editSource(id: string, source: string): void {
    if (!this.send({ type: 'edit-source', id, source })) return;
    this.pending.push({ type: 'source-set', id, source });
    this.flush();
  }

  /** Adds a notice for the person; one already shown with the same words moves to the end instead of showing twice. */
  notify(level: Notice['level'], message: string, kernel = false): void {
    const notice: Notice = { id: this.nextNoticeId++, level, message, kernel };
    const others = this.state.notices.filter((n) => n.level !== level || n.message !== message);
    this.set({ ...this.state, notices: [...others, notice].slice(-MAX_NOTICES) });
  }

  /** Removes a notice. */
  dismissNotice(id: number): void {
    this.set({ ...this.state, notices: this.state.notices.filter((n) => n.id !== id) });
  }

  /** Removes the notices about the kernel's trouble (its banner's dismiss, or the trouble is over). */
  dismissKernelNotices(): void {
    if (!this.state.notices.some((n) => n.kernel)) return;
    this.set({ ...this.state, notices: this.state.notices.filter((n) => !n.kernel) });
  }

  /** Closes the socket; the store is dead afterwards. */
  dispose(): void {
    this.disposed = true;
    this.cancelFrame();
    this.socket.close();
    this.listeners.clear();
  }

  /** What a close the page did not ask for means: see {@link classifyClose}. */
  private closed(close: SocketClose): CloseDecision | Promise<CloseDecision> {
    const server = classifyClose(close.code, close.reason);
    switch (server.kind) {
      case 'deleted':
        this.end({ kind: 'deleted' });
        return 'stop';
      case 'renamed':
        this.end({ kind: 'renamed', to: server.to });
        return 'stop';
      case 'replaced':
        return 'reconnect-now';
      case 'lost':
        // A browser is told nothing about a refused upgrade; the HTTP API says why.
        return close.opened ? 'reconnect' : this.whyNotOpened();
      default:
        return assertNever(server, 'server close');
    }
  }

  private async whyNotOpened(): Promise<CloseDecision> {
    const { status, error } = await notebookStatus(this.name);
    const reason = unavailableReason(status);
    if (reason === null || this.disposed) return 'reconnect';
    this.end({ kind: 'unavailable', reason, message: error ?? `The server answered HTTP ${status} for ${this.name}.` });
    return 'stop';
  }

  private end(ended: NotebookEnd): void {
    this.set({ ...this.state, ended });
  }

  private receive(message: ServerMessage): void {
    const runStart = runStartAfter(this.state.runStart, message);
    if (runStart !== this.state.runStart) {
      this.set({ ...this.state, runStart });
      // The prompt box shows a refusal next to the kept text; a notice would say it twice.
      if (runStart.phase === 'refused') return;
    }
    switch (message.type) {
      case 'snapshot':
        // Events still queued belong to the previous connection; the snapshot supersedes them.
        this.pending = [];
        this.cancelFrame();
        this.set({ ...this.state, notebook: message.notebook });
        return;
      case 'event':
        this.watch(message.event);
        if (message.event.type === 'notice') {
          this.notify(message.event.level, message.event.message, this.kernelWatch.troubled);
          return;
        }
        this.pending.push(message.event);
        this.scheduleFrame();
        return;
      case 'error':
        this.notify('error', message.message);
        return;
      default:
        return assertNever(message, 'server message');
    }
  }

  /** Follows the kernel's trouble; its notices go once a cell runs fine again. */
  private watch(event: DocumentEvent): void {
    const before = this.kernelWatch;
    this.kernelWatch = watchKernel(before, event);
    if (before.troubled && !this.kernelWatch.troubled) this.dismissKernelNotices();
  }

  private scheduleFrame(): void {
    if (this.frame !== null) return;
    this.frame = requestAnimationFrame(() => this.flush());
    // A hidden tab gets no animation frames; keep the document current anyway.
    this.fallbackTimer = setTimeout(() => this.flush(), 500);
  }

  private cancelFrame(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    if (this.fallbackTimer !== null) clearTimeout(this.fallbackTimer);
    this.frame = null;
    this.fallbackTimer = null;
  }

  private flush(): void {
    this.cancelFrame();
    if (this.pending.length === 0 || this.state.notebook === null) return;
    const events = this.pending;
    this.pending = [];
    const notebook = applyEvents(this.state.notebook, events);
    if (notebook !== this.state.notebook) this.set({ ...this.state, notebook });
  }

  private set(state: NotebookViewState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}
