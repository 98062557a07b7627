import { DelegatingEventStore, EventStore, type AppendResult, type ExpectedRevision, type NewEvent, type RecordedEvent } from '@scim/event-store';
import { createLogger } from '../../apps/scim-api/src/observability/logger';
import { PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type TestApp } from '../support/test-app';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const USER_NAME = 'zelda.quixote@privacy.example';

/** Every value of this person, as an IdP would send them: none may reach a log line, a stream name or event metadata. */
const PERSONAL_VALUES = ['zelda', 'quixote', 'zq.home@mail.example', '+1 555 0199', 'Rue Imaginaire 7', 'Lighthouse Keeper', 'EMP-93177'];

/** Fails the appends `shouldFail` picks with a message that quotes what was to be stored, as a careless driver might. */
class QuotingFailures extends DelegatingEventStore {
  shouldFail: (streamId: string) => boolean = () => false;

  override append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.shouldFail(streamId)) return Promise.reject(new Error(`Injected failure appending to ${streamId}: ${JSON.stringify(events.map((e) => e.data))}`));
    return this.inner.append(streamId, events, expected);
  }
}

/**
 * docs/PRIVACY.md, "outside the encrypted fields": the request log, error logs (a 5xx's stack
 * included), stream names and event metadata hold ids, never a person's values, whatever the
 * requests that carried them: filters, PATCH paths with value filters, refusals, failures.
 */
describe('personal values stay out of logs, stream names and event metadata (e2e)', () => {
  const lines: string[] = [];
  let testApp: TestApp;
  let failing: QuotingFailures;

  beforeAll(async () => {
    const logger = createLogger({ format: 'json', level: 'trace' }, { write: (line: string) => void lines.push(line) });
    testApp = await startTestApp(undefined, { logger, eventStore: (store) => (failing = new QuotingFailures(store)) });
  });
  afterAll(() => testApp.close());

  it('after creating, finding, patching, refusing and failing requests about a person', async () => {
    const acme = scimClient(testApp, await testApp.newAccount('Acme'));
    const globex = scimClient(testApp, await testApp.newAccount('Globex'));
    const created = await acme
      .post('/Users', {
        schemas: [USER_SCHEMA, ENTERPRISE],
        userName: USER_NAME,
        name: { givenName: 'Zelda', familyName: 'Quixote' },
        emails: [{ value: USER_NAME, type: 'work', primary: true }, { value: 'zq.home@mail.example', type: 'home' }],
        phoneNumbers: [{ value: '+1 555 0199', type: 'work' }],
        addresses: [{ streetAddress: 'Rue Imaginaire 7', type: 'work' }],
        title: 'Lighthouse Keeper',
        active: 'True',
        [ENTERPRISE]: { employeeNumber: 'EMP-93177' },
      })
      .expect(201);
    const id = created.body.id as string;

    await acme.get(`/Users?filter=${encodeURIComponent(`userName eq "${USER_NAME}"`)}`).expect(200);
    await acme.get(`/Users?filter=${encodeURIComponent(`emails.value eq "zq.home@mail.example" and`)}`).expect(400);
    await acme.post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `title eq "Lighthouse Keeper"` }).expect(200);
    // Entra's path-less PATCH, with a value filter in a key: recorded as a normalisation note.
    await acme.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { 'emails[value eq "zq.home@mail.example"].type': 'other', title: 'Lighthouse Keeper' } }] }).expect(200);
    const noTarget = await acme.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'phoneNumbers[value eq "+1 555 0199 zelda"].type', value: 'home' }] }).expect(400);
    expect(noTarget.body.detail).toContain('+1 555 0199 zelda');
    await globex.post('/Users', { schemas: [USER_SCHEMA], userName: USER_NAME.toUpperCase() }).expect(409);
    await acme.put(`/Users/${id}`, { schemas: [USER_SCHEMA], userName: USER_NAME, emails: [{ value: 'not an email zelda' }], nickName: { zelda: 'quixote' } }).expect(400);

    failing.shouldFail = (streamId) => streamId.startsWith('usernamehmac-');
    await globex.post('/Users', { schemas: [USER_SCHEMA], userName: 'zelda.second@privacy.example', name: { familyName: 'Quixote' } }).expect(500);
    failing.shouldFail = (streamId) => streamId.startsWith('user-');
    await globex.post('/Users', { schemas: [USER_SCHEMA], userName: 'zelda.third@privacy.example', title: 'Lighthouse Keeper' }).expect(500);
    failing.shouldFail = () => false;

    // The lines are there (so the search below searched something): the 5xx with its message and stack, less the values.
    const failures = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.status === 500);
    expect(failures.map((line) => (line.err as { message: string }).message)).toEqual([
      expect.stringMatching(/^Injected failure appending to usernamehmac-[0-9a-f]{64}: \[\{"accountId"/),
      // The user's events reach the log with their personal fields sealed (docs/PRIVACY.md).
      expect.stringMatching(/^Injected failure appending to user-.*"sealed":\{"v":1,/),
    ]);
    expect((failures[1].err as { stack: string }).stack).toContain('QuotingFailures.append');
    expect(lines.filter((line) => line.includes('"route":"/scim/v2/:accountId/Users/:userId"')).length).toBeGreaterThanOrEqual(3);
    expectNoneOf(PERSONAL_VALUES, lines.join('\n'), 'the log');

    const events: RecordedEvent[] = [];
    for await (const batch of testApp.app.get(EventStore).readAll()) events.push(...batch);
    // The notes are kept, naming the attribute: the filter's value is cut.
    expect(events.flatMap((event) => (event.metadata.normalizations as string[] | undefined) ?? [])).toEqual(['boolean-from-string:active', 'pathless-path-key:emails[…].type']);
    expectNoneOf(PERSONAL_VALUES, JSON.stringify(events.map((event) => [event.streamId, event.metadata])), 'stream names and metadata');
    const rejections = events.filter((event) => event.type === 'ProvisioningRejected');
    expect(rejections.length).toBeGreaterThanOrEqual(3);
    expectNoneOf(PERSONAL_VALUES, JSON.stringify(rejections.map((event) => event.data)), 'recorded refusals');
  });
});

function expectNoneOf(values: readonly string[], text: string, where: string): void {
  const found = values.filter((value) => text.toLowerCase().includes(value.toLowerCase()));
  expect({ where, found }).toEqual({ where, found: [] });
}
