/**
 * Kernels on a gateway: Duet's RemoteKernel beside a plain WebSocket client,
 * both talking to one Jupyter Server on loopback, and Duet's local ZeroMQ
 * client on the same ipykernel for scale. The trivial cell round trip, a
 * kernel start, and a new notebook's first cell with and without a warm spare
 * on the gateway. Measurements of the clients being compared are interleaved,
 * so noise on this machine falls on both alike.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Gateway, KernelSession, RemoteKernel, type KernelConnection } from '@duet/kernel';
import { createLogger, kernelsFor, KernelPool, type RemoteRuntime } from '@duet/server';
import { JupyterKernel, startJupyterServer, type JupyterServer } from './jupyter-server.ts';
import type { BenchRow, BenchSection } from './report.ts';
import { median, ms, quantile } from './stats.ts';

const PYTHON = '/usr/bin/python3';
const TRIVIAL_CELL = 'x = 1';
const WARMUP = 20;
/** Round trips per client, taken in rounds of {@link BLOCK} per client. */
const ITERATIONS = 100;
const BLOCK = 10;
const STARTS = 5;
const FIRST_CELLS = 5;
/** Pause before each kernel start, so the previous kernel's exit is not measured with it. */
const SETTLE_MS = 500;
/** The ratio the round trip through the gateway should stay within, against the plain client. */
const TARGET_RATIO = 1.2;

const ratio = (duet: number, peer: number): string => `${(duet / peer).toFixed(2)}×`;

type Timed = () => Promise<unknown>;

async function time(body: Timed): Promise<number> {
  const t0 = performance.now();
  await body();
  return performance.now() - t0;
}

/**
 * Round trips of several clients, interleaved: each round runs a block of
 * cells on every client, starting with a different client each round.
 */
async function interleaved(clients: Timed[]): Promise<number[][]> {
  for (const run of clients) for (let i = 0; i < WARMUP; i++) await run();
  const times: number[][] = clients.map(() => []);
  for (let round = 0; round < ITERATIONS / BLOCK; round++) {
    for (let k = 0; k < clients.length; k++) {
      const which = (round + k) % clients.length;
      const run = clients[which] as Timed;
      const into = times[which] as number[];
      for (let i = 0; i < BLOCK; i++) into.push(await time(run));
    }
  }
  return times;
}

interface Figures {
  remoteRtt: number[];
  plainRtt: number[];
  localRtt: number[];
  remoteStart: number[];
  plainStart: number[];
  warmFirst: number[];
  coldFirst: number[];
}

/** A runtime on the gateway, as prepareRuntime makes one for `--kernel-gateway`, with a logger that writes nowhere. */
async function remoteRuntime(server: JupyterServer): Promise<RemoteRuntime> {
  const gateway = new Gateway({ url: server.base, token: server.token });
  const check = await gateway.check();
  const log = createLogger({ level: 'warn', destination: { write: () => undefined } });
  return {
    kind: 'remote',
    gateway,
    kernelName: 'python3',
    gatewayVersion: check.version,
    log,
    sandbox: { mode: 'remote', available: true, host: gateway.host, notes: [] },
  };
}

function expectOk(result: { status: string }): void {
  if (result.status !== 'ok') throw new Error(`the trivial cell ended ${result.status}`);
}

async function measureRoundTrips(rt: RemoteRuntime, server: JupyterServer, workdir: string): Promise<Pick<Figures, 'remoteRtt' | 'plainRtt' | 'localRtt'>> {
  const remote = new RemoteKernel({ gateway: rt.gateway, kernelName: rt.kernelName, workdir, log: rt.log });
  const local = new KernelSession({ python: PYTHON, workdir });
  let plain: JupyterKernel | null = null;
  try {
    await remote.start();
    plain = await JupyterKernel.create(server);
    const p = plain;
    await local.start();
    const [remoteRtt, plainRtt, localRtt] = await interleaved([
      async () => expectOk(await remote.send(TRIVIAL_CELL)),
      () => p.execute(TRIVIAL_CELL),
      async () => expectOk(await local.send(TRIVIAL_CELL)),
    ]);
    return { remoteRtt: remoteRtt ?? [], plainRtt: plainRtt ?? [], localRtt: localRtt ?? [] };
  } finally {
    await remote.shutdown();
    await plain?.delete(server);
    await local.shutdown();
  }
}

/** Kernel starts, Duet's and the plain client's in turn (who goes first alternates); each kernel is deleted before the next start. */
async function measureStarts(rt: RemoteRuntime, server: JupyterServer, workdir: string): Promise<Pick<Figures, 'remoteStart' | 'plainStart'>> {
  const remoteStart: number[] = [];
  const plainStart: number[] = [];
  const duet = async (): Promise<void> => {
    const remote = new RemoteKernel({ gateway: rt.gateway, kernelName: rt.kernelName, workdir, log: rt.log });
    try {
      remoteStart.push(await time(() => remote.start()));
    } finally {
      await remote.shutdown();
    }
  };
  const peer = async (): Promise<void> => {
    let plain: JupyterKernel | null = null;
    const t0 = performance.now();
    try {
      plain = await JupyterKernel.create(server);
      await plain.kernelInfo();
      plainStart.push(performance.now() - t0);
    } finally {
      await plain?.delete(server);
    }
  };
  for (let i = 0; i < STARTS; i++) {
    for (const start of i % 2 === 0 ? [duet, peer] : [peer, duet]) {
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      await start();
    }
  }
  return { remoteStart, plainStart };
}

