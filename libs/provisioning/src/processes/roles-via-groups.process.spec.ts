import { randomBytes } from 'node:crypto';
import { userStream } from '@scim/domain';
import { SqliteSubjectKeyStore } from '@scim/event-store/personal-data';
import { ProjectionRunner } from '@scim/read-models';
import { allProjections, prepareReadModelStore } from '@scim/read-models/projections';
import { inMemoryStores } from '@scim/read-models/testing/in-memory-stores';
import { ReadModelFreshness } from '../read-model-freshness';
import { HmacNameHashing } from '../users/name-hashing';
import { createWriteModels } from '../write-side';
import { RolesViaGroupsProcess } from './roles-via-groups.process';

/** The projections' own progress (the write models wait on it: a group's members must exist). */
class ProjectedFreshness extends ReadModelFreshness {
  constructor(private readonly runner: ProjectionRunner) {
    super();
  }

  waitFor(position: number): Promise<boolean> {
    return this.runner.waitFor(position, 5_000);
  }
}

/** Read models that reach the positions asked for only when the test says so. */
class FreshWhenReleased extends ReadModelFreshness {
  readonly asked: number[] = [];
  private release: (reached: boolean) => void = () => undefined;
  private readonly released = new Promise<boolean>((resolve) => (this.release = resolve));

  waitFor(position: number): Promise<boolean> {
    this.asked.push(position);
    return this.released;
  }

  reach(): void {
    this.release(true);
  }
}

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(await check()).toBe(true);
}

const logger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const context = { accountId: 'account-1', actor: { kind: 'operator' } as const, requestId: 'request-1', at: '2026-01-01T00:00:00.000Z' };

describe('RolesViaGroupsProcess', () => {
  const stores = inMemoryStores();

  it('grants only once the read models include the event, so the request that wrote it answers first', async () => {
    await prepareReadModelStore(stores.readStore);
    const runner = new ProjectionRunner(stores.eventStore, stores.readStore, allProjections, { logger });
    await runner.start();
    const subjectKeys = SqliteSubjectKeyStore.open({ file: ':memory:', rootKey: randomBytes(32) });
    const models = createWriteModels({ ...stores, freshness: new ProjectedFreshness(runner), names: new HmacNameHashing('k'.repeat(43)), subjectKeys });
    const { user } = await models.users.provision(context, { userName: 'ada@example.com' }, true, []);
    await models.groups.create(context, 'group-1', { displayName: 'Engineers', source: 'SCIM' }, [user.userId]);
    await models.groups.execute(context, 'group-1', { type: 'MapGroupToRoles', accountId: 'account-1', roles: ['editor'], knownRoles: ['editor'], at: context.at });
    const freshness = new FreshWhenReleased();
    const process = new RolesViaGroupsProcess(stores.eventStore, stores.readStore, models.users, models.groups, freshness, logger);
    const grants = async () => (await stores.eventStore.readStream(userStream(user.userId))).filter((event) => event.type === 'RoleGrantedViaGroup');

    await process.start();
    // Held at the group's first event that bears on roles, until the read models include it.
    await until(() => freshness.asked.length > 0);
    expect(await grants()).toEqual([]);

    freshness.reach();
    await until(async () => (await grants()).length === 1);
    await process.stop();
    await runner.stop();
    await subjectKeys.close();
    expect((await grants())[0].data).toEqual(expect.objectContaining({ userId: user.userId, groupId: 'group-1', role: 'editor' }));
  });
});
