/**
 * RemoteKernel against a real Jupyter Server (Debian's python3-jupyter-server
 * 1.23, standing in for Kernel Gateway and Enterprise Gateway, which serve the
 * same API), started by this file on 127.0.0.1 with a token. Faults are made
 * from outside: the test cuts the TCP connections, deletes the kernel through
 * the gateway's REST API, or has the kernel end its own process.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Gateway, GatewayError, KernelDiedError, KernelLostError, RemoteKernel, type ExecuteEvent, type KernelDiedError as Died, type RemoteKernelOptions } from '@duet/kernel';
import { useJupyterServer } from '../support/jupyter-server.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

const server = useJupyterServer();

function gateway(url = server().url, token = server().token): Gateway {
  return new Gateway({ url, token });
}

/** A started kernel on the test's Jupyter Server, deleted after the test. */
async function started(o: Partial<RemoteKernelOptions> = {}): Promise<RemoteKernel> {
  const kernel = new RemoteKernel({ gateway: gateway(), kernelName: 'python3', workdir: server().rootDir, ...o });
  onTestFinished(() => kernel.shutdown());
  await kernel.start();
  return kernel;
}

/** Runs code and keeps its events. */
async function run(kernel: RemoteKernel, code: string): Promise<{ status: string; events: ExecuteEvent[]; text: string }> {
  const events: ExecuteEvent[] = [];
  const result = await kernel.send(code, { onEvent: (e) => events.push(e) });
  return { status: result.status, events, text: streamText(events) };
}

function streamText(events: ExecuteEvent[]): string {
  return events.map((e) => (e.kind === 'output' && e.output.output_type === 'stream' ? e.output.text : '')).join('');
}

