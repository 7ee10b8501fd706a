/**
 * `duet serve`: the notebook server. Prints the URL with its access token, as
 * Jupyter does, and shuts kernels down on SIGINT/SIGTERM.
 */
import type { DuetConfig } from '../config/index.ts';
import type { Io } from './run-command.ts';

export async function serveCommand(config: DuetConfig, io: Io & { onTerminate: (fn: () => void) => void }): Promise<number> {
  // Loaded on demand: `duet run` never needs express.
  const { startServer } = await import('../http/server.ts');
  const server = await startServer(config, { progress: (m: string) => io.err(m) });
  io.err(`\nDuet is running. Open this URL in your browser:\n\n    ${server.url}\n\nPress Ctrl-C to stop.\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    io.onInterrupt(stop);
    io.onTerminate(stop);
  });
  io.err('shutting down: saving notebooks and stopping kernels…');
  await server.close();
  return 0;
}
