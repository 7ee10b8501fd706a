/**
 * What every command needs before it can run model code: the logger, a Python
 * with ipykernel, and the sandbox launcher. Failures here are configuration
 * errors (exit 2) with a message that names the fix.
 */
import { findPython, PythonSetupError, type KernelLauncher } from '@duet/kernel';
import { ConfigError, type DuetConfig } from '../config/index.ts';
import { chooseServerLauncher, type SandboxReport } from '../kernels/launcher.ts';
import { createLogger, type Logger } from '../log.ts';

/** What a command found it can run kernels with. */
export interface Runtime {
  log: Logger;
  python: string;
  pythonVersion: string;
  launcher: KernelLauncher;
  sandbox: SandboxReport;
}

/** Finds Python and the sandbox launcher; a {@link ConfigError} that names the fix when either is missing. */
export async function prepareRuntime(config: DuetConfig, progress: (m: string) => void): Promise<Runtime> {
  const log = createLogger({ level: config.logLevel });
  let choice;
  try {
    choice = await findPython({ ...(config.python ? { explicit: config.python } : {}), onProgress: progress });
  } catch (err) {
    if (err instanceof PythonSetupError) throw new ConfigError(err.message);
    throw err;
  }
  const { launcher, sandbox } = await chooseServerLauncher({ python: choice.python, sandbox: config.sandbox, allowUnsandboxed: config.allowUnsandboxed });
  log.info({ python: choice.python, pythonVersion: choice.pythonVersion, sandbox: sandbox.mode }, 'runtime ready');
  return { log, python: choice.python, pythonVersion: choice.pythonVersion, launcher, sandbox };
}
