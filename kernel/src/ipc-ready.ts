/**
 * Waiting for a kernel's ipc sockets before connecting to them, once.
 *
 * The server's sockets never reconnect by path (see Channel): a path is followed
 * once, at the first connection, when no notebook code has run yet in that
 * kernel. This waits for that moment: every socket file present, and a socket,
 * not a link.
 */
import { lstat } from 'node:fs/promises';

const POLL_MS = 5;

/** Resolves once every path is a Unix socket; rejects when `stop` settles first or `deadline` (epoch ms) passes. */
export async function waitForSockets(paths: readonly string[], stop: Promise<unknown>, deadline: number): Promise<void> {
  let stopped = false;
  void stop.then(
    () => (stopped = true),
    () => (stopped = true),
  );
  const pending = new Set(paths);
  while (pending.size > 0) {
    for (const path of [...pending]) {
      const st = await lstat(path).catch(() => null);
      if (st?.isSocket()) pending.delete(path);
      else if (st) throw new Error(`${path} is not a socket`);
    }
    if (pending.size === 0) return;
    if (stopped) throw new Error('the kernel process exited');
    if (Date.now() > deadline) throw new Error(`the kernel did not create its sockets in time (${[...pending].join(', ')})`);
    await new Promise<void>((r) => setTimeout(r, POLL_MS).unref());
  }
}
