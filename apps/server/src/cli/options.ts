/**
 * The flags every `duet` command shares, each with its environment variable
 * (see config/), declared once for commander.
 */
import { Command, Option } from 'commander';
import { ENV_NAMES, type ConfigKey } from '../config/index.ts';

interface FlagSpec {
  key: ConfigKey;
  flags: string;
  help: string;
}

const SHARED: FlagSpec[] = [
  { key: 'baseUrl', flags: '--base-url <url>', help: 'OpenAI-compatible API root of the model server, or "demo" for the built-in demo models (default http://localhost:1234/v1, LM Studio)' },
  { key: 'baseUrlA', flags: '--base-url-a <url>', help: 'API root for model A only' },
  { key: 'baseUrlB', flags: '--base-url-b <url>', help: 'API root for model B only' },
  { key: 'modelA', flags: '--model-a <id>', help: 'model id of A (default: the first id the server lists)' },
  { key: 'modelB', flags: '--model-b <id>', help: 'model id of B (default: the second id the server lists, or the first)' },
  { key: 'apiKey', flags: '--api-key <key>', help: 'API key for the model server, if it needs one' },
  { key: 'passes', flags: '--passes <n>', help: 'green tests that end a run (default 2)' },
  { key: 'maxTurns', flags: '--max-turns <n>', help: 'turns before a run gives up (default 4)' },
  { key: 'cellTimeout', flags: '--cell-timeout <seconds>', help: 'time limit of one cell (default 60)' },
  { key: 'workdir', flags: '--workdir <dir>', help: "the kernel's working directory, the only place its code may write (default: a folder beside the notebook)" },
  { key: 'python', flags: '--python <path>', help: 'Python with ipykernel for the kernel (default: kernel/.venv, python3, /usr/bin/python3)' },
  { key: 'token', flags: '--token <token>', help: 'access token of the server (default: random)' },
  { key: 'sandbox', flags: '--sandbox <mode>', help: 'auto, bwrap, landlock, macos or none (default auto: the strongest available)' },
  { key: 'allowUnsandboxed', flags: '--allow-unsandboxed', help: 'run model code with your user rights when no sandbox is available' },
  { key: 'kernelGateway', flags: '--kernel-gateway <url>', help: 'run kernels on this Jupyter Server or kernel gateway instead of this machine (its isolation, not Duet\'s sandbox)' },
  { key: 'gatewayToken', flags: '--gateway-token <token>', help: "the gateway's token, sent as an Authorization header" },
  { key: 'kernelName', flags: '--kernel-name <name>', help: "the gateway's kernelspec to start (default python3; duet-sandboxed after duet kernelspec install)" },
  { key: 'kernelStartTimeout', flags: '--kernel-start-timeout <seconds>', help: 'how long a kernel may take to start (default 30 here, 120 on a gateway)' },
  { key: 'contextA', flags: '--context-a <tokens>', help: "model A's context window (default: asked of the server, else 4096)" },
  { key: 'contextB', flags: '--context-b <tokens>', help: "model B's context window (default: asked of the server, else 4096)" },
  { key: 'firstTokenTimeout', flags: '--first-token-timeout <seconds>', help: 'how long to wait for the first token of an answer, model loading included (default 300)' },
  { key: 'idleTimeout', flags: '--idle-timeout <seconds>', help: 'how long an answer may pause between tokens (default 60)' },
  { key: 'instructionsA', flags: '--instructions-a <text|@file>', help: "your own instructions for model A, added to Duet's rules" },
  { key: 'instructionsB', flags: '--instructions-b <text|@file>', help: "your own instructions for model B, added to Duet's rules" },
  { key: 'mode', flags: '--mode <mode>', help: 'relay (A and B take turns, the default) or coder-tester (B writes tests from the request alone; A writes the code)' },
  { key: 'first', flags: '--first <A|B>', help: 'which model speaks first (default A)' },
  { key: 'logLevel', flags: '--log-level <level>', help: 'trace, debug, info, warn, error (default info)' },
];

export function addSharedOptions(cmd: Command): Command {
  for (const f of SHARED) {
    const env = ENV_NAMES[f.key];
    const opt = new Option(f.flags, f.help);
    if (env) opt.env(env);
    // Environment values are read by resolveConfig too; commander's copy is ignored so precedence lives in one place.
    cmd.addOption(opt);
  }
  cmd.option('--config <file>', 'JSON file with any of these settings (camelCase keys)');
  return cmd;
}

/** `duet eval`'s own settings, with environment variables and config keys like the shared ones. */
const EVAL: FlagSpec[] = [
  { key: 'concurrency', flags: '--concurrency <n>', help: 'tasks run at once, each with its own kernel (default 1)' },
  { key: 'serverConcurrency', flags: '--server-concurrency <n>', help: 'requests one model server answers at once; raise it for servers that batch, like vLLM (default 1)' },
];

/** Adds `duet eval`'s settings; `--mode` may then be given more than once, to compare modes. */
export function addEvalOptions(cmd: Command): Command {
  for (const f of EVAL) {
    const opt = new Option(f.flags, f.help);
    const env = ENV_NAMES[f.key];
    if (env) opt.env(env);
    cmd.addOption(opt);
  }
  const mode = cmd.options.find((o) => o.attributeName() === 'mode');
  if (mode) {
    mode.argParser((value: string, previous: unknown) => [...(Array.isArray(previous) ? (previous as string[]) : []), value]);
    mode.description = 'relay (A and B take turns, the default) or coder-tester; give both to compare the modes';
  }
  return cmd;
}

/** Only the flags given on the command line, keyed as the config schema names them. */
export function givenFlags(cmd: Command): Partial<Record<ConfigKey, unknown>> & { config?: string } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(cmd.opts())) {
    if (cmd.getOptionValueSource(key) === 'cli' && value !== undefined) out[key] = value;
  }
  return out;
}
