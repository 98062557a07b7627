import type { Writable } from 'node:stream';
import { parseArgs, UsageError, valueOf } from './args';
import { exportAccount } from './commands/export';
import { rebuild } from './commands/rebuild';
import { upgrade } from './commands/upgrade';
import { verify } from './commands/verify';
import { CliError, dataFilesOf } from './data-dir';

export interface CliIo {
  readonly stdout: Writable & { readonly isTTY?: boolean };
  readonly stderr: Writable & { readonly isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

export const USAGE = `Usage: npm run cli -- <command> [options]     (after npm run build)

Reads the embedded service's data folder: DATA_DIR, default ./data (or --data-dir <dir>).
The service may be running: the event log is opened read-only.

Commands:
  rebuild                    Rebuild every read model from the event log into a fresh store, with
                             progress and events/s, then compare it with the live read models
                             (read-models.db). Exit 1 on any difference.
      --keep                 keep the rebuilt store (its path is printed)
      --max-diffs <n>        differences printed at most (default 50)
  export --account <id>      The account's events as NDJSON, in commit order, personal fields
                             opened with DATA_DIR/keys.db ([erased] for an erased person).
      --out <file>           write to a file (complete or not at all) instead of stdout
      --as-stored            personal fields sealed, as stored and hashed (checkable against the log)
  verify                     Check the hash chains, seals and positions of the event log.
                             Exit 1 naming the first changed, removed or reordered event.
      --anchor <hash>        a hash printed by an earlier run, which must still be in the log (repeatable)
      --json                 the full report as JSON
      --max-problems <n>     problems printed at most (default 20)
  upgrade --to <dir>         Copy the event log into a new data folder with personal fields sealed
                             (docs/PRIVACY.md); its first event names the old log's last anchor.
                             The old folder keeps every personal value until you destroy it.

Exit codes: 0 success, 1 differences or integrity failure, 2 usage or operational error.
`;

const FLAGS = {
  values: ['data-dir', 'account', 'out', 'anchor', 'max-diffs', 'max-problems', 'to'],
  switches: ['keep', 'json', 'help', 'as-stored'],
};

/** Runs one command; resolves with the process exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseArgs(argv, FLAGS);
    if (args.switches.has('help') || args.command === 'help' || args.command === undefined) {
      (args.command === undefined && !args.switches.has('help') ? io.stderr : io.stdout).write(USAGE);
      return args.command === undefined && !args.switches.has('help') ? 2 : 0;
    }
    const files = dataFilesOf(valueOf(args, 'data-dir') ?? io.env.DATA_DIR, io.env.ROOT_KEY);
    switch (args.command) {
      case 'rebuild':
        return await rebuild(files, { keep: args.switches.has('keep'), maxDifferences: positive(valueOf(args, 'max-diffs') ?? '50', 'max-diffs') }, io.stdout, io.stderr);
      case 'export': {
        const account = valueOf(args, 'account');
        if (!account) throw new UsageError('export needs --account <id>');
        return await exportAccount(files, account, valueOf(args, 'out'), io.stdout, io.stderr, { asStored: args.switches.has('as-stored') });
      }
      case 'upgrade': {
        const to = valueOf(args, 'to');
        if (!to) throw new UsageError('upgrade needs --to <dir>, a new data folder');
        return await upgrade(files, to, io.stdout, io.stderr);
      }
      case 'verify':
        return await verify(
          files,
          {
            anchors: args.values.get('anchor') ?? [],
            json: args.switches.has('json'),
            maxProblems: positive(valueOf(args, 'max-problems') ?? '20', 'max-problems'),
          },
          io.stdout,
          io.stderr,
        );
      default:
        throw new UsageError(`Unknown command "${args.command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof CliError) {
      io.stderr.write(`${error.message}\n`);
      return 2;
    }
    io.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
}

function positive(raw: string, name: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`--${name} must be a positive integer, got "${raw}"`);
  return value;
}
