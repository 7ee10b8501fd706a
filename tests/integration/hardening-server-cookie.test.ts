/**
 * The access cookie cannot be scoped to a port (browsers send a host's cookies to
 * all its ports), so Duet keeps it as narrow as a plain-HTTP cookie can be, and the
 * step that sets it never sends the browser to another host.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/duet-server.ts';

/** A GET with the path exactly as given (fetch would normalise it), as a browser opening a link. */
function open(t: TestServer, path: string): Promise<{ status: number; location: string | undefined; cookie: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.server.port, method: 'GET', path, headers: { Accept: 'text/html' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, cookie: res.headers['set-cookie'] ?? [] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the access cookie', () => {
  it('is named for the port, HttpOnly, SameSite=Strict, for the whole path, and ends with the browser session', async () => {
    const t = await startTestServer({ deps: { warmKernels: 0 } });
    const { status, cookie } = await open(t, `/?token=${t.token}`);

    expect(status).toBe(302);
    expect(cookie).toHaveLength(1);
    const attributes = (cookie[0] ?? '').split(';').map((a) => a.trim());
    expect(attributes[0]).toBe(`duet-token-${t.server.port}=${t.token}`);
    expect(attributes.slice(1).sort()).toEqual(['HttpOnly', 'Path=/', 'SameSite=Strict']);
  });

  const paths = ['//127.0.0.1:9/elsewhere', '/\\127.0.0.1:9/elsewhere', '///127.0.0.1:9/elsewhere'];
  it.each(paths)('is set by a redirect that stays on this server, for a path that begins %s', async (path) => {
    const t = await startTestServer({ deps: { warmKernels: 0 } });
    const { status, location } = await open(t, `${path}?token=${t.token}`);

    expect(status).toBe(302);
    expect(location).toBe('/127.0.0.1:9/elsewhere');
  });
});
