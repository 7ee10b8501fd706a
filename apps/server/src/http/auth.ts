/**
 * The access token, as Jupyter does it: `Authorization: token T` (or `Bearer T`,
 * which OpenAI clients send), or `?token=T` once, after which an HttpOnly,
 * SameSite=Strict cookie carries it. Tokens are compared in constant time.
 * Browsers' WebSocket upgrades and state-changing requests must also come from
 * the server's own origin, so a page on another site cannot drive the kernel.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from '../log.ts';

/** A fresh token: 32 random bytes, hex. */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** Constant-time equality that leaks neither content nor length (both sides are hashed first). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export interface AuthOptions {
  token: string;
  /** Origins a browser may send from: `http://127.0.0.1:PORT` and the like. Filled in once the port is known. */
  origins: Set<string>;
  /**
   * Bound to a wildcard address (0.0.0.0, ::): the machine's other addresses are
   * not known in advance, so an Origin naming the Host the request was sent to
   * is accepted too. The token is still required.
   */
  sameHostOrigin: boolean;
  /** Cookie name; carries the port, since cookies do not tell ports apart. */
  cookieName: string;
  log: Logger;
}

export type AuthVerdict =
  | { ok: true; via: 'header' | 'query' | 'cookie' }
  | { ok: false; status: 401 | 403; reason: string };

/** Where a request's token came from, and whether it is right. */
export function checkRequest(req: IncomingMessage, opts: AuthOptions): AuthVerdict {
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.length > 0) {
    const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header);
    if (!m) return { ok: false, status: 401, reason: 'the Authorization header is not "token T"' };
    return tokensEqual(m[1] as string, opts.token) ? { ok: true, via: 'header' } : { ok: false, status: 403, reason: 'wrong token in the Authorization header' };
  }
  const query = queryToken(req.url ?? '/');
  if (query !== null) return tokensEqual(query, opts.token) ? { ok: true, via: 'query' } : { ok: false, status: 403, reason: 'wrong token in the URL' };
  const cookie = readCookie(req.headers.cookie, opts.cookieName);
  if (cookie !== null) return tokensEqual(cookie, opts.token) ? { ok: true, via: 'cookie' } : { ok: false, status: 403, reason: 'wrong token in the cookie' };
  return { ok: false, status: 401, reason: 'no token' };
}

/** True when the request has no Origin (not a browser) or comes from one of ours. */
export function originAllowed(req: IncomingMessage, opts: Pick<AuthOptions, 'origins' | 'sameHostOrigin'>): boolean {
  const origin = req.headers.origin?.toLowerCase();
  if (origin === undefined) return true;
  if (opts.origins.has(origin)) return true;
  return opts.sameHostOrigin && req.headers.host !== undefined && origin === `http://${req.headers.host.toLowerCase()}`;
}

/**
 * Express middleware for every HTTP request. A page opened with a right
 * `?token=` gets the cookie and is redirected to the same URL without it, so the
 * token does not linger in the address bar or history.
 */
export function authMiddleware(opts: AuthOptions): RequestHandler {
  return (req, res, next) => {
    const verdict = checkRequest(req, opts);
    if (!verdict.ok) {
      opts.log.warn({ security: 'refused', reason: verdict.reason, method: req.method, path: req.path, ip: req.socket.remoteAddress }, 'request refused');
      if (isApi(req.path) || req.method !== 'GET' || !acceptsHtml(req.headers.accept)) {
        res.status(verdict.status).json({ error: `${verdict.status === 401 ? 'Authentication required' : 'Wrong access token'}: open the URL \`duet serve\` printed (it carries ?token=), or send "Authorization: token T".` });
      } else {
        res.status(verdict.status).type('html').send(tokenPage(verdict.status));
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD' && !originAllowed(req, opts)) {
      opts.log.warn({ security: 'refused', reason: 'foreign origin', origin: req.headers.origin, method: req.method, path: req.path }, 'request refused');
      res.status(403).json({ error: 'Requests from another site are refused.' });
      return;
    }
    if (verdict.via === 'query') {
      res.cookie(opts.cookieName, opts.token, { httpOnly: true, sameSite: 'strict', path: '/' });
      if ((req.method === 'GET' || req.method === 'HEAD') && !isApi(req.path)) {
        res.redirect(302, ownPath(withoutToken(req.originalUrl)));
        return;
      }
    }
    next();
  };
}

/** Machine endpoints answer in JSON and are never redirected. */
function isApi(path: string): boolean {
  return path.startsWith('/api/') || path.startsWith('/demo/');
}

function acceptsHtml(accept: string | undefined): boolean {
  return accept === undefined || accept.includes('text/html') || accept.includes('*/*');
}

function queryToken(url: string): string | null {
  const q = url.indexOf('?');
  if (q < 0) return null;
  return new URLSearchParams(url.slice(q + 1)).get('token');
}

/**
 * A redirect target that stays on this server: `//host/…` and `/\host/…` are read
 * by browsers as another host, so leading slashes and backslashes become one slash.
 */
export function ownPath(url: string): string {
  return url.replace(/^[/\\]+/, '/');
}

/** The URL without its `token` query parameter. */
export function withoutToken(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  params.delete('token');
  const rest = params.toString();
  return rest ? `${url.slice(0, q)}?${rest}` : url.slice(0, q);
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

function tokenPage(status: number): string {
  const what = status === 401 ? 'This Duet server needs its access token.' : 'That access token is not the right one.';
  return `<!doctype html><meta charset="utf-8"><title>Duet: access token needed</title>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.5">
<h1>Duet</h1><p>${what}</p>
<p>Open the URL that <code>duet serve</code> printed in the terminal: it ends in <code>?token=…</code>. After that, this browser remembers it.</p>
</body>`;
}
