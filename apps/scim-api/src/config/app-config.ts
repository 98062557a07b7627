import { resolve } from 'node:path';
import { BULK_LIMITS } from '@scim/scim-protocol';
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
  /** Key of the HMAC that names userName reservation streams (docs/PRIVACY.md); generated into DATA_DIR/name-hashing.key when unset. */
  readonly nameHashingKey?: string;
  /**
   * Wraps the per-account keys that wrap each person's data key (docs/PRIVACY.md): ROOT_KEY, 64 hex
   * digits; else generated once into DATA_DIR/root.key.
   */
  readonly rootKey?: string;
  /** How long a write's response waits for the read models to include it (read-your-writes). */
  readonly readYourWritesTimeoutMs: number;
  readonly storage: EmbeddedStorage | DistributedStorage;
  readonly logging: LoggingConfig;
  /** A second listener serving only GET /metrics, without credential (METRICS_PORT); none when unset. */
  readonly metricsPort?: number;
  /** What the request edge admits before a controller runs (README "Limits and admission control"). */
  readonly edge: EdgeConfig;
  readonly webhooks: WebhookConfig;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggingConfig {
  /** JSON lines (default) for collectors; 'pretty' for a terminal. */
  readonly format: 'json' | 'pretty';
  readonly level: LogLevel;
}

export interface EdgeConfig {
  /** Largest request body per route family, in bytes (413 above). */
  readonly bodyLimits: BodyLimits;
  /** Deepest JSON nesting of a body (400 invalidSyntax above), checked before JSON.parse recurses. */
  readonly maxJsonDepth: number;
  readonly timeouts: HttpTimeouts;
  /** Admission control; undefined with RATE_LIMITS=off. */
  readonly rateLimits?: RateLimits;
  /** Hosts a request may name when PUBLIC_URL is unset; undefined: loopback names on the service's port. */
  readonly allowedHosts?: readonly string[];
  /** Express's `trust proxy`: which proxies' X-Forwarded-For names the client address. */
  readonly trustProxy?: string | number;
}

export interface BodyLimits {
  readonly user: number;
  readonly group: number;
  /** `.search`, the admin, audit and support APIs. */
  readonly small: number;
  /** `/Bulk`: the maxPayloadSize /ServiceProviderConfig advertises (RFC 7644 §3.7.4). */
  readonly bulk: number;
}

export interface HttpTimeouts {
  /** The whole request, headers and body, must arrive within this (Node's default: 300 s). */
  readonly requestMs: number;
  readonly headersMs: number;
  /** How long an idle keep-alive connection stays open. */
  readonly keepAliveMs: number;
}

/** A number of requests per window, per key (a token, an account, a credential, a client address). */
export interface RateLimit {
  readonly points: number;
  readonly windowSeconds: number;
}

export interface RateLimits {
  readonly scimToken: RateLimit;
  readonly scimAccount: RateLimit;
  /** Each admin, audit and support credential (the operator key, an admin key, the auditor key). */
  readonly credential: RateLimit;
  /** Failed authentications per client address (brute force). */
  readonly failedAuthentication: RateLimit;
  /**
   * How long a 429 is held before it is sent: a flooding client's connections wait instead of
   * cycling refusals, so its flood costs the other accounts little CPU (see README).
   */
  readonly refusalDelayMs: number;
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
  const rootKey = env.ROOT_KEY || undefined;
  if (rootKey !== undefined && !/^[0-9a-fA-F]{64}$/.test(rootKey)) {
    throw new ConfigError('ROOT_KEY must be 64 hexadecimal digits (32 random bytes), e.g. from `openssl rand -hex 32`');
  }
  const auditorKey = env.AUDITOR_KEY || undefined;
  if (auditorKey !== undefined && auditorKey.length < 24) {
    throw new ConfigError('AUDITOR_KEY must be at least 24 characters');
  }
  // The auditor's key is read-only; being the operator's as well would make it neither.
  if (auditorKey !== undefined && auditorKey === operatorKey) {
    throw new ConfigError('AUDITOR_KEY must differ from OPERATOR_KEY');
  }
  const nameHashingKey = env.NAME_HASHING_KEY || undefined;
  // As many characters as the generated key (32 random bytes, base64url): the HMAC must not be guessable.
  if (nameHashingKey !== undefined && nameHashingKey.length < 43) {
    throw new ConfigError('NAME_HASHING_KEY must be at least 43 characters (e.g. openssl rand -base64 32)');
  }
  const eventStoreUrl = env.EVENTSTORE_URL || undefined;
  const mongoUrl = env.MONGODB_URL || undefined;
  if (Boolean(eventStoreUrl) !== Boolean(mongoUrl)) {
    throw new ConfigError('Distributed mode needs both EVENTSTORE_URL and MONGODB_URL (or neither, for embedded mode)');
  }
  const runProjections = boolean(env, 'RUN_PROJECTIONS');
  let storage: EmbeddedStorage | DistributedStorage;
  if (eventStoreUrl && mongoUrl) {
    // Each replica and the projector must open the same keys; none may generate a root key of its own.
    if (!rootKey) throw new ConfigError('ROOT_KEY must be set in distributed mode: every API replica and the projector open personal data with it');
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
    nameHashingKey,
    rootKey,
    readYourWritesTimeoutMs: integer(env, 'READ_YOUR_WRITES_TIMEOUT_MS', 5000, 0, 60000),
    storage,
    logging: loggingConfig(env),
    metricsPort: env.METRICS_PORT ? integer(env, 'METRICS_PORT', 0, 1, 65535) : undefined,
    edge: edgeConfig(env),
    webhooks: webhookConfig(env),
  };
}

