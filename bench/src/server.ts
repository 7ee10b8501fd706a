/**
 * Duet's server beside Jupyter Server, both driven over HTTP and WebSocket from
 * this process, both running Debian's ipykernel: the trivial cell round trip,
 * a new notebook's first cell, and server memory with 8 notebooks open.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { sandboxLauncher, type SandboxMode } from '@duet/kernel';
import type { DocumentEvent } from '@duet/server/protocol';
import { DuetSocket, duetNodeFlags, startDuetChild, type DuetChild } from './duet-child.ts';
import { measureRoundTrip } from './kernel-figures.ts';
import { JupyterKernel, startJupyterServer, type JupyterServer } from './jupyter-server.ts';
import type { BenchRow, BenchSection } from './report.ts';
import { median, ms, quantile } from './stats.ts';

const PYTHON = '/usr/bin/python3';
const WARMUP = 20;
const ITERATIONS = 200;
const FIRST_CELLS = 5;
const OPEN_NOTEBOOKS = 8;
const TRIVIAL_CELL = 'x = 1';

interface Figures {
  rttMs: number[];
  /** Duet only: the bare kernel client's round trips on a kernel in the server's sandbox, measured beside the WebSocket's. */
  bareRttMs?: number[];
  firstCellMs: number[];
  /** Server process RSS with the notebooks open, and its kernels' total. */
  serverRssMb: number;
  kernelsRssMb: number;
  /** The kernels' sandbox. */
  sandbox: string;
}


const mb = (v: number): string => `${v.toFixed(0)} MB`;

/** Resident memory of a process, MB. */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) / 1024;
}

/** Resident memory of everything a process started (its kernels, with any sandbox wrapper), MB; an esbuild helper (tsx's, when run from sources) left out. */
function kernelsRssMb(pid: number): number {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,comm='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 4)
    .map(([p, pp, rss, comm]) => ({ pid: Number(p), ppid: Number(pp), rss: Number(rss), comm: comm ?? '' }));
  const tree = new Set([pid]);
  let total = 0;
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of rows) {
      if (!tree.has(r.pid) && tree.has(r.ppid) && r.comm !== 'esbuild') {
        tree.add(r.pid);
        total += r.rss;
        grew = true;
      }
    }
  }
  return total / 1024;
}

const isIdle =
  (id: string) =>
  (e: DocumentEvent): boolean =>
    e.type === 'cell-runtime' && e.id === id && e.runtime.phase === 'idle';

/** Adds a code cell holding `source` through the socket; resolves with its id. */
async function addCodeCell(sock: DuetSocket, source: string): Promise<string> {
  const added = sock.next((e): e is Extract<DocumentEvent, { type: 'cell-added' }> => e.type === 'cell-added');
  sock.send({ type: 'add-cell', index: 0, cellType: 'code' });
  const { cell } = await added;
  sock.send({ type: 'edit-source', id: cell.id, source });
  return cell.id;
}

async function runCell(sock: DuetSocket, id: string): Promise<void> {
  const done = sock.next(isIdle(id));
  sock.send({ type: 'run-cell', id });
  await done;
}

/** Waits until the server has a started spare kernel, as it has when a user opens a notebook after a pause. */
async function warmKernelReady(duet: DuetChild): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const health = (await duet.api('GET', '/api/health')) as { kernels?: { warm?: number } };
    if ((health.kernels?.warm ?? 0) >= 1) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no warm kernel within 60 s');
}

async function measureDuet(): Promise<Figures> {
  const duet = await startDuetChild(PYTHON);
  try {
    const health = (await duet.api('GET', '/api/health')) as { sandbox: { mode: SandboxMode } };
    const bareRttMs = await measureRoundTrip(PYTHON, sandboxLauncher(health.sandbox.mode));
    await duet.api('POST', '/api/notebooks', { name: 'rtt' });
    const sock = await DuetSocket.open(duet, 'rtt');
    const id = await addCodeCell(sock, TRIVIAL_CELL);
    for (let i = 0; i < WARMUP; i++) await runCell(sock, id);
    const rttMs: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const t0 = performance.now();
      await runCell(sock, id);
      rttMs.push(performance.now() - t0);
    }
    sock.close();

    const firstCellMs: number[] = [];
    for (let i = 0; i < FIRST_CELLS; i++) {
      await warmKernelReady(duet);
      const name = `first-${i}`;
      const t0 = performance.now();
      await duet.api('POST', '/api/notebooks', { name });
      const s = await DuetSocket.open(duet, name);
      const cell = await addCodeCell(s, '1 + 1');
      await runCell(s, cell);
      firstCellMs.push(performance.now() - t0);
      s.close();
      await duet.api('DELETE', `/api/notebooks/${name}`);
    }

    const open: DuetSocket[] = [];
    for (let i = 0; i < OPEN_NOTEBOOKS; i++) {
      await duet.api('POST', '/api/notebooks', { name: `open-${i}` });
      const s = await DuetSocket.open(duet, `open-${i}`);
      await runCell(s, await addCodeCell(s, TRIVIAL_CELL));
      open.push(s);
    }
    // The rtt notebook stays open too; its kernel is not counted among the 8 below.
    await duet.api('DELETE', '/api/notebooks/rtt');
    const figures = { rttMs, bareRttMs, firstCellMs, serverRssMb: rssMb(duet.pid), kernelsRssMb: kernelsRssMb(duet.pid), sandbox: health.sandbox.mode };
    for (const s of open) s.close();
    return figures;
  } finally {
    await duet.close();
  }
}

