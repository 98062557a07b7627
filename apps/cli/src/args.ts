import { parseArgs as parseNodeArgs, type ParseArgsConfig } from 'node:util';

/** The command line: `<command> [--flag value | --switch]...`, nothing positional after the command. */
export interface ParsedArgs {
  readonly command: string | undefined;
  /** Every value of each flag, in order (a flag may repeat, e.g. --anchor). */
  readonly values: ReadonlyMap<string, readonly string[]>;
  readonly switches: ReadonlySet<string>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface FlagSpec {
  /** Flags that take a value. */
  readonly values: readonly string[];
  /** Flags that stand alone. */
  readonly switches: readonly string[];
}

/** Node's own parser in strict mode: unknown flags, missing values and values given to switches are refused. */
export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const name of spec.values) options[name] = { type: 'string', multiple: true };
  for (const name of spec.switches) options[name] = { type: 'boolean' };
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (error) {
    // Matched by code: node's errors may come from another realm (jest), where instanceof fails.
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_') && typeof message === 'string') throw new UsageError(firstSentenceOf(message));
    throw error;
  }
  // The command is the first word only when nothing precedes it: `--json export` has no command.
  const startsWithFlag = argv[0]?.startsWith('-') ?? false;
  const [command, ...stray] = startsWithFlag ? [undefined, ...parsed.positionals] : parsed.positionals;
  if (stray.length > 0) throw new UsageError(`Unexpected argument "${stray[0]}"`);
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === true) switches.add(name);
    else if (Array.isArray(value)) values.set(name, value.filter((item): item is string => typeof item === 'string'));
  }
  return { command, values, switches };
}

/** The last value of a flag (a later one overrides an earlier one). */
export function valueOf(args: ParsedArgs, name: string): string | undefined {
  return args.values.get(name)?.at(-1);
}

// Node's messages go on with advice about positionals after `--`, which this CLI takes none of.
function firstSentenceOf(message: string): string {
  return message.split(/\.(\s|$)/)[0];
}
