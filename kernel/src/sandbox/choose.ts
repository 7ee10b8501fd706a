/**
 * Picking the launcher the server uses, and refusing to run model code without
 * a sandbox unless the user said so.
 */
import { detectSandbox, type SandboxDetection } from './detect.ts';
import { sandboxLauncher } from './launchers.ts';
import type { KernelLauncher, SandboxMode } from './types.ts';

/** The flag that opts in to running without an operating-system sandbox. */
export const ALLOW_UNSANDBOXED_FLAG = '--allow-unsandboxed';

export interface ChooseLauncherOptions {
  python: string;
  /** `auto` picks the strongest mode available. */
  mode: 'auto' | SandboxMode;
  /** Must be true to get mode `none`. */
  allowUnsandboxed: boolean;
}

export interface SandboxChoice {
  launcher: KernelLauncher;
  mode: SandboxMode;
  detection: SandboxDetection;
}

/** The requested sandbox cannot be had; the message says what to do. */
export class SandboxUnavailableError extends Error {
  override readonly name = 'SandboxUnavailableError';
}

/** Detects what works here and returns the launcher for the chosen mode. */
export async function chooseLauncher(opts: ChooseLauncherOptions): Promise<SandboxChoice> {
  const detection = await detectSandbox(opts.python);
  const mode = opts.mode === 'auto' ? detection.best : opts.mode;
  if (!detection.available.includes(mode)) {
    throw new SandboxUnavailableError(
      `The ${mode} sandbox is not available here.\n${detection.notes.join('\n')}\n` +
        `Available: ${detection.available.join(', ')}. Choose one of those, or leave the mode on auto.`,
    );
  }
  if (mode === 'none' && !opts.allowUnsandboxed) {
    const risk =
      'Without a sandbox, model-written code runs with your user\'s rights: only Python-level checks stand between it and ' +
      'your files, your network and your other programs, and those checks can be got around.';
    const others = detection.available.filter((m) => m !== 'none');
    throw new SandboxUnavailableError(
      opts.mode === 'none' && others.length > 0
        ? `--sandbox none was asked for, though ${others.join(' and ')} ${others.length > 1 ? 'are' : 'is'} available here.\n${risk}\n` +
            `Leave --sandbox on auto, or pass ${ALLOW_UNSANDBOXED_FLAG} as well to confirm.`
        : 'No operating-system sandbox is available, so Duet will not run model-written code.\n' +
            `${detection.notes.join('\n')}\n${risk}\n` +
            'Install bubblewrap (apt install bubblewrap) or use Linux 5.13+ with Landlock; or, to run anyway, ' +
            `pass ${ALLOW_UNSANDBOXED_FLAG}.`,
    );
  }
  return { launcher: sandboxLauncher(mode), mode, detection };
}
