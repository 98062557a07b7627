import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import { dirname } from 'node:path';
import { KEY_BYTES, newKey } from './key-wrapping';

/** The root key, unset: its file under DATA_DIR is created on first start. */
export const ROOT_KEY_FILE = 'root.key';

/**
 * The key that wraps the per-account keys: from `fromEnvironment` (64 hex digits, e.g. ROOT_KEY
 * fed by a secrets manager) when given, else from `file`, created on first use (mode 0600).
 * Kept out of the key store's file, so a copy of that file alone unwraps nothing.
 */
export function loadRootKey(options: { readonly file: string; readonly fromEnvironment?: string; readonly create?: boolean }): Buffer {
  if (options.fromEnvironment !== undefined && options.fromEnvironment !== '') return parseRootKey(options.fromEnvironment, 'ROOT_KEY');
  if (!existsSync(options.file)) {
    if (options.create === false) throw new Error(`No root key at ${options.file}`);
    createRootKeyFile(options.file);
  }
  return parseRootKey(readFileSync(options.file, 'utf8').trim(), options.file);
}

function parseRootKey(text: string, source: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new Error(`The root key in ${source} must be ${KEY_BYTES * 2} hexadecimal digits`);
  return Buffer.from(text, 'hex');
}

function createRootKeyFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  // 'wx': two processes starting at once must not overwrite each other's key.
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, `${newKey().toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(file, 0o600);
}
