/**
 * What the kernel's Python has installed, asked of the kernel itself, so the models
 * are told which libraries they may import instead of guessing and failing.
 */
import { runCollecting, silentLogger, type KernelConnection, type KernelLogger } from '@duet/kernel';

/** The kernel's Python version and which of the {@link INVENTORY_CANDIDATES} it can import. */
export interface KernelInventory {
  /** Like `3.11.2`; `unknown` when the kernel could not be asked. */
  python: string;
  /** Import names that were found, in the order they were asked for. */
  packages: string[];
}

/**
 * Import names looked for, the most used first. Modules the guard refuses to notebook
 * code (`requests`, `urllib3`, `httpx`, …) are left out: listing them would invite
 * imports that fail.
 */
export const INVENTORY_CANDIDATES: readonly string[] = [
  'numpy',
  'pandas',
  'matplotlib',
  'scipy',
  'sympy',
  'sklearn',
  'PIL',
  'networkx',
  'seaborn',
  'statsmodels',
  'bs4',
  'lxml',
  'yaml',
  'regex',
  'dateutil',
  'pytz',
  'tqdm',
  'mpmath',
  'numba',
  'polars',
  'pyarrow',
  'openpyxl',
  'tabulate',
  'shapely',
  'skimage',
  'cv2',
  'nltk',
  'torch',
  'sortedcontainers',
  'more_itertools',
  'attr',
  'pydantic',
];

/** What is reported when the kernel could not be asked. */
const UNKNOWN: KernelInventory = { python: 'unknown', packages: [] };

/** Past this, the answer is given up on; the kernel is not interrupted, as a user's cell may hold it. */
const INVENTORY_TIMEOUT_MS = 15_000;

/**
 * The code run in the kernel. `find_spec` looks a top-level module up on sys.path
 * without importing it, so no heavy library is loaded into the user's kernel; the
 * function is deleted again so the user's namespace is left as it was.
 */
function inventoryCode(candidates: readonly string[]): string {
  return [
    'def __duet_inventory():',
    '    import importlib.util, json, sys',
    '    found = []',
    // Only plain module names reach the code; JSON strings of those are Python literals too.
    `    for name in ${JSON.stringify(candidates.filter((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)))}:`,
    '        try:',
    '            if importlib.util.find_spec(name) is not None:',
    '                found.append(name)',
    '        except Exception:',
    '            pass',
    '    print(json.dumps({"python": "%d.%d.%d" % sys.version_info[:3], "packages": found}))',
    'try:',
    '    __duet_inventory()',
    'finally:',
    '    del __duet_inventory',
  ].join('\n');
}

/**
 * Asks the kernel, in one execute that stays out of history (no execution count is
 * used up, and no notebook sees its output), which Python it is and which of the
 * `candidates` it can import. Never throws: on any failure it logs and returns
 * `{ python: 'unknown', packages: [] }`.
 */
export async function readKernelInventory(kernel: KernelConnection, log: KernelLogger = silentLogger, candidates: readonly string[] = INVENTORY_CANDIDATES): Promise<KernelInventory> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${INVENTORY_TIMEOUT_MS / 1000} s`)), INVENTORY_TIMEOUT_MS);
  });
  try {
    const { result, outputs } = await Promise.race([runCollecting(kernel, inventoryCode(candidates), { storeHistory: false }), timedOut]);
    if (result.status !== 'ok') throw new Error(`the inventory code ended ${result.status}${result.ename ? ` with ${result.ename}: ${result.evalue ?? ''}` : ''}`);
    const stdout = outputs.map((o) => (o.output_type === 'stream' && o.name === 'stdout' ? o.text : '')).join('');
    return parseInventory(stdout, candidates);
  } catch (err) {
    log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not read what the kernel has installed');
    return { ...UNKNOWN, packages: [] };
  } finally {
    clearTimeout(timer);
  }
}

/** The kernel's JSON line, checked: only candidate names are believed, so kernel output never reaches a prompt unfiltered. */
function parseInventory(stdout: string, candidates: readonly string[]): KernelInventory {
  // The last line: anything a thread of the user's printed meanwhile comes before it.
  const line = stdout.trimEnd().split('\n').pop() ?? '';
  const parsed: unknown = JSON.parse(line);
  if (typeof parsed !== 'object' || parsed === null) throw new Error('the inventory is not a JSON object');
  const { python, packages } = parsed as { python?: unknown; packages?: unknown };
  if (typeof python !== 'string' || !/^\d+\.\d+\.\d+$/.test(python)) throw new Error('the inventory has no Python version');
  if (!Array.isArray(packages)) throw new Error('the inventory has no package list');
  return { python, packages: candidates.filter((name) => packages.includes(name)) };
}

/**
 * One sentence for the system prompt, e.g. "Python 3.11.2 with numpy, pandas and
 * matplotlib installed; nothing else can be installed (no pip, no network)."
 */
export function inventoryLine(inv: KernelInventory): string {
  const python = inv.python === 'unknown' ? 'Python 3' : `Python ${inv.python}`;
  const noMore = '(no pip, no network)';
  if (inv.packages.length > 0) return `${python} with ${listed(inv.packages)} installed; nothing else can be installed ${noMore}.`;
  if (inv.python === 'unknown') return `${python}; packages cannot be installed ${noMore}.`;
  return `${python} with only the standard library; nothing else can be installed ${noMore}.`;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] as string}`;
}
