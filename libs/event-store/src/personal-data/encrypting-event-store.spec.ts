import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeEventStoreContract, readAllEvents } from '../testing/event-store.contract';
import { SqliteEventLogFile } from '../testing/sqlite-event-log-file';
import type { NewEvent, RecordedEvent } from '../event-store.port';
import { HashChainedEventStore } from '../hash-chain/hash-chained-event-store';
import { verifyChain } from '../hash-chain/verify-chain';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { EncryptingEventStore } from './encrypting-event-store';
import type { PersonalDataPolicy } from './personal-data-policy';
import { SqliteSubjectKeyStore } from './sqlite-subject-key-store';

const folders: string[] = [];
const newFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), 'scim-sealed-'));
  folders.push(folder);
  return folder;
};
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** `value` and `name` of the contract's events are personal; `personId` says whose. */
const policy: PersonalDataPolicy = {
  personalDataOf: (event) =>
    event.type === 'ContractTested' || event.type === 'PersonChanged'
      ? { subject: { accountId: 'acme', subjectId: typeof event.data.personId === 'string' ? event.data.personId : 'anyone' }, fields: ['value', 'name'] }
      : undefined,
  erasedValue: (_type, field) => (field === 'name' ? { formatted: '[erased]' } : '[erased]'),
};

function openStores(folder: string, rootKey = randomBytes(32)) {
  const log = SqliteEventStore.open({ file: join(folder, 'events.db') });
  const keys = SqliteSubjectKeyStore.open({ file: join(folder, 'keys.db'), rootKey });
  const store = new EncryptingEventStore(new HashChainedEventStore(log), keys, policy);
  return { log, keys, store, close: async () => (await store.close(), await keys.close()) };
}

// Sealing is invisible to every reader and writer of the port.
describeEventStoreContract('SQLite with sealed personal data', async () => ({
  store: openStores(newFolder()).store,
  streamPrefix: `sealed-${randomUUID()}-`,
  addedMetadataKeys: ['chain'],
  exactExpectationsOnly: true,
}));

const personChanged = (personId: string, data: Record<string, unknown>): NewEvent => ({
  id: randomUUID(),
  type: 'PersonChanged',
  data: { personId, ...data },
  metadata: { accountId: 'acme' },
});