/** Waits until `check` holds, looking again every 50 ms: for state outside Duet (files, the gateway's books) that sends no event. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a kernel on a Jupyter Server', () => {
  it('runs cells and gives every kind of output, with execution counts', async () => {
    const kernel = await started();
    expect(kernel.location).toEqual({ kind: 'remote', gateway: server().url, host: new URL(server().url).host });
    expect(kernel.pid).toBeNull();
    const first = await kernel.send('x = 41');
    const second = await run(
      kernel,
      [
        'import sys',
        'from IPython.display import display, HTML, clear_output',
        "print('out'); print('err', file=sys.stderr)",
        "display(HTML('<b>bold</b>'))",
        "h = display('v1', display_id=True)",
        "h.update('v2')",
        "print('gone'); clear_output()",
        'x + 1',
      ].join('\n'),
    );
    expect(second.status).toBe('ok');
    const kinds = second.events.map((e) => (e.kind === 'output' ? `${e.output.output_type}${e.output.output_type === 'stream' ? `:${e.output.name}` : ''}` : e.kind));
    expect(kinds).toEqual(expect.arrayContaining(['stream:stdout', 'stream:stderr', 'display_data', 'update_display', 'clear_output', 'execute_result']));
    const result = second.events.find((e) => e.kind === 'output' && e.output.output_type === 'execute_result');
    expect(result?.kind === 'output' && result.output.output_type === 'execute_result' && result.output.data['text/plain']).toBe('42');
    const html = second.events.find((e) => e.kind === 'output' && e.output.output_type === 'display_data' && 'text/html' in e.output.data);
    expect(html).toBeDefined();
    const counted = await kernel.send('1');
    expect(counted.executionCount).toBe((first.executionCount ?? 0) + 2);

    const error = await run(kernel, '1/0');
    expect(error.status).toBe('error');
    expect(error.events.some((e) => e.kind === 'output' && e.output.output_type === 'error' && e.output.ename === 'ZeroDivisionError')).toBe(true);
  });

  it('refuses input() at once', async () => {
    const kernel = await started();
    const asked = await kernel.send('input("name? ")');
    expect(asked.status).toBe('error');
    expect(asked.ename).toBe('StdinNotImplementedError');
    expect(asked.evalue).toMatch(/input\(\) is not available in Duet/);
  });

  it('interrupts a busy loop through the gateway, and the kernel stays usable', async () => {
    const kernel = await started();
    const events: ExecuteEvent[] = [];
    const busy = kernel.send("print('looping', flush=True)\nwhile True: pass", { onEvent: (e) => events.push(e) });
    await until('the loop to start', () => streamText(events).includes('looping'));
    expect(await kernel.interrupt()).toBe('signalled');
    const result = await busy;
    expect(result.status).toBe('error');
    expect(result.ename).toBe('KeyboardInterrupt');
    expect((await run(kernel, 'print(6 * 7)')).text).toBe('42\n');
  });

  it('an aborted cell is interrupted until it ends', async () => {
    const kernel = await started();
    const stop = new AbortController();
    const events: ExecuteEvent[] = [];
    const busy = kernel.send("print('looping', flush=True)\nwhile True: pass", { signal: stop.signal, onEvent: (e) => events.push(e) });
    await until('the loop to start', () => streamText(events).includes('looping'));
    stop.abort();
    expect((await busy).ename).toBe('KeyboardInterrupt');
  });

  it('restarts: variables are gone, and a cell asked for meanwhile waits for the new kernel', async () => {
    const kernel = await started();
    await kernel.send('x = 1');
    const states: string[] = [];
    kernel.onState((s) => states.push(s));
    const restarted = kernel.restart();
    const meanwhile = kernel.send('x');
    await restarted;
    const after = await meanwhile;
    expect(after.status).toBe('error');
    expect(after.ename).toBe('NameError');
    expect(states).toContain('restarting');
    expect(kernel.state).toBe('idle');
    expect((await server().kernels()).filter((k) => k.id === kernel.kernelId)).toHaveLength(1);
  });

  it('a kernel that ends its own process is reported dead, and restarts', async () => {
    const kernel = await started();
    const deaths: Died[] = [];
    kernel.onDeath((e) => deaths.push(e));
    await expect(kernel.send('import os; os._exit(1)')).rejects.toBeInstanceOf(KernelDiedError);
    expect(deaths).toHaveLength(1);
    expect(kernel.state).toBe('dead');
    await kernel.restart();
    expect((await run(kernel, 'print("back")')).text).toBe('back\n');
  });

  it('a connection that drops while the gateway loses the kernel fails the cell as lost, and restart() starts a new kernel there', async () => {
    const target = new URL(server().url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    onTestFinished(() => proxy.close());
    const kernel = await started({ gateway: gateway(proxy.url), reconnectMs: 60_000 });
    const oldId = kernel.kernelId as string;
    const events: ExecuteEvent[] = [];
    const deaths: Died[] = [];
    kernel.onDeath((e) => deaths.push(e));
    const busy = kernel.send("import time\nprint('working', flush=True)\ntime.sleep(600)", { onEvent: (e) => events.push(e) });
    await until('the cell to start', () => streamText(events).includes('working'));
    proxy.refuse(true);
    proxy.cutAll();
    // While Duet is away the kernel goes, as when a gateway restarts or a pod is evicted.
    const res = await fetch(`${server().url}/api/kernels/${oldId}`, { method: 'DELETE', headers: { Authorization: `token ${server().token}` } });
    expect(res.status).toBe(204);
    proxy.refuse(false);
    const err = await busy.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KernelLostError);
    expect((err as Error).message).toMatch(/The remote kernel was lost \(the gateway no longer has it/);
    expect(deaths[0]).toBeInstanceOf(KernelLostError);
    expect(kernel.state).toBe('dead');
    await kernel.restart();
    expect(kernel.kernelId).not.toBe(oldId);
    expect((await run(kernel, 'print(1)')).text).toBe('1\n');
  });

  it('a kernel deleted while idle is lost, and restart() starts a new one', async () => {
    const kernel = await started();
    const oldId = kernel.kernelId as string;
    const lost = new Promise<Died>((resolve) => kernel.onDeath(resolve));
    await fetch(`${server().url}/api/kernels/${oldId}`, { method: 'DELETE', headers: { Authorization: `token ${server().token}` } });
    expect(await lost).toBeInstanceOf(KernelLostError);
    await expect(kernel.send('1')).rejects.toBeInstanceOf(KernelDiedError);
    await kernel.restart();
    expect(kernel.kernelId).not.toBe(oldId);
    expect((await run(kernel, 'print(2)')).text).toBe('2\n');
  });

  it('a cut connection comes back with the same session, and what the kernel sent meanwhile arrives', async () => {
    const target = new URL(server().url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    onTestFinished(() => proxy.close());
    const kernel = await started({ gateway: gateway(proxy.url), reconnectMs: 60_000 });
    const dir = server().rootDir;
    const go = join(dir, `go-${kernel.kernelId}`);
    const done = join(dir, `done-${kernel.kernelId}`);
    const events: ExecuteEvent[] = [];
    const cell = kernel.send(
      [
        'import os, time',
        "print('before', flush=True)",
        `while not os.path.exists(${JSON.stringify(go)}): time.sleep(0.05)`,
        "print('after', flush=True)",
        `open(${JSON.stringify(done)}, 'w').close()`,
      ].join('\n'),
      { onEvent: (e) => events.push(e) },
    );
    await until('the cell to start', () => streamText(events).includes('before'));
    // Cut, and keep Duet out until the gateway has seen it go, so the rest of the cell's output is buffered there.
    proxy.refuse(true);
    proxy.cutAll();
    await until('the gateway to see the connection go', async () => (await kernelModel(kernel.kernelId as string)).connections === 0);
    await writeFile(go, '');
    await until('the cell to finish while Duet is away', () => existsSync(done));
    expect(streamText(events)).toBe('before\n');
    proxy.refuse(false);
    const result = await cell;
    expect(result.status).toBe('ok');
    expect(streamText(events)).toBe('before\nafter\n');
    expect(kernel.state).toBe('idle');
    expect((await run(kernel, 'print("still here")')).text).toBe('still here\n');
  });

  it('runs 8 kernels at once with no cross-talk', async () => {
    const kernels = await Promise.all(Array.from({ length: 8 }, () => started()));
    await Promise.all(kernels.map((k, i) => k.send(`v = ${i}`)));
    const outs = await Promise.all(kernels.map((k) => run(k, 'import time\nfor _ in range(3):\n    time.sleep(0.05)\n    print(v)')));
    outs.forEach((o, i) => expect(o.text).toBe(`${i}\n${i}\n${i}\n`));
    expect(new Set(kernels.map((k) => k.kernelId)).size).toBe(8);
  });

  it('a kernel that was shut down starts again on restart(), as the cell runner asks', async () => {
    const kernel = await started();
    const first = kernel.kernelId;
    await kernel.shutdown();
    expect(kernel.state).toBe('shutdown');
    await kernel.restart();
    expect(kernel.state).toBe('idle');
    expect(kernel.kernelId).not.toBe(first);
    expect((await run(kernel, 'print(3)')).text).toBe('3\n');
  });

  it('shutdown deletes the kernel on the gateway', async () => {
    const kernel = await started();
    const id = kernel.kernelId;
    await kernel.shutdown();
    expect((await server().kernels()).map((k) => k.id)).not.toContain(id);
    expect(kernel.state).toBe('shutdown');
  });
});

describe('a gateway that is slow to launch', () => {
  it('says how long it has waited, and gives up at the start timeout with the flag to raise it', async () => {
    const target = new URL(server().url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    onTestFinished(() => proxy.close());
    proxy.stall(true);
    const waited: number[] = [];
    const kernel = new RemoteKernel({ gateway: gateway(proxy.url), kernelName: 'python3', workdir: server().rootDir, startTimeoutMs: 2500, onStarting: (ms) => waited.push(ms) });
    const states: string[] = [];
    kernel.onState((s) => states.push(s));
    const err = await kernel.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).kind).toBe('timeout');
    expect((err as Error).message).toBe(
      `The kernel gateway at ${proxy.url} did not start a "python3" kernel within 3 s. A cluster can take longer to launch one: raise --kernel-start-timeout (now 3 s), and check the gateway's log.`,
    );
    expect(waited.length).toBeGreaterThan(0);
    expect(waited).toEqual([...waited].sort((a, b) => a - b));
    expect(states).toEqual(['starting', 'dead']);
  });
});

describe('reaching a gateway', () => {
  it('checks the address and the token, and lists the kernels it can start', async () => {
    const check = await gateway().check();
    expect(check.kernelNames).toContain('python3');
  });

  it('a wrong token is refused with the fix, and the token is in no message', async () => {
    const err = await gateway(server().url, 'wrong-token-123').check().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).kind).toBe('unauthorized');
    expect((err as Error).message).toMatch(/--gateway-token/);
    expect((err as Error).message).not.toContain('wrong-token-123');
  });

  it('a token pasted into the URL is taken out of it', () => {
    const g = new Gateway({ url: `${server().url}/?token=secret-abc` });
    expect(g.url).toBe(server().url);
    expect(g.headers.Authorization).toBe('token secret-abc');
  });

  it('nothing listening is unreachable, with the address named', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 9 });
    const url = proxy.url;
    await proxy.close();
    const err = await gateway(url).check().catch((e: unknown) => e);
    expect((err as GatewayError).kind).toBe('unreachable');
    expect((err as Error).message).toContain(url);
  });
});

async function kernelModel(id: string): Promise<{ connections: number }> {
  const res = await fetch(`${server().url}/api/kernels/${id}`, { headers: { Authorization: `token ${server().token}` } });
  return (await res.json()) as { connections: number };
}
