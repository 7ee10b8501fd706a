/**
 * The `duet` command line: parses flags, resolves the configuration and runs a
 * command. Usage and configuration errors print one line and exit 2.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError, resolveConfig } from '../config/index.ts';
import { addEvalOptions, addSharedOptions, givenFlags } from './options.ts';
import { runCommand, type Io } from './run-command.ts';

export const EXIT_USAGE = 2;

function processIo(): Io & { onTerminate: (fn: () => void) => () => void } {
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`),
    onInterrupt: (fn) => {
      process.on('SIGINT', fn);
      return () => process.off('SIGINT', fn);
    },
    onTerminate: (fn) => {
      process.on('SIGTERM', fn);
      return () => process.off('SIGTERM', fn);
    },
  };
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: string[], io = processIo()): Promise<number> {
  let exitCode = 0;
  const program = new Command('duet')
    .description('Two local LLMs write Python and tests in a notebook; cells run in a sandboxed kernel as they stream.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.err(s),
      writeErr: (s) => io.err(s),
      // One line, like every other usage error.
      outputError: (s, write) => write(`duet: ${s.replace(/^error:\s*/, '').trim()} (run duet --help for usage)\n`),
    });

  const serve = addSharedOptions(program.command('serve', { isDefault: true }).description('start the notebook server (default)'))
    .option('--host <host>', 'address to listen on (default 127.0.0.1: this machine only)')
    .option('--port <port>', 'port (default 1337)')
    .option('--notebooks <dir>', 'folder of .ipynb notebooks (default ./notebooks)')
    .option('--evals <dir>', 'where the scoreboard finds eval folders besides the notebooks folder')
    .action(async () => {
      const config = await resolveConfig(givenFlags(serve));
      // Loaded on demand: `duet run` needs none of the HTTP server.
      const { serveCommand } = await import('./serve-command.ts');
      exitCode = await serveCommand(config, { ...processIo(), ...io } as ReturnType<typeof processIo>);
    });

  const run = addSharedOptions(program.command('run').description('run the whole loop headless and write the notebook'))
    .option('--prompt <text>', 'what the models should build')
    .option('--prompt-file <file>', 'read the prompt from a file')
    .option('--out <file.ipynb>', 'where to write the notebook (default: the --notebook file)')
    .option('--notebook <file.ipynb>', 'continue this notebook: the models see its cells, and the run is added to it')
    .option('--continue', 'with --notebook: more turns on its latest request, no new prompt')
    .option('--retry', "with --notebook: its latest turn again (the old one is kept, folded)")
    .option('--fresh', 'with --notebook: a new conversation; the models do not see the earlier cells')
    .option('--json', 'print a JSON summary on stdout')
    .action(async () => {
      const opts = run.opts<{ prompt?: string; promptFile?: string; out?: string; notebook?: string; continue?: boolean; retry?: boolean; fresh?: boolean; json?: boolean }>();
      const config = await resolveConfig(givenFlags(run));
      exitCode = await runCommand(
        {
          ...(opts.prompt !== undefined ? { prompt: opts.prompt } : {}),
          ...(opts.promptFile !== undefined ? { promptFile: opts.promptFile } : {}),
          ...(opts.out !== undefined ? { out: opts.out } : {}),
          ...(opts.notebook !== undefined ? { notebook: opts.notebook } : {}),
          kind: opts.continue === true ? 'continue' : opts.retry === true ? 'retry' : 'new',
          fresh: opts.fresh === true,
          both: opts.continue === true && opts.retry === true,
          json: opts.json === true,
        },
        config,
        io,
      );
    });

  const evalCmd = addEvalOptions(addSharedOptions(program.command('eval').description('compare pairs of models on a task set, judged by hidden tests in a fresh kernel')))
    .requiredOption('--tasks <file|builtin>', 'JSONL task file (Duet, HumanEval or MBPP layout), or builtin for the tasks that ship with Duet')
    .option('--pair <A,B>', 'two model ids (X,X for one model alone; URL#id for a model on its own server); repeat to compare pairs', (v: string, all: string[] = []) => [...all, v])
    .requiredOption('--out <dir>', 'folder for results.jsonl, the notebooks and report.html; run again to resume')
    .option('--limit <n>', 'only the first n tasks')
    .option('--json', 'print the scoreboard as JSON on stdout')
    .action(async () => {
      const opts = evalCmd.opts<{ tasks: string; pair?: string[]; mode?: string[]; out: string; limit?: string; json?: boolean }>();
      // Several --mode values are compared; the configuration holds one.
      const { mode: modes, ...flags } = givenFlags(evalCmd);
      const config = await resolveConfig(flags);
      const { evalCommand } = await import('./eval-command.ts');
      exitCode = await evalCommand(
        {
          tasks: opts.tasks,
          pairs: opts.pair ?? [],
          modes: Array.isArray(modes) ? modes.map(String) : [],
          out: opts.out,
          ...(opts.limit !== undefined ? { limit: positiveCount(opts.limit, '--limit') } : {}),
          json: opts.json === true,
        },
        config,
        io,
      );
    });

  const replay = addSharedOptions(program.command('replay').description("run a notebook's code and test cells again in a fresh kernel; exit 0 when the same tests pass"))
    .argument('<notebook.ipynb>', 'the notebook to replay')
    .option('--json', 'print the replay report as JSON on stdout')
    .action(async (notebook: string) => {
      const config = await resolveConfig(givenFlags(replay));
      const { replayCommand } = await import('./replay-command.ts');
      exitCode = await replayCommand({ notebook, json: replay.opts<{ json?: boolean }>().json === true }, config, io);
    });

  const kernelspec = program.command('kernelspec').description('Jupyter kernelspecs that run Duet\'s sandboxed kernel on a Jupyter Server or gateway');
  const kernelspecInstallCmd = kernelspec
    .command('install')
    .description('write the kernelspec for this machine\'s Jupyter Server or gateway (checks that a sandbox works here)')
    .option('--prefix <dir>', 'install into DIR/share/jupyter/kernels (default: your Jupyter data folder, ~/.local/share/jupyter on Linux)')
    .option('--name <name>', 'the kernelspec\'s name, which Duet is given as --kernel-name (default duet-sandboxed)')
    .option('--sandbox <mode>', 'auto, bwrap, landlock or macos for its kernels (default auto: the strongest available as each starts)')
    .option('--python <path>', 'Python with ipykernel for its kernels (default: found as every duet command finds it)')
    .option('--disk-limit <MB>', 'what each kernel may keep in its folder and temporary folder together (default 1024)')
    .option('--max-files <n>', 'files, folders and links each kernel may keep there (default 10000)')
    .action(async () => {
      const opts = kernelspecInstallCmd.opts<{ prefix?: string; name?: string; sandbox?: string; python?: string; diskLimit?: string; maxFiles?: string }>();
      const { kernelspecInstall } = await import('./kernelspec-command.ts');
      exitCode = await kernelspecInstall(opts, io);
    });

  // What the kernelspec runs; a gateway starts it, never a person.
  const kernelCmd = program
    .command('kernel', { hidden: true })
    .description('run a sandboxed kernel for a Jupyter Server or gateway, on the ports of its connection file')
    .requiredOption('--connection-file <file>', 'the connection file the gateway wrote')
    .option('--sandbox <mode>', 'auto, bwrap, landlock or macos (default auto)')
    .option('--python <path>', 'Python with ipykernel')
    .option('--disk-limit <MB>', 'disk limit of the kernel\'s folders (default 1024)')
    .option('--max-files <n>', 'files the kernel may keep (default 10000)')
    .action(async () => {
      const opts = kernelCmd.opts<{ connectionFile: string; sandbox?: string; python?: string; diskLimit?: string; maxFiles?: string }>();
      const { kernelCommand } = await import('./kernel-command.ts');
      exitCode = await kernelCommand(opts, {
        err: io.err,
        onSignal: (signal, fn) => {
          process.on(signal, fn);
          return () => process.off(signal, fn);
        },
      });
    });

  // `serve` is the default command, so commander would take a mistyped command for serve's argument.
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-') && !program.commands.some((c) => c.name() === first) && first !== 'help') {
    io.err(`duet: unknown command '${first}': use duet serve, run, eval, replay or kernelspec (run duet --help for usage)`);
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors.
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : EXIT_USAGE;
    }
    if (err instanceof ConfigError) {
      io.err(`duet: ${err.message}`);
      return EXIT_USAGE;
    }
    io.err(`duet: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

/** A whole number of at least 1 from a flag, or a usage error naming the flag. */
function positiveCount(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${flag} must be a whole number of at least 1 (got "${value}").`);
  return n;
}
