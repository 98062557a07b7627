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

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const startsWithFlag = argv[0]?.startsWith('--') ?? false;
  const command = startsWithFlag ? undefined : argv[0];
  const rest = argv.slice(startsWithFlag ? 0 : 1);
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  for (let index = 0; index < rest.length; index++) {
    const token = rest[index];
    const [name, inline] = token.startsWith('--') ? splitInline(token.slice(2)) : [undefined, undefined];
    if (name === undefined) throw new UsageError(`Unexpected argument "${token}"`);
    if (spec.switches.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      switches.add(name);
    } else if (spec.values.includes(name)) {
      const value = inline ?? rest[++index];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      values.set(name, [...(values.get(name) ?? []), value]);
    } else {
      throw new UsageError(`Unknown option --${name}`);
    }
  }
  return { command, values, switches };
}

/** The last value of a flag (a later one overrides an earlier one). */
export function valueOf(args: ParsedArgs, name: string): string | undefined {
  return args.values.get(name)?.at(-1);
}

function splitInline(flag: string): [string, string | undefined] {
  const equals = flag.indexOf('=');
  return equals < 0 ? [flag, undefined] : [flag.slice(0, equals), flag.slice(equals + 1)];
}
