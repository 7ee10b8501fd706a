export type { MimeBundle, StreamOutput, DisplayDataOutput, ExecuteResultOutput, ErrorOutput, NbOutput } from './outputs.ts';
export { assertNever } from './outputs.ts';
export type { KernelState, ExecuteEvent, ExecuteResult, ExecuteOptions, KernelInfo } from './session-types.ts';
export type { SandboxMode, SandboxLimits, KernelLaunchSpec, LaunchCommand, KernelLauncher } from './sandbox/types.ts';
export { DEFAULT_LIMITS } from './sandbox/types.ts';
