/**
 * Duet's configuration: one schema (zod) for every source. Values come from
 * command-line flags, then environment variables, then a `--config` JSON file,
 * then the defaults, in that order of precedence.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const SANDBOX_MODES = ['auto', 'bwrap', 'landlock', 'macos', 'none'] as const;

const positiveInt = (what: string) => z.coerce.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`).positive(`${what} must be at least 1`);

const seconds = (what: string) => z.coerce.number({ error: `${what} must be a number of seconds` }).positive(`${what} must be more than 0`);

export const configSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(1337),
  notebooks: z.string().min(1).default('./notebooks'),
  baseUrl: z.string().min(1).default('http://localhost:1234/v1'),
  baseUrlA: z.string().min(1).optional(),
  baseUrlB: z.string().min(1).optional(),
  modelA: z.string().min(1).optional(),
  modelB: z.string().min(1).optional(),
  apiKey: z.string().optional(),
  passes: positiveInt('--passes').default(2),
  maxTurns: positiveInt('--max-turns').default(4),
  cellTimeout: z.coerce.number({ error: '--cell-timeout must be a number of seconds' }).positive('--cell-timeout must be more than 0').default(60),
  workdir: z.string().min(1).optional(),
  python: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  sandbox: z.enum(SANDBOX_MODES, { error: `--sandbox must be one of ${SANDBOX_MODES.join(', ')}` }).default('auto'),
  allowUnsandboxed: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])], { error: '--allow-unsandboxed must be true or false' })
    .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes')
    .default(false),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  contextA: positiveInt('--context-a').min(256, '--context-a must be at least 256 tokens').optional(),
  contextB: positiveInt('--context-b').min(256, '--context-b must be at least 256 tokens').optional(),
  firstTokenTimeout: seconds('--first-token-timeout').default(300),
  idleTimeout: seconds('--idle-timeout').default(60),
  instructionsA: z.string().optional(),
  instructionsB: z.string().optional(),
  mode: z.enum(['relay', 'coder-tester'], { error: '--mode must be relay or coder-tester' }).default('relay'),
  // No default here: Continue goes on with the model after the last turn's unless this is given.
  first: z.enum(['A', 'B'], { error: '--first must be A or B' }).optional(),
  concurrency: positiveInt('--concurrency').max(64, '--concurrency must be at most 64').default(1),
  serverConcurrency: positiveInt('--server-concurrency').max(256, '--server-concurrency must be at most 256').default(1),
  evals: z.string().min(1).optional(),
  kernelGateway: z.string().min(1).optional(),
  gatewayToken: z.string().min(1).optional(),
  kernelName: z.string().min(1).default('python3'),
  kernelStartTimeout: seconds('--kernel-start-timeout').optional(),
});

export type DuetConfig = z.infer<typeof configSchema>;
export type ConfigKey = keyof DuetConfig;

/** Environment variable for each key that has one. */
export const ENV_NAMES: Partial<Record<ConfigKey, string>> = {
  baseUrl: 'DUET_BASE_URL',
  baseUrlA: 'DUET_BASE_URL_A',
  baseUrlB: 'DUET_BASE_URL_B',
  modelA: 'DUET_MODEL_A',
  modelB: 'DUET_MODEL_B',
  apiKey: 'DUET_API_KEY',
  passes: 'DUET_PASSES',
  maxTurns: 'DUET_MAX_TURNS',
  cellTimeout: 'DUET_CELL_TIMEOUT',
  python: 'DUET_PYTHON',
  token: 'DUET_TOKEN',
  sandbox: 'DUET_SANDBOX',
  allowUnsandboxed: 'DUET_ALLOW_UNSANDBOXED',
  logLevel: 'DUET_LOG_LEVEL',
  contextA: 'DUET_CONTEXT_A',
  contextB: 'DUET_CONTEXT_B',
  firstTokenTimeout: 'DUET_FIRST_TOKEN_TIMEOUT',
  idleTimeout: 'DUET_IDLE_TIMEOUT',
  instructionsA: 'DUET_INSTRUCTIONS_A',
  instructionsB: 'DUET_INSTRUCTIONS_B',
  mode: 'DUET_MODE',
  first: 'DUET_FIRST',
  concurrency: 'DUET_CONCURRENCY',
  serverConcurrency: 'DUET_SERVER_CONCURRENCY',
  kernelGateway: 'DUET_KERNEL_GATEWAY',
  gatewayToken: 'DUET_GATEWAY_TOKEN',
  kernelName: 'DUET_KERNEL_NAME',
  kernelStartTimeout: 'DUET_KERNEL_START_TIMEOUT',
};

/** A configuration problem the user must fix; the CLI exits 2 with this message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Merges the sources and validates the result. `flags` holds only what was given
 * on the command line.
 */
export async function resolveConfig(
  flags: Partial<Record<ConfigKey, unknown>> & { config?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<DuetConfig> {
  const fromFile = flags.config ? await readConfigFile(flags.config) : {};
  const fromEnv: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const v = env[name];
    if (v !== undefined && v !== '') fromEnv[key] = v;
  }
  const fromFlags = Object.fromEntries(Object.entries(flags).filter(([k, v]) => k !== 'config' && v !== undefined));
  const merged = { ...fromFile, ...fromEnv, ...fromFlags };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const key = String(first?.path[0] ?? '');
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const said = first?.message ?? 'unknown problem';
    const what = key === '' ? said : said.startsWith(flag) ? said : `${flag}: ${said}`;
    const value = JSON.stringify(merged[key as keyof typeof merged]);
    const from =
      key in fromFlags ? `${value} on the command line` : key in fromEnv ? `${ENV_NAMES[key as ConfigKey]}=${value}` : key in fromFile ? `${value} in ${flags.config}` : '';
    throw new ConfigError(`Invalid configuration: ${what}${from ? ` (got ${from})` : ''}.`);
  }
  const config = parsed.data;
  for (const key of ['instructionsA', 'instructionsB'] as const) {
    const value = config[key];
    if (value !== undefined) config[key] = await readInstructions(value, key === 'instructionsA' ? '--instructions-a' : '--instructions-b');
  }
  return config;
}

/** `--instructions-a @notes.md` reads the file; any other value is the text itself. */
async function readInstructions(value: string, flag: string): Promise<string> {
  if (!value.startsWith('@')) return value;
  const path = value.slice(1);
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read ${flag} ${value}: ${(err as NodeJS.ErrnoException).code ?? String(err)}. Give the instructions as text, or @ and a readable file.`);
  }
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read the config file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`The config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`The config file ${path} must hold a JSON object`);
  const known = new Set(Object.keys(configSchema.shape));
  const unknown = Object.keys(json).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new ConfigError(`The config file ${path} has unknown keys: ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  return json as Record<string, unknown>;
}
