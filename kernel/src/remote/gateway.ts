/**
 * The REST side of a kernel gateway: Jupyter Server, Jupyter Kernel Gateway and
 * Jupyter Enterprise Gateway all serve `/api/kernels` to start, interrupt,
 * restart and delete kernels, and `/api/kernelspecs` to list what they can
 * start. The token goes in an `Authorization: token …` header, never in a URL,
 * and never into a message or a log line.
 */
import { userInfo } from 'node:os';
import { GatewayError } from './gateway-error.ts';

export interface GatewayOptions {
  /** Where the gateway serves `/api`: `http://host:8888`, or with a base path (`…/user/alice/`). */
  url: string;
  token?: string;
  /** How long an ordinary request (not a kernel start) may take. */
  requestTimeoutMs?: number;
}

/** A kernel as the gateway describes it (`GET /api/kernels/{id}`). */
export interface RemoteKernelModel {
  id: string;
  name: string;
  execution_state?: string;
}

/** What {@link Gateway.check} found. */
export interface GatewayCheck {
  /** The server's version, as `/api` gives it. */
  version: string;
  /** The kernels it can start. */
  kernelNames: string[];
  defaultKernel: string | null;
}

export class Gateway {
  /** The API root without a trailing slash, and without any query or credentials. */
  readonly url: string;
  /** `host:port`, for messages. */
  readonly host: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

  constructor(o: GatewayOptions) {
    let parsed: URL;
    try {
      parsed = new URL(o.url);
    } catch {
      throw new GatewayError('invalid', o.url, `"${o.url}" is not a URL. Give the gateway's address, like http://gpu-box:8888.`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new GatewayError('invalid', o.url, `"${o.url}" is not an http(s) URL. Give the gateway's address, like http://gpu-box:8888.`);
    }
    // A token pasted as part of the URL (as Jupyter prints it) is taken out of it: URLs end up in logs.
    const fromUrl = parsed.searchParams.get('token');
    parsed.search = '';
    parsed.hash = '';
    parsed.username = '';
    parsed.password = '';
    this.url = parsed.toString().replace(/\/+$/, '');
    this.host = parsed.host;
    const token = o.token ?? fromUrl ?? undefined;
    this.#headers = token ? { Authorization: `token ${token}` } : {};
    this.#timeoutMs = o.requestTimeoutMs ?? 15_000;
  }

  /** Headers that authenticate a request (for the channels WebSocket too). */
  get headers(): Record<string, string> {
    return { ...this.#headers };
  }

  /**
   * Reaches the gateway with the token and lists its kernels: the start-up check,
   * so that a wrong address or token is one clear message before anything runs.
   */
  async check(): Promise<GatewayCheck> {
    const api = (await this.#json('GET', '/api')) as { version?: unknown };
    const specs = (await this.#json('GET', '/api/kernelspecs')) as { default?: unknown; kernelspecs?: Record<string, unknown> };
    return {
      version: typeof api.version === 'string' ? api.version : 'unknown',
      kernelNames: Object.keys(specs.kernelspecs ?? {}),
      defaultKernel: typeof specs.default === 'string' ? specs.default : null,
    };
  }

  /** Starts a kernel and returns its id. Resolves once the gateway has launched it, which can take tens of seconds on a cluster. */
  async startKernel(name: string, timeoutMs: number): Promise<string> {
    // Enterprise Gateway names and impersonates by KERNEL_USERNAME; Kernel Gateway passes KERNEL_* on; Jupyter Server ignores `env`.
    // `path: ''` asks Jupyter Server for its root folder as the kernel's working directory, rather than wherever the server was started.
    let model: Partial<RemoteKernelModel>;
    try {
      model = (await this.#json('POST', '/api/kernels', { name, path: '', env: { KERNEL_USERNAME: localUser() } }, timeoutMs)) as Partial<RemoteKernelModel>;
    } catch (err) {
      if (!(err instanceof GatewayError) || err.kind !== 'timeout') throw err;
      const s = Math.round(timeoutMs / 1000);
      throw new GatewayError(
        'timeout',
        this.url,
        `The kernel gateway at ${this.url} did not start a "${name}" kernel within ${s} s. A cluster can take longer to launch one: raise --kernel-start-timeout (now ${s} s), and check the gateway's log.`,
      );
    }
    if (typeof model.id !== 'string' || !/^[\w-]+$/.test(model.id)) throw new GatewayError('failed', this.url, `The gateway at ${this.url} started a kernel but did not say its id.`);
    return model.id;
  }

  /** The kernel's model, or null when the gateway no longer has it. */
  async kernel(id: string): Promise<RemoteKernelModel | null> {
    return (await this.#json('GET', `/api/kernels/${id}`, undefined, this.#timeoutMs, true)) as RemoteKernelModel | null;
  }

  /** The gateway's kernels. */
  async kernels(): Promise<RemoteKernelModel[]> {
    return (await this.#json('GET', '/api/kernels')) as RemoteKernelModel[];
  }

  /** Interrupts the kernel; false when the gateway no longer has it. */
  async interrupt(id: string): Promise<boolean> {
    return (await this.#json('POST', `/api/kernels/${id}/interrupt`, {}, this.#timeoutMs, true)) !== null;
  }

  /** Restarts the kernel and resolves once it is back; false when the gateway no longer has it. */
  async restart(id: string, timeoutMs: number): Promise<boolean> {
    return (await this.#json('POST', `/api/kernels/${id}/restart`, {}, timeoutMs, true)) !== null;
  }

  /** Deletes the kernel; one the gateway no longer has is already gone. */
  async shutdown(id: string): Promise<void> {
    await this.#json('DELETE', `/api/kernels/${id}`, undefined, this.#timeoutMs, true);
  }

  /** The kernel's channels WebSocket, for the client's session id (the gateway keeps what arrives meanwhile for it). */
  channelsUrl(id: string, sessionId: string): string {
    return `${this.url.replace(/^http/, 'ws')}/api/kernels/${id}/channels?session_id=${encodeURIComponent(sessionId)}`;
  }

  /**
   * One request; the parsed JSON body (`{}` for an empty one). With `missingIsNull`,
   * a 404 resolves to null. Every failure is a {@link GatewayError} that names
   * the gateway and the fix.
   */
  async #json(method: string, path: string, body?: unknown, timeoutMs = this.#timeoutMs, missingIsNull = false): Promise<unknown> {
    const where = `${this.url}${path}`;
    let res: Response;
    try {
      res = await fetch(where, {
        method,
        headers: { ...this.#headers, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw GatewayError.unreachable(this.url, err, timeoutMs);
    }
    if (res.status === 404 && missingIsNull) {
      await res.body?.cancel();
      return null;
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) throw GatewayError.fromStatus(this.url, method, path, res.status, res.statusText, text);
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new GatewayError('failed', this.url, `${method} ${path} at ${this.url} answered with something that is not JSON: is ${this.url} a Jupyter Server or kernel gateway?`);
    }
  }
}

/** This machine's user name, for the gateway's books; `duet` when the system will not say. */
function localUser(): string {
  try {
    return userInfo().username || 'duet';
  } catch {
    return 'duet';
  }
}
