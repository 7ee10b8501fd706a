/**
 * What every command needs before it can run model code: the logger, and where
 * kernels come from. On this machine: a Python with ipykernel and the sandbox
 * launcher. With `--kernel-gateway`: a gateway that answers with the token and
 * has the kernelspec asked for. Failures here are configuration errors (exit 2)
 * with a message that names the fix.
 */
import { Gateway, GatewayError, findPython, PythonSetupError, type KernelLauncher } from '@duet/kernel';
import { ConfigError, type DuetConfig } from '../config/index.ts';
import { chooseServerLauncher, type SandboxReport } from '../kernels/launcher.ts';
import { createLogger, type Logger } from '../log.ts';

interface RuntimeBase {
  log: Logger;
  /** How kernels are isolated, for the status bar and `/api/health`. */
  sandbox: SandboxReport;
}

/** Kernels on this machine, in Duet's sandbox. */
export interface LocalRuntime extends RuntimeBase {
  kind?: 'local';
  python: string;
  pythonVersion: string;
  launcher: KernelLauncher;
}

/** Kernels on a gateway (Jupyter Server, Kernel Gateway, Enterprise Gateway), in its isolation. */
export interface RemoteRuntime extends RuntimeBase {
  kind: 'remote';
  gateway: Gateway;
  kernelName: string;
  /** The gateway's version, as `/api` says. */
  gatewayVersion: string;
}

/** What a command found it can run kernels with. */
export type Runtime = LocalRuntime | RemoteRuntime;

/** Finds where kernels will run; a {@link ConfigError} that names the fix when that cannot work. */
export async function prepareRuntime(config: DuetConfig, progress: (m: string) => void): Promise<Runtime> {
  const log = createLogger({ level: config.logLevel });
  if (config.kernelGateway !== undefined) return prepareRemote(config, log, progress);
  let choice;
  try {
    choice = await findPython({ ...(config.python ? { explicit: config.python } : {}), onProgress: progress });
  } catch (err) {
    if (err instanceof PythonSetupError) throw new ConfigError(err.message);
    throw err;
  }
  const { launcher, sandbox } = await chooseServerLauncher({ python: choice.python, sandbox: config.sandbox, allowUnsandboxed: config.allowUnsandboxed });
  log.info({ python: choice.python, pythonVersion: choice.pythonVersion, sandbox: sandbox.mode }, 'runtime ready');
  return { kind: 'local', log, python: choice.python, pythonVersion: choice.pythonVersion, launcher, sandbox };
}

/** Reaches the gateway with the token and checks it has the kernel asked for. */
async function prepareRemote(config: DuetConfig, log: Logger, progress: (m: string) => void): Promise<RemoteRuntime> {
  let gateway: Gateway;
  let check;
  try {
    gateway = new Gateway({ url: config.kernelGateway as string, ...(config.gatewayToken !== undefined ? { token: config.gatewayToken } : {}) });
    progress(`checking the kernel gateway at ${gateway.url}…`);
    check = await gateway.check();
  } catch (err) {
    if (err instanceof GatewayError) throw new ConfigError(err.message);
    throw err;
  }
  const name = config.kernelName;
  if (!check.kernelNames.includes(name)) {
    const has = check.kernelNames.length > 0 ? check.kernelNames.join(', ') : 'none';
    throw new ConfigError(`The kernel gateway at ${gateway.url} has no kernel named "${name}" (it has: ${has}). Choose one with --kernel-name.`);
  }
  const sandbox = remoteSandbox(gateway, name);
  const ignored = [config.sandbox !== 'auto' ? '--sandbox' : null, config.python !== undefined ? '--python' : null, config.allowUnsandboxed ? '--allow-unsandboxed' : null].filter((f) => f !== null);
  if (ignored.length > 0) progress(`${ignored.join(', ')}: not used with --kernel-gateway; the gateway's kernelspec decides how kernels start (duet kernelspec install on that host carries Duet's sandbox there).`);
  log.info({ gateway: gateway.url, gatewayVersion: check.version, kernelName: name }, 'runtime ready');
  return { kind: 'remote', log, gateway, kernelName: name, gatewayVersion: check.version, sandbox };
}

/** Where isolation comes from on a gateway: the gateway's, not Duet's. */
function remoteSandbox(gateway: Gateway, kernelName: string): SandboxReport {
  const notes = [
    `Kernels run on ${gateway.host}; isolation is the gateway's (its containers or pods), not Duet's sandbox.`,
    'Duet keeps the cell time limit and the output cap; the disk limit of a local kernel does not apply there.',
  ];
  if (kernelName.startsWith('duet-')) notes.push(`The kernelspec "${kernelName}" starts kernels through Duet's sandbox on that host.`);
  return { mode: 'remote', available: true, host: gateway.host, notes };
}

/** One line for the user: what runs the kernels, and in what isolation. */
export function describeRuntime(rt: Runtime): string {
  if (rt.kind === 'remote') return `kernel: "${rt.kernelName}" on the gateway ${rt.gateway.url} (gateway version ${rt.gatewayVersion}); isolation is the gateway's`;
  const s = rt.sandbox;
  return `kernel: ${rt.python} (Python ${rt.pythonVersion}), sandbox: ${s.mode}${s.available ? '' : ' (no isolation)'}${s.notes.length ? ` — ${s.notes.join(' ')}` : ''}`;
}
