import { createLogger, PinoNestLogger } from './logger';

function capture(level: 'info' | 'debug' = 'debug') {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ format: 'json', level }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe('PinoNestLogger', () => {
  it("writes Nest's messages as JSON lines with their level and context", () => {
    const { logger, lines } = capture();
    const nest = new PinoNestLogger(logger);

    nest.log('Nest application successfully started', 'NestApplication');
    nest.warn('slow store', 'Health');
    nest.debug('details');

    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', context: 'NestApplication', msg: 'Nest application successfully started', time: expect.any(String) }),
      expect.objectContaining({ level: 'warn', context: 'Health', msg: 'slow store' }),
      expect.objectContaining({ level: 'debug', msg: 'details' }),
    ]);
  });

  it('tells a stack from a context in error(message, stack?, context?)', () => {
    const { logger, lines } = capture();
    const nest = new PinoNestLogger(logger);
    const stack = 'Error: boom\n    at somewhere (file.ts:1:1)';

    nest.error('failed', stack, 'Projections');
    nest.error('failed', undefined, 'Projections');
    nest.error('failed', 'Projections');
    nest.error('failed', stack);
    nest.error(new Error('thrown'), 'Main');

    expect(lines.map(({ context, stack: logged, msg }) => ({ context, stack: logged, msg }))).toEqual([
      { context: 'Projections', stack, msg: 'failed' },
      { context: 'Projections', stack: undefined, msg: 'failed' },
      { context: 'Projections', stack: undefined, msg: 'failed' },
      { context: undefined, stack, msg: 'failed' },
      { context: 'Main', stack: undefined, msg: 'thrown' },
    ]);
    expect(lines[4].err).toMatchObject({ type: 'Error', message: 'thrown', stack: expect.stringContaining('thrown') });
    expect(lines.every((line) => line.level === 'error')).toBe(true);
  });

  it('drops lines below LOG_LEVEL', () => {
    const { logger, lines } = capture('info');
    const nest = new PinoNestLogger(logger);

    nest.debug('hidden');
    nest.verbose('hidden too');
    nest.log('shown');

    expect(lines.map((line) => line.msg)).toEqual(['shown']);
  });
});
