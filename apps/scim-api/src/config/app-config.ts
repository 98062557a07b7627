import { resolve } from 'node:path';
import type * as EsdbAdapter from '@scim/event-store/esdb';
import type * as MongoAdapter from '@scim/read-models/mongo';
import { loadWebhookConfig, type WebhookConfig } from '../webhooks/webhook-config';

/** Start-up configuration, read and validated once (shared/STYLE.md §12). */
export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** Absolute URL clients reach this service at; derived from the request when unset. */
  readonly publicUrl?: string;
  /** Platform operator credential; generated into DATA_DIR/operator.key when unset. */
  readonly operatorKey?: string;
  /** Read-only auditor credential (audit API); generated into DATA_DIR/auditor.key when unset. */
  readonly auditorKey?: string;
  /** How long a write's response waits for the read models to include it (read-your-writes). */
  readonly readYourWritesTimeoutMs: number;
  readonly storage: EmbeddedStorage | DistributedStorage;
  readonly webhooks: WebhookConfig;
}

/** Events and read models in DATA_DIR, projected in-process. */
export interface EmbeddedStorage {
  readonly kind: 'embedded';
}

/** EventStoreDB and MongoDB; projections normally run in apps/projector. */
export interface DistributedStorage {
  readonly kind: 'distributed';
  readonly eventStoreUrl: string;
  readonly mongoUrl: string;
  /** The database named in MONGODB_URL, else "scim". */
  readonly mongoDatabase: string;
  /** Project in this process too (RUN_PROJECTIONS=true): for a single-process deployment only. */
  readonly runProjections: boolean;
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
  const auditorKey = env.AUDITOR_KEY || undefined;
  if (auditorKey !== undefined && auditorKey.length < 24) {
    throw new ConfigError('AUDITOR_KEY must be at least 24 characters');
  }
  // The auditor's key is read-only; being the operator's as well would make it neither.
  if (auditorKey !== undefined && auditorKey === operatorKey) {
    throw new ConfigError('AUDITOR_KEY must differ from OPERATOR_KEY');
  }
  const eventStoreUrl = env.EVENTSTORE_URL || undefined;
  const mongoUrl = env.MONGODB_URL || undefined;
  if (Boolean(eventStoreUrl) !== Boolean(mongoUrl)) {
    throw new ConfigError('Distributed mode needs both EVENTSTORE_URL and MONGODB_URL (or neither, for embedded mode)');
  }
  const runProjections = boolean(env, 'RUN_PROJECTIONS');
  let storage: EmbeddedStorage | DistributedStorage;
  if (eventStoreUrl && mongoUrl) {
    storage = {
      kind: 'distributed',
      eventStoreUrl: validEventStoreUrl(eventStoreUrl),
      mongoUrl,
      mongoDatabase: mongoDatabaseIn(mongoUrl),
      runProjections: runProjections ?? false,
    };
  } else {
    // The embedded read store lives in this process's memory: no other process can project into it.
    if (runProjections === false) {
      throw new ConfigError('RUN_PROJECTIONS=false needs distributed mode (EVENTSTORE_URL and MONGODB_URL): embedded mode always projects in-process');
    }
    storage = { kind: 'embedded' };
  }
  return {
    port,
    host: env.HOST || '0.0.0.0',
    dataDir: resolve(env.DATA_DIR || 'data'),
    publicUrl,
    operatorKey,
    auditorKey,
    readYourWritesTimeoutMs: integer(env, 'READ_YOUR_WRITES_TIMEOUT_MS', 5000, 0, 60000),
    storage,
    webhooks: webhookConfig(env),
  };
}

function webhookConfig(env: NodeJS.ProcessEnv): WebhookConfig {
  try {
    return loadWebhookConfig(env, { integer: (name, fallback, min, max) => integer(env, name, fallback, min, max), boolean: (name) => boolean(env, name) });
  } catch (error) {
    throw error instanceof ConfigError ? error : new ConfigError(messageOf(error));
  }
}

// The clients' own parsers decide (no connection is made); their messages name the faulty part.
// Neither message repeats the URL, which may hold a password. The adapters are required here, in
// distributed mode only: an embedded process never loads the drivers (~30 MB of RSS).
function validEventStoreUrl(url: string): string {
  const { assertEsdbConnectionString } = require('@scim/event-store/esdb') as typeof EsdbAdapter;
  try {
    assertEsdbConnectionString(url);
  } catch (error) {
    throw new ConfigError(`EVENTSTORE_URL is not an EventStoreDB connection string such as esdb://host:2113?tls=false: ${messageOf(error)}`);
  }
  return url;
}

function mongoDatabaseIn(url: string): string {
  const { mongoDatabaseOf } = require('@scim/read-models/mongo') as typeof MongoAdapter;
  try {
    return mongoDatabaseOf(url);
  } catch (error) {
    throw new ConfigError(`MONGODB_URL is not a MongoDB connection string such as mongodb://host:27017/scim?replicaSet=rs0: ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function boolean(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
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
