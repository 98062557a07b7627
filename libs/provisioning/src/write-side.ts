import type { EventStore } from '@scim/event-store';
import type { SubjectKeyStore } from '@scim/event-store/personal-data';
import type { ReadStore } from '@scim/read-models';
import type { ProvisioningLogger } from './command-context';
import { GroupWriteModel } from './groups/group-write-model';
import { DeletedUsersLeaveGroupsProcess } from './processes/deleted-users-leave-groups.process';
import type { ProcessManager } from './processes/process-subscription';
import { RetentionProcess } from './processes/retention.process';
import { RolesViaGroupsProcess } from './processes/roles-via-groups.process';
import { ProvisioningLog } from './provisioning-log';
import type { ReadModelFreshness } from './read-model-freshness';
import type { NameHashing } from './users/name-hashing';
import { UserWriteModel } from './users/user-write-model';

export interface WriteSideStores {
  readonly eventStore: EventStore;
  readonly readStore: ReadStore;
  readonly freshness: ReadModelFreshness;
  /** userName reservation streams' names (docs/PRIVACY.md). */
  readonly names: NameHashing;
  /** Personal data's keys (docs/PRIVACY.md): erasure destroys a user's. */
  readonly subjectKeys: SubjectKeyStore;
}

export interface WriteModels {
  readonly users: UserWriteModel;
  readonly groups: GroupWriteModel;
  readonly log: ProvisioningLog;
}

/** One set per process: writes to one user or group take turns within it (KeyedMutex). */
export function createWriteModels({ eventStore, readStore, freshness, names, subjectKeys }: WriteSideStores): WriteModels {
  const log = new ProvisioningLog(eventStore);
  return { users: new UserWriteModel(eventStore, freshness, log, names, subjectKeys), groups: new GroupWriteModel(eventStore, readStore, freshness), log };
}

/**
 * The process managers, not started. They run once per deployment, where the projections run: in
 * the embedded service, or in apps/projector (never in each API replica, which would emit every
 * reaction once per replica).
 */
export function createProcessManagers(stores: WriteSideStores, models: WriteModels, logger: ProvisioningLogger): ProcessManager[] {
  return [
    new RolesViaGroupsProcess(stores.eventStore, stores.readStore, models.users, models.groups, stores.freshness, logger),
    new DeletedUsersLeaveGroupsProcess(stores.eventStore, stores.readStore, models.groups, stores.freshness, logger),
    new RetentionProcess(stores.eventStore, stores.readStore, models.users, logger),
  ];
}