describe('EncryptingEventStore', () => {
  it('stores personal fields only sealed, and reads them back as written', async () => {
    const folder = newFolder();
    const { store, close } = openStores(folder);
    const ada = randomUUID();
    await store.append(`person-${ada}`, [personChanged(ada, { name: { formatted: 'Ada Lovelace' }, value: 'ada@example.com', role: 'admin' })], 'no_stream');

    const [stored] = rowsOf(folder);
    expect(JSON.stringify(stored.data)).not.toMatch(/Lovelace|ada@example/);
    expect(stored.data).toMatchObject({ personId: ada, role: 'admin', sealed: { v: 1, fields: ['value', 'name'] } });

    const [read] = await store.readStream(`person-${ada}`);
    expect(read.data).toEqual({ personId: ada, name: { formatted: 'Ada Lovelace' }, value: 'ada@example.com', role: 'admin' });
    await close();
  });

  it('reads a destroyed subject’s fields as erased, the rest of the event and other subjects unchanged', async () => {
    const folder = newFolder();
    const { store, keys, close } = openStores(folder);
    const [ada, bob] = [randomUUID(), randomUUID()];
    await store.append(`person-${ada}`, [personChanged(ada, { name: { formatted: 'Ada Lovelace' }, role: 'admin' })], 'no_stream');
    await store.append(`person-${bob}`, [personChanged(bob, { name: { formatted: 'Bob Byron' } })], 'no_stream');

    await keys.destroy(ada);

    const all = await readAllEvents(store, {});
    expect(all.map((e) => e.data)).toEqual([
      { personId: ada, name: { formatted: '[erased]' }, role: 'admin' },
      { personId: bob, name: { formatted: 'Bob Byron' } },
    ]);
    expect((await store.readStream(`person-${ada}`))[0].data).toEqual(all[0].data);
    await close();
  });

  it('erases a person whose key binding a crash lost: reading their events binds it again before the key store destroys', async () => {
    const folder = newFolder();
    const rootKey = randomBytes(32);
    const first = openStores(folder, rootKey);
    const ada = randomUUID();
    await first.store.append(`person-${ada}`, [personChanged(ada, { value: 'ada@example.com' })], 'no_stream');
    await first.close();
    // Bindings commit without an fsync: a power loss may take them, never the key or the event.
    const keysFile = new Database(join(folder, 'keys.db'));
    keysFile.prepare('UPDATE data_keys SET subject_id = NULL').run();
    keysFile.close();

    const { store, keys, close } = openStores(folder, rootKey);
    await store.append(`person-${ada}`, [personChanged(ada, { value: 'ada@new.example' })], 0);
    expect((await store.readStream(`person-${ada}`)).map((e) => e.data.value)).toEqual(['ada@example.com', 'ada@new.example']);
    expect(await keys.destroy(ada)).toHaveLength(2);
    expect((await store.readStream(`person-${ada}`)).map((e) => e.data.value)).toEqual(['[erased]', '[erased]']);
    await close();
  });

  it('hands subscribers opened events', async () => {
    const { store, close } = openStores(newFolder());
    const ada = randomUUID();
    const seen: RecordedEvent[] = [];
    let delivered!: () => void;
    const done = new Promise<void>((resolve) => (delivered = resolve));
    const subscription = store.subscribeToAll({}, (events) => {
      seen.push(...events);
      delivered();
    });
    await store.append(`person-${ada}`, [personChanged(ada, { value: 'ada@example.com' })], 'no_stream');
    await done;
    await subscription.close();
    expect(seen[0].data).toEqual({ personId: ada, value: 'ada@example.com' });
    await close();
  });

  it('opens an event it sealed once for all its subscribers, and serves none of it after its subject is erased', async () => {
    const { store, keys, close } = openStores(newFolder());
    const ada = randomUUID();
    const seen: RecordedEvent[][] = [[], []];
    const delivered = seen.map((events) => {
      let done!: () => void;
      const promise = new Promise<void>((resolve) => (done = resolve));
      const subscription = store.subscribeToAll({}, (batch) => {
        events.push(...batch);
        done();
      });
      return { promise, subscription };
    });
    await store.append(`person-${ada}`, [personChanged(ada, { value: 'ada@example.com' })], 'no_stream');
    for (const { promise, subscription } of delivered) await promise.then(() => subscription.close());
    expect(seen[0][0].data).toEqual({ personId: ada, value: 'ada@example.com' });
    expect(seen[1][0].data).toBe(seen[0][0].data);

    await keys.destroy(ada);
    expect((await store.readStream(`person-${ada}`))[0].data).toEqual({ personId: ada, value: '[erased]' });
    await close();
  });

  it('keeps a clear field named __proto__ a field, beside the sealed ones', async () => {
    const { store, close } = openStores(newFolder());
    const ada = randomUUID();
    await store.append(`person-${ada}`, [personChanged(ada, JSON.parse('{"__proto__":{"polluted":true},"value":"ada@example.com"}') as Record<string, unknown>)], 'no_stream');
    const [read] = await store.readStream(`person-${ada}`);
    expect(Object.getPrototypeOf(read.data)).toBe(Object.prototype);
    expect(Object.hasOwn(read.data, '__proto__')).toBe(true);
    expect(read.data.value).toBe('ada@example.com');
    await close();
  });

  it('passes events written before sealing existed through unchanged', async () => {
    const folder = newFolder();
    const plain = new HashChainedEventStore(SqliteEventStore.open({ file: join(folder, 'events.db') }));
    const ada = randomUUID();
    await plain.append(`person-${ada}`, [personChanged(ada, { value: 'ada@example.com' })], 'no_stream');
    await plain.close();

    const { store, close } = openStores(folder);
    await store.append(`person-${ada}`, [personChanged(ada, { value: 'ada@new.example' })], 0);
    expect((await store.readStream(`person-${ada}`)).map((e) => e.data.value)).toEqual(['ada@example.com', 'ada@new.example']);
    expect(rowsOf(folder).map((row) => typeof row.data.value)).toEqual(['string', 'undefined']);
    await close();
  });

  it('does not open a sealed value copied into another event (bound to stream and event id)', async () => {
    const folder = newFolder();
    const { store, close } = openStores(folder);
    const ada = randomUUID();
    await store.append(`person-${ada}`, [personChanged(ada, { value: 'ada@example.com' }), personChanged(ada, { value: 'other' })], 'no_stream');
    const [first, second] = rowsOf(folder);
    const file = SqliteEventLogFile.open(join(folder, 'events.db'));
    file.setData(second.position, first.data);
    file.close();

    const read = await store.readStream(`person-${ada}`);
    expect(read.map((e) => e.data.value)).toEqual(['ada@example.com', '[erased]']);
    await close();
  });

  it('keeps the hash chain over the sealed bytes: verify passes after a key is destroyed, and an edit of an erased event still fails it', async () => {
    const folder = newFolder();
    const { store, keys, log, close } = openStores(folder);
    const ada = randomUUID();
    await store.append(`person-${ada}`, [personChanged(ada, { value: 'ada@example.com' })], 'no_stream');
    expect((await verifyChain(log)).ok).toBe(true);

    await keys.destroy(ada);
    expect((await verifyChain(log)).ok).toBe(true);

    const [row] = rowsOf(folder);
    const sealed = row.data.sealed as { box: string };
    const bytes = Buffer.from(sealed.box, 'base64');
    bytes[20] ^= 0x01;
    const file = SqliteEventLogFile.open(join(folder, 'events.db'));
    file.setData(row.position, { ...row.data, sealed: { ...sealed, box: bytes.toString('base64') } });
    file.close();

    const verification = await verifyChain(log);
    expect(verification.ok).toBe(false);
    expect(verification.firstProblem).toMatchObject({ kind: 'content-changed', event: { id: row.eventId } });
    await close();
  });
});

function rowsOf(folder: string) {
  const file = SqliteEventLogFile.open(join(folder, 'events.db'));
  try {
    return file.rows();
  } finally {
    file.close();
  }
}
