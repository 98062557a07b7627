import { accessSync, chmodSync, constants, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataFolderLock } from '@scim/event-store';
import { ConfigError } from './app-config';

/**
 * Embedded mode's DATA_DIR, made private and owned by this process before anything in it is
 * opened. It holds the whole history and the platform keys: readable by the service's user only
 * (0700, files 0600), whatever the umask of the shell that started it or of an older version.
 */
export function openDataFolder(dataDir: string): DataFolderLock {
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory()) throw new ConfigError(`DATA_DIR ${dataDir} is a file, not a folder`);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ConfigError(`DATA_DIR ${dataDir} cannot be created: ${codeOf(error)}`);
  }
  try {
    accessSync(dataDir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    throw new ConfigError(`DATA_DIR ${dataDir} is not readable and writable by this user`);
  }
  const lock = DataFolderLock.acquire(dataDir);
  chmodSync(dataDir, 0o700);
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    if (entry.isFile()) chmodSync(join(dataDir, entry.name), 0o600);
  }
  return lock;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : String(error);
}
