import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { userStream } from '@scim/domain';
import { SqliteEventStore } from '@scim/event-store';
import { HashChainedEventStore } from '@scim/event-store/hash-chain';
import { SqliteSubjectKeyStore } from '@scim/event-store/personal-data';
import { CheckpointFreshness, createProcessManagers, createWriteModels, HmacNameHashing, RolesViaGroupsProcess } from '@scim/provisioning';
import { EmbeddedReadStore, PROJECTION_VERSIONS, type Projection } from '@scim/read-models';
import { allProjections, prepareReadModelStore } from '@scim/read-models/projections';
import { FakeMongoClient } from '@scim/read-models/testing/fake-mongo-client';
import { TALLIES, tallyEvent, tallyProjection, type TallyView } from '@scim/read-models/testing/tally-projection';
import { MongoReadStore } from '@scim/read-models/mongo';
import { createProjectorServer } from './http-server';
import { Projector, StaleReadModelsError } from './projector';

/**
 * The projector over the embedded adapters (EventStoreDB and MongoDB cannot run here): the same
 * ports, so what is checked is the process around the runner.
 */
describe('Projector', () => {
  let dir: string;
  let eventStore: SqliteEventStore;
  let readStore: EmbeddedReadStore;
  const projectors: Projector[] = [];
  const logs: string[] = [];
  const logger = {
    log: (message: string) => logs.push(message),
    warn: (message: string) => logs.push(`WARN ${message}`),
    error: (message: string) => logs.push(`ERROR ${message}`),
  };

  const openStores = () => {
    eventStore = SqliteEventStore.open({ file: join(dir, 'events.db') });
    readStore = EmbeddedReadStore.open({ file: join(dir, 'read-models.db') });
  };
  const closeStores = async () => {
    await eventStore.close();
    await readStore.close();
  };
  const newProjector = (projections: readonly Projection[], options: Partial<ConstructorParameters<typeof Projector>[0]> = {}) => {
    const projector = new Projector({ eventStore, readStore, projections, logger, superviseEveryMs: 10, ...options });
    projectors.push(projector);
    return projector;
  };
  const until = async (condition: () => Promise<boolean> | boolean, timeoutMs = 5_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const tally = (id: string) => readStore.get<TallyView>(TALLIES, id);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'projector-'));
    logs.length = 0;
    openStores();
  });

  afterEach(async () => {
    await Promise.all(projectors.splice(0).map((projector) => projector.stop()));
    await closeStores();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the indexes, projects, and resumes from its checkpoints after a restart without applying an event twice', async () => {
    // The tally projection adds blindly: a re-applied event would show in the total.
    const first = newProjector([tallyProjection()], { indexes: { [TALLIES]: [{ name: 'total', fields: [['total', 1]] }] } });
    await first.start();
    const opened = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a'), tallyEvent('TallyIncremented', 'a', { by: 2 })], 'no_stream');
    await until(async () => (await readStore.checkpoint('tallies')) === opened.position);
    await first.stop();

    // Written while no projector runs, then the process comes back on the same stores.
    await closeStores();
    openStores();
    const later = await eventStore.append('tally-a', [tallyEvent('TallyIncremented', 'a', { by: 5 })], opened.nextExpectedRevision);
    const second = newProjector([tallyProjection()]);
    await second.start();
    await until(async () => (await readStore.checkpoint('tallies')) === later.position);
    expect(await tally('a')).toEqual({ _id: 'a', total: 7, _position: later.position });

    // The index was created by the first start: a duplicate name with other keys is refused.
    await expect(readStore.ensureIndexes(TALLIES, [{ name: 'total', fields: [['other', 1]] }])).rejects.toThrow();
  });

  it('records the projections\' versions, and without a scratch space refuses to project on documents another version wrote', async () => {
    const first = newProjector([tallyProjection()]);
    await first.start();
    const opened = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    await until(async () => (await readStore.checkpoint('tallies')) === opened.position);
    await first.stop();
    expect(await readStore.get(PROJECTION_VERSIONS, 'tallies')).toMatchObject({ version: 1 });

    const bumped = newProjector([tallyProjection({ version: 2 })]);
    await expect(bumped.start()).rejects.toThrow(new StaleReadModelsError([{ projection: 'tallies', stored: 1, current: 2 }]));
    expect(await readStore.get(PROJECTION_VERSIONS, 'tallies')).toMatchObject({ version: 1 });
  });

  it('on MongoDB (the driver-shaped fake), rebuilds read models of another version into scratch collections at start-up, swaps them in and projects on', async () => {
    const mongo = new FakeMongoClient();
    const liveStore = MongoReadStore.over(mongo.asClient(), 'scim');
    const onMongo = (projection: Projection) =>
      newProjector([projection], {
        readStore: liveStore,
        indexes: { [TALLIES]: [{ name: 'total', fields: [['total', 1]] }] },
        rebuild: { space: liveStore, collectionsOf: () => [TALLIES] },
      });
    const first = onMongo(tallyProjection());
    await first.start();
    const opened = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a'), tallyEvent('TallyIncremented', 'a', { by: 3 })], 'no_stream');
    await until(async () => (await liveStore.checkpoint('tallies')) === opened.position);
    await first.stop();
    logs.length = 0;

    const shaped: Projection = { ...tallyProjection(), version: 2, evolve: (ref, doc, event) => {
      const next = tallyProjection().evolve(ref, doc, event);
      return next && { ...next, shape: 2 };
    } };
    const upgraded = onMongo(shaped);
    await upgraded.start();

    expect(await liveStore.get(TALLIES, 'a')).toMatchObject({ total: 3, shape: 2 });
    expect(await liveStore.get(PROJECTION_VERSIONS, 'tallies')).toMatchObject({ version: 2 });
    expect(mongo.operations.filter((operation) => operation.startsWith('rename'))).toEqual([expect.stringMatching(/^rename tallies__rebuild_\w+ -> tallies \(dropTarget\)$/)]);
    expect(logs).toContainEqual(expect.stringMatching(/^Read models of another version \(tallies v1, now v2\): rebuilding/));
    expect(logs).toContain('Swapped in the rebuilt tallies; tallies is now v2');
    expect(upgraded.health().status).toBe('ok');
    // Carries on live from the rebuilt checkpoint.
    const later = await eventStore.append('tally-a', [tallyEvent('TallyIncremented', 'a', { by: 4 })], opened.nextExpectedRevision);
    await until(async () => (await liveStore.checkpoint('tallies')) === later.position);
    expect(await liveStore.get(TALLIES, 'a')).toMatchObject({ total: 7, shape: 2 });
  });

  it('serves /health and /lag, counting a projection with quiet streams as caught up', async () => {
    const audit: Projection = { name: 'audit', version: 1, streamPrefixes: ['audit-'], targets: () => [], evolve: (_ref, doc) => doc };
    const projector = newProjector([tallyProjection(), audit]);
    const server = createProjectorServer(projector, logger.error);

    expect((await request(server).get('/health').expect(503)).body.status).toBe('starting');
    await projector.start();

    const health = await request(server).get('/health').expect(200).expect('Content-Type', /application\/json/);
    expect(health.body).toEqual({
      status: 'ok',
      projections: [
        { projection: 'tallies', state: 'running', checkpoint: 0 },
        { projection: 'audit', state: 'running', checkpoint: 0 },
      ],
      processManagers: [],
    });

    const { position } = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    await until(async () => (await readStore.checkpoint('tallies')) === position);
    const lag = await request(server).get('/lag').expect(200);
    expect(lag.body).toEqual({
      head: position,
      projections: { tallies: { checkpoint: position, caughtUp: true }, audit: { checkpoint: 0, caughtUp: true } },
    });

    await request(server).get('/ready').expect(200);
    const metrics = await request(server).get('/metrics').expect(200).expect('Content-Type', /^text\/plain/);
    expect(metrics.text).toContain('scim_projection_state{projection="tallies",state="running"} 1');
    expect(metrics.text).toContain('scim_projection_lag_positions{projection="audit"} 0');
    expect(metrics.text).toContain('process_resident_memory_bytes');
    await request(server).get('/nothing').expect(404);
    await request(server).post('/health').expect(405).expect('Allow', 'GET, HEAD');
  });

  it('reports a projection behind the head in /lag', async () => {
    await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    const projector = newProjector([tallyProjection()]);
    // Not started: nothing projected yet.
    const lag = await projector.lag();
    expect(lag.projections.tallies).toEqual({ checkpoint: 0, caughtUp: false });
    expect(lag.head).toBeGreaterThan(0);
  });

  it('restarts a failed projection with a backoff and reports it as failing meanwhile', async () => {
    let poisonIsFatal = true;
    const projector = newProjector([tallyProjection({ poisonIsFatal: () => poisonIsFatal })], { firstRestartDelayMs: 40, maxRestartDelayMs: 200 });
    const server: Server = createProjectorServer(projector, logger.error);
    await projector.start();

    const poisoned = await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a'), tallyEvent('TallyPoisoned', 'a')], 'no_stream');
    await until(() => projector.health().status === 'failing');
    const failing = await request(server).get('/health').expect(503);
    expect(failing.body.projections[0]).toMatchObject({ projection: 'tallies', state: 'failed', checkpoint: 0, error: expect.stringContaining('poisoned tally') });
    // Polled: between two restarts the projection runs for a moment.
    await until(async () => (await request(server).get('/ready')).status === 503);
    const scrape = async () => (await request(server).get('/metrics').expect(200)).text;
    await until(async () => (await scrape()).includes('scim_projection_state{projection="tallies",state="failing"} 1'));
    expect(await scrape()).toContain(`scim_projection_lag_positions{projection="tallies"} ${poisoned.position}`);

    // Still poisoned: restarts keep failing, spaced out (40, 80, 160 ms...), not in a tight loop.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const restarts = logs.filter((line) => line.startsWith('Restarting tallies')).length;
    expect(restarts).toBeGreaterThanOrEqual(2);
    expect(restarts).toBeLessThanOrEqual(5);

    // Fixed (in real life: a new release); the next restart goes through.
    poisonIsFatal = false;
    await until(() => projector.health().status === 'ok');
    await until(async () => (await readStore.checkpoint('tallies')) === poisoned.position);
    expect(await tally('a')).toMatchObject({ total: 0 });
  });

  it('stops cleanly: nothing is projected after stop, and /health says so', async () => {
    const projector = newProjector([tallyProjection()]);
    await projector.start();
    await projector.stop();
    expect(projector.health().status).toBe('stopping');
    await request(createProjectorServer(projector, logger.error)).get('/health').expect(503);

    await eventStore.append('tally-a', [tallyEvent('TallyOpened', 'a')], 'no_stream');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await readStore.checkpoint('tallies')).toBe(0);
    await expect(projector.start()).rejects.toThrow('cannot start once stopped');
  });

  it('runs the process managers: a role mapped to a group is granted to its members by the projector', async () => {
    await prepareReadModelStore(readStore);
    // As apps/projector wires them: appends through the hash chain, freshness from the checkpoints.
    const stores = { eventStore: new HashChainedEventStore(eventStore), readStore, freshness: new CheckpointFreshness(eventStore, readStore, allProjections, 5_000), names: new HmacNameHashing('k'.repeat(43)), subjectKeys: SqliteSubjectKeyStore.open({ file: ':memory:', rootKey: randomBytes(32) }) };
    const models = createWriteModels(stores);
    const projector = newProjector(allProjections, { processManagers: createProcessManagers(stores, models, logger) });
    await projector.start();
    const context = { accountId: 'account-1', actor: { kind: 'operator' } as const, requestId: 'request-1', at: '2026-01-01T00:00:00.000Z' };

    const { user } = await models.users.provision(context, { userName: 'ada@example.com' }, true, []);
    await models.groups.create(context, 'group-1', { displayName: 'Engineers', source: 'SCIM' }, [user.userId]);
    await models.groups.execute(context, 'group-1', { type: 'MapGroupToRoles', accountId: 'account-1', roles: ['editor'], knownRoles: ['editor'], at: context.at });

    const grants = async () => (await eventStore.readStream(userStream(user.userId))).filter((event) => event.type === 'RoleGrantedViaGroup');
    await until(async () => (await grants()).length > 0);
    expect((await grants()).map((event) => event.data)).toEqual([expect.objectContaining({ userId: user.userId, groupId: 'group-1', role: 'editor' })]);
    expect(projector.health().processManagers.map((report) => [report.name, report.state])).toEqual([
      [RolesViaGroupsProcess.checkpointName, 'running'],
      ['process:deleted-users-leave-groups', 'running'],
      ['process:retention', 'running'],
    ]);
  });
});
