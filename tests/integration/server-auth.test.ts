import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '@duet/server';
import { startTestServer, tryUpgrade } from '../support/duet-server.ts';

describe('the access token', () => {
  it.each([
    { name: 'no token', headers: {}, status: 401 },
    { name: 'a wrong token', headers: { Authorization: 'token 0000' }, status: 403 },
    { name: 'a header of another scheme', headers: { Authorization: 'Basic dXNlcjpwYXNz' }, status: 401 },
    { name: 'a wrong token in the URL', query: '?token=0000', headers: {}, status: 403 },
    { name: 'a wrong cookie', headers: { Cookie: 'duet-token-PORT=0000' }, status: 403 },
  ])('refuses an API request with $name', async ({ headers, query, status }) => {
    const t = await startTestServer();
    const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace('PORT', String(t.server.port))]));
    for (const path of ['/api/notebooks', '/api/health', '/demo/v1/models']) {
      const res = await t.api('GET', `${path}${query ?? ''}`, { token: null, headers: h });
      expect(res.status, path).toBe(status);
      expect(res.json<{ error: string }>().error).toMatch(/duet serve/);
    }
    const post = await t.api('POST', `/api/notebooks${query ?? ''}`, { token: null, headers: h, body: { name: 'x' } });
    expect(post.status).toBe(status);
    expect(await readdir(t.dir)).not.toContain('x.ipynb');
  });

  it.each([
    { name: 'token scheme', auth: (t: string) => `token ${t}` },
    { name: 'Bearer scheme (what OpenAI clients send)', auth: (t: string) => `Bearer ${t}` },
  ])('accepts the right token with the $name', async ({ auth }) => {
    const t = await startTestServer();
    expect((await t.api('GET', '/api/notebooks', { token: null, headers: { Authorization: auth(t.token) } })).status).toBe(200);
  });

  it('takes the token from the URL once, sets an HttpOnly SameSite=Strict cookie, and redirects to the URL without it', async () => {
    const t = await startTestServer();
    const first = await t.api('GET', `/some/page?x=1&token=${t.token}`, { token: null });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/some/page?x=1');
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^duet-token-${t.server.port}=${t.token};`));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const pair = cookie.split(';')[0] ?? '';
    expect((await t.api('GET', '/api/notebooks', { token: null, headers: { Cookie: pair } })).status).toBe(200);
    expect(await tryUpgrade(t.wsUrl('none'), { Cookie: pair })).toEqual({ opened: false, status: 404 });
  });

  it('shows a page that says where the token is when the browser app is opened without it', async () => {
    const t = await startTestServer();
    const res = await t.api('GET', '/', { token: null, headers: { Accept: 'text/html' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.text).toMatch(/printed in the terminal/);
    expect(res.text).not.toContain(t.token);
  });
});

describe('the WebSocket upgrade', () => {
  it.each([
    { name: 'no token', headers: () => ({}), expected: { opened: false, status: 401 } },
    { name: 'a wrong token', headers: () => ({ Authorization: 'token nope' }), expected: { opened: false, status: 403 } },
    { name: 'a foreign Origin', headers: (tok: string) => ({ Authorization: `token ${tok}`, Origin: 'http://evil.example' }), expected: { opened: false, status: 403 } },
    { name: 'a look-alike Origin on another port', headers: (tok: string) => ({ Authorization: `token ${tok}`, Origin: 'http://127.0.0.1:1' }), expected: { opened: false, status: 403 } },
    { name: 'the 127.0.0.1 Origin', headers: (tok: string, port: number) => ({ Authorization: `token ${tok}`, Origin: `http://127.0.0.1:${port}` }), expected: { opened: true } },
    { name: 'the localhost Origin', headers: (tok: string, port: number) => ({ Authorization: `token ${tok}`, Origin: `http://localhost:${port}` }), expected: { opened: true } },
    { name: 'no Origin (not a browser) and the token', headers: (tok: string) => ({ Authorization: `token ${tok}` }), expected: { opened: true } },
  ])('with $name: $expected', async ({ headers, expected }) => {
    const t = await startTestServer();
    await t.api('POST', '/api/notebooks', { body: { name: 'nb' } });
    expect(await tryUpgrade(t.wsUrl('nb'), headers(t.token, t.server.port))).toEqual(expected);
  });

  it('refuses state-changing HTTP requests sent from another site', async () => {
    const t = await startTestServer();
    const res = await t.api('POST', '/api/notebooks', { body: { name: 'csrf' }, headers: { Origin: 'http://evil.example' } });
    expect(res.status).toBe(403);
    expect(await readdir(t.dir)).not.toContain('csrf.ipynb');
  });
});

describe('what responses carry', () => {
  it('sets the security headers on API responses and refusals', async () => {
    const t = await startTestServer();
    for (const res of [await t.api('GET', '/api/health'), await t.api('GET', '/api/health', { token: null })]) {
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    // Script only from the server, and the page may talk to no other host, WebSockets included.
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'self';");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/\b(ws|wss|http|https):/);
  });

  it('never shows the model API key in responses, notebooks or the log', async () => {
    const key = 'sk-very-secret-key-1234567890';
    const t = await startTestServer({ config: { baseUrl: 'http://127.0.0.1:9/v1', apiKey: key } });
    const bodies = [await t.api('GET', '/api/health'), await t.api('GET', '/api/models')].map((r) => r.text);
    expect(bodies[0]).toMatch(/"reachable":false/);
    await t.api('POST', '/api/notebooks', { body: { name: 'k' } });
    const run = await t.api('POST', '/api/notebooks/k/runs', { body: { prompt: 'hi' } });
    expect(run.status).toBe(502);
    bodies.push(run.text, (await t.api('GET', '/api/notebooks/k')).text);
    for (const b of bodies) expect(b).not.toContain(key);
    const logs = await Promise.all((await readdir(t.logDir)).map((f) => readFile(join(t.logDir, f), 'utf8')));
    expect(logs.join('').length).toBeGreaterThan(0);
    expect(logs.join('')).not.toContain(key);
    expect(logs.join('')).not.toContain(t.token);
  });

  it('serves the built browser app, or says how to build it', async () => {
    const missing = await startTestServer({ deps: { staticDir: join(tmpdir(), 'duet-no-such-dist') } });
    const res = await missing.api('GET', '/');
    expect(res.status).toBe(503);
    expect(res.text).toContain('npm run build');

    const dist = await mkdtemp(join(tmpdir(), 'duet-dist-'));
    onTestFinished(() => rm(dist, { recursive: true, force: true }));
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(join(dist, 'app.js'), 'console.log(1)');
    const built = await startTestServer({ deps: { staticDir: dist } });
    expect((await built.api('GET', '/')).text).toContain('<title>app</title>');
    expect((await built.api('GET', '/notebook/some-name')).text).toContain('<title>app</title>');
    expect((await built.api('GET', '/app.js')).headers.get('content-type')).toMatch(/javascript/);
    expect((await built.api('GET', '/app.js', { token: null })).status).toBe(401);
  });
});
