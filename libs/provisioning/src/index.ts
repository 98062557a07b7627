/** The write side shared by apps/scim-api and apps/projector: write models, their metadata, the process managers. */
export { type CommandContext, type ProvisioningLogger } from './command-context';
export { assertFitsOneAppend, metadataFor, withNotes } from './event-metadata';
export { GroupWriteModel, type MembershipChange, type WrittenGroup } from './groups/group-write-model';
export { KeyedMutex } from './keyed-mutex';
export { DeletedUsersLeaveGroupsProcess } from './processes/deleted-users-leave-groups.process';
export { ProcessManager, type ProcessReport, ProcessSubscription, reactionContext } from './processes/process-subscription';
export { RETENTION_CANDIDATES, type RetentionCandidate, RetentionProcess } from './processes/retention.process';
export { RolesViaGroupsProcess } from './processes/roles-via-groups.process';
export { ProvisioningLog } from './provisioning-log';
export { CheckpointFreshness, ReadModelFreshness } from './read-model-freshness';
export { streamModel, upcastRecorded } from './stream-model';
export { HmacNameHashing, NameHashing } from './users/name-hashing';
export { type UserChange, UserWriteModel, type WrittenUser } from './users/user-write-model';
export { createProcessManagers, createWriteModels, type WriteModels, type WriteSideStores } from './write-side';
