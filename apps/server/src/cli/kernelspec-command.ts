/**
 * `duet kernelspec install`: writes the kernelspec that lets a Jupyter Server,
 * Kernel Gateway or Enterprise Gateway on this machine run Duet's sandboxed
 * kernel, after checking that a sandbox works here.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULT_KERNEL_NAME, checkKernelName, checkSandbox, kernelSpec, kernelSpecDir, kernelspecRuntime, positiveFlag } from './kernelspec.ts';

export interface KernelspecInstallOptions {
  prefix?: string;
  name?: string;
  sandbox?: string;
  python?: string;
  diskLimit?: string;
  maxFiles?: string;
}

export interface KernelspecIo {
  out: (s: string) => void;
}

/** Resolves to the exit code; a {@link ConfigError} (exit 2) when no sandbox or Python is found, or a flag is wrong. */
export async function kernelspecInstall(o: KernelspecInstallOptions, io: KernelspecIo): Promise<number> {
  const name = checkKernelName(o.name ?? DEFAULT_KERNEL_NAME);
  const sandbox = checkSandbox(o.sandbox);
  const diskLimitMb = positiveFlag(o.diskLimit, '--disk-limit');
  const maxFiles = positiveFlag(o.maxFiles, '--max-files');
  // The gateway starts kernels in other folders: a relative path would lead elsewhere there.
  const python = o.python !== undefined && o.python.includes('/') ? resolve(o.python) : o.python;
  const { choice } = await kernelspecRuntime({ ...(python !== undefined ? { python } : {}), ...(sandbox !== undefined ? { sandbox } : {}) });
  const dir = kernelSpecDir(name, o.prefix !== undefined ? resolve(o.prefix) : undefined);
  const file = join(dir, 'kernel.json');
  const replaced = existsSync(file);
  await mkdir(dir, { recursive: true });
  await writeFile(file, `${JSON.stringify(kernelSpec({ sandbox, python, diskLimitMb, maxFiles }), null, 2)}\n`);
  io.out(`${replaced ? 'Replaced' : 'Wrote'} ${file}\n`);
  io.out(`Its kernels run in the ${choice.mode} sandbox here${sandbox === undefined || sandbox === 'auto' ? ' (the strongest found now; each kernel checks again as it starts)' : ''}.\n`);
  io.out(`Point Duet at this machine's Jupyter Server or gateway with --kernel-gateway URL --kernel-name ${name} (and --gateway-token if it has one).\n`);
  return 0;
}
