import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AppConfig, ConfigError } from './app-config';

export const OPERATOR_KEY_FILE = 'operator.key';

/**
 * OPERATOR_KEY when set; otherwise, in embedded mode, a key generated once into
 * DATA_DIR/operator.key (mode 0600), so a fresh install is usable at once and `npm run bootstrap`
 * can read it on the same machine.
 */
export function resolveOperatorKey(config: AppConfig): { key: string; source: string } {
  if (config.operatorKey) return { key: config.operatorKey, source: 'OPERATOR_KEY' };
  if (config.storage.kind === 'distributed') {
    // Each replica would generate a key of its own, and the admin API would answer at random.
    throw new ConfigError('OPERATOR_KEY must be set in distributed mode: every API replica needs the same operator credential');
  }
  const file = join(config.dataDir, OPERATOR_KEY_FILE);
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), source: file };
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key, source: file };
}
