import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nameHashingStream, StreamPrefix } from '@scim/domain';
import { EventStore, SqliteEventStore, type RecordedEvent } from '@scim/event-store';
import { NameHashing } from '@scim/provisioning';
import { NAME_HASHING_KEY_FILE } from '../../apps/scim-api/src/persistence/name-hashing';
import legacy from '../fixtures/legacy-data-folder/fixture.json';
import { scimClient, startTestApp, USER_SCHEMA, type ScimAccount, type TestApp } from '../support/test-app';

const FIXTURE = join(__dirname, '../fixtures/legacy-data-folder/events.db');
const user = (userName: string) => ({ schemas: [USER_SCHEMA], userName, name: { givenName: 'New', familyName: 'Comer' } });

/**
 * A data folder written before reservation streams were keyed (test/fixtures/legacy-data-folder,
 * written by commit e54b96f): the first start carries every name still held over to keyed streams,
 * so uniqueness holds across the upgrade, and no stream written afterwards is named after a userName.
 */
describe('upgrade of a data folder with plaintext userName reservations (e2e)', () => {
  let dataDir: string;
  let testApp: TestApp;
  let legacyHead: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'scim-upgrade-'));
    copyFileSync(FIXTURE, join(dataDir, 'events.db'));
    chmodSync(join(dataDir, 'events.db'), 0o600);
    const before = SqliteEventStore.open({ file: join(dataDir, 'events.db') });
    legacyHead = await before.headPosition();
    await before.close();
    testApp = await startTestApp(dataDir);
  });
  afterAll(async () => {
    await testApp?.close(false);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const accountOf = async (name: 'acme' | 'globex'): Promise<ScimAccount> => {
    const { accountId } = legacy.accounts[name];
    const issued = await testApp.operator('post', `/admin/accounts/${accountId}/scim/tokens`, { validForDays: 1, label: 'upgrade test' }).expect(201);
    return { accountId, token: issued.body.token, tokenId: issued.body.tokenId, base: `/scim/v2/${accountId}` };
  };
  const eventsSinceUpgrade = async (): Promise<RecordedEvent[]> => {
    const events: RecordedEvent[] = [];
    for await (const batch of testApp.app.get(EventStore).readAll({ fromPosition: legacyHead })) events.push(...batch);
    return events;
  };

  it('creates the key once, readable by the service only, and records the adoption with the names carried over', async () => {
    expect(statSync(join(dataDir, NAME_HASHING_KEY_FILE)).mode & 0o777).toBe(0o600);
    const [adopted] = await testApp.app.get(EventStore).readStream(nameHashingStream);
    // ada, linus.renamed, manual.mary, margaret: grace was deprovisioned and linus@ renamed before the upgrade.
    expect(adopted.data).toMatchObject({ legacyReservationsCarriedOver: 4 });
  });

  it('still refuses a name held before the upgrade, in another account and in its own', async () => {
    const globex = scimClient(testApp, await accountOf('globex'));
    const acme = scimClient(testApp, await accountOf('acme'));
    expect((await globex.post('/Users', user('ADA.Lovelace@acme.example')).expect(409)).body.scimType).toBe('uniqueness');
    expect((await acme.post('/Users', user('ada.lovelace@acme.example')).expect(409)).body.scimType).toBe('uniqueness');
    await globex.post('/Users', user('linus.renamed@acme.example')).expect(409);
    await acme.post('/Users', user('margaret@globex.example')).expect(409);
  });

  it('frees the names released before the upgrade, and converts a manual user as before', async () => {
    const globex = scimClient(testApp, await accountOf('globex'));
    const acme = scimClient(testApp, await accountOf('acme'));
    await globex.post('/Users', user('grace.hopper@acme.example')).expect(201);
    await globex.post('/Users', user('linus@acme.example')).expect(201);
    const converted = await acme.post('/Users', user('manual.mary@acme.example')).expect(201);
    expect(converted.body.id).toBe(legacy.accounts.acme.users.manualMary);
    // The renamed holder releases its carried-over name like any other.
    await acme.patch(`/Users/${legacy.accounts.acme.users.linus}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'userName', value: 'linus.again@acme.example' }],
    }).expect(200);
    await globex.post('/Users', user('linus.renamed@acme.example')).expect(201);
  });

  it('writes no stream named after a userName, and no reservation event holding one', async () => {
    const written = await eventsSinceUpgrade();
    const reservations = written.filter((e) => e.streamId.startsWith(StreamPrefix.userName));
    expect(reservations.length).toBeGreaterThan(4);
    for (const event of written) {
      expect(event.streamId).not.toMatch(/@|^username-/);
    }
    for (const event of reservations) {
      expect(event.streamId).toMatch(/^usernamehmac-[0-9a-f]{64}$/);
      expect(JSON.stringify([event.data, event.metadata])).not.toContain('@');
    }
  });

  it('starts again with its key, and refuses to start with a lost or different key', async () => {
    await testApp.close(false);
    testApp = await startTestApp(dataDir);
    expect(testApp.app.get(NameHashing)).toBeDefined();
    const globex = scimClient(testApp, await accountOf('globex'));
    await globex.post('/Users', user('ada.lovelace@acme.example')).expect(409);
    await testApp.close(false);

    const keyFile = join(dataDir, NAME_HASHING_KEY_FILE);
    const kept = `${dataDir}.key`;
    copyFileSync(keyFile, kept);
    rmSync(keyFile);
    await expect(startTestApp(dataDir)).rejects.toThrow(/name-hashing\.key is missing/);
    expect(existsSync(keyFile)).toBe(false);
    writeFileSync(keyFile, `${'x'.repeat(43)}\n`, { mode: 0o600 });
    await expect(startTestApp(dataDir)).rejects.toThrow(/not the one this event log was written with/);
    await expect(startTestApp(dataDir, { env: { NAME_HASHING_KEY: 'y'.repeat(43) } })).rejects.toThrow(/not the one/);

    copyFileSync(kept, keyFile);
    rmSync(kept);
    testApp = await startTestApp(dataDir);
    await scimClient(testApp, await accountOf('acme')).post('/Users', user('ada.lovelace@acme.example')).expect(409);
  });
});
