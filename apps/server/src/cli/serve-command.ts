/**
 * `duet serve`: the notebook server. Prints the URL with its access token, as
 * Jupyter does, and shuts kernels down on SIGINT/SIGTERM.
 */
import type { DuetConfig } from '../config/index.ts';
import type { Io } from './run-command.ts';

export async function serveCommand(config: DuetConfig, io: Io & { onTerminate: (fn: () => void) => () => void }): Promise<number> {
  // Loaded on demand: `duet run` never needs express.
  const { startServer } = await import('../http/server.ts');
  const server = await startServer(config, { progress: (m: string) => io.err(m) });
  io.err(`\nDuet is running. Open this URL in your browser:\n\n    ${server.url}\n\nPress Ctrl-C to stop.\n`);
  let stopping = false;
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      if (stopping) {
        // A second Ctrl-C quits at once; the kernels die with the server (death signal).
        io.err('quitting now; notebooks were last saved at most a second ago.');
        process.exit(1);
      }
      stopping = true;
      resolve();
    };
    io.onInterrupt(stop);
    io.onTerminate(stop);
  });
  io.err('shutting down: saving notebooks and stopping kernels (Ctrl-C again to quit at once)…');
  await server.close();
  return 0;
}
