import { EventEmitter } from 'node:events';
import pino from 'pino';
import { setImmediate as endOfTurn } from 'node:timers/promises';
import { createLogger, LinesWrittenEachTurn, PinoNestLogger } from './logger';

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

describe('LinesWrittenEachTurn', () => {
  function stdoutSpy() {
    const writes: string[] = [];
    const exit = new EventEmitter();
    return { writes, exit, destination: new LinesWrittenEachTurn({ write: (text: string) => void writes.push(text) }, exit) };
  }

  it("writes a turn's lines together, once the turn ends", async () => {
    const { writes, destination } = stdoutSpy();

    destination.write('{"msg":"a"}\n');
    destination.write('{"msg":"b"}\n');
    expect(writes).toEqual([]);
    await endOfTurn();
    destination.write('{"msg":"c"}\n');
    await endOfTurn();

    expect(writes).toEqual(['{"msg":"a"}\n{"msg":"b"}\n', '{"msg":"c"}\n']);
  });

  it('writes the lines still held when the process exits (a crash included)', () => {
    const { writes, exit, destination } = stdoutSpy();

    destination.write('{"msg":"last words"}\n');
    exit.emit('exit', 1);

    expect(writes).toEqual(['{"msg":"last words"}\n']);
  });

  it('writes at once when a turn has logged a lot', () => {
    const { writes, destination } = stdoutSpy();
    const line = `{"msg":"${'x'.repeat(1_000)}"}\n`;

    for (let index = 0; index < 100; index++) destination.write(line);

    expect(writes).toHaveLength(1);
    expect(writes[0].length).toBeGreaterThanOrEqual(64 * 1024);
  });

  it('writes every line at once when the service is stopping (Nest ends the process with no turn after)', () => {
    const { writes, destination } = stdoutSpy();
    const logger = pino({ timestamp: false, base: undefined }, destination);

    logger.info('held');
    destination.writeAtOnce();
    logger.info('Stopped');

    expect(writes).toEqual(['{"level":30,"msg":"held"}\n', '{"level":30,"msg":"Stopped"}\n']);
  });
});