export function loggingConfig(env: NodeJS.ProcessEnv): LoggingConfig {
  const format = oneOf(env, 'LOG_FORMAT', ['json', 'pretty'] as const, 'json');
  return { format, level: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info') };
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = allowed.find((candidate) => candidate === raw);
  if (value === undefined) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return value;
}

const KIB = 1024;
const MIB = 1024 * KIB;

function edgeConfig(env: NodeJS.ProcessEnv): EdgeConfig {
  const timeouts: HttpTimeouts = {
    requestMs: integer(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    headersMs: integer(env, 'HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
    keepAliveMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
  };
  // Node refuses a headers timeout longer than the request's: the request one would never fire first.
  if (timeouts.headersMs > timeouts.requestMs) {
    throw new ConfigError(`HEADERS_TIMEOUT_MS (${timeouts.headersMs}) must not exceed REQUEST_TIMEOUT_MS (${timeouts.requestMs})`);
  }
  return {
    bodyLimits: {
      user: integer(env, 'BODY_LIMIT_USER_BYTES', 1 * MIB, 1 * KIB, 64 * MIB),
      // 50,000 member references of ~50 bytes each ({"value":"<uuid>"}), as Entra sends them.
      group: integer(env, 'BODY_LIMIT_GROUP_BYTES', 4 * MIB, 1 * KIB, 64 * MIB),
      small: integer(env, 'BODY_LIMIT_SMALL_BYTES', 64 * KIB, 1 * KIB, 64 * MIB),
      bulk: BULK_LIMITS.maxPayloadSize,
    },
    maxJsonDepth: integer(env, 'JSON_MAX_DEPTH', 64, 8, 1000),
    timeouts,
    rateLimits: rateLimits(env),
    allowedHosts: allowedHosts(env),
    ...trustProxy(env),
  };
}

function rateLimits(env: NodeJS.ProcessEnv): RateLimits | undefined {
  const switched = env.RATE_LIMITS || 'on';
  if (switched !== 'on' && switched !== 'off') throw new ConfigError(`RATE_LIMITS must be on or off, got "${switched}"`);
  if (switched === 'off') return undefined;
  return {
    // Entra expects at least 25 requests/s per tenant; 100/s imports 100,000 users in ~17 minutes.
    scimToken: rateLimit(env, 'RATE_LIMIT_SCIM_TOKEN', '100/s'),
    scimAccount: rateLimit(env, 'RATE_LIMIT_SCIM_ACCOUNT', '200/s'),
    credential: rateLimit(env, 'RATE_LIMIT_CREDENTIAL', '50/s'),
    failedAuthentication: rateLimit(env, 'RATE_LIMIT_FAILED_AUTH', '20/min'),
    refusalDelayMs: integer(env, 'RATE_LIMIT_REFUSAL_DELAY_MS', 250, 0, 5000),
  };
}

const WINDOW_SECONDS = new Map([
  ['s', 1],
  ['min', 60],
  ['h', 3600],
]);

/** `<requests>/<s|min|h>`, optionally with a count of units: `100/s`, `1000/10s`, `20/min`. */
function rateLimit(env: NodeJS.ProcessEnv, name: string, fallback: string): RateLimit {
  const raw = env[name] || fallback;
  const match = /^(\d+)\/(\d*)(s|min|h)$/.exec(raw);
  const points = Number(match?.[1]);
  const units = match?.[2] ? Number(match[2]) : 1;
  if (!match || points < 1 || units < 1) {
    throw new ConfigError(`${name} must look like 100/s, 1000/10s, 20/min or 500/h (requests per window), got "${raw}"`);
  }
  return { points, windowSeconds: units * (WINDOW_SECONDS.get(match[3]) ?? 1) };
}

/** A hop count, or Express's names and addresses (`loopback`, `uniquelocal`, `10.0.0.0/8`, …). */
function trustProxy(env: NodeJS.ProcessEnv): { trustProxy?: string | number } {
  const raw = env.TRUST_PROXY?.trim();
  if (!raw) return {};
  return { trustProxy: /^\d+$/.test(raw) ? Number(raw) : raw };
}

/** Comma-separated `host` (any port) or `host:port` entries, compared case-insensitively. */
function allowedHosts(env: NodeJS.ProcessEnv): readonly string[] | undefined {
  const raw = env.ALLOWED_HOSTS?.trim();
  if (!raw) return undefined;
  const hosts = raw.split(',').map((host) => host.trim().toLowerCase());
  const malformed = hosts.find((host) => !/^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/.test(host));
  if (malformed !== undefined) throw new ConfigError(`ALLOWED_HOSTS holds "${malformed}", which is not a host or host:port`);
  return hosts;
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
