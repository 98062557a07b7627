import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventLogFile } from '@scim/event-store/testing/sqlite-event-log-file';
import { EmbeddedReadStore, type Doc } from '@scim/read-models';
import { cli } from '../support/cli';
import { GROUP_SCHEMA, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type ScimAccount, type TestApp } from '../support/test-app';



/** The replay CLI (issue 6, deliverables 5 and 6) on a data folder written through the real API. */
describe('Replay CLI: rebuild, export, verify (e2e)', () => {
  let testApp: TestApp;
  let dataDir: string;
  let acme: ScimAccount;
  const users: Record<string, string> = {};
  const copies: string[] = [];

  /** A copy of the data folder to damage, so each test starts from the untouched one. */
  const copyOfData = (): string => {
    const copy = mkdtempSync(join(tmpdir(), 'scim-cli-copy-'));
    copies.push(copy);
    cpSync(dataDir, copy, { recursive: true });
    return copy;
  };

  beforeAll(async () => {
    testApp = await startTestApp();
    dataDir = testApp.dataDir;
    acme = await testApp.newAccount('Acme');
    const globex = await testApp.newAccount('Globex');
    const scim = scimClient(testApp, acme);
    for (const name of ['ann', 'ben', 'cid', 'dee']) {
      users[name] = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: `${name}@acme.com`, name: { givenName: name } }).expect(201)).body.id;
    }
    await scim.patch(`/Users/${users.ann}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Engineer' }] }).expect(200);
    await scim.patch(`/Users/${users.ben}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }).expect(200);
    await scim.delete(`/Users/${users.cid}`).expect(204);
    const group = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering', members: [{ value: users.ann }] }).expect(201);
    await scim.patch(`/Groups/${group.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: users.dee }] }] }).expect(204);
    await scimClient(testApp, globex).post('/Users', { schemas: [USER_SCHEMA], userName: 'gus@globex.com' }).expect(201);
  });

  afterAll(() => {
    // The app was stopped half-way (below); only its data folder is left to remove.
    for (const directory of [dataDir, ...copies]) rmSync(directory, { recursive: true, force: true });
  });

  describe('while the service is running', () => {
    it('verify and rebuild read beside it and find everything in order', async () => {
      const verified = await cli(dataDir, 'verify');
      const rebuilt = await cli(dataDir, 'rebuild');

      expect(verified).toMatchObject({ code: 0, stdout: expect.stringContaining('OK: no event was changed, removed or reordered.') });
      expect(rebuilt).toMatchObject({ code: 0, stdout: expect.stringMatching(/^EQUAL: /) });
      // The service still writes after the CLI's reads.
      await scimClient(testApp, acme).post('/Users', { schemas: [USER_SCHEMA], userName: 'eve@acme.com' }).expect(201);
    });
  });

  describe('with the service stopped', () => {
    beforeAll(async () => {
      await testApp.app.close();
    });

    it('rebuild replays the whole log with progress and events/s, and equals the live read models', async () => {
      const run = await cli(dataDir, 'rebuild');

      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/rebuild \[#+\] 100\.0%  [\d,]+ events  [\d,]+ events\/s/);
      expect(run.stderr).toMatch(/Replayed [\d,]+ events \(those of the read models. streams, in a log up to position [\d,]+\) in [\d.]+ s \([\d,]+ events\/s\)/);
      expect(run.stdout).toMatch(/^EQUAL: the rebuilt read models equal the live ones; \d+ documents compared at position \d+\n$/);
    });

    it('rebuild names the document and field where the live read model differs from the log', async () => {
      const copy = copyOfData();
      const live = EmbeddedReadStore.open({ file: join(copy, 'read-models.db') });
      const ann = (await live.get<Doc>('users', users.ann)) as Doc & { profile: Record<string, unknown> };
      await live.commit([{ collection: 'users', id: users.ann, doc: { ...ann, profile: { ...ann.profile, title: 'CEO' } } }], { projection: 'users', position: 0 });
      await live.commit([{ collection: 'users', id: 'not-from-any-event', doc: { _id: 'not-from-any-event' } }], { projection: 'users', position: 0 });
      await live.close();

      const run = await cli(copy, 'rebuild');

      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^DIFFERENT: 2 difference\(s\)/);
      expect(run.stdout).toContain(`users/${users.ann} [fields-differ] profile.title: live "CEO", rebuilt "Engineer"`);
      expect(run.stdout).toContain('users/not-from-any-event [only-in-live]');
    });

    it('verify passes on the untouched log and prints an anchor that a later run checks', async () => {
      const run = await cli(dataDir, 'verify');
      const anchor = /Anchor: ([0-9a-f]{64})/.exec(run.stdout)?.[1];

      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Checked \d+ events in \d+ streams/);
      expect(run.stdout).toMatch(/1 seal\(s\) cover positions up to \d+/);
      expect(anchor).toBeDefined();
      expect((await cli(dataDir, 'verify', '--anchor', anchor as string)).code).toBe(0);
      expect((await cli(dataDir, 'verify', '--anchor', 'f'.repeat(64))).code).toBe(1);
    });

    it('verify fails after one row of the SQLite log is tampered with, naming the event', async () => {
      const copy = copyOfData();
      const raw = SqliteEventLogFile.open(join(copy, 'events.db'));
      const target = raw.rows().find((row) => row.streamId === `user-${users.ann}` && row.type === 'UserAttributesUpdated');
      if (!target) throw new Error('no UserAttributesUpdated of ann');
      raw.setData(target.position, { ...target.data, userId: users.ben });
      raw.close();

      const run = await cli(copy, 'verify');

      expect(run.code).toBe(1);
      expect(run.stdout).toContain('FAILED: 1 problem(s). The first bad event:');
      expect(run.stdout).toContain(
        `[content-changed] event ${target.eventId} (UserAttributesUpdated, stream user-${users.ann} revision ${target.revision}, position ${target.position})`,
      );
    });

    it('verify fails after a row is deleted, naming the missing position and revision', async () => {
      const copy = copyOfData();
      const raw = SqliteEventLogFile.open(join(copy, 'events.db'));
      const target = raw.rows().find((row) => row.streamId === `user-${users.ben}` && row.revision === 0);
      if (!target) throw new Error('no first event of ben');
      raw.deleteRow(target.position);
      raw.close();

      const run = await cli(copy, 'verify');

      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`[position-gap] position ${target.position} is missing`);
      expect(run.stdout).toContain(`stream user-${users.ben} revision 1`);
      expect(run.stdout).toContain('revisions 0..0 are missing');
      expect(run.stdout).toContain('[seal-mismatch]');
    });

    it("export writes the account's events as recorded, in commit order, to a file or stdout", async () => {
      const out = join(copyOfData(), 'acme.ndjson');
      const toFile = await cli(dataDir, 'export', '--account', acme.accountId, '--out', out);
      const toStdout = await cli(dataDir, 'export', '--account', acme.accountId);

      const raw = SqliteEventLogFile.open(join(dataDir, 'events.db'));
      const expected = raw.rows().filter((row) => row.metadata.accountId === acme.accountId);
      raw.close();
      const lines = readFileSync(out, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
      expect(toFile).toMatchObject({ code: 0, stdout: '', stderr: `Exported ${expected.length} events of account ${acme.accountId} to ${out}\n` });
      expect(lines.map((event) => [event.position, event.id, event.streamId, event.revision, event.type])).toEqual(
        expected.map((row) => [row.position, row.eventId, row.streamId, row.revision, row.type]),
      );
      expect(lines.map((event) => event.metadata)).toEqual(expected.map((row) => row.metadata));
      expect(lines.every((event) => typeof event.metadata.chain?.hash === 'string')).toBe(true);
      expect(toStdout.stdout).toBe(readFileSync(out, 'utf8'));
    });

    it('says what is wrong when the data folder or the account does not exist (exit 2)', async () => {
      const missing = await cli(join(tmpdir(), 'no-such-scim-data'), 'verify');
      const unknown = await cli(dataDir, 'export', '--account', '00000000-0000-4000-8000-000000000000');
      const usage = await cli(dataDir, 'export');

      expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('No event log at') });
      expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('No account 00000000-0000-4000-8000-000000000000') });
      expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('export needs --account <id>') });
    });
  });
});
