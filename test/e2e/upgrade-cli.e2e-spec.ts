import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventLogFile } from '@scim/event-store/testing/sqlite-event-log-file';
import { cli } from '../support/cli';
import { PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type ScimAccount } from '../support/test-app';


const rowsOf = (dataDir: string) => {
  const file = SqliteEventLogFile.open(join(dataDir, 'events.db'));
  try {
    return file.rows();
  } finally {
    file.close();
  }
};

/** Issue 15 item 6: a data folder written with personal data in clear (as before sealing) upgrades as documented. */
describe('cli upgrade: a plaintext data folder into a sealed one (e2e)', () => {
  const oldDir = mkdtempSync(join(tmpdir(), 'scim-upgrade-old-'));
  const newDir = join(mkdtempSync(join(tmpdir(), 'scim-upgrade-')), 'data');
  const personal = { userName: 'Ulla.Upgrade@old.example', givenName: 'Ullagiven', email: 'ulla.mail@old.example', title: 'Migrated Title' };
  let account: ScimAccount;
  let ullaId: string;
  let goneId: string;

  beforeAll(async () => {
    const old = await startTestApp(oldDir, { unsealed: true });
    account = await old.newAccount('Acme');
    const scim = scimClient(old, account);
    ullaId = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: personal.userName, name: { givenName: personal.givenName }, emails: [{ value: personal.email }] }).expect(201)).body.id;
    await scim.patch(`/Users/${ullaId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: personal.title }] }).expect(200);
    goneId = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'gone@old.example' }).expect(201)).body.id;
    await scim.delete(`/Users/${goneId}`).expect(204);
    // Stopping seals the log, as a service stopped for the upgrade does.
    await old.close(false);
  });

  afterAll(() => {
    rmSync(oldDir, { recursive: true, force: true });
    rmSync(join(newDir, '..'), { recursive: true, force: true });
  });

  it('copies the log with personal fields sealed, linked to the old anchor, verifiable, and served as before', async () => {
    expect(readFileSync(join(oldDir, 'events.db')).includes(personal.email)).toBe(true);
    const oldAnchor = /Anchor: ([0-9a-f]{64})/.exec((await cli(undefined, 'verify', '--data-dir', oldDir)).stdout)?.[1];
    expect(oldAnchor).toBeDefined();

    const upgraded = await cli(undefined, 'upgrade', '--data-dir', oldDir, '--to', newDir);
    expect(upgraded).toMatchObject({ code: 0, stdout: expect.stringContaining('still holds every personal value in clear') });

    const rows = rowsOf(newDir);
    expect(rows[0]).toMatchObject({ type: 'LogUpgraded', data: { previousLog: { anchor: oldAnchor } } });
    const stored = JSON.stringify(rows.map(({ data, metadata }) => ({ data, metadata })));
    for (const value of [...Object.values(personal), personal.userName.toLowerCase()]) expect(stored).not.toContain(value);
    const verified = await cli(undefined, 'verify', '--data-dir', newDir);
    expect(verified).toMatchObject({ code: 0, stdout: expect.stringContaining('OK') });
    // The old log's events are all there, with their ids, and the new log's first seal covers the link.
    const oldIds = rowsOf(oldDir).filter((row) => row.streamId !== 'chain-seals').map((row) => row.eventId);
    expect(rows.filter((row) => row.streamId !== 'chain-seals' && row.type !== 'LogUpgraded').map((row) => row.eventId)).toEqual(oldIds);
    expect(rows.find((row) => row.type === 'ChainSealed')?.data).toMatchObject({ fromPosition: 0 });

    const upgradedApp = await startTestApp(newDir);
    try {
      const token = (await upgradedApp.operator('post', `/admin/accounts/${account.accountId}/scim/tokens`, { validForDays: 30 }).expect(201)).body.token;
      const scim = scimClient(upgradedApp, { ...account, token });
      const ulla = await scim.get(`/Users/${ullaId}`).expect(200);
      expect(ulla.body).toMatchObject({ userName: personal.userName, name: { givenName: personal.givenName }, emails: [{ value: personal.email }], title: personal.title });
      await scim.get(`/Users/${goneId}`).expect(404);
      // And erasure works on the upgraded history.
      await upgradedApp.operator('post', `/admin/accounts/${account.accountId}/users/${ullaId}/erase`, { reason: 'upgrade test' }).expect(200);
      await scim.get(`/Users/${ullaId}`).expect(404);
    } finally {
      await upgradedApp.close(false);
    }
  });

  it('refuses to write into a folder that is not empty', async () => {
    const refused = await cli(undefined, 'upgrade', '--data-dir', oldDir, '--to', oldDir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is not empty');
  });
});
