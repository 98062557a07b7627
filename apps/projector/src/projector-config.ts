import { assertEsdbConnectionString } from '@scim/event-store/esdb';
import { mongoDatabaseOf } from '@scim/read-models/mongo';
import { distributedProjections } from '@scim/read-models/projections';

/** The projector's start-up configuration, read and validated once (shared/STYLE.md §12). */
export interface ProjectorConfig {
  readonly eventStoreUrl: string;
  readonly mongoUrl: string;
  /** The database named in MONGODB_URL, else "scim" (the API resolves it the same way). */
  readonly mongoDatabase: string;
  /** Port of GET /health and GET /lag. */
  readonly port: number;
  /** Names of the projections this process runs: all of them, or a share of them (PROJECTIONS). */
  readonly projections: readonly string[];
  /** How often the lag is logged; 0 turns it off. */
  readonly lagLogIntervalMs: number;
  /** Whether this projector runs the process managers (RUN_PROCESS_MANAGERS; exactly one projector should). */
  readonly runProcessManagers: boolean;
  /** The API's NAME_HASHING_KEY: the write models the process managers use name userName reservations with it. */
  readonly nameHashingKey: string;
  /** ROOT_KEY, the API's: opens the personal fields the projections read (docs/PRIVACY.md). */
  readonly rootKey: Buffer;
}

export class ProjectorConfigError extends Error {
  override readonly name = 'ProjectorConfigError';
}

export function loadProjectorConfig(env: NodeJS.ProcessEnv = process.env): ProjectorConfig {
  const eventStoreUrl = env.EVENTSTORE_URL || undefined;
  const mongoUrl = env.MONGODB_URL || undefined;
  if (!eventStoreUrl || !mongoUrl) {
    throw new ProjectorConfigError('The projector runs in distributed mode only: set both EVENTSTORE_URL and MONGODB_URL');
  }
  // The same validation as the API's, by the clients' own parsers; messages never repeat the URL.
  try {
    assertEsdbConnectionString(eventStoreUrl);
  } catch (error) {
    throw new ProjectorConfigError(`EVENTSTORE_URL is not an EventStoreDB connection string such as esdb://host:2113?tls=false: ${messageOf(error)}`);
  }
  const rootKey = env.ROOT_KEY ?? '';
  if (!/^[0-9a-fA-F]{64}$/.test(rootKey)) {
    throw new ProjectorConfigError('ROOT_KEY must be set to the API’s root key (64 hexadecimal digits): the projections read personal fields with it');
  }
  let mongoDatabase: string;
  try {
    mongoDatabase = mongoDatabaseOf(mongoUrl);
  } catch (error) {
    throw new ProjectorConfigError(`MONGODB_URL is not a MongoDB connection string such as mongodb://host:27017/scim?replicaSet=rs0: ${messageOf(error)}`);
  }
  const nameHashingKey = env.NAME_HASHING_KEY ?? '';
  if (nameHashingKey.length < 43) {
    throw new ProjectorConfigError('NAME_HASHING_KEY must be set to the API\'s key (at least 43 characters)');
  }
  return {
    eventStoreUrl,
    mongoUrl,
    mongoDatabase,
    port: integer(env, 'PROJECTOR_PORT', 8081, 0, 65535),
    projections: projectionNames(env.PROJECTIONS),
    lagLogIntervalMs: integer(env, 'PROJECTOR_LAG_LOG_INTERVAL_MS', 30_000, 0, 86_400_000),
    runProcessManagers: flag(env, 'RUN_PROCESS_MANAGERS', true),
    nameHashingKey,
    rootKey: Buffer.from(rootKey, 'hex'),
  };
}

function projectionNames(raw: string | undefined): readonly string[] {
  const known = distributedProjections.map((projection) => projection.name);
  if (raw === undefined || raw.trim() === '') return known;
  const names = [...new Set(raw.split(',').map((name) => name.trim()).filter((name) => name !== ''))];
  const unknown = names.filter((name) => !known.includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new ProjectorConfigError(`PROJECTIONS must list projections among ${known.join(', ')} (comma-separated), got "${raw}"`);
  }
  return names;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ProjectorConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new ProjectorConfigError(`${name} must be true or false, got "${env[name]}"`);
}
