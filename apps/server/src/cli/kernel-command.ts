/**
 * `duet kernel --connection-file F`: what the kernelspec runs (see kernelspec.ts).
 * A gateway started it in the folder the kernel is to work in and wrote F; this
 * starts Duet's sandboxed kernel there with the gateway's key and passes its
 * channels through, until the kernel exits (then with its exit code).
 *
 * Signals: SIGTERM (a gateway that gave up waiting for a shutdown) stops the
 * kernel and exits. SIGINT becomes an interrupt_request, never a signal to the
 * kernel: in bubblewrap it would end the jail. Gateways send the interrupt as a
 * message themselves (interrupt_mode "message"), so SIGINT only comes from a person.
 */
import { ConnectionFileError, ProxiedKernel, readConnectionFile, type KernelLogger } from '@duet/kernel';
import { ConfigError } from '../config/index.ts';
import { checkSandbox, kernelLimits, kernelspecRuntime, positiveFlag } from './kernelspec.ts';

export interface KernelCommandOptions {
  connectionFile: string;
  sandbox?: string;
  python?: string;
  diskLimit?: string;
  maxFiles?: string;
}

export interface KernelIo {
  err: (s: string) => void;
  /** Subscribes to a signal; returns the unsubscribe. */
  onSignal: (signal: 'SIGINT' | 'SIGTERM', fn: () => void) => () => void;
}

/** How often the command checks that the gateway that started it is still there. */
const PARENT_CHECK_MS = 1000;

/** The exit code after SIGTERM, as a shell reports a process it ended. */
const TERMINATED = 128 + 15;

/** Lines on stderr, which the gateway keeps in its log: warnings and errors only. */
function stderrLogger(err: (s: string) => void): KernelLogger {
  const line = (level: string) => (obj: object, msg?: string) => err(`duet kernel: ${level}: ${msg ?? ''} ${JSON.stringify(obj)}`);
  return { debug: () => undefined, info: () => undefined, warn: line('warning'), error: line('error') };
}

export async function kernelCommand(o: KernelCommandOptions, io: KernelIo): Promise<number> {
  let gateway;
  try {
    gateway = await readConnectionFile(o.connectionFile);
  } catch (err) {
    if (err instanceof ConnectionFileError) throw new ConfigError(err.message);
    throw err;
  }
  const sandbox = checkSandbox(o.sandbox);
  const limits = kernelLimits({ diskLimitMb: positiveFlag(o.diskLimit, '--disk-limit'), maxFiles: positiveFlag(o.maxFiles, '--max-files') });
  const python = o.python ?? process.env.DUET_PYTHON;
  const { python: interpreter, choice } = await kernelspecRuntime({ ...(python ? { python } : {}), ...(sandbox !== undefined ? { sandbox } : {}) });
  const log = stderrLogger(io.err);
  // The gateway chose this folder for the kernel: it is the kernel's workdir.
  const kernel = await ProxiedKernel.start({ gateway, python: interpreter, workdir: process.cwd(), launcher: choice.launcher, limits, log });

  let terminated = false;
  const offTerm = io.onSignal('SIGTERM', () => {
    terminated = true;
    void kernel.stop();
  });
  const offInt = io.onSignal('SIGINT', () => {
    kernel.interrupt().catch((err: unknown) => log.warn({ err: String(err) }, 'could not pass the interrupt on'));
  });
  // A gateway killed outright leaves its kernels behind; this one follows it.
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) {
      log.warn({ parent }, 'the gateway that started this kernel is gone; stopping it');
      void kernel.stop();
    }
  }, PARENT_CHECK_MS);
  watch.unref();

  try {
    const code = await kernel.exited;
    if (terminated) return TERMINATED;
    if (code !== 0) {
      const tail = kernel.stderrTail.trim().split('\n').slice(-10).join('\n');
      io.err(`duet kernel: the kernel exited with code ${code}${tail ? `; its last words:\n${tail}` : ''}`);
    }
    return code;
  } finally {
    clearInterval(watch);
    offTerm();
    offInt();
  }
}
