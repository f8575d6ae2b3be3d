// chainbook's command line (bin/chainbook.js runs it): parses the arguments, dispatches, and catches once. A mistake in a
// lesson prints as file:line:col and exits 1; a mistake in the call prints the usage and exits
// 2; anything else is chainbook's own bug and exits 70.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LessonError } from '../src/lesson/diagnostics.ts';
import { build, create, packageRoot, processConsole, UsageError, verify, type Console } from './commands.ts';
import { dev, type DevOptions } from './dev.ts';
import { diagnoseCommand, quotesCommand } from './diagnose.ts';

const COMMANDS = {
  build: {
    usage: 'chainbook build [LESSON.md …] [--out DIR]',
    help: `Builds the site of the lessons named (every lesson in lessons/ without names) into site/,
or into --out DIR: a new or empty folder, or one an earlier build wrote. Training runs are
cached in .cache/runs. A failed build leaves the previous site as it was.`,
    options: { out: { type: 'string', short: 'o' } },
  },
  verify: {
    usage: 'chainbook verify [LESSON.md …]',
    help: `Re-derives every number of the lessons (every lesson in lessons/ without names), training
included, and prints each gradient as the tracer, the vectorised trainer, finite differences
and mathjs give it, and each quoted source figure with its verdict. Exits 1 on any
disagreement.`,
    options: {},
  },
  diagnose: {
    usage: 'chainbook diagnose [LESSON.md …] [--write]',
    help: `For every figure a lesson's ::check quotes that its model does not give, searches the
catalogue of mistakes (single mistakes, then pairs, then with the intermediates shortened to
2…12 decimals, rounded or cut off) for what reproduces the printed digits, jointly for all the
lesson's figures, and prints the explanations ranked: the one that explains most figures
first. --write adds erratum="…" explain="mistakes: …" to each explained check that declares
nothing yet, and keeps the change only if every one then reproduces its figure. Exits 1 if a
figure no mistake explains is not declared in the lesson either.`,
    options: { write: { type: 'boolean', short: 'w' } },
  },
  quotes: {
    usage: 'chainbook quotes SOURCE.txt LESSON.md [--lines FROM-TO]',
    help: `Reads a tutorial's text (its lines FROM to TO with --lines), finds every decimal it prints,
and matches each to a quantity of the lesson's step whose digits it shows (a value, a gradient,
a partial derivative, an update, the learning rate), or else to one a catalogued mistake makes
show them. Prints one ::check line per figure to standard output, to paste into the lesson,
and on standard error where each figure stands and what else has its digits.`,
    options: { lines: { type: 'string' } },
  },
  dev: {
    usage: 'chainbook dev [LESSON.md …] [--port N] [--host 127.0.0.1]',
    help: `Serves the site of the lessons named (every lesson in lessons/ without names) at
http://127.0.0.1:8173/ from memory, on this machine only (--host takes 127.0.0.1, localhost or
::1, nothing else). Saving a lesson rebuilds just that lesson, prints the time it took, and
reloads the page in the browser; a lesson with a mistake keeps its last good page, with the
mistake (file:line:col) above it and in the terminal. Ctrl-C stops.`,
    options: { port: { type: 'string', short: 'p' }, host: { type: 'string' } },
  },
  new: {
    usage: 'chainbook new NAME',
    help: 'Writes lessons/NAME.md, a small complete lesson to start from. NAME: lowercase letters, digits and dashes.',
    options: {},
  },
} as const;

const EXIT_CODES = `exit codes: 0 done, 1 a lesson has a mistake (or verify found a disagreement), 2 the command was called wrongly, 70 chainbook itself failed`;

const USAGE = `usage:
${Object.values(COMMANDS).map((c) => `  ${c.usage}`).join('\n')}
  chainbook COMMAND --help    what a command does
  chainbook --version

${EXIT_CODES}`;

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Runs one command line; returns the exit code. */
export function main(argv: string[], console: Console = processConsole): number | Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined) {
      console.err(`${USAGE}\n`);
      return 2;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      console.out(`${USAGE}\n`);
      return 0;
    }
    if (command === '--version' || command === '-V') {
      console.out(`${version()}\n`);
      return 0;
    }
    if (!Object.hasOwn(COMMANDS, command)) throw new UsageError(`unknown command ${command}`);
    const spec = COMMANDS[command as keyof typeof COMMANDS];
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...spec.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      console.out(`usage: ${spec.usage}\n\n${spec.help}\n\n${EXIT_CODES}\n`);
      return 0;
    }
    switch (command) {
      case 'build': {
        const out = (values as { out?: string }).out;
        if (out === '') throw new UsageError('--out needs a folder');
        return build(positionals, out, { console });
      }
      case 'verify':
        return verify(positionals, { console });
      case 'diagnose':
        return diagnoseCommand(positionals, Boolean((values as { write?: boolean }).write), { console });
      case 'quotes':
        if (positionals.length !== 2) throw new UsageError('chainbook quotes SOURCE.txt LESSON.md: the tutorial\'s text, then the lesson whose model it is');
        return quotesCommand(positionals[0], positionals[1], (values as { lines?: string }).lines, { console });
      case 'dev': {
        const { port, host } = values as { port?: string; host?: string };
        if (port !== undefined && !/^\d+$/.test(port)) throw new UsageError(`--port: expected a port number, got ${port}`);
        return serve(positionals, { port: port === undefined ? undefined : Number(port), host, console });
      }
      default:
        if (positionals.length !== 1) throw new UsageError('chainbook new NAME: NAME in lowercase letters, digits and dashes, like 05-my-lesson');
        return create(positionals[0], { console });
    }
  } catch (e) {
    return failure(e, console);
  }
}

/** What went wrong, printed, as an exit code: 1 a lesson's mistake, 2 a mistaken call, 70 chainbook's own. */
function failure(e: unknown, console: Console): number {
  if (e instanceof LessonError) {
    console.err(`${e.message}\n`);
    return 1;
  }
  if (e instanceof UsageError) {
    console.err(`chainbook: ${e.message}\n${e.showUsage ? `${USAGE}\n` : ''}`);
    return 2;
  }
  const detail = process.env.CHAINBOOK_DEBUG ? (e as Error).stack : '(run with CHAINBOOK_DEBUG=1 for the stack trace)';
  console.err(`chainbook: unexpected error: ${(e as Error).message}\nthis is a bug in chainbook, not in the lesson: please report it with the lesson and the output of CHAINBOOK_DEBUG=1\n${detail}\n`);
  return 70;
}

/** chainbook dev until Ctrl-C. */
async function serve(files: string[], options: DevOptions & { console: Console }): Promise<number> {
  try {
    const server = await dev(files, options);
    await new Promise<void>((ok) => {
      process.once('SIGINT', ok);
      process.once('SIGTERM', ok);
    });
    await server.close();
    return 0;
  } catch (e) {
    return failure(e, options.console);
  }
}

