export * from './read-store.port';
export { EmbeddedReadStore, type EmbeddedReadStoreOptions } from './embedded/embedded-read-store';
// The MongoDB adapter is imported from '@scim/read-models/mongo', so that this index loads no driver.
export { UnsupportedQueryError } from './query/sql-query';
export { RESERVED_COLLECTIONS, RESERVED_FIELDS } from './store-rules';
export {
  bsonDocumentSize,
  CommitTooLargeError,
  DocumentTooLargeError,
  MAX_COMMIT_BYTES,
  MAX_DOCUMENT_BYTES,
  splitIntoSubCommits,
} from './store-limits';
export { POSITION_FIELD, type DocumentRef, type Projection } from './projection';
export { projectBatch, ProjectionEventError, type DocumentLoader } from './project-batch';
export {
  commitInParts,
  DEFAULT_SKIPPED_EVENTS_PER_CHECKPOINT,
  ProjectionRunner,
  type ProjectionLag,
  type ProjectionRunnerOptions,
  type ProjectionState,
  type ProjectionStatus,
  type RebuildProgress,
  type RunnerLogger,
} from './projection-runner';
export { describeStale, PROJECTION_VERSIONS, recordProjectionVersions, staleProjections, type StaleProjection } from './projection-versions';
export { rebuildEmbeddedFile, type EmbeddedRebuildOptions } from './embedded-rebuild';
export { openEmbeddedReadModels, progressLogger, type EmbeddedReadModelsOptions } from './read-model-upgrade';
export { CatchUpTracker, CheckpointWaiter, type CheckpointWaiterOptions, type ProjectionScope } from './catch-up';
export { ReadStoreLease, type LeaseOptions } from './lease';
export {
  REBUILD_LEASE,
  RebuildAbandonedError,
  rebuildStaleReadModels,
  type ScratchRebuildOptions,
  type ScratchSpace,
  type ScratchSwap,
} from './scratch-rebuild';
export { AccountIndexedEventStore } from './account-indexed-event-store';
export { CachingReadStore } from './caching-read-store';
