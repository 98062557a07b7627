import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AppConfig, ConfigError } from './app-config';

export const OPERATOR_KEY_FILE = 'operator.key';
export const AUDITOR_KEY_FILE = 'auditor.key';

export interface ResolvedKey {
  readonly key: string;
  /** The variable or the file the key came from (for start-up logs; never the key itself). */
  readonly source: string;
}

/** A platform credential: set in an environment variable, else generated once into DATA_DIR. */
export interface PlatformKeySpec {
  /** The environment variable (validated by loadConfig) and what it holds in the config. */
  readonly variable: string;
  readonly configured: string | undefined;
  /** The file in DATA_DIR holding the generated key. */
  readonly file: string;
}

/**
 * The configured key when set; otherwise, in embedded mode, a key generated once into
 * DATA_DIR/<file> (mode 0600), so a fresh install is usable at once and tools on the same machine
 * (`npm run bootstrap`, an auditor's shell) can read it.
 */
export function resolvePlatformKey(config: AppConfig, spec: PlatformKeySpec): ResolvedKey {
  if (spec.configured) return { key: spec.configured, source: spec.variable };
  if (config.storage.kind === 'distributed') {
    // Each replica would generate a key of its own, and the API would accept one at random.
    throw new ConfigError(`${spec.variable} must be set in distributed mode: every API replica needs the same credential`);
  }
  const file = join(config.dataDir, spec.file);
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), source: file };
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key, source: file };
}

/** The platform operator's credential (admin API): OPERATOR_KEY, else DATA_DIR/operator.key. */
export function resolveOperatorKey(config: AppConfig): ResolvedKey {
  return resolvePlatformKey(config, { variable: 'OPERATOR_KEY', configured: config.operatorKey, file: OPERATOR_KEY_FILE });
}

/**
 * The read-only auditor credential (audit API): AUDITOR_KEY, else DATA_DIR/auditor.key. In
 * distributed mode without AUDITOR_KEY there is none (only the operator key reads the audit API),
 * so setting up auditors stays optional there.
 */
export function resolveAuditorKey(config: AppConfig): ResolvedKey | undefined {
  if (!config.auditorKey && config.storage.kind === 'distributed') return undefined;
  return resolvePlatformKey(config, { variable: 'AUDITOR_KEY', configured: config.auditorKey, file: AUDITOR_KEY_FILE });
}
