import { ConfigError, loadConfig } from './app-config';
import { resolveOperatorKey } from './operator-key';

describe('resolveOperatorKey', () => {
  const distributed = { EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false', MONGODB_URL: 'mongodb://mongodb:27017/scim?replicaSet=rs0' };

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
