/**
 * `GET /api/notebooks/NAME/ws`: the upgrade is checked (token, Origin, name)
 * before it is accepted; then the browser gets a snapshot and every later event
 * in order, and its commands are validated and applied.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { assertNever } from '../util/assert-never.ts';
import type { Logger } from '../log.ts';
import type { ClientCommand } from '../protocol/index.ts';
import { checkRequest, originAllowed, type AuthOptions } from './auth.ts';
import { ClientChannel } from './client-channel.ts';
import { parseCommand } from './commands.ts';
import { checkName, type Detach, type OpenNotebook, type OpenNotebooks } from '../sessions/index.ts';
import { clientRefusal, closeFrame, HttpError } from './errors.ts';

export interface NotebookSocketOptions {
  auth: AuthOptions;
  notebooks: OpenNotebooks;
  log: Logger;
  coalesceMs: number;
  maxBufferedBytes: number;
  /** Largest command accepted, bytes. */
  maxMessageBytes: number;
}

const PATH = /^\/api\/notebooks\/([^/]+)\/ws$/;

/** Handles `upgrade` events of the HTTP server. */
export class NotebookSockets {
  readonly #o: NotebookSocketOptions;
  readonly #wss: WebSocketServer;

  constructor(opts: NotebookSocketOptions) {
    this.#o = opts;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes, perMessageDeflate: false });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    void this.#upgrade(req, socket, head).catch((err: unknown) => {
      this.#o.log.error({ err: String(err) }, 'websocket upgrade failed');
      refuse(socket, 500, 'The server failed to open this notebook.');
    });
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { log, auth } = this.#o;
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    const verdict = checkRequest(req, auth);
    if (!verdict.ok) {
      log.warn({ security: 'refused', reason: verdict.reason, path, ip: req.socket.remoteAddress }, 'websocket refused');
      return refuse(socket, verdict.status, 'Open the URL `duet serve` printed: it carries the access token.');
    }
    if (!originAllowed(req, auth)) {
      log.warn({ security: 'refused', reason: 'foreign origin', origin: req.headers.origin, path }, 'websocket refused');
      return refuse(socket, 403, 'WebSocket connections from another site are refused.');
    }
    const m = PATH.exec(path);
    if (!m) return refuse(socket, 404, 'No WebSocket here.');
    let nb: OpenNotebook;
    try {
      let name: string;
      try {
        name = checkName(decodeURIComponent(m[1] as string));
      } catch (err) {
        if (err instanceof URIError) throw new HttpError(400, 'The notebook name is not valid percent-encoding.');
        throw err;
      }
      nb = await this.#o.notebooks.open(name);
    } catch (err) {
      const refusal = clientRefusal(err);
      if (refusal) return refuse(socket, refusal.status, refusal.message);
      throw err;
    }
    if (socket.destroyed) return;
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#attach(ws, nb, socket));
  }

  /** `socket` is the connection the WebSocket runs on: the channel corks it to write a batch of frames at once. */
  #attach(ws: WebSocket, nb: OpenNotebook, socket: Duplex): void {
    const log = this.#o.log.child({ notebook: nb.name });
    const channel = new ClientChannel(ws, {
      coalesceMs: this.#o.coalesceMs,
      maxBufferedBytes: this.#o.maxBufferedBytes,
      transport: socket,
      onDropped: () => log.warn({ buffered: ws.bufferedAmount }, 'dropped a browser that fell behind; it reconnects for a fresh snapshot'),
    });
    const client = {
      detach: (why: Detach) => {
        const { code, reason } = closeFrame(why);
        ws.close(code, reason);
      },
    };
    // Snapshot and subscription in one turn of the event loop: nothing is lost or sent twice.
    channel.snapshot(nb.doc.snapshot());
    const unsubscribe = nb.doc.on((event) => channel.event(event));
    nb.clients.add(client);
    nb.lastActivity = Date.now();
    ws.on('message', (data, isBinary) => {
      if (isBinary) return channel.error('Commands are JSON text messages.');
      this.#command(nb, channel, data.toString(), log);
    });
    ws.on('close', () => {
      unsubscribe();
      channel.close();
      nb.clients.delete(client);
      nb.lastActivity = Date.now();
    });
    ws.on('error', (err) => log.debug({ err: String(err) }, 'websocket error'));
  }

  #command(nb: OpenNotebook, channel: ClientChannel, raw: string, log: Logger): void {
    const parsed = parseCommand(raw);
    if (!parsed.ok) {
      log.info({ error: parsed.error }, 'refused a command');
      return channel.error(parsed.error, parsed.type);
    }
    const cmd = parsed.command;
    const fail = (err: unknown): void => {
      if (clientRefusal(err) === null) log.error({ err: String(err), command: cmd.type }, 'command failed');
      channel.error(err instanceof Error ? err.message : String(err), cmd.type);
    };
    try {
      const done = apply(nb, cmd);
      if (done instanceof Promise) done.catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  /** Closes every socket (the server is stopping). */
  close(): void {
    const { code, reason } = closeFrame({ kind: 'shutdown' });
    for (const ws of this.#wss.clients) ws.close(code, reason);
    this.#wss.close();
  }
}

/** Applies a command; a promise when the command finishes later. */
function apply(nb: OpenNotebook, cmd: ClientCommand): Promise<void> | void {
  switch (cmd.type) {
    case 'edit-source':
      return nb.editSource(cmd.id, cmd.source);
    case 'add-cell':
      nb.addCell(cmd.index, cmd.cellType, cmd.role);
      return;
    case 'delete-cell':
      return nb.deleteCell(cmd.id);
    case 'move-cell':
      return nb.moveCell(cmd.id, cmd.index);
    case 'run-cell':
      return nb.runCell(cmd.id);
    case 'run-all':
      return nb.runAll();
    case 'start-run': {
      const { type: _type, ...req } = cmd;
      return nb.startRun(req);
    }
    case 'continue-run': {
      const { type: _type, ...req } = cmd;
      return nb.continueRun(req);
    }
    case 'retry-turn':
      return nb.retryTurn();
    case 'new-conversation':
      return nb.newConversation();
    case 'set-cell-kind':
      return nb.setCellKind(cmd.id, cmd.cellType, cmd.role);
    case 'restore-cell':
      nb.restoreCell(cmd.index, cmd.cell);
      return;
    case 'save':
      return nb.save();
    case 'set-settings':
      return nb.setSettings(cmd.settings);
    case 'stop':
      return nb.stop();
    case 'interrupt':
      return nb.interrupt();
    case 'restart':
      return nb.restart();
    default:
      return assertNever(cmd);
  }
}

/** Answers an upgrade request with an HTTP error and closes the socket. */
function refuse(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: message });
  const reason = STATUS_CODES[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
