import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { PROJECTION_VERSIONS, ReadStore } from '@scim/read-models';
import { GROUP_SCHEMA, LIST_RESPONSE, PATCH_OP, startTestApp, type TestApp } from '../support/test-app';

const FIXTURE = join(__dirname, '..', 'fixtures', 'data-folder-before-projection-versions');

interface Fixture {
  readonly accountId: string;
  readonly token: string;
  readonly groupId: string;
  readonly users: Readonly<Record<'ann' | 'bob', { readonly id: string } & Record<string, unknown>>>;
}

/** The service's log lines (pino JSON), to read what the start-up said. */
function capturedLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line).msg as string) });
  return { logger, lines };
}

describe('Read models built by an older release are rebuilt at start-up (issue 14)', () => {
  const fixture = JSON.parse(readFileSync(join(FIXTURE, 'fixture.json'), 'utf8')) as Fixture;
  let dataDir: string;
  let app: TestApp | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'scim-upgrade-'));
    cpSync(FIXTURE, dataDir, { recursive: true, filter: (source) => !source.endsWith('.json') && !source.endsWith('.md') });
    // Keys are refused when others may read them, whatever mode a checkout gave the copies.
    for (const key of ['auditor.key', 'webhook-secrets.key']) chmodSync(join(dataDir, key), 0o600);
  });

  afterEach(async () => {
    await app?.close(false);
    app = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  const scim = (testApp: TestApp, method: 'get' | 'patch', path: string) =>
    testApp.http()[method](`/scim/v2/${fixture.accountId}${path}`).set('Authorization', `Bearer ${fixture.token}`);

  it('rebuilds them from the log, logs its progress, and answers as the older release did', async () => {
    const { logger, lines } = capturedLogger();
    app = await startTestApp(dataDir, { logger });
    // Main at e54b96f wrote the earlier file layout (and no projection versions).
    expect(lines).toContain('Read models of an earlier file layout: rebuilding them from the event log');
    expect(lines.some((line) => /^Rebuilt the read models from \d+ events in [\d.]+ s \(\d+ events\/s\)$/.test(line))).toBe(true);

    for (const user of Object.values(fixture.users)) {
      const read = await scim(app, 'get', `/Users/${user.id}`).expect(200);
      expect(read.body).toEqual(user);
    }
    // The group's members, found through the users' own documents now; its name as renamed.
    const members = await scim(app, 'get', `/Users?filter=${encodeURIComponent(`groups.value eq "${fixture.groupId}"`)}`).expect(200);
    expect(members.body.schemas).toEqual([LIST_RESPONSE]);
    expect(members.body.Resources.map((user: { id: string }) => user.id).sort()).toEqual([fixture.users.ann.id, fixture.users.bob.id].sort());
    expect(members.body.Resources[0].groups).toEqual([{ value: fixture.groupId, $ref: `https://scim.test/scim/v2/${fixture.accountId}/Groups/${fixture.groupId}`, display: 'Platform Engineering', type: 'direct' }]);
  });

  it('rebuilds nothing on the next start, and the service goes on projecting into the swapped-in store', async () => {
    app = await startTestApp(dataDir);
    await scim(app, 'patch', `/Groups/${fixture.groupId}`)
      .send({ schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${fixture.users.bob.id}"]` }] })
      .expect((response) => expect([200, 204]).toContain(response.status));
    await app.close(false);

    const { logger, lines } = capturedLogger();
    app = await startTestApp(dataDir, { logger });
    expect(lines.some((line) => line.includes('rebuilding'))).toBe(false);
    const bob = await scim(app, 'get', `/Users/${fixture.users.bob.id}`).expect(200);
    expect(bob.body.groups).toBeUndefined();
    const group = await scim(app, 'get', `/Groups/${fixture.groupId}`).expect(200);
    expect(group.body.schemas).toEqual([GROUP_SCHEMA]);
    expect(group.body.members.map((member: { value: string }) => member.value)).toEqual([fixture.users.ann.id]);
    expect(await app.app.get(ReadStore).get(PROJECTION_VERSIONS, 'users')).toMatchObject({ version: 2 });
  });
});