/** Waits until the pool has a started spare, as it has when a user opens a notebook after a pause. */
async function spareReady(pool: KernelPool): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (pool.readySpares < 1) {
    if (Date.now() > deadline) throw new Error('no warm kernel on the gateway within 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function firstCell(pool: KernelPool, workdir: string): Promise<number> {
  let kernel: KernelConnection | null = null;
  const t0 = performance.now();
  try {
    kernel = await pool.acquire(workdir);
    expectOk(await kernel.send('1'));
    return performance.now() - t0;
  } finally {
    if (kernel) await pool.release(kernel);
  }
}

/**
 * A new notebook's first cell through the server's KernelPool on the gateway:
 * with one warm spare (ready before the clock starts) and with none. The warm
 * pool starts its next spare as it hands one out, as the server's does; the
 * cold figure is taken only once that spare is ready, so it does not compete.
 */
async function measureFirstCells(rt: RemoteRuntime, root: string): Promise<Pick<Figures, 'warmFirst' | 'coldFirst'>> {
  const pool = (warm: number): KernelPool =>
    new KernelPool({ newKernel: kernelsFor(rt), spares: 'as-is', warm, spareRoot: join(root, 'spares'), log: rt.log });
  const warmPool = pool(1);
  const coldPool = pool(0);
  const warmFirst: number[] = [];
  const coldFirst: number[] = [];
  try {
    await warmPool.start();
    await coldPool.start();
    for (let i = 0; i < FIRST_CELLS; i++) {
      await spareReady(warmPool);
      warmFirst.push(await firstCell(warmPool, join(root, `warm-${i}.files`)));
      await spareReady(warmPool);
      coldFirst.push(await firstCell(coldPool, join(root, `cold-${i}.files`)));
    }
  } finally {
    await warmPool.close();
    await coldPool.close();
  }
  return { warmFirst, coldFirst };
}

/** Runs the gateway benchmark; Jupyter Server is started for it and stopped after. */
export async function benchGateway(): Promise<BenchSection> {
  const server = await startJupyterServer(PYTHON);
  const root = await mkdtemp(join(tmpdir(), 'duet-bench-gateway-'));
  let f: Figures;
  let version: string;
  try {
    const rt = await remoteRuntime(server);
    version = rt.gatewayVersion;
    const rtts = await measureRoundTrips(rt, server, root);
    const starts = await measureStarts(rt, server, root);
    const firsts = await measureFirstCells(rt, root);
    f = { ...rtts, ...starts, ...firsts };
  } finally {
    await server.close();
    await rm(root, { recursive: true, force: true });
  }

  const rttRatio = median(f.remoteRtt) / median(f.plainRtt);
  const row = (name: string, duet: number, peer: number, note: string): BenchRow => ({ name, duet: ms(duet), peer: ms(peer), ratio: ratio(duet, peer), note });
  const rounds = `${ITERATIONS} runs each after ${WARMUP} warm-up, interleaved in blocks of ${BLOCK}`;
  return {
    title: `Kernels on a gateway: Duet's RemoteKernel vs a plain WebSocket client, one Jupyter Server ${version} on loopback (${PYTHON}, stock ipykernel)`,
    rows: [
      row(
        'trivial cell round trip, median',
        median(f.remoteRtt),
        median(f.plainRtt),
        `'${TRIVIAL_CELL}', execute → reply and idle over /api/kernels/ID/channels; ${rounds}; target ≤ ${TARGET_RATIO.toFixed(1)}×: ${rttRatio <= TARGET_RATIO ? 'met' : 'missed'}`,
      ),
      row('trivial cell round trip, p95', quantile(f.remoteRtt, 0.95), quantile(f.plainRtt, 0.95), 'same runs'),
      row(
        'gateway round trip vs local ZeroMQ, median',
        median(f.remoteRtt),
        median(f.localRtt),
        `peer here: Duet's KernelSession on a local kernel (plain launcher), interleaved with the two above; p95 ${ms(quantile(f.localRtt, 0.95))}`,
      ),
      row(
        'kernel start, median',
        median(f.remoteStart),
        median(f.plainStart),
        `RemoteKernel.start() → ready; peer: POST /api/kernels, open channels, kernel_info_reply; ${STARTS} each, alternating, each after a ${SETTLE_MS} ms pause`,
      ),
      row(
        'new notebook → first cell, warm spare vs cold, median',
        median(f.warmFirst),
        median(f.coldFirst),
        `KernelPool (spares as-is) on the gateway: acquire() + send('1'); Duet: warm 1, spare ready; peer: warm 0 (start on demand); ${FIRST_CELLS} each`,
      ),
    ],
  };
}
