/**
 * What went wrong between Duet and a kernel gateway, as a kind the commands can
 * act on, and a message that names the gateway and the fix. No message carries
 * the token.
 */

export type GatewayFailure =
  /** The address is not an http(s) URL. */
  | 'invalid'
  /** Nothing answered there. */
  | 'unreachable'
  /** It took the connection and did not answer in time. */
  | 'timeout'
  /** It answered 401 or 403: no token, or the wrong one. */
  | 'unauthorized'
  /** It answered, but not as a Jupyter kernel API does, or refused the request. */
  | 'failed';

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly kind: GatewayFailure,
    readonly gateway: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }

  static unreachable(gateway: string, err: unknown, timeoutMs: number): GatewayError {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    const why = timedOut ? `no answer within ${Math.round(timeoutMs / 1000)} s` : (code ?? (cause instanceof Error ? cause.message : String(cause)));
    return new GatewayError(
      timedOut ? 'timeout' : 'unreachable',
      gateway,
      `Cannot reach the kernel gateway at ${gateway} (${why}). Check that it is running and that --kernel-gateway gives its address (with any base path, like http://host:8888/user/NAME).`,
    );
  }

  static fromStatus(gateway: string, method: string, path: string, status: number, statusText: string, body: string): GatewayError {
    if (status === 401 || status === 403) {
      return new GatewayError(
        'unauthorized',
        gateway,
        `The kernel gateway at ${gateway} refused Duet (${status} ${statusText}): its token is missing or wrong. Pass the token the gateway printed with --gateway-token or DUET_GATEWAY_TOKEN.`,
        status,
      );
    }
    return new GatewayError('failed', gateway, `${method} ${path} at the kernel gateway ${gateway} failed: ${status} ${statusText}${gatewaySays(body)}.`, status);
  }
}

/** The gateway's own words (its JSON `message`/`reason`), short; never the traceback it may add. */
function gatewaySays(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; reason?: unknown };
    const said = [parsed.message, parsed.reason].filter((v): v is string => typeof v === 'string' && v !== '').join(': ');
    return said ? ` — "${said.slice(0, 300)}"` : '';
  } catch {
    return '';
  }
}
