import { resolve } from 'node:path';

/** Start-up configuration, read and validated once (shared/STYLE.md §12). */
export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** Absolute URL clients reach this service at; derived from the request when unset. */
  readonly publicUrl?: string;
  /** Platform operator credential; generated into DATA_DIR/operator.key when unset. */
  readonly operatorKey?: string;
  /** How long a write's response waits for the read models to include it (read-your-writes). */
  readonly readYourWritesTimeoutMs: number;
  readonly storage: { readonly kind: 'embedded' } | { readonly kind: 'distributed'; readonly eventStoreUrl: string; readonly mongoUrl: string };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const publicUrl = env.PUBLIC_URL?.replace(/\/+$/, '') || undefined;
  if (publicUrl && !/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw new ConfigError(`PUBLIC_URL must be an absolute http(s) URL, got "${publicUrl}"`);
  }
  const operatorKey = env.OPERATOR_KEY || undefined;
  if (operatorKey !== undefined && operatorKey.length < 24) {
    throw new ConfigError('OPERATOR_KEY must be at least 24 characters');
  }
  const eventStoreUrl = env.EVENTSTORE_URL || undefined;
  const mongoUrl = env.MONGODB_URL || undefined;
  if (Boolean(eventStoreUrl) !== Boolean(mongoUrl)) {
    throw new ConfigError('Distributed mode needs both EVENTSTORE_URL and MONGODB_URL (or neither, for embedded mode)');
  }
  return {
    port,
    host: env.HOST || '0.0.0.0',
    dataDir: resolve(env.DATA_DIR || 'data'),
    publicUrl,
    operatorKey,
    readYourWritesTimeoutMs: integer(env, 'READ_YOUR_WRITES_TIMEOUT_MS', 5000, 0, 60000),
    storage: eventStoreUrl && mongoUrl ? { kind: 'distributed', eventStoreUrl, mongoUrl } : { kind: 'embedded' },
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
