import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';
import { resolveAuditorKey, resolveOperatorKey } from './operator-key';

describe('resolveOperatorKey', () => {
  const distributed = { EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false', MONGODB_URL: 'mongodb://mongodb:27017/scim?replicaSet=rs0', ROOT_KEY: 'ab'.repeat(32) };

  it('takes OPERATOR_KEY when set', () => {
    const config = loadConfig({ ...distributed, OPERATOR_KEY: 'a-shared-operator-key-0123456789' });
    expect(resolveOperatorKey(config)).toEqual({ key: 'a-shared-operator-key-0123456789', source: 'OPERATOR_KEY' });
  });

  it('refuses to generate a key per replica in distributed mode', () => {
    const config = loadConfig({ ...distributed, DATA_DIR: '/nonexistent/never-written' });
    expect(() => resolveOperatorKey(config)).toThrow(ConfigError);
    expect(() => resolveOperatorKey(config)).toThrow('OPERATOR_KEY must be set in distributed mode');
  });
});

describe('resolveAuditorKey', () => {
  const distributed = { EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false', MONGODB_URL: 'mongodb://mongodb:27017/scim?replicaSet=rs0', ROOT_KEY: 'ab'.repeat(32) };
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'scim-keys-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('generates DATA_DIR/auditor.key once (mode 0600), apart from the operator key, and reuses it', () => {
    const config = loadConfig({ DATA_DIR: dataDir });

    const first = resolveAuditorKey(config);
    const again = resolveAuditorKey(config);
    const operator = resolveOperatorKey(config);

    const file = join(dataDir, 'auditor.key');
    expect(first).toEqual({ key: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), source: file });
    expect(again).toEqual(first);
    expect(readFileSync(file, 'utf8').trim()).toBe(first?.key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(operator.key).not.toBe(first?.key);
  });

  it('takes AUDITOR_KEY when set, and writes no file', () => {
    const config = loadConfig({ DATA_DIR: dataDir, AUDITOR_KEY: 'an-auditor-key-0123456789abcdef' });

    expect(resolveAuditorKey(config)).toEqual({ key: 'an-auditor-key-0123456789abcdef', source: 'AUDITOR_KEY' });
    expect(() => statSync(join(dataDir, 'auditor.key'))).toThrow();
  });

  it('is absent in distributed mode unless AUDITOR_KEY is set (the operator key still reads the audit API)', () => {
    expect(resolveAuditorKey(loadConfig({ ...distributed, DATA_DIR: '/nonexistent/never-written' }))).toBeUndefined();
    expect(resolveAuditorKey(loadConfig({ ...distributed, AUDITOR_KEY: 'an-auditor-key-0123456789abcdef' }))?.source).toBe('AUDITOR_KEY');
  });

  it('loadConfig rejects a short AUDITOR_KEY and one equal to OPERATOR_KEY', () => {
    expect(() => loadConfig({ AUDITOR_KEY: 'short' })).toThrow('AUDITOR_KEY must be at least 24 characters');
    const same = 'the-same-key-0123456789abcdef';
    expect(() => loadConfig({ AUDITOR_KEY: same, OPERATOR_KEY: same })).toThrow(ConfigError);
  });
});
