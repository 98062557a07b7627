import { parseArgs, UsageError, valueOf } from './args';

const spec = { values: ['account', 'out', 'anchor'], switches: ['json', 'keep'] };

describe('parseArgs', () => {
  test('reads the command, flags with values (separate or inline) and switches', () => {
    const args = parseArgs(['export', '--account', 'a1', '--out=events.ndjson', '--json'], spec);

    expect(args.command).toBe('export');
    expect(valueOf(args, 'account')).toBe('a1');
    expect(valueOf(args, 'out')).toBe('events.ndjson');
    expect(args.switches.has('json')).toBe(true);
    expect(args.switches.has('keep')).toBe(false);
  });

  test('keeps every value of a repeated flag', () => {
    expect(parseArgs(['verify', '--anchor', 'h1', '--anchor', 'h2'], spec).values.get('anchor')).toEqual(['h1', 'h2']);
  });

  test.each([
    [['export', '--account'], /^Option '--account <value>' argument missing$/],
    [['export', '--account', '--json'], /^Option '--account' argument is ambiguous$/],
    [['export', '--nope'], /^Unknown option '--nope'$/],
    [['export', '-n'], /^Unknown option '-n'$/],
    [['export', 'stray'], /^Unexpected argument "stray"$/],
    [['--json', 'export'], /^Unexpected argument "export"$/],
    [['export', '--', '--json'], /^Unexpected argument "--json"$/],
    [['export', '--json=yes'], /^Option '--json' does not take an argument$/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv, spec)).toThrow(UsageError);
    expect(() => parseArgs(argv, spec)).toThrow(message);
  });

  test('has no command when the first word is a flag, which still counts', () => {
    const args = parseArgs(['--json', '--account', 'a1'], spec);

    expect(args.command).toBeUndefined();
    expect(args.switches.has('json')).toBe(true);
    expect(valueOf(args, 'account')).toBe('a1');
  });
});
