import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LoggingConfig } from '../config/app-config';

export type { Logger } from 'pino';

/**
 * The service's one logger: JSON lines on stdout (one object per line, no colours, for a log
 * collector), or pino-pretty's coloured lines for a terminal. Tests pass their own destination.
 */
export function createLogger(config: LoggingConfig, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Level names read better than pino's numbers in a collector's search box.
    formatters: { level: (label) => ({ level: label }) },
  };
  if (destination) return pino(options, destination);
  if (config.format === 'pretty') return pino(options, pretty({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l', singleLine: true, ignore: 'pid,hostname', sync: true }));
  const lines = new LinesWrittenEachTurn(pino.destination({ dest: 1, sync: true }));
  const logger = pino(options, lines);
  turnBuffered.set(logger, lines);
  return logger;
}

const turnBuffered = new WeakMap<Logger, LinesWrittenEachTurn>();

// A turn's lines past this are written at once rather than held for the turn's end.
const TURN_BUFFER_CHARS = 64 * 1024;

/**
 * Lines written synchronously at the end of the event-loop turn that logged them: under load one
 * turn answers tens of requests (a group commit acknowledges them together), and one write(2) for
 * all their lines costs what one line's did. Held lines are written at exit (a crash included);
 * once the service is stopping, every line is written as it is logged, since Nest ends the process
 * by raising the signal again, with no turn and no exit event after its last hook. A kill -9
 * loses at most the lines of the turn it lands in.
 */
export class LinesWrittenEachTurn implements DestinationStream {
  private pending = '';
  private atOnce = false;

  constructor(private readonly stdout: DestinationStream, processEvents: Pick<NodeJS.EventEmitter, 'on'> = process) {
    processEvents.on('exit', () => this.flush());
  }

  write(line: string): void {
    if (this.atOnce) return void this.stdout.write(line);
    if (this.pending === '') setImmediate(() => this.flush());
    this.pending += line;
    if (this.pending.length >= TURN_BUFFER_CHARS) this.flush();
  }

  /** From now on lines are written as they come (the process is stopping). */
  writeAtOnce(): void {
    this.flush();
    this.atOnce = true;
  }

  private flush(): void {
    const lines = this.pending;
    this.pending = '';
    if (lines !== '') this.stdout.write(lines);
  }
}

/** Every line `logger` writes from now on is written at once (it stops buffering a turn's lines). */
export function writeLogLinesAtOnce(logger: Logger): void {
  turnBuffered.get(logger)?.writeAtOnce();
}

/** A logger that writes nothing (tests that do not look at logs). */
export const silentLogger = (): Logger => pino({ enabled: false });

/**
 * Nest's LoggerService over pino, so Nest's own messages (start-up, `new Logger(context)` calls)
 * are lines of the same stream. Nest passes the context last and, for errors, a stack before it.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    // Nest calls error(message, stack?, context?): with one extra it is a stack only if it looks like one.
    const context = params.length >= 2 || (params.length === 1 && !looksLikeStack(params[0])) ? params.pop() : undefined;
    const stack = params.find((param) => typeof param === 'string' && param.length > 0);
    const fields: Record<string, unknown> = { ...(typeof context === 'string' ? { context } : {}) };
    if (message instanceof Error) fields.err = message;
    else if (typeof stack === 'string') fields.stack = stack;
    this.logger.error(fields, messageOf(message));
  }

  private write(level: pino.Level, message: unknown, params: unknown[]): void {
    const context = params[params.length - 1];
    const fields: Record<string, unknown> = typeof context === 'string' ? { context } : {};
    if (message instanceof Error) fields.err = message;
    this.logger[level](fields, messageOf(message));
  }
}

function looksLikeStack(value: unknown): boolean {
  return typeof value === 'string' && /\n\s+at /.test(value);
}

function messageOf(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message instanceof Error) return message.message;
  return JSON.stringify(message) ?? String(message);
}
