/**
 * How a kernel process is started. The session builds a {@link KernelLaunchSpec};
 * a launcher turns it into a command line. The plain launcher runs ipykernel as it
 * is; the sandbox launchers wrap it in the operating system's isolation.
 */

/** Isolation layers Duet knows. `none` runs model code with the user's rights. */
export type SandboxMode = 'bwrap' | 'landlock' | 'macos' | 'none';

export interface SandboxLimits {
  /** RLIMIT_AS, bytes. */
  memoryBytes: number;
  /** RLIMIT_CPU, seconds of CPU time for the kernel's whole life. */
  cpuSeconds: number;
  /** RLIMIT_FSIZE, bytes per file written. */
  fileSizeBytes: number;
  /** RLIMIT_NOFILE. */
  openFiles: number;
  /**
   * Total bytes the kernel may keep on disk: its workdir and its private
   * temporary folder together.
   */
  diskBytes: number;
  /**
   * Files, directories and links the kernel may keep in those places: empty
   * files and symlinks take no blocks, yet each costs an inode.
   */
  maxFiles: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryBytes: 4 * 1024 ** 3,
  cpuSeconds: 3600,
  fileSizeBytes: 256 * 1024 ** 2,
  openFiles: 256,
  diskBytes: 1024 ** 3,
  maxFiles: 10_000,
};

export interface KernelLaunchSpec {
  /** Absolute path of the Python interpreter that has ipykernel. */
  python: string;
  /** The connection file (inside runtimeDir). */
  connectionFile: string;
  /**
   * Private 0700 directory holding the connection file and the ipc sockets: the
   * kernel may read it, never write it (its sockets are bound before it is confined).
   */
  runtimeDir: string;
  /** The kernel's private temporary folder on the host (inside runtimeDir), writable and counted in the disk limit. */
  tmpDir: string;
  /** The kernel's working directory: the only place its code may write. */
  workdir: string;
  limits: SandboxLimits;
}

export interface LaunchCommand {
  command: string;
  args: string[];
  /** The whole environment of the child: never the server's own. */
  env: Record<string, string>;
  cwd: string;
  /**
   * Host paths the sandbox lets the kernel write, held by the session to
   * `diskBytes` and `maxFiles` together. Absent for a kernel with no sandbox
   * around it, which can write anywhere its user can.
   */
  writable?: string[];
}

/** Turns a launch spec into the command that starts the kernel. */
export interface KernelLauncher {
  readonly mode: SandboxMode;
  /** ipc transport is required where the kernel has no network namespace of its own. */
  readonly transport: 'tcp' | 'ipc';
  command(spec: KernelLaunchSpec): LaunchCommand;
}
