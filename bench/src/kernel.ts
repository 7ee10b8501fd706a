/**
 * Duet's kernel client beside jupyter_client, the Python reference client, on the
 * same kernel build: the round trip of a trivial cell (execute → reply and idle)
 * and cold kernel start (spawn → first kernel_info_reply).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { measureKernel, ITERATIONS, STARTS, TRIVIAL_CELL, WARMUP } from './kernel-figures.ts';
import { median, ms, quantile } from './stats.ts';
import type { BenchRow, BenchSection } from './report.ts';

const run = promisify(execFile);

/** Debian's interpreter: it has python3-ipykernel and python3-jupyter-client, so both clients drive one kernel build. */
const PYTHON = '/usr/bin/python3';
const PEER_SCRIPT = fileURLToPath(new URL('../python/jupyter_client_rtt.py', import.meta.url));

interface Figures {
  startMs: number[];
  rttMs: number[];
}

interface PeerFigures extends Figures {
  jupyterClient: string;
  ipykernel: string;
}

const ratio = (duet: number, peer: number): string => `${(duet / peer).toFixed(2)}×`;

function measureDuet(python: string): Promise<Figures> {
  return measureKernel(python);
}

async function measurePeer(python: string): Promise<PeerFigures> {
  const { stdout } = await run(python, [PEER_SCRIPT, '--starts', String(STARTS), '--warmup', String(WARMUP), '--iterations', String(ITERATIONS)], {
    timeout: 300_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const parsed = JSON.parse(stdout) as { start_ms: number[]; rtt_ms: number[]; jupyter_client: string; ipykernel: string };
  return { startMs: parsed.start_ms, rttMs: parsed.rtt_ms, jupyterClient: parsed.jupyter_client, ipykernel: parsed.ipykernel };
}

/** Runs the kernel benchmark; the peer's figures come from bench/python/jupyter_client_rtt.py in the same run. */
export async function benchKernel(): Promise<BenchSection> {
  const duet = await measureDuet(PYTHON);
  let peer: PeerFigures | null = null;
  let peerProblem = '';
  try {
    peer = await measurePeer(PYTHON);
  } catch (err) {
    peerProblem = `jupyter_client could not be measured (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); install python3-jupyter-client.`;
  }

  const row = (name: string, duetValue: number, peerValue: number | null, note: string): BenchRow => ({
    name,
    duet: ms(duetValue),
    ...(peerValue !== null ? { peer: ms(peerValue), ratio: ratio(duetValue, peerValue) } : {}),
    note: peerValue !== null ? note : peerProblem,
  });

  const build = peer ? `ipykernel ${peer.ipykernel}, jupyter_client ${peer.jupyterClient}` : PYTHON;
  return {
    title: `Kernel client: Duet vs jupyter_client (${PYTHON}, ${build})`,
    rows: [
      row(
        'trivial cell round trip, median',
        median(duet.rttMs),
        peer && median(peer.rttMs),
        `'${TRIVIAL_CELL}', execute → reply and idle; ${ITERATIONS} runs after ${WARMUP} warm-up; peer: execute_interactive`,
      ),
      row('trivial cell round trip, p95', quantile(duet.rttMs, 0.95), peer && quantile(peer.rttMs, 0.95), 'same runs'),
      row(
        'cold kernel start, median',
        median(duet.startMs),
        peer && median(peer.startMs),
        `spawn → first kernel_info_reply with IOPub proven connected; ${STARTS} starts; peer: start_kernel + wait_for_ready`,
      ),
    ],
  };
}
