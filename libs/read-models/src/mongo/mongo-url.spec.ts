import { DEFAULT_MONGO_DATABASE, mongoDatabaseOf } from './mongo-url';

describe('mongoDatabaseOf', () => {
  it('returns the database the URL names', () => {
    expect(mongoDatabaseOf('mongodb://localhost:27017/scim_prod?replicaSet=rs0')).toBe('scim_prod');
    expect(mongoDatabaseOf('mongodb://a:27017,b:27017,c:27017/tenants?replicaSet=rs0&w=majority')).toBe('tenants');
    expect(mongoDatabaseOf('mongodb+srv://cluster0.example.net/scim_eu')).toBe('scim_eu');
  });

  it('is not fooled by credentials or an encoded name', () => {
    expect(mongoDatabaseOf('mongodb://user:pa%2Fss@db.example.net:27017/reads?authSource=admin')).toBe('reads');
    expect(mongoDatabaseOf('mongodb://user:secret@db.example.net:27017?authSource=admin')).toBe('scim');
    expect(mongoDatabaseOf('mongodb://db.example.net/my%2Ddb')).toBe('my-db');
  });

  it('falls back to "scim", not the driver\'s "test", when the URL names no database', () => {
    expect(DEFAULT_MONGO_DATABASE).toBe('scim');
    expect(mongoDatabaseOf('mongodb://localhost:27017')).toBe('scim');
    expect(mongoDatabaseOf('mongodb://localhost:27017/?replicaSet=rs0')).toBe('scim');
    expect(mongoDatabaseOf('mongodb://user:secret@localhost:27017?directConnection=true')).toBe('scim');
  });

  it('rejects what the driver rejects, with the driver\'s message', () => {
    expect(() => mongoDatabaseOf('http://localhost:27017')).toThrow(/mongodb:\/\/|mongodb\+srv/);
    expect(() => mongoDatabaseOf('mongodb://')).toThrow(/host/);
    expect(() => mongoDatabaseOf('mongodb://localhost/?directConnection=maybe')).toThrow(/directConnection/);
    expect(() => mongoDatabaseOf('mongodb://localhost/?noSuchOption=1')).toThrow(/noSuchOption|not supported/);
    expect(() => mongoDatabaseOf('mongodb://user:pa/ss@localhost/reads')).toThrow(/unescaped/);
  });
});