async function measureJupyter(server: JupyterServer): Promise<Figures> {
  const k = await JupyterKernel.create(server);
  for (let i = 0; i < WARMUP; i++) await k.execute(TRIVIAL_CELL);
  const rttMs: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await k.execute(TRIVIAL_CELL);
    rttMs.push(performance.now() - t0);
  }
  await k.delete(server);

  const firstCellMs: number[] = [];
  for (let i = 0; i < FIRST_CELLS; i++) {
    const t0 = performance.now();
    const fresh = await JupyterKernel.create(server);
    await fresh.execute('1 + 1');
    firstCellMs.push(performance.now() - t0);
    await fresh.delete(server);
  }

  const open: JupyterKernel[] = [];
  for (let i = 0; i < OPEN_NOTEBOOKS; i++) {
    const kernel = await JupyterKernel.create(server);
    await kernel.execute(TRIVIAL_CELL);
    open.push(kernel);
  }
  const figures = { rttMs, firstCellMs, serverRssMb: rssMb(server.pid), kernelsRssMb: kernelsRssMb(server.pid), sandbox: 'none' };
  for (const kernel of open) await kernel.delete(server);
  return figures;
}

/** Runs the server benchmark; Jupyter Server is started and measured in the same run. */
export async function benchServer(): Promise<BenchSection> {
  const duet = await measureDuet();
  let peer: Figures | null = null;
  let peerProblem = '';
  let version = '';
  try {
    const server = await startJupyterServer(PYTHON);
    version = server.version;
    try {
      peer = await measureJupyter(server);
    } finally {
      await server.close();
    }
  } catch (err) {
    peerProblem = `Jupyter Server could not be measured (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); install jupyter-server.`;
  }

  const row = (name: string, d: number, p: number | null, fmt: (v: number) => string, note: string): BenchRow => ({
    name,
    duet: fmt(d),
    ...(p !== null ? { peer: fmt(p), ratio: `${(d / p).toFixed(2)}×` } : {}),
    note: p !== null ? note : peerProblem,
  });
  /** What the server adds to the kernel client's round trip: the WebSocket's median less the bare client's, both measured above in this section. */
  const overBare = (d: Figures): BenchRow => {
    const bare = d.bareRttMs ?? [];
    const added = median(d.rttMs) - median(bare);
    return {
      name: 'round trip over the bare kernel client, median',
      duet: `${added >= 0 ? '+' : '−'}${ms(Math.abs(added))}`,
      note: `WebSocket ${ms(median(d.rttMs))} − bare client ${ms(median(bare))} (Duet's KernelSession, '${TRIVIAL_CELL}', execute → reply and idle, ${d.sandbox} kernel as the server's, ${ITERATIONS} runs after ${WARMUP}, measured just before the WebSocket runs); target within 1 ms`,
    };
  };
  return {
    title: `Server: Duet (duet serve, kernels in ${duet.sandbox}) vs Jupyter Server${version ? ` ${version}` : ''} (stock ipykernel, no sandbox), both ${PYTHON}`,
    rows: [
      row('trivial cell round trip, median', median(duet.rttMs), peer && median(peer.rttMs), ms, `'${TRIVIAL_CELL}' over the WebSocket: run-cell → cell idle event; peer: execute_request → execute_reply + idle on /api/kernels/ID/channels; ${ITERATIONS} runs after ${WARMUP}`),
      row('trivial cell round trip, p95', quantile(duet.rttMs, 0.95), peer && quantile(peer.rttMs, 0.95), ms, 'same runs'),
      overBare(duet),
      row('new notebook → first cell result, median', median(duet.firstCellMs), peer && median(peer.firstCellMs), ms, `Duet: POST notebook, open socket, add + edit + run a cell (a warm kernel waiting); peer: POST /api/kernels, open channels, execute; ${FIRST_CELLS} each`),
      row(`server RSS, ${OPEN_NOTEBOOKS} notebooks open`, duet.serverRssMb, peer && peer.serverRssMb, mb, `server process only (Duet's compiled, apps/server/dist, started as \`npx duet serve\`: node ${duetNodeFlags() || 'with no flags'}); kernels: Duet ${mb(duet.kernelsRssMb)}${peer ? `, peer ${mb(peer.kernelsRssMb)}` : ''} (Duet's include its warm spare)`),
    ],
  };
}
