/**
 * `duet run` and `duet serve` with `--kernel-gateway`, against a real Jupyter
 * Server started by this file on 127.0.0.1 with a token: the whole loop with
 * kernels on the gateway, the start-up errors (exit 2, one message naming the
 * fix, never the token), and no kernel left on the gateway after Duet exits.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Health } from '@duet/server/protocol';
import { Gateway } from '@duet/kernel';
import { createLogger, waitForServeUrl } from '@duet/server';
import { startTestServer } from '../support/duet-server.ts';
import { duet, startDuet, tempDir } from '../support/duet-child.ts';
import { useJupyterServer } from '../support/jupyter-server.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

const server = useJupyterServer();

const gatewayFlags = (): string[] => ['--kernel-gateway', server().url, '--gateway-token', server().token];

describe('duet run with kernels on a gateway', () => {
  it('reaches tests-passed with the demo models, and leaves no kernel on the gateway', async () => {
    const out = join(await tempDir(), 'fib.ipynb');
    const { code, stdout, stderr } = await duet('run', '--base-url', 'demo', ...gatewayFlags(), '--sandbox', 'bwrap', '--prompt', 'write fibonacci', '--out', out, '--json');
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ halted: 'tests-passed', passes: 2 });
    expect(stderr).toContain(`kernel: "python3" on the gateway ${server().url}`);
    expect(stderr).toContain(`starting a kernel on ${server().url}`);
    expect(stderr).not.toContain(server().token);
    // The local sandbox's flags have nothing to act on, and Duet says so.
    expect(stderr).toMatch(/--sandbox(, --python)?: not used with --kernel-gateway; the gateway's kernelspec decides how kernels start/);
    // Exiting deletes the kernel; nothing is left running on the gateway.
    expect(await server().kernels()).toEqual([]);
  });

  it('SIGTERM in the middle of a run stops it, keeps the notebook, and deletes the kernel on the gateway', async () => {
    const out = join(await tempDir(), 'stopped.ipynb');
    const cli = startDuet(['run', '--base-url', 'demo', ...gatewayFlags(), '--prompt', 'write fibonacci', '--out', out]);
    // The demo's first test fails: the run is under way, with a kernel on the gateway.
    await cli.stderrMatches(/test failed/);
    expect((await server().kernels()).length).toBe(1);
    cli.kill('SIGTERM');
    const { stderr } = await cli.done;
    expect(stderr).toMatch(/Notebook: .*stopped\.ipynb/);
    expect(await server().kernels()).toEqual([]);
  });

  describe('a gateway that cannot be used stops Duet at once with exit 2 and the fix', () => {
    async function refused(...flags: string[]): Promise<string> {
      const out = join(await tempDir(), 'x.ipynb');
      const { code, stderr } = await duet('run', '--base-url', 'demo', ...flags, '--prompt', 'anything', '--out', out);
      expect(code, stderr).toBe(2);
      return stderr;
    }

    it('a wrong token', async () => {
      const stderr = await refused('--kernel-gateway', server().url, '--gateway-token', 'not-the-token-xyz');
      expect(stderr).toMatch(new RegExp(`duet: The kernel gateway at ${server().url} refused Duet \\(403 Forbidden\\).*--gateway-token`));
      expect(stderr).not.toContain('not-the-token-xyz');
    });

    it('no token at all', async () => {
      expect(await refused('--kernel-gateway', server().url)).toMatch(/refused Duet.*--gateway-token or DUET_GATEWAY_TOKEN/);
    });

    it('an address where nothing listens', async () => {
      const relay = await startTcpProxy({ host: '127.0.0.1', port: 9 });
      const url = relay.url;
      await relay.close();
      expect(await refused('--kernel-gateway', url)).toContain(`duet: Cannot reach the kernel gateway at ${url} (ECONNREFUSED)`);
    });

    it('a kernel name the gateway does not have', async () => {
      expect(await refused(...gatewayFlags(), '--kernel-name', 'no-such-kernel')).toMatch(/has no kernel named "no-such-kernel" \(it has: .*python3.*\)\. Choose one with --kernel-name/);
    });
  });
});

describe('duet serve with kernels on a gateway', () => {
  it('says the kernels are remote, warms a spare there, and leaves none running after SIGTERM', async () => {
    const notebooks = await tempDir();
    const token = 'gateway-serve-test-token';
    const cli = startDuet(['serve', '--port', '0', '--notebooks', notebooks, '--token', token, '--base-url', 'demo', ...gatewayFlags()]);
    const { port } = await waitForServeUrl(cli.child);
    const auth = { Authorization: `token ${token}` };
    const health = (await (await fetch(`http://127.0.0.1:${port}/api/health`, { headers: auth })).json()) as Health;
    expect(health.sandbox).toMatchObject({ mode: 'remote', host: new URL(server().url).host, available: true });
    // The warm pool starts its spare on the gateway.
    await cli.stderrMatches(/notebooks:/);
    for (let i = 0; i < 300 && (await server().kernels()).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await server().kernels()).length).toBeGreaterThan(0);
    cli.kill('SIGTERM');
    const { code, stderr } = await cli.done;
    expect(code, stderr).toBe(0);
    expect(stderr).not.toContain(server().token);
    // Shutting down deleted every kernel, the spare too, before the process exited.
    expect(await server().kernels()).toEqual([]);
  });
});

describe('a notebook whose kernel is on a gateway', () => {
  it("runs its cells on the gateway, in the gateway's folder, and the status says where", async () => {
    const log = createLogger({ level: 'silent' });
    const gateway = new Gateway({ url: server().url, token: server().token });
    const sandbox = { mode: 'remote' as const, available: true, host: gateway.host, notes: [] };
    const t = await startTestServer({ deps: { runtime: { kind: 'remote', gateway, kernelName: 'python3', gatewayVersion: 'test', log, sandbox }, warmKernels: 1 } });
    await t.api('PUT', '/api/notebooks/remote', {
      body: { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', id: 'where', metadata: {}, source: ['import os\nprint(os.getcwd())'], execution_count: null, outputs: [] }] },
    });
    const client = await t.connect('remote');
    client.send({ type: 'run-cell', id: 'where' });
    await client.until((nb) => nb.cells[0]?.executionCount !== null && nb.runtime.where?.phase === 'idle');
    const outputs = client.nb.cells[0]?.outputs ?? [];
    // The kernel works in the gateway's own folder, not in the notebook's folder on this machine.
    expect(outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: `${server().rootDir}\n` }]);
    const health = (await t.api('GET', '/api/health')).json<Health>();
    expect(health.sandbox.mode).toBe('remote');
  });
});
