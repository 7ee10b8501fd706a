/**
 * The one place that turns a {@link Runtime} into kernels: local sessions in the
 * sandbox, or remote kernels on the gateway. Every command asks here.
 */
import { RemoteKernel, type SandboxLimits } from '@duet/kernel';
import { localKernels, type KernelFactory } from '../kernels/index.ts';
import type { Runtime } from './prepare-runtime.ts';

export interface KernelsForOptions {
  limits?: SandboxLimits;
  /** `--kernel-start-timeout`, in ms; each backend has its own default otherwise. */
  startTimeoutMs?: number;
  /** Called about once a second while a remote kernel starts, with the time waited. */
  onStarting?: (waitedMs: number) => void;
}

/** A kernel start on a gateway waits this long by default: a cluster can take tens of seconds to launch a pod. */
export const REMOTE_START_TIMEOUT_MS = 120_000;

/** `--kernel-start-timeout` as {@link KernelsForOptions}. */
export function startTimeout(config: { kernelStartTimeout?: number | undefined }): { startTimeoutMs?: number } {
  return config.kernelStartTimeout !== undefined ? { startTimeoutMs: config.kernelStartTimeout * 1000 } : {};
}

export function kernelsFor(rt: Runtime, o: KernelsForOptions = {}): KernelFactory {
  if (rt.kind === 'remote') {
    return (workdir) =>
      new RemoteKernel({
        gateway: rt.gateway,
        kernelName: rt.kernelName,
        workdir,
        log: rt.log,
        startTimeoutMs: o.startTimeoutMs ?? REMOTE_START_TIMEOUT_MS,
        ...(o.limits ? { limits: o.limits } : {}),
        ...(o.onStarting ? { onStarting: o.onStarting } : {}),
      });
  }
  return localKernels({ python: rt.python, launcher: rt.launcher, log: rt.log, ...(o.limits ? { limits: o.limits } : {}), ...(o.startTimeoutMs ? { startTimeoutMs: o.startTimeoutMs } : {}) });
}
