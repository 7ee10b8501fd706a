/**
 * The kernels the server starts by default: a {@link KernelSession} on this
 * machine, in its sandbox. The pool asks for kernels through this factory and
 * holds them as {@link KernelConnection}s, so another kind (a remote kernel, a
 * fake in tests) only needs another factory.
 */
import { KernelSession, type KernelConnection, type KernelLauncher, type KernelLogger, type SandboxLimits } from '@duet/kernel';

export interface LocalKernelOptions {
  python: string;
  launcher: KernelLauncher;
  log: KernelLogger;
  limits?: SandboxLimits;
  startTimeoutMs?: number;
}

/** Makes kernels, not started, for a working directory. */
export type KernelFactory = (workdir: string) => KernelConnection;

/** A factory of local kernel sessions with these options. */
export function localKernels(o: LocalKernelOptions): KernelFactory {
  return (workdir) =>
    new KernelSession({
      python: o.python,
      workdir,
      launcher: o.launcher,
      log: o.log,
      ...(o.limits ? { limits: o.limits } : {}),
      ...(o.startTimeoutMs ? { startTimeoutMs: o.startTimeoutMs } : {}),
    });
}
